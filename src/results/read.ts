// Reads a results file back, refusing one of another schema version with a clear error.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/errors.ts';
import { SCHEMA_VERSION, type RunResults } from './types.ts';

export async function readResults(file: string): Promise<RunResults> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.resolve(file), 'utf8'));
  } catch (error) {
    throw new InputError(file, '', `cannot read a results file: ${(error as Error).message}`, 'give the results.json that `authz-bench run` wrote');
  }
  const version = (parsed as RunResults)?.schemaVersion;
  if (version !== SCHEMA_VERSION) {
    throw new InputError(file, 'schemaVersion', `found ${JSON.stringify(version)}, expected ${SCHEMA_VERSION}`, 'rerun the benchmark with this version of authz-bench');
  }
  return parsed as RunResults;
}
