// Fidelity repros (issue 22): each scenario under test/fixtures/fidelity/ runs on every engine,
// the real ones included, and must pass there, or be unsupported with the reason listed here.
// They are plain scenario files so the contract test can take them over unchanged.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';
import { decidingEngines, startEngine } from '../helpers/engines.ts';
import { model } from '../helpers/model.ts';
import { FULL_LANGUAGE_YAML, LOOKUP_LANGUAGE_YAML, randomModelMismatches } from '../helpers/random-graphs.ts';
import { scenarioOutcome } from '../helpers/scenario-check.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'fidelity');
const scenarios = await Promise.all(
  readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => loadScenarioFile(path.join(FIXTURES, f))),
);
// Engines reached by URL only (the generic AuthZEN engine) have no data to load: the contract test says so.
const engines = (await decidingEngines()).filter((d) => d.role !== 'remote');

/**
 * Engine id -> scenario id -> the exact unsupported reasons the adapter gives (as in the
 * contract test); everything else must pass. Each is explained in the adapter's README.
 */
const KNOWN_UNSUPPORTED: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  // Cedar: conditions and usersets it has no exact form for (adapters/cedar/README.md).
  cedar: {
    'action-properties': [
      "conditions: CEL expression 'has(action.soft) && action.soft == true' (condition soft_only) cannot be translated to Cedar: operator 'call' has no Cedar translation as a condition (at 'has(action.soft)')",
    ],
    'cel-coverage': [
      "conditions: CEL expression 'n != 0u && n < 10u' (condition nonzero) cannot be translated to Cedar: parameter 'n': a uint parameter has no exact Cedar type (Cedar has no floating point, and records need a declared shape) (at 'n'); conditions: CEL expression 't != null && d != null && t + d > timestamp(\"2026-01-01T00:00:00Z\")' (condition has_time) cannot be translated to Cedar: null (Cedar has none) (at 'null'); conditions: CEL expression 'user_ip.in_cidr(\"192.168.0.0/24\") || user_ip.in_cidr(\"2001:db8::/32\")' (condition in_office) cannot be translated to Cedar: method 'in_cidr' has no Cedar translation (only startsWith/endsWith/contains with a literal string) (at 'user_ip.in_cidr(\"192.168.0.0/24\")')",
    ],
    'cel-negation-has': [
      "conditions: CEL expression '!has(subject.role)' (condition no_role) cannot be translated to Cedar: operator 'call' has no Cedar translation as a condition (at 'has(subject.role)'); conditions: CEL expression '!(has(subject.role) && subject.role == \"admin\")' (condition not_admin) cannot be translated to Cedar: operator 'call' has no Cedar translation as a condition (at 'has(subject.role)'); conditions: CEL expression '!(subject.role == \"admin\")' (condition not_admin_unguarded) cannot be translated to Cedar: operator '.' has no Cedar translation as a value (at 'subject.role'); conditions: CEL expression 'has(subject.role) && subject.role == \"admin\"' (condition admin) cannot be translated to Cedar: operator 'call' has no Cedar translation as a condition (at 'has(subject.role)'); conditions: CEL expression '(has(subject.role) && subject.role == \"admin\") || (!has(subject.role) && resource.owner == subject.id)' (condition writer) cannot be translated to Cedar: operator 'call' has no Cedar translation as a condition (at 'has(subject.role)')",
    ],
    'cel-wrong-types': [
      "conditions: CEL expression 'amount > 0.0' (condition positive) cannot be translated to Cedar: parameter 'amount': a double parameter has no exact Cedar type (Cedar has no floating point, and records need a declared shape) (at 'amount'); conditions: CEL expression 'subject.level >= resource.level' (condition level_ok) cannot be translated to Cedar: operator '.' has no Cedar translation as a value (at 'subject.level'); conditions: account.excluded_payer subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy",
    ],
    'bound-parameter-precedence': [
      "conditions: CEL expression 'ip.in_cidr(\"10.0.0.0/8\")' (condition in_office) cannot be translated to Cedar: method 'in_cidr' has no Cedar translation (only startsWith/endsWith/contains with a literal string) (at 'ip.in_cidr(\"10.0.0.0/8\")')",
    ],
    'exclusion-undecided-condition': ['conditions: doc.view subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy'],
    'exclusion-cycle': [
      "usersets: document.restricted allows 'document#viewer', an intersection or exclusion: a userset is a parent in Cedar's entity graph, and `in` over parents is a union",
    ],
  },
};

