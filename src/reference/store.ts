// The reference engine's relationship store, compact and indexed for the evaluator.
//
// Strings become small integers once, when a relationship is written: types and relation
// names (interned for the life of the store), objects ("nodes": a type and an id, the
// wildcard `user:*` included). A relationship is then a row of integers in a typed array (a
// "tuple"), and a Relationship object is rebuilt only when asked for (grant chains, conditions,
// lists); only a condition is kept as an object, in a side map. About 145 bytes a relationship
// at 10^6 (scripts/reference-scale.ts), against about 1 KB for string-keyed Maps of objects.
// The indexes hold integers only (no string is hashed by V8, nothing for the collector):
//   (type, id)                         -> the node: an IntTable per type (NodeKey: short ids are their
//                                         own key), so the few objects named as subjects stay in cache;
//   bucket (resource node, relation)   -> its direct/wildcard tuples and its userset tuples,
//                                         each a linked list in insertion order (most buckets
//                                         are found in a slot of their node's row; the others
//                                         in an IntTable);
//   (bucket, subject node, subject rel) -> the tuple: identity for writes and deletes, and the
//                                         evaluator's "is this subject directly here" lookup: the
//                                         bucket's list, read through, while it is short (most
//                                         are: one or two tuples); an IntTable past INDEXED_FROM;
//   (subject node, subject rel)        -> the tuples naming that subject (searches): an IntTable.
// A bulk load of 10^6 relationships is bound by memory latency (its tables are larger than the
// caches): the slots and the short lists spare it two hash tables of 32 MB, whose probes were a
// cache miss each per relationship, for reads of rows the write touches anyway.
// A relationship's identity ignores its condition: writing the same tuple again replaces its
// condition and keeps its place; writes and deletes are idempotent.

import { type BoundCondition, parseSubject, type Relationship } from '../core/relationship.ts';
import { AcceptedShapes } from './accepted-shapes.ts';
import { IntTable } from './int-table.ts';
import { NodeKey } from './node-key.ts';
import { PackedSubjects } from './packed-subjects.ts';
import { grown, int32Column, resized, scratchColumn } from './int32-column.ts';

/** No subject relation (an object or wildcard subject); also "not found". */
export const NONE = -1;

/** Strings to dense integers and back. */
class Interner {
  readonly #ids = new Map<string, number>();
  readonly names: string[] = [];

  intern(name: string): number {
    const id = this.find(name);
    if (id !== NONE) return id;
    this.#ids.set(name, this.names.length);
    return this.names.push(name) - 1;
  }

  find(name: string): number {
    // A store has a handful of types and relation names, and a relationship's names are fresh
    // strings whose hash V8 has not computed yet: comparing them with the first few names is
    // cheaper than hashing them for the Map.
    const names = this.names;
    const scanned = Math.min(names.length, SCANNED_NAMES);
    for (let i = 0; i < scanned; i++) if (names[i] === name) return i;
    return names.length > SCANNED_NAMES ? (this.#ids.get(name) ?? NONE) : NONE;
  }
}

/** Names compared one by one before the Map is asked. */
const SCANNED_NAMES = 16;

/**
 * A node's row (64 bytes: one cache line): its type id, a bit for each relation name id below
 * RELATION_BITS it has a bucket for (for relations without a slot), and SLOTS slots, each the
 * bucket of one relation of its type (or NONE) with copies of the heads of the bucket's two
 * lists. A check reads an object's relations one after another (a folder's viewers, editors,
 * parent) and follows their lists; with the buckets and heads in the row that is one cache miss,
 * not a hash probe and a bucket row for each. The first SLOTS relations of a type (below
 * SLOTTED_NAMES) written get a slot; others go to the bucket index. (Tails stay in the bucket
 * row: only writes read them.) The row's last SOLE_SLOTS fields hold, for the first slots, the
 * subject of the bucket's direct list when it holds exactly one tuple (else NONE): a folder's
 * parent, so climbing a tree reads a row per folder and no tuple row (a cache miss each at 10^6).
 */
const NODE = 16;
const N_TYPE = 0;
const N_RELATIONS = 1;
const N_SLOTS = 2;
const SLOTS = 4;
/** A slot's fields, from N_SLOTS + (slot - 1) * SLOT: */
const SLOT = 3;
const S_BUCKET = 0;
const S_DIRECT_HEAD = 1;
const S_USERSET_HEAD = 2;
const N_SOLE = N_SLOTS + SLOTS * SLOT;
const SOLE_SLOTS = NODE - N_SOLE;
const RELATION_BITS = 31;
/** Relation name ids below this can have a slot (the slot table is type * SLOTTED_NAMES + name). */
const SLOTTED_NAMES = 32;
/** In the slot table: no bucket of this (type, relation) yet, or its buckets are in the bucket index. */
const UNSLOTTED = 0;
const HASHED = -1;

// Rows, not columns: a tuple's (or bucket's) fields side by side, so following a list touches
// one cache line per element. Field offsets:
const TUPLE = 7;
const T_BUCKET = 0;
const T_SUBJECT = 1;
const T_SUBJECT_RELATION = 2;
const T_NEXT = 3;
const T_PREV = 4;
const T_NEXT_BY_SUBJECT = 5;
const T_PREV_BY_SUBJECT = 6;
/** 8 fields, 32 bytes (the last unused): a row never straddles two cache lines. */
const BUCKET = 8;
const B_NODE = 0;
const B_NAME = 1;
const B_DIRECT_HEAD = 2;
const B_DIRECT_TAIL = 3;
const B_USERSET_HEAD = 4;
const B_USERSET_TAIL = 5;
/** The tuples in the bucket (both lists). */
const B_SIZE = 6;

/**
 * A bucket holding more tuples than this has them in the tuple index; a smaller one is searched
 * by reading its list (as many rows as a probe of the index would touch, about, and rows that a
 * write reads anyway to append to the list).
 */
export const INDEXED_FROM = 8;

/** `*`, a wildcard subject's id. */
const WILDCARD_CODE = 42;

/** Relationships per chunk of a bulk write (writeAll): enough probes in flight, small enough to stay in cache. */
const CHUNK = 256;
/**
 * A write of this many relationships, and of at least half the store, packs the subjects' direct
 * tuples again (packed-subjects.ts): the packing costs about what the write did, not a pass over a
 * large store per batch of a few thousand.
 */
const PACK_FROM = 1024;

export class RelationshipStore {
  readonly #types = new Interner();
  readonly #names = new Interner();

