// The run's exit code, from its results: see the CLI header for the table.

import { DEFAULT_FAIL_ON, type Finding, verdictOf } from './verdict.ts';
import type { RunResults } from './types.ts';

/** 1 when a chosen finding (by default a wrong answer) is present, 3 when only engine failures are, else 0. */
export function exitCodeFor(results: RunResults, failOn: readonly Finding[] = DEFAULT_FAIL_ON): number {
  return verdictOf(results, failOn).exitCode;
}
