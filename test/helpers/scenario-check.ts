// What the contract test asserts of one scenario on one engine, shared with the adapter tests
// that run the bundled scenarios on a further configuration (cerbos[admin], openfga[postgres]).

import type { EngineAdapter } from '../../src/core/adapter.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import type { Scenario } from '../../src/scenario/types.ts';

export interface ScenarioOutcome {
  /** Unsupported reasons, as the adapter gave them. */
  unsupported: string[];
  /** Every case that neither passed nor was unsupported, described. */
  wrong: string[];
  passed: number;
}

export async function scenarioOutcome(scenario: Scenario, engine: EngineAdapter): Promise<ScenarioOutcome> {
  const run = await runScenario(scenario, engine);
  return {
    unsupported: run.cases.filter((c) => c.status === 'unsupported').map((c) => c.message ?? ''),
    wrong: run.cases
      .filter((c) => c.status !== 'pass' && c.status !== 'unsupported')
      .map(
        (c) =>
          `${scenario.id} step ${c.step}${c.item !== undefined ? `.${c.item}` : ''} ${c.kind} ${c.status}: ${c.request ?? ''} expected ${c.expected ?? ''} got ${c.actual ?? ''} ${c.message ?? ''}`,
      ),
    passed: run.cases.filter((c) => c.status === 'pass').length,
  };
}