const FULL_LANGUAGE = model(FULL_LANGUAGE_YAML);
const LOOKUP_LANGUAGE = model(LOOKUP_LANGUAGE_YAML);
/** Engine id -> why it cannot run the full-language model (each explained in its README). */
const FULL_LANGUAGE_UNSUPPORTED: Readonly<Record<string, readonly string[]>> = {
  cedar: [
    "conditions: CEL expression 'ip.in_cidr(\"10.0.0.0/8\")' (condition in_office) cannot be translated to Cedar: method 'in_cidr' has no Cedar translation (only startsWith/endsWith/contains with a literal string) (at 'ip.in_cidr(\"10.0.0.0/8\")')",
    "conditions: group.member allows 'team#member with in_office', a conditional userset: a path could pass several conditional relationships, and Cedar's `in` over entity parents cannot be conditional",
    "conditions: folder.parent has conditional objects and is followed by 'parent->view': Cedar's `in` over entity parents cannot be conditional",
    "usersets: doc.restricted allows 'doc#reader', an intersection or exclusion: a userset is a parent in Cedar's entity graph, and `in` over parents is a union",
    "folder: 'parent->edit' reaches folder.edit, an intersection or exclusion, on related objects: Cedar's only recursion is `in` over entity parents (a union) and it has no quantifier over a set of entities, so this has no exact Cedar form",
    "doc: 'folder->edit' reaches folder.edit, an intersection or exclusion, on related objects: Cedar's only recursion is `in` over entity parents (a union) and it has no quantifier over a set of entities, so this has no exact Cedar form",
    'conditions: folder.read subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy',
    'conditions: doc.reader combines 2 relations that conditional relationships can grant; Cedar would need one policy per combination of grants',
    'conditions: doc.commenter combines 2 relations that conditional relationships can grant; Cedar would need one policy per combination of grants',
    'conditions: doc.outsider subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy',
  ],
};

/** Engine id -> why it cannot run the lookup-forms model either. */
const LOOKUP_LANGUAGE_UNSUPPORTED: Readonly<Record<string, readonly string[]>> = {
  cedar: [
    "conditions: CEL expression 'ip.in_cidr(\"10.0.0.0/8\")' (condition in_office) cannot be translated to Cedar: method 'in_cidr' has no Cedar translation (only startsWith/endsWith/contains with a literal string) (at 'ip.in_cidr(\"10.0.0.0/8\")')",
    "conditions: CEL expression 'used < limit && limit != 0u' (condition under_quota) cannot be translated to Cedar: parameter 'used': a uint parameter has no exact Cedar type (Cedar has no floating point, and records need a declared shape) (at 'used')",
    'conditions: folder.read subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy',
    'conditions: folder.audit subtracts or negates a relation that conditional relationships can grant; Cedar would need every such grant inside one policy',
  ],
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
  spicedb: /SpiceDB CheckPermission: (has|no) permission; generated policy \S+schema\.zed, 'view' of definition doc at line \d+/,
};

/**
 * Engine id -> scenario id -> what the engine answers instead of deciding (its own behaviour,
 * reported as errors in every run, never hidden): each case that does not pass must match.
 * SpiceDB stops at a cycle in the data with "max depth exceeded" (https://spicedb.dev/d/debug-max-depth),
 * and its caveats type a `uint` parameter as int (no `n != 0u`).
 */
