// Cases a review found where the climb of hierarchies (src/reference/hierarchy.ts) answered
// otherwise than the walk: a check on an object no relationship names (its nested permissions can
// meet a cycle or the depth limit), what a climb decided met again deeper than the depth limit
// (the walk's memo answers it; the climb hands such a check to the walk), a climbed node met again
// through a userset, and a permission that climbs from every object of a long chain (each object
// climbed once per check, as the walk memoises it). Each compares the default engine with the
// plain walk (hierarchies and group index off): decision, error and reason.
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/types.ts';
import { ReferenceEngine, type ReferenceOptions } from '../../src/reference/engine.ts';
import { Evaluator } from '../../src/reference/evaluate.ts';
import { RelationshipStore } from '../../src/reference/store.ts';
import { model, rel, req } from '../helpers/model.ts';

interface Case {
  model: Model;
  relationships: string[];
  /** `subject action resource`. */
  ask: string;
  options?: ReferenceOptions;
}

/** The decision of the default engine (`on`) or of the plain walk. */
function decide(c: Case, on: boolean, groupIndex = true) {
  const engine = new ReferenceEngine(c.model, { decisionLog: false, ...c.options, hierarchies: on, groupIndex: on && groupIndex });
  engine.write(c.relationships.map(rel));
  const [subject, action, resource] = c.ask.split(' ') as [string, string, string];
  const d = engine.check(req(subject, action, resource));
  return { allowed: d.allowed, error: d.error, reason: d.reason };
}

const sameAsTheWalk = (c: Case, groupIndex = true) => expect(decide(c, true, groupIndex)).toEqual(decide(c, false));

const FOLDERS = `types:
  user: {}
  group:
    relations:
      member: [user, group#member]
  folder:
    relations:
      parent: [folder]
      viewer: [user, group#member]
      editor: [user]
    permissions:
`;
const folders = (...permissions: string[]) => model(FOLDERS + permissions.map((p) => `      ${p}\n`).join(''));
const DRIVE = folders('edit: editor | parent->edit', 'view: viewer | edit | parent->view');
/** folder:f1 … f(n-1), each under the one before, each viewed by user:other. */
const chain = (n: number) => [...Array.from({ length: n - 1 }, (_, i) => `folder:f${i + 1}#parent@folder:f${i}`), ...Array.from({ length: n }, (_, i) => `folder:f${i}#viewer@user:other`)];

describe('an object no relationship names is walked: its nested permissions still meet', () => {
  it('the depth limit', () => sameAsTheWalk({ model: DRIVE, relationships: ['folder:f1#parent@folder:f0'], ask: 'user:u0 view folder:nope', options: { maxDepth: 1 } }));
  it('a cycle through two permissions', () =>
    sameAsTheWalk({ model: folders('view: viewer | edit | parent->view', 'edit: editor | view'), relationships: ['folder:f1#parent@folder:f0'], ask: 'user:u0 view folder:nope' }));
});

describe('what a climb decided, met again past the depth limit, is decided as the walk decides it (from its memo)', () => {
  const NESTED = folders('view: viewer | parent->view', 'nh: (viewer & viewer) | parent->nh2', 'nh2: nh', 'x: view | nh', 'xx: nh', 'y: view | xx');
  for (const maxDepth of [5, 6, 7, 8, 9, 10]) it(`maxDepth ${maxDepth}`, () => sameAsTheWalk({ model: NESTED, relationships: chain(4), ask: 'user:u x folder:f3', options: { maxDepth } }));
  it('chains of 2 to 40 folders at the default depth limit', () => {
    for (let n = 2; n <= 40; n++) sameAsTheWalk({ model: NESTED, relationships: chain(n), ask: `user:u y folder:f${n - 1}` });
  });

  const EDITORS = model(
    FOLDERS.replace('member: [user, group#member]', 'member: [user, group#member, folder#editor]') + '      edit: editor | parent->edit\n      view: viewer | edit | parent->view\n',
  );
  // viewer without groups: the climb applies (a group share of a hierarchy's relation that leads back to it would turn it off).
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
  for (const groupIndex of [true, false]) {
    it(`a relation the climb read, met again through groups (group index ${groupIndex ? 'on' : 'off'})`, () =>
      sameAsTheWalk(
        {
          model: EDITORS,
          relationships: [
            'folder:f1#parent@folder:f0',
            'folder:f0#editor@user:other',
            'folder:f0#viewer@group:g0#member',
            'group:g0#member@group:g1#member',
            'group:g1#member@folder:f0#editor',
          ],
          ask: 'user:u0 view folder:f1',
          options: { maxDepth: 4 },
        },
        groupIndex,
      ));
    it(`a node the climb climbed, met again through groups (group index ${groupIndex ? 'on' : 'off'})`, () =>
      sameAsTheWalk(
        {
          model: WATCH,
          relationships: [
            'folder:f1#parent@folder:f0',
            'folder:f1#watcher@group:g0#member',
            'group:g0#member@group:g1#member',
            'group:g1#member@group:g2#member',
            'group:g2#member@folder:f0#view',
          ],
          ask: 'user:u0 x folder:f1',
          options: { maxDepth: 4 },
        },
        groupIndex,
      ));
    it(`a climbed node met again by a userset written without validation (group index ${groupIndex ? 'on' : 'off'})`, () =>
      sameAsTheWalk(
        {
          model: folders('view: viewer | parent->view'),
          relationships: ['folder:f0#viewer@group:g0#member', 'group:g0#member@folder:f0#view'],
          ask: 'user:u0 view folder:f0',
          options: { validateWrites: false, maxDepth: 2 },
        },
        groupIndex,
      ));
  }
});

describe('a budget over a long chain', () => {
  it('a permission that climbs from each object of a 200-folder chain: each climbed once, within the steps the walk takes', () => {
    const READ = folders('view: viewer | parent->view', 'read: (view & editor) | parent->read');
    const run = (hierarchies: boolean) => {
      const store = new RelationshipStore();
      for (const r of chain(200)) store.write(rel(r));
      const evaluator = new Evaluator({ model: READ, store, conditions: new Map(), hierarchies, groupIndex: false, maxDepth: 1000, limits: { maxSteps: 5000 } });
      try {
        const d = evaluator.check(req('user:u', 'read', 'folder:f199'));
        return { allowed: d.allowed, reason: d.reason };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    expect(run(true)).toEqual(run(false));
    expect(run(true)).toEqual({ allowed: false, reason: 'no relationship grants user:u folder:f199#read' });
  });
});
