// The reference store's integer hash table (src/reference/int-table.ts) against a Map, through
// growth and many deletes (a delete shifts later entries back: every key must stay findable; a
// growth moves entries in slot order: every key must stay findable too).

import { describe, expect, it } from 'vitest';
import { IntTable } from '../../src/reference/int-table.ts';
import { mulberry32 } from '../../scenarios/generators/random.ts';

describe('IntTable', () => {
  it('agrees with a Map over 20,000 random sets and deletes on a small key space (long probe runs)', () => {
    const table = new IntTable();
    const reference = new Map<string, number>();
    const rng = mulberry32(7);
    for (let i = 0; i < 20_000; i++) {
      const [a, b, c] = [rng.int(40) - 1, rng.int(30), rng.int(3) - 1];
      const key = `${a} ${b} ${c}`;
      if (rng.chance(0.4)) {
        expect(table.delete(a, b, c)).toBe(reference.delete(key));
      } else {
        table.set(a, b, c, i);
        reference.set(key, i);
      }
      if (i % 1000 === 0) {
        for (const [k, v] of reference) {
          const [x, y, z] = k.split(' ').map(Number);
          expect(table.get(x!, y!, z!)).toBe(v);
        }
      }
    }
    expect(table.size).toBe(reference.size);
    for (let a = -1; a < 39; a++) for (let b = 0; b < 30; b++) for (let c = -1; c < 2; c++) expect(table.get(a, b, c)).toBe(reference.get(`${a} ${b} ${c}`) ?? -1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(0, 0, 0)).toBe(-1);
  });

  it('keeps every key through growth from 16 slots to 2^15 and deletes after it, with a reserved table alike', () => {
    const rng = mulberry32(3);
    const grownTable = new IntTable();
    const reserved = new IntTable();
    reserved.reserve(20_000);
    const reference = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const [a, b, c] = [rng.int(1 << 30), rng.int(1 << 30) - (1 << 29), rng.int(4) - 1];
      grownTable.set(a, b, c, i);
      reserved.set(a, b, c, i);
      reference.set(`${a} ${b} ${c}`, i);
    }
    let n = 0;
    for (const key of reference.keys()) {
      if (n++ % 2 === 0) continue;
      const [a, b, c] = key.split(' ').map(Number) as [number, number, number];
      expect(grownTable.delete(a, b, c)).toBe(true);
      expect(reserved.delete(a, b, c)).toBe(true);
      reference.delete(key);
    }
    for (const table of [grownTable, reserved]) {
      expect(table.size).toBe(reference.size);
      for (const [key, value] of reference) {
        const [a, b, c] = key.split(' ').map(Number) as [number, number, number];
        expect(table.get(a, b, c)).toBe(value);
      }
    }
  });
});
