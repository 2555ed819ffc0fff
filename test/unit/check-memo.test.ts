// The evaluator's per-check memo (src/reference/memo.ts): entries of one check only, through
// growth, deletes and keys beyond 32 bits.

import { describe, expect, it } from 'vitest';
import { CheckMemo } from '../../src/reference/memo.ts';

describe('CheckMemo', () => {
  it('keeps the entries of the current check, forgets them on reset, and tells keys apart above 2^32', () => {
    const memo = new CheckMemo<string>();
    for (let k = -5; k < 2000; k++) memo.set(k, `v${k}`);
    memo.set(2 ** 40 + 1, 'big');
    memo.set(1, 'one');
    // Every one, the keys whose insertion grew the table included.
    for (let k = -5; k < 2000; k++) if (k !== 1) expect(memo.get(k)).toBe(`v${k}`);
    expect(memo.get(1)).toBe('one');
    expect(memo.get(2 ** 40 + 1)).toBe('big');
    expect(memo.get(2 ** 40)).toBeUndefined();
    memo.delete(7);
    expect(memo.get(7)).toBeUndefined();
    memo.set(7, 'again');
    expect(memo.get(7)).toBe('again');
    memo.reset();
    for (const k of [-5, 1, 7, 1999, 2 ** 40 + 1]) expect(memo.get(k)).toBeUndefined();
    memo.set(3, 'next check');
    expect(memo.get(3)).toBe('next check');
    expect(memo.get(4)).toBeUndefined();
  });

  it('gives a slot for a read and writes while the table does not grow (`resizes` says when it did)', () => {
    const memo = new CheckMemo<number>();
    const slot = memo.slot(42);
    expect(memo.valueAt(slot)).toBeUndefined();
    memo.setValueAt(slot, 1);
    expect(memo.get(42)).toBe(1);
    expect(memo.slot(42)).toBe(slot);
    const resizes = memo.resizes;
    for (let k = 0; k < 1000; k++) memo.slot(k + 100);
    expect(memo.resizes).toBeGreaterThan(resizes);
    expect(memo.get(42)).toBe(1);
    memo.setValueAt(memo.slot(42), undefined);
    expect(memo.get(42)).toBeUndefined();
  });
});
