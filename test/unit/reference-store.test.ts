// The reference store's write path (src/reference/store.ts): objects found by id exactly, whatever
// their key (packed short ids, hashed long ones, ids that hash alike), a bulk write that leaves
// the store exactly as writing one relationship at a time does, and the store against a Map of
// relationships (an ordered Map by identity: what the store must hold, in what order) through
// buckets that grow past the tuple index's threshold and shrink back.

import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scenarios/generators/random.ts';
import { formatObject, formatSubject, type Relationship, relationshipKey } from '../../src/core/relationship.ts';
import { INDEXED_FROM, NONE, RelationshipStore } from '../../src/reference/store.ts';

const viewer = (type: string, id: string, subject: string): Relationship => ({ resource: { type, id }, relation: 'viewer', subject: { type: 'user', id: subject } });

describe('reference store: objects', () => {
  it('finds every object by its exact id: short, long, non-Latin-1, empty, and ids whose hashes collide', () => {
    // 'document-786599' and 'document-1026726' have the same FNV-1a hash (the long-id key); so do
    // 'document-786598' and 'document-1026727'. 'a' and '\0a' pack to the same characters, at different lengths.
    const ids = ['', 'a', '\0a', 'ab', 'é', '日本', '12345678', '123456789', 'document-786599', 'document-1026726', 'document-786598'];
    const store = new RelationshipStore();
    for (const [i, id] of ids.entries()) {
      store.write(viewer('doc', id, `u${i}`));
      store.write(viewer('folder', id, `u${i}`));
    }
    const nodes = new Set<number>();
    for (const [i, id] of ids.entries()) {
      for (const type of ['doc', 'folder']) {
        const node = store.node(type, id);
        expect(node, `${type}:${id}`).not.toBe(NONE);
        expect(store.formatNode(node)).toBe(`${type}:${id}`);
        expect(store.has(viewer(type, id, `u${i}`))).toBe(true);
        expect(store.has(viewer(type, id, `u${i + 1}`))).toBe(false);
        nodes.add(node);
      }
    }
    expect(nodes.size).toBe(ids.length * 2);
    // Never written, though its key collides with a written id's.
    expect(store.node('doc', 'document-1026727')).toBe(NONE);
    expect(store.node('doc', 'b')).toBe(NONE);
    expect(store.node('user', 'a')).toBe(NONE);
    expect(store.resourceIds('doc')).toEqual(ids);
  });
});

describe('reference store: bulk writes', () => {
  it('writeAll leaves the store as write does one at a time: order, duplicates, conditions, reused tuple numbers', () => {
    const rng = mulberry32(11);
    const random = (count: number): Relationship[] =>
      Array.from({ length: count }, () => {
        const group = rng.chance(0.3);
        const condition = rng.chance(0.2) ? { condition: { name: 'c', parameters: { n: rng.int(3) } } } : {};
        return {
          resource: { type: rng.chance(0.5) ? 'doc' : 'folder', id: `r${rng.int(60)}` },
          relation: rng.chance(0.5) ? 'viewer' : 'editor',
          subject: group ? { type: 'group', id: `g${rng.int(10)}`, relation: 'member' } : { type: 'user', id: rng.chance(0.05) ? '*' : `u${rng.int(40)}` },
          ...condition,
        };
      });
    const one = new RelationshipStore();
    const bulk = new RelationshipStore();
    // Batches longer than a chunk, with duplicates inside a chunk; deletes between them free tuple numbers for reuse.
    for (let round = 0; round < 3; round++) {
      const batch = random(1500);
      for (const rel of batch) one.write(rel);
      bulk.writeAll(batch);
      const gone = random(400);
      for (const rel of gone) expect(bulk.delete(rel)).toBe(one.delete(rel));
      expect(bulk.size).toBe(one.size);
      expect(bulk.all()).toEqual(one.all());
    }
    for (const subject of ['user:u1', 'user:*', 'group:g3#member', 'user:nobody']) expect(bulk.bySubject(subject)).toEqual(one.bySubject(subject));
    for (const type of ['doc', 'folder', 'user']) expect(bulk.resourceIds(type)).toEqual(one.resourceIds(type));
    expect(bulk.size).toBeGreaterThan(1000);
  });
});

