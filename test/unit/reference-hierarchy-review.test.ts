// Cases a review found where the climb of hierarchies (src/reference/hierarchy.ts) answered
// otherwise than the walk: a check on an object no relationship names (its nested permissions can
// meet a cycle or the depth limit), what a climb decided met again deeper than the depth limit
// (the walk's memo answers it; the climb hands such a check to the walk), a climbed node met again
// through a userset, and a permission that climbs from every object of a long chain (each object
// climbed once per check, as the walk memoises it). Each compares the default engine with the
// plain walk (hierarchies and group index off): decision, error and reason.
import { describe, expect, it } from 'vitest';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { Evaluator } from '../../src/reference/evaluate.ts';
import { RelationshipStore } from '../../src/reference/store.ts';
import { model, rel } from '../helpers/model.ts';

{
  const M = model(`types:
  user: {}
  folder:
    relations:
      parent: [folder]
      viewer: [user]
      editor: [user]
    permissions:
      edit: editor | parent->edit
      view: viewer | edit | parent->view
`);

  const decide = (hierarchies: boolean, maxDepth: number, resource: string) => {
    const engine = new ReferenceEngine(M, { maxDepth, hierarchies, groupIndex: hierarchies });
    engine.write([rel('folder:f1#parent@folder:f0')]);
    const d = engine.check({ subject: { type: 'user', id: 'u0' }, action: { name: 'view' }, resource: { type: 'folder', id: resource } });
    return { allowed: d.allowed, error: d.error, reason: d.reason };
  };

  describe('climb on an object that does not exist skips the depth limit', () => {
    it('maxDepth 1, folder:nope#view', () => {
      expect(decide(true, 1, 'nope')).toEqual(decide(false, 1, 'nope'));
    });
  });

  const CYCLE = model(`types:
  user: {}
  folder:
    relations:
      parent: [folder]
      viewer: [user]
      editor: [user]
    permissions:
      view: viewer | edit | parent->view
      edit: editor | view
`);

  describe('climb on an object that does not exist skips the nested cycle', () => {
    it('default maxDepth, folder:nope#view', () => {
      const decide = (on: boolean) => {
        const engine = new ReferenceEngine(CYCLE, { hierarchies: on, groupIndex: on });
        engine.write([rel('folder:f1#parent@folder:f0')]);
        const d = engine.check({ subject: { type: 'user', id: 'u0' }, action: { name: 'view' }, resource: { type: 'folder', id: 'nope' } });
        return { allowed: d.allowed, error: d.error, reason: d.reason };
      };
      expect(decide(true)).toEqual(decide(false));
    });
  });

  const GROUPS = model(`types:
  user: {}
  group:
    relations:
      member: [user, group#member]
  folder:
    relations:
      parent: [folder]
      viewer: [user, group#member]
    permissions:
      view: viewer | parent->view
`);

  describe('a climbed node met again by a userset written without validation, near the depth limit', () => {
    for (const groupIndex of [true, false])
      it(`groupIndex ${groupIndex}`, () => {
        const decide = (on: boolean) => {
          const engine = new ReferenceEngine(GROUPS, { validateWrites: false, maxDepth: 2, hierarchies: on, groupIndex: on && groupIndex });
          engine.write(['folder:f0#viewer@group:g0#member', 'group:g0#member@folder:f0#view'].map(rel));
          const d = engine.check({ subject: { type: 'user', id: 'u0' }, action: { name: 'view' }, resource: { type: 'folder', id: 'f0' } });
          return { allowed: d.allowed, error: d.error, reason: d.reason };
        };
        expect(decide(true)).toEqual(decide(false));
      });
  });
}

