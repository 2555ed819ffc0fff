// Compares two results files: correctness regressions, fixes and new failures (cases matched
// by engine + scenario + step + batch item), and latency changes judged with a statistical
// test over the raw samples (src/stats/compare.ts), only with enough samples and only when
// the change is larger than the run-to-run noise (src/stats/noise.ts) or the threshold the
// user gives. The machine and its load in both runs are printed, so a reader can tell a
// slower commit from a busier machine.

import type { CaseResult, CaseStatus, PerformanceResult, RunMetadata, RunResults } from '../results/types.ts';
import { comparePerfSamples, DEFAULT_MIN_SAMPLES, meanLogRatio, PERF_TEST_METHOD, PERF_TEST_METHOD_WITH_NOISE, type PerfTestResult } from '../stats/compare.ts';
import { MIN_SERIES_FOR_NOISE, runToRunNoise, type RunToRunNoise } from '../stats/noise.ts';
import { formatMs, machineStateText } from './format.ts';

export interface CompareOptions {
  /** Relative latency change that matters, as told by the user (0.1 = 10%); default `minEffect`. */
  threshold?: number;
  /** The smallest change that counts when no threshold is given (default 0.1). */
  minEffect: number;
  /** Significance level of the latency test (default 0.05). */
  alpha: number;
  /** Whether a significant latency regression makes exitCode 1 (default false). */
  failOnPerf: boolean;
  /** Fewer samples on either side: a series is not judged (default 100). */
  minSamples: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { minEffect: 0.1, alpha: 0.05, failOnPerf: false, minSamples: DEFAULT_MIN_SAMPLES };

/** A run's load is high when its 1-minute load average exceeds this share of its cores. */
export const BUSY_LOAD_PER_CORE = 0.7;

export type CaseState = CaseStatus | 'missing';

export interface CaseChange {
  key: string;
  engine: string;
  scenario: string;
  step: number;
  item?: number;
  kind: CaseResult['kind'];
  name?: string;
  base: CaseState;
  next: CaseState;
  request?: string;
  expected?: string;
  actual?: string;
  message?: string;
}

/** A latency comparison of one engine × scenario: the test's result plus the percentiles compared. */
export interface PerfChange extends Omit<PerfTestResult, 'method'> {
  engine: string;
  scenario: string;
  kind: string;
  baseP50: number;
  nextP50: number;
  baseP99: number;
  nextP99: number;
}

export interface RunRef {
  id: string;
  startedAt: string;
  gitCommit?: string;
  /** CPU model and core count, platform and Node. */
  machine: string;
  cpus: number;
  /** 1, 5 and 15 minute load averages at the start of the run, where recorded. */
  loadAverage?: [number, number, number];
  /** Memory latency and CPU pressure when the run started (bench runs; src/runner/machine-probe.ts). */
  memoryLatencyNs?: number;
  cpuPressure?: number;
}

/** Two runs whose memory latency differs by more than this factor: a latency difference on a large store may be the machine's. */
const MEMORY_LATENCY_DIFFERS = 1.2;

/** The smallest latency change judged, where it came from, and the noise the test adds. */
export interface LatencyThreshold {
  value: number;
  source: 'given' | 'default';
  /** The run-to-run noise measured across the compared series, where there were enough; added to each series' variance. */
  noise?: RunToRunNoise;
}

export interface Comparison {
  base: RunRef;
  next: RunRef;
  options: CompareOptions;
  threshold: LatencyThreshold;
  /** Passed in base; fail, error or unsupported in new. */
  regressions: CaseChange[];
  /** Failed or errored in base; passes in new. */
  fixes: CaseChange[];
  /** Not in base; fail or error in new. */
  newFailures: CaseChange[];
  /** Failing (fail or error) in both. */
  stillFailing: CaseChange[];
  /** Passed in base; absent from new (engine skipped or scenario removed). Not a regression. */
  dropped: CaseChange[];
  /** Number of cases present in both runs. */
  matched: number;
  perfRegressions: PerfChange[];
  perfImprovements: PerfChange[];
  perfUnchanged: PerfChange[];
  /** Latency series that could not be judged (too few samples, or only in one run). */
  perfNotJudged: PerfChange[];
  perfMethod: string;
  notes: string[];
}

export function caseKey(c: Pick<CaseResult, 'engine' | 'scenario' | 'step' | 'item'>): string {
  return `${c.engine}|${c.scenario}|${c.step}${c.item !== undefined ? `|${c.item}` : ''}`;
}

function indexCases(cases: CaseResult[]): Map<string, CaseResult> {
  const map = new Map<string, CaseResult>();
  for (const c of cases) {
    let key = caseKey(c);
    // Two cases with one key should not happen; keep both rather than lose one.
    for (let n = 2; map.has(key); n++) key = `${caseKey(c)}#${n}`;
    map.set(key, c);
  }
  return map;
}

const failing = (s: CaseState) => s === 'fail' || s === 'error';

function change(key: string, base: CaseResult | undefined, next: CaseResult | undefined): CaseChange {
  const c = (next ?? base)!;
  return {
    key,
    engine: c.engine,
    scenario: c.scenario,
    step: c.step,
    ...(c.item !== undefined ? { item: c.item } : {}),
    kind: c.kind,
    ...(c.name !== undefined ? { name: c.name } : {}),
    base: base?.status ?? 'missing',
    next: next?.status ?? 'missing',
    ...(c.request !== undefined ? { request: c.request } : {}),
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    ...(next?.actual !== undefined ? { actual: next.actual } : base?.actual !== undefined ? { actual: base.actual } : {}),
    ...(next?.message !== undefined ? { message: next.message } : base?.message !== undefined ? { message: base.message } : {}),
  };
}

const perfKey = (p: PerformanceResult) => `${p.engine}|${p.scenario}|${p.kind}`;

const ref = (r: RunMetadata): RunRef => ({
  id: r.id,
  startedAt: r.startedAt,
  ...(r.gitCommit ? { gitCommit: r.gitCommit } : {}),
  machine: `${r.cpu} (${r.cpus} cores), ${r.platform}, Node ${r.node}`,
  cpus: r.cpus,
  ...(r.loadAverage ? { loadAverage: r.loadAverage } : {}),
  ...(r.memoryLatencyNs !== undefined ? { memoryLatencyNs: r.memoryLatencyNs } : {}),
  ...(r.cpuPressure !== undefined ? { cpuPressure: r.cpuPressure } : {}),
});

/** The threshold (the user's, else the minimum effect) and the run-to-run noise measured across the series. */
function latencyThreshold(pairs: [PerformanceResult, PerformanceResult][], options: CompareOptions): LatencyThreshold {
  const noise = runToRunNoise(pairs.filter(([q, p]) => q.samples.length >= options.minSamples && p.samples.length >= options.minSamples).map(([q, p]) => meanLogRatio(q.samples, p.samples)));
  const measured = { ...(noise ? { noise } : {}) };
  return options.threshold !== undefined ? { value: options.threshold, source: 'given', ...measured } : { value: options.minEffect, source: 'default', ...measured };
}

export function compareResults(base: RunResults, next: RunResults, opts: Partial<CompareOptions> = {}): Comparison {
  const options: CompareOptions = { ...DEFAULT_COMPARE_OPTIONS, ...opts };
  if (options.threshold !== undefined && !(options.threshold >= 0)) throw new RangeError(`threshold must be a number >= 0, got ${options.threshold}`);
  if (!(options.minEffect >= 0)) throw new RangeError(`minEffect must be a number >= 0, got ${options.minEffect}`);
  if (!(options.alpha > 0 && options.alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${options.alpha}`);
  if (!(Number.isInteger(options.minSamples) && options.minSamples >= 2)) throw new RangeError(`minSamples must be an integer >= 2, got ${options.minSamples}`);
  const bp = new Map(base.performance.map((p) => [perfKey(p), p]));
  const np = new Map(next.performance.map((p) => [perfKey(p), p]));
  const pairs = [...np].flatMap(([key, p]): [PerformanceResult, PerformanceResult][] => {
    const q = bp.get(key);
    return q ? [[q, p]] : [];
  });
  const threshold = latencyThreshold(pairs, options);
  const out: Comparison = {
    base: ref(base.run),
    next: ref(next.run),
    options,
    threshold,
    regressions: [],
    fixes: [],
    newFailures: [],
    stillFailing: [],
    dropped: [],
    matched: 0,
    perfRegressions: [],
    perfImprovements: [],
    perfUnchanged: [],
    perfNotJudged: [],
    perfMethod: threshold.noise ? PERF_TEST_METHOD_WITH_NOISE : PERF_TEST_METHOD,
    notes: [],
  };
  if (base.schemaVersion !== next.schemaVersion) out.notes.push(`schema versions differ: base ${base.schemaVersion}, new ${next.schemaVersion}`);
  out.notes.push(...machineNotes(out.base, out.next));

  const b = indexCases(base.cases);
  const n = indexCases(next.cases);
  // An engine × scenario that passed cases in base and now fails as a whole (the engine did not
  // start, its setup failed) is a regression, though its failing case is new.
  const passedInBase = new Set(base.cases.filter((c) => c.status === 'pass').map((c) => `${c.engine}\u0000${c.scenario}`));
  for (const [key, nc] of n) {
    const bc = b.get(key);
    if (bc) out.matched++;
    const bs: CaseState = bc?.status ?? 'missing';
    const ns = nc.status;
    if (bs === 'pass' && ns !== 'pass') out.regressions.push(change(key, bc, nc));
    else if (failing(bs) && ns === 'pass') out.fixes.push(change(key, bc, nc));
    else if (bs === 'missing' && failing(ns)) (nc.kind === 'scenario' && passedInBase.has(`${nc.engine}\u0000${nc.scenario}`) ? out.regressions : out.newFailures).push(change(key, bc, nc));
    else if (failing(bs) && failing(ns)) out.stillFailing.push(change(key, bc, nc));
  }
  for (const [key, bc] of b) if (!n.has(key) && bc.status === 'pass') out.dropped.push(change(key, bc, undefined));

  const test = { threshold: threshold.value, alpha: options.alpha, minSamples: options.minSamples, ...(threshold.noise ? { runToRunSd: threshold.noise.sigma } : {}) };
  for (const [key, p] of np) {
    const q = bp.get(key);
    if (!q) {
      out.perfNotJudged.push({
        engine: p.engine,
        scenario: p.scenario,
        kind: p.kind,
        verdict: 'not judged',
        baseP50: Number.NaN,
        nextP50: p.latency.p50,
        baseP99: Number.NaN,
        nextP99: p.latency.p99,
        ratio: Number.NaN,
        baseN: 0,
        nextN: p.samples.length,
        note: 'not in base',
      });
      continue;
    }
    const { method: _method, ...t } = comparePerfSamples(q.samples, p.samples, test);
    const pc: PerfChange = {
      engine: p.engine,
      scenario: p.scenario,
      kind: p.kind,
      baseP50: q.latency.p50,
      nextP50: p.latency.p50,
      baseP99: q.latency.p99,
      nextP99: p.latency.p99,
      ...t,
    };
    ({ regression: out.perfRegressions, improvement: out.perfImprovements, unchanged: out.perfUnchanged, 'not judged': out.perfNotJudged })[t.verdict].push(pc);
  }
  for (const [key, q] of bp) {
    if (np.has(key)) continue;
    out.perfNotJudged.push({
      engine: q.engine,
      scenario: q.scenario,
      kind: q.kind,
      verdict: 'not judged',
      baseP50: q.latency.p50,
      nextP50: Number.NaN,
      baseP99: q.latency.p99,
      nextP99: Number.NaN,
      ratio: Number.NaN,
      baseN: q.samples.length,
      nextN: 0,
      note: 'not in new',
    });
  }
  return out;
}

const isBusy = (r: RunRef) => r.loadAverage !== undefined && r.loadAverage[0] > BUSY_LOAD_PER_CORE * r.cpus;

/** What a reader must know before trusting a latency difference: another machine, a busy one. */
function machineNotes(base: RunRef, next: RunRef): string[] {
  const notes: string[] = [];
  if (base.machine !== next.machine)
    notes.push(`the runs were on different machines or runtimes (base: ${base.machine}; new: ${next.machine}): latency differences may come from the machine`);
  for (const [name, r] of [
    ['base', base],
    ['new', next],
  ] as const) {
    if (r.loadAverage && isBusy(r)) {
      notes.push(`the ${name} run started on a busy machine (load average ${r.loadAverage[0].toFixed(2)} on ${r.cpus} cores): its latencies include waiting for the CPU`);
    }
  }
  if (!base.loadAverage || !next.loadAverage) notes.push('the machine load of one or both runs was not recorded (results from before load averages were recorded)');
  if (base.memoryLatencyNs !== undefined && next.memoryLatencyNs !== undefined) {
    const ratio = next.memoryLatencyNs / base.memoryLatencyNs;
    if (ratio > MEMORY_LATENCY_DIFFERS || ratio < 1 / MEMORY_LATENCY_DIFFERS) {
      notes.push(
        `the machine's memory was ${ratio > 1 ? 'slower' : 'faster'} in the new run (${machineStateText(base)} in base; ${machineStateText(next)} in new): latencies on large stores follow it`,
      );
    }
  }
  return notes;
}

