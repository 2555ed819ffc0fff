// Cost curves: latency (and memory where the engine reports it) as one size grows. Each
// curve sweeps a generator parameter of a bundled scenario, or the batch size.

import path from 'node:path';
import { Bench } from 'tinybench';
import type { EngineAdapter } from '../core/adapter.ts';
import { SCENARIOS_DIR } from '../core/paths.ts';
import type { CostCurve } from '../results/types.ts';
import { resolveRelationships, resolveRequest } from '../runner/now.ts';
import { bundledScenarioFiles, loadScenarioFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { fitGrowth } from '../stats/growth.ts';

import { CURVES, type CurveSpec } from './curve-specs.ts';

export { CURVES, type CurveSpec };

async function findScenarioFile(id: string): Promise<string | undefined> {
  return (await bundledScenarioFiles()).find((f) => path.basename(f).replace(/\.ya?ml$/, '') === id);
}

async function timeChecks(fn: () => Promise<unknown>, timeMs: number) {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 2), warmup: true, iterations: 16 });
  bench.add('x', fn);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(result.state === 'errored' ? String(result.error) : `benchmark ${result.state}`);
  return result.latency;
}

export interface CurveOptions {
  timeMs: number;
  maxSize: number;
  log: (m: string) => void;
}

export async function measureCurve(spec: CurveSpec, adapter: EngineAdapter, options: CurveOptions): Promise<CostCurve | undefined> {
  const file = await findScenarioFile(spec.scenario);
  if (!file) {
    options.log(`  curve '${spec.dimension}': no bundled scenario '${spec.scenario}' in ${path.relative(process.cwd(), SCENARIOS_DIR)}; skipped`);
    return undefined;
  }
  const points: CostCurve['points'] = [];
  for (const size of spec.sizes.filter((s) => s * (spec.relationshipsPerStep ?? 1) <= options.maxSize)) {
    const scenario: Scenario = spec.param ? await loadScenarioFile(file, { generateParams: { [spec.param]: size } }) : await loadScenarioFile(file);
    if (adapter.unsupported(scenario.model).length > 0) return undefined;
    const setupStart = performance.now();
    await adapter.loadModel(scenario.model);
    const rels = resolveRelationships(scenario.relationships);
    for (let i = 0; i < rels.length; i += 1000) await adapter.write(rels.slice(i, i + 1000));
    const setupMs = performance.now() - setupStart;
    const requests = scenario.benchmark.map((r) => resolveRequest(r));
    const searches = scenario.steps.flatMap((s) => (s.kind === 'search' ? [s.query] : []));
    if (spec.search ? searches.length === 0 || !adapter.search : requests.length === 0) return undefined;
    let next = 0;
    const latency = spec.search
      ? await timeChecks(() => adapter.search!(searches[next++ % searches.length]!), options.timeMs)
      : spec.param
        ? await timeChecks(() => adapter.check(requests[next++ % requests.length]!), options.timeMs)
        : await timeChecks(() => adapter.checkBatch(Array.from({ length: size }, () => requests[next++ % requests.length]!)), options.timeMs);
    const memory = await adapter.memoryBytes?.();
    const x = spec.relationshipsPerStep ? scenario.relationships.length : size;
    points.push({ size: x, p50: latency.p50, p99: latency.p99, setupMs, ...(memory ? { memoryMiB: memory / 2 ** 20 } : {}) });
    options.log(`  ${spec.dimension} ${x}: p50 ${latency.p50.toFixed(3)} ms${memory ? `, ${(memory / 2 ** 20).toFixed(0)} MiB` : ''}`);
  }
  const fit = fitGrowth(points.map((p) => ({ size: p.size, value: p.p50 })));
  return {
    engine: adapter.id,
    dimension: spec.dimension,
    scenario: spec.scenario,
    points,
    ...(fit ? { fit } : {}),
    method: `tinybench ${options.timeMs} ms per size, sequential; growth = slope of log(p50) on log(size)`,
  };
}
