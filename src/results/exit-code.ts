// The run's exit code, from its results: see the CLI header for the table.

import type { RunResults } from './types.ts';

/** 1 when an engine answered wrong, 3 when an engine only failed to answer, else 0. */
export function exitCodeFor(results: RunResults): number {
  if (results.cases.some((c) => c.status === 'fail')) return 1;
  if (results.cases.some((c) => c.status === 'error') || results.engines.some((e) => e.skipped)) return 3;
  return 0;
}
