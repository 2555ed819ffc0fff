// Reads a results file back, refusing one of another schema version or shape with a clear error.

import { BoundedReadError, readBoundedFile } from '../core/bounded-read.ts';
import path from 'node:path';
import { InputError } from '../core/errors.ts';
import { shapeProblem } from './shape.ts';
import { SCHEMA_VERSION, type RunResults } from './types.ts';

/** Raw samples are capped per figure: even a run of every engine and scenario stays far below this. */
const MAX_RESULTS_BYTES = 512 * 1024 * 1024;

export async function readResults(file: string): Promise<RunResults> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readBoundedFile(path.resolve(file), MAX_RESULTS_BYTES));
  } catch (error) {
    const problem = error instanceof BoundedReadError ? `the file ${error.problem}` : `not JSON: ${(error as Error).message.slice(0, 200)}`;
    throw new InputError(file, '', `cannot read a results file: ${problem}`, 'give the results.json that `authz-bench run` wrote');
  }
  const version = (parsed as RunResults)?.schemaVersion;
  if (version !== SCHEMA_VERSION) {
    throw new InputError(file, 'schemaVersion', `found ${JSON.stringify(version)}, expected ${SCHEMA_VERSION}`, 'rerun the benchmark with this version of authz-bench');
  }
  const problem = shapeProblem(parsed);
  if (problem) throw new InputError(file, problem.path || '(top level)', `not a results file of this version: ${problem.problem}`, 'give the results.json that `authz-bench run` or `bench` wrote');
  return parsed as RunResults;
}
