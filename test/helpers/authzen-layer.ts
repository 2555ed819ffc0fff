// Native API vs AuthZEN on one engine, for the adapters that serve both (`openfga[authzen]`,
// `cerbos[authzen]`): every bundled scenario the engine runs is loaded into both
// configurations and every check is asked of both (they must agree), then the AuthZEN Todo
// checks are timed interleaved (src/authzen/layer-cost.ts) and the figures printed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { formatLayerCost, measureLayerCost } from '../../src/authzen/layer-cost.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { loadScenario } from '../../src/serve/command.ts';
import { unsupportedReasons } from '../../src/runner/run-scenario.ts';
import { engineSpec, startEngine } from './engines.ts';

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
