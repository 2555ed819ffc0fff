// `authz-bench bench`: micro benchmarks, closed- and open-loop load with trials and
// confidence intervals, the SLO verdict, harness overhead and cost curves.

import type { EngineAdapter, LaunchRequest } from '../core/adapter.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import { sloVerdict } from '../load/slo.ts';
import { runTrials, type LoadSummary } from '../load/trials.ts';
import type { CheckFn } from '../load/types.ts';
import type { BenchSection, EngineRecord, LoadRecord, PerformanceResult } from '../results/types.ts';
import { benchmarkScenario } from '../runner/benchmark.ts';
import { resolveRelationships, resolveRequest } from '../runner/now.ts';
import { errorMessage } from '../core/errors.ts';
import type { Scenario } from '../scenario/types.ts';
import { CURVES, measureCurve } from './curves.ts';

export interface BenchOptions {
  trials: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number[];
  sloMs: number;
  targetRate: number;
  connections: number;
  maxRate: number;
  rmeTarget: number;
  curves: boolean;
  /** Only these cost curves (their `dimension`); all when absent. */
  curveDimensions?: string[];
  curveTimeMs: number;
  maxCurveSize: number;
  /** `--launch` for server engines (default auto). */
  launch?: LaunchRequest['strategy'];
  /** `--set key=value` options, split per engine by the registry. */
  settings?: Record<string, string>;
  log: (m: string) => void;
}

async function prepare(adapter: EngineAdapter, scenario: Scenario): Promise<CheckFn> {
  await adapter.loadModel(scenario.model);
  if (scenario.relationships.length > 0) await adapter.write(resolveRelationships(scenario.relationships));
  const requests = scenario.benchmark.map((r) => resolveRequest(r));
  return async (i) => !(await adapter.check(requests[i % requests.length]!)).error;
}

/** tinybench, doubling its time until the relative margin of error is under the target. */
async function microUntilPrecise(scenario: Scenario, adapter: EngineAdapter, options: BenchOptions): Promise<PerformanceResult | undefined> {
  let result: PerformanceResult | undefined;
  for (let timeMs = 1000; timeMs <= 16_000; timeMs *= 2) {
    result = await benchmarkScenario(scenario, adapter, { timeMs, warmupMs: 500 });
    if (!result || result.latency.rme < options.rmeTarget) break;
  }
  return result;
}

function loadRecord(engine: string, scenario: string, s: LoadSummary, durationMs: number): LoadRecord {
  const method =
    s.mode === 'closed'
      ? `closed loop, ${s.concurrency} clients, ${s.trials.length} trials of ${durationMs} ms after warm-up; HdrHistogram; 95% CI over trials (Student's t)`
      : `open loop at ${s.targetRate}/s over ${s.concurrency} connections, latency from the intended send time (coordinated omission corrected, as wrk2); ${s.trials.length} trials of ${durationMs} ms`;
  const { trials, ...rest } = s;
  return { engine, scenario, ...rest, trials: trials.length, method };
}

/** `baseline`: the engine measures only the harness (the no-op engine): overhead and pacing floor, no SLO or curves. */
export async function benchEngine(adapter: EngineAdapter, record: EngineRecord, scenario: Scenario, options: BenchOptions, section: BenchSection, baseline = false): Promise<void> {
  const log = options.log;
  const engine = record.id;
  if (adapter.embedded && !baseline) {
    const micro = await microUntilPrecise(scenario, adapter, options);
    if (micro) {
      section.micro.push(micro);
      log(`  micro: p50 ${micro.latency.p50.toFixed(4)} ms, mean ${micro.latency.mean.toFixed(4)} ms ± ${micro.latency.rme.toFixed(2)}% (${micro.latency.samples} samples)`);
    }
  }
  const check = await prepare(adapter, scenario);
  for (const concurrency of options.concurrency) {
    const s = await runTrials(options.trials, () => runClosedLoop(check, { concurrency, durationMs: options.durationMs, warmupMs: options.warmupMs }));
    section.load.push(loadRecord(engine, scenario.id, s, options.durationMs));
    log(
      `  closed loop c=${concurrency}: ${s.throughput.mean.toFixed(0)} checks/s ±${s.throughput.margin.toFixed(0)}, p50 ${s.p50.mean.toFixed(3)} ms ±${s.p50.margin.toFixed(3)}, p99 ${s.p99.mean.toFixed(3)} ms ±${s.p99.margin.toFixed(3)}`,
    );
    if (baseline && concurrency === 1) {
      section.overhead = { checksPerSecond: s.throughput, p50: s.p50, p99: s.p99, method: 'no-op engine, closed loop, 1 client: what the harness costs per check' };
    }
  }
  if (baseline) {
    // The open loop's own floor: pacing jitter of the event loop at the target rate.
    const floor = await runTrials(options.trials, () =>
      runOpenLoop(check, { rate: options.targetRate, connections: options.connections, durationMs: options.durationMs, warmupMs: options.warmupMs }),
    );
    section.load.push(loadRecord(engine, scenario.id, floor, options.durationMs));
    if (section.overhead) section.overhead.openLoopP99 = floor.p99;
    log(`  open loop ${options.targetRate}/s (the pacing floor): p50 ${floor.p50.mean.toFixed(4)} ms, p99 ${floor.p99.mean.toFixed(3)} ms ±${floor.p99.margin.toFixed(3)}`);
    return;
  }
  const verdict = await sloVerdict(check, {
    thresholdMs: options.sloMs,
    targetRate: options.targetRate,
    connections: options.connections,
    trials: options.trials,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    maxRate: options.maxRate,
  });
  section.load.push(loadRecord(engine, scenario.id, verdict.atTarget, options.durationMs));
  section.slo.push({
    engine,
    scenario: scenario.id,
    thresholdMs: verdict.thresholdMs,
    targetRate: verdict.targetRate,
    p99: verdict.atTarget.p99,
    pass: verdict.pass,
    ...(verdict.highestPassingRate ? { highestPassingRate: verdict.highestPassingRate } : {}),
    ramp: verdict.ramp,
    method: `open loop, ${options.connections} connections, mean p99 over trials <= ${options.sloMs} ms with no errors and >= 90% of the rate served; the ramp doubles the rate from the target up to ${options.maxRate}/s while it holds, or halves it until it holds`,
  });
  log(
    `  SLO p99 <= ${options.sloMs} ms at ${options.targetRate}/s: ${verdict.pass ? 'PASS' : 'FAIL'} (p99 ${verdict.atTarget.p99.mean.toFixed(3)} ms ±${verdict.atTarget.p99.margin.toFixed(3)}); holds up to ${verdict.highestPassingRate ?? 'none'}/s`,
  );
  if (options.curves) {
    for (const spec of CURVES.filter((c) => !options.curveDimensions || options.curveDimensions.includes(c.dimension))) {
      try {
        const curve = await measureCurve(spec, adapter, { timeMs: options.curveTimeMs, maxSize: options.maxCurveSize, log });
        if (curve) {
          section.curves.push(curve);
          log(`  curve ${spec.dimension}: ${curve.fit?.label ?? 'too few points to fit'}`);
        }
      } catch (error) {
        log(`  curve ${spec.dimension} failed: ${errorMessage(error)}`);
      }
    }
  }
}
