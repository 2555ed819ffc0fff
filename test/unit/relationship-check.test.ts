// The scenario loader and the reference engine apply one relationship rule
// (src/model/relationship-check.ts): a file the loader accepts runs on the reference engine
// without a rejected write or delete, and a file the loader rejects for a relationship is one
// the engine would reject too. Each case below is a way the two used to disagree.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError, InputErrors } from '../../src/core/errors.ts';
import { parseModel } from '../../src/model/parse.ts';
import { relationshipChecker, relationshipProblem } from '../../src/model/relationship-check.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { toRelationship } from '../../src/scenario/requests.ts';

const TYPES = `
    user: {}
    doc:
      relations:
        owner: [user]
        viewer: [user, user:*, user with before_noon]
        guest: [user with before_noon]
      permissions:
        view: owner | viewer | guest`;
const CONDITIONS = `
  conditions:
    before_noon:
      parameters: {hour: int}
      expression: hour < 12`;
/** The same model without `viewer`'s wildcard and with a new relation `editor`. */
const UPDATED = `
      types:
        user: {}
        doc:
          relations:
            owner: [user]
            editor: [user]
            viewer: [user, user with before_noon]
            guest: [user with before_noon]
          permissions:
            view: owner | editor | viewer | guest
      conditions:
        before_noon:
          parameters: {hour: int}
          expression: hour < 12`;

const file = (relationships: string, steps: string) => `id: drift\ntitle: Drift\nmodel:\n  types:${TYPES}${CONDITIONS}\nrelationships: ${relationships}\nsteps:\n${steps}\n`;

/** The loader's verdict: undefined when it loads, else its messages. */
async function loaderVerdict(text: string): Promise<string | undefined> {
  try {
    await loadScenarioText(text, 'drift.yaml');
    return undefined;
  } catch (error) {
    if (error instanceof InputErrors) return error.errors.map((e) => e.message).join('\n');
    if (error instanceof InputError) return error.message;
    throw error;
  }
}

type Raw = Record<string, unknown>;
const relationships = (raw: unknown) => ((raw as unknown[] | undefined) ?? []).map((r) => toRelationship(r)!);

/**
 * The reference engine's verdict on the same file, read without the loader's checks: the
 * model, relationships and mutating steps applied in the runner's order (run-scenario.ts:
 * a revocation changes the model, then writes, then deletes). Undefined when every call is
 * accepted, else the engine's error.
 */
