// The reference evaluator: Zanzibar/OpenFGA check semantics over the neutral model.
//
// Each node `object#relation` resolves to allow, deny or unknown (a condition could not be
// decided: a missing parameter or an evaluation error). Unknown fails closed: union needs
// one allow, intersection needs all allows, exclusion `a - b` allows only when a allows
// and b denies; an unknown anywhere else makes the check deny with the reason saying why.
// Cycles: a node met again on the current path is cut. When every node of the cycle is the
// same relation of the same type (nested groups, folder ancestry) the cut grants nothing: the
// least fixed point. A cycle through two or more relations is undecided, as OpenFGA's resolver
// reports it (a cycle is never a deny on the subtracted side of an exclusion). Results not
// affected by a cut are memoised for the rest of the check. A chain deeper than maxDepth
// throws DepthLimitError. Every check has a budget (budget.ts): resolution steps and CEL
// iterations are counted, the clock is read every few hundred steps, and a check past its
// step limit or deadline throws BudgetExceededError (a cyclic graph can take exponential
// time; it must not take the run with it). A relation with nothing written to it is denied
// without a step (it cannot recurse); an error ends the check (the next starts afresh).
//
// How it is fast (the semantics above are unchanged): names and objects are the store's
// integers (store.ts, compiled-model.ts), so a node is `object * names + relation`, a number,
// and no key string is built on the check path; a grant chain is a linked list of tuple
// numbers, turned into Relationship objects once, for the answer; texts (notes, cycle and
// depth messages) are built only where a check says something other than a plain deny; one
// Evaluator serves an engine's checks one after another, its memo emptied by a generation
// stamp (memo.ts); the subject's own direct relationships are listed once per check, so "is
// the subject directly in this relation" is a scan of a few numbers, not an index lookup; and
// nested groups (`group#member` of `group#member`s) are answered by one set lookup each from the
// group index (group-index.ts), where it gives exactly the walk's answer, instead of walked.

import { type BoundCondition, formatRelationship, relationshipKey, type Relationship } from '../core/relationship.ts';
import { type DecisionParts, explainDecision, grantChain, packLink } from './explanation.ts';
import type { CheckRequest } from '../core/request.ts';
import { conditionInputs, type CompiledCondition } from '../model/conditions.ts';
import { formatRewrite } from '../model/expression.ts';
import type { Model } from '../model/types.ts';
import { NONE, type RelationshipStore } from './store.ts';
import { CheckBudget, type BudgetLimits } from './budget.ts';
import { COMPUTED, type CompiledModel, type CompiledRewrite, compiledFor, EXCLUSION, INTERSECTION, TUPLE_TO_USERSET, UNION } from './compiled-model.ts';
import { CheckMemo } from './memo.ts';
import { type GroupClosure, GroupIndex } from './group-index.ts';
import { findHierarchies, type Hierarchies, type Hierarchy, NESTED, RELATION } from './hierarchy.ts';

export const DEFAULT_MAX_DEPTH = 50;

export class DepthLimitError extends Error {
  constructor(
    readonly limit: number,
    readonly at: string,
  ) {
    super(`depth limit ${limit} exceeded at ${at}`);
    this.name = 'DepthLimitError';
  }
}

// biome-ignore lint/suspicious/noConstEnum: local to this file (never exported), so per-file transpilers (tsx) inline it
const enum State {
  // The numbers of explanation.ts (ANSWER_*): a decision's parts carry them.
  Deny = 0,
  Allow = 1,
  Unknown = 2,
}

/**
 * A grant chain, resource first: per link, the tuple and its parts (known where the walk met it),
 * so the decision takes them without reading the tuple's and its bucket's rows again (two cache
 * misses per link at 10^6).
 */
class Link {
  constructor(
    readonly tuple: number,
    readonly resource: number,
    readonly name: number,
    readonly subject: number,
    /** NONE for an object or wildcard subject. */
    readonly subjectRelation: number,
    readonly next: Link | undefined,
  ) {}
}

/**
 * One node's answer. A single class (one object shape) keeps the evaluator's property reads
 * monomorphic: object literals of four different shapes made them slow lookups.
 */
class Result {
  constructor(
    readonly state: State,
    /** For allow: the relationships that granted it, from the resource to the subject. */
    readonly chain: Link | undefined = undefined,
    /** For deny/unknown: why (missing parameters, condition errors, exclusions). */
    readonly notes: string[] | undefined = undefined,
    /** A cycle was cut below this node, so the result depends on the path: not memoised. */
    readonly cut = false,
  ) {}
}

