// The realistic scale generators (github, saas, agent-fleet; scenarios/scale/): the reference
// engine agrees with every answer the generator's own rule expects at the bundled size; the same
// seed gives the same scenario; the requested number of relationships is met, with no duplicate;
// the request mix has the stated distinct checks, allow share and hot/cold spread.

import { describe, expect, it } from 'vitest';
import { formatRelationship, relationshipKey } from '../../src/core/relationship.ts';
import { describeRequest } from '../../src/core/request.ts';
import { loadGenerator } from '../../src/scenario/generators.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { CheckStep, Scenario } from '../../src/scenario/types.ts';
import { startEngine } from '../helpers/engines.ts';
import { scenarioOutcome } from '../helpers/scenario-check.ts';

/** Generator (its bundled scenario is scale-<name>), the bundled size, and the resource type its checks are on. */
const GENERATORS = [
  { name: 'github', bundled: 5000, resourceType: 'repo' },
  { name: 'saas', bundled: 10_000, resourceType: 'document' },
  { name: 'agent-fleet', bundled: 10_000, resourceType: 'document' },
] as const;

const scenarioFile = (name: string) => new URL(`../../scenarios/scale/scale-${name}.yaml`, import.meta.url).pathname;
const generatedChecks = (scenario: Scenario) => scenario.steps.filter((s): s is CheckStep => s.kind === 'check' && s.name === undefined);

describe.each(GENERATORS)('$name', ({ name, bundled, resourceType }) => {
  it('the reference engine agrees with every expected answer at the bundled size', async () => {
    const scenario = await loadScenarioFile(scenarioFile(name));
    const reference = await startEngine('reference');
    try {
      const outcome = await scenarioOutcome(scenario, reference);
      expect(outcome.wrong).toEqual([]);
      expect(outcome.unsupported).toEqual([]);
      expect(outcome.passed).toBe(scenario.steps.length);
    } finally {
      await reference.stop();
    }
  });

  it('the bundled size: its relationships, none twice; 1,000 distinct checks, half allowed, 80% on a fifth of the resources', async () => {
    const scenario = await loadScenarioFile(scenarioFile(name));
    expect(scenario.tags).toContain('scale');
    expect(scenario.relationships).toHaveLength(bundled);
    expect(new Set(scenario.relationships.map(relationshipKey)).size).toBe(bundled);
    const checks = generatedChecks(scenario);
    expect(checks).toHaveLength(1000);
    // Distinct without the request time, too.
    expect(new Set(checks.map((c) => describeRequest(c.request))).size).toBe(1000);
    expect(checks.filter((c) => c.expect === 'allow')).toHaveLength(500);
    // Hot/cold: the most checked fifth of all resources of the type gets 80% of the checks (a
    // few fall back to cold resources where a hot one has no distinct check left).
    const resources = new Set(scenario.relationships.filter((r) => r.resource.type === resourceType).map((r) => r.resource.id));
    const perResource = new Map<string, number>();
    for (const { request } of checks) perResource.set(request.resource.id, (perResource.get(request.resource.id) ?? 0) + 1);
    const hottest = [...perResource.values()].sort((a, b) => b - a).slice(0, Math.round(resources.size * 0.2));
    expect(hottest.reduce((a, b) => a + b, 0) / checks.length).toBeGreaterThanOrEqual(0.78);
  });

  it('same seed, same scenario; another seed, another one', async () => {
    const generator = await loadGenerator(name);
    const params = { relationships: 5000, checks: 300 };
    const text = (seed: number) => {
      const out = generator.generate(params, seed);
      return JSON.stringify([[...out.relationships].map((r) => formatRelationship(r as never)), out.steps]);
    };
    expect(text(7)).toBe(text(7));
    expect(text(7)).not.toBe(text(8));
  });

  it.each([1000, 3333, 50_000])('meets a requested size of %i relationships exactly', async (size) => {
    const generator = await loadGenerator(name);
    const out = generator.generate({ relationships: size, checks: 100 }, 3);
    const relationships = [...out.relationships];
    expect(relationships).toHaveLength(size);
    expect(new Set(relationships.map((r) => relationshipKey(r as never))).size).toBe(size);
    expect(out.steps).toHaveLength(100);
  });
});

describe('generator params', () => {
  it.each(['drive', 'github', 'saas', 'agent-fleet'])('%s refuses a fractional count (1500.5 made 1501 relationships)', async (name) => {
    const generator = await loadGenerator(name);
    expect(() => generator.generate({ relationships: 1500.5, checks: 10 }, 1)).toThrow(/parameter 'relationships' = 1500.5 is not a whole number/);
  });
});

describe('a dataset too small for the checks asked for', () => {
  it('says so and which param to change', async () => {
    const generator = await loadGenerator('agent-fleet');
    expect(() => generator.generate({ relationships: 1000, checks: 5000 }, 1)).toThrow(/too few distinct checks: after \d+ of the 5000 asked for.*raise 'relationships' or lower 'checks'/);
  });
});
