// The short per-scenario benchmark of `authz-bench run`: one check per iteration, cycling
// through the scenario's benchmark requests, timed by tinybench on a freshly loaded store.
// `timeChecks` is the timing alone, on a store already loaded (bench's micro phase).

import { Bench } from 'tinybench';
import type { EngineAdapter } from '../core/adapter.ts';
import type { CheckRequest } from '../core/request.ts';
import type { PerformanceResult } from '../results/types.ts';
import type { Scenario } from '../scenario/types.ts';
import { capSamples, fromTinybench } from '../stats/summary.ts';
import { LOAD_DEADLINE_MS, loadScenario } from './load-scenario.ts';
import { resolveRequest } from './now.ts';

export interface BenchmarkOptions {
  timeMs: number;
  warmupMs: number;
}

export interface TimedChecks {
  result: ReturnType<typeof fromTinybench>;
  /** Every sample, in ms. */
  samples: number[];
  errors: number;
  clientSide?: PerformanceResult['clientSide'];
}

/**
 * tinybench over `requests`, cycled, on the loaded store. Bounded by `timeMs` and `warmupMs`:
 * one iteration at least (tinybench's default minimum of 64 iterations, 16 in the warm-up,
 * would let a slow engine run far past the time asked for).
 */
export async function timeChecks(adapter: EngineAdapter, requests: CheckRequest[], options: BenchmarkOptions): Promise<TimedChecks> {
  let next = 0;
  let errors = 0;
  const bench = new Bench({ time: options.timeMs, warmupTime: options.warmupMs, warmup: options.warmupMs > 0, retainSamples: true, iterations: 1, warmupIterations: 1 });
  bench.add('check', async () => {
    const decision = await adapter.check(requests[next++ % requests.length]!);
    if (decision.error) errors++;
  });
  adapter.resetClientSideCost?.();
  await bench.run();
  const cost = adapter.clientSideCost?.();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') {
    throw new Error(result.state === 'errored' ? String(result.error) : `benchmark ${result.state}`);
  }
  return {
    result: fromTinybench(result.latency),
    samples: (result.latency.samples ?? []) as number[],
    errors,
    ...(cost && cost.count > 0 ? { clientSide: { label: cost.label, meanMs: cost.totalMs / cost.count } } : {}),
  };
}

export async function benchmarkScenario(scenario: Scenario, adapter: EngineAdapter, options: BenchmarkOptions): Promise<PerformanceResult | undefined> {
  if (scenario.benchmark.length === 0) return undefined;
  // Settled before the first timed check: an engine still applying the data (OPA polling its bundle) would be timed on the old data.
  const native = (await loadScenario(adapter, scenario, { deadlineMs: LOAD_DEADLINE_MS })) === 'native';
  // Resolved once: the benchmark times the engine, not the harness's `$now` expansion.
  const requests = scenario.benchmark.map((r) => resolveRequest(r));
  const timed = await timeChecks(adapter, requests, options);
  return {
    engine: adapter.id,
    scenario: scenario.id,
    kind: 'check',
    unit: 'ms',
    latency: timed.result,
    errors: timed.errors,
    method: `${native ? 'native policy; ' : ''}tinybench ${options.timeMs} ms after ${options.warmupMs} ms warm-up, 1 sequential client, ${requests.length} distinct requests cycled`,
    samples: capSamples(timed.samples),
    ...(timed.clientSide ? { clientSide: timed.clientSide } : {}),
  };
}
