// The reference engine's relationship store, indexed for the evaluator:
//   by resource+relation: direct and wildcard subjects (looked up by subject text) and
//   userset subjects (iterated); by subject, for lookups; by resource type, for listing.
// A relationship's identity ignores its condition (relationshipKey): writing the same
// tuple again replaces its condition; writes and deletes are idempotent.

import { formatSubject, relationshipKey, type Relationship } from '../core/relationship.ts';

export interface Bucket {
  /** Object and wildcard subjects (`user:anne`, `user:*`, `folder:a`), by subject text. */
  readonly direct: Map<string, Relationship>;
  /** Userset subjects (`group:eng#member`), by subject text. */
  readonly usersets: Map<string, Relationship>;
}

export function bucketKey(type: string, id: string, relation: string): string {
  return `${type}:${id}#${relation}`;
}

export class RelationshipStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #bySubject = new Map<string, Map<string, Relationship>>();
  /** type -> id -> number of relationships with that resource. */
  readonly #resources = new Map<string, Map<string, number>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  bucket(type: string, id: string, relation: string): Bucket | undefined {
    return this.#buckets.get(bucketKey(type, id, relation));
  }

  /** The bucket for `type:id#relation` given as one string (see bucketKey). */
  bucketByKey(key: string): Bucket | undefined {
    return this.#buckets.get(key);
  }

  has(rel: Relationship): boolean {
    return this.get(rel) !== undefined;
  }

  /** The stored relationship with the same identity (its condition may differ). */
  get(rel: Relationship): Relationship | undefined {
    const bucket = this.bucket(rel.resource.type, rel.resource.id, rel.relation);
    const subject = formatSubject(rel.subject);
    return rel.subject.relation ? bucket?.usersets.get(subject) : bucket?.direct.get(subject);
  }

  /** Adds or replaces (same identity) a relationship. Returns whether it was new. */
  write(rel: Relationship): boolean {
    const key = bucketKey(rel.resource.type, rel.resource.id, rel.relation);
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { direct: new Map(), usersets: new Map() };
      this.#buckets.set(key, bucket);
    }
    const subject = formatSubject(rel.subject);
    const map = rel.subject.relation ? bucket.usersets : bucket.direct;
    const stored = copy(rel);
    const isNew = !map.has(subject);
    map.set(subject, stored);
    let bySubject = this.#bySubject.get(subject);
    if (!bySubject) {
      bySubject = new Map();
      this.#bySubject.set(subject, bySubject);
    }
    bySubject.set(relationshipKey(rel), stored);
    if (isNew) {
      this.#size++;
      let ids = this.#resources.get(rel.resource.type);
      if (!ids) {
        ids = new Map();
        this.#resources.set(rel.resource.type, ids);
      }
      ids.set(rel.resource.id, (ids.get(rel.resource.id) ?? 0) + 1);
    }
    return isNew;
  }

  /** Removes the relationship with the same identity, whatever its condition. Returns whether one existed. */
  delete(rel: Relationship): boolean {
    const key = bucketKey(rel.resource.type, rel.resource.id, rel.relation);
    const bucket = this.#buckets.get(key);
    if (!bucket) return false;
    const subject = formatSubject(rel.subject);
    const map = rel.subject.relation ? bucket.usersets : bucket.direct;
    if (!map.delete(subject)) return false;
    if (bucket.direct.size === 0 && bucket.usersets.size === 0) this.#buckets.delete(key);
    const bySubject = this.#bySubject.get(subject);
    bySubject?.delete(relationshipKey(rel));
    if (bySubject?.size === 0) this.#bySubject.delete(subject);
    this.#size--;
    const ids = this.#resources.get(rel.resource.type)!;
    const count = ids.get(rel.resource.id)! - 1;
    if (count === 0) ids.delete(rel.resource.id);
    else ids.set(rel.resource.id, count);
    return true;
  }

  /** Every relationship whose subject is exactly this (`user:anne`, `group:eng#member`, `user:*`). */
  bySubject(subject: string): Relationship[] {
    return [...(this.#bySubject.get(subject)?.values() ?? [])];
  }

  /** Ids of every object of `type` that is the resource of some relationship. */
  resourceIds(type: string): string[] {
    return [...(this.#resources.get(type)?.keys() ?? [])];
  }

  all(): Relationship[] {
    const out: Relationship[] = [];
    for (const bucket of this.#buckets.values()) {
      out.push(...bucket.direct.values(), ...bucket.usersets.values());
    }
    return out;
  }

  clear(): void {
    this.#buckets.clear();
    this.#bySubject.clear();
    this.#resources.clear();
    this.#size = 0;
  }
}

function copy(rel: Relationship): Relationship {
  return {
    resource: { type: rel.resource.type, id: rel.resource.id },
    relation: rel.relation,
    subject: { ...rel.subject },
    ...(rel.condition ? { condition: { name: rel.condition.name, ...(rel.condition.parameters ? { parameters: { ...rel.condition.parameters } } : {}) } } : {}),
  };
}