const DENY = new Result(State.Deny);
const CYCLE = new Result(State.Deny, undefined, undefined, true);
const VISITING = new Result(State.Deny, undefined, undefined, true);
const ALLOW_NO_CONDITION = new Result(State.Allow);

export interface EvaluationEnv {
  model: Model;
  store: RelationshipStore;
  conditions: ReadonlyMap<string, CompiledCondition>;
  maxDepth?: number;
  /** Steps and time one check may take; defaults in budget.ts. */
  limits?: BudgetLimits;
  /** Answer nested groups from the group index (group-index.ts) where it is exact (default true). */
  groupIndex?: boolean;
  /** Climb hierarchies (hierarchy.ts) with the lean walk (default true). */
  hierarchies?: boolean;
}

/**
 * A decision, with its explanation (the grant chain and the reason text) built the first time
 * it is read (explanation.ts). What the explanation needs is taken at decision time as numbers:
 * the chain's tuples' fields (tuple numbers are reused after deletes, their fields are not
 * changed) and the notes; objects and names stay in the store until it is cleared, so the
 * explanation reads the same whenever it is built (after a `clear`, it says that it cannot be
 * built). The decision log keeps the same numbers (decision-log.ts), not this object. It is the
 * engine's decision itself (ReferenceDecision): a class, not an object literal with getters,
 * which V8 gives a map of its own per object. Its parts are read through getters on the
 * prototype, so a spread copy has only `allowed` (and `decisionId`).
 */
export class CheckOutcome implements DecisionParts {
  readonly allowed: boolean;
  /** Set by the engine when it logs the decision. */
  decisionId?: string;
  readonly #store: RelationshipStore;
  readonly #epoch: number;
  readonly #request: CheckRequest;
  readonly #state: State;
  readonly #notes: string[] | undefined;
  /** Per link of the grant chain (resource first), two numbers (explanation.ts, DecisionParts). */
  readonly #links: number[] | undefined;
  readonly #conditions: (BoundCondition | undefined)[] | undefined;
  #chain: Relationship[] | undefined;
  #reason: string | undefined;

  constructor(store: RelationshipStore, request: CheckRequest, result: Result) {
    this.allowed = result.state === State.Allow;
    this.#store = store;
    this.#epoch = store.epoch;
    this.#request = request;
    this.#state = result.state;
    this.#notes = result.notes;
    if (result.state !== State.Allow) return;
    let length = 0;
    for (let link = result.chain; link; link = link.next) length++;
    // A plain array of doubles (unboxed), two per link: on the heap, where a typed array would need
    // a backing store of its own (that slowed every young-generation collection).
    const links = new Array<number>(length * 2);
    const conditions = store.hasConditions ? new Array<BoundCondition | undefined>(length) : undefined;
    let i = 0;
    for (let link = result.chain; link; link = link.next, i++) {
      links[i * 2] = packLink(link.resource, link.name);
      links[i * 2 + 1] = packLink(link.subject, link.subjectRelation + 1);
      if (conditions) conditions[i] = store.condition(link.tuple);
    }
    this.#links = links;
    this.#conditions = conditions;
  }

  get state(): number {
    return this.#state;
  }

  get epoch(): number {
    return this.#epoch;
  }

  get notes(): readonly string[] | undefined {
    return this.#notes;
  }

  get links(): readonly number[] | undefined {
    return this.#links;
  }

  get conditions(): readonly (BoundCondition | undefined)[] | undefined {
    return this.#conditions;
  }

  /** For an allow: the relationships that granted it, from the resource down to the subject. */
  get chain(): Relationship[] {
    this.#chain ??= grantChain(this.#store, this);
    return this.#chain;
  }

  /** JSON has the reason (the getters are on the prototype). */
  toJSON(): { allowed: boolean; reason: string; decisionId?: string } {
    return { allowed: this.allowed, reason: this.reason, ...(this.decisionId !== undefined ? { decisionId: this.decisionId } : {}) };
  }

  /** The grant chain as text, or why it was denied. */
  get reason(): string {
    this.#reason ??= explainDecision(this.#store, this.#request, this, this.#state === State.Allow ? this.chain : undefined);
    return this.#reason;
  }
}

/** Decides `request`; throws DepthLimitError when the chain is too deep. (An engine keeps one Evaluator instead.) */
export function evaluateCheck(env: EvaluationEnv, request: CheckRequest): CheckOutcome {
  return new Evaluator(env).check(request);
}

/** What a search over several relationships has learnt so far without finding a grant. */
interface Pending {
  notes?: string[] | undefined;
  unknown: boolean;
  cut: boolean;
}

/** A non-allow result: the shared DENY when there is nothing to say. */
function settle(unknown: boolean, notes: string[] | undefined, cut: boolean): Result {
  if (!unknown && !notes && !cut) return DENY;
  return new Result(unknown ? State.Unknown : State.Deny, undefined, notes, cut);
}

