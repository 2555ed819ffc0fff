// The reference engine's relationship store, compact and indexed for the evaluator.
//
// Strings become small integers once, when a relationship is written: types and relation
// names (interned for the life of the store), objects ("nodes": a type and an id, the
// wildcard `user:*` included). A relationship is then a row of integer columns (a "tuple"),
// and a Relationship object is rebuilt only when asked for (grant chains, conditions, lists).
//   bucket (resource node, relation)   -> its direct/wildcard tuples and its userset tuples,
//                                         each a linked list in insertion order;
//   (bucket, subject node, subject rel) -> the tuple: identity for writes and deletes, and the
//                                         evaluator's "is this subject directly here" lookup;
//   (subject node, subject rel)        -> the tuples naming that subject (searches).
// A relationship's identity ignores its condition: writing the same tuple again replaces its
// condition and keeps its place; writes and deletes are idempotent.

import { type BoundCondition, parseSubject, type Relationship } from '../core/relationship.ts';
import { IntTable } from './int-table.ts';

/** No subject relation (an object or wildcard subject); also "not found". */
export const NONE = -1;

/** Strings to dense integers and back. */
class Interner {
  readonly #ids = new Map<string, number>();
  readonly names: string[] = [];

  intern(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.#ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  find(name: string): number {
    return this.#ids.get(name) ?? NONE;
  }
}

/** A growable column of 32-bit integers. */
function grown(column: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= column.length) return column;
  const next = new Int32Array(Math.max(needed, Math.ceil(column.length * 1.5) + 16));
  next.set(column);
  return next;
}

export class RelationshipStore {
  readonly #types = new Interner();
  readonly #names = new Interner();

  // Nodes: per type id, object id -> node; per node its type, id text and how many tuples have it as resource.
  #nodesByType: Map<string, number>[] = [];
  #nodeType = new Int32Array(0);
  #nodeIds: string[] = [];
  #nodeResourceCount = new Int32Array(0);

  // Buckets: one per (resource node, relation) ever written.
  #bucketIndex = new IntTable();
  #bucketNode = new Int32Array(0);
  #bucketName = new Int32Array(0);
  #directHead = new Int32Array(0);
  #directTail = new Int32Array(0);
  #usersetHead = new Int32Array(0);
  #usersetTail = new Int32Array(0);
  #buckets = 0;

  // Tuples: columns indexed by tuple number; a deleted tuple has bucket NONE and goes on the free list.
  #tupleIndex = new IntTable();
  #tupleBucket = new Int32Array(0);
  #tupleSubject = new Int32Array(0);
  #tupleSubjectRelation = new Int32Array(0);
  #next = new Int32Array(0);
  #prev = new Int32Array(0);
  #nextBySubject = new Int32Array(0);
  #prevBySubject = new Int32Array(0);
  #tuples = 0;
  #free = NONE;
  #conditions = new Map<number, BoundCondition>();
  #subjectIndex = new IntTable();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  // --- names ---

  /** The id of a type or relation name, interned (used when compiling a model). */
  nameId(name: string): number {
    return this.#names.intern(name);
  }

  findName(name: string): number {
    return this.#names.find(name);
  }

  name(id: number): string {
    return this.#names.names[id]!;
  }

  /** How many relation names are interned: keys `node * nameCount + name` are unique while it holds. */
  get nameCount(): number {
    return this.#names.names.length;
  }

  typeId(type: string): number {
    return this.#types.intern(type);
  }

  findType(type: string): number {
    return this.#types.find(type);
  }

  typeName(id: number): string {
    return this.#types.names[id]!;
  }

  // --- nodes ---

