// Per-index lists of numbers (the grants of each document, the tasks scoping it), an array
// made only for an index that gets something: at 10^6 relationships most documents have no
// grant of a kind, and a million empty arrays cost the generators more than their work.

export class IndexLists {
  readonly #lists: (number[] | undefined)[];

  constructor(size: number) {
    this.#lists = new Array(size);
  }

  /** The list at `index`, empty when nothing was added. */
  get(index: number): readonly number[] {
    return this.#lists[index] ?? NOTHING;
  }

  has(index: number, value: number): boolean {
    return this.#lists[index]?.includes(value) ?? false;
  }

  add(index: number, value: number): void {
    const list = this.#lists[index];
    if (list) list.push(value);
    else this.#lists[index] = [value];
  }
}

const NOTHING: readonly number[] = [];
