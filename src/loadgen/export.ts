// `authz-bench export <generator>`: the scenario's benchmark requests (the mix `bench` cycles
// through) as the generator's targets for an engine reached by URL, the engine's HTTP request
// for each check coming from its adapter (httpCheck), with a run script for one machine, a
// README for N machines and the plan import-load reads back.

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EngineAdapter, HttpCheck } from '../core/adapter.ts';
import { errorMessage, InputError } from '../core/errors.ts';
import { envPrefix } from '../engines/launch.ts';
import type { EngineSpec } from '../engines/registry.ts';
import { writeAtomically } from '../results/writer.ts';
import { withEngine } from '../runner/engine-session.ts';
import { hasNow, resolveRelationships, resolveRequest } from '../runner/now.ts';
import type { Scenario } from '../scenario/types.ts';
import type { LoadGenerator, LoadPlan } from './generator.ts';
import { PLAN_FILE } from './import.ts';
import { exportReadme } from './readme.ts';

export interface ExportOptions {
  outDir: string;
  machines: number;
  /** Checks per second over all machines; each machine sends rate / machines. */
  rate: number;
  trials: number;
  warmupMs: number;
  durationMs: number;
  sloMs: number;
  /** Load the scenario's model and relationships into the engine first (a test deployment, never production). */
  load: boolean;
  command: string;
  log: (message: string) => void;
}

/** The engine's HTTP request for every request of the mix, or an input error naming the engine that has none. */
export function httpChecks(engine: EngineAdapter, scenario: Scenario, now: number): HttpCheck[] {
  return scenario.benchmark.map((request) => {
    const check = engine.httpCheck(resolveRequest(request, now));
    if (!check) {
      throw new InputError(
        '--engine',
        engine.id,
        `its adapter gives no HTTP request for a check (httpCheck), so an external generator cannot send its checks`,
        `use an engine whose adapter implements httpCheck (see docs/benchmarking.md), or add it to the adapter in adapters/${engine.definitionId}/`,
      );
    }
    return check;
  });
}

export async function exportLoad(generator: LoadGenerator, spec: EngineSpec, scenario: Scenario, options: ExportOptions): Promise<LoadPlan> {
  if (spec.definition.install.kind === 'embedded')
    throw new InputError(
      '--engine',
      spec.text,
      `${spec.definition.name} runs inside the harness: it has no HTTP API for other machines to load`,
      'export a server engine reached by URL, e.g. --engine opa=http://host:8181',
    );
  if (!spec.url) throw new InputError('--engine', spec.text, 'export needs the URL of the running engine the machines will load', `give --engine ${spec.id}=http://host:port`);
  if (scenario.benchmark.length === 0)
    throw new InputError(scenario.file, 'benchmark', 'the scenario has no benchmark requests to send', 'choose a scenario with a benchmark section (e.g. load-mix)');
  const ratePerMachine = Math.round(options.rate / options.machines);
  if (ratePerMachine < 1) throw new InputError('--rate', String(options.rate), `below 1 check/s per machine over ${options.machines} machines`, 'raise --rate or lower --machines');
  if (ratePerMachine * options.machines !== options.rate)
    options.log(`export: ${options.rate}/s over ${options.machines} machines is ${ratePerMachine}/s each, ${ratePerMachine * options.machines}/s in all`);
  const scratch = mkdtempSync(path.join(tmpdir(), 'authz-bench-export-'));
  try {
    const outcome = await withEngine(spec, { resultsDir: scratch, strategy: 'url', log: options.log }, async (engine, record) => {
      if (options.load) {
        options.log(`export: loading ${scenario.id}'s model and ${scenario.relationships.length} relationships into ${spec.url}`);
        await engine.loadModel(scenario.model);
        if (scenario.relationships.length > 0) await engine.write(resolveRelationships(scenario.relationships));
      }
      const now = Date.now();
      return { record, checks: httpChecks(engine, scenario, now), now };
    });
    if (!outcome.started) throw new InputError('--engine', spec.text, `cannot reach the engine: ${outcome.reason}`, 'check the URL, that the engine runs, and its token variable');
    const { record, checks, now } = outcome.value;
    const plan: LoadPlan = {
      format: 'authz-bench-export/1',
      generator: { id: generator.id, version: generator.version },
      engine: record,
      scenario: { id: scenario.id, title: scenario.title, tags: scenario.tags, file: scenario.file },
      requests: checks.length,
      ...(scenario.benchmark.some((r) => hasNow(r.context)) ? { nowResolvedAt: new Date(now).toISOString() } : {}),
      machines: options.machines,
      ratePerMachine,
      trials: options.trials,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      periodS: Math.ceil((options.warmupMs + options.durationMs) / 1000) + 2,
      sloMs: options.sloMs,
      tokenVariable: `${envPrefix(spec.definition.id)}TOKEN`,
      exportedAt: new Date().toISOString(),
      command: options.command,
    };
    writeAtomically(path.join(options.outDir, generator.targetsFile), generator.targets(checks));
    writeAtomically(path.join(options.outDir, PLAN_FILE), `${JSON.stringify(plan, null, 2)}\n`);
    writeAtomically(path.join(options.outDir, 'README.md'), exportReadme(generator, plan));
    const script = path.join(options.outDir, 'run.sh');
    writeAtomically(script, generator.runScript(plan));
    chmodSync(script, 0o755);
    return plan;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new Error(`export to ${spec.url}: ${errorMessage(error)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