  /** The node of `type:id`, or NONE when no relationship names it. */
  node(type: string, id: string): number {
    const typeId = this.#types.find(type);
    return typeId === NONE ? NONE : (this.#nodesByType[typeId]?.get(id) ?? NONE);
  }

  nodeType(node: number): number {
    return this.#nodeType[node]!;
  }

  nodeId(node: number): string {
    return this.#nodeIds[node]!;
  }

  formatNode(node: number): string {
    return `${this.typeName(this.#nodeType[node]!)}:${this.#nodeIds[node]}`;
  }

  #internNode(type: string, id: string): number {
    const typeId = this.#types.intern(type);
    const nodes = (this.#nodesByType[typeId] ??= new Map());
    let node = nodes.get(id);
    if (node === undefined) {
      node = this.#nodeIds.length;
      nodes.set(id, node);
      this.#nodeIds.push(id);
      this.#nodeType = grown(this.#nodeType, node + 1);
      this.#nodeResourceCount = grown(this.#nodeResourceCount, node + 1);
      this.#nodeType[node] = typeId;
    }
    return node;
  }

  // --- the evaluator's reads ---

  /** The bucket of (node, relation name id), or NONE. */
  bucket(node: number, name: number): number {
    return this.#bucketIndex.get(node, name, 0);
  }

  bucketNode(bucket: number): number {
    return this.#bucketNode[bucket]!;
  }

  /** First direct (object or wildcard) tuple of the bucket, then `next(t)` until NONE. */
  directHead(bucket: number): number {
    return this.#directHead[bucket]!;
  }

  /** First userset tuple of the bucket, then `next(t)` until NONE. */
  usersetHead(bucket: number): number {
    return this.#usersetHead[bucket]!;
  }

  next(tuple: number): number {
    return this.#next[tuple]!;
  }

  /** The tuple `bucket@subject` (an object or wildcard subject), or NONE. */
  directTuple(bucket: number, subject: number): number {
    return this.#tupleIndex.get(bucket, subject, NONE);
  }

  subject(tuple: number): number {
    return this.#tupleSubject[tuple]!;
  }

  /** The subject's relation name id (`group:eng#member`), or NONE. */
  subjectRelation(tuple: number): number {
    return this.#tupleSubjectRelation[tuple]!;
  }

  condition(tuple: number): BoundCondition | undefined {
    return this.#conditions.size === 0 ? undefined : this.#conditions.get(tuple);
  }

  /** The tuple as a Relationship (a fresh object). */
  relationship(tuple: number): Relationship {
    const bucket = this.#tupleBucket[tuple]!;
    const resource = this.#bucketNode[bucket]!;
    const subject = this.#tupleSubject[tuple]!;
    const relation = this.#tupleSubjectRelation[tuple]!;
    const condition = this.condition(tuple);
    return {
      resource: { type: this.typeName(this.#nodeType[resource]!), id: this.#nodeIds[resource]! },
      relation: this.name(this.#bucketName[bucket]!),
      subject: { type: this.typeName(this.#nodeType[subject]!), id: this.#nodeIds[subject]!, ...(relation === NONE ? {} : { relation: this.name(relation) }) },
      ...(condition ? { condition: { name: condition.name, ...(condition.parameters ? { parameters: { ...condition.parameters } } : {}) } } : {}),
    };
  }

  /** First tuple naming (subject node, subject relation or NONE), then `nextBySubject(t)` until NONE. */
  subjectHead(subject: number, relation: number): number {
    const head = this.#subjectIndex.get(subject, relation, 0);
    return head;
  }

  nextBySubject(tuple: number): number {
    return this.#nextBySubject[tuple]!;
  }

  /** The resource node of a tuple. */
  resource(tuple: number): number {
    return this.#bucketNode[this.#tupleBucket[tuple]!]!;
  }

  // --- relationships in and out ---

  has(rel: Relationship): boolean {
    return this.#find(rel) !== NONE;
  }

  /** The stored relationship with the same identity (its condition may differ). */
  get(rel: Relationship): Relationship | undefined {
    const tuple = this.#find(rel);
    return tuple === NONE ? undefined : this.relationship(tuple);
  }

  #find(rel: Relationship): number {
    const resource = this.node(rel.resource.type, rel.resource.id);
    const name = this.#names.find(rel.relation);
    const subject = this.node(rel.subject.type, rel.subject.id);
    const subjectRelation = rel.subject.relation === undefined ? NONE : this.#names.find(rel.subject.relation);
    if (resource === NONE || name === NONE || subject === NONE || (rel.subject.relation !== undefined && subjectRelation === NONE)) return NONE;
    const bucket = this.#bucketIndex.get(resource, name, 0);
    return bucket === NONE ? NONE : this.#tupleIndex.get(bucket, subject, subjectRelation);
  }

  /** Adds or replaces (same identity) a relationship. Returns whether it was new. */
  write(rel: Relationship): boolean {
    const resource = this.#internNode(rel.resource.type, rel.resource.id);
    const name = this.#names.intern(rel.relation);
    const subject = this.#internNode(rel.subject.type, rel.subject.id);
    const subjectRelation = rel.subject.relation === undefined ? NONE : this.#names.intern(rel.subject.relation);
    let bucket = this.#bucketIndex.get(resource, name, 0);
    if (bucket === NONE) bucket = this.#newBucket(resource, name);
    const existing = this.#tupleIndex.get(bucket, subject, subjectRelation);
    if (existing !== NONE) {
      this.#setCondition(existing, rel.condition);
      return false;
    }
    const tuple = this.#newTuple();
    this.#tupleBucket[tuple] = bucket;
    this.#tupleSubject[tuple] = subject;
    this.#tupleSubjectRelation[tuple] = subjectRelation;
    // Appended to its bucket's list (insertion order: the evaluator's order of search).
    const [heads, tails] = subjectRelation === NONE ? [this.#directHead, this.#directTail] : [this.#usersetHead, this.#usersetTail];
    const tail = tails[bucket]!;
    this.#prev[tuple] = tail;
    this.#next[tuple] = NONE;
    if (tail === NONE) heads[bucket] = tuple;
    else this.#next[tail] = tuple;
    tails[bucket] = tuple;
    // Prepended to its subject's list.
    const first = this.#subjectIndex.get(subject, subjectRelation, 0);
    this.#prevBySubject[tuple] = NONE;
    this.#nextBySubject[tuple] = first;
    if (first !== NONE) this.#prevBySubject[first] = tuple;
    this.#subjectIndex.set(subject, subjectRelation, 0, tuple);
    this.#tupleIndex.set(bucket, subject, subjectRelation, tuple);
    this.#setCondition(tuple, rel.condition);
    this.#nodeResourceCount[resource] = this.#nodeResourceCount[resource]! + 1;
    this.#size++;
    return true;
  }

  /** Removes the relationship with the same identity, whatever its condition. Returns whether one existed. */
  delete(rel: Relationship): boolean {
    const tuple = this.#find(rel);
    if (tuple === NONE) return false;
    const bucket = this.#tupleBucket[tuple]!;
    const subject = this.#tupleSubject[tuple]!;
    const subjectRelation = this.#tupleSubjectRelation[tuple]!;
    const [heads, tails] = subjectRelation === NONE ? [this.#directHead, this.#directTail] : [this.#usersetHead, this.#usersetTail];
    const [prev, next] = [this.#prev[tuple]!, this.#next[tuple]!];
    if (prev === NONE) heads[bucket] = next;
    else this.#next[prev] = next;
    if (next === NONE) tails[bucket] = prev;
    else this.#prev[next] = prev;
    const [prevS, nextS] = [this.#prevBySubject[tuple]!, this.#nextBySubject[tuple]!];
    if (prevS !== NONE) this.#nextBySubject[prevS] = nextS;
    else if (nextS === NONE) this.#subjectIndex.delete(subject, subjectRelation, 0);
    else this.#subjectIndex.set(subject, subjectRelation, 0, nextS);
    if (nextS !== NONE) this.#prevBySubject[nextS] = prevS;
    this.#tupleIndex.delete(bucket, subject, subjectRelation);
    this.#conditions.delete(tuple);
    const resource = this.#bucketNode[bucket]!;
    this.#nodeResourceCount[resource] = this.#nodeResourceCount[resource]! - 1;
    this.#tupleBucket[tuple] = NONE;
    this.#next[tuple] = this.#free;
    this.#free = tuple;
    this.#size--;
    return true;
  }

  #newBucket(node: number, name: number): number {
    const bucket = this.#buckets++;
    const n = bucket + 1;
    this.#bucketNode = grown(this.#bucketNode, n);
    this.#bucketName = grown(this.#bucketName, n);
    this.#directHead = grown(this.#directHead, n);
    this.#directTail = grown(this.#directTail, n);
    this.#usersetHead = grown(this.#usersetHead, n);
    this.#usersetTail = grown(this.#usersetTail, n);
    this.#bucketNode[bucket] = node;
    this.#bucketName[bucket] = name;
    this.#directHead[bucket] = this.#directTail[bucket] = this.#usersetHead[bucket] = this.#usersetTail[bucket] = NONE;
    this.#bucketIndex.set(node, name, 0, bucket);
    return bucket;
  }

  #newTuple(): number {
    if (this.#free !== NONE) {
      const tuple = this.#free;
      this.#free = this.#next[tuple]!;
      return tuple;
    }
    const tuple = this.#tuples++;
    const n = tuple + 1;
    this.#tupleBucket = grown(this.#tupleBucket, n);
    this.#tupleSubject = grown(this.#tupleSubject, n);
    this.#tupleSubjectRelation = grown(this.#tupleSubjectRelation, n);
    this.#next = grown(this.#next, n);
    this.#prev = grown(this.#prev, n);
    this.#nextBySubject = grown(this.#nextBySubject, n);
    this.#prevBySubject = grown(this.#prevBySubject, n);
    return tuple;
  }

  #setCondition(tuple: number, condition: BoundCondition | undefined): void {
    if (!condition) this.#conditions.delete(tuple);
    else this.#conditions.set(tuple, { name: condition.name, ...(condition.parameters ? { parameters: { ...condition.parameters } } : {}) });
  }

  /** Every relationship whose subject is exactly this (`user:anne`, `group:eng#member`, `user:*`). */
  bySubject(subjectText: string): Relationship[] {
    const parsed = parseSubject(subjectText);
    if (!parsed) return [];
    const subject = this.node(parsed.type, parsed.id);
    const relation = parsed.relation === undefined ? NONE : this.#names.find(parsed.relation);
    if (subject === NONE || (parsed.relation !== undefined && relation === NONE)) return [];
    const out: Relationship[] = [];
    for (let t = this.subjectHead(subject, relation); t !== NONE; t = this.#nextBySubject[t]!) out.push(this.relationship(t));
    return out;
  }

  /** Ids of every object of `type` that is the resource of some relationship. */
  resourceIds(type: string): string[] {
    const typeId = this.#types.find(type);
    const nodes = typeId === NONE ? undefined : this.#nodesByType[typeId];
    return nodes ? [...nodes].filter(([, node]) => this.#nodeResourceCount[node]! > 0).map(([id]) => id) : [];
  }

  all(): Relationship[] {
    const out: Relationship[] = [];
    for (let bucket = 0; bucket < this.#buckets; bucket++) {
      for (let t = this.#directHead[bucket]!; t !== NONE; t = this.#next[t]!) out.push(this.relationship(t));
      for (let t = this.#usersetHead[bucket]!; t !== NONE; t = this.#next[t]!) out.push(this.relationship(t));
    }
    return out;
  }

  /** Forgets every relationship and object; type and relation names stay interned (compiled models keep their ids). */
  clear(): void {
    this.#nodesByType = [];
    this.#nodeType = new Int32Array(0);
    this.#nodeIds = [];
    this.#nodeResourceCount = new Int32Array(0);
    this.#bucketIndex = new IntTable();
    this.#buckets = 0;
    this.#tupleIndex = new IntTable();
    this.#subjectIndex = new IntTable();
    this.#tuples = 0;
    this.#free = NONE;
    this.#conditions.clear();
    this.#size = 0;
  }
}

