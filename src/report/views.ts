// Views of a results file that several report tables and charts share: the conformance
// cell of an engine × scenario, revocation and audit rows, engine kinds and latency factors.

import type { CaseResult, CaseStatus, EngineRecord, PerformanceResult, RunResults } from '../results/types.ts';

export interface MatrixCell {
  status: CaseStatus | 'not run';
  pass: number;
  total: number;
  failures: CaseResult[];
  /** Steps the engine could not run in a scenario it otherwise ran (e.g. a search on an engine without one). */
  unsupportedSteps: number;
  message?: string;
}

export function engineIds(results: RunResults): string[] {
  return results.engines.map((e) => e.id);
}

export function matrixCell(results: RunResults, scenario: string, engine: string): MatrixCell {
  const cases = results.cases.filter((c) => c.scenario === scenario && c.engine === engine);
  if (cases.length === 0) return { status: 'not run', pass: 0, total: 0, failures: [], unsupportedSteps: 0 };
  const unsupported = cases.find((c) => c.status === 'unsupported' && c.kind === 'scenario');
  if (unsupported) return { status: 'unsupported', pass: 0, total: 0, failures: [], unsupportedSteps: 0, ...(unsupported.message !== undefined ? { message: unsupported.message } : {}) };
  const judged = cases.filter((c) => c.status !== 'unsupported');
  const pass = judged.filter((c) => c.status === 'pass').length;
  const failures = judged.filter((c) => c.status !== 'pass');
  const partial = cases.filter((c) => c.status === 'unsupported');
  const reasons = partial.length ? { message: [...new Set(partial.map((c) => c.message))].join('; ') } : {};
  // Nothing judged: the scenario is unsupported on this engine, not passed.
  if (judged.length === 0) return { status: 'unsupported', pass: 0, total: 0, failures: [], unsupportedSteps: partial.length, ...reasons };
  const status: CaseStatus = failures.some((c) => c.status === 'fail') ? 'fail' : failures.length > 0 ? 'error' : 'pass';
  return { status, pass, total: judged.length, failures, unsupportedSteps: partial.length, ...reasons };
}

export function revocationRows(results: RunResults): CaseResult[] {
  return results.cases.filter((c) => c.kind === 'revocation');
}

/** Whether a revocation timeline ran idle or under a background load (docs/benchmarking.md). */
export const revocationPhase = (c: CaseResult) => (c.revocation?.load ? 'under load' : 'idle');
/** A revocation's path, with the phase where it ran under load: what charts label a bar with. */
export const revocationLabel = (c: CaseResult) => (c.revocation?.load ? `${c.revocation.path} · under load` : (c.revocation?.path ?? 'revocation'));

export function auditRows(results: RunResults): CaseResult[] {
  return results.cases.filter((c) => c.kind === 'expectLog');
}

/**
 * Revocation by expiry: nothing is revoked, the grant runs out. Allows before that moment
 * are the grant still being valid, not stale answers, and the time to deny is the grant's
 * lifetime. Such rows are explained, and left out of the scorecard's worst case.
 */
export const isExpiry = (c: CaseResult) => c.revocation?.path === 'expiry';
export const EXPIRY_NOTE = 'expected: the grant is valid until it expires, so the allows before the deadline are correct; the time to deny is the grant’s lifetime';

export type EngineKind = 'embedded' | 'server';
/** `embedded` engines answer in the harness's process; every other launch goes over a network hop. */
export const engineKind = (engine: EngineRecord | undefined): EngineKind => (engine?.launch === 'embedded' ? 'embedded' : 'server');
export const kindOf = (results: RunResults, engine: string): EngineKind => engineKind(results.engines.find((e) => e.id === engine));

/** The engine family: the id before its configuration (`openfga[cache]` → `openfga`). */
export const engineFamily = (engine: string) => engine.replace(/\[.*$/, '');

export interface Factors {
  /** p50 over the fastest p50 of the same kind (embedded or server) in the same scenario. */
  ofKind: number;
  /** p50 over the fastest p50 of any engine in the same scenario. */
  overall: number;
}

/** Each engine's latency factors in one scenario. */
export function latencyFactors(results: RunResults, perf: PerformanceResult[]): Map<string, Factors> {
  const fastest = (list: PerformanceResult[]) => Math.min(...list.map((p) => p.latency.p50));
  const ratio = (value: number, best: number) => (best > 0 ? value / best : 1);
  const overall = fastest(perf);
  return new Map(
    perf.map((p) => {
      const kind = kindOf(results, p.engine);
      const ofKind = fastest(perf.filter((q) => kindOf(results, q.engine) === kind));
      return [p.engine, { ofKind: ratio(p.latency.p50, ofKind), overall: ratio(p.latency.p50, overall) }];
    }),
  );
}

/**
 * The in-process micro benchmarks (`bench`) as ratios to the reference engine's p50: the
 * embedded engines side by side, the oracle as the bar. Undefined without a reference figure.
 */
export function ratioToReference(micro: PerformanceResult[]): Map<string, number | undefined> {
  const reference = micro.find((m) => m.engine === 'reference')?.latency.p50;
  return new Map(micro.map((m) => [m.engine, reference ? m.latency.p50 / reference : undefined]));
}

/** Each value over the smallest of them (the fastest engine = 1); undefined values stay undefined. */
export function ratioToFastest<K>(values: Map<K, number | undefined>): Map<K, number | undefined> {
  const known = [...values.values()].filter((v): v is number => v !== undefined && v > 0);
  const best = known.length ? Math.min(...known) : undefined;
  return new Map([...values].map(([k, v]) => [k, best !== undefined && v !== undefined ? v / best : undefined]));
}

export type FactorTone = 'best' | 'near' | 'slow' | 'slowest';
export function factorTone(f: number): FactorTone {
  if (f <= 1.0001) return 'best';
  if (f < 2) return 'near';
  if (f < 10) return 'slow';
  return 'slowest';
}
