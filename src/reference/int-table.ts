// A hash table from up to three 32-bit integers to a non-negative integer, in typed arrays:
// the reference store's indexes (store.ts) at a few dozen bytes per entry instead of a Map
// of string keys and its strings. Open addressing with linear probing; a delete shifts the
// entries behind it back (no tombstones), so a lookup stops at the first empty slot.

const EMPTY = -1;
const MAX_LOAD = 0.7;

export class IntTable {
  #keys: Int32Array;
  #values: Int32Array;
  #mask: number;
  #size = 0;

  constructor(capacity = 16) {
    const slots = 1 << Math.max(4, Math.ceil(Math.log2(capacity / MAX_LOAD)));
    this.#keys = new Int32Array(slots * 3);
    this.#values = new Int32Array(slots).fill(EMPTY);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value stored under (a, b, c), or -1. */
  get(a: number, b: number, c: number): number {
    const keys = this.#keys;
    const values = this.#values;
    for (let i = slotOf(a, b, c, this.#mask); ; i = (i + 1) & this.#mask) {
      const value = values[i]!;
      if (value === EMPTY) return EMPTY;
      const k = i * 3;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) return value;
    }
  }

  /** Stores `value` (>= 0) under (a, b, c), replacing any value there. */
  set(a: number, b: number, c: number, value: number): void {
    if ((this.#size + 1) > (this.#mask + 1) * MAX_LOAD) this.#grow();
    const keys = this.#keys;
    const values = this.#values;
    for (let i = slotOf(a, b, c, this.#mask); ; i = (i + 1) & this.#mask) {
      const k = i * 3;
      if (values[i] === EMPTY) {
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        values[i] = value;
        this.#size++;
        return;
      }
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) {
        values[i] = value;
        return;
      }
    }
  }

  /** Removes (a, b, c); returns whether it was there. */
  delete(a: number, b: number, c: number): boolean {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let i = slotOf(a, b, c, mask);
    for (; ; i = (i + 1) & mask) {
      if (values[i] === EMPTY) return false;
      const k = i * 3;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) break;
    }
    // Backward shift: move later entries of the probe run into the hole when their home slot allows.
    for (let j = i; ; ) {
      values[i] = EMPTY;
      for (;;) {
        j = (j + 1) & mask;
        if (values[j] === EMPTY) {
          this.#size--;
          return true;
        }
        const home = slotOf(keys[j * 3]!, keys[j * 3 + 1]!, keys[j * 3 + 2]!, mask);
        // The entry at j stays when its home lies cyclically in (i, j].
        const stays = i <= j ? i < home && home <= j : i < home || home <= j;
        if (!stays) break;
      }
      keys.copyWithin(i * 3, j * 3, j * 3 + 3);
      values[i] = values[j]!;
      i = j;
    }
  }

  clear(): void {
    this.#values.fill(EMPTY);
    this.#size = 0;
  }

  #grow(): void {
    const [keys, values] = [this.#keys, this.#values];
    const slots = values.length * 2;
    this.#keys = new Int32Array(slots * 3);
    this.#values = new Int32Array(slots).fill(EMPTY);
    this.#mask = slots - 1;
    this.#size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== EMPTY) this.set(keys[i * 3]!, keys[i * 3 + 1]!, keys[i * 3 + 2]!, values[i]!);
  }
}

/** A well-mixed home slot for the key (a multiply-xorshift hash). */
function slotOf(a: number, b: number, c: number, mask: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77) ^ Math.imul(c ^ 0x165667b1, 0xc2b2ae3d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h & mask;
}
