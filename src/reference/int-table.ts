// A hash table from three 32-bit integers to a non-negative integer, in one typed array: the
// reference store's indexes (store.ts) at a few dozen bytes per entry instead of a Map of
// string keys and its strings. Open addressing with linear probing; each slot holds its key
// and value side by side (one cache line per probe); a delete shifts the entries behind it
// back (no tombstones), so a lookup stops at the first empty slot. A slot holds its value plus
// one, so a new table's zeroed memory is all empty slots without being written first (a bulk
// load's tables span tens of megabytes). A key's home slot is the top bits of its hash: doubling
// the table sends slot i to 2i or 2i + 1, so growing reads the old table and writes the new one in
// order (a stream, not a cache miss per entry: tables grow by themselves during a bulk load).

/** What a lookup returns when the key is absent. */
import { type Int32Column, int32Column } from './int32-column.ts';

const EMPTY = -1;
/** An empty slot's value field. */
const FREE = 0;
const MAX_LOAD = 0.7;
/** Slot layout: a, b, c, value. */
const STRIDE = 4;

export class IntTable {
  #slots: Int32Column;
  #mask: number;
  /** 32 - log2(slot count): a hash's top bits are its home slot. */
  #shift: number;
  #size = 0;

  constructor(capacity = 16) {
    const bits = Math.max(4, Math.ceil(Math.log2(capacity / MAX_LOAD)));
    this.#slots = int32Column((1 << bits) * STRIDE);
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored under (a, b, c), or -1. */
  get(a: number, b: number, c: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = slotOf(a, b, c, this.#shift); ; i = (i + 1) & mask) {
      const s = i * STRIDE;
      const stored = slots[s + 3]!;
      if (stored === FREE) return EMPTY;
      if (slots[s] === a && slots[s + 1] === b && slots[s + 2] === c) return stored - 1;
    }
  }

  /** Stores `value` (>= 0) under (a, b, c), replacing any value there. */
  set(a: number, b: number, c: number, value: number): void {
    this.#put(a, b, c, value, true);
  }

  /** Stores `value` under (a, b, c) unless a value is there: returns that value, or -1 when it stored (one probe for both). */
  add(a: number, b: number, c: number, value: number): number {
    return this.#put(a, b, c, value, false);
  }

  /** Stores `value` under (a, b, c) and returns the value it replaces, or -1 (one probe for both). */
  swap(a: number, b: number, c: number, value: number): number {
    return this.#put(a, b, c, value, true);
  }

  /** The value that was under (a, b, c) (or -1); stores `value` when there was none, or when `replace`. */
  #put(a: number, b: number, c: number, value: number, replace: boolean): number {
    if (this.#size + 1 > (this.#mask + 1) * MAX_LOAD) this.#grow();
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = slotOf(a, b, c, this.#shift); ; i = (i + 1) & mask) {
      const s = i * STRIDE;
      if (slots[s + 3] === FREE) {
        slots[s] = a;
        slots[s + 1] = b;
        slots[s + 2] = c;
        slots[s + 3] = value + 1;
        this.#size++;
        return EMPTY;
      }
      if (slots[s] === a && slots[s + 1] === b && slots[s + 2] === c) {
        const old = slots[s + 3]! - 1;
        if (replace) slots[s + 3] = value + 1;
        return old;
      }
    }
  }

  /** Removes (a, b, c); returns whether it was there. */
  delete(a: number, b: number, c: number): boolean {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = slotOf(a, b, c, this.#shift);
    for (; ; i = (i + 1) & mask) {
      const s = i * STRIDE;
      if (slots[s + 3] === FREE) return false;
      if (slots[s] === a && slots[s + 1] === b && slots[s + 2] === c) break;
    }
    // Backward shift: move later entries of the probe run into the hole when their home slot allows.
    for (let j = i; ; ) {
      slots[i * STRIDE + 3] = FREE;
      for (;;) {
        j = (j + 1) & mask;
        const s = j * STRIDE;
        if (slots[s + 3] === FREE) {
          this.#size--;
          return true;
        }
        const home = slotOf(slots[s]!, slots[s + 1]!, slots[s + 2]!, this.#shift);
        // The entry at j stays when its home lies cyclically in (i, j].
        const stays = i <= j ? i < home && home <= j : i < home || home <= j;
        if (!stays) break;
      }
      slots.copyWithin(i * STRIDE, j * STRIDE, j * STRIDE + STRIDE);
      i = j;
    }
  }

  /** Makes room for `count` entries in all without growing again. */
  reserve(count: number): void {
    while (count > (this.#mask + 1) * MAX_LOAD) this.#grow();
  }

  clear(): void {
    this.#slots.fill(FREE);
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#slots;
    const count = ((this.#mask + 1) * 2) | 0;
    const slots = int32Column(count * STRIDE);
    const mask = count - 1;
    const shift = this.#shift - 1;
    this.#slots = slots;
    this.#mask = mask;
    this.#shift = shift;
    // Entries in old slot order go to (nearly) increasing new slots.
    for (let s = 0; s < old.length; s += STRIDE) {
      if (old[s + 3] === FREE) continue;
      const a = old[s]!;
      const b = old[s + 1]!;
      const c = old[s + 2]!;
      let i = slotOf(a, b, c, shift);
      while (slots[i * STRIDE + 3] !== FREE) i = (i + 1) & mask;
      const t = i * STRIDE;
      slots[t] = a;
      slots[t + 1] = b;
      slots[t + 2] = c;
      slots[t + 3] = old[s + 3]!;
    }
  }
}

/** A well-mixed hash of the key (multiply-xorshift); its top `32 - shift` bits are the home slot. */
function slotOf(a: number, b: number, c: number, shift: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77) ^ Math.imul(c ^ 0x165667b1, 0xc2b2ae3d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  // `| 0`: an int32 to the compiler (shift >= 1), so the slot arithmetic stays in integers.
  return (h >>> shift) | 0;
}
