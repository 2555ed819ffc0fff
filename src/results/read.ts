// Reads a results file back: a file that is not one (package.json, a report) is named as
// such; one of another schema version is refused with what to do; one of the right version
// but the wrong shape names the place.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BoundedReadError, readBoundedFile } from '../core/bounded-read.ts';
import { InputError } from '../core/errors.ts';
import { shapeProblem } from './shape.ts';
import { SCHEMA_VERSION, type RunResults } from './types.ts';

/** Raw samples are capped per figure: even a run of every engine and scenario stays far below this. */
const MAX_RESULTS_BYTES = 512 * 1024 * 1024;

const WHAT = 'give the results.json that `authz-bench run` or `authz-bench bench` wrote into its results folder';

export async function readResults(given: string): Promise<RunResults> {
  // A results folder (what `run` and `bench` print) stands for the results.json in it.
  const inFolder = path.join(given, 'results.json');
  const file = statSync(given, { throwIfNoEntry: false })?.isDirectory() && existsSync(inFolder) ? inFolder : given;
  let text: string;
  try {
    text = readBoundedFile(path.resolve(file), MAX_RESULTS_BYTES);
  } catch (error) {
    if (error instanceof BoundedReadError) throw new InputError(file, '', `cannot read a results file: the file ${error.problem}`, WHAT);
    throw new InputError(file, '', `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'check the path');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(file, '', 'not a results file (not JSON)', WHAT);
  }
  const candidate = parsed as Partial<RunResults> | null;
  const looksLikeResults = !!candidate && typeof candidate === 'object' && 'schemaVersion' in candidate && typeof candidate.run === 'object' && Array.isArray(candidate.cases);
  if (!looksLikeResults) throw new InputError(file, '', 'not a results file (no schemaVersion, run and cases)', WHAT);
  const version = candidate.schemaVersion;
  if (version !== SCHEMA_VERSION) {
    const newer = typeof version === 'number' && version > SCHEMA_VERSION;
    throw new InputError(
      file,
      'schemaVersion',
      `results of schema version ${JSON.stringify(version)}; this authz-bench reads version ${SCHEMA_VERSION}`,
      newer ? 'read it with the newer authz-bench that wrote it' : 'render it with the authz-bench version that wrote it, or run the benchmark again with this one',
    );
  }
  const problem = shapeProblem(parsed);
  if (problem) throw new InputError(file, problem.path || '(top level)', `not a results file of this version: ${problem.problem}`, WHAT);
  return parsed as RunResults;
}