function merge(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.concat(b);
}

/** The chains of an intersection's children, one after another. */
function concatChains(a: Link | undefined, b: Link | undefined): Link | undefined {
  if (!a) return b;
  if (!b) return a;
  return new Link(a.tuple, a.resource, a.name, a.subject, a.subjectRelation, concatChains(a.next, b));
}

/**
 * Thrown when the group index meets a group so deep in the check that walking it might have hit
 * the depth limit: the check is decided again without the index (resolveRequest).
 */
class TooDeepForIndex extends Error {}
const TOO_DEEP_FOR_INDEX = new TooDeepForIndex('group index: too deep, walk instead');

/**
 * Thrown when a climb meets what only the general walk decides exactly (a cycle, a condition's
 * note, an answer that is neither allow nor a plain deny, the depth limit near): the check is
 * decided again without climbing (resolveRequest).
 */
class NotClimbable extends Error {}
const NOT_CLIMBABLE = new NotClimbable('hierarchy: walk instead');

/** Marks of the climb (#climbed): a node being climbed, and one climbed without a grant. */
const CLIMBING = 1;
const CLIMBED = 2;

/** Up to this many direct tuples of a subject are listed per check; a subject in more is looked up in the store's index. */
const SHORT_LIST = 32;

/**
 * A subject's direct tuples (no subject relation) as (bucket, tuple) pairs, listed once per check
 * into a reused array; `count` is the number of pairs, or MANY when the subject is in more than
 * SHORT_LIST (it is then looked up in the store's index).
 */
class DirectTuples {
  readonly pairs = new Int32Array(SHORT_LIST * 2);
  count = 0;

  list(store: RelationshipStore, subject: number): void {
    let count = 0;
    const packed = store.packedDirect;
    const from = packed && subject !== NONE ? packed.from(subject) : -1;
    if (from >= 0) {
      const to = packed!.to(subject);
      if (to - from > SHORT_LIST * 2) count = MANY;
      else {
        count = (to - from) >> 1;
        const source = packed!.pairs;
        for (let i = from; i < to; i++) this.pairs[i - from] = source[i]!;
      }
    } else if (subject !== NONE) {
      for (let t = store.subjectHead(subject, NONE); t !== NONE; t = store.nextBySubject(t)) {
        if (count === SHORT_LIST) {
          this.count = MANY;
          return;
        }
        this.pairs[count * 2] = store.tupleBucket(t);
        this.pairs[count * 2 + 1] = t;
        count++;
      }
    }
    this.count = count;
  }

  /** The tuple `bucket@subject`, from the list when there is one. */
  find(store: RelationshipStore, bucket: number, subject: number): number {
    if (subject === NONE) return NONE;
    if (this.count === MANY) return store.directTuple(bucket, subject);
    const pairs = this.pairs;
    for (let i = 0; i < this.count * 2; i += 2) if (pairs[i] === bucket) return pairs[i + 1]!;
    return NONE;
  }
}

const MANY = -1;

/**
 * Decides checks one after another against one environment (model, store, conditions). An
 * engine keeps one, so a check allocates little: the memo and the path are reused.
 */
export class Evaluator {
  readonly #store: RelationshipStore;
  readonly #compiled: CompiledModel;
  readonly #maxDepth: number;
  /** Node key -> its result, or VISITING while it is on the current path. */
  readonly #memo = new CheckMemo<Result>();
  /** The node keys on the current evaluation path, and their `type * names + relation`, to tell which cycle a cut closes. */
  readonly #path: number[] = [];
  readonly #pathRelations: number[] = [];
  // The check being decided:
  #request!: CheckRequest;
  /** Relation names in the store while this check runs: node key = object * names + relation. */
  #names = 0;
  #subjectNode = NONE;
  #wildcardNode = NONE;
  readonly #budget = new CheckBudget();
  /** The node being resolved, named only if the budget runs out there (describe). */
  #at = 0;
  /** The subject's and its wildcard's direct tuples as (bucket, tuple) pairs, when few: looked up without the store's big index. */
  readonly #subjectTuples = new DirectTuples();
  readonly #wildcardTuples = new DirectTuples();
  /** What direct() and tupleToUserset() learn, one per depth (at most one is in use at a depth), reused from check to check. */
  readonly #pending: Pending[] = [];
  /** Closable relations and their indexes (made on the first check), and whether this check uses them. */
  #groups: GroupIndex | undefined;
  #indexing = false;
  /** Counts checks: the group index gathers the subject's groups once per check. */
  #checkNumber = 0;
  /** The model's hierarchies (hierarchy.ts), whether this check climbs them, and the marks of the current climb. */
  readonly #hierarchies: Hierarchies;
  #climbing = false;
  readonly #climbed = new CheckMemo<number>();
  /** A climb is under way: a relation resolved from it met a hierarchy (a userset written without validation). */
  #inClimb = false;