/** Whether nothing changed at all: no case changed status and no latency moved beyond the threshold. */
export function noChange(c: Comparison): boolean {
  return c.regressions.length + c.fixes.length + c.newFailures.length + c.dropped.length + c.perfRegressions.length + c.perfImprovements.length === 0;
}

/** 1 on any correctness regression, or on a significant latency regression when failOnPerf; else 0. */
export function exitCode(c: Comparison, opts: { failOnPerf?: boolean } = {}): 0 | 1 {
  if (c.regressions.length > 0) return 1;
  if ((opts.failOnPerf ?? c.options.failOnPerf) && c.perfRegressions.length > 0) return 1;
  return 0;
}

const cell = (text: string | number | undefined) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const row = (cells: (string | number | undefined)[]) => `| ${cells.map(cell).join(' | ')} |`;
const table = (head: string[], rows: (string | number | undefined)[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const where = (c: CaseChange) => (c.step < 0 ? 'scenario setup' : `steps[${c.step}]${c.item !== undefined ? `[${c.item}]` : ''}${c.name ? ` ${c.name}` : ''}`);
/** A code span, so `<tags>` and `*stars*` in answers show literally in rendered Markdown and in a terminal. */
const code = (text: string | undefined) => (text === undefined || text === '' ? '' : text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);
const pct = (ratio: number) => (Number.isFinite(ratio) ? `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%` : '–');
const interval = (p: PerfChange) => (p.ratioLow !== undefined && p.ratioHigh !== undefined ? `${pct(p.ratioLow)} … ${pct(p.ratioHigh)}` : '–');
const pval = (p: number | undefined) => (p === undefined ? '–' : p < 0.0001 ? '< 0.0001' : p.toFixed(4));
const runLabel = (r: RunRef) => `${r.id} (${r.startedAt}${r.gitCommit ? `, commit ${r.gitCommit}` : ''})`;
const loadText = (r: RunRef) =>
  (r.loadAverage ? `load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' / ')} (1 / 5 / 15 min) at the start` : 'load not recorded') +
  (r.memoryLatencyNs !== undefined ? `, ${machineStateText(r)}` : '');
const signedPct = (logRatio: number) => pct(Math.exp(logRatio));

function caseTable(changes: CaseChange[]): string {
  return table(
    ['engine', 'scenario', 'step', 'base', 'new', 'request', 'expected', 'actual', 'message'],
    changes.map((c) => [c.engine, c.scenario, where(c), c.base, c.next, code(c.request), code(c.expected), code(c.actual), code(c.message)]),
  );
}

function perfTable(changes: PerfChange[]): string {
  return table(
    ['engine', 'scenario', 'p50 base → new', 'p99 base → new', 'change (geo. mean)', 'interval', 'p-value', 'samples'],
    changes.map((p) => [
      p.engine,
      p.scenario,
      `${formatMs(p.baseP50)} → ${formatMs(p.nextP50)}`,
      `${formatMs(p.baseP99)} → ${formatMs(p.nextP99)}`,
      pct(p.ratio),
      interval(p),
      pval(p.pValue),
      `${p.baseN} / ${p.nextN}${p.note ? ` (${p.note})` : ''}`,
    ]),
  );
}

/** The comparison as Markdown (for a terminal, a pull request comment or a CI job summary). */
export function renderComparison(c: Comparison): string {
  const o = c.options;
  const out: string[] = ['# authz-bench comparison', ''];
  out.push(`Base: ${runLabel(c.base)}, on ${c.base.machine}, ${loadText(c.base)}.`, '', `New: ${runLabel(c.next)}, on ${c.next.machine}, ${loadText(c.next)}.`, '');
  const busy = [c.base, c.next].some(isBusy);
  const verdict =
    exitCode(c) === 1
      ? '❌ correctness regressions'
      : c.perfRegressions.length > 0
        ? `⚠️ latency regressions${busy ? ' (on a busy machine: see the notes)' : ''}`
        : noChange(c)
          ? '✅ no change'
          : '✅ no regressions';
  out.push(
    `**${verdict}**: ${c.regressions.length} correctness regression(s), ${c.fixes.length} fix(es), ${c.newFailures.length} new failure(s), ${c.stillFailing.length} still failing, ${c.matched} case(s) matched; ` +
      `${c.perfRegressions.length} latency regression(s), ${c.perfImprovements.length} improvement(s).`,
    '',
  );
  for (const note of c.notes) out.push(`> Note: ${note}`, '');

  out.push('## Correctness regressions', '');
  out.push(c.regressions.length ? caseTable(c.regressions) : 'None: every case that passed in base passes in new.', '');
  if (c.newFailures.length) out.push('## New failures', '', 'Cases not in base that fail or error in new.', '', caseTable(c.newFailures), '');
  if (c.fixes.length) out.push('## Fixes', '', caseTable(c.fixes), '');
  if (c.stillFailing.length) out.push('## Still failing', '', caseTable(c.stillFailing), '');
  if (c.dropped.length) out.push('## No longer run', '', 'Cases that passed in base and are absent from new (not counted as regressions).', '', caseTable(c.dropped), '');

  out.push('## Latency', '');
  const t = c.threshold;
  const noise = t.noise
    ? `Run-to-run noise measured over ${t.noise.series} series: σ ${(t.noise.sigma * 100).toFixed(1)}% (median change ${signedPct(t.noise.median)}); it is added to each series' uncertainty, so a change must stand out from how much series move between two runs of one commit.`
    : `Run-to-run noise not measured (it needs ${MIN_SERIES_FOR_NOISE} series with ${o.minSamples} samples on both sides): the test knows only the within-run variation, which understates the uncertainty between two runs.`;
  out.push(
    `${noise} A change is reported only when the ratio of geometric means is beyond ±${(t.value * 100).toFixed(1)}% (${t.source === 'given' ? 'given with --threshold' : 'the default; set it with --threshold'}) at significance ${o.alpha}, with at least ${o.minSamples} samples on each side. Test: ${c.perfMethod}. ` +
      `The interval is the ${((1 - o.alpha) * 100).toFixed(0)}% confidence interval of the change${t.noise ? ', run-to-run noise included' : ''}.`,
    '',
  );
  out.push('### Regressions', '', c.perfRegressions.length ? perfTable(c.perfRegressions) : 'None.', '');
  out.push('### Improvements', '', c.perfImprovements.length ? perfTable(c.perfImprovements) : 'None.', '');
  if (c.perfUnchanged.length) out.push('### Unchanged within the threshold', '', perfTable(c.perfUnchanged), '');
  if (c.perfNotJudged.length) out.push('### Not judged', '', perfTable(c.perfNotJudged), '');
  out.push(`Exit code: ${exitCode(c)}${o.failOnPerf ? ' (latency regressions fail the comparison)' : ' (latency regressions do not fail the comparison; use --fail-on-perf)'}.`, '');
  return out.join('\n');
}
