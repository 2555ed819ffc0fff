// `authz-bench bench`: micro benchmarks, closed- and open-loop load with trials and
// confidence intervals, the SLO verdict, harness overhead and cost curves. Every timed phase
// runs the engines in interleaved rounds (rounds.ts), so load drift hits all alike.

import type { EngineAdapter, LaunchRequest } from '../core/adapter.ts';
import type { CheckRequest } from '../core/request.ts';
import { errorMessage } from '../core/errors.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import { DEFAULT_RATE_TOLERANCE, RateSearch, type RampStep, rateVerdict, shownRate, trialHolds } from '../load/slo.ts';
import { runTrials, summariseTrials, type LoadSummary } from '../load/trials.ts';
import type { CheckFn, LoadTrial } from '../load/types.ts';
import { formatMs, oneTrialNote, withMargin } from '../report/format.ts';
import type { BenchSection, EngineRecord, LoadRecord } from '../results/types.ts';
import { timeChecks } from '../runner/benchmark.ts';
import { resolveRelationships, resolveRequest } from '../runner/now.ts';
import type { Scenario } from '../scenario/types.ts';
import { capSamples, fromSamples } from '../stats/summary.ts';
import { CURVES, resolveCurve } from './curve-specs.ts';
import { measureCurve } from './curves.ts';
import { inRounds } from './rounds.ts';
import { type LoadBudget, loadWithinBudget } from './scale-load.ts';
import { measureScale } from './scale-section.ts';

export interface BenchOptions {
  trials: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number[];
  sloMs: number;
  targetRate: number;
  connections: number;
  maxRate: number;
  /** Bisection of the SLO search stops at lowest failing / highest passing ≤ this. */
  rateTolerance?: number;
  rmeTarget: number;
  curves: boolean;
  /** Only these cost curves (their `dimension`); all when absent. */
  curveDimensions?: string[];
  curveTimeMs: number;
  maxCurveSize: number;
  /** `--scale`: only the scale section, at these relationship counts. */
  scaleSizes?: number[];
  budget: LoadBudget;
  /** `--launch` for server engines (default auto). */
  launch?: LaunchRequest['strategy'];
  /** `--set key=value` options, split per engine by the registry. */
  settings?: Record<string, string>;
  log: (m: string) => void;
}

/** An engine started for the bench: `baseline` measures only the harness (the no-op engine). */
export interface BenchEngine {
  adapter: EngineAdapter;
  record: EngineRecord;
  baseline: boolean;
}

interface Loaded extends BenchEngine {
  check: CheckFn;
  requests: CheckRequest[];
}

export const IN_PROCESS_ONE_CLIENT = 'in-process engine: one client only (its checks run on the harness thread, so more clients would measure queueing, not the engine)';

const allowsClients = (e: BenchEngine, clients: number) => clients === 1 || !e.adapter.embedded;

function loadRecord(engine: string, scenario: string, s: LoadSummary, durationMs: number, note?: string): LoadRecord {
  const method =
    s.mode === 'closed'
      ? `closed loop, ${s.concurrency} client${s.concurrency === 1 ? '' : 's'}, ${s.trials.length} trials of ${durationMs} ms after warm-up, engines in interleaved rounds; HdrHistogram (ns); 95% CI over trials (Student's t)${note ? `; ${note}` : ''}`
      : `open loop at ${s.targetRate}/s over ${s.concurrency} connections, latency from the intended send time (coordinated omission corrected, as wrk2); ${s.trials.length} trials of ${durationMs} ms`;
  const { trials, ...rest } = s;
  return { engine, scenario, ...rest, trials: trials.length, method };
}

const loopLine = (s: LoadSummary) => `${withMargin(s.throughput, (x) => x.toFixed(0))} checks/s, p50 ${withMargin(s.p50)}, p99 ${withMargin(s.p99)}${oneTrialNote(s.trials.length)}`;

/** Loads the scenario into each engine through its bulk path; an engine over the budget is reported and left out of the timing. */
async function loadAll(engines: BenchEngine[], scenario: Scenario, options: BenchOptions): Promise<Loaded[]> {
  const relationships = resolveRelationships(scenario.relationships);
  const requests = scenario.benchmark.map((r) => resolveRequest(r));
  const loaded: Loaded[] = [];
  for (const e of engines) {
    const outcome = await loadWithinBudget(e.adapter, scenario.model, relationships, options.budget);
    if (!outcome.loaded) {
      e.record.skipped = `did not load ${relationships.length} relationships: ${outcome.reason}`;
      options.log(`  ${e.record.id}: ${e.record.skipped}`);
      continue;
    }
    options.log(`  ${e.record.id}: loaded ${relationships.length.toLocaleString('en')} relationships in ${Math.round(outcome.setupMs)} ms`);
    const adapter = e.adapter;
    loaded.push({ ...e, requests, check: async (i) => !(await adapter.check(requests[i % requests.length]!)).error });
  }
  return loaded;
}

