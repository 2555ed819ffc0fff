// The group index: nested groups answered without walking them (Zanzibar's Leopard index, in
// small). A relation R of type T is *closable* when the model makes it a relation whose only
// userset is T#R itself (`group: member: [user, 'user:*', group#member]`): then `g#R` holds for
// a subject exactly when some chain of nesting tuples `a#R@b#R` leads from g down to a T node
// the subject (or its type's wildcard) is directly in. For each T node g the index keeps up(g):
// g and every T node above it by such chains. A check collects the groups the subject reaches,
// the union of up(h) over the subject's direct tuples in R buckets of T nodes, once, in a small
// set; every `g#R` it meets is then one set lookup instead of a walk down the nesting.
//
// Exact, or not used. The index of (T, R) is rebuilt, whole, when the store's userset tuples of
// relation R or any condition changed (store.relationEdits; the engine rebuilds it after each
// write and delete, a bulk load once). It is not usable, and the evaluator walks as before, while
// a tuple in an R bucket of a T node carries a condition (the walk would evaluate it), holds a
// userset other than T#R (written with validation off), while the nesting has a cycle (the walk's
// cycle cuts decide what it memoises), or when up() would take more than a few integers per
// relationship. `longest` is the longest nesting chain: the evaluator uses the index only where
// the walk could not have gone past its depth limit (evaluate.ts).

import type { Model } from '../model/types.ts';
import { NodeSet } from './node-set.ts';
import { NONE, type RelationshipStore } from './store.ts';

/** up() may take this many integers per relationship in the store (and at least MIN_POOL) before the index of a relation gives up. */
const POOL_PER_RELATIONSHIP = 4;
const MIN_POOL = 1 << 16;

/** The closable relations of a model, each with its index, by type id and relation name id. */
export class GroupIndex {
  readonly #byType: (GroupClosure | undefined)[][] = [];
  readonly #closures: GroupClosure[] = [];

