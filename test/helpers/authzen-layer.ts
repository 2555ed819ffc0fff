// Native API vs AuthZEN on one engine, for the adapters that serve both (`openfga[authzen]`,
// `cerbos[authzen]`): the AuthZEN configuration runs every bundled scenario as the contract
// test runs the default one (same known unsupported cases, Todo 43/43); every bundled scenario
// is loaded into both configurations and every check is asked of both (they must agree); then
// the AuthZEN Todo checks are timed interleaved (src/authzen/layer-cost.ts), figures printed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { formatLayerCost, measureLayerCost } from '../../src/authzen/layer-cost.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { loadScenario } from '../../src/serve/command.ts';
import { unsupportedReasons } from '../../src/runner/run-scenario.ts';
import { engineSpec, startEngine } from './engines.ts';
import { KNOWN_UNSUPPORTED } from './known-unsupported.ts';
import { scenarioOutcome } from './scenario-check.ts';

export async function describeNativeVsAuthzen(nativeId: string, authzenId: string, rounds: number): Promise<void> {
  const installed = isInstalled((await engineSpec(nativeId)).definition);
  const scenarios = await loadBundledScenarios();
  describe.skipIf(!installed)(`${nativeId} vs ${authzenId}: same engine, same data`, () => {
    let native: EngineAdapter;
    let authzen: EngineAdapter;
    beforeAll(async () => {
      [native, authzen] = await Promise.all([startEngine(nativeId), startEngine(authzenId)]);
    }, 120_000);
    afterAll(async () => {
      await Promise.all([native?.stop(), authzen?.stop()]);
    }, 30_000);

    it(`${authzenId} runs every bundled scenario as ${nativeId} does (Todo 43/43)`, async () => {
      const wrong: string[] = [];
      for (const scenario of scenarios) {
        // As in the contract test: a log completeness check on a fresh engine (OpenFGA's request log samples within a second).
        const audit = scenario.steps.some((s) => s.kind === 'expectLog');
        const subject = audit ? await startEngine(authzenId) : authzen;
        const outcome = await scenarioOutcome(scenario, subject).finally(() => (audit ? subject.stop() : undefined));
        const known = KNOWN_UNSUPPORTED[nativeId]?.[scenario.id];
        wrong.push(...outcome.wrong, ...outcome.unsupported.filter((u) => u !== known));
        if (scenario.id === 'authzen-todo') expect(outcome.passed).toBe(43);
      }
      expect(wrong).toEqual([]);
    }, 600_000);

    it('decide alike on every check of every bundled scenario they run (a difference is a finding, with the request)', async () => {
      const findings: string[] = [];
      let compared = 0;
      for (const scenario of scenarios) {
        if (unsupportedReasons(scenario, native).length > 0) continue;
        await Promise.all([loadScenario(native, scenario), loadScenario(authzen, scenario)]);
        const cost = await measureLayerCost(scenario, native, authzen, 0);
        compared += cost.requests;
        findings.push(...cost.disagreements.map((d) => `${scenario.id}: ${d.request}: native ${d.native}, AuthZEN ${d.authzen}`));
      }
      expect(findings).toEqual([]);
      expect(compared).toBeGreaterThan(100);
    }, 300_000);

    it('latency of both APIs in the same run, interleaved (AuthZEN Todo checks)', async () => {
      const todo = scenarios.find((s) => s.id === 'authzen-todo')!;
      await Promise.all([loadScenario(native, todo), loadScenario(authzen, todo)]);
      const cost = await measureLayerCost(todo, native, authzen, rounds);
      console.log(`native vs AuthZEN: ${formatLayerCost(cost)}`);
      expect(cost.disagreements).toEqual([]);
      expect(cost.nativeLatency.count).toBe(rounds * cost.requests);
      expect(cost.authzenLatency.count).toBe(rounds * cost.requests);
      expect(cost.ratio.ratio).toBeGreaterThan(0);
    }, 300_000);
  });
}