  // Nodes: per type id, NodeKey (id text as integers) -> node: no string hashed by V8 and no
  // garbage to collect; per node its type, relation bits, slots and id text. A table per type:
  // a bulk load looks up a subject for every relationship, and subjects are of a few types with
  // few objects (users, groups: 10^4 to 10^5 at 10^6 relationships), whose tables fit in the
  // caches, while the many resources (documents) fill a table of their own.
  #nodeIndexes: IntTable[] = [];
  /** The key being looked up (reused: no allocation per lookup). */
  readonly #key = new NodeKey();
  /** Per node: its type id, its relation bits (NODE fields, side by side: one cache line). */
  #nodeRows = int32Column(0);
  /** During a bulk write's first pass: the type id of each node it makes, from node #pendingFrom on (#makePendingRows). */
  #pendingTypes: Int32Array | undefined;
  #pendingFrom = 0;
  #nodeIds: string[] = [];
  /** Per type id, the node of its wildcard `type:*` (checks ask for it every time). */
  #wildcards: number[] = [];

  /** Per (type, relation name): its slot + 1 in the node rows, UNSLOTTED or HASHED. */
  #slotOf = int32Column(0);
  /** Per type id: how many slots its relations took. */
  #slotsUsed: number[] = [];

  // Buckets: one per (resource node, relation) ever written, BUCKET fields each; the index
  // finds those of relations without a slot.
  #bucketIndex = new IntTable();
  #bucketRows = int32Column(0);
  #buckets = 0;

  // Tuples: TUPLE fields each; a deleted tuple has bucket NONE and goes on the free list (linked by T_NEXT).
  /** The tuples of the buckets holding more than INDEXED_FROM. */
  #tupleIndex = new IntTable();
  #tupleRows = int32Column(0);
  #tuples = 0;
  #free = NONE;
  #conditions = new Map<number, BoundCondition>();
  #subjectIndex = new IntTable();
  /** Each subject's direct tuples side by side, as of the last large write (packedDirect). */
  #packed: PackedSubjects | undefined;
  #size = 0;
  #epoch = 0;
  /** Per relation name id: userset tuples linked or unlinked in its buckets, and conditions set or removed there (the group index, group-index.ts, watches them). */
  readonly #usersetEdits: number[] = [];
  /** Clears: they change every relation's group index. */
  #otherEdits = 0;

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
    if (typeId === NONE) return NONE;
    const index = this.#nodeIndexes[typeId];
    if (!index) return NONE;
    const key = this.#key;
    const exact = key.of(id);
    for (; ; key.c++) {
      const node = index.get(key.a, key.b, key.c);
      if (exact || node === NONE || this.#nodeIds[node] === id) return node;
    }
  }

  /** The node of `type:*`, or NONE. */
  wildcard(type: string): number {
    const typeId = this.#types.find(type);
    return typeId === NONE ? NONE : (this.#wildcards[typeId] ?? NONE);
  }

  /** Whether `node` (of type id `typeId`) is its type's wildcard, without reading its id text. */
  isWildcard(node: number, typeId: number): boolean {
    return this.#wildcards[typeId] === node;
  }

  nodeType(node: number): number {
    return this.#nodeRows[node * NODE + N_TYPE]!;
  }

  nodeId(node: number): string {
    return this.#nodeIds[node]!;
  }

  formatNode(node: number): string {
    return `${this.typeName(this.nodeType(node))}:${this.#nodeIds[node]}`;
  }

  #internNode(type: string, id: string): number {
    return this.#internNodeOf(this.#types.intern(type), id);
  }

