// The one contract test: every engine in adapters/ (its default configuration) runs every
// bundled scenario and must decide exactly as the scenario expects; a scenario may be
// unsupported on an engine only with the exact reason listed for that engine in
// helpers/known-unsupported.ts, so a new unsupported case fails here. Then the shared
// random-graph differential: the engine and the reference engine must agree on every check. Engines that are not installed here
// are skipped with the reason (run `authz-bench engines install`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { decidingEngines, startEngine } from '../helpers/engines.ts';
import { foldersYaml, model } from '../helpers/model.ts';
import { objectEdge, randomGraphMismatches, withoutCycles } from '../helpers/random-graphs.ts';
import { KNOWN_UNSUPPORTED, NO_DECISION_LOG_ENGINES } from '../helpers/known-unsupported.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import { FEATURE_DEVIATIONS, FEATURE_REJECTED, FEATURE_UNSUPPORTED } from '../helpers/feature-support.ts';
import { featureDifferential, LANGUAGE_FEATURES } from '../helpers/language-features.ts';
import { scenarioOutcome } from '../helpers/scenario-check.ts';
import { NO_DECISION_LOG } from '../../src/runner/run-scenario.ts';

/**
 * Engines that do not support recursive data (SpiceDB stops at its depth limit on a cycle,
 * adapters/spicedb/README.md): their differential runs on the graphs without the
 * relationships that close a cycle; their own tests measure the cyclic graphs.
 */
const NO_RECURSIVE_DATA = new Set(['spicedb']);

/** Engines this test cannot run, with why; each is tested in its own folder instead. */
const NOT_RUN_HERE: Readonly<Record<string, string>> = {
  authzen:
    'reached by URL only: it decides with whatever PDP it is pointed at and loads no model; adapters/authzen/authzen.test.ts serves the reference engine and OPA and runs the Todo suite through it',
};

const scenarios = await loadBundledScenarios();
const engines = await decidingEngines();
const FOLDERS = model(foldersYaml({ permissions: ['deep: (viewer | parent->deep) - blocked'] }));
/** For an engine that cannot express `deep` (exclusion inside recursion: Cedar), the same graphs without it. */
const FOLDERS_WITHOUT_DEEP = model(foldersYaml());

describe.each(engines.map((d) => [d.id, d] as const))('%s', (id, definition) => {
  const notRun = NOT_RUN_HERE[id];
  if (notRun) {
    it.skip(`not run here: ${notRun}`, () => {});
    return;
  }
  const installed = isInstalled(definition);
  let engine: EngineAdapter;
  beforeAll(async () => {
    if (installed) engine = await startEngine(id);
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  }, 30_000);

  it.skipIf(!installed)('is installed (else run `authz-bench engines install`)', () => {
    expect(engine.id).toBe(id);
    expect(engine.info()).toMatchObject({ id, name: definition.name });
  });

  for (const scenario of scenarios) {
    const audit = scenario.steps.some((s) => s.kind === 'expectLog');
    it.skipIf(!installed)(
      scenario.id,
      async () => {
        // A log completeness check runs on a fresh engine, so that it measures this scenario's
        // checks only (OpenFGA's request log samples repeated lines within a second).
        const subject = audit ? await startEngine(id) : engine;
        try {
          const outcome = await scenarioOutcome(scenario, subject);
          const known = KNOWN_UNSUPPORTED[id]?.[scenario.id];
          expect([...new Set(outcome.unsupported)], 'unsupported reasons').toEqual(known ? [known] : []);
          // An engine without a decision log fails its log completeness steps (an audit finding), nothing else.
          const wrong = NO_DECISION_LOG_ENGINES.has(id) ? outcome.wrong.filter((w) => !w.includes(NO_DECISION_LOG)) : outcome.wrong;
          if (NO_DECISION_LOG_ENGINES.has(id) && audit) expect(outcome.wrong.length, 'audit findings').toBeGreaterThan(0);
          expect(wrong, 'cases that did not pass').toEqual([]);
          // AuthZEN Todo: 40 single checks and 3 batches, each one case.
          if (scenario.id === 'authzen-todo' && !known) expect(outcome.passed).toBe(43);
        } finally {
          if (audit) await subject.stop();
        }
      },
      180_000,
    );
  }

  it.skipIf(!installed || id === 'reference')(
    'decides as the reference engine on random graphs (cycles, hierarchy, exclusion, intersection, wildcards, conditions)',
    async (ctx) => {
      const folders = engine.unsupported(FOLDERS).length === 0 ? FOLDERS : FOLDERS_WITHOUT_DEEP;
      // An engine that cannot express even the smaller model says why; the scenarios above still judge it.
      const reasons = engine.unsupported(folders);
      if (reasons.length > 0) ctx.skip(`the engine cannot run the random graphs' model: ${reasons.join('; ')}`);
      const reference = await startEngine('reference');
      try {
        expect(await randomGraphMismatches(id, { engine, reference }, folders, 42, 15, NO_RECURSIVE_DATA.has(id) ? withoutCycles : undefined)).toEqual([]);
      } finally {
        await reference.stop();
      }
    },
    300_000,
  );

  it.skipIf(!installed || id === 'reference')(
    'decides every feature of the neutral language as the reference engine on random graphs, or says why it cannot',
    async () => {
      const reference = await startEngine('reference');
      const summary: string[] = [];
      const transform = NO_RECURSIVE_DATA.has(id) ? (r: Relationship[]) => withoutCycles(r, objectEdge) : undefined;
      try {
        for (const [index, feature] of Object.keys(LANGUAGE_FEATURES).entries()) {
          const rejected = FEATURE_REJECTED[id]?.[feature];
          if (rejected) {
            await expect(featureDifferential({ engine, reference }, feature, 1000 + index), `${feature}: the engine rejects the model`).rejects.toThrow(rejected);
            summary.push(`${feature}: rejected by the engine`);
            continue;
          }
          const outcome = await featureDifferential({ engine, reference }, feature, 1000 + index, transform ? { transform } : {});
          expect(outcome.unsupported, `${feature}: unsupported reasons`).toEqual(FEATURE_UNSUPPORTED[id]?.[feature] ?? []);
          const deviation = FEATURE_DEVIATIONS[id]?.[feature];
          if (deviation) {
            expect(outcome.mismatches.length, `${feature}: the known deviation still happens (else remove it)`).toBeGreaterThan(0);
            for (const mismatch of outcome.mismatches) expect(mismatch).toMatch(deviation);
          } else expect(outcome.mismatches, `${feature}: disagreements with the reference engine`).toEqual([]);
          if (outcome.unsupported.length === 0) expect(outcome.allowed, `${feature}: graphs that allow something`).toBeGreaterThan(0);
          summary.push(
            `${feature}: ${outcome.unsupported.length ? 'unsupported' : `${outcome.graphs} graphs${transform ? ' (acyclic)' : ''}, ${outcome.checks} checks, ${outcome.mismatches.length} disagreements${deviation ? ' (known deviation)' : ''}`}`,
          );
        }
      } finally {
        await reference.stop();
      }
      console.log(`${id}, random graphs per language feature:\n  ${summary.join('\n  ')}`);
    },
    900_000,
  );
});
