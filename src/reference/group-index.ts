// The group index: nested groups answered without walking them (Zanzibar's Leopard index, in
// small). A relation R of type T is *closable* when the model makes it a relation whose only
// userset is T#R itself (`group: member: [user, 'user:*', group#member]`): then `g#R` holds for
// a subject exactly when some chain of nesting tuples `a#R@b#R` leads from g down to a T node
// the subject (or its type's wildcard) is directly in. For each T node g the index keeps up(g):
// g and every T node above it by such chains. A check collects the groups the subject reaches,
// the union of up(h) over the subject's direct tuples in R buckets of T nodes, once, in a small
// set; every `g#R` it meets is then one set lookup instead of a walk down the nesting.
//
// Exact, or not used. The index of (T, R) is stale when the store's userset tuples of relation R,
// or a condition in an R bucket, changed (store.relationEdits). A stale index is not used: checks
// walk as before until enough of them have walked to pay for a rebuild (its cost is the store's
// bucket count), then one check rebuilds it, whole; on a small store the next check rebuilds it,
// and a large write (a bulk load) rebuilds it at once. So writes one at a time never rebuild it
// each (that was quadratic). A subject that reaches more than MAX_REACHED groups walks too. It
// is not usable, and the evaluator walks as before, while
// a tuple in an R bucket of a T node carries a condition (the walk would evaluate it), holds a
// userset other than T#R (written with validation off), while the nesting has a cycle (the walk's
// cycle cuts decide what it memoises), or when up() would take more than a few integers per
// relationship. `longest` is the longest nesting chain: the evaluator uses the index only where
// the walk could not have gone past its depth limit (evaluate.ts).

import type { Model } from '../model/types.ts';
import { CheckMemo } from './memo.ts';
import { NONE, type RelationshipStore } from './store.ts';

/** up() may take this many integers per relationship in the store (and at least MIN_POOL) before the index of a relation gives up. */
const POOL_PER_RELATIONSHIP = 4;
const MIN_POOL = 1 << 16;
/** A stale index is rebuilt once this many checks walked instead, or one per this much rebuild work (buckets and nesting tuples), whichever is more. */
const MIN_STALE_CHECKS = 16;
/** A write of this many relationships rebuilds a stale index at once; a check on a store this small (buckets + relationships) rebuilds it at once. */
const LARGE_CHANGE = 1024;
const SMALL_STORE = 4096;
const WORK_PER_STALE_CHECK = 256;
/**
 * A subject reaching more groups than this (the sum of up() over the groups it is directly in)
 * walks: filling the set would cost more than the walk (a group shared into thousands).
 */
const MAX_REACHED = 1024;
/** Not an R bucket of a T node (#byBucket). */
const NOT_HERE = -1;

/** A subject's direct tuples as (bucket, tuple) pairs: `count` pairs (evaluate.ts lists them once per check). */
export interface PairList {
  readonly pairs: Int32Array;
  readonly count: number;
}

/** The closable relations of a model, each with its index, by type id and relation name id. */
export class GroupIndex {
  readonly #byType: (GroupClosure | undefined)[][] = [];
  /** By relation name id: the closable relation of that name when only one type has one (null: several). */
  readonly #byName: (GroupClosure | null | undefined)[] = [];
  readonly #closures: GroupClosure[] = [];

  constructor(store: RelationshipStore, model: Model) {
    for (const [typeName, def] of model.types) {
      for (const [name, relation] of def.relations) {
        const usersets = relation.allowed.filter((allowed) => allowed.relation !== undefined);
        if (usersets.length === 0 || usersets.some((allowed) => allowed.type !== typeName || allowed.relation !== name)) continue;
        const typeId = store.typeId(typeName);
        const closure = new GroupClosure(store, typeId, store.nameId(name));
        const byName = this.#byType[typeId] ?? [];
        byName[closure.name] = closure;
        this.#byType[typeId] = byName;
        this.#closures.push(closure);
        this.#byName[closure.name] = this.#byName[closure.name] === undefined ? closure : null;
      }
    }
  }

  /** Whether the model has a closable relation at all. */
  get any(): boolean {
    return this.#closures.length > 0;
  }

  /** The index of relation `name` of type `typeId`, when it is closable. */
  closure(typeId: number, name: number): GroupClosure | undefined {
    return this.#byType[typeId]?.[name];
  }

  /** The closable relation named `name` when it is the only one so named (a userset `x#name` is then of its type, or of no closable one). */
  onlyNamed(name: number): GroupClosure | undefined {
    return this.#byName[name] ?? undefined;
  }