{
  const M = model(`types:
  user: {}
  folder:
    relations:
      parent: [folder]
      viewer: [user]
    permissions:
      view: viewer | parent->view
      nh: (viewer & viewer) | parent->nh2
      nh2: nh
      x: view | nh
`);

  const decide = (on: boolean, maxDepth: number) => {
    const e = new ReferenceEngine(M, { maxDepth, hierarchies: on, groupIndex: on, decisionLog: false });
    e.write(['folder:f1#parent@folder:f0', 'folder:f2#parent@folder:f1', 'folder:f3#parent@folder:f2', ...['f0', 'f1', 'f2', 'f3'].map((f) => `folder:${f}#viewer@user:other`)].map(rel));
    const d = e.check({ subject: { type: 'user', id: 'u' }, action: { name: 'x' }, resource: { type: 'folder', id: 'f3' } });
    return { allowed: d.allowed, error: d.error, reason: d.reason };
  };

  describe('relations the climb read are not memoised', () => {
    for (const maxDepth of [5, 6, 7, 8, 9, 10]) it(`maxDepth ${maxDepth}`, () => expect(decide(true, maxDepth)).toEqual(decide(false, maxDepth)));
  });

  const EDITORS = model(`types:
  user: {}
  group:
    relations:
      member: [user, group#member, folder#editor]
  folder:
    relations:
      parent: [folder]
      viewer: [user, group#member]
      editor: [user]
    permissions:
      edit: editor | parent->edit
      view: viewer | edit | parent->view
`);

  describe('a relation the climb read directly, met again deeper through groups (validated writes)', () => {
    for (const groupIndex of [true, false])
      it(`groupIndex ${groupIndex}`, () => {
        const decide = (on: boolean) => {
          const e = new ReferenceEngine(EDITORS, { maxDepth: 4, hierarchies: on, groupIndex: on && groupIndex, decisionLog: false });
          e.write(
            ['folder:f1#parent@folder:f0', 'folder:f0#editor@user:other', 'folder:f0#viewer@group:g0#member', 'group:g0#member@group:g1#member', 'group:g1#member@folder:f0#editor'].map(rel),
          );
          const d = e.check({ subject: { type: 'user', id: 'u0' }, action: { name: 'view' }, resource: { type: 'folder', id: 'f1' } });
          return { allowed: d.allowed, error: d.error, reason: d.reason };
        };
        expect(decide(true)).toEqual(decide(false));
      });
  });

  const WATCH = model(`types:
  user: {}
  group:
    relations:
      member: [user, group#member, folder#view]
  folder:
    relations:
      parent: [folder]
      viewer: [user]
      watcher: [user, group#member]
    permissions:
      view: viewer | parent->view
      x: (view & view) | watcher
`);

  describe('a hierarchy node the climb climbed, met again deeper (validated writes)', () => {
    for (const groupIndex of [true, false])
      it(`groupIndex ${groupIndex}`, () => {
        const decide = (on: boolean) => {
          const e = new ReferenceEngine(WATCH, { maxDepth: 4, hierarchies: on, groupIndex: on && groupIndex, decisionLog: false });
          e.write(
            ['folder:f1#parent@folder:f0', 'folder:f1#watcher@group:g0#member', 'group:g0#member@group:g1#member', 'group:g1#member@group:g2#member', 'group:g2#member@folder:f0#view'].map(
              rel,
            ),
          );
          const d = e.check({ subject: { type: 'user', id: 'u0' }, action: { name: 'x' }, resource: { type: 'folder', id: 'f1' } });
          return { allowed: d.allowed, error: d.error, reason: d.reason };
        };
        expect(decide(true)).toEqual(decide(false));
      });
  });
}

{
  const M = model(`types:
  user: {}
  folder:
    relations:
      parent: [folder]
      viewer: [user]
    permissions:
      view: viewer | parent->view
      nh: (viewer & viewer) | parent->nh2
      nh2: nh
      x: view | xx
      xx: nh
`);

  const decide = (on: boolean, n: number) => {
    const e = new ReferenceEngine(M, { hierarchies: on, groupIndex: on, decisionLog: false });
    const rels = [];
    for (let i = 1; i < n; i++) rels.push(`folder:f${i}#parent@folder:f${i - 1}`);
    for (let i = 0; i < n; i++) rels.push(`folder:f${i}#viewer@user:other`);
    e.write(rels.map(rel));
    const d = e.check({ subject: { type: 'user', id: 'u' }, action: { name: 'x' }, resource: { type: 'folder', id: `f${n - 1}` } });
    return { allowed: d.allowed, error: d.error };
  };

  it('a chain of 2 to 40 folders read through nested permissions, at the default depth limit', () => {
    const diffs = [];
    for (let n = 2; n <= 40; n++) {
      const a = decide(true, n);
      const b = decide(false, n);
      if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push({ n, on: a, off: b });
    }
    expect(diffs).toEqual([]);
  });
}

{
  const M = model(`types:
  user: {}
  folder:
    relations:
      parent: [folder]
      viewer: [user]
      ok: [user]
    permissions:
      view: viewer | parent->view
      read: (view & ok) | parent->read
`);

  function run(hierarchies: boolean, n: number, maxSteps: number) {
    const store = new RelationshipStore();
    for (let i = 1; i < n; i++) store.write(rel(`folder:f${i}#parent@folder:f${i - 1}`));
    for (let i = 0; i < n; i++) store.write(rel(`folder:f${i}#viewer@user:other`));
    const ev = new Evaluator({ model: M, store, conditions: new Map(), hierarchies, groupIndex: false, maxDepth: 1000, limits: { maxSteps } });
    try {
      const d = ev.check({ subject: { type: 'user', id: 'u' }, action: { name: 'read' }, resource: { type: 'folder', id: `f${n - 1}` } });
      return { allowed: d.allowed, reason: d.reason };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  describe('a budget over a long chain', () => {
    it('a permission that climbs from each object of a 200-folder chain: each climbed once, within the steps the walk takes', () => {
      const walk = run(false, 200, 5000);
      const climb = run(true, 200, 5000);
      expect(climb).toEqual(walk);
    });
  });
}
