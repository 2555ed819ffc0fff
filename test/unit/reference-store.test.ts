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
