// Comparing an engine with the reference engine: both started around a describe block, and
// every bundled scenario run on both, each test file keeping its own assertions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reference from '../../adapters/reference/index.ts';
import type { EngineAdapter, RunContext } from '../../src/core/adapter.ts';
import { runScenario, type ScenarioRun } from '../../src/runner/run-scenario.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';

export interface EnginePair {
  /** The engine under test (set once the enclosing block's beforeAll has run). */
  engine: EngineAdapter;
  /** The reference engine. */
  reference: EngineAdapter;
}

/** Starts the engine and the reference engine before the enclosing describe block's tests; stops both after them. */
export function withReference(create: () => EngineAdapter, context: () => RunContext): EnginePair {
  const pair = {} as EnginePair;
  beforeAll(async () => {
    pair.reference = reference.create();
    await pair.reference.start(context());
    pair.engine = create();
    await pair.engine.start(context());
  }, 60_000);
  afterAll(async () => {
    await pair.engine?.stop();
    await pair.reference?.stop();
  }, 30_000);
  return pair;
}

/**
 * A describe block with one test per bundled scenario: the scenario runs on the engine and on
 * the reference engine, and `compare` makes the file's assertions on the two runs.
 */
export function describeBundledScenarios(
  title: string,
  create: () => EngineAdapter,
  context: () => RunContext,
  compare: (scenario: Scenario, actual: ScenarioRun, expected: ScenarioRun) => void,
): void {
  describe(title, async () => {
    const scenarios = await loadBundledScenarios();
    const engines = withReference(create, context);

    it('has scenarios, among them authzen-todo', () => {
      expect(scenarios.map((s) => s.id)).toContain('authzen-todo');
    });

    for (const scenario of scenarios) {
      it(scenario.id, async () => {
        const actual = await runScenario(scenario, engines.engine);
        const expected = await runScenario(scenario, engines.reference);
        compare(scenario, actual, expected);
      }, 120_000);
    }
  });
}
