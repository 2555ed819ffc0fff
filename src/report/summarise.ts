// Views of a results file shared by every report format: the conformance matrix and
// the tables. Formats only render these.

import type { CaseResult, CaseStatus, RunResults } from '../results/types.ts';

export interface MatrixCell {
  status: CaseStatus | 'not run';
  pass: number;
  total: number;
  failures: CaseResult[];
  message?: string | undefined;
}

export function engineIds(results: RunResults): string[] {
  return results.engines.map((e) => e.id);
}

export function matrixCell(results: RunResults, scenario: string, engine: string): MatrixCell {
  const cases = results.cases.filter((c) => c.scenario === scenario && c.engine === engine);
  if (cases.length === 0) return { status: 'not run', pass: 0, total: 0, failures: [] };
  const unsupported = cases.find((c) => c.status === 'unsupported' && c.kind === 'scenario');
  if (unsupported) return { status: 'unsupported', pass: 0, total: 0, failures: [], message: unsupported.message };
  const judged = cases.filter((c) => c.status !== 'unsupported');
  const pass = judged.filter((c) => c.status === 'pass').length;
  const failures = judged.filter((c) => c.status !== 'pass');
  const status: CaseStatus = failures.some((c) => c.status === 'fail') ? 'fail' : failures.length > 0 ? 'error' : 'pass';
  const partial = cases.filter((c) => c.status === 'unsupported');
  return { status, pass, total: judged.length, failures, ...(partial.length ? { message: partial.map((c) => c.message).join('; ') } : {}) };
}

/** Whether every judged case passed (unsupported is not a failure). */
export function allPassed(results: RunResults): boolean {
  return results.cases.every((c) => c.status === 'pass' || c.status === 'unsupported');
}

export function revocationRows(results: RunResults): CaseResult[] {
  return results.cases.filter((c) => c.kind === 'revocation');
}

export function auditRows(results: RunResults): CaseResult[] {
  return results.cases.filter((c) => c.kind === 'expectLog');
}

/** The factor of each engine's p50 to the fastest engine's in the same scenario. */
export function factorToFastest(results: RunResults, scenario: string): Map<string, number> {
  const perf = results.performance.filter((p) => p.scenario === scenario);
  const fastest = Math.min(...perf.map((p) => p.latency.p50));
  return new Map(perf.map((p) => [p.engine, fastest > 0 ? p.latency.p50 / fastest : 1]));
}

export function describeMachine(results: RunResults): string {
  const r = results.run;
  return `${r.cpu} (${r.cpus} cores), ${r.memoryGiB} GiB, ${r.platform}, Node ${r.node}`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

/** How to read the open-loop rows; both reports print it under the load table. */
export const OPEN_LOOP_NOTE =
  'Open-loop latencies count from each check\'s intended send time (coordinated omission corrected, as wrk2 does); "p99 from send" counts from the actual send, as wrk 4 and most tools do. Closed-loop latencies are service times.';

/** One cost-curve point as text: `100: 0.412 (setup 274 ms, 41 MiB)`. */
export function formatCurvePoint(p: { size: number; p50: number; setupMs: number; memoryMiB?: number }): string {
  return `${p.size}: ${p.p50.toFixed(3)} (setup ${p.setupMs.toFixed(0)} ms${p.memoryMiB ? `, ${p.memoryMiB.toFixed(0)} MiB` : ''})`;
}
