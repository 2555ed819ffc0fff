// Property tests of the reference evaluator on random relationship graphs (with cycles):
// monotonicity without exclusion, agreement with a naive least-fixed-point oracle, and
// termination everywhere.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRelationship, parseRelationship, type Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { Model, Rewrite } from '../../src/model/types.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { GROUPS_YAML, model } from '../helpers/model.ts';

const USERS = ['u0', 'u1', 'u2'];
const GROUPS = ['g0', 'g1', 'g2'];
const FOLDERS = ['f0', 'f1', 'f2', 'f3'];

function modelWith(view: string, edit: string): Model {
  return model(
    `${GROUPS_YAML}  folder:
    relations:
      parent: [folder]
      owner: [user, group#member]
      editor: [user]
      viewer: [user, 'user:*', group#member]
      blocked: [user, group#member]
    permissions:
      view: ${view}
      edit: ${edit}
`,
    'property.yaml',
  );
}

const MONOTONE_VIEWS = ['owner | viewer | parent->view', '(owner | viewer) & parent->view', 'viewer | parent->edit', 'owner | parent->view | edit'];
const MONOTONE_EDITS = ['owner & editor', 'editor | parent->edit', '(owner | editor) & view', 'owner | (editor & parent->view)'];
const EXCLUDING_VIEWS = ['(owner | viewer | parent->view) - blocked', 'viewer - parent->view', '(viewer | parent->view) - edit'];
const EXCLUDING_EDITS = ['owner - view', 'editor | parent->edit', '(owner | parent->edit) - blocked'];

const pick = (xs: string[]) => fc.constantFrom(...xs);
const relText = fc.oneof(
  fc.tuple(pick(FOLDERS), pick(FOLDERS)).map(([a, b]) => `folder:${a}#parent@folder:${b}`),
  fc.tuple(pick(FOLDERS), pick(['owner', 'editor', 'viewer', 'blocked']), pick(USERS)).map(([f, r, u]) => `folder:${f}#${r}@user:${u}`),
  fc.tuple(pick(FOLDERS), pick(['viewer', 'owner', 'blocked']), pick(GROUPS)).map(([f, r, g]) => `folder:${f}#${r}@group:${g}#member`),
  pick(FOLDERS).map((f) => `folder:${f}#viewer@user:*`),
  fc.tuple(pick(GROUPS), pick(USERS)).map(([g, u]) => `group:${g}#member@user:${u}`),
  fc.tuple(pick(GROUPS), pick(GROUPS)).map(([g, h]) => `group:${g}#member@group:${h}#member`),
);
const rels = fc.uniqueArray(relText, { maxLength: 18 }).map((texts) => texts.map((t) => parseRelationship(t)!));

const CHECKS: CheckRequest[] = [];
for (const u of USERS)
  for (const f of FOLDERS)
    for (const action of ['view', 'edit', 'owner', 'viewer']) CHECKS.push({ subject: { type: 'user', id: u }, action: { name: action }, resource: { type: 'folder', id: f } });
for (const u of USERS) for (const g of GROUPS) CHECKS.push({ subject: { type: 'user', id: u }, action: { name: 'member' }, resource: { type: 'group', id: g } });

const keyOf = (r: CheckRequest) => `${r.resource.type}:${r.resource.id}#${r.action.name}@${r.subject.id}`;

function decide(model: Model, relationships: Relationship[]): Map<string, boolean> {
  const engine = new ReferenceEngine(model, { decisionLog: false });
  engine.write(relationships);
  const out = new Map<string, boolean>();
  for (const request of CHECKS) {
    const d = engine.check(request);
    expect(d.error, keyOf(request)).toBeUndefined();
    out.set(keyOf(request), d.allowed);
  }
  return out;
}

