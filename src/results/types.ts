// The results file: one JSON per run, written once and rendered later by the reports.
// Bump SCHEMA_VERSION on any incompatible change (a field removed, renamed or changed in
// meaning); a new optional field is compatible and keeps the version, so readers of older
// files must treat it as absent.

import type { EngineInfo } from '../core/adapter.ts';
import type { RampStep } from '../load/slo.ts';
import type { LoadSummary } from '../load/trials.ts';
import type { Interval } from '../stats/confidence.ts';
import type { RunTotals, RunVerdict } from './verdict.ts';

export type { Interval };

export const SCHEMA_VERSION = 1;

export type CaseStatus = 'pass' | 'fail' | 'unsupported' | 'error';

export interface RunMetadata {
  id: string;
  startedAt: string;
  finishedAt?: string;
  command: string;
  /** Absent outside a git checkout. */
  gitCommit?: string | undefined;
  node: string;
  platform: string;
  cpu: string;
  cpus: number;
  memoryGiB: number;
  /** 1, 5 and 15 minute load averages when the run started (absent in older files and on Windows). */
  loadAverage?: [number, number, number];
  /** Bench runs: ns per dependent random read of memory when the run started (src/runner/machine-probe.ts); absent in older files. */
  memoryLatencyNs?: number;
  /** Bench runs on Linux: percent of the last 60 s some task waited for a CPU when the run started (PSI). */
  cpuPressure?: number;
  settings: { benchTimeMs: number; warmupMs: number; checkTimeoutMs: number };
}

export interface EngineRecord extends EngineInfo {
  /** Why the engine did not run, when it did not. */
  skipped?: string;
  /** Scenarios this engine ran in native mode (its own policy language), not translated. */
  nativeScenarios?: string[];
  decisionLog: string;
  /** From the start of the engine to ready, in ms (absent in older files). */
  startMs?: number;
  /** Resident memory of the engine after its scenarios, in MiB, where the adapter can tell. */
  memoryMiB?: number;
}

export interface ScenarioRecord {
  id: string;
  title: string;
  tags: string[];
  file: string;
}

export interface RevocationFigures {
  path: string;
  /** From the revocation's acknowledgement to the first deny; undefined if never denied. */
  timeToFirstDenyMs?: number;
  staleAllows: number;
  polls: number;
  /** Whether the very first check after the acknowledgement was denied. */
  immediate: boolean;
  /** Pollers that checked at once (absent: one). */
  pollers?: number;
  /** From the acknowledgement until every poller denied and kept denying; undefined if some never did. */
  timeToAllDenyMs?: number;
  /** Each poller's answers, in order: ms after the acknowledgement and the decision (the stale-allow window chart). */
  timeline?: { poller: number; atMs: number; allowed: boolean }[];
  /** Set when the timeline ran under a background load: what that load was and how it fared. */
  load?: RevocationLoadFigures;
  /**
   * Set when the grant was not in effect at the first check before the revocation but became so
   * while polled (an engine that serves reads from a stale snapshot, e.g. SpiceDB minimize_latency):
   * how long after the step began the grant was first allowed.
   */
  grantVisibleAfterMs?: number;
}

/** Cold vs warm: the first check after a fresh load, and after a restart, against the steady state of the same check. */
export interface ColdStartRecord {
  engine: string;
  scenario: string;
  /** The first check after loadModel and the relationships (settled), in ms. */
  afterLoadMs?: number;
  /** The first check after stop + start + load, in ms; absent with `restart` saying why. */
  afterRestartMs?: number;
  /** How long the stop and start took, in ms. */
  restartMs?: number;
  /** Median and p99 of the same check repeated after the first (steady state). */
  warmP50Ms?: number;
  warmP99Ms?: number;
  warmSamples: number;
  /** What a restart is for this engine, or why there was none. */
  restart: string;
  error?: string;
  method: string;
}

export interface RevocationLoadFigures {
  /** Background checks per second asked for, and how the rate was chosen. */
  targetRate: number;
  rateSource: string;
  /** Checks per second the short closed loop reached before, where it ran. */
  measuredMax?: number;
  connections: number;
  /** Background checks answered per second from the revocation to the end. */
  throughput: number;
  /** Latency of the background checks from the revocation to the end (from the intended send time). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  checks: number;
  errors: number;
  /** Unrelated writes applied during the window, and the rate asked for. */
  writes: number;
  writeRate: number;
  writeErrors: number;
}

export interface AuditFigures {
  logKind: string;
  checks: number;
  found: number;
  share: number;
  /** Field name -> number of found entries that lack it or get it wrong. */
  missingFields: Record<string, number>;
  /** From the end of the last check to the moment every entry was readable. */
  deliveryMs?: number;
}

export interface CaseResult {
  engine: string;
  scenario: string;
  /** Index in the scenario's steps (a batch is one case, its items listed in expected/actual). */
  step: number;
  // Optional fields may be set to undefined by the runner; JSON drops them when written.
  item?: number | undefined;
  kind: 'check' | 'batch' | 'write' | 'delete' | 'updateModel' | 'revocation' | 'expectLog' | 'search' | 'scenario';
  name?: string | undefined;
  status: CaseStatus;
  request?: string | undefined;
  expected?: string | undefined;
  actual?: string | undefined;
  message?: string | undefined;
  decisionId?: string | undefined;
  durationMs?: number | undefined;
  revocation?: RevocationFigures | undefined;
  audit?: AuditFigures | undefined;
}

