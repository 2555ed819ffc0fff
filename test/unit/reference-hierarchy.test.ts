// The climb of hierarchies (src/reference/hierarchy.ts, Evaluator.#climb) against the walk it
// replaces: two reference engines, climbing on and off, get the same random writes and deletes
// and must give the same decision (allowed, error, reason, chain) to every check after each
// change. Models where it climbs (documents in folders with nested view/edit, wildcard and group
// shares, several parents, cycles, chains deeper than a small depth limit) and where it must
// fall back to the walk (a cycle through two types, conditions, usersets and parents written
// without validation).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { formatRelationship, type Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { Model } from '../../src/model/types.ts';
import { ReferenceEngine, type ReferenceOptions } from '../../src/reference/engine.ts';
import { Evaluator } from '../../src/reference/evaluate.ts';
import { findHierarchies } from '../../src/reference/hierarchy.ts';
import { RelationshipStore } from '../../src/reference/store.ts';
import { model, NOT_EXPIRED_YAML, rel } from '../helpers/model.ts';

const USERS = ['u0', 'u1', 'u2'];
const GROUPS = ['g0', 'g1', 'g2'];
const FOLDERS = ['f0', 'f1', 'f2', 'f3'];
const DOCUMENTS = ['d0', 'd1'];

const itemYaml = (name: string, parent: string, viewer = "[user, 'user:*', group#member]") => `  ${name}:
    relations:
      parent: ${parent}
      viewer: ${viewer}
      editor: [user, group#member]
    permissions:
      edit: editor | parent->edit
      view: viewer | edit | parent->view
`;
const GROUP_YAML = '  user: {}\n  group:\n    relations:\n      member: [user, group#member]\n';
const DRIVE = model(`types:\n${GROUP_YAML}${itemYaml('folder', '[folder]')}${itemYaml('document', '[folder]')}`);

interface Case {
  name: string;
  model: Model;
  pool: string[];
  options?: ReferenceOptions;
}

const parents = [
  ...FOLDERS.slice(1).map((f, i) => `folder:${f}#parent@folder:${FOLDERS[i]}`),
  'folder:f0#parent@folder:f3',
  'folder:f3#parent@folder:f1',
  ...DOCUMENTS.flatMap((d) => [`document:${d}#parent@folder:f3`, `document:${d}#parent@folder:f2`]),
];
const shares = [...FOLDERS.map((f) => `folder:${f}`), ...DOCUMENTS.map((d) => `document:${d}`)].flatMap((o) => [
  `${o}#viewer@user:u0`,
  `${o}#editor@user:u1`,
  ...GROUPS.map((g) => `${o}#viewer@group:${g}#member`),
  `${o}#editor@group:g2#member`,
]);
const groups = [...GROUPS.flatMap((g) => USERS.map((u) => `group:${g}#member@user:${u}`)), 'group:g0#member@group:g1#member', 'group:g1#member@group:g0#member'];

const CASES: Case[] = [
  { name: 'documents in folders: nested view/edit, group shares, several parents, cycles', model: DRIVE, pool: [...parents, ...shares, ...groups, 'folder:f1#viewer@user:*'] },
  { name: 'a chain deeper than a small depth limit', model: DRIVE, pool: [...parents, ...shares, ...groups], options: { maxDepth: 4 } },
  {
    name: 'a cycle through two types (the walk says undecided)',
    model: model(`types:\n${GROUP_YAML}${itemYaml('folder', '[folder, document]')}${itemYaml('document', '[folder]')}`),
    pool: [...parents, ...shares, 'folder:f0#parent@document:d0', 'folder:f2#parent@document:d1'],
  },
  {
    name: 'a conditioned share',
    model: model(`types:\n${GROUP_YAML}${itemYaml('folder', '[folder]', '[user, user with not_expired, group#member]')}${itemYaml('document', '[folder]')}${NOT_EXPIRED_YAML}`),
    pool: [...parents, ...shares, 'folder:f1#viewer@user:u2[not_expired]'],
  },
  {
    name: 'usersets and parents written without validation',
    model: DRIVE,
    pool: [...parents, ...shares, ...groups, 'folder:f0#viewer@folder:f2#view', 'group:g1#member@document:d0#edit', 'folder:f1#parent@group:g0', 'document:d1#parent@document:d0'],
    options: { validateWrites: false },
  },
];

const CHECKS: CheckRequest[] = [];
for (const subject of [...USERS, 'nobody'])
  for (const resource of [...FOLDERS.map((id) => ({ type: 'folder', id })), ...DOCUMENTS.map((id) => ({ type: 'document', id }))])
    for (const action of ['view', 'edit', 'viewer']) CHECKS.push({ subject: { type: 'user', id: subject }, action: { name: action }, resource });

