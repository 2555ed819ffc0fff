// A first-in, first-out queue of numbers in one growing Float64Array: what the decision log
// keeps of each entry's grant chain. Its entries leave in the order they came, so their numbers
// do too: a ring whose positions are absolute (they only grow), read back by position. On a
// shared buffer, as the store's columns (int32-column.ts): V8 does not count it as external
// memory, whose growth (32 MB for 200,000 chains of ten links) starts full collections.

import { float64Column } from './int32-column.ts';

export class NumberQueue {
  #buffer = float64Column(1024);
  /** Absolute position of the oldest number kept, and of the next one pushed. */
  #head = 0;
  #tail = 0;

  /** Appends `values`; returns the absolute position of the first. */
  push(values: ArrayLike<number>): number {
    const count = values.length;
    if (this.#tail + count - this.#head > this.#buffer.length) this.#grow(this.#tail + count - this.#head);
    const buffer = this.#buffer;
    const size = buffer.length;
    const start = this.#tail;
    for (let i = 0; i < count; i++) buffer[(start + i) % size] = values[i]!;
    this.#tail = start + count;
    return start;
  }

  /** The number at absolute `position` (one still kept). */
  at(position: number): number {
    return this.#buffer[position % this.#buffer.length]!;
  }

  /** Forgets every number before absolute `position`. */
  releaseTo(position: number): void {
    if (position > this.#head) this.#head = Math.min(position, this.#tail);
  }

  clear(): void {
    this.#buffer = float64Column(1024);
    this.#head = this.#tail = 0;
  }

  /** A buffer at least twice as large, the kept numbers at the same absolute positions. */
  #grow(needed: number): void {
    const old = this.#buffer;
    let size = old.length * 2;
    while (size < needed) size *= 2;
    const buffer = float64Column(size);
    for (let p = this.#head; p < this.#tail; p++) buffer[p % size] = old[p % old.length]!;
    this.#buffer = buffer;
  }
}
