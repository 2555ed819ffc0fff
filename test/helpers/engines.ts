// Engines for tests, obtained the way the CLI obtains them: a spec text (`opa`,
// `cerbos[admin]`) resolved by the registry, started with the one engine lifecycle's context.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { defineAdapter, type AdapterSpec, type EngineAdapter, type RunContext } from '../../src/core/adapter.ts';
import { createEngine, loadEngineDefinitions, resolveEngineSpecs, type EngineSpec } from '../../src/engines/registry.ts';
import { runContext } from '../../src/runner/engine-session.ts';

export interface TestEngineOptions {
  /** Results folder (engine logs go to its engines/); default a fresh temporary folder. */
  resultsDir?: string;
  /** `--set` options. */
  settings?: Record<string, string>;
  /** Launch strategy (default local: tests talk to real local processes). */
  strategy?: 'local' | 'url' | 'auto';
}

export async function engineSpec(text: string): Promise<EngineSpec> {
  const [spec] = await resolveEngineSpecs([text]);
  if (!spec) throw new Error(`no engine '${text}'`);
  return spec;
}

/** The context an engine gets from the CLI, for tests that start adapters themselves. */
export async function testContext(text: string, options: TestEngineOptions = {}): Promise<RunContext> {
  const resultsDir = options.resultsDir ?? mkdtempSync(path.join(tmpdir(), 'authz-bench-test-'));
  return runContext(await engineSpec(text), { resultsDir, settings: options.settings ?? {}, strategy: options.strategy ?? 'local', log: () => {} });
}

/** A started engine (not yet loaded with a model). */
export async function startEngine(text: string, options: TestEngineOptions = {}): Promise<EngineAdapter> {
  const engine = createEngine(await engineSpec(text));
  await engine.start(await testContext(text, options));
  return engine;
}

/** An engine started before the enclosing describe block's tests and stopped after them. */
export function useEngine(text: string, options: TestEngineOptions = {}): { engine: EngineAdapter } {
  const holder = {} as { engine: EngineAdapter };
  beforeAll(async () => {
    holder.engine = await startEngine(text, options);
  }, 120_000);
  afterAll(async () => {
    await holder.engine?.stop();
  }, 30_000);
  return holder;
}

/** Every engine folder's definition that decides (not the no-op baseline). */
export async function decidingEngines() {
  return (await loadEngineDefinitions()).filter((d) => d.role !== 'baseline');
}

/**
 * An adapter instance the test keeps a handle on (to look at its internals, e.g. the generated
 * policy), wrapped as the registry wraps it and started like `startEngine`.
 */
export async function startInstance<T extends AdapterSpec>(text: string, instance: T, options: TestEngineOptions = {}): Promise<EngineAdapter> {
  const spec = await engineSpec(text);
  const engine = createEngine({ ...spec, definition: { ...spec.definition, create: () => defineAdapter(instance) } });
  await engine.start(await testContext(text, options));
  return engine;
}