/** tinybench per embedded engine, bounded by --duration and --warmup, once per round; the rounds' samples pooled. */
async function micro(engines: Loaded[], scenario: Scenario, options: BenchOptions, section: BenchSection): Promise<void> {
  const embedded = engines.filter((e) => e.adapter.embedded && !e.baseline);
  const rounds = await inRounds(embedded, options.trials, (e) => timeChecks(e.adapter, e.requests, { timeMs: options.durationMs, warmupMs: options.warmupMs }));
  for (const e of embedded) {
    const timed = rounds.get(e)!;
    const samples = timed.flatMap((t) => t.samples);
    const latency = fromSamples(samples);
    const met = latency.rme < options.rmeTarget;
    // Every round's client-side cost, not the last one's (each round resets the adapter's counter).
    const costs = timed.flatMap((t) => (t.clientSide ? [t.clientSide] : []));
    const clientSide = costs.length > 0 ? { label: costs[0]!.label, meanMs: costs.reduce((a, c) => a + c.meanMs, 0) / costs.length } : undefined;
    section.micro.push({
      engine: e.record.id,
      scenario: scenario.id,
      kind: 'check',
      unit: 'ms',
      latency,
      errors: timed.reduce((a, t) => a + t.errors, 0),
      method: `tinybench, ${options.trials} rounds (engines interleaved) of ${options.durationMs} ms after ${options.warmupMs} ms warm-up, samples pooled; time cap ${options.trials * (options.durationMs + options.warmupMs)} ms; rme ${latency.rme.toFixed(2)}% (target ${options.rmeTarget}%: ${met ? 'met' : 'not met within the time cap'}); 1 sequential client, ${e.requests.length} distinct requests cycled`,
      samples: capSamples(samples),
      ...(clientSide ? { clientSide } : {}),
    });
    options.log(
      `  micro ${e.record.id}: p50 ${formatMs(latency.p50)}, p99 ${formatMs(latency.p99)}, mean ${formatMs(latency.mean)} ± ${latency.rme.toFixed(2)}% (${latency.samples} samples)`,
    );
  }
}

async function closedLoops(engines: Loaded[], scenario: Scenario, options: BenchOptions, section: BenchSection): Promise<void> {
  for (const clients of options.concurrency) {
    const participants = engines.filter((e) => allowsClients(e, clients));
    const left = engines.filter((x) => !allowsClients(x, clients)).map((e) => e.record.id);
    if (left.length > 0) options.log(`  closed loop c=${clients}: ${left.join(', ')} not measured (${IN_PROCESS_ONE_CLIENT})`);
    if (participants.length === 0) continue;
    const trials = await inRounds(participants, options.trials, (e) => runClosedLoop(e.check, { concurrency: clients, durationMs: options.durationMs, warmupMs: options.warmupMs }));
    for (const e of participants) {
      const s = summariseTrials(trials.get(e)!);
      section.load.push(loadRecord(e.record.id, scenario.id, s, options.durationMs, e.adapter.embedded ? IN_PROCESS_ONE_CLIENT : undefined));
      options.log(`  closed loop c=${clients} ${e.record.id}: ${loopLine(s)}`);
      if (e.baseline && clients === 1)
        section.overhead = { checksPerSecond: s.throughput, p50: s.p50, p99: s.p99, method: 'no-op engine, closed loop, 1 client: what the harness costs per check' };
    }
  }
}