  constructor(readonly env: EvaluationEnv) {
    this.#store = env.store;
    this.#compiled = compiledFor(env.store, env.model);
    this.#maxDepth = env.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#hierarchies = env.hierarchies === false ? [] : findHierarchies(env.store, env.model);
  }

  /**
   * Decides `request`; throws DepthLimitError when the chain is too deep, BudgetExceededError past the budget.
   * `withoutWildcard`: the subject's type wildcard grants it nothing (a subject search asks whether a subject is
   * granted by name, not only as one of `type:*`).
   */
  check(request: CheckRequest, withoutWildcard = false): CheckOutcome {
    const store = this.#store;
    this.#request = request;
    this.#names = store.nameCount;
    this.#subjectNode = store.node(request.subject.type, request.subject.id);
    this.#wildcardNode = withoutWildcard ? NONE : store.wildcard(request.subject.type);
    this.#subjectTuples.list(store, this.#subjectNode);
    this.#wildcardTuples.list(store, this.#wildcardNode);
    this.#budget.restart(this.env.limits);
    this.#memo.reset();
    // Empty unless the last check ended in an error (setting an array's length costs a runtime call).
    if (this.#path.length > 0) this.#path.length = 0;
    if (this.#pathRelations.length > 0) this.#pathRelations.length = 0;
    return new CheckOutcome(store, request, this.resolveRequest());
  }

  describe(): string {
    return this.formatKey(this.#at);
  }

  /** The Pending of `depth`, emptied. */
  #pendingAt(depth: number): Pending {
    const pending = this.#pending[depth];
    if (!pending) {
      const fresh: Pending = { notes: undefined, unknown: false, cut: false };
      this.#pending[depth] = fresh;
      return fresh;
    }
    pending.notes = undefined;
    pending.unknown = false;
    pending.cut = false;
    return pending;
  }

  resolveRequest(): Result {
    const { type, id } = this.#request.resource;
    const name = this.#store.findName(this.#request.action.name);
    const typeId = this.#store.findType(type);
    if (name === NONE || typeId === NONE) return DENY;
    // An object no relationship names is node NONE: it has no buckets, its permissions still resolve.
    const node = this.#store.node(type, id);
    this.#checkNumber++;
    // The index needs the subject's (and wildcard's) direct tuples listed; a subject in more walks.
    this.#indexing = this.env.groupIndex !== false && this.#subjectTuples.count !== MANY && this.#wildcardTuples.count !== MANY && this.groupIndex().any;
    // A condition is decided by the walk (its notes, its unknowns): no climbing while the store has one.
    this.#climbing = this.#hierarchies.length > 0 && !this.#store.hasConditions;
    for (;;) {
      // An error ends a check wherever it is thrown: the next starts with no climb under way. A
      // climb's marks hold for the whole check, as the walk's memo does (a permission over many
      // objects that share ancestors climbs each once).
      this.#inClimb = false;
      this.#climbed.reset();
      try {
        return this.resolve(typeId, node, name, 0);
      } catch (error) {
        if (error === TOO_DEEP_FOR_INDEX) this.#indexing = false;
        else if (error === NOT_CLIMBABLE) this.#climbing = false;
        else throw error;
        // Decided again without the index or the climb, from scratch: a fresh memo, path and budget (the deadline is the same).
        this.#memo.reset();
        this.#path.length = 0;
        this.#pathRelations.length = 0;
        this.#budget.restart(this.env.limits);
      }
    }
  }

  /** The model's closable relations and their indexes (group-index.ts). */
  groupIndex(): GroupIndex {
    this.#groups ??= new GroupIndex(this.#store, this.env.model);
    return this.#groups;
  }

  /**
   * `g#R` of a closable relation from the index, or undefined when its index is not usable now.
   * Exact: the walk below g meets only R nodes of g's type (the relation's only userset), none
   * conditioned, no cycle; it allows exactly when some nesting chain leads from g to a node the
   * subject or its wildcard is directly in, and its chain is the first such in the walk's order
   * (#chainDown). It could differ only by throwing DepthLimitError, when a chain below g goes past
   * maxDepth; and the walk memoises what it met, so a group met again deeper would not be walked
   * again. So a group met deeper than `maxDepth - longest` restarts the check without the index.
   * No R node of T is then ever walked or memoised in a check that uses the index. Index answers
   * spend no budget steps (they are a set lookup).
   */
  #indexed(closure: GroupClosure, node: number, depth: number): Result | undefined {
    if (!closure.readyFor(this.#checkNumber, this.#subjectTuples, this.#wildcardTuples)) return undefined;
    if (depth + closure.longest > this.#maxDepth) throw TOO_DEEP_FOR_INDEX;
    if (!closure.reaches(node)) return DENY;
    return new Result(State.Allow, this.#chainDown(closure, node));
  }

  /**
   * What `follow` gives for a userset tuple `…@g#R` of a closable relation when no tuple has a
   * condition, from the index, without reading g's row for its type (the index knows its T
   * nodes: a cache miss less per group shared, at 10^6); undefined when it cannot tell.
   */
  #nestedGroup(resource: number, name: number, tuple: number, relation: number, depth: number): Result | undefined {
    const store = this.#store;
    if (store.hasConditions) return undefined;
    const closure = this.#groups!.onlyNamed(relation);
    if (!closure?.readyFor(this.#checkNumber, this.#subjectTuples, this.#wildcardTuples)) return undefined;
    const group = store.subject(tuple);
    if (!closure.knows(group)) return undefined;
    const inner = this.#indexed(closure, group, depth + 1);
    if (inner === undefined || inner === DENY) return inner;
    return new Result(State.Allow, new Link(tuple, resource, name, group, relation, inner.chain));
  }

  /** The grant chain below a group that reaches the subject, as the walk finds it: its direct tuple, else the first nested group that reaches it. */
  #chainDown(closure: GroupClosure, node: number): Link {
    const store = this.#store;
    const bucket = store.bucket(node, closure.name);
    const own = this.#subjectTuples.find(store, bucket, this.#subjectNode);
    if (own !== NONE) return new Link(own, node, closure.name, this.#subjectNode, NONE, undefined);
    const wildcard = this.#wildcardTuples.find(store, bucket, this.#wildcardNode);
    if (wildcard !== NONE) return new Link(wildcard, node, closure.name, this.#wildcardNode, NONE, undefined);
    for (let tuple = store.usersetHead(bucket); tuple !== NONE; tuple = store.next(tuple)) {
      const group = store.subject(tuple);
      if (closure.reaches(group)) return new Link(tuple, node, closure.name, group, closure.name, this.#chainDown(closure, group));
    }
    throw new Error(`group index: ${this.#store.formatNode(store.bucketNode(bucket))} reaches the subject by no nested group`);
  }

  /** `type:id#relation` of a node key (NONE as object: the request's resource). */
  formatKey(key: number): string {
    const object = Math.floor(key / this.#names);
    const name = this.#store.name(key - object * this.#names);
    if (object === NONE) return `${this.#request.resource.type}:${this.#request.resource.id}#${name}`;
    return `${this.#store.formatNode(object)}#${name}`;
  }

  formatObject(node: number): string {
    return node === NONE ? `${this.#request.resource.type}:${this.#request.resource.id}` : this.#store.formatNode(node);
  }

  resolve(typeId: number, node: number, name: number, depth: number): Result {
    if (this.#indexing) {
      const closure = this.#groups!.closure(typeId, name);
      const indexed = closure && this.#indexed(closure, node, depth);
      if (indexed) return indexed;
    }
    const key = node * this.#names + name;
    const seen = this.#memo.get(key);
    if (seen) return seen === VISITING ? this.cycle(key, typeId * this.#names + name) : seen;
    if (depth > this.#maxDepth) {
      // What a climb decided is not in the memo, where the walk would find it met again deeper: the walk decides.
      if (this.#climbing) throw NOT_CLIMBABLE;
      throw new DepthLimitError(this.#maxDepth, this.formatKey(key));
    }
    const member = this.#compiled.types[typeId]?.[name];
    if (member === undefined) return DENY;
    // An object no relationship names (NONE) is walked: its nested permissions can still meet a cycle or the depth limit.
    const hierarchy = this.#climbing && member !== true && node !== NONE ? this.#hierarchies[typeId]?.[name] : undefined;
    if (hierarchy) {
      // One climb at a time: its marks are the memo of what it climbed.
      if (this.#inClimb) throw NOT_CLIMBABLE;
      this.#inClimb = true;
      const climbed = this.#climb(hierarchy, node, depth);
      this.#inClimb = false;
      this.#memo.set(key, climbed);
      return climbed;
    }
    // A relation nothing was written to: deny at once, without the bookkeeping below (most are
    // empty). It is not counted as a step either: it costs one lookup and cannot recurse.
    const bucket = member === true && node !== NONE ? this.#store.bucket(node, name) : NONE;
    if (member === true && bucket === NONE) return DENY;
    this.#at = key;
    this.#budget.spend(1, this);
    const usersets = member === true ? this.#store.usersetHeadOf(node, name, bucket) : NONE;
    // A relation with no userset tuple on this object cannot recurse: no path to keep, no cycle to cut.
    if (member === true && usersets === NONE) {
      const own = this.subjectDirectly(node, name, bucket);
      this.#memo.set(key, own);
      return own;
    }
    this.#memo.set(key, VISITING);
    this.#path.push(key);
    this.#pathRelations.push(typeId * this.#names + name);
    // No try/finally: an error ends the check, and the next check starts from an empty memo and path.
    const result = member === true ? this.direct(node, name, bucket, usersets, depth) : this.rewrite(member, typeId, node, depth);
    this.#path.pop();
    this.#pathRelations.pop();
    // A result that a cycle cut depends on the path: forget it; any other holds for the whole check.
    if (result.cut) this.#memo.delete(key);
    else this.#memo.set(key, result);
    return result;
  }

  /**
   * `node#R` of a hierarchy R, climbed: its terms in the walk's order, a mark per node for what
   * the walk memoises (a node climbed without a grant is a deny when met again, through another
   * parent); the same answer and grant chain as the walk, or NOT_CLIMBABLE where they could differ.
   */
  #climb(hierarchy: Hierarchy, node: number, depth: number): Result {
    const key = node * this.#names + hierarchy.name;
    const marks = this.#climbed;
    // One probe for the mark's read and its two writes (while the table does not grow).
    const slot = marks.slot(key);
    const resizes = marks.resizes;
    const mark = marks.valueAt(slot);
    if (mark === CLIMBED) return DENY;
    // A cycle (the walk's cut decides it), or a depth the walk's next step could exceed.
    if (mark === CLIMBING || depth + 2 > this.#maxDepth) throw NOT_CLIMBABLE;
    this.#at = key;
    this.#budget.spend(1, this);
    marks.setValueAt(slot, CLIMBING);
    for (const step of hierarchy.steps) {
      let result: Result;
      if (step.kind === RELATION) result = this.#relationOf(hierarchy.type, node, step.relation, depth + 1);
      else if (step.kind === NESTED) result = this.#climb(step.nested!, node, depth + 1);
      else result = this.#climbUp(node, step.tupleset, step.computed, depth);
      if (result.state === State.Allow) {
        // Unmarked: a later climb of this check meets it as new (the entry's answer is in the memo).
        marks.update(slot, resizes, key, undefined);
        return result;
      }
      if (result !== DENY) throw NOT_CLIMBABLE;
    }
    marks.update(slot, resizes, key, CLIMBED);
    return DENY;
  }

  /** `tupleset->computed` of a node in a hierarchy: the hierarchy `computed` climbed on each object related by `tupleset`, as tupleToUserset() follows them. */
  #climbUp(node: number, tupleset: number, computed: number, depth: number): Result {
    const store = this.#store;
    // A sole parent is in the node's row: no bucket or tuple row read, the tuple number only for a grant (the list's head).
    const sole = store.soleDirectSubject(node, tupleset);
    if (sole !== NONE) {
      const inner = this.#climbTo(sole, computed, depth);
      return inner.state === State.Allow ? new Result(State.Allow, new Link(store.directHeadOf(node, tupleset, NONE), node, tupleset, sole, NONE, inner.chain)) : DENY;
    }
    const bucket = store.bucket(node, tupleset);
    if (bucket === NONE) return DENY;
    for (let tuple = store.directHeadOf(node, tupleset, bucket); tuple !== NONE; tuple = store.next(tuple)) {
      const object = store.subject(tuple);
      const inner = this.#climbTo(object, computed, depth);
      if (inner.state === State.Allow) return new Result(State.Allow, new Link(tuple, node, tupleset, object, NONE, inner.chain));
    }
    return DENY;
  }

  /** The hierarchy `computed` of `object`, climbed; DENY for an object the walk skips (a wildcard, a type without `computed`). */
  #climbTo(object: number, computed: number, depth: number): Result {
    const store = this.#store;
    const type = store.nodeType(object);
    if (store.isWildcard(object, type) || this.#compiled.types[type]?.[computed] === undefined) return DENY;
    const above = this.#hierarchies[type]?.[computed];
    // A subject type the model does not allow there (written without validation): the walk decides.
    if (!above) throw NOT_CLIMBABLE;
    return this.#climb(above, object, depth + 1);
  }

  /**
   * A relation of a node in a hierarchy, as resolve() would decide it: from the subject's list,
   * then its userset tuples of nested groups from the group index (direct() without the memo and
   * path it needs only to follow the others); resolved when one is not such, or the index is not
   * usable, or the relation is closable itself.
   */
  #relationOf(typeId: number, node: number, name: number, depth: number): Result {
    const store = this.#store;
    const bucket = store.bucket(node, name);
    if (bucket === NONE) return DENY;
    const usersets = store.usersetHeadOf(node, name, bucket);
    const indexed = this.#indexing && this.#groups!.closure(typeId, name) === undefined;
    if (usersets === NONE ? this.#indexing && !indexed : !indexed) return this.resolve(typeId, node, name, depth);
    // A step, as resolve() counts it (so a budget runs out about where the walk's would).
    this.#budget.spend(1, this);
    const own = this.subjectDirectly(node, name, bucket);
    if (own.state === State.Allow || usersets === NONE) return own;
    for (let tuple = usersets; tuple !== NONE; tuple = store.next(tuple)) {
      const nested = this.#nestedGroup(node, name, tuple, store.subjectRelation(tuple), depth);
      if (nested === undefined) return this.resolve(typeId, node, name, depth);
      if (nested !== DENY) return nested;
    }
    return DENY;
  }

  /** A cut: the least fixed point when the cycle stays within one relation, else undecided. */
  cycle(key: number, relation: number): Result {
    const from = this.#path.lastIndexOf(key);
    const relations = this.#pathRelations.slice(from);
    if (relations.every((r) => r === relation)) return CYCLE;
    const through = [...this.#path.slice(from), key].map((k) => this.formatKey(k)).join(' -> ');
    return new Result(State.Unknown, undefined, [`cycle through ${through}`], true);
  }

  /** The relation `node#name` (its bucket, and the head of its userset list): direct subject, wildcard, or a userset the subject is in. */
  direct(node: number, name: number, bucket: number, usersets: number, depth: number): Result {
    const store = this.#store;
    const own = this.subjectDirectly(node, name, bucket);
    if (own.state === State.Allow) return own;
    const pending = this.#pendingAt(depth);
    pending.notes = own.notes;
    pending.unknown = own.state === State.Unknown;
    for (let tuple = usersets; tuple !== NONE; tuple = store.next(tuple)) {
      const relation = store.subjectRelation(tuple);
      const nested = this.#indexing ? this.#nestedGroup(node, name, tuple, relation, depth) : undefined;
      if (nested === DENY) continue;
      if (nested) return nested;
      const granted = this.follow(node, name, tuple, relation, relation, depth, pending);
      if (granted) return granted;
    }
    return settle(pending.unknown, pending.notes, pending.cut);
  }

  /** The subject itself, then its type's wildcard, in a relation's bucket (a lookup each in the subject's short list, not a scan of the bucket). */
  subjectDirectly(node: number, name: number, bucket: number): Result {
    const store = this.#store;
    let notes: string[] | undefined;
    let unknown = false;
    for (let i = 0; i < 2; i++) {
      const tuple = i === 0 ? this.#subjectTuples.find(store, bucket, this.#subjectNode) : this.#wildcardTuples.find(store, bucket, this.#wildcardNode);
      if (tuple === NONE) continue;
      const c = this.condition(tuple);
      if (c.state === State.Allow) return new Result(State.Allow, new Link(tuple, node, name, i === 0 ? this.#subjectNode : this.#wildcardNode, NONE, undefined));
      if (c.state === State.Unknown) unknown = true;
      notes = merge(notes, c.notes);
    }
    return settle(unknown, notes, false);
  }

  rewrite(rewrite: CompiledRewrite, typeId: number, node: number, depth: number): Result {
    switch (rewrite.kind) {
      case COMPUTED:
        return this.resolve(typeId, node, rewrite.relation, depth + 1);
      case TUPLE_TO_USERSET:
        return this.tupleToUserset(node, rewrite.tupleset, rewrite.computed, depth);
      case UNION: {
        let unknown = false;
        let cut = false;
        let notes: string[] | undefined;
        for (const child of rewrite.children) {
          const r = this.rewrite(child, typeId, node, depth);
          if (r.state === State.Allow) return r;
          if (r.cut) cut = true;
          if (r.state === State.Unknown) unknown = true;
          notes = merge(notes, r.notes);
        }
        return settle(unknown, notes, cut);
      }
      case INTERSECTION: {
        let unknown = false;
        let cut = false;
        let notes: string[] | undefined;
        let chain: Link | undefined;
        for (const child of rewrite.children) {
          const r = this.rewrite(child, typeId, node, depth);
          if (r.cut) cut = true;
          if (r.state === State.Deny) return new Result(State.Deny, undefined, r.notes, cut);
          if (r.state === State.Unknown) {
            unknown = true;
            notes = merge(notes, r.notes);
          } else chain = concatChains(chain, r.chain);
        }
        if (unknown) return new Result(State.Unknown, undefined, notes, cut);
        return new Result(State.Allow, chain, undefined, cut);
      }
      case EXCLUSION: {
        const base = this.rewrite(rewrite.base!, typeId, node, depth);
        if (base.state === State.Deny) return base;
        const subtract = this.rewrite(rewrite.subtract!, typeId, node, depth);
        const cut = !!(base.cut || subtract.cut);
        if (subtract.state === State.Allow) {
          const links: string[] = [];
          for (let link = subtract.chain; link; link = link.next) links.push(formatRelationship(this.#store.relationship(link.tuple)));
          const by = links.join(' -> ');
          const note = `excluded by '${formatRewrite(rewrite.source!)}' on ${this.formatObject(node)}${by ? ` (${by})` : ''}`;
          return new Result(State.Deny, undefined, [note], cut);
        }
        if (base.state === State.Unknown || subtract.state === State.Unknown) {
          const notes = merge(base.notes, subtract.state === State.Unknown ? subtract.notes : undefined);
          return new Result(State.Unknown, undefined, notes, cut);
        }
        return new Result(State.Allow, base.chain, undefined, cut);
      }
      default:
        throw new Error(`unknown rewrite kind ${rewrite.kind}`);
    }
  }

  /** `tupleset->computed`: the subject has `computed` on some object related by `tupleset`. */
  tupleToUserset(node: number, tupleset: number, computed: number, depth: number): Result {
    const store = this.#store;
    const bucket = node === NONE ? NONE : store.bucket(node, tupleset);
    if (bucket === NONE) return DENY;
    const pending = this.#pendingAt(depth);
    for (let tuple = store.directHeadOf(node, tupleset, bucket); tuple !== NONE; tuple = store.next(tuple)) {
      const object = store.subject(tuple);
      const type = store.nodeType(object);
      if (store.isWildcard(object, type)) continue;
      if (this.#compiled.types[type]?.[computed] === undefined) continue;
      const granted = this.follow(node, tupleset, tuple, NONE, computed, depth, pending);
      if (granted) return granted;
    }
    return settle(pending.unknown, pending.notes, pending.cut);
  }

  /**
   * Follows one relationship (`tuple`, in the bucket of `resource#name`, its subject relation
   * `subjectRelation` or NONE) to `relation` on its subject object, through the relationship's
   * condition: the grant (with its chain) when both hold, else what was learnt goes to `pending`.
   */
  follow(resource: number, name: number, tuple: number, subjectRelation: number, relation: number, depth: number, pending: Pending): Result | undefined {
    const c = this.condition(tuple);
    if (c.state === State.Deny) {
      pending.notes = merge(pending.notes, c.notes);
      return undefined;
    }
    const object = this.#store.subject(tuple);
    const inner = this.resolve(this.#store.nodeType(object), object, relation, depth + 1);
    if (inner.cut) pending.cut = true;
    if (inner.state === State.Deny) {
      // Why it was denied there (an exclusion, a false condition) is why here too.
      if (inner.notes) pending.notes = merge(pending.notes, inner.notes);
      return undefined;
    }
    if (inner.state === State.Allow && c.state === State.Allow) return new Result(State.Allow, new Link(tuple, resource, name, object, subjectRelation, inner.chain));
    pending.unknown = true;
    pending.notes = merge(pending.notes, merge(c.notes, inner.notes));
    return undefined;
  }

  /** Whether a relationship's condition holds (allow when it has none). */
  condition(tuple: number): Result {
    const bound = this.#store.condition(tuple);
    if (!bound) return ALLOW_NO_CONDITION;
    const where = relationshipKey(this.#store.relationship(tuple));
    const compiled = this.env.conditions.get(bound.name);
    if (!compiled) return new Result(State.Unknown, undefined, [`condition '${bound.name}' on ${where} is not defined in the model`]);
    const values = conditionInputs(compiled.definition, bound.parameters, this.#request, compiled.used);
    const result = compiled.evaluate(values, this.#budget);
    if (result.ok) {
      return result.value ? ALLOW_NO_CONDITION : new Result(State.Deny, undefined, [`condition '${bound.name}' on ${where} is false`]);
    }
    if (result.missing?.length) {
      const names = result.missing.map((m) => `'${m}'`).join(', ');
      return new Result(State.Unknown, undefined, [`condition '${bound.name}' on ${where} is missing parameter ${names}`]);
    }
    return new Result(State.Unknown, undefined, [`condition '${bound.name}' on ${where} failed: ${result.error}`]);
  }
}
