// The Drive-like generator (scenarios/generators/drive.ts): exact size, distinct hot/cold
// checks about half allowed, the same scenario from the same seed, and the reference engine
// agreeing with every expectation the generator's own rule gave (scenarios/scale/scale-drive.yaml).

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS_DIR } from '../../src/core/paths.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { generateDrive } from '../../scenarios/generators/drive.ts';

const PARAMS = { relationships: 10_000, depth: 10, groupDepth: 4, memberships: 3, checks: 1000 };
const FILE = path.join(SCENARIOS_DIR, 'scale', 'scale-drive.yaml');

describe('drive generator', () => {
  it('makes exactly `relationships` distinct relationships and `checks` distinct checks, the same for the same seed', () => {
    const first = generateDrive(PARAMS, 1);
    expect(first.relationships).toHaveLength(PARAMS.relationships);
    expect(new Set(first.relationships).size).toBe(PARAMS.relationships);
    const asked = first.steps.map((s) => JSON.stringify((s as { check: unknown }).check));
    expect(new Set(asked).size).toBe(PARAMS.checks);
    expect(generateDrive(PARAMS, 1)).toEqual(first);
    expect(generateDrive(PARAMS, 2).relationships).not.toEqual(first.relationships);
  });

  it('builds folder chains `depth` levels deep, nested groups, and about half allowed, mostly hot checks', () => {
    const { relationships, steps } = generateDrive(PARAMS, 1);
    const parentOf = new Map<string, string>();
    for (const r of relationships) {
      const m = /^folder:(\w+)#parent@folder:(\w+)$/.exec(r);
      if (m) parentOf.set(m[1]!, m[2]!);
    }
    const levels = (f: string): number => (parentOf.has(f) ? 1 + levels(parentOf.get(f)!) : 1);
    expect(Math.max(...[...parentOf.keys()].map(levels))).toBe(PARAMS.depth);
    expect(relationships.some((r) => /^group:\w+#member@group:\w+#member$/.test(r))).toBe(true);
    const expects = steps.map((s) => (s as { expect: string }).expect);
    const allowed = expects.filter((e) => e === 'allow').length / expects.length;
    expect(allowed).toBeGreaterThan(0.4);
    expect(allowed).toBeLessThan(0.6);
    // Hot documents are d0 .. d<20% of the documents>: 80% of the checks aim there.
    const hotEnd = Math.round(PARAMS.relationships * 0.45 * 0.2);
    const hot = steps.filter((s) => Number(/document:d(\d+)/.exec(JSON.stringify(s))![1]) < hotEnd).length / steps.length;
    expect(hot).toBeGreaterThan(0.75);
    expect(hot).toBeLessThan(0.85);
  });

  it('refuses sizes whose structure alone exceeds the total, saying what to change', () => {
    expect(() => generateDrive({ ...PARAMS, relationships: 1000, memberships: 20, groupDepth: 16 }, 1)).toThrow(/raise relationships or lower memberships/);
  });

  it('the bundled scale-drive scenario: the reference engine agrees with every expected answer', async () => {
    const scenario = await loadScenarioFile(FILE);
    expect(scenario.relationships).toHaveLength(PARAMS.relationships);
    const engine = new ReferenceEngine(scenario.model, { decisionLog: false });
    engine.write(scenario.relationships);
    const wrong: string[] = [];
    for (const step of scenario.steps) {
      if (step.kind !== 'check') throw new Error(`unexpected step ${step.kind}`);
      const decision = engine.check(step.request);
      if (decision.allowed !== (step.expect === 'allow')) wrong.push(`${JSON.stringify(step.request)}: ${decision.reason}`);
    }
    expect(wrong).toEqual([]);
    expect(scenario.steps).toHaveLength(PARAMS.checks);
  });
});