/** The SLO searches of every engine stepped together: each step, one trial per engine per round at that engine's next rate. */
async function sloVerdicts(engines: Loaded[], scenario: Scenario, options: BenchOptions, section: BenchSection): Promise<void> {
  const tolerance = options.rateTolerance ?? DEFAULT_RATE_TOLERANCE;
  const searches = engines.map((e) => ({
    e,
    search: new RateSearch({ start: options.targetRate, maxRate: options.maxRate, minRate: options.targetRate / 64, tolerance }),
    ramp: [] as RampStep[],
    atTarget: undefined as LoadSummary | undefined,
  }));
  // Trials so far at each search's current rate (more are run while its trials disagree).
  const sofar = new Map<(typeof searches)[number], LoadTrial[]>();
  for (let active = searches; active.length > 0; active = searches.filter((s) => s.search.next() !== undefined)) {
    const trials = await inRounds(active, options.trials, (s) =>
      runOpenLoop(s.e.check, { rate: s.search.next()!, connections: options.connections, durationMs: options.durationMs, warmupMs: options.warmupMs }),
    );
    for (const s of active) {
      const rate = s.search.next()!;
      const all = [...(sofar.get(s) ?? []), ...trials.get(s)!];
      const verdict = rateVerdict(all, rate, options.sloMs, options.trials);
      if (verdict === 'undecided') {
        sofar.set(s, all);
        continue;
      }
      sofar.delete(s);
      const summary = summariseTrials(all);
      if (rate === options.targetRate) s.atTarget = summary;
      const held = all.filter((t) => trialHolds(t, rate, options.sloMs)).length;
      s.ramp.push({ rate: shownRate(rate), p99: summary.p99.mean, throughput: summary.throughput.mean, pass: verdict === 'holds', held, trials: all.length });
      s.search.observe(rate, verdict === 'holds');
    }
  }
  for (const { e, search, ramp, atTarget } of searches) {
    const pass = ramp[0]!.pass;
    section.load.push(loadRecord(e.record.id, scenario.id, atTarget!, options.durationMs));
    section.slo.push({
      engine: e.record.id,
      scenario: scenario.id,
      thresholdMs: options.sloMs,
      targetRate: options.targetRate,
      p99: atTarget!.p99,
      pass,
      ...(search.highestPassing !== undefined ? { highestPassingRate: shownRate(search.highestPassing) } : {}),
      ...(search.lowestFailing !== undefined ? { lowestFailingRate: shownRate(search.lowestFailing) } : {}),
      ramp,
      method: `open loop, ${options.connections} connections, ${options.trials} trials per rate (engines in interleaved rounds); a rate holds when a majority of its trials (run as many again while they disagree) each have p99 <= ${options.sloMs} ms, no errors and >= 90% of the rate served; the highest rate that holds is searched on the grid ${options.targetRate} × 2^(k/2^m) up to ${options.maxRate}/s: doubling (or halving) from the target, then bisection until lowest failing / highest passing <= ${tolerance}`,
    });
    const bracket = search.lowestFailing !== undefined ? `, fails at ${shownRate(search.lowestFailing)}/s` : '';
    options.log(
      `  SLO ${e.record.id}: p99 <= ${options.sloMs} ms at ${options.targetRate}/s: ${pass ? 'PASS' : 'FAIL'} (p99 ${withMargin(atTarget!.p99)}${oneTrialNote(atTarget!.p99.n)}); holds up to ${search.highestPassing !== undefined ? `${shownRate(search.highestPassing)}/s` : 'none'}${bracket}`,
    );
  }
}

/** Every measurement of the bench on the started engines; the baseline (no-op) gives the harness overhead and the pacing floor. */
export async function benchEngines(engines: BenchEngine[], scenario: Scenario, options: BenchOptions, section: BenchSection): Promise<void> {
  const measured = engines.filter((e) => !e.baseline);
  if (options.scaleSizes) {
    section.scale = await measureScale(
      measured.map((e) => e.adapter),
      options.scaleSizes,
      { trials: options.trials, durationMs: options.durationMs, warmupMs: options.warmupMs, budget: options.budget, memory: true, log: options.log },
    );
    return;
  }
  const loaded = await loadAll(engines, scenario, options);
  await micro(loaded, scenario, options, section);
  await closedLoops(loaded, scenario, options, section);
  const baseline = loaded.find((e) => e.baseline);
  if (baseline) {
    // The open loop's own floor: pacing jitter of the event loop at the target rate.
    const floor = await runTrials(options.trials, () =>
      runOpenLoop(baseline.check, { rate: options.targetRate, connections: options.connections, durationMs: options.durationMs, warmupMs: options.warmupMs }),
    );
    section.load.push(loadRecord(baseline.record.id, scenario.id, floor, options.durationMs));
    if (section.overhead) section.overhead.openLoopP99 = floor.p99;
    options.log(`  open loop ${options.targetRate}/s (the pacing floor): p50 ${formatMs(floor.p50.mean)}, p99 ${withMargin(floor.p99)}${oneTrialNote(floor.trials.length)}`);
  }
  await sloVerdicts(
    loaded.filter((e) => !e.baseline),
    scenario,
    options,
    section,
  );
  if (!options.curves) return;
  const curveEngines = loaded.filter((e) => !e.baseline).map((e) => e.adapter);
  for (const name of options.curveDimensions ?? CURVES.map((c) => c.dimension)) {
    const spec = resolveCurve(name);
    try {
      const curves = await measureCurve(spec, curveEngines, {
        trials: options.trials,
        durationMs: options.curveTimeMs,
        warmupMs: Math.min(options.warmupMs, options.curveTimeMs),
        budget: options.budget,
        memory: true,
        maxSize: options.maxCurveSize,
        log: options.log,
      });
      section.curves.push(...curves);
      for (const c of curves) options.log(`  curve ${spec.dimension} ${c.engine}: ${c.fit?.label ?? 'too few points to fit'}`);
    } catch (error) {
      options.log(`  curve ${spec.dimension} failed: ${errorMessage(error)}`);
    }
  }
}
