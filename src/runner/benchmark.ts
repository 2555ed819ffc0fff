// The short per-scenario benchmark of `authz-bench run`: one check per iteration, cycling
// through the scenario's benchmark requests, timed by tinybench on a freshly loaded store.

import { Bench } from 'tinybench';
import type { EngineAdapter } from '../core/adapter.ts';
import type { PerformanceResult } from '../results/types.ts';
import type { Scenario } from '../scenario/types.ts';
import { capSamples, fromTinybench } from '../stats/summary.ts';
import { resolveRelationships, resolveRequest } from './now.ts';
import { nativeSpecFor } from './run-scenario.ts';

export interface BenchmarkOptions {
  timeMs: number;
  warmupMs: number;
}

export async function benchmarkScenario(scenario: Scenario, adapter: EngineAdapter, options: BenchmarkOptions): Promise<PerformanceResult | undefined> {
  if (scenario.benchmark.length === 0) return undefined;
  const native = nativeSpecFor(scenario, adapter);
  if (native) await adapter.loadNative!(native);
  else {
    await adapter.loadModel(scenario.model);
    if (scenario.relationships.length > 0) await adapter.write(resolveRelationships(scenario.relationships));
  }
  // Resolved once: the benchmark times the engine, not the harness's `$now` expansion.
  const requests = scenario.benchmark.map((r) => resolveRequest(r));
  let next = 0;
  let errors = 0;
  const bench = new Bench({ time: options.timeMs, warmupTime: options.warmupMs, warmup: true, retainSamples: true, iterations: 32 });
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
  const samples = (result.latency.samples ?? []) as number[];
  return {
    engine: adapter.id,
    scenario: scenario.id,
    kind: 'check',
    unit: 'ms',
    latency: fromTinybench(result.latency),
    errors,
    method: `${native ? 'native policy; ' : ''}tinybench ${options.timeMs} ms after ${options.warmupMs} ms warm-up, 1 sequential client, ${requests.length} distinct requests cycled`,
    samples: capSamples(samples),
    ...(cost && cost.count > 0 ? { clientSide: { label: cost.label, meanMs: cost.totalMs / cost.count } } : {}),
  };
}
