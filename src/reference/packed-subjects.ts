// Each subject's direct tuples (no subject relation), packed side by side after a bulk write.
// A check lists its subject's direct tuples once (evaluate.ts, DirectTuples); from the store's
// by-subject list that is a linked list of tuple rows spread over the whole table, one cache
// miss after another (about nine at 10^6 for a user with three groups and a few shares). Packed,
// they are (bucket, tuple) pairs in one run: a miss or two. Writes after the packing do not
// repack: a subject whose direct tuples changed since is marked, and its list is read instead.

import { scratchColumn } from './int32-column.ts';

/** Tuple row fields the packing reads (store.ts passes its layout). */
export interface TupleLayout {
  rows: Int32Array;
  count: number;
  stride: number;
  bucket: number;
  subject: number;
  subjectRelation: number;
}

export class PackedSubjects {
  /** By node below `nodes`: where its pairs start in `pairs`; starts[node + 1] is where they end. */
  readonly #starts: Int32Array;
  /** (bucket, tuple) pairs, by subject node. */
  readonly pairs: Int32Array;
  /** A bit per node: its direct tuples changed since the packing. */
  readonly #changed: Int32Array;

  /** Packs the direct tuples of the nodes below `nodes`. `none`: a deleted tuple's bucket, a direct tuple's subject relation. */
  constructor(
    readonly nodes: number,
    tuples: TupleLayout,
    none: number,
  ) {
    const { rows, count, stride, bucket, subject, subjectRelation } = tuples;
    const starts = scratchColumn(nodes + 1);
    let total = 0;
    for (let t = 0, at = 0; t < count; t++, at += stride) {
      if (rows[at + bucket] === none || rows[at + subjectRelation] !== none) continue;
      starts[rows[at + subject]! + 1]!++;
      total++;
    }
    for (let node = 0; node < nodes; node++) starts[node + 1]! += starts[node]!;
    const pairs = scratchColumn(total * 2);
    // Filled from each node's start; `next` is then each node's end, which is the next node's start.
    const next = starts.slice(0, nodes);
    for (let t = 0, at = 0; t < count; t++, at += stride) {
      if (rows[at + bucket] === none || rows[at + subjectRelation] !== none) continue;
      const i = next[rows[at + subject]!]!++ * 2;
      pairs[i] = rows[at + bucket]!;
      pairs[i + 1] = t;
    }
    this.#starts = starts;
    this.pairs = pairs;
    this.#changed = new Int32Array((nodes >>> 5) + 1);
  }

  /** Where `subject`'s pairs start in `pairs`, or -1 when they are not packed (a newer node, or changed since). */
  from(subject: number): number {
    if (subject >= this.nodes || (this.#changed[subject >>> 5]! & (1 << (subject & 31))) !== 0) return -1;
    return this.#starts[subject]! * 2;
  }

  /** Where `subject`'s pairs end (after `from` gave their start). */
  to(subject: number): number {
    return this.#starts[subject + 1]! * 2;
  }

  /** A direct tuple of `subject` was written or deleted. */
  changed(subject: number): void {
    if (subject < this.nodes) this.#changed[subject >>> 5]! |= 1 << (subject & 31);
  }
}
