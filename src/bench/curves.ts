// Cost curves: latency, setup time and memory as one size grows. Each curve sweeps a
// generator parameter of a bundled scenario (or the batch size); at each size every engine is
// loaded and timed in interleaved rounds (src/bench/scale.ts), with at least CURVE_CHECKS
// distinct requests where the generator takes a `checks` parameter.

import path from 'node:path';
import type { EngineAdapter } from '../core/adapter.ts';
import { SCENARIOS_DIR } from '../core/paths.ts';
import type { CostCurve } from '../results/types.ts';
import { resolveRequest } from '../runner/now.ts';
import { bundledScenarioFiles, loadScenarioFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { fitGrowth } from '../stats/growth.ts';
import { formatMs } from '../report/format.ts';
import type { CurveSpec } from './curve-specs.ts';
import { measurePoint, type PointOptions, type PointWork } from './scale.ts';

export async function findScenarioFile(id: string): Promise<string | undefined> {
  return (await bundledScenarioFiles()).find((f) => path.basename(f).replace(/\.ya?ml$/, '') === id);
}

/** What a curve times at a point of size `size`. */
function workOf(spec: CurveSpec, size: number): PointWork {
  return (adapter: EngineAdapter, scenario: Scenario) => {
    if (spec.search) {
      const searches = scenario.steps.flatMap((s) => (s.kind === 'search' ? [s.query] : []));
      if (searches.length === 0 || !adapter.search) return undefined;
      return async (i) => !('error' in (await adapter.search!(searches[i % searches.length]!)));
    }
    const requests = scenario.benchmark.map((r) => resolveRequest(r));
    if (requests.length === 0) return undefined;
    if (!spec.param) return async (i) => (await adapter.checkBatch(Array.from({ length: size }, (_, k) => requests[(i * size + k) % requests.length]!))).every((d) => !d.error);
    return async (i) => !(await adapter.check(requests[i % requests.length]!)).error;
  };
}

export interface CurveOptions extends PointOptions {
  maxSize: number;
}

/** One curve, every engine interleaved at each size; an engine that cannot express the scenario's model (or search) keeps its curve, with the reason at each size. */
export async function measureCurve(spec: CurveSpec, engines: EngineAdapter[], options: CurveOptions): Promise<CostCurve[]> {
  const file = await findScenarioFile(spec.scenario);
  if (!file) {
    options.log(`  curve '${spec.dimension}': no bundled scenario '${spec.scenario}' in ${path.relative(process.cwd(), SCENARIOS_DIR)}; skipped`);
    return [];
  }
  const curves = new Map<EngineAdapter, CostCurve>();
  for (const size of spec.sizes.filter((s) => s * (spec.relationshipsPerStep ?? 1) <= options.maxSize)) {
    const params = { ...spec.fixed, ...(spec.param ? { [spec.param]: size } : {}) };
    const scenario = await loadScenarioFile(file, { generateParams: params });
    const cannot = (e: EngineAdapter) => {
      const reasons = e.unsupported(scenario.model);
      if (reasons.length > 0) return `cannot express the model: ${reasons.join('; ')}`;
      return spec.search && !e.search ? 'has no search' : undefined;
    };
    const able = engines.filter((e) => !cannot(e));
    const x = spec.relationshipsPerStep ? scenario.relationships.length : size;
    const points = await measurePoint(able, { scenario, params }, workOf(spec, size), options);
    const curveOf = (engine: EngineAdapter): CostCurve => {
      const curve = curves.get(engine) ?? { engine: engine.id, dimension: spec.dimension, scenario: spec.scenario, points: [], method: curveMethod(options, scenario) };
      curves.set(engine, curve);
      return curve;
    };
    const notMeasured = (engine: EngineAdapter, reason: string) => {
      const curve = curveOf(engine);
      curve.didNotLoad = [...(curve.didNotLoad ?? []), { size: x, reason }];
      options.log(`  ${spec.dimension} ${x} ${engine.id}: not measured: ${reason}`);
    };
    for (const engine of engines) {
      const reason = cannot(engine);
      if (reason) notMeasured(engine, reason);
    }
    for (const [k, point] of points.entries()) {
      const engine = able[k]!;
      const curve = curveOf(engine);
      if (point.didNotLoad || !point.latency) {
        notMeasured(engine, point.didNotLoad ?? 'nothing to time (the scenario has no requests of this kind)');
        continue;
      }
      if (point.memoryMethod) curve.memoryMethod = point.memoryMethod;
      curve.points.push({
        size: x,
        p50: point.latency.p50.mean,
        p99: point.latency.p99.mean,
        setupMs: point.setupMs ?? 0,
        requests: scenario.benchmark.length,
        ...(point.memoryMiB !== undefined ? { memoryMiB: point.memoryMiB } : {}),
      });
      options.log(
        `  ${spec.dimension} ${x} ${engine.id}: p50 ${formatMs(point.latency.p50.mean)}, p99 ${formatMs(point.latency.p99.mean)}, setup ${Math.round(point.setupMs ?? 0)} ms${point.memoryMiB !== undefined ? `, ${point.memoryMiB.toFixed(0)} MiB` : ''}`,
      );
    }
  }
  return [...curves.values()].map((curve) => {
    const fit = fitGrowth(curve.points.map((p) => ({ size: p.size, value: p.p50 })));
    return fit ? { ...curve, fit } : curve;
  });
}

function curveMethod(options: CurveOptions, scenario: Scenario): string {
  return `at each size every engine loaded (bulk path, budget ${Math.round(options.budget.timeMs / 1000)} s / ${options.budget.memoryMiB} MiB), the harness's heap collected after loading, then closed loop, 1 client, ${options.trials} trials of ${options.durationMs} ms after ${options.warmupMs} ms warm-up in interleaved rounds, ${scenario.benchmark.length} distinct requests cycled; p50/p99 = mean over trials; growth = slope of log(p50) on log(size)`;
}