export interface LatencySummary {
  samples: number;
  mean: number;
  p50: number;
  p75: number;
  p99: number;
  min: number;
  max: number;
  sd: number;
  /** Relative margin of error of the mean at 95%, in percent. */
  rme: number;
  /** Checks per second, from the mean. */
  throughput: number;
}

export interface PerformanceResult {
  engine: string;
  scenario: string;
  /** What was timed: `check` (one check per iteration). */
  kind: string;
  unit: 'ms';
  latency: LatencySummary;
  errors: number;
  /** How it was obtained, shown beside the figure. */
  method: string;
  /** Mean time per check the adapter spent in the harness process (e.g. Cerbos's resolver), included in latency. */
  clientSide?: { label: string; meanMs: number };
  /** Raw latency samples (ms), capped, for statistical comparison between runs. */
  samples: number[];
}

export interface RunResults {
  schemaVersion: typeof SCHEMA_VERSION;
  run: RunMetadata;
  engines: EngineRecord[];
  scenarios: ScenarioRecord[];
  cases: CaseResult[];
  performance: PerformanceResult[];
  /** First-check latencies after a fresh load and after a restart, for scenarios with `coldStart` (absent otherwise). */
  coldStarts?: ColdStartRecord[];
  /** Present in files written by `authz-bench bench`. */
  bench?: BenchSection;
  /** Counts of cases, decisions and findings, run-wide and per engine (added when written; absent in older files: use totalsOf()). */
  totals?: RunTotals;
  /** The exit verdict of `run` under its --fail-on (absent in older files and bench runs). */
  verdict?: RunVerdict;
}

/** What `authz-bench bench` adds to a results file. */
export interface BenchSection {
  settings: Record<string, number | string>;
  /** In-process micro benchmarks (tinybench), run until the margin of error is under the target. */
  micro: PerformanceResult[];
  load: LoadRecord[];
  slo: SloRecord[];
  overhead?: OverheadRecord;
  curves: CostCurve[];
  /** `bench --scale`: every engine at each dataset size (absent in older files). */
  scale?: ScaleRecord[];
}

/**
 * One engine at one dataset size (`bench --scale`, and each point of the relationships
 * curve): how long loading took, the engine's own memory, and its latency over trials; or why
 * it did not load within the budget (the engine is kept in the results, not dropped).
 */
export interface ScaleRecord {
  engine: string;
  scenario: string;
  /** Relationships loaded (the generator's `relationships`). */
  relationships: number;
  /** Distinct requests cycled by the measurement. */
  requests: number;
  /** Loading the model and the relationships through the engine's bulk path, in the harness. */
  setupMs?: number;
  /** The engine's own memory after loading; see `memoryMethod`. */
  memoryMiB?: number;
  /** `server RSS` (VmRSS of the server process) or `heap delta in a fresh process` (embedded). */
  memoryMethod?: string;
  /** What the memory figure leaves out, from the adapter (Cerbos: relationships held in the harness's resolver). */
  memoryNote?: string;
  p50?: Interval;
  p99?: Interval;
  /** Checks measured over all trials. */
  checks?: number;
  /** Set when the engine could not load this size within the budget: why. */
  didNotLoad?: string;
  method: string;
}

/** A load summary as stored: the trials are counted, not kept. */
export interface LoadRecord extends Omit<LoadSummary, 'trials'> {
  engine: string;
  scenario: string;
  trials: number;
  method: string;
  /** Absent for the harness's own loops; set when the load came from an external generator (`import-load`). */
  generator?: GeneratorMark;
}

/** Which external load generator produced a load, on how many machines, at what rate each. */
export interface GeneratorMark {
  name: string;
  version: string;
  machines: number;
  ratePerMachine: number;
}

export interface SloRecord {
  engine: string;
  scenario: string;
  thresholdMs: number;
  targetRate: number;
  p99: Interval;
  pass: boolean;
  highestPassingRate?: number;
  /** The lowest rate found failing (the search's bracket with highestPassingRate; absent in older files). */
  lowestFailingRate?: number;
  ramp: RampStep[];
  method: string;
  generator?: GeneratorMark;
}

export interface OverheadRecord {
  checksPerSecond: Interval;
  p50: Interval;
  p99: Interval;
  /** p99 of the no-op engine in the open loop at the target rate: the pacing floor under every open-loop p99. */
  openLoopP99?: Interval;
  method: string;
}

export interface CurvePoint {
  size: number;
  p50: number;
  p99: number;
  memoryMiB?: number;
  setupMs: number;
  /** Distinct requests cycled at this point (absent in older files). */
  requests?: number;
}

export interface CostCurve {
  engine: string;
  dimension: string;
  scenario: string;
  points: CurvePoint[];
  /** The growth fitted through the p50s (src/stats/growth.ts); `growth` absent in older files. */
  fit?: { exponent: number; r2: number; growth?: number; label: string };
  method: string;
  /** How memoryMiB was measured (absent in older files). */
  memoryMethod?: string;
  /** Sizes the engine could not load within the budget, and why (absent in older files). */
  didNotLoad?: { size: number; reason: string }[];
}
