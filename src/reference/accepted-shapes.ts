// The shapes of relationship a bulk write (RelationshipStore.writeAll) has already had accepted,
// as interned ids: whether a relationship may be written depends only on its shape (resource
// type, relation, subject type, subject relation, wildcard or not, condition name: see
// src/model/relationship-check.ts), and 10^6 generated relationships have a dozen shapes.
// Comparing five integers with a dozen remembered shapes costs less than the validator's string
// compares of each relationship's names (a tenth of a bulk load's time).

/** Integers per shape: resource type, relation, subject type, subject relation (or -1), wildcard (1) or not (0). */
const FIELDS = 5;
/** Shapes remembered; past this many, relationships of other shapes are asked about every time. */
const CAPACITY = 64;

export class AcceptedShapes {
  readonly #shapes = new Int32Array(CAPACITY * FIELDS);
  #count = 0;
  /** The shape last found: generated and exported stores come in runs of one shape. */
  #last = 0;

  has(resourceType: number, relation: number, subjectType: number, subjectRelation: number, wildcard: boolean): boolean {
    const shapes = this.#shapes;
    const w = wildcard ? 1 : 0;
    const count = this.#count;
    for (let n = 0, i = this.#last; n < count; n++, i = i + 1 === count ? 0 : i + 1) {
      const s = i * FIELDS;
      if (shapes[s] === resourceType && shapes[s + 1] === relation && shapes[s + 2] === subjectType && shapes[s + 3] === subjectRelation && shapes[s + 4] === w) {
        this.#last = i;
        return true;
      }
    }
    return false;
  }

  add(resourceType: number, relation: number, subjectType: number, subjectRelation: number, wildcard: boolean): void {
    if (this.#count === CAPACITY) return;
    const s = this.#count++ * FIELDS;
    this.#shapes.set([resourceType, relation, subjectType, subjectRelation, wildcard ? 1 : 0], s);
  }
}
