// The reference store's write path (src/reference/store.ts): objects found by id exactly, whatever
// their key (packed short ids, hashed long ones, ids that hash alike), and a bulk write that
// leaves the store exactly as writing one relationship at a time does.

import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../scenarios/generators/random.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import { NONE, RelationshipStore } from '../../src/reference/store.ts';

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