function engineVerdict(text: string): string | undefined {
  const raw = parse(text) as Raw;
  try {
    const engine = new ReferenceEngine(parseModel(raw.model, 'drift.yaml'));
    engine.write(relationships(raw.relationships));
    for (const step of raw.steps as Raw[]) {
      if (step.updateModel) engine.updateModel(parseModel(step.updateModel, 'drift.yaml'));
      if (step.write) engine.write(relationships(step.write));
      if (step.delete) engine.delete(relationships(step.delete));
      const revoke = (step.revocation as { revoke: Raw } | undefined)?.revoke;
      if (revoke?.model) engine.updateModel(parseModel(revoke.model, 'drift.yaml'));
      if (revoke?.write) engine.write(relationships(revoke.write));
      if (revoke?.delete) engine.delete(relationships(revoke.delete));
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const CHECK = '  - check: {subject: user:anne, action: view, resource: doc:1}\n    expect: allow';

const cases: { name: string; text: string; verdict: 'accept' | RegExp }[] = [
  {
    // Was: the loader checked the write against the first model and accepted it; the engine rejected it.
    name: 'a write of a wildcard the updated model no longer allows',
    text: file('[doc:1#viewer@user:anne]', `  - updateModel:${UPDATED}\n  - write: ['doc:2#viewer@user:*']\n${CHECK}`),
    verdict: /doc:2#viewer@user:\*: subject not allowed: doc#viewer allows only \[user, user with before_noon\]/,
  },
  {
    // Was: the loader rejected a relation only the updated model has; the engine accepted it.
    name: 'a write of a relation the updated model adds',
    text: file('[doc:1#viewer@user:anne]', `  - updateModel:${UPDATED}\n  - write: [doc:2#editor@user:anne]\n${CHECK}`),
    verdict: 'accept',
  },
  {
    // Was: the loader checked steps after a revocation by model against the first model.
    name: 'a write after a revocation that changed the model',
    text: file(
      '[doc:1#viewer@user:anne]',
      `  - revocation:\n      path: policy\n      check: {subject: user:anne, action: view, resource: doc:1}\n      revoke:\n        model:${UPDATED.replace(/\n {6}/g, '\n          ')}\n        delete: [doc:1#viewer@user:anne]\n  - write: [doc:3#editor@user:bob]`,
    ),
    verdict: 'accept',
  },
  {
    // Was: the loader wanted the condition repeated on a delete; deletes match by identity and the engine accepted it.
    name: 'a delete of a conditional relationship without its condition',
    text: file(
      '[{resource: doc:1, relation: guest, subject: user:anne, condition: {name: before_noon}}]',
      `  - delete: [doc:1#guest@user:anne]\n  - check: {subject: user:anne, action: view, resource: doc:1, context: {hour: 9}}\n    expect: deny`,
    ),
    verdict: 'accept',
  },
  {
    // Was: the engine did not check deletes at all and silently deleted nothing.
    name: 'a delete naming a relation the model lacks',
    text: file('[doc:1#viewer@user:anne]', `  - delete: [doc:1#editor@user:anne]\n${CHECK}`),
    verdict: /doc:1#editor@user:anne: 'doc' has no relation 'editor'/,
  },
  {
    // A delete after a policy update may remove what the new model no longer allows (clean-up).
    name: 'a delete of a wildcard the updated model no longer allows',
    text: file("['doc:1#viewer@user:*']", `  - updateModel:${UPDATED}\n  - delete: ['doc:1#viewer@user:*']`),
    verdict: 'accept',
  },
  {
    name: 'a write of a permission',
    text: file('[doc:1#view@user:anne]', CHECK),
    verdict: /'view' is a permission of 'doc', which is computed, not written/,
  },
  {
    name: 'a write without the condition the relation requires',
    text: file('[]', '  - write: [doc:1#guest@user:anne]'),
    verdict: /a condition is required/,
  },
];

describe('one relationship rule for the loader and the reference engine', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.verdict === 'accept' ? 'both accept' : 'both reject'}`, async () => {
      const loader = await loaderVerdict(c.text);
      const engine = engineVerdict(c.text);
      if (c.verdict === 'accept') {
        expect(loader).toBeUndefined();
        expect(engine).toBeUndefined();
      } else {
        expect(loader).toMatch(c.verdict);
        expect(engine).toMatch(c.verdict);
      }
    });
  }

  it('names the relationship, the step and the fix in the loader error', async () => {
    const message = await loaderVerdict(cases[0]!.text);
    expect(message).toContain('drift.yaml');
    expect(message).toMatch(/steps\[1\]\.write\[0\] \(line \d+\)/);
  });

  it('a delete is checked for identity only: shape and condition do not matter', () => {
    const model = parseModel(parse(`types:${TYPES.replace(/\n {4}/g, '\n  ')}${CONDITIONS.replace(/\n {2}/g, '\n')}`), 'm.yaml');
    const conditional = { ...toRelationship('doc:1#owner@user:anne')!, condition: { name: 'before_noon' } };
    expect(relationshipProblem(model, conditional, 'write')?.problem).toBe("condition 'before_noon' is not allowed here");
    expect(relationshipProblem(model, conditional, 'delete')).toBeUndefined();
    expect(relationshipProblem(model, toRelationship('doc:1#owner@ship:x')!, 'delete')?.problem).toBe("unknown subject type 'ship'");
    expect(relationshipProblem(model, toRelationship('doc:1#owner@user:*#member')!, 'delete')?.problem).toBe('a wildcard subject cannot have a relation');
  });

  it('the checker that remembers answers per shape answers as relationshipProblem, in any order', () => {
    const model = parseModel(parse(`types:${TYPES.replace(/\n {4}/g, '\n  ')}${CONDITIONS.replace(/\n {2}/g, '\n')}`), 'm.yaml');
    const plain = [
      'doc:1#owner@user:anne',
      'doc:2#viewer@user:*',
      'doc:1#owner@user:*',
      'doc:1#viewer@user:bob',
      'doc:1#guest@user:bob',
      'doc:1#view@user:bob',
      'doc:1#owner@ship:x',
      'doc:1#owner@user:*#member',
      'doc:1#owner@user:anne#x',
    ];
    const rels = plain.map((text) => toRelationship(text)!);
    for (const name of ['before_noon', 'after_noon']) rels.push(...rels.map((rel) => ({ ...rel, condition: { name } })));
    // More shapes than the checker compares one by one before asking its Maps.
    for (let i = 0; i < 20; i++) rels.push(toRelationship(`doc${i}:1#owner@user:anne`)!, toRelationship(`doc:1#owner@user${i}:anne`)!);
    for (const change of ['write', 'delete'] as const) {
      const check = relationshipChecker(model, change);
      for (const rel of [...rels, ...rels.reverse()]) expect(check(rel), `${change} ${JSON.stringify(rel)}`).toEqual(relationshipProblem(model, rel, change));
    }
  });
});
