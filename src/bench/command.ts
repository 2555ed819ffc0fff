// Drives `authz-bench bench`: every engine started together, a correctness gate on the load
// scenario for each, then the measurements of run-bench.ts with the engines interleaved in
// rounds; one results file with a `bench` section.

import path from 'node:path';
import { type EngineSpec, settingsFor } from '../engines/registry.ts';
import { type BenchSection, type RunResults, SCHEMA_VERSION } from '../results/types.ts';
import { ResultsWriter } from '../results/writer.ts';
import { InterruptedError, InterruptGuard, withEngines } from '../runner/engine-session.ts';
import { gitCommit, machine } from '../runner/machine.ts';
import { probeMachine } from '../runner/machine-probe.ts';
import { machineStateText } from '../report/format.ts';
import { runScenario } from '../runner/run-scenario.ts';
import type { Scenario } from '../scenario/types.ts';
import { type BenchOptions, benchEngines, IN_PROCESS_ONE_CLIENT } from './run-bench.ts';
import { describeBudget } from './scale-load.ts';
import { sideBySideLines } from './side-by-side.ts';

/** Check steps the correctness gate runs at most (the first ones): on a large generated scenario a slow engine would spend minutes here. */
export const GATE_CHECKS = 100;

/** The gate's scenario: the first GATE_CHECKS steps when every step is a check, else the whole scenario. */
function gateScenario(scenario: Scenario): Scenario {
  if (scenario.steps.length <= GATE_CHECKS || !scenario.steps.every((s) => s.kind === 'check')) return scenario;
  return { ...scenario, steps: scenario.steps.slice(0, GATE_CHECKS) };
}

export async function runBench(specs: EngineSpec[], scenario: Scenario, outDir: string, command: string, options: BenchOptions): Promise<RunResults> {
  // Bad --set values are refused before the results folder is made, as in a run.
  const settings = settingsFor(specs, options.settings ?? {});
  const writer = new ResultsWriter(outDir);
  writer.startFresh();
  const gate = gateScenario(scenario);
  const probe = probeMachine();
  options.log(`machine: ${machineStateText(probe)}`);
  const section: BenchSection = {
    settings: {
      trials: options.trials,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      concurrency: `${options.concurrency.join(',')} (server engines; in-process engines 1)`,
      sloMs: options.sloMs,
      targetRate: options.targetRate,
      connections: options.connections,
      openLoopPacing: 'timer: sleep to within 1 ms of the intended send time; latency from the earlier of the intended and the actual send',
      maxRate: options.maxRate,
      rmeTargetPercent: options.rmeTarget,
      order: 'engines interleaved in rounds (A B C, A B C, ...), one trial each per round',
      histogram: 'HdrHistogram, nanosecond unit, 3 significant digits',
      loadBudget: describeBudget(options.budget),
      correctnessGate: gate === scenario ? 'every step' : `the first ${GATE_CHECKS} of ${scenario.steps.length} checks`,
      curves: options.curves ? (options.curveDimensions?.join(', ') ?? 'all') : 'off',
      ...(options.scaleSizes ? { scale: options.scaleSizes.join(',') } : {}),
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
      ...probe,
      settings: { benchTimeMs: 0, warmupMs: options.warmupMs, checkTimeoutMs: 10_000 },
    },
    engines: [],
    scenarios: [{ id: scenario.id, title: scenario.title, tags: scenario.tags, file: scenario.file }],
    cases: [],
    performance: [],
    bench: section,
  };
  const guard = new InterruptGuard(() => writer.writeResults(results), options.log);
  try {
    const session = (spec: EngineSpec) => ({ resultsDir: outDir, settings: settings.get(spec) ?? {}, guard, log: options.log, ...(options.launch ? { strategy: options.launch } : {}) });
    await withEngines(specs, session, async (started, failed) => {
      for (const outcome of failed) options.log(`  ${outcome.record.id}: ${outcome.started ? '' : outcome.reason}`);
      results.engines.push(...started.map((s) => s.record), ...failed.map((f) => f.record));
      const engines = started.map(({ spec, engine, record }) => ({ adapter: engine, record, baseline: spec.definition.role === 'baseline' }));
      for (const e of engines) if (e.adapter.embedded && !e.baseline) e.record.settings = { ...e.record.settings, clients: IN_PROCESS_ONE_CLIENT };
      if (!options.scaleSizes) {
        for (const e of engines.filter((x) => !x.baseline)) {
          // Correctness gate: figures of an engine that answers wrong are flagged in the report.
          options.log(`engine ${e.record.id}: correctness gate`);
          const run = await runScenario(gate, e.adapter, { onCase: (c) => writer.appendCase(c) });
          results.cases.push(...run.cases);
          const wrong = run.cases.filter((c) => c.status !== 'pass').length;
          if (wrong > 0) options.log(`  correctness gate: ${wrong} case(s) not passed; its figures are flagged`);
        }
      }
      await benchEngines(engines, scenario, options, section);
    });
    results.run.finishedAt = new Date().toISOString();
    writer.writeResults(results);
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
  } finally {
    guard.dispose();
  }
  // The embedded engines side by side, the reference engine the bar.
  if (section.micro.length > 1) options.log(['in-process, side by side (micro benchmark p50):', ...sideBySideLines(section.micro).map((l) => `  ${l}`)].join('\n'));
  return results;
}
