// The evaluator's per-check memo: node key -> result, emptied in O(1) between checks by
// bumping a generation stamp instead of clearing (a Map per check costs an allocation and a
// hash of every key; this is a small typed-array table that stays in cache). Keys are exact
// up to 2^53 (Float64Array). Deleting leaves the key's slot with no value (a tombstone that
// the same key reuses), which is all the evaluator needs: it deletes a key only to recompute it.

const MAX_LOAD = 0.5;

export class CheckMemo<T> {
  #keys = new Float64Array(256);
  #stamps = new Int32Array(256);
  #values: (T | undefined)[] = new Array(256);
  #generation = 1;
  #used = 0;
  /** How many times the table grew: a slot number (slot()) holds until it grows again. */
  resizes = 0;

  /** Forgets every entry (the next check starts empty). */
  reset(): void {
    this.#generation++;
    this.#used = 0;
    if (this.#generation === 0x7fffffff) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
  }

  get(key: number): T | undefined {
    const i = this.#find(key);
    return i < 0 ? undefined : this.#values[i];
  }

  set(key: number, value: T): void {
    // The slot first: making it can grow the table, and with it the values array.
    const i = this.slot(key);
    this.#values[i] = value;
  }

  /** The slot of `key`, made with no value when absent: one probe for a read and a write (valueAt, setValueAt) while `resizes` stays. */
  slot(key: number): number {
    let i = this.#find(key);
    if (i >= 0) return i;
    if (this.#used + 1 > this.#keys.length * MAX_LOAD) {
      this.#grow();
      i = this.#find(key);
    }
    i = ~i;
    this.#keys[i] = key;
    this.#stamps[i] = this.#generation;
    this.#values[i] = undefined;
    this.#used++;
    return i;
  }

  valueAt(slot: number): T | undefined {
    return this.#values[slot];
  }

  setValueAt(slot: number, value: T | undefined): void {
    this.#values[slot] = value;
  }

  /** `key`'s value: at `slot` when the table has not grown since it was taken (`resizes` then), else by key. */
  update(slot: number, resizes: number, key: number, value: T | undefined): void {
    // The slot first: making it can grow the table, and with it the values array.
    const at = this.resizes === resizes ? slot : this.slot(key);
    this.#values[at] = value;
  }

  delete(key: number): void {
    const i = this.#find(key);
    if (i >= 0) this.#values[i] = undefined;
  }

  /** The slot holding `key` in this generation, or ~(the empty slot where it would go). */
  #find(key: number): number {
    const mask = this.#keys.length - 1;
    const stamps = this.#stamps;
    const generation = this.#generation;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      if (stamps[i] !== generation) return ~i;
      if (this.#keys[i] === key) return i;
    }
  }

  #grow(): void {
    this.resizes++;
    const [keys, stamps, values] = [this.#keys, this.#stamps, this.#values];
    const size = keys.length * 2;
    this.#keys = new Float64Array(size);
    this.#stamps = new Int32Array(size);
    this.#values = new Array(size);
    const generation = this.#generation;
    this.#used = 0;
    for (let i = 0; i < keys.length; i++) if (stamps[i] === generation) this.set(keys[i]!, values[i] as T);
  }
}

function hash(key: number): number {
  // Node keys are integers, mostly below 2^31; the high part folds in for the rest.
  let h = (key | 0) ^ ((key / 4294967296) | 0);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return h ^ (h >>> 15);
}
