// A whole run: every engine × every scenario, conformance first, then a short benchmark.
// One engine's crash is a result, not the end of the run.

import path from 'node:path';
import type { EngineAdapter } from '../core/adapter.ts';
import type { EngineSpec } from '../engines/registry.ts';
import { SCHEMA_VERSION, type CaseResult, type EngineRecord, type RunResults } from '../results/types.ts';
import { pairKey, ResultsWriter } from '../results/writer.ts';
import type { Scenario } from '../scenario/types.ts';
import { benchmarkScenario } from './benchmark.ts';
import { gitCommit, machine } from './machine.ts';
import { runScenario } from './run-scenario.ts';
import { errorMessage } from '../core/errors.ts';
import { withTimeout } from './timeout.ts';

export interface RunOptions {
  outDir: string;
  benchTimeMs: number;
  warmupMs: number;
  checkTimeoutMs: number;
  command: string;
  /** Continue an interrupted run in outDir: finished engine × scenario pairs are kept. */
  resume?: boolean;
  /** Launch strategy for server engines: auto, local, container or url. */
  launch?: string;
  /** Options for every adapter (`--set key=value`), e.g. OpenFGA's consistency. */
  engineOptions?: Record<string, string>;
  /** Called as each case is recorded (after it is on disk). */
  onCase?: (result: CaseResult) => void;
  log: (message: string) => void;
}

export interface RunOutcome {
  results: RunResults;
  writer: ResultsWriter;
  interrupted: boolean;
}

export async function runAll(specs: EngineSpec[], scenarios: Scenario[], options: RunOptions): Promise<RunOutcome> {
  const writer = new ResultsWriter(options.outDir);
  const results: RunResults = {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: path.basename(options.outDir),
      startedAt: new Date().toISOString(),
      command: options.command,
      gitCommit: gitCommit(),
      ...machine(),
      settings: { benchTimeMs: options.benchTimeMs, warmupMs: options.warmupMs, checkTimeoutMs: options.checkTimeoutMs },
    },
    engines: [],
    scenarios: scenarios.map((s) => ({ id: s.id, title: s.title, tags: s.tags, file: s.file })),
    cases: [],
    performance: [],
  };
  const flush = () => {
    results.run.finishedAt = new Date().toISOString();
    writer.writeResults(results);
  };

  // Ctrl-C or SIGTERM: stop the running engine, keep what was measured.
  let current: EngineAdapter | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    options.log(`\n${signal}: stopping engines and writing what was measured to ${writer.resultsFile}`);
    const stopping = current?.stop().catch(() => undefined) ?? Promise.resolve();
    void stopping.finally(() => {
      flush();
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const addCase = (c: CaseResult) => {
    results.cases.push(c);
    writer.appendCase(c);
    options.onCase?.(c);
  };
  const previous = options.resume ? writer.readPrevious() : { done: new Set<string>(), cases: [] };
  if (options.resume) {
    results.cases.push(...previous.cases);
    writer.rewriteCases(previous.cases);
    options.log(`resuming: ${previous.done.size} engine × scenario pair(s) already done`);
  }

  try {
    for (const spec of specs) {
      if (interrupted) break;
      const adapter = spec.definition.create(spec.configuration);
      const record: EngineRecord = { ...adapter.info(), decisionLog: adapter.capabilities.decisionLog };
      results.engines.push(record);
      options.log(`engine ${spec.text}: starting`);
      try {
        current = adapter;
        await withTimeout(
          adapter.start({
            resultsDir: options.outDir,
            options: { ...options.engineOptions, launch: spec.url ? 'url' : (options.launch ?? 'auto'), ...(spec.url ? { url: spec.url } : {}) },
            log: (m) => options.log(`  ${spec.text}: ${m}`),
          }),
          120_000,
          `${spec.text} start`,
        );
        Object.assign(record, adapter.info());
      } catch (error) {
        record.skipped = `did not start: ${errorMessage(error)}`;
        options.log(`engine ${spec.text}: ${record.skipped}`);
        for (const scenario of scenarios) {
          addCase({ engine: record.id, scenario: scenario.id, step: -1, kind: 'scenario', status: 'error', message: record.skipped });
          writer.markDone(record.id, scenario.id);
        }
        await adapter.stop().catch(() => undefined);
        continue;
      }
      options.log(`engine ${record.id}: ${record.name} ${record.version} (${record.launch})`);
      let engineFailure: string | undefined;
      for (const scenario of scenarios) {
        if (interrupted) break;
        if (previous.done.has(pairKey(record.id, scenario.id))) {
          options.log(`  ${scenario.id.padEnd(36)} done in the interrupted run; kept`);
          continue;
        }
        if (engineFailure) {
          addCase({ engine: record.id, scenario: scenario.id, step: -1, kind: 'scenario', status: 'error', message: `not run: the engine failed earlier (${engineFailure})` });
          writer.markDone(record.id, scenario.id);
          continue;
        }
        const run = await runScenario(scenario, adapter, { checkTimeoutMs: options.checkTimeoutMs, onCase: addCase });
        engineFailure = run.engineFailure;
        if (run.native) record.nativeScenarios = [...(record.nativeScenarios ?? []), scenario.id];
        if (engineFailure) options.log(`  ${record.id} failed: ${engineFailure}; its remaining scenarios are marked`);
        const counts = countStatuses(run.cases);
        options.log(`  ${scenario.id.padEnd(36)} ${formatCounts(counts)}`);
        if (!engineFailure && options.benchTimeMs > 0 && counts.unsupported === 0 && run.cases.every((c) => c.kind !== 'scenario')) {
          try {
            const perf = await benchmarkScenario(scenario, adapter, { timeMs: options.benchTimeMs, warmupMs: options.warmupMs });
            if (perf) {
              results.performance.push(perf);
              options.log(`  ${''.padEnd(36)} p50 ${perf.latency.p50.toFixed(3)} ms, p99 ${perf.latency.p99.toFixed(3)} ms (±${perf.latency.rme.toFixed(1)}%)`);
            }
          } catch (error) {
            options.log(`  ${scenario.id}: benchmark failed: ${errorMessage(error)}`);
          }
        }
        writer.markDone(record.id, scenario.id);
        writer.writeResults(results);
      }
      await adapter.stop().catch((error) => options.log(`engine ${record.id}: stop failed: ${errorMessage(error)}`));
      current = undefined;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  flush();
  return { results, writer, interrupted };
}

export function countStatuses(cases: CaseResult[]): Record<CaseResult['status'], number> {
  const counts = { pass: 0, fail: 0, unsupported: 0, error: 0 };
  for (const c of cases) counts[c.status]++;
  return counts;
}

export function formatCounts(counts: Record<CaseResult['status'], number>): string {
  const total = counts.pass + counts.fail + counts.error;
  const parts = [`${counts.pass}/${total} passed`];
  if (counts.fail) parts.push(`${counts.fail} failed`);
  if (counts.error) parts.push(`${counts.error} errors`);
  if (counts.unsupported) parts.push('unsupported');
  return parts.join(', ');
}