/** Naive least fixed point over every (object, relation-or-permission, user): an independent oracle for monotone models. */
function fixpoint(model: Model, relationships: Relationship[]): Map<string, boolean> {
  const facts = new Set<string>();
  const has = (obj: string, name: string, user: string) => facts.has(`${obj}#${name}@${user}`);
  const tuples = relationships.map((r) => ({ obj: `${r.resource.type}:${r.resource.id}`, rel: r.relation, subj: `${r.subject.type}:${r.subject.id}`, srel: r.subject.relation }));
  const evalRewrite = (obj: string, rw: Rewrite, user: string): boolean => {
    switch (rw.kind) {
      case 'computed':
        return has(obj, rw.relation, user);
      case 'tupleToUserset':
        return tuples.some((t) => t.obj === obj && t.rel === rw.tupleset && !t.srel && has(t.subj, rw.computed, user));
      case 'union':
        return rw.children.some((c) => evalRewrite(obj, c, user));
      case 'intersection':
        return rw.children.every((c) => evalRewrite(obj, c, user));
      case 'exclusion':
        throw new Error('not monotone');
    }
  };
  const objects = [...FOLDERS.map((f) => ['folder', `folder:${f}`]), ...GROUPS.map((g) => ['group', `group:${g}`])] as const;
  let changed = true;
  while (changed) {
    changed = false;
    for (const [type, obj] of objects as [string, string][]) {
      const def = model.types.get(type)!;
      for (const u of USERS) {
        const user = `user:${u}`;
        for (const name of def.relations.keys()) {
          if (has(obj, name, user)) continue;
          const holds = tuples.some((t) => t.obj === obj && t.rel === name && (t.srel ? has(t.subj, t.srel, user) : t.subj === user || t.subj === 'user:*'));
          if (holds) {
            facts.add(`${obj}#${name}@${user}`);
            changed = true;
          }
        }
        for (const [name, p] of def.permissions) {
          if (!has(obj, name, user) && evalRewrite(obj, p.rewrite, user)) {
            facts.add(`${obj}#${name}@${user}`);
            changed = true;
          }
        }
      }
    }
  }
  const out = new Map<string, boolean>();
  for (const request of CHECKS) out.set(keyOf(request), has(`${request.resource.type}:${request.resource.id}`, request.action.name, `user:${request.subject.id}`));
  return out;
}

const monotoneModel = fc.tuple(pick(MONOTONE_VIEWS), pick(MONOTONE_EDITS)).map(([v, e]) => modelWith(v, e));
const anyModel = fc.tuple(pick([...MONOTONE_VIEWS, ...EXCLUDING_VIEWS]), pick([...MONOTONE_EDITS, ...EXCLUDING_EDITS])).map(([v, e]) => modelWith(v, e));
const RUNS = { numRuns: 150 };

describe('reference evaluator properties', () => {
  it('deleting a relationship never turns a deny into an allow (no exclusion)', () => {
    fc.assert(
      fc.property(monotoneModel, rels, fc.nat(), (model, relationships, i) => {
        fc.pre(relationships.length > 0);
        const removed = relationships[i % relationships.length]!;
        const before = decide(model, relationships);
        const after = decide(
          model,
          relationships.filter((r) => r !== removed),
        );
        for (const [key, allowed] of after) if (allowed) expect(before.get(key), `${key} after deleting ${formatRelationship(removed)}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('adding a relationship never turns an allow into a deny (no exclusion)', () => {
    fc.assert(
      fc.property(monotoneModel, rels, relText, (model, relationships, addedText) => {
        const added = parseRelationship(addedText)!;
        const before = decide(model, relationships);
        const after = decide(model, [...relationships, added]);
        for (const [key, allowed] of before) if (allowed) expect(after.get(key), `${key} after adding ${addedText}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('agrees with a naive least fixed point on monotone models, cycles included', () => {
    fc.assert(
      fc.property(monotoneModel, rels, (model, relationships) => {
        expect(decide(model, relationships)).toEqual(fixpoint(model, relationships));
      }),
      RUNS,
    );
  });

  it('terminates on random graphs with cycles, exclusion included, and gives the same answer twice', () => {
    fc.assert(
      fc.property(anyModel, rels, (model, relationships) => {
        const first = decide(model, relationships);
        expect(decide(model, [...relationships].reverse())).toEqual(first);
      }),
      RUNS,
    );
  });
});