  #internNodeOf(typeId: number, id: string): number {
    this.#nodeIndexes[typeId] ??= new IntTable();
    const index = this.#nodeIndexes[typeId];
    const key = this.#key;
    const exact = key.of(id);
    for (; ; key.c++) {
      // One probe finds the node or enters the next node number.
      const node = index.add(key.a, key.b, key.c, this.#nodeIds.length);
      if (node === NONE) return this.#newNode(typeId, id);
      if (exact || this.#nodeIds[node] === id) return node;
    }
  }

  /** A new node, numbered #nodeIds.length (already entered in the index); its row made now or, in a bulk write's first pass, after it. */
  #newNode(typeId: number, id: string): number {
    const node = this.#nodeIds.length;
    this.#nodeIds.push(id);
    if (id === '*') this.#wildcards[typeId] = node;
    const pending = this.#pendingTypes;
    if (pending) {
      pending[node - this.#pendingFrom] = typeId;
    } else {
      this.#nodeRows = grown(this.#nodeRows, (node + 1) * NODE);
      this.#initNodeRow(node, typeId);
    }
    return node;
  }

  #initNodeRow(node: number, typeId: number): void {
    const rows = this.#nodeRows;
    const row = node * NODE;
    rows[row + N_TYPE] = typeId;
    rows[row + N_RELATIONS] = 0;
    for (let at = row + N_SLOTS; at < row + NODE; at++) rows[at] = NONE;
  }

  /**
   * The rows of the nodes made by a bulk write's first pass, in one allocation of the size
   * needed (how many objects a load names is known only once it is read; rows of 64 bytes
   * reserved by a guess, then regrown, would be a third too many at 10^6 and a copy of 30 MB).
   */
  #makePendingRows(): void {
    const types = this.#pendingTypes!;
    const from = this.#pendingFrom;
    this.#pendingTypes = undefined;
    const to = this.#nodeIds.length;
    // A batch that made most of the objects (a bulk load) sizes their rows exactly; a small one
    // grows them geometrically (exactly, every single write would copy every row).
    this.#nodeRows = (to - from) * 2 >= to ? resized(this.#nodeRows, to * NODE) : grown(this.#nodeRows, to * NODE);
    for (let node = from; node < to; node++) this.#initNodeRow(node, types[node - from]!);
  }

  /**
   * A number that changes whenever the userset tuples in buckets of relation `name` change, or a
   * condition on a tuple in such a bucket, or everything (clear): the group index (group-index.ts)
   * is stale when it moves.
   */
  relationEdits(name: number): number {
    return (this.#usersetEdits[name] ?? 0) + this.#otherEdits;
  }

  /** Counts an edit of relation `bucket`'s userset tuples or of a condition in it (relationEdits). */
  #relationEdited(bucket: number): void {
    const name = this.#bucketRows[bucket * BUCKET + B_NAME]!;
    this.#usersetEdits[name] = (this.#usersetEdits[name] ?? 0) + 1;
  }

  /** Buckets are numbered 0 .. bucketCount - 1 (a bucket emptied by deletes stays). */
  get bucketCount(): number {
    return this.#buckets;
  }

  /** The resource node of a bucket. */
  bucketNode(bucket: number): number {
    return this.#bucketRows[bucket * BUCKET + B_NODE]!;
  }

  /** The relation name id of a bucket. */
  bucketName(bucket: number): number {
    return this.#bucketRows[bucket * BUCKET + B_NAME]!;
  }

  /** Every tuple that carries a condition. */
  conditionedTuples(): IterableIterator<number> {
    return this.#conditions.keys();
  }

  // --- the evaluator's reads ---

  /** The bucket of (node, relation name id), or NONE. */
  bucket(node: number, name: number): number {
    const rows = this.#nodeRows;
    const row = node * NODE;
    if (name < SLOTTED_NAMES) {
      // Past the table's end: a type with no bucket yet.
      const slot = this.#slotOf[rows[row + N_TYPE]! * SLOTTED_NAMES + name] ?? UNSLOTTED;
      if (slot > 0) return rows[row + N_SLOTS + (slot - 1) * SLOT + S_BUCKET]!;
      if (slot === UNSLOTTED) return NONE;
    }
    if (name < RELATION_BITS && (rows[row + N_RELATIONS]! & (1 << name)) === 0) return NONE;
    return this.#bucketIndex.get(node, name, 0);
  }

