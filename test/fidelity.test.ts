// Fidelity repros (issue 22): each scenario under test/fixtures/fidelity/ runs on every engine,
// the real ones included, and must pass there, or be unsupported with the reason listed here.
// They are plain scenario files so the contract test can take them over unchanged.

import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cerbos from '../adapters/cerbos/index.ts';
import opa from '../adapters/opa/index.ts';
import openfga from '../adapters/openfga/index.ts';
import oso from '../adapters/oso/index.ts';
import reference from '../adapters/reference/index.ts';
import type { EngineAdapter, EngineDefinition, RunContext } from '../src/core/adapter.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { loadScenarioFile, loadScenarioText } from '../src/scenario/load.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'fidelity');
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => path.join(FIXTURES, f));

/** Scenario id -> engine id -> the reason the engine gives for not running it. Everything else must pass. */
const UNSUPPORTED: Record<string, Record<string, RegExp>> = {
  // Cerbos's resolver computes userset memberships over relationships, not permissions (adapters/cerbos/README.md).
  'exclusion-cycle': { cerbos: /usersets: document#restricted allows document#viewer, a permission/ },
  'exclusion-cycle-mixed': { cerbos: /usersets: doc_g#editor allows doc_g#viewer, a permission.*recursion: folder_j#b1 -> folder_j#b2/ },
};

/** Expectations the engines rightly contradict: the case message must say why. */
const WRONG_EXPECTATIONS = `
id: wrong-expectations
title: expectations the engines contradict
model:
  types:
    user: {}
    doc:
      relations: {viewer: [user], blocked: [user]}
      permissions: {view: viewer - blocked}
relationships: [doc:1#viewer@user:anne]
steps:
  - {check: {subject: user:anne, action: view, resource: doc:1}, expect: deny}
  - {check: {subject: user:bob, action: view, resource: doc:1}, expect: allow}
`;

/** What each engine's message on a wrong answer must name. */
const WHY: Record<string, RegExp> = {
  reference: /granted by doc:1#viewer@user:anne|no relationship grants user:bob doc:1#view/,
  openfga: /OpenFGA Check: allowed (true|false); generated policy \S+model\.fga, 'define view' of type doc at line \d+/,
  opa: /OPA: data\.authzbench\.allow is (true|false); generated policy \S+authzbench\.rego, the rules of doc#view \(exclusion, intersection, conditional edges\) at lines \d+/,
  cerbos: /(rule authzbench_view|no rule allowed) \(policy resource\.doc\.vm\d+, generated policy \S+doc\.yaml, rule authzbench_view at line \d+\)/,
  oso: /generated policy \S+authzbench\.polar, the rules of doc#view at lines? \d+/,
};

const ENGINES: EngineDefinition[] = [reference, openfga, opa, cerbos, oso];
const resultsDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-fidelity-'));
const context: RunContext = { resultsDir, options: {}, log: () => {} };

for (const definition of ENGINES) {
  describe(`fidelity on ${definition.id}`, () => {
    let engine: EngineAdapter;
    beforeAll(async () => {
      engine = definition.create();
      await engine.start(context);
    }, 120_000);
    afterAll(async () => {
      await engine?.stop();
    }, 30_000);

    it('a wrong answer says why: the engine\'s reason, or the generated policy and rule', async () => {
      const scenario = await loadScenarioText(WRONG_EXPECTATIONS, 'wrong-expectations.yaml');
      const run = await runScenario(scenario, engine);
      expect(run.cases.map((c) => c.status)).toEqual(['fail', 'fail']);
      for (const c of run.cases) expect(c.message).toMatch(WHY[definition.id]!);
    }, 120_000);

    for (const file of files) {
      const id = path.basename(file, '.yaml');
      it(id, async () => {
        const scenario = await loadScenarioFile(file);
        const run = await runScenario(scenario, engine);
        const unsupported = UNSUPPORTED[id]?.[definition.id];
        if (unsupported) {
          expect(run.cases).toHaveLength(1);
          expect(run.cases[0]!.status).toBe('unsupported');
          expect(run.cases[0]!.message).toMatch(unsupported);
          return;
        }
        const wrong = run.cases.filter((c) => c.status !== 'pass').map((c) => `step ${c.step} ${c.request ?? c.kind}: ${c.status} (${c.message ?? ''})`);
        expect(wrong).toEqual([]);
        expect(run.cases.length).toBeGreaterThan(0);
      }, 120_000);
    }
  });
}
