import { describe, expect, it } from 'vitest';
import reference from '../../adapters/reference/index.ts';
import { testContext } from '../helpers/engines.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { RelationshipStore } from '../../src/reference/store.ts';
import { foldersYaml, model as parseModelYaml, rel as parseRel, req } from '../helpers/model.ts';

const model = (yaml: string) => parseModelYaml(yaml, 'm.yaml');
const rel = (text: string, condition?: Relationship['condition']): Relationship => (condition ? { ...parseRel(text), condition } : parseRel(text));

const MODEL = model(foldersYaml({ blocked: '[user, group#member]', permissions: ['edit_or_read: edit | read', 'nested: (owner | editor) - (blocked & viewer)'] }));

function engine(...rels: (string | Relationship)[]): ReferenceEngine {
  const e = new ReferenceEngine(MODEL);
  e.write(rels.map((r) => (typeof r === 'string' ? rel(r) : r)));
  return e;
}

const allowed = (e: ReferenceEngine, s: string, a: string, r: string, ctx?: Record<string, unknown>) => e.check(req(s, a, r, ctx)).allowed;

describe('reference engine: rewrites', () => {
  it('direct relations and computed relations', () => {
    const e = engine('folder:a#owner@user:anne');
    expect(allowed(e, 'user:anne', 'owner', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:bob', 'view', 'folder:a')).toBe(false);
    expect(allowed(e, 'user:anne', 'view', 'folder:b')).toBe(false);
  });

  it('union, intersection and exclusion', () => {
    const e = engine('folder:a#owner@user:anne', 'folder:a#editor@user:anne', 'folder:a#owner@user:bob', 'folder:a#viewer@user:carl', 'folder:a#blocked@user:carl');
    expect(allowed(e, 'user:anne', 'edit', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:bob', 'edit', 'folder:a')).toBe(false);
    expect(allowed(e, 'user:bob', 'read', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:carl', 'view', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:carl', 'read', 'folder:a')).toBe(false);
    expect(e.check(req('user:carl', 'read', 'folder:a')).reason).toMatch(/excluded by 'blocked'/);
    expect(allowed(e, 'user:bob', 'edit_or_read', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:carl', 'edit_or_read', 'folder:a')).toBe(false);
  });

  it('parenthesised mixes', () => {
    const e = engine('folder:a#editor@user:anne', 'folder:a#blocked@user:anne', 'folder:a#editor@user:bob', 'folder:a#blocked@user:bob', 'folder:a#viewer@user:bob');
    expect(allowed(e, 'user:anne', 'nested', 'folder:a')).toBe(true); // blocked but not viewer
    expect(allowed(e, 'user:bob', 'nested', 'folder:a')).toBe(false); // blocked & viewer
  });

  it('tuple to userset through parents, with the grant chain', () => {
    const e = engine('folder:c#parent@folder:b', 'folder:b#parent@folder:a', 'folder:a#owner@user:anne');
    const d = e.check(req('user:anne', 'view', 'folder:c'));
    expect(d.allowed).toBe(true);
    expect(d.chain.map((r) => `${r.resource.id}#${r.relation}`)).toEqual(['c#parent', 'b#parent', 'a#owner']);
    expect(d.reason).toBe('folder:c#view granted by folder:c#parent@folder:b -> folder:b#parent@folder:a -> folder:a#owner@user:anne');
    expect(allowed(e, 'user:anne', 'view', 'folder:b')).toBe(true);
    expect(allowed(e, 'user:anne', 'owner', 'folder:c')).toBe(false);
  });

  it('usersets, nested groups and a group cycle', () => {
    const e = engine(
      'folder:a#viewer@group:eng#member',
      'group:eng#member@group:backend#member',
      'group:backend#member@user:anne',
      'group:backend#member@group:eng#member', // cycle eng <-> backend
    );
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:bob', 'view', 'folder:a')).toBe(false);
    expect(allowed(e, 'user:anne', 'member', 'group:eng')).toBe(true);
    const d = e.check(req('user:anne', 'view', 'folder:a'));
    expect(d.chain).toHaveLength(3);
  });

  it('a folder parent cycle terminates', () => {
    const e = engine('folder:a#parent@folder:b', 'folder:b#parent@folder:a', 'folder:b#viewer@user:anne');
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:bob', 'view', 'folder:a')).toBe(false);
  });

  it('wildcards apply to every subject of the type only', () => {
    const e = engine('folder:a#viewer@user:*');
    expect(allowed(e, 'user:anyone', 'view', 'folder:a')).toBe(true);
    expect(allowed(e, 'group:x', 'view', 'folder:a')).toBe(false);
  });

  it('exclusion through a userset', () => {
    const e = engine('folder:a#viewer@user:*', 'folder:a#blocked@group:bad#member', 'group:bad#member@user:mallory');
    expect(allowed(e, 'user:anne', 'read', 'folder:a')).toBe(true);
    expect(allowed(e, 'user:mallory', 'read', 'folder:a')).toBe(false);
  });
});

describe('reference engine: conditions', () => {
  const cond = (expires_at?: string) => ({ name: 'not_expired', ...(expires_at ? { parameters: { expires_at } } : {}) });
  const e = () => engine(rel('folder:a#viewer@user:anne', cond('2026-01-01T00:00:00Z')));

  it('allows when the condition is true and denies when false', () => {
    expect(allowed(e(), 'user:anne', 'view', 'folder:a', { now: '2025-06-01T00:00:00Z' })).toBe(true);
    const d = e().check(req('user:anne', 'view', 'folder:a', { now: '2026-06-01T00:00:00Z' }));
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/condition 'not_expired' .* is false/);
  });

  it('fails closed on a missing parameter, saying which', () => {
    const d = e().check(req('user:anne', 'view', 'folder:a'));
    expect(d.allowed).toBe(false);
    expect(d.error).toBeUndefined();
    expect(d.reason).toMatch(/missing parameter 'now'/);
  });

  it('context fills parameters the relationship does not bind', () => {
    const x = engine(rel('folder:a#viewer@user:anne', cond()));
    expect(allowed(x, 'user:anne', 'view', 'folder:a', { now: '2025-01-01T00:00:00Z', expires_at: '2025-02-01T00:00:00Z' })).toBe(true);
    expect(allowed(x, 'user:anne', 'view', 'folder:a', { now: '2025-03-01T00:00:00Z', expires_at: '2025-02-01T00:00:00Z' })).toBe(false);
  });

  it('a missing parameter under an exclusion denies (fails closed)', () => {
    const m = model(`
types:
  user: {}
  doc:
    relations:
      viewer: [user]
      blocked: [user with flag]
    permissions:
      read: viewer - blocked
conditions:
  flag:
    parameters: {on: bool}
    expression: on
`);
    const x = new ReferenceEngine(m);
    x.write([rel('doc:1#viewer@user:anne'), { ...rel('doc:1#blocked@user:anne'), condition: { name: 'flag' } }]);
    expect(x.check(req('user:anne', 'read', 'doc:1')).allowed).toBe(false);
    expect(x.check(req('user:anne', 'read', 'doc:1', { on: false })).allowed).toBe(true);
    expect(x.check(req('user:anne', 'read', 'doc:1', { on: true })).allowed).toBe(false);
  });

  it('another path still grants when one conditional path is undecided', () => {
    const x = engine(rel('folder:a#viewer@user:anne', cond('2026-01-01T00:00:00Z')), 'folder:a#owner@user:anne');
    expect(allowed(x, 'user:anne', 'view', 'folder:a')).toBe(true);
  });

  it('subject and resource properties reach the condition', () => {
    const m = model(`
types:
  user: {}
  doc:
    relations:
      viewer: [user with clearance]
    permissions:
      view: viewer
conditions:
  clearance:
    parameters: {subject: map<any>, resource: map<any>}
    expression: subject.level >= resource.level
`);
    const x = new ReferenceEngine(m);
    x.write([{ ...rel('doc:1#viewer@user:anne'), condition: { name: 'clearance' } }]);
    const r = (s: number) => ({ subject: { type: 'user', id: 'anne', properties: { level: s } }, action: { name: 'view' }, resource: { type: 'doc', id: '1', properties: { level: 2 } } });
    expect(x.check(r(3)).allowed).toBe(true);
    expect(x.check(r(1)).allowed).toBe(false);
  });
});

describe('reference engine: deny reasons', () => {
  it('an exclusion on a related object says why through the tuple-to-userset', () => {
    const m = model(`
types:
  user: {}
  project:
    relations:
      member: [user]
      banned: [user]
    permissions:
      read: member - banned
  doc:
    relations:
      parent: [project]
    permissions:
      read: parent->read
`);
    const e = new ReferenceEngine(m);
    e.write(['project:p#member@user:sam', 'project:p#banned@user:sam', 'doc:plan#parent@project:p'].map((t) => rel(t)));
    const d = e.check(req('user:sam', 'read', 'doc:plan'));
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe("user:sam is denied doc:plan#read: excluded by 'banned' on project:p (project:p#banned@user:sam)");
  });
});

describe('reference engine: the explanation is built when read, as it was at the check', () => {
  it('names the granting relationships after they are deleted and their tuple numbers reused', () => {
    const e = engine('folder:b#parent@folder:a', 'folder:a#owner@user:anne');
    const granted = e.check(req('user:anne', 'view', 'folder:b'));
    const denied = e.check(req('user:bob', 'view', 'folder:b'));
    e.delete([rel('folder:b#parent@folder:a'), rel('folder:a#owner@user:anne')]);
    e.write([rel('folder:x#owner@user:zed'), rel('folder:y#parent@folder:x')]);
    expect(granted.allowed).toBe(true);
    expect(granted.reason).toBe('folder:b#view granted by folder:b#parent@folder:a -> folder:a#owner@user:anne');
    expect(granted.chain).toEqual([rel('folder:b#parent@folder:a'), rel('folder:a#owner@user:anne')]);
    expect(denied.reason).toBe('no relationship grants user:bob folder:b#view');
  });

  it('keeps a condition of the chain as it was when decided', () => {
    const until = (expires_at: string) => ({ name: 'not_expired', parameters: { expires_at } });
    const e = engine(rel('folder:a#viewer@user:anne', until('2099-01-01T00:00:00Z')));
    const now = { now: '2026-11-30T00:00:00Z' };
    const d = e.check(req('user:anne', 'view', 'folder:a', now));
    e.write([rel('folder:a#viewer@user:anne', until('2000-01-01T00:00:00Z'))]);
    expect(d.allowed).toBe(true);
    expect(d.chain[0]!.condition).toEqual(until('2099-01-01T00:00:00Z'));
    expect(allowed(e, 'user:anne', 'view', 'folder:a', now)).toBe(false);
  });

  it('says the chain is gone when the engine was reset before it was read', () => {
    const e = engine('folder:a#owner@user:anne');
    const d = e.check(req('user:anne', 'view', 'folder:a'));
    e.reset(MODEL);
    e.write([rel('folder:z#owner@user:zed')]);
    expect(d.allowed).toBe(true);
    expect(d.reason).toBe('folder:a#view granted (the grant chain is gone: the engine was reset after this check)');
    expect(d.chain).toEqual([]);
  });

  it('logs the reason of the moment, read after later writes; the adapter hands it over when read and in JSON', async () => {
    const a = reference.create(undefined);
    await a.start(await testContext('reference'));
    await a.loadModel(MODEL);
    await a.write([rel('folder:a#owner@user:anne')]);
    const d = await a.check(req('user:anne', 'view', 'folder:a'));
    await a.delete([rel('folder:a#owner@user:anne')]);
    await a.write([rel('folder:q#owner@user:quinn')]);
    expect(d.reason).toBe('folder:a#view granted by folder:a#owner@user:anne');
    expect(JSON.parse(JSON.stringify(d))).toEqual({ allowed: true, decisionId: d.decisionId, reason: 'folder:a#view granted by folder:a#owner@user:anne' });
    const [entry] = await a.readDecisionLog!();
    expect(entry).toMatchObject({ decisionId: d.decisionId, allowed: true, reason: 'folder:a#view granted by folder:a#owner@user:anne' });
    await a.stop();
  });
});

describe('reference engine: limits and errors', () => {
  it('gives a clear error past the depth limit', () => {
    const rels = Array.from({ length: 60 }, (_, i) => `folder:f${i + 1}#parent@folder:f${i}`);
    const e = engine(...rels, 'folder:f0#owner@user:anne');
    expect(allowed(e, 'user:anne', 'view', 'folder:f20')).toBe(true);
    const d = e.check(req('user:anne', 'view', 'folder:f60'));
    expect(d.allowed).toBe(false);
    expect(d.error).toMatch(/^depth limit 50 exceeded at folder:f\d+#(view|owner|viewer)$/);
  });

  it('a deep group chain hits the limit too; a small limit is configurable', () => {
    const e = new ReferenceEngine(MODEL, { maxDepth: 3 });
    e.write(
      ['folder:a#viewer@group:g0#member', 'group:g0#member@group:g1#member', 'group:g1#member@group:g2#member', 'group:g2#member@group:g3#member', 'group:g3#member@user:anne'].map((t) =>
        rel(t),
      ),
    );
    expect(e.check(req('user:anne', 'view', 'folder:a')).error).toMatch(/depth limit 3 exceeded at group:g\d#member/);
  });

  it('rejects an unknown action or type with an error, and writes the model does not allow', () => {
    const e = engine();
    expect(e.check(req('user:anne', 'fly', 'folder:a')).error).toMatch(/'fly' is not a relation or permission/);
    expect(e.check(req('user:anne', 'view', 'ship:a')).error).toMatch(/unknown resource type/);
    expect(() => e.write([rel('folder:a#owner@group:eng#member')])).toThrow(/allows only \[user\]/);
    expect(() => e.write([rel('folder:a#view@user:anne')])).toThrow(/permission/);
    expect(() => e.write([rel('folder:a#owner@user:*')])).toThrow(/allows only/);
    expect(() => e.write([{ ...rel('folder:a#owner@user:anne'), condition: { name: 'not_expired' } }])).toThrow(/not allowed/);
    expect(e.store.size).toBe(0);
  });

  it('a write with one relationship the model does not allow writes none of the batch, and names every refused one', () => {
    const e = engine('folder:a#owner@user:anne');
    const batch = ['folder:b#owner@user:bob', 'folder:a#owner@group:eng#member', 'folder:c#viewer@user:carl', 'folder:c#view@user:carl'].map((text) => rel(text));
    expect(() => e.write(batch)).toThrow(
      "cannot write: folder:a#owner@group:eng#member: subject not allowed: folder#owner allows only [user] (write a subject of one of these forms); folder:c#view@user:carl: 'view' is a permission of 'folder', which is computed, not written",
    );
    expect(e.relationships()).toEqual(['folder:a#owner@user:anne']);
    expect(allowed(e, 'user:bob', 'owner', 'folder:b')).toBe(false);
    expect(allowed(e, 'user:carl', 'view', 'folder:c')).toBe(false);
    expect(e.store.resourceIds('folder')).toEqual(['a']);
  });

  it('a bulk write asks about each shape it has not accepted yet: a wildcard, a condition or a refused shape again is asked about again', () => {
    const e = engine();
    // After folder#owner@user was accepted: the same with a wildcard subject, with a condition, and a refused shape twice.
    const batch = ['folder:a#owner@user:anne', 'folder:b#owner@user:bob', 'folder:c#owner@user:*', 'folder:d#owner@group:eng#member', 'folder:e#owner@group:ops#member'].map((text) =>
      rel(text),
    );
    batch.push({ ...rel('folder:f#owner@user:fay'), condition: { name: 'not_expired' } });
    expect(() => e.write(batch)).toThrow(
      /^cannot write: folder:c#owner@user:\*: subject not allowed.*; folder:d#owner@group:eng#member: subject not allowed.*; folder:e#owner@group:ops#member: subject not allowed.*; folder:f#owner@user:fay\[not_expired\]: condition 'not_expired' is not allowed here/,
    );
    expect(e.store.size).toBe(0);
    e.write(batch.slice(0, 2));
    expect(e.relationships()).toEqual(['folder:a#owner@user:anne', 'folder:b#owner@user:bob']);
  });
});

describe('reference engine: writes, deletes, lookups', () => {
  it('writes and deletes are visible to the very next check; both are idempotent', () => {
    const e = engine();
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(false);
    e.write([rel('folder:a#viewer@user:anne')]);
    e.write([rel('folder:a#viewer@user:anne')]);
    expect(e.store.size).toBe(1);
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(true);
    e.delete([rel('folder:a#viewer@user:anne')]);
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(false);
    e.delete([rel('folder:a#viewer@user:anne')]);
    expect(e.store.size).toBe(0);
  });

  it('identity ignores the condition: a rewrite replaces it, a delete removes it', () => {
    const e = engine(rel('folder:a#viewer@user:anne', { name: 'not_expired', parameters: { expires_at: '2020-01-01T00:00:00Z' } }));
    const ctx = { now: '2025-01-01T00:00:00Z' };
    expect(allowed(e, 'user:anne', 'view', 'folder:a', ctx)).toBe(false);
    e.write([rel('folder:a#viewer@user:anne', { name: 'not_expired', parameters: { expires_at: '2030-01-01T00:00:00Z' } })]);
    expect(e.store.size).toBe(1);
    expect(allowed(e, 'user:anne', 'view', 'folder:a', ctx)).toBe(true);
    e.delete([rel('folder:a#viewer@user:anne')]);
    expect(allowed(e, 'user:anne', 'view', 'folder:a', ctx)).toBe(false);
  });

  it('removing a group membership revokes access through it', () => {
    const e = engine('folder:a#viewer@group:eng#member', 'group:eng#member@user:anne');
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(true);
    e.delete([rel('group:eng#member@user:anne')]);
    expect(allowed(e, 'user:anne', 'view', 'folder:a')).toBe(false);
  });

  it('lookupResources lists every reachable resource of a type', () => {
    const e = engine(
      'folder:b#parent@folder:a',
      'folder:c#parent@folder:b',
      'folder:a#owner@user:anne',
      'folder:z#owner@user:bob',
      'folder:y#viewer@group:g#member',
      'group:g#member@user:anne',
    );
    expect(e.lookupResources({ type: 'user', id: 'anne' }, 'view', 'folder').map((r) => r.id)).toEqual(['a', 'b', 'c', 'y']);
    expect(e.lookupResources({ type: 'user', id: 'bob' }, 'view', 'folder').map((r) => r.id)).toEqual(['z']);
    expect(e.lookupResources({ type: 'user', id: 'anne' }, 'nope', 'folder')).toEqual([]);
  });

  it('the store indexes by subject and by resource type', () => {
    const s = new RelationshipStore();
    s.write(rel('folder:a#viewer@group:eng#member'));
    s.write(rel('folder:b#viewer@group:eng#member'));
    s.write(rel('folder:b#owner@user:anne'));
    expect(s.bySubject('group:eng#member')).toHaveLength(2);
    expect(s.resourceIds('folder').sort()).toEqual(['a', 'b']);
    s.delete(rel('folder:a#viewer@group:eng#member'));
    expect(s.resourceIds('folder')).toEqual(['b']);
    expect(s.bySubject('group:eng#member')).toHaveLength(1);
  });
});

describe('reference adapter', () => {
  it('declares its log, policy updates and info', () => {
    const a = reference.create(undefined);
    expect(reference).toMatchObject({ id: 'reference', first: true, install: { kind: 'embedded' } });
    expect(a).toMatchObject({ decisionLog: 'decision', embedded: true });
    expect(a.updateModel).toBeTypeOf('function');
    expect(a.info()).toMatchObject({ name: 'authz-bench reference engine', launch: 'embedded', version: '0.1.0' });
    expect(a.unsupported(MODEL)).toEqual([]);
  });

  it('logs every decision since loadModel with its id, fields and reason', async () => {
    const a = reference.create(undefined);
    await a.start(await testContext('reference'));
    await a.loadModel(MODEL);
    await a.write([rel('folder:a#owner@user:anne')]);
    await a.check(req('user:zed', 'view', 'folder:a'));
    await a.loadModel(MODEL); // a fresh store and log
    expect(await a.readDecisionLog!()).toEqual([]);
    expect((await a.check(req('user:anne', 'view', 'folder:a'))).allowed).toBe(false);
    await a.write([rel('folder:a#owner@user:anne')]);
    const d1 = await a.check(req('user:anne', 'view', 'folder:a', { ip: '10.0.0.1' }));
    const [d2, d3] = await a.checkBatch([req('user:bob', 'view', 'folder:a'), req('user:anne', 'edit', 'folder:a')]);
    expect(d1).toMatchObject({ allowed: true });
    expect(d1).not.toHaveProperty('chain');
    const log = await a.readDecisionLog!();
    expect(log).toHaveLength(4);
    const ids = log.map((e) => e.decisionId);
    expect(new Set(ids).size).toBe(4);
    expect(ids.slice(1)).toEqual([d1.decisionId, d2!.decisionId, d3!.decisionId]);
    expect(log[1]).toMatchObject({
      subject: 'user:anne',
      action: 'view',
      resource: 'folder:a',
      context: { ip: '10.0.0.1' },
      allowed: true,
      reason: expect.stringContaining('folder:a#owner@user:anne'),
    });
    expect(typeof log[1]!.time).toBe('string');
    expect(log[2]).toMatchObject({ subject: 'user:bob', allowed: false, reason: expect.stringMatching(/no relationship grants user:bob/) });
    expect(log[1]!.missing).toBeUndefined();
  });

  it('updateModel keeps relationships and applies the new policy', async () => {
    const a = reference.create(undefined);
    await a.loadModel(MODEL);
    await a.write([rel('folder:a#owner@user:anne')]);
    const stricter = model(`
types:
  user: {}
  folder:
    relations:
      owner: [user]
      editor: [user]
    permissions:
      view: owner & editor
`);
    await a.updateModel!(stricter);
    expect((await a.check(req('user:anne', 'view', 'folder:a'))).allowed).toBe(false);
    await a.write([rel('folder:a#editor@user:anne')]);
    expect((await a.check(req('user:anne', 'view', 'folder:a'))).allowed).toBe(true);
    // An action the new model no longer has is an error again, though the last check asked it.
    await a.updateModel!(model('types:\n  user: {}\n  folder:\n    relations:\n      owner: [user]\n'));
    expect((await a.check(req('user:anne', 'view', 'folder:a'))).error).toBe("'view' is not a relation or permission of type 'folder'");
    expect((await a.check(req('user:anne', 'owner', 'folder:a'))).allowed).toBe(true);
    expect((await a.check(req('user:anne', 'owner', 'doc:a'))).error).toBe("unknown resource type 'doc'");
    // A fresh engine has seen no valid type and action: empty ones are looked up, and refused.
    const fresh = reference.create(undefined);
    await fresh.loadModel(MODEL);
    const empty = { subject: { type: 'user', id: 'a' }, action: { name: '' }, resource: { type: '', id: '1' } };
    expect((await fresh.check(empty)).error).toBe("unknown resource type ''");
  });

  it('refuses to work before a model is loaded', async () => {
    const a = reference.create(undefined);
    await expect(a.check(req('user:anne', 'view', 'folder:a'))).rejects.toThrow(/no model loaded/);
  });
});