  /**
   * After a write or delete of `changed` relationships: rebuilds every stale index now when the
   * change was large (a bulk load: no check pays for it); otherwise a check rebuilds it, at once
   * on a small store, else once enough checks have walked (GroupClosure).
   */
  refresh(changed: number): void {
    for (const closure of this.#closures) closure.refreshAfter(changed);
  }
}

/** The index of one closable relation R of type T. */
export class GroupClosure {
  /** store.relationEdits(name) when built; -1: never built. */
  #builtAt = -1;
  /** Checks that found the index stale (and walked) since the last rebuild, and what that rebuild looked at. */
  #staleChecks = 0;
  #rebuildWork = 0;
  #usable = false;
  /** The longest chain of nesting tuples (edges), when usable. */
  longest = 0;
  /** By node: where its up() starts in #pool (the count, then the nodes), or 0 when up(g) is {g}. */
  #starts: Int32Array = new Int32Array(0);
  #pool: Int32Array = new Int32Array(1);
  /**
   * By bucket, for the buckets there were at the rebuild: NOT_HERE when it is not an R bucket of a
   * T node, else its node's start in #pool, or -(node + 2) when up(node) is {node}. A subject's
   * groups are then one small read per tuple, not a bucket row and a node row (cache misses at 10^6).
   */
  #byBucket: Int32Array = new Int32Array(0);
  /**
   * Bit per bucket of #byBucket: set for an R bucket of a T node. A subject's other direct tuples
   * (most: its shares on documents and folders) are told apart here, in a table small enough to
   * stay in the caches, without a read of #byBucket each (a cache miss each at 10^6).
   */
  #heldBits: Int32Array = new Int32Array(0);
  /** Bit per node: a T node the rebuild met (with an R bucket or in a nesting tuple). */
  #known: Int32Array = new Int32Array(0);
  /** The R buckets of T nodes among the store's first #scanned buckets, in the store's #epoch. */
  #held: number[] = [];
  #scanned = 0;
  #epoch = -1;
  /** The groups the current check's subject reaches, and which check that is. */
  readonly #reached = new CheckMemo<true>();
  #check = -1;

  constructor(
    readonly store: RelationshipStore,
    readonly type: number,
    readonly name: number,
  ) {}

  refreshAfter(changed: number): void {
    if (changed >= LARGE_CHANGE) this.fresh();
  }

