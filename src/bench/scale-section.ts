// `bench --scale 100000,1000000`: every engine on the Drive-like dataset at each size, for
// the published scale section (results/published/scale/). An engine that cannot load a size
// within the budget keeps its row, with the reason.

import type { EngineAdapter } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';
import { formatMs, oneTrialNote, withMargin } from '../report/format.ts';
import type { ScaleRecord } from '../results/types.ts';
import { resolveRequest } from '../runner/now.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { CURVE_CHECKS, SCALE_SCENARIO } from './curve-specs.ts';
import { findScenarioFile } from './curves.ts';
import { measurePoint, type PointOptions } from './scale.ts';
import { describeBudget } from './scale-load.ts';

export async function measureScale(engines: EngineAdapter[], sizes: number[], options: PointOptions): Promise<ScaleRecord[]> {
  const file = await findScenarioFile(SCALE_SCENARIO);
  if (!file) throw new InputError('--scale', SCALE_SCENARIO, 'the Drive-like scenario is not bundled here', 'update authz-bench (scenarios/scale/scale-drive.yaml)');
  const records: ScaleRecord[] = [];
  for (const size of sizes) {
    const params = { relationships: size, checks: CURVE_CHECKS };
    options.log(`scale: ${SCALE_SCENARIO} at ${size.toLocaleString('en')} relationships`);
    const scenario = await loadScenarioFile(file, { generateParams: params });
    const able = engines.filter((e) => e.unsupported(scenario.model).length === 0);
    const method = `${SCALE_SCENARIO} (${JSON.stringify(params)}, seed from the file); loaded through each engine's bulk path within ${describeBudget(options.budget)}; the harness's heap collected after loading; closed loop, 1 client, ${options.trials} trials of ${options.durationMs} ms after ${options.warmupMs} ms warm-up, engines in interleaved rounds; 95% CI over trials (Student's t)`;
    const points = await measurePoint(
      able,
      { scenario, params },
      (adapter, s) => {
        const requests = s.benchmark.map((r) => resolveRequest(r));
        return async (i) => !(await adapter.check(requests[i % requests.length]!)).error;
      },
      { ...options, lastPoint: size === sizes.at(-1) },
    );
    for (const point of points) {
      const record: ScaleRecord = { engine: point.engine, scenario: SCALE_SCENARIO, relationships: scenario.relationships.length, requests: scenario.benchmark.length, method };
      if (point.setupMs !== undefined) record.setupMs = point.setupMs;
      if (point.memoryMiB !== undefined)
        Object.assign(record, { memoryMiB: point.memoryMiB, memoryMethod: point.memoryMethod, ...(point.memoryNote ? { memoryNote: point.memoryNote } : {}) });
      if (point.latency) Object.assign(record, { p50: point.latency.p50, p99: point.latency.p99, checks: point.latency.trials.reduce((a, t) => a + t.latency.count, 0) });
      if (point.didNotLoad) record.didNotLoad = point.didNotLoad;
      records.push(record);
      options.log(
        point.didNotLoad
          ? `  ${point.engine}: did not load: ${point.didNotLoad}`
          : `  ${point.engine}: p50 ${withMargin(record.p50)}${oneTrialNote(record.p50?.n ?? 0)}, p99 ${formatMs(record.p99?.mean)}, setup ${Math.round(record.setupMs ?? 0)} ms${record.memoryMiB !== undefined ? `, ${record.memoryMiB.toFixed(0)} MiB` : ''}`,
      );
    }
    for (const engine of engines.filter((e) => !able.includes(e))) {
      records.push({
        engine: engine.id,
        scenario: SCALE_SCENARIO,
        relationships: scenario.relationships.length,
        requests: scenario.benchmark.length,
        didNotLoad: `cannot express the model: ${engine.unsupported(scenario.model).join('; ')}`,
        method,
      });
    }
  }
  return records;
}
