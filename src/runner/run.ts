// A whole run: every engine × every scenario, conformance first, then a short benchmark.
// One engine's crash is a result, not the end of the run.

import path from 'node:path';
import type { EngineAdapter, LaunchRequest } from '../core/adapter.ts';
import { errorMessage } from '../core/errors.ts';
import { type EngineSpec, settingsFor } from '../engines/registry.ts';
import { type CaseResult, type EngineRecord, type RunResults, SCHEMA_VERSION } from '../results/types.ts';
import { pairKey, ResultsWriter } from '../results/writer.ts';
import type { Scenario } from '../scenario/types.ts';
import { benchmarkScenario } from './benchmark.ts';
import { measureColdStart } from './cold-start.ts';
import { InterruptedError, InterruptGuard, runContext, withEngine } from './engine-session.ts';
import { gitCommit, machine } from './machine.ts';
import { Progress } from './progress.ts';
import { runScenario } from './run-scenario.ts';

export interface RunOptions {
  outDir: string;
  benchTimeMs: number;
  warmupMs: number;
  checkTimeoutMs: number;
  command: string;
  /** Continue an interrupted run in outDir: finished engine × scenario pairs are kept. */
  resume?: boolean;
  /** Launch strategy for server engines: auto, local, container or url. */
  launch?: LaunchRequest['strategy'];
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
  // Bad --set values are refused before the results folder is made: no empty run folder stays behind.
  const settings = settingsFor(specs, options.engineOptions ?? {});
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
  const guard = new InterruptGuard(() => {
    options.log(`writing what was measured to ${writer.resultsFile}`);
    flush();
  }, options.log);

  const addCase = (c: CaseResult) => {
    // After Ctrl-C, what an engine answers while being stopped is not a result.
    if (guard.interrupted) return;
    results.cases.push(c);
    writer.appendCase(c);
    options.onCase?.(c);
  };
  const previous = options.resume ? writer.readPrevious() : { done: new Set<string>(), incomplete: 0, cases: [], performance: [] };
  if (!options.resume) writer.startFresh();
  if (options.resume) {
    results.cases.push(...previous.cases);
    results.performance.push(...previous.performance);
    writer.rewriteCases(previous.cases);
    options.log(
      `resuming: ${previous.done.size} engine × scenario pair(s) already done${previous.incomplete > 0 ? `; ${previous.incomplete} marked done but with cases missing from cases.jsonl, run again` : ''}`,
    );
  }

  const progress = new Progress(specs.length * scenarios.length);
  try {
    for (const [index, spec] of specs.entries()) {
      if (guard.interrupted) break;
      options.log(`engine ${spec.id}: starting (${index + 1}/${specs.length}${progress.eta()})`);
      const session = { resultsDir: options.outDir, settings: settings.get(spec) ?? {}, guard, log: options.log, ...(options.launch ? { strategy: options.launch } : {}) };
      const outcome = await withEngine(spec, session, async (engine, record) => {
        results.engines.push(record);
        options.log(`engine ${record.id}: ${record.name} ${record.version} (${record.launch})`);
        await runScenarios(engine, record);
        await measureColdStarts(engine, spec, session);
      });
      if (!outcome.started) {
        results.engines.push(outcome.record);
        options.log(`engine ${spec.id}: ${outcome.reason}`);
        for (const scenario of scenarios) {
          addCase({ engine: spec.id, scenario: scenario.id, step: -1, kind: 'scenario', status: 'error', message: outcome.reason });
          writer.markDone(spec.id, scenario.id);
          progress.skip();
        }
      }
    }
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
  } finally {
    guard.dispose();
  }

