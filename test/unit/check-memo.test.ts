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
    expect(memo.get(-5)).toBe('v-5');
    expect(memo.get(1999)).toBe('v1999');
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
});