  /** Whether the index is usable for the store as it is now (rebuilt first when stale). */
  fresh(): boolean {
    if (this.store.relationEdits(this.name) !== this.#builtAt) this.#rebuild();
    return this.#usable;
  }

  /**
   * Whether the index is usable; when it is, `reaches` answers for check number `check`, whose
   * subject's and wildcard's direct tuples are these (bucket, tuple) pairs (evaluate.ts).
   */
  readyFor(check: number, subject: PairList, wildcard: PairList): boolean {
    if (this.#check === check) return this.#ready;
    this.#check = check;
    this.#ready = this.#freshForCheck() && this.#reachedCount(subject) + this.#reachedCount(wildcard) <= MAX_REACHED;
    if (!this.#ready) return false;
    this.#reached.reset();
    this.#reachFrom(subject);
    this.#reachFrom(wildcard);
    return true;
  }

  /** Whether the current check uses the index (readyFor). */
  #ready = false;

  /** Usable for a check: a stale index is rebuilt only once enough checks have walked to pay for it. */
  #freshForCheck(): boolean {
    if (this.store.relationEdits(this.name) === this.#builtAt) return this.#usable;
    // Never built (a new model), or cheap to rebuild: now.
    if (this.#builtAt === -1 || this.store.bucketCount + this.store.size <= SMALL_STORE) return this.fresh();
    this.#staleChecks++;
    if (this.#staleChecks < Math.max(MIN_STALE_CHECKS, this.#rebuildWork / WORK_PER_STALE_CHECK)) return false;
    return this.fresh();
  }

  /** How many groups a subject's direct tuples lead to (the sum of their up() sets). */
  #reachedCount({ pairs, count }: PairList): number {
    let reached = 0;
    for (let i = 0; i < count * 2; i += 2) {
      const entry = this.#entryOf(pairs[i]!);
      if (entry !== NOT_HERE) reached += entry < 0 ? 1 : this.#pool[entry]!;
    }
    return reached;
  }

  /**
   * Whether `node` is a T node, without reading its row: known to the last rebuild (a node
   * made since, or one with nothing in R, is not known; the caller then reads its type).
   */
  knows(node: number): boolean {
    const word = node >> 5;
    return word < this.#known.length && (this.#known[word]! & (1 << (node & 31))) !== 0;
  }

  /** Whether node `group` (of type T) reaches the check's subject. */
  reaches(group: number): boolean {
    return this.#reached.get(group) === true;
  }

  #reachFrom({ pairs, count }: PairList): void {
    const pool = this.#pool;
    for (let i = 0; i < count * 2; i += 2) {
      const entry = this.#entryOf(pairs[i]!);
      if (entry === NOT_HERE) continue;
      if (entry < 0) {
        this.#reached.set(-entry - 2, true);
        continue;
      }
      const end = entry + 1 + pool[entry]!;
      for (let at = entry + 1; at < end; at++) this.#reached.set(pool[at]!, true);
    }
  }

  /** What #byBucket holds for `bucket`; a bucket made since the rebuild (a group's first member) is looked up in the store. */
  #entryOf(bucket: number): number {
    if (bucket >= this.#byBucket.length) return this.#entry(bucket);
    return (this.#heldBits[bucket >> 5]! & (1 << (bucket & 31))) === 0 ? NOT_HERE : this.#byBucket[bucket]!;
  }

  /** What #byBucket holds for `bucket`. */
  #entry(bucket: number): number {
    if (!this.#holds(bucket)) return NOT_HERE;
    const group = this.store.bucketNode(bucket);
    const start = group < this.#starts.length ? this.#starts[group]! : 0;
    return start > 0 ? start : -group - 2;
  }

  #rebuild(): void {
    const store = this.store;
    this.#builtAt = store.relationEdits(this.name);
    this.#staleChecks = 0;
    // What this rebuild looks at: a table entry per bucket, and the nesting (the store's size bounds it).
    this.#rebuildWork = store.bucketCount + store.size;
    this.#usable = false;
    this.#starts = new Int32Array(0);
    this.#pool = new Int32Array(1);
    this.#byBucket = new Int32Array(0);
    this.#heldBits = new Int32Array(0);
    this.#known = new Int32Array(0);
    for (const tuple of store.conditionedTuples()) if (this.#holds(store.tupleBucket(tuple))) return;
    // The nesting tuples, as (child, parent) node pairs.
    const children: number[] = [];
    const parents: number[] = [];
    const buckets = store.bucketCount;
    // A bucket keeps its node and relation until the store is cleared: only the new ones are looked at.
    if (store.epoch !== this.#epoch) {
      this.#epoch = store.epoch;
      this.#held = [];
      this.#scanned = 0;
    }
    const held = this.#held;
    for (let bucket = this.#scanned; bucket < buckets; bucket++) if (this.#holds(bucket)) held.push(bucket);
    this.#scanned = buckets;
    for (const bucket of held) {
      const parent = store.bucketNode(bucket);
      for (let tuple = store.usersetHead(bucket); tuple !== NONE; tuple = store.next(tuple)) {
        const child = store.subject(tuple);
        if (store.subjectRelation(tuple) !== this.name || store.nodeType(child) !== this.type) return;
        children.push(child);
        parents.push(parent);
      }
    }
    const graph = new NestingGraph(children, parents);
    const order = graph.topDown();
    if (!order) return;
    const limit = Math.max(MIN_POOL, POOL_PER_RELATIONSHIP * store.size);
    const built = graph.upSets(order, limit);
    if (!built) return;
    this.#starts = built.starts;
    this.#pool = built.pool;
    this.longest = built.longest;
    this.#byBucket = new Int32Array(buckets).fill(NOT_HERE);
    this.#heldBits = new Int32Array((buckets >> 5) + 1);
    for (const bucket of held) {
      this.#byBucket[bucket] = this.#entry(bucket);
      this.#heldBits[bucket >> 5]! |= 1 << (bucket & 31);
    }
    let maxNode = graph.maxNode;
    for (const bucket of held) maxNode = Math.max(maxNode, store.bucketNode(bucket));
    const known = new Int32Array((maxNode >> 5) + 1);
    for (const node of graph.nodes) known[node >> 5]! |= 1 << (node & 31);
    for (const bucket of held) known[store.bucketNode(bucket) >> 5]! |= 1 << (store.bucketNode(bucket) & 31);
    this.#known = known;
    this.#usable = true;
  }

  /** Whether `bucket` is an R bucket of a T node. */
  #holds(bucket: number): boolean {
    return bucket !== NONE && this.store.bucketName(bucket) === this.name && this.store.nodeType(this.store.bucketNode(bucket)) === this.type;
  }
}

/** The nesting tuples as a graph over local numbers 0 .. nodes - 1 (one per node in a tuple), parents and children listed CSR-style. */
class NestingGraph {
  /** Local number -> node, and the largest node. */
  readonly nodes: number[] = [];
  readonly maxNode: number;
  /** The parents of local number n are parentList[parentStart[n] .. parentStart[n + 1]); children likewise. */
  readonly parentStart: Int32Array;
  readonly parentList: Int32Array;
  readonly childStart: Int32Array;
  readonly childList: Int32Array;

  constructor(childNodes: number[], parentNodes: number[]) {
    let maxNode = -1;
    for (const node of childNodes) maxNode = Math.max(maxNode, node);
    for (const node of parentNodes) maxNode = Math.max(maxNode, node);
    /** Node -> local number + 1 (0: none yet). */
    const local = new Int32Array(maxNode + 1);
    const edges = childNodes.length;
    const childLocal = new Int32Array(edges);
    const parentLocal = new Int32Array(edges);
    for (let i = 0; i < edges * 2; i++) {
      const node = i < edges ? childNodes[i]! : parentNodes[i - edges]!;
      if (local[node] === 0) local[node] = this.nodes.push(node);
      if (i < edges) childLocal[i] = local[node]! - 1;
      else parentLocal[i - edges] = local[node]! - 1;
    }
    this.maxNode = maxNode;
    [this.parentStart, this.parentList] = grouped(this.nodes.length, childLocal, parentLocal);
    [this.childStart, this.childList] = grouped(this.nodes.length, parentLocal, childLocal);
  }

  /** Local numbers, every parent before its children (Kahn's algorithm), or undefined when there is a cycle. */
  topDown(): Int32Array | undefined {
    const count = this.nodes.length;
    const waiting = new Int32Array(count);
    const order = new Int32Array(count);
    let queued = 0;
    for (let n = 0; n < count; n++) {
      waiting[n] = this.parentStart[n + 1]! - this.parentStart[n]!;
      if (waiting[n] === 0) order[queued++] = n;
    }
    for (let i = 0; i < queued; i++) {
      const n = order[i]!;
      for (let c = this.childStart[n]!; c < this.childStart[n + 1]!; c++) {
        const child = this.childList[c]!;
        if (--waiting[child]! === 0) order[queued++] = child;
      }
    }
    return queued === count ? order : undefined;
  }

  /**
   * up() of every node with a parent, in a pool (`starts` by node; the pool holds the count, then
   * the nodes), and the longest chain; undefined when the pool would pass `limit` integers.
   */
  upSets(order: Int32Array, limit: number): { starts: Int32Array; pool: Int32Array; longest: number } | undefined {
    const count = this.nodes.length;
    const height = new Int32Array(count);
    /** Per local number, where its up() starts in `pool` (0: up(n) is {n}); the pool holds local numbers until the end. */
    const at = new Int32Array(count);
    let pool = new Int32Array(Math.max(16, count * 4));
    let size = 1;
    /** seen[m] === n + 1: m is in up(n) already (an ancestor two parents share is kept once). */
    const seen = new Int32Array(count);
    let longest = 0;
    for (const n of order) {
      const first = this.parentStart[n]!;
      const last = this.parentStart[n + 1]!;
      if (first === last) continue;
      const start = size++;
      // Room for n and every parent's up(), at most.
      let room = 1;
      for (let e = first; e < last; e++) room += at[this.parentList[e]!] === 0 ? 1 : pool[at[this.parentList[e]!]!]!;
      if (size + room > pool.length) {
        const next = new Int32Array(Math.max(size + room, pool.length * 2));
        next.set(pool);
        pool = next;
      }
      seen[n] = n + 1;
      pool[size++] = n;
      for (let e = first; e < last; e++) {
        const p = this.parentList[e]!;
        height[n] = Math.max(height[n]!, height[p]! + 1);
        const from = at[p]!;
        const end = from === 0 ? 0 : from + 1 + pool[from]!;
        for (let i = from === 0 ? -1 : from + 1; i < end; i++) {
          const m = i < 0 ? p : pool[i]!;
          if (seen[m] === n + 1) continue;
          seen[m] = n + 1;
          pool[size++] = m;
        }
      }
      pool[start] = size - start - 1;
      at[n] = start;
      longest = Math.max(longest, height[n]!);
      if (size > limit) return undefined;
    }
    const starts = new Int32Array(this.maxNode + 1);
    const nodes = pool.slice(0, size);
    for (let n = 0; n < count; n++) {
      const from = at[n]!;
      starts[this.nodes[n]!] = from;
      if (from !== 0) for (let i = from + 1, end = from + 1 + pool[from]!; i < end; i++) nodes[i] = this.nodes[pool[i]!]!;
    }
    return { starts, pool: nodes, longest };
  }
}

/** For edges (from[i], to[i]) over `count` numbers: where each number's list starts (count + 1 offsets) and the lists, in edge order. */
function grouped(count: number, from: Int32Array, to: Int32Array): [Int32Array, Int32Array] {
  const start = new Int32Array(count + 1);
  for (const f of from) start[f + 1]!++;
  for (let n = 0; n < count; n++) start[n + 1]! += start[n]!;
  const list = new Int32Array(from.length);
  const filled = start.slice(0, count);
  for (let i = 0; i < from.length; i++) list[filled[from[i]!]!++] = to[i]!;
  return [start, list];
}
