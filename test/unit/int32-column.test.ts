// The reference store's columns (src/reference/int32-column.ts): a column that holds enough is
// never copied (the store's single writes after a bulk load copied every object row each, when
// `resized` copied on any length change), growth is geometric, contents are kept.

import { describe, expect, it } from 'vitest';
import { grown, int32Column, resized } from '../../src/reference/int32-column.ts';

describe('int32 columns', () => {
  it('resized copies only to hold more, exactly that many, keeping the contents', () => {
    const column = int32Column(8);
    column.set([1, 2, 3]);
    expect(resized(column, 8)).toBe(column);
    expect(resized(column, 3)).toBe(column);
    const bigger = resized(column, 20);
    expect(bigger.length).toBe(20);
    expect([...bigger.slice(0, 4)]).toEqual([1, 2, 3, 0]);
  });

  it('grown copies only to hold more, by at least half again, so n single growths copy O(n) in all', () => {
    let column = int32Column(0);
    let copies = 0;
    for (let needed = 1; needed <= 100_000; needed++) {
      const next = grown(column, needed);
      if (next !== column) copies++;
      column = next;
    }
    expect(column.length).toBeGreaterThanOrEqual(100_000);
    expect(copies).toBeLessThan(40);
  });
});