const MAX_DEPTH = /check error: .*SpiceDB: max depth exceeded/;
const KNOWN_DEVIATIONS: Readonly<Record<string, Readonly<Record<string, RegExp>>>> = {
  // Cedar's translation makes each hierarchy cycle one representative entity (Cedar rejects cycles in
  // the entity graph), so a cycle through two relations grants under an exclusion where the neutral
  // semantics (OpenFGA's) says undecided, so denied: a wrong answer of the adapter, reported as such.
  cedar: { 'exclusion-cycle-mixed': /expected deny got allow cedar: allow, determined by/ },
  spicedb: {
    'exclusion-cycle': MAX_DEPTH,
    'exclusion-cycle-mixed': MAX_DEPTH,
    'exclusion-cycle-self': MAX_DEPTH,
    'cel-coverage': /setup failed: SpiceDB rejected the schema: .*no matching overload for '_!=_' applied to '\(int, uint\)'/,
  },
};
/** Engine id -> why it cannot load the random-graph models (asserted, so a fix shows). */
const RANDOM_GRAPH_REJECTION: Readonly<Record<string, readonly [RegExp, RegExp]>> = {
  spicedb: [/SpiceDB rejected the schema: .*wildcard relations cannot be transitively included/, /SpiceDB rejected the schema: .*no matching overload for '_!=_' applied to '\(int, uint\)'/],
};

describe.each(engines.map((d) => [d.id, d] as const))('fidelity on %s', (id, definition) => {
  const installed = isInstalled(definition);
  let engine: EngineAdapter;
  beforeAll(async () => {
    if (installed) engine = await startEngine(id);
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  }, 30_000);

  it.skipIf(!installed)(
    "a wrong answer says why: the engine's reason, or the generated policy and rule",
    async () => {
      const scenario = await loadScenarioText(WRONG_EXPECTATIONS, 'wrong-expectations.yaml');
      const run = await runScenario(scenario, engine);
      expect(run.cases.map((c) => c.status)).toEqual(['fail', 'fail']);
      for (const c of run.cases) expect(c.message).toMatch(WHY[id] ?? /./);
    },
    120_000,
  );

  it.skipIf(!installed || id === 'reference')(
    'decides as the reference engine on random graphs of a model using every feature of the language',
    async () => {
      const reference = await startEngine('reference');
      try {
        const rejection = RANDOM_GRAPH_REJECTION[id];
        if (rejection) {
          await expect(randomModelMismatches(id, { engine, reference }, FULL_LANGUAGE, 7)).rejects.toThrow(rejection[0]);
          await expect(randomModelMismatches(id, { engine, reference }, LOOKUP_LANGUAGE, 8)).rejects.toThrow(rejection[1]);
          return;
        }
        const outcome = await randomModelMismatches(id, { engine, reference }, FULL_LANGUAGE, 7);
        expect(outcome.unsupported, 'unsupported reasons').toEqual(FULL_LANGUAGE_UNSUPPORTED[id] ?? []);
        expect(outcome.mismatches).toEqual([]);
        if (outcome.unsupported.length === 0) expect(outcome.checks).toBeGreaterThan(1000);
        // The same features in the forms a lookup-based resolver takes: every engine decides them.
        const lookup = await randomModelMismatches(id, { engine, reference }, LOOKUP_LANGUAGE, 8);
        expect(lookup.unsupported, 'unsupported reasons (lookup forms)').toEqual(LOOKUP_LANGUAGE_UNSUPPORTED[id] ?? []);
        expect(lookup.mismatches).toEqual([]);
        if (lookup.unsupported.length === 0) expect(lookup.checks).toBeGreaterThan(1000);
      } finally {
        await reference.stop();
      }
    },
    600_000,
  );

  for (const scenario of scenarios) {
    it.skipIf(!installed)(
      scenario.id,
      async () => {
        const outcome = await scenarioOutcome(scenario, engine);
        expect(outcome.unsupported, 'unsupported reasons').toEqual(KNOWN_UNSUPPORTED[id]?.[scenario.id] ?? []);
        const deviation = KNOWN_DEVIATIONS[id]?.[scenario.id];
        if (deviation) {
          expect(outcome.wrong.length, 'the known deviation still happens (else remove it)').toBeGreaterThan(0);
          for (const wrong of outcome.wrong) expect(wrong).toMatch(deviation);
          return;
        }
        expect(outcome.wrong, 'cases that did not pass').toEqual([]);
        if (outcome.unsupported.length === 0) expect(outcome.passed).toBeGreaterThan(0);
      },
      120_000,
    );
  }
});