function answers(engine: ReferenceEngine): unknown[] {
  return CHECKS.map((request) => {
    const decision = engine.check(request);
    const chain = decision.chain.map(formatRelationship);
    return {
      request: `${request.resource.type}:${request.resource.id}#${request.action.name}@${request.subject.id}`,
      allowed: decision.allowed,
      error: decision.error,
      reason: decision.reason,
      chain,
    };
  });
}

const parse = (texts: string[]): Relationship[] =>
  texts.map((text) => {
    const condition = text.endsWith('[not_expired]');
    const r = rel(condition ? text.slice(0, -'[not_expired]'.length) : text);
    return condition ? { ...r, condition: { name: 'not_expired', parameters: { expires_at: '2000-01-01T00:00:00Z' } } } : r;
  });

const change = (pool: string[]) => fc.record({ write: fc.boolean(), texts: fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 10 }) });

describe('climbing hierarchies gives the answers of the walk it replaces', () => {
  for (const c of CASES) {
    it(`${c.name}: climbing on and off agree after every random write and delete`, () => {
      fc.assert(
        fc.property(fc.array(change(c.pool), { minLength: 1, maxLength: 8 }), (changes) => {
          const on = new ReferenceEngine(c.model, { decisionLog: false, ...c.options });
          const off = new ReferenceEngine(c.model, { decisionLog: false, ...c.options, hierarchies: false });
          for (const { write, texts } of changes) {
            for (const engine of [on, off]) write ? engine.write(parse(texts)) : engine.delete(parse(texts));
            expect(answers(on), `after ${write ? 'writing' : 'deleting'} ${texts.join(', ')}`).toEqual(answers(off));
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it('climbs: a check up a chain of folders resolves its first node only (the walk resolves every node on the way)', () => {
    const chain = ['document:d0#parent@folder:f3', 'folder:f3#parent@folder:f2', 'folder:f2#parent@folder:f1', 'folder:f1#parent@folder:f0', 'folder:f0#editor@user:u1'];
    const resolves = (hierarchies: boolean) => {
      const store = new RelationshipStore();
      for (const r of parse(chain)) store.write(r);
      const evaluator = new Evaluator({ model: DRIVE, store, conditions: new Map(), hierarchies });
      const spy = vi.spyOn(evaluator, 'resolve');
      const decision = evaluator.check({ subject: { type: 'user', id: 'u1' }, action: { name: 'view' }, resource: { type: 'document', id: 'd0' } });
      expect(decision.chain.map(formatRelationship)).toEqual(chain);
      return spy.mock.calls.length;
    };
    expect(resolves(true)).toBe(1);
    expect(resolves(false)).toBeGreaterThan(10);
  });
});

describe('findHierarchies', () => {
  const found = (m: Model) => {
    const store = new RelationshipStore();
    return findHierarchies(store, m).flatMap((byName, type) =>
      byName.flatMap((h, name) => (h ? [`${store.typeName(type)}#${store.name(name)}: ${h.steps.map((s) => ['relation', 'nested', 'up'][s.kind]).join(' ')}`] : [])),
    );
  };

  it('finds permissions that climb through parents, nested ones too', () => {
    expect(found(DRIVE).sort()).toEqual(['document#edit: relation up', 'document#view: relation nested up', 'folder#edit: relation up', 'folder#view: relation nested up']);
  });

  it('finds none that an intersection, an exclusion, a userset parent or a conditioned parent makes the walk decide', () => {
    const base = (permissions: string, parent = '[folder]') =>
      model(`types:\n${GROUP_YAML}  folder:\n    relations:\n      parent: ${parent}\n      viewer: [user]\n      blocked: [user]\n    permissions:\n${permissions}${NOT_EXPIRED_YAML}`);
    expect(found(base('      view: viewer & parent->view\n'))).toEqual([]);
    expect(found(base('      view: viewer | parent->view\n      read: view - blocked\n'))).toEqual(['folder#view: relation up']);
    expect(found(base('      view: viewer | parent->view\n', '[folder, group#member]'))).toEqual([]);
    expect(found(base('      view: viewer | parent->view\n', '[folder with not_expired]'))).toEqual([]);
    // `parent->read` names a permission that is not a hierarchy: neither is view.
    expect(found(base('      read: (viewer | parent->read) - blocked\n      view: viewer | parent->read\n'))).toEqual([]);
  });

  it('finds none when a relation they read leads back into one (a userset of a hierarchy permission)', () => {
    const back = model(
      `types:\n  user: {}\n  group:\n    relations:\n      member: [user, folder#view]\n  folder:\n    relations:\n      parent: [folder]\n      viewer: [user, group#member]\n    permissions:\n      view: viewer | parent->view\n`,
    );
    expect(found(back)).toEqual([]);
  });
});