describe('reference store: a bulk write that stops', () => {
  it('leaves the objects its first pass found usable when `accept` refuses one or throws', () => {
    const store = new RelationshipStore();
    const batch = ['d1', 'd2', 'd3', 'd4'].map((id) => viewer('doc', id, `u-${id}`));
    expect(store.writeAll(batch, (rel) => rel.resource.id !== 'd2')).toBe(false);
    // A new shape (editor) is asked about: the validator throws there, after d1..d3 were found.
    const editor = { ...viewer('doc', 'd6', 'u-d6'), relation: 'editor' };
    expect(() =>
      store.writeAll([...batch.slice(0, 3), editor, batch[3]!], (rel) => {
        if (rel.relation === 'editor') throw new Error('validator failed');
        return true;
      }),
    ).toThrow('validator failed');
    expect(store.size).toBe(0);
    // Objects found before the refusal or the error have rows: new buckets and relationships on them work, and single writes after.
    for (const rel of batch) expect(store.write(rel)).toBe(true);
    expect(store.writeAll([viewer('doc', 'd5', 'u-d5'), viewer('doc', 'd1', 'u-d1')])).toBe(true);
    expect(store.size).toBe(5);
    expect(store.resourceIds('doc')).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    for (const id of ['d1', 'd5']) expect(store.bucket(store.node('doc', id), store.findName('viewer'))).not.toBe(NONE);
  });
});

describe('reference store: against a Map of relationships', () => {
  // Few resources and many subjects: buckets grow past INDEXED_FROM tuples and shrink below it again.
  const resources = [0, 1, 2].flatMap((i) => [
    { type: 'doc', id: `d${i}` },
    { type: 'folder', id: `a-long-folder-name-${i}` },
  ]);
  const relations = ['viewer', 'editor'];
  const subjects = [
    ...Array.from({ length: 14 }, (_, i) => ({ type: 'user', id: `u${i}` })),
    { type: 'user', id: '*' },
    ...Array.from({ length: 8 }, (_, i) => ({ type: 'group', id: `g${i}`, relation: 'member' })),
  ];
  const every = resources.flatMap((resource) => relations.flatMap((relation) => subjects.map((subject): Relationship => ({ resource, relation, subject }))));

  /** What the store holds, read through its lists: per (resource, relation), the direct then the userset tuples, in order. */
  function lists(store: RelationshipStore): string[] {
    const out: string[] = [];
    for (const resource of resources) {
      for (const relation of relations) {
        const bucket = store.bucket(store.node(resource.type, resource.id), store.findName(relation));
        if (bucket === NONE) continue;
        for (const head of [store.directHead(bucket), store.usersetHead(bucket)]) {
          for (let t = head; t !== NONE; t = store.next(t)) out.push(`${relationshipKey(store.relationship(t))}${store.condition(t)?.parameters?.n ?? ''}`);
        }
      }
    }
    return out;
  }

  /** The same, from the Map: its order is insertion order, a rewrite keeping its place, as in the store. */
  function expected(model: Map<string, Relationship>): string[] {
    const out: string[] = [];
    for (const resource of resources) {
      for (const relation of relations) {
        const here = [...model.values()].filter((r) => formatObject(r.resource) === formatObject(resource) && r.relation === relation);
        for (const rel of [...here.filter((r) => !r.subject.relation), ...here.filter((r) => r.subject.relation)]) out.push(`${relationshipKey(rel)}${rel.condition?.parameters?.n ?? ''}`);
      }
    }
    return out;
  }

  it('holds what a Map holds, in its order, through writes, bulk writes and deletes', () => {
    const rng = mulberry32(5);
    const store = new RelationshipStore();
    const model = new Map<string, Relationship>();
    const random = (): Relationship => {
      const rel = rng.pick(every);
      return rng.chance(0.3) ? { ...rel, condition: { name: 'c', parameters: { n: rng.int(5) } } } : rel;
    };
    const write = (rel: Relationship) => {
      const key = relationshipKey(rel);
      // A rewrite keeps its place in the Map as in the store's list.
      model.set(key, rel);
    };
    let largest = 0;
    // Buckets (by position) that have held more than INDEXED_FROM tuples, and whether one then went back to INDEXED_FROM or fewer.
    const large = new Set<number>();
    let shrunk = false;
    for (let round = 0; round < 60; round++) {
      // Growth rounds, then shrink rounds, then mixed: every bucket crosses the threshold both ways.
      const deletes = round < 20 ? 0.1 : round < 40 ? 0.97 : 0.5;
      for (let i = 0; i < 40; i++) {
        const rel = random();
        if (rng.chance(deletes)) {
          expect(store.delete(rel)).toBe(model.delete(relationshipKey(rel)));
        } else if (rng.chance(0.5)) {
          expect(store.write(rel)).toBe(!model.has(relationshipKey(rel)));
          write(rel);
        } else {
          const batch = Array.from({ length: 1 + rng.int(8) }, random);
          expect(store.writeAll(batch)).toBe(true);
          for (const rel of batch) write(rel);
        }
      }
      expect(store.size).toBe(model.size);
      expect(lists(store)).toEqual(expected(model));
      for (const rel of every) {
        const stored = model.get(relationshipKey(rel));
        expect(store.has(rel), relationshipKey(rel)).toBe(stored !== undefined);
        expect(store.get(rel)?.condition).toEqual(stored?.condition);
        const resource = store.node(rel.resource.type, rel.resource.id);
        const bucket = resource === NONE ? NONE : store.bucket(resource, store.findName(rel.relation));
        const subject = store.node(rel.subject.type, rel.subject.id);
        if (!rel.subject.relation && bucket !== NONE && subject !== NONE) expect(store.directTuple(bucket, subject) !== NONE).toBe(stored !== undefined);
      }
      for (const subject of subjects) {
        const text = formatSubject(subject);
        expect(new Set(store.bySubject(text).map(relationshipKey))).toEqual(new Set([...model.values()].filter((r) => formatSubject(r.subject) === text).map(relationshipKey)));
      }
      const sizes = resources.flatMap((resource) =>
        relations.map((relation) => [...model.values()].filter((r) => formatObject(r.resource) === formatObject(resource) && r.relation === relation).length),
      );
      largest = Math.max(largest, ...sizes);
      for (const [i, size] of sizes.entries()) {
        if (size > INDEXED_FROM) large.add(i);
        else if (large.has(i)) shrunk = true;
      }
    }
    // The run did cross the threshold, both ways.
    expect(largest).toBeGreaterThan(INDEXED_FROM + 4);
    expect(shrunk).toBe(true);
    expect(store.resourceIds('doc').sort()).toEqual([...new Set([...model.values()].filter((r) => r.resource.type === 'doc').map((r) => r.resource.id))].sort());
  });
});