  constructor(store: RelationshipStore, model: Model) {
    for (const [typeName, def] of model.types) {
      for (const [name, relation] of def.relations) {
        const usersets = relation.allowed.filter((allowed) => allowed.relation !== undefined);
        if (usersets.length === 0 || usersets.some((allowed) => allowed.type !== typeName || allowed.relation !== name)) continue;
        const typeId = store.typeId(typeName);
        const closure = new GroupClosure(store, typeId, store.nameId(name));
        (this.#byType[typeId] ??= [])[closure.name] = closure;
        this.#closures.push(closure);
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

  /** Rebuilds every stale index now (after a write or delete), so the next check does not. */
  refresh(): void {
    for (const closure of this.#closures) closure.fresh();
  }
}

/** The index of one closable relation R of type T. */
export class GroupClosure {
  /** store.relationEdits(name) when built; -1: never built. */
  #builtAt = -1;
  #usable = false;
  /** The longest chain of nesting tuples (edges), when usable. */
  longest = 0;
  /** By node: where its up() starts in #pool (the count, then the nodes), or 0 when up(g) is {g}. */
  #starts: Int32Array = new Int32Array(0);
  #pool: Int32Array = new Int32Array(1);
  /** The groups the current check's subject reaches, and which check that is. */
  readonly #reached = new NodeSet();
  #check = -1;

  constructor(
    readonly store: RelationshipStore,
    readonly type: number,
    readonly name: number,
  ) {}

  /** Whether the index is usable for the store as it is now (rebuilt first when stale). */
  fresh(): boolean {
    if (this.store.relationEdits(this.name) !== this.#builtAt) this.#rebuild();
    return this.#usable;
  }

  /**
   * Whether the index is usable; when it is, `reaches` answers for check number `check`, whose
   * subject's and wildcard's direct tuples are these (bucket, tuple) pairs (evaluate.ts).
   */
  readyFor(check: number, subjectPairs: number[], wildcardPairs: number[]): boolean {
    if (this.#check === check) return this.#usable;
    this.#check = check;
    if (!this.fresh()) return false;
    this.#reached.clear();
    this.#reachFrom(subjectPairs);
    this.#reachFrom(wildcardPairs);
    return true;
  }

  /** Whether node `group` (of type T) reaches the check's subject. */
  reaches(group: number): boolean {
    return this.#reached.has(group);
  }

  #reachFrom(pairs: number[]): void {
    const store = this.store;
    for (let i = 0; i < pairs.length; i += 2) {
      const bucket = pairs[i]!;
      if (store.bucketName(bucket) !== this.name) continue;
      const group = store.bucketNode(bucket);
      if (store.nodeType(group) !== this.type) continue;
      const start = group < this.#starts.length ? this.#starts[group]! : 0;
      if (start === 0) {
        this.#reached.add(group);
        continue;
      }
      const end = start + 1 + this.#pool[start]!;
      for (let at = start + 1; at < end; at++) this.#reached.add(this.#pool[at]!);
    }
  }

  #rebuild(): void {
    const store = this.store;
    this.#builtAt = store.relationEdits(this.name);
    this.#usable = false;
    this.#starts = new Int32Array(0);
    this.#pool = new Int32Array(1);
    for (const tuple of store.conditionedTuples()) if (this.#holds(store.tupleBucket(tuple))) return;
    // The nesting tuples, as (child, parent) node pairs.
    const children: number[] = [];
    const parents: number[] = [];
    for (let bucket = 0; bucket < store.bucketCount; bucket++) {
      if (!this.#holds(bucket)) continue;
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
    this.#usable = true;
  }

  /** Whether `bucket` is an R bucket of a T node. */
  #holds(bucket: number): boolean {
    return bucket !== NONE && this.store.bucketName(bucket) === this.name && this.store.nodeType(this.store.bucketNode(bucket)) === this.type;
  }
}

/** The nesting tuples as a graph over local numbers 0 .. nodes - 1 (one per node in a tuple). */
class NestingGraph {
  /** Local number -> node. */
  readonly nodes: number[] = [];
  /** Per local number, the local numbers of its parents and of its children. */
  readonly parents: number[][] = [];
  readonly children: number[][] = [];

  constructor(childNodes: number[], parentNodes: number[]) {
    const local = new Map<number, number>();
    const number = (node: number): number => {
      let n = local.get(node);
      if (n === undefined) {
        n = this.nodes.push(node) - 1;
        local.set(node, n);
        this.parents.push([]);
        this.children.push([]);
      }
      return n;
    };
    for (let i = 0; i < childNodes.length; i++) {
      const child = number(childNodes[i]!);
      const parent = number(parentNodes[i]!);
      this.parents[child]!.push(parent);
      this.children[parent]!.push(child);
    }
  }

  /** Local numbers, every parent before its children (Kahn's algorithm), or undefined when there is a cycle. */
  topDown(): number[] | undefined {
    const waiting = this.parents.map((p) => p.length);
    const order: number[] = [];
    for (let n = 0; n < waiting.length; n++) if (waiting[n] === 0) order.push(n);
    for (let i = 0; i < order.length; i++) {
      for (const child of this.children[order[i]!]!) {
        waiting[child]!--;
        if (waiting[child] === 0) order.push(child);
      }
    }
    return order.length === this.nodes.length ? order : undefined;
  }

  /**
   * up() of every node with a parent, in a pool (`starts` by node; the pool holds the count, then
   * the nodes), and the longest chain; undefined when the pool would pass `limit` integers.
   */
  upSets(order: number[], limit: number): { starts: Int32Array; pool: Int32Array; longest: number } | undefined {
    const count = this.nodes.length;
    const height = new Int32Array(count);
    /** Per local number, where its up() starts in `pool` (0: up(n) is {n}); the pool holds local numbers until the end. */
    const at = new Int32Array(count);
    const pool: number[] = [0];
    /** seen[m] === n: m is in up(n) already (an ancestor two parents share is kept once). */
    const seen = new Int32Array(count).fill(-1);
    let longest = 0;
    for (const n of order) {
      const parents = this.parents[n]!;
      if (parents.length === 0) continue;
      const start = pool.length;
      pool.push(0);
      const add = (m: number) => {
        if (seen[m] === n) return;
        seen[m] = n;
        pool.push(m);
      };
      add(n);
      for (const p of parents) {
        height[n] = Math.max(height[n]!, height[p]! + 1);
        const from = at[p]!;
        if (from === 0) add(p);
        else for (let i = from + 1, end = from + 1 + pool[from]!; i < end; i++) add(pool[i]!);
      }
      pool[start] = pool.length - start - 1;
      at[n] = start;
      longest = Math.max(longest, height[n]!);
      if (pool.length > limit) return undefined;
    }
    let maxNode = -1;
    for (const node of this.nodes) maxNode = Math.max(maxNode, node);
    const starts = new Int32Array(maxNode + 1);
    const nodes = Int32Array.from(pool);
    for (let n = 0; n < count; n++) {
      starts[this.nodes[n]!] = at[n]!;
      const from = at[n]!;
      if (from !== 0) for (let i = from + 1, end = from + 1 + pool[from]!; i < end; i++) nodes[i] = this.nodes[pool[i]!]!;
    }
    return { starts, pool: nodes, longest };
  }
}