  async function runScenarios(adapter: EngineAdapter, record: EngineRecord): Promise<void> {
    let engineFailure: string | undefined;
    for (const scenario of scenarios) {
      if (guard.interrupted) break;
      if (previous.done.has(pairKey(record.id, scenario.id))) {
        progress.skip();
        options.log(`  ${scenario.id.padEnd(36)} done in the interrupted run; kept`);
        continue;
      }
      if (engineFailure) {
        addCase({ engine: record.id, scenario: scenario.id, step: -1, kind: 'scenario', status: 'error', message: `not run: the engine failed earlier (${engineFailure})` });
        writer.markDone(record.id, scenario.id);
        progress.skip();
        continue;
      }
      const run = await runScenario(scenario, adapter, { checkTimeoutMs: options.checkTimeoutMs, onCase: addCase });
      // Interrupted mid-scenario: not done, so --resume runs it again.
      if (guard.interrupted) break;
      engineFailure = run.engineFailure;
      if (run.native) record.nativeScenarios = [...(record.nativeScenarios ?? []), scenario.id];
      if (engineFailure) options.log(`  ${record.id} failed: ${engineFailure}; its remaining scenarios are marked`);
      const counts = countStatuses(run.cases);
      options.log(`  ${scenario.id.padEnd(36)} ${formatCounts(counts)}`);
      if (!engineFailure && options.benchTimeMs > 0 && counts.unsupported === 0 && run.cases.every((c) => c.kind !== 'scenario')) {
        try {
          const perf = await benchmarkScenario(scenario, adapter, { timeMs: options.benchTimeMs, warmupMs: options.warmupMs });
          // Interrupted meanwhile: the engine was stopped under the benchmark; nothing more is recorded.
          if (guard.interrupted) break;
          if (perf && perf.errors > 0) {
            options.log(`  ${''.padEnd(36)} benchmark not recorded: ${perf.errors} of its checks answered with an error`);
          } else if (perf) {
            results.performance.push(perf);
            options.log(
              `  ${''.padEnd(36)} p50 ${perf.latency.p50.toFixed(3)} ms, p99 ${perf.latency.p99.toFixed(3)} ms, mean ${perf.latency.mean.toFixed(3)} ms ±${perf.latency.rme.toFixed(1)}%`,
            );
          }
        } catch (error) {
          options.log(`  ${scenario.id}: benchmark failed: ${errorMessage(error)}`);
        }
      }
      if (guard.interrupted) break;
      writer.markDone(record.id, scenario.id);
      writer.writeResults(results);
      progress.done();
    }
  }
  /** Cold vs warm for the scenarios that ask for it, after the engine's other scenarios: a failed restart loses nothing else. */
  async function measureColdStarts(adapter: EngineAdapter, spec: EngineSpec, session: Parameters<typeof runContext>[1]): Promise<void> {
    const ran = (id: string) => results.cases.some((c) => c.engine === adapter.id && c.scenario === id && c.kind !== 'scenario');
    for (const scenario of scenarios.filter((s) => s.coldStart && ran(s.id))) {
      if (guard.interrupted) return;
      const restart = spec.url
        ? undefined
        : async () => {
            await adapter.stop();
            await adapter.start(runContext(spec, session));
          };
      const record = await measureColdStart(scenario, adapter, restart, 'reached by URL: not ours to restart');
      if (guard.interrupted) return;
      results.coldStarts = [...(results.coldStarts ?? []), record];
      options.log(
        `  ${scenario.id.padEnd(36)} cold start: ${record.error ?? `first check ${record.afterLoadMs?.toFixed(2)} ms after a load, ${record.afterRestartMs?.toFixed(2) ?? '–'} ms after a restart; steady p50 ${record.warmP50Ms?.toFixed(3)} ms`}`,
      );
      writer.writeResults(results);
    }
  }
  flush();
  return { results, writer, interrupted: guard.interrupted };
}

export function countStatuses(cases: CaseResult[]): Record<CaseResult['status'], number> {
  const counts = { pass: 0, fail: 0, unsupported: 0, error: 0 };
  for (const c of cases) counts[c.status]++;
  return counts;
}

export function formatCounts(counts: Record<CaseResult['status'], number>): string {
  const total = counts.pass + counts.fail + counts.error;
  const parts = [`${counts.pass}/${total} cases passed`];
  if (counts.fail) parts.push(`${counts.fail} failed`);
  if (counts.error) parts.push(`${counts.error} errors`);
  if (counts.unsupported) parts.push('unsupported');
  return parts.join(', ');
}
