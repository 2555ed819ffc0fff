// The bundled scenario library: every file under scenarios/ loads, with its family tag and
// at least one check. That every case passes on every engine, the reference first, is the
// contract test's (test/engines/contract.test.ts).

import { describe, expect, it } from 'vitest';
import { bundledScenarioFiles, loadScenarioFile } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';

const files = await bundledScenarioFiles();
const FAMILIES = ['hierarchy', 'multi-tenancy', 'revocation', 'audit', 'load', 'agent', 'conformance', 'search'];

const checkCount = (s: Scenario) =>
  s.steps.reduce((n, step) => n + (step.kind === 'check' ? 1 : step.kind === 'batch' ? step.requests.length : step.kind === 'revocation' || step.kind === 'search' ? 1 : 0), 0);

describe('bundled scenarios', () => {
  it('has at least one scenario per family', async () => {
    const scenarios = await Promise.all(files.map((f) => loadScenarioFile(f)));
    const families = new Set(scenarios.map((s) => s.tags[0]));
    for (const family of FAMILIES) expect(families, `no scenario tagged ${family} first`).toContain(family);
    const ids = scenarios.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('bundles the AuthZEN Todo suite with its 43 decisions (46 answers)', async () => {
    const todo = await loadScenarioFile(files.find((f) => f.endsWith('authzen-todo.yaml'))!);
    expect(todo.steps.filter((s) => s.kind === 'check')).toHaveLength(40);
    const batches = todo.steps.filter((s) => s.kind === 'batch');
    expect(batches).toHaveLength(3);
    expect(checkCount(todo)).toBe(46);
  });

  describe.each(files.map((f) => [f.slice(f.indexOf('scenarios/')), f]))('%s', (_name, file) => {
    it('loads, with its family tag first and at least one check', async () => {
      const scenario = await loadScenarioFile(file);
      expect(FAMILIES).toContain(scenario.tags[0]);
      expect(file).toContain(`/${scenario.id}.yaml`);
      expect(checkCount(scenario), 'decisions or searches').toBeGreaterThan(0);
    });
  });
});