  /** The node row's position of the slot of (node, relation), or NONE when the relation has no slot. */
  #slotAt(node: number, name: number): number {
    const slot = this.#slotNumber(node, name);
    return slot > 0 ? node * NODE + N_SLOTS + (slot - 1) * SLOT : NONE;
  }

  /** The slot + 1 of (node, relation) in the node's row, or UNSLOTTED / HASHED. */
  #slotNumber(node: number, name: number): number {
    if (name >= SLOTTED_NAMES) return UNSLOTTED;
    return this.#slotOf[this.#nodeRows[node * NODE + N_TYPE]! * SLOTTED_NAMES + name] ?? UNSLOTTED;
  }

  /** The node row's position of the sole subject of (node, relation) (soleDirectSubject), or NONE when the row keeps none for it. */
  #soleAt(node: number, name: number): number {
    const slot = this.#slotNumber(node, name);
    return slot > 0 && slot <= SOLE_SLOTS ? node * NODE + N_SOLE + slot - 1 : NONE;
  }

  /** `directHead(bucket)` of the bucket of (node, relation), from the node's row when it has a slot there (no bucket row read). */
  directHeadOf(node: number, name: number, bucket: number): number {
    const at = this.#slotAt(node, name);
    return at === NONE ? this.directHead(bucket) : this.#nodeRows[at + S_DIRECT_HEAD]!;
  }

  /** `usersetHead(bucket)` of the bucket of (node, relation), from the node's row when it has a slot there. */
  usersetHeadOf(node: number, name: number, bucket: number): number {
    const at = this.#slotAt(node, name);
    return at === NONE ? this.usersetHead(bucket) : this.#nodeRows[at + S_USERSET_HEAD]!;
  }

  /**
   * The subject of the only direct tuple of (node, relation), when the node's row keeps it (its
   * relation has one of the first slots, and the list holds exactly one tuple); else NONE, and the
   * list is read (directHeadOf, next, subject).
   */
  soleDirectSubject(node: number, name: number): number {
    const at = this.#soleAt(node, name);
    return at === NONE ? NONE : this.#nodeRows[at]!;
  }

  /** The direct list of a bucket went to or from one tuple: the node row's copy of its subject follows (soleDirectSubject). */
  #soleChanged(bucket: number): void {
    const b = bucket * BUCKET;
    const at = this.#soleAt(this.#bucketRows[b + B_NODE]!, this.#bucketRows[b + B_NAME]!);
    if (at === NONE) return;
    const head = this.#bucketRows[b + B_DIRECT_HEAD]!;
    const only = head !== NONE && this.#tupleRows[head * TUPLE + T_NEXT] === NONE;
    this.#nodeRows[at] = only ? this.#tupleRows[head * TUPLE + T_SUBJECT]! : NONE;
  }

  /** A bucket list's head changed: its copy in the node row follows (when the relation has a slot). */
  #headChanged(bucket: number, userset: boolean, head: number): void {
    const b = bucket * BUCKET;
    const at = this.#slotAt(this.#bucketRows[b + B_NODE]!, this.#bucketRows[b + B_NAME]!);
    if (at !== NONE) this.#nodeRows[at + (userset ? S_USERSET_HEAD : S_DIRECT_HEAD)] = head;
  }

  /** First direct (object or wildcard) tuple of the bucket, then `next(t)` until NONE. */
  directHead(bucket: number): number {
    return this.#bucketRows[bucket * BUCKET + B_DIRECT_HEAD]!;
  }

  /** First userset tuple of the bucket, then `next(t)` until NONE. */
  usersetHead(bucket: number): number {
    return this.#bucketRows[bucket * BUCKET + B_USERSET_HEAD]!;
  }

  next(tuple: number): number {
    return this.#tupleRows[tuple * TUPLE + T_NEXT]!;
  }

  /** The tuple `bucket@subject` (an object or wildcard subject), or NONE. */
  directTuple(bucket: number, subject: number): number {
    return this.#tupleIn(bucket, subject, NONE);
  }

  /** The tuple (bucket, subject, subject relation), or NONE: from the bucket's list while short, else from the index. */
  #tupleIn(bucket: number, subject: number, subjectRelation: number): number {
    const buckets = this.#bucketRows;
    const b = bucket * BUCKET;
    if (buckets[b + B_SIZE]! > INDEXED_FROM) return this.#tupleIndex.get(bucket, subject, subjectRelation);
    const rows = this.#tupleRows;
    let tuple = buckets[b + (subjectRelation === NONE ? B_DIRECT_HEAD : B_USERSET_HEAD)]!;
    // A direct list's tuples all have subject relation NONE: comparing the subject is enough there.
    while (tuple !== NONE && (rows[tuple * TUPLE + T_SUBJECT] !== subject || rows[tuple * TUPLE + T_SUBJECT_RELATION] !== subjectRelation)) {
      tuple = rows[tuple * TUPLE + T_NEXT]!;
    }
    return tuple;
  }

  /** The bucket a tuple is in. */
  tupleBucket(tuple: number): number {
    return this.#tupleRows[tuple * TUPLE + T_BUCKET]!;
  }

  subject(tuple: number): number {
    return this.#tupleRows[tuple * TUPLE + T_SUBJECT]!;
  }

  /** The subject's relation name id (`group:eng#member`), or NONE. */
  subjectRelation(tuple: number): number {
    return this.#tupleRows[tuple * TUPLE + T_SUBJECT_RELATION]!;
  }

  condition(tuple: number): BoundCondition | undefined {
    return this.#conditions.size === 0 ? undefined : this.#conditions.get(tuple);
  }

  /** Whether some tuple has a condition. */
  get hasConditions(): boolean {
    return this.#conditions.size > 0;
  }

  /** How many times the store was cleared: node numbers name the same objects while it holds. */
  get epoch(): number {
    return this.#epoch;
  }

  /** The tuple as a Relationship (a fresh object). */
  relationship(tuple: number): Relationship {
    const parts = [0, 0, 0, 0];
    this.tupleParts(tuple, parts, 0);
    return this.relationshipOf(parts[0]!, parts[1]!, parts[2]!, parts[3]!, this.condition(tuple));
  }

  /** Writes the tuple's resource node, relation, subject node and subject relation at `out[at..at+3]`. */
  tupleParts(tuple: number, out: number[], at: number): void {
    const bucket = this.tupleBucket(tuple);
    out[at] = this.#bucketRows[bucket * BUCKET + B_NODE]!;
    out[at + 1] = this.#bucketRows[bucket * BUCKET + B_NAME]!;
    out[at + 2] = this.subject(tuple);
    out[at + 3] = this.subjectRelation(tuple);
  }

  /** A Relationship (a fresh object) from a tuple's parts (tupleParts) and its condition. */
  relationshipOf(resource: number, name: number, subject: number, subjectRelation: number, condition: BoundCondition | undefined): Relationship {
    return {
      resource: { type: this.typeName(this.nodeType(resource)), id: this.#nodeIds[resource]! },
      relation: this.name(name),
      subject: { type: this.typeName(this.nodeType(subject)), id: this.#nodeIds[subject]!, ...(subjectRelation === NONE ? {} : { relation: this.name(subjectRelation) }) },
      ...(condition ? { condition: { name: condition.name, ...(condition.parameters ? { parameters: { ...condition.parameters } } : {}) } } : {}),
    };
  }

  /** First tuple naming (subject node, subject relation or NONE), then `nextBySubject(t)` until NONE. */
  subjectHead(subject: number, relation: number): number {
    return this.#subjectIndex.get(subject, relation, 0);
  }

  /** The subjects' direct tuples packed (packed-subjects.ts): `from(subject)` is -1 for one whose list must be read instead. */
  get packedDirect(): PackedSubjects | undefined {
    return this.#packed;
  }

  nextBySubject(tuple: number): number {
    return this.#tupleRows[tuple * TUPLE + T_NEXT_BY_SUBJECT]!;
  }

  /** The resource node of a tuple. */
  resource(tuple: number): number {
    return this.#bucketRows[this.tupleBucket(tuple) * BUCKET + B_NODE]!;
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
    const bucket = this.bucket(resource, name);
    return bucket === NONE ? NONE : this.#tupleIn(bucket, subject, subjectRelation);
  }

  /** Makes room for `count` more relationships (and as many buckets, at most) at once. */
  reserve(count: number): void {
    const tuples = this.#tuples + count;
    this.#tupleRows = grown(this.#tupleRows, tuples * TUPLE);
    // A relationship makes at most one bucket (0.78 per relationship in the Drive-like store). Most
    // are found through their node's slots: the bucket index grows by itself, for the others.
    // Objects are fewer (0.55 there): writeAll makes their rows once it has counted them, and
    // their tables, one per type, grow by themselves (growth streams a table into the next, a
    // few milliseconds at 10^6). Subjects are far fewer (0.1), and few buckets are large enough
    // for the tuple index: those indexes grow by themselves too, and stay small enough to stay
    // in cache.
    this.#bucketRows = grown(this.#bucketRows, (this.#buckets + count) * BUCKET);
  }

  /** Adds or replaces (same identity) a relationship. Returns whether it was new. */
  write(rel: Relationship): boolean {
    const resource = this.#internNode(rel.resource.type, rel.resource.id);
    const subject = this.#internNode(rel.subject.type, rel.subject.id);
    const subjectRelation = rel.subject.relation === undefined ? NONE : this.#names.intern(rel.subject.relation);
    const bucket = this.#bucketOf(resource, this.#names.intern(rel.relation));
    const tuple = this.#claimTuple(bucket, subject, subjectRelation, rel.condition);
    if (tuple === NONE) return false;
    this.#link(tuple, subject, subjectRelation);
    return true;
  }

  /**
   * `write` of each relationship in order, with the same result, in two passes. The first reads
   * each relationship once: asks `accept` about it (the engine's validation) and finds its
   * objects and names. `accept` is asked once per shape it accepted (AcceptedShapes: its answer
   * must depend on the shape only), about every relationship with a condition, and about every
   * one of a shape it refused (it collects their problems). When `accept` refused one, nothing
   * is written and the answer is false (the objects found may have been new: they hold no
   * relationship and change no answer). The second pass goes in chunks and phases: the chunk's
   * buckets, then its tuples (each new one appended to its bucket's list), then their subjects'
   * lists. Each phase is a short loop of lookups independent of one another, so the processor
   * overlaps their cache misses instead of waiting for each in turn (the tables of 10^6
   * relationships are larger than its caches). A phase reads only what earlier phases wrote for
   * the same relationship, and each runs in order, so duplicates and reused tuple numbers
   * resolve as in `write`.
   */
  writeAll(relationships: readonly Relationship[], accept?: (rel: Relationship) => boolean): boolean {
    const length = relationships.length;
    // Columns for the whole batch (a bulk load's on shared buffers like the tables: no external-memory collection).
    const resources = scratchColumn(length);
    const names = scratchColumn(length);
    const subjects = scratchColumn(length);
    const subjectRelations = scratchColumn(length);
    const shapes = accept ? new AcceptedShapes() : undefined;
    // A relationship names two objects at most.
    this.#pendingTypes = scratchColumn(2 * length);
    this.#pendingFrom = this.#nodeIds.length;
    let accepted = true;
    try {
      for (let i = 0; i < length; i++) {
        const rel = relationships[i]!;
        const { resource, subject } = rel;
        // Names not interned yet are NONE here, and interned only once the relationship is accepted.
        let resourceType = this.#types.find(resource.type);
        let name = this.#names.find(rel.relation);
        let subjectType = this.#types.find(subject.type);
        let subjectRelation = subject.relation === undefined ? NONE : this.#names.find(subject.relation);
        if (accept && shapes) {
          const known = rel.condition === undefined && resourceType !== NONE && name !== NONE && subjectType !== NONE && (subjectRelation !== NONE || subject.relation === undefined);
          const wildcard = subject.id.length === 1 && subject.id.charCodeAt(0) === WILDCARD_CODE;
          if (!known || !shapes.has(resourceType, name, subjectType, subjectRelation, wildcard)) {
            if (!accept(rel)) accepted = false;
            else if (known) shapes.add(resourceType, name, subjectType, subjectRelation, wildcard);
          }
        }
        if (!accepted) continue;
        if (resourceType === NONE) resourceType = this.#types.intern(resource.type);
        if (name === NONE) name = this.#names.intern(rel.relation);
        if (subjectType === NONE) subjectType = this.#types.intern(subject.type);
        if (subjectRelation === NONE && subject.relation !== undefined) subjectRelation = this.#names.intern(subject.relation);
        resources[i] = this.#internNodeOf(resourceType, resource.id);
        subjects[i] = this.#internNodeOf(subjectType, subject.id);
        names[i] = name;
        subjectRelations[i] = subjectRelation;
      }
    } finally {
      this.#makePendingRows();
    }
    if (!accepted) return false;
    const buckets = new Int32Array(CHUNK);
    const tuples = new Int32Array(CHUNK);
    for (let start = 0; start < length; start += CHUNK) {
      const count = Math.min(CHUNK, length - start);
      for (let i = 0; i < count; i++) buckets[i] = this.#bucketOf(resources[start + i]!, names[start + i]!);
      for (let i = 0; i < count; i++) {
        const at = start + i;
        tuples[i] = this.#claimTuple(buckets[i]!, subjects[at]!, subjectRelations[at]!, relationships[at]!.condition);
      }
      for (let i = 0; i < count; i++) if (tuples[i] !== NONE) this.#link(tuples[i]!, subjects[start + i]!, subjectRelations[start + i]!);
    }
    if (length >= PACK_FROM && length * 2 >= this.#size) {
      const tuples = { rows: this.#tupleRows, count: this.#tuples, stride: TUPLE, bucket: T_BUCKET, subject: T_SUBJECT, subjectRelation: T_SUBJECT_RELATION };
      this.#packed = new PackedSubjects(this.#nodeIds.length, tuples, NONE);
    }
    return true;
  }

  /** The bucket of (resource node, relation name id), made when new. */
  #bucketOf(resource: number, name: number): number {
    if (name < SLOTTED_NAMES) {
      const type = this.#nodeRows[resource * NODE + N_TYPE]!;
      let slot = this.#slotOf[type * SLOTTED_NAMES + name] ?? UNSLOTTED;
      if (slot === UNSLOTTED) slot = this.#assignSlot(type, name);
      if (slot > 0) {
        const at = resource * NODE + N_SLOTS + (slot - 1) * SLOT;
        const bucket = this.#nodeRows[at + S_BUCKET]!;
        if (bucket !== NONE) return bucket;
        const made = this.#newBucket(resource, name);
        // The heads were NONE since the node was made: the bucket is new and empty.
        this.#nodeRows[at + S_BUCKET] = made;
        return made;
      }
    }
    const bucket = this.#bucketIndex.add(resource, name, 0, this.#buckets);
    return bucket === NONE ? this.#newBucket(resource, name) : bucket;
  }

  /** The slot (+ 1) of the type's relation, taken when the type has one free, else HASHED for good. */
  #assignSlot(type: number, name: number): number {
    this.#slotOf = grown(this.#slotOf, (type + 1) * SLOTTED_NAMES);
    const used = this.#slotsUsed[type] ?? 0;
    const slot = used < SLOTS ? used + 1 : HASHED;
    if (slot !== HASHED) this.#slotsUsed[type] = used + 1;
    this.#slotOf[type * SLOTTED_NAMES + name] = slot;
    return slot;
  }

  /**
   * A new tuple (bucket, subject, subject relation), appended to its bucket's list with its
   * condition; or NONE when the tuple exists, whose condition is then replaced.
   */
  #claimTuple(bucket: number, subject: number, subjectRelation: number, condition: BoundCondition | undefined): number {
    const buckets = this.#bucketRows;
    const b = bucket * BUCKET;
    const size = buckets[b + B_SIZE]!;
    const tuple = this.#free !== NONE ? this.#free : this.#tuples;
    // An indexed bucket: the next tuple number is entered in the index in the same probe that finds an existing tuple.
    const existing = size > INDEXED_FROM ? this.#tupleIndex.add(bucket, subject, subjectRelation, tuple) : size === 0 ? NONE : this.#tupleIn(bucket, subject, subjectRelation);
    if (existing !== NONE) {
      this.#setCondition(existing, condition, bucket);
      return NONE;
    }
    if (tuple === this.#free) {
      this.#free = this.#tupleRows[tuple * TUPLE + T_NEXT]!;
    } else {
      this.#tuples++;
      this.#tupleRows = grown(this.#tupleRows, (tuple + 1) * TUPLE);
    }
    const rows = this.#tupleRows;
    const t = tuple * TUPLE;
    rows[t + T_BUCKET] = bucket;
    rows[t + T_SUBJECT] = subject;
    rows[t + T_SUBJECT_RELATION] = subjectRelation;
    // Appended to its bucket's list (insertion order: the evaluator's order of search).
    const head = b + (subjectRelation === NONE ? B_DIRECT_HEAD : B_USERSET_HEAD);
    const tailAt = b + (subjectRelation === NONE ? B_DIRECT_TAIL : B_USERSET_TAIL);
    const tail = buckets[tailAt]!;
    rows[t + T_PREV] = tail;
    rows[t + T_NEXT] = NONE;
    if (tail === NONE) {
      buckets[head] = tuple;
      this.#headChanged(bucket, subjectRelation !== NONE, tuple);
    } else rows[tail * TUPLE + T_NEXT] = tuple;
    buckets[tailAt] = tuple;
    // A direct list of one tuple, or of two that was of one: its sole subject changed.
    if (subjectRelation === NONE && (tail === NONE || rows[tail * TUPLE + T_PREV] === NONE)) this.#soleChanged(bucket);
    if (subjectRelation !== NONE) this.#relationEdited(bucket);
    buckets[b + B_SIZE] = size + 1;
    if (size === INDEXED_FROM) this.#indexTuples(bucket, true);
    // A new tuple number has no condition (delete drops it before freeing the number).
    if (condition) this.#setCondition(tuple, condition, bucket);
    this.#size++;
    return tuple;
  }

  /** Enters (or removes) every tuple of the bucket in the tuple index: it has grown past INDEXED_FROM (or shrunk back to it). */
  #indexTuples(bucket: number, enter: boolean): void {
    for (const head of [B_DIRECT_HEAD, B_USERSET_HEAD]) {
      for (let t = this.#bucketRows[bucket * BUCKET + head]!; t !== NONE; t = this.next(t)) {
        const [subject, subjectRelation] = [this.subject(t), this.subjectRelation(t)];
        if (enter) this.#tupleIndex.set(bucket, subject, subjectRelation, t);
        else this.#tupleIndex.delete(bucket, subject, subjectRelation);
      }
    }
  }

  /** Prepends a claimed tuple (in its bucket's list already) to its subject's list. */
  #link(tuple: number, subject: number, subjectRelation: number): void {
    if (subjectRelation === NONE) this.#packed?.changed(subject);
    const rows = this.#tupleRows;
    const t = tuple * TUPLE;
    const first = this.#subjectIndex.swap(subject, subjectRelation, 0, tuple);
    rows[t + T_PREV_BY_SUBJECT] = NONE;
    rows[t + T_NEXT_BY_SUBJECT] = first;
    if (first !== NONE) rows[first * TUPLE + T_PREV_BY_SUBJECT] = tuple;
  }

  /** Removes the relationship with the same identity, whatever its condition. Returns whether one existed. */
  delete(rel: Relationship): boolean {
    const tuple = this.#find(rel);
    if (tuple === NONE) return false;
    const rows = this.#tupleRows;
    const buckets = this.#bucketRows;
    const t = tuple * TUPLE;
    const bucket = rows[t + T_BUCKET]!;
    const subject = rows[t + T_SUBJECT]!;
    const subjectRelation = rows[t + T_SUBJECT_RELATION]!;
    const b = bucket * BUCKET;
    const head = b + (subjectRelation === NONE ? B_DIRECT_HEAD : B_USERSET_HEAD);
    const tailAt = b + (subjectRelation === NONE ? B_DIRECT_TAIL : B_USERSET_TAIL);
    const [prev, next] = [rows[t + T_PREV]!, rows[t + T_NEXT]!];
    if (prev === NONE) {
      buckets[head] = next;
      this.#headChanged(bucket, subjectRelation !== NONE, next);
    } else rows[prev * TUPLE + T_NEXT] = next;
    if (next === NONE) buckets[tailAt] = prev;
    else rows[next * TUPLE + T_PREV] = prev;
    if (subjectRelation === NONE) {
      this.#soleChanged(bucket);
      this.#packed?.changed(subject);
    }
    const size = buckets[b + B_SIZE]!;
    buckets[b + B_SIZE] = size - 1;
    if (size > INDEXED_FROM) this.#tupleIndex.delete(bucket, subject, subjectRelation);
    if (size === INDEXED_FROM + 1) this.#indexTuples(bucket, false);
    const [prevS, nextS] = [rows[t + T_PREV_BY_SUBJECT]!, rows[t + T_NEXT_BY_SUBJECT]!];
    if (prevS !== NONE) rows[prevS * TUPLE + T_NEXT_BY_SUBJECT] = nextS;
    else if (nextS === NONE) this.#subjectIndex.delete(subject, subjectRelation, 0);
    else this.#subjectIndex.set(subject, subjectRelation, 0, nextS);
    if (nextS !== NONE) rows[nextS * TUPLE + T_PREV_BY_SUBJECT] = prevS;
    if (subjectRelation !== NONE) this.#relationEdited(bucket);
    if (this.#conditions.delete(tuple)) this.#relationEdited(bucket);
    rows[t + T_BUCKET] = NONE;
    rows[t + T_NEXT] = this.#free;
    this.#free = tuple;
    this.#size--;
    return true;
  }

  /** A new bucket, numbered #buckets (entered in its node's slot or in the index by #bucketOf). */
  #newBucket(node: number, name: number): number {
    const bucket = this.#buckets++;
    this.#bucketRows = grown(this.#bucketRows, (bucket + 1) * BUCKET);
    const rows = this.#bucketRows;
    const b = bucket * BUCKET;
    rows[b + B_NODE] = node;
    rows[b + B_NAME] = name;
    // Stores, not fill(): a builtin call per bucket costs more than the stores (10^6 buckets in a bulk load).
    rows[b + B_DIRECT_HEAD] = NONE;
    rows[b + B_DIRECT_TAIL] = NONE;
    rows[b + B_USERSET_HEAD] = NONE;
    rows[b + B_USERSET_TAIL] = NONE;
    rows[b + B_SIZE] = 0;
    if (name < RELATION_BITS) this.#nodeRows[node * NODE + N_RELATIONS] = this.#nodeRows[node * NODE + N_RELATIONS]! | (1 << name);
    return bucket;
  }

  #setCondition(tuple: number, condition: BoundCondition | undefined, bucket: number): void {
    if (!condition) {
      if (this.#conditions.delete(tuple)) this.#relationEdited(bucket);
      return;
    }
    this.#relationEdited(bucket);
    this.#conditions.set(tuple, { name: condition.name, ...(condition.parameters ? { parameters: { ...condition.parameters } } : {}) });
  }

  /** Every relationship whose subject is exactly this (`user:anne`, `group:eng#member`, `user:*`). */
  bySubject(subjectText: string): Relationship[] {
    const parsed = parseSubject(subjectText);
    if (!parsed) return [];
    const subject = this.node(parsed.type, parsed.id);
    const relation = parsed.relation === undefined ? NONE : this.#names.find(parsed.relation);
    if (subject === NONE || (parsed.relation !== undefined && relation === NONE)) return [];
    const out: Relationship[] = [];
    for (let t = this.subjectHead(subject, relation); t !== NONE; t = this.nextBySubject(t)) out.push(this.relationship(t));
    return out;
  }

  /** Ids of every object of `type` that is the resource of some relationship. */
  resourceIds(type: string): string[] {
    const typeId = this.#types.find(type);
    const ids: string[] = [];
    if (typeId === NONE) return ids;
    for (let node = 0; node < this.#nodeIds.length; node++) if (this.nodeType(node) === typeId && this.#isResource(node)) ids.push(this.#nodeIds[node]!);
    return ids;
  }

  /** Whether some relationship has `node` as its resource (a bucket of it holds a tuple; deletes leave buckets empty). */
  #isResource(node: number): boolean {
    for (let name = 0; name < this.nameCount; name++) {
      const bucket = this.bucket(node, name);
      if (bucket !== NONE && (this.directHead(bucket) !== NONE || this.usersetHead(bucket) !== NONE)) return true;
    }
    return false;
  }

  all(): Relationship[] {
    const out: Relationship[] = [];
    for (let bucket = 0; bucket < this.#buckets; bucket++) {
      for (let t = this.directHead(bucket); t !== NONE; t = this.next(t)) out.push(this.relationship(t));
      for (let t = this.usersetHead(bucket); t !== NONE; t = this.next(t)) out.push(this.relationship(t));
    }
    return out;
  }

  /** Forgets every relationship and object; type and relation names stay interned (compiled models keep their ids). */
  clear(): void {
    this.#nodeIndexes = [];
    this.#nodeRows = int32Column(0);
    this.#nodeIds = [];
    this.#wildcards = [];
    this.#slotOf = int32Column(0);
    this.#slotsUsed = [];
    this.#bucketIndex = new IntTable();
    this.#bucketRows = int32Column(0);
    this.#buckets = 0;
    this.#tupleIndex = new IntTable();
    this.#tupleRows = int32Column(0);
    this.#subjectIndex = new IntTable();
    this.#packed = undefined;
    this.#tuples = 0;
    this.#free = NONE;
    this.#conditions.clear();
    this.#size = 0;
    this.#epoch++;
    this.#otherEdits++;
  }
}