describe('reference store: relation slots', () => {
  it('finds every bucket and its lists, in a slot or in the index: types with more relations than slots, name ids past 32, deletes and clear', () => {
    const store = new RelationshipStore();
    // Name ids 0..39 taken first, so the relations below get ids past the slot table's 32.
    for (let i = 0; i < 40; i++) store.nameId(`padding${i}`);
    const relations = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? `r${i}` : `padding${30 + i}`));
    const rng = mulberry32(5);
    const stored = new Map<string, Relationship>();
    const written = new Set<string>();
    const key = (r: Relationship) => `${r.resource.type}:${r.resource.id}#${r.relation}@${r.subject.type}:${r.subject.id}${r.subject.relation ? `#${r.subject.relation}` : ''}`;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3000; i++) {
        const rel: Relationship = {
          resource: { type: rng.chance(0.5) ? 'doc' : 'folder', id: `o${rng.int(50)}` },
          relation: relations[rng.int(relations.length)]!,
          subject: rng.chance(0.3) ? { type: 'group', id: `g${rng.int(5)}`, relation: 'member' } : { type: 'user', id: `u${rng.int(20)}` },
        };
        if (rng.chance(0.3)) {
          expect(store.delete(rel)).toBe(stored.delete(key(rel)));
        } else {
          store.write(rel);
          stored.set(key(rel), rel);
          written.add(`${rel.resource.type}:${rel.resource.id}#${rel.relation}`);
        }
      }
      expect(store.size).toBe(stored.size);
      for (const type of ['doc', 'folder']) {
        for (let o = 0; o < 50; o++) {
          for (const relation of relations) {
            const node = store.node(type, `o${o}`);
            const bucket = node === NONE ? NONE : store.bucket(node, store.findName(relation));
            // A bucket stays once made (deletes leave it empty): it exists exactly where something was written.
            expect(bucket !== NONE, `${type}:o${o}#${relation}`).toBe(written.has(`${type}:o${o}#${relation}`));
            if (bucket !== NONE) {
              // The node row's copies of the list heads follow the bucket's through appends and deletes.
              const name = store.findName(relation);
              expect(store.directHeadOf(node, name, bucket), `${type}:o${o}#${relation} direct`).toBe(store.directHead(bucket));
              expect(store.usersetHeadOf(node, name, bucket), `${type}:o${o}#${relation} usersets`).toBe(store.usersetHead(bucket));
            }
            for (let u = 0; u < 20; u++) {
              const rel: Relationship = { resource: { type, id: `o${o}` }, relation, subject: { type: 'user', id: `u${u}` } };
              if (store.has(rel) !== stored.has(key(rel))) expect(store.has(rel), key(rel)).toBe(stored.has(key(rel)));
            }
          }
        }
      }
      store.clear();
      stored.clear();
      written.clear();
    }
  });
});
