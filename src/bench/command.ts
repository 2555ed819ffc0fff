// Drives `authz-bench bench`: for each engine, a correctness gate on the load scenario,
// then the measurements of run-bench.ts; one results file with a `bench` section.

import path from 'node:path';
import { errorMessage } from '../core/errors.ts';
import { type EngineSpec, settingsFor } from '../engines/registry.ts';
import { type BenchSection, type RunResults, SCHEMA_VERSION } from '../results/types.ts';
import { ResultsWriter } from '../results/writer.ts';
import { InterruptedError, InterruptGuard, withEngine } from '../runner/engine-session.ts';
import { gitCommit, machine } from '../runner/machine.ts';
import { runScenario } from '../runner/run-scenario.ts';
import type { Scenario } from '../scenario/types.ts';
import { type BenchOptions, benchEngine } from './run-bench.ts';
import { sideBySideLines } from './side-by-side.ts';

export async function runBench(specs: EngineSpec[], scenario: Scenario, outDir: string, command: string, options: BenchOptions): Promise<RunResults> {
  const writer = new ResultsWriter(outDir);
  writer.startFresh();
  const section: BenchSection = {
    settings: {
      trials: options.trials,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      concurrency: options.concurrency.join(','),
      sloMs: options.sloMs,
      targetRate: options.targetRate,
      connections: options.connections,
      openLoopPacing: 'timer: sleep to within 1 ms of the intended send time; latency from the earlier of the intended and the actual send',
      maxRate: options.maxRate,
      rmeTargetPercent: options.rmeTarget,
      curves: options.curves ? (options.curveDimensions?.join(', ') ?? 'all') : 'off',
    },
    micro: [],
    load: [],
    slo: [],
    curves: [],
  };
  const results: RunResults = {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: path.basename(outDir),
      startedAt: new Date().toISOString(),
      command,
      gitCommit: gitCommit(),
      ...machine(),
      settings: { benchTimeMs: 0, warmupMs: options.warmupMs, checkTimeoutMs: 10_000 },
    },
    engines: [],
    scenarios: [{ id: scenario.id, title: scenario.title, tags: scenario.tags, file: scenario.file }],
    cases: [],
    performance: [],
    bench: section,
  };
  const settings = settingsFor(specs, options.settings ?? {});
  const guard = new InterruptGuard(() => writer.writeResults(results), options.log);
  try {
    for (const spec of specs) {
      if (guard.interrupted) break;
      options.log(`engine ${spec.id}`);
      const baseline = spec.definition.role === 'baseline';
      const session = { resultsDir: outDir, settings: settings.get(spec) ?? {}, guard, log: options.log, ...(options.launch ? { strategy: options.launch } : {}) };
      const outcome = await withEngine(spec, session, async (adapter, record) => {
        results.engines.push(record);
        try {
          if (!baseline) {
            // Correctness gate: figures of an engine that answers wrong are flagged in the report.
            const gate = await runScenario(scenario, adapter, { onCase: (c) => writer.appendCase(c) });
            results.cases.push(...gate.cases);
            const wrong = gate.cases.filter((c) => c.status !== 'pass').length;
            if (wrong > 0) options.log(`  correctness gate: ${wrong} case(s) not passed; its figures are flagged`);
          }
          await benchEngine(adapter, record, scenario, options, section, baseline);
        } catch (error) {
          record.skipped = errorMessage(error);
          options.log(`  ${spec.id}: ${record.skipped}`);
        }
      });
      if (!outcome.started) {
        results.engines.push(outcome.record);
        options.log(`  ${spec.id}: ${outcome.reason}`);
      }
      results.run.finishedAt = new Date().toISOString();
      writer.writeResults(results);
    }
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
  } finally {
    guard.dispose();
  }
  // The embedded engines side by side, the reference engine the bar (issue 17).
  if (section.micro.length > 1) options.log(['in-process, side by side (micro benchmark p50):', ...sideBySideLines(section.micro).map((l) => `  ${l}`)].join('\n'));
  return results;
}
