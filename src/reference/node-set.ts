// A small set of node numbers (non-negative integers), emptied in O(1) by bumping a generation
// stamp: the group index (group-index.ts) refills one per check with the groups the subject
// reaches, a few dozen nodes, so a typed-array table that stays in cache beats a Set.

const MAX_LOAD = 0.5;

export class NodeSet {
  #keys = new Int32Array(64);
  #stamps = new Int32Array(64);
  #generation = 1;
  #size = 0;

  /** Empties the set. */
  clear(): void {
    this.#generation++;
    this.#size = 0;
    if (this.#generation === 0x7fffffff) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
  }

  has(node: number): boolean {
    return this.#find(node) >= 0;
  }

  add(node: number): void {
    if (this.#find(node) >= 0) return;
    if (this.#size + 1 > this.#keys.length * MAX_LOAD) this.#grow();
    const i = ~this.#find(node);
    this.#keys[i] = node;
    this.#stamps[i] = this.#generation;
    this.#size++;
  }

  /** The slot holding `node` in this generation, or ~(the empty slot where it would go). */
  #find(node: number): number {
    const mask = this.#keys.length - 1;
    const stamps = this.#stamps;
    const generation = this.#generation;
    for (let i = (Math.imul(node, 0x9e3779b1) >>> 20) & mask; ; i = (i + 1) & mask) {
      if (stamps[i] !== generation) return ~i;
      if (this.#keys[i] === node) return i;
    }
  }

  #grow(): void {
    const [keys, stamps, generation] = [this.#keys, this.#stamps, this.#generation];
    this.#keys = new Int32Array(keys.length * 2);
    this.#stamps = new Int32Array(keys.length * 2);
    this.#size = 0;
    for (let i = 0; i < keys.length; i++) if (stamps[i] === generation) this.add(keys[i]!);
  }
}
