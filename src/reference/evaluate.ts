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
// time; it must not take the run with it).

import { formatObject, formatRelationship, formatSubject, type Relationship, type SubjectRef } from '../core/relationship.ts';
import type { CheckRequest } from '../core/request.ts';
import { conditionInputs, type CompiledCondition } from '../model/conditions.ts';
import { formatRewrite } from '../model/expression.ts';
import type { Model, Rewrite } from '../model/types.ts';
import type { RelationshipStore } from './store.ts';
import { CheckBudget, type BudgetLimits } from './budget.ts';

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
  Deny = 0,
  Allow = 1,
  Unknown = 2,
}

interface Result {
  state: State;
  /** For allow: the relationships that granted it, from the resource to the subject. */
  chain?: Relationship[];
  /** For deny/unknown: why (missing parameters, condition errors, exclusions). */
  notes?: string[] | undefined;
  /** A cycle was cut below this node, so the result depends on the path: not memoised. */
  cut?: boolean;
}

const DENY: Result = { state: State.Deny };
const CYCLE: Result = { state: State.Deny, cut: true };
const VISITING: Result = { state: State.Deny, cut: true };

export interface EvaluationEnv {
  model: Model;
  store: RelationshipStore;
  conditions: ReadonlyMap<string, CompiledCondition>;
  maxDepth?: number;
  /** Steps and time one check may take; defaults in budget.ts. */
  limits?: BudgetLimits;
}

export interface CheckOutcome {
  allowed: boolean;
  /** For an allow: the relationships that granted it, from the resource down to the subject. */
  chain: Relationship[];
  /** The grant chain as text, or why it was denied. */
  reason: string;
}

/** Decides `request`; throws DepthLimitError when the chain is too deep. */
export function evaluateCheck(env: EvaluationEnv, request: CheckRequest): CheckOutcome {
  const subject: SubjectRef = { type: request.subject.type, id: request.subject.id };
  const evaluator = new Evaluator(env, request, subject);
  const { type, id } = request.resource;
  const name = request.action.name;
  const result = evaluator.resolve(type, id, name, 0);
  const target = `${type}:${id}#${name}`;
  if (result.state === State.Allow) {
    const chain = result.chain ?? [];
    return { allowed: true, chain, reason: `${target} granted by ${chain.map(formatRelationship).join(' -> ')}` };
  }
  const who = formatSubject(subject);
  const notes = unique(result.notes ?? []);
  if (result.state === State.Unknown) {
    return { allowed: false, chain: [], reason: `${target} undecided for ${who}, failing closed: ${notes.join('; ')}` };
  }
  const why = notes.length ? `: ${notes.join('; ')}` : '';
  return { allowed: false, chain: [], reason: `no relationship grants ${who} ${target}${why}` };
}

/** A non-allow result: the shared DENY when there is nothing to say. */
/** What a search over several relationships has learnt so far without finding a grant. */
interface Pending {
  notes?: string[] | undefined;
  unknown: boolean;
  cut: boolean;
}

function settle(unknown: boolean, notes: string[] | undefined, cut: boolean): Result {
  if (!unknown && !notes && !cut) return DENY;
  return { state: unknown ? State.Unknown : State.Deny, notes, cut };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function merge(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.concat(b);
}

class Evaluator {
  /** Node -> its result, or VISITING while it is on the current path. */
  readonly #memo = new Map<string, Result>();
  /** The nodes on the current evaluation path, and their `type#name`, to tell which cycle a cut closes. */
  readonly #path: string[] = [];
  readonly #pathRelations: string[] = [];
  readonly #subjectKey: string;
  readonly #wildcardKey: string;
  readonly #maxDepth: number;
  readonly #budget: CheckBudget;

  constructor(
    readonly env: EvaluationEnv,
    readonly request: CheckRequest,
    readonly subject: SubjectRef,
  ) {
    this.#subjectKey = `${subject.type}:${subject.id}`;
    this.#wildcardKey = `${subject.type}:*`;
    this.#maxDepth = env.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#budget = new CheckBudget(env.limits);
  }

  resolve(type: string, id: string, name: string, depth: number): Result {
    const key = `${type}:${id}#${name}`;
    const seen = this.#memo.get(key);
    if (seen) return seen === VISITING ? this.cycle(key, `${type}#${name}`) : seen;
    if (depth > this.#maxDepth) throw new DepthLimitError(this.#maxDepth, key);
    this.#budget.spend(1, key);
    const def = this.env.model.types.get(type);
    if (!def) return DENY;
    this.#memo.set(key, VISITING);
    this.#path.push(key);
    this.#pathRelations.push(`${type}#${name}`);
    let result: Result;
    try {
      if (def.relations.has(name)) result = this.direct(key, depth);
      else {
        const permission = def.permissions.get(name);
        result = permission ? this.rewrite(permission.rewrite, type, id, depth) : DENY;
      }
    } catch (error) {
      this.#memo.delete(key);
      throw error;
    } finally {
      this.#path.pop();
      this.#pathRelations.pop();
    }
    // A result that a cycle cut depends on the path: forget it; any other holds for the whole check.
    if (result.cut) this.#memo.delete(key);
    else this.#memo.set(key, result);
    return result;
  }

  /** `key` is on the current path: a cycle within one relation grants nothing; through several it is undecided. */
  cycle(key: string, relation: string): Result {
    const from = this.#path.lastIndexOf(key);
    const relations = this.#pathRelations.slice(from);
    if (relations.every((r) => r === relation)) return CYCLE;
    const through = [...this.#path.slice(from), key].join(' -> ');
    return { state: State.Unknown, notes: [`cycle through ${through}`], cut: true };
  }

  /** A relation: direct subject, wildcard, or a userset the subject is in. */
  direct(key: string, depth: number): Result {
    const bucket = this.env.store.bucketByKey(key);
    if (!bucket) return DENY;
    let notes: string[] | undefined;
    let unknown = false;
    if (bucket.direct.size > 0) {
      for (const rel of [bucket.direct.get(this.#subjectKey), bucket.direct.get(this.#wildcardKey)]) {
        if (!rel) continue;
        const c = this.condition(rel);
        if (c.state === State.Allow) return { state: State.Allow, chain: [rel] };
        if (c.state === State.Unknown) unknown = true;
        notes = merge(notes, c.notes);
      }
    }
    const pending: Pending = { notes, unknown, cut: false };
    for (const rel of bucket.usersets.values()) {
      const granted = this.follow(rel, rel.subject.relation!, depth, pending);
      if (granted) return granted;
    }
    return settle(pending.unknown, pending.notes, pending.cut);
  }

  rewrite(rewrite: Rewrite, type: string, id: string, depth: number): Result {
    switch (rewrite.kind) {
      case 'computed':
        return this.resolve(type, id, rewrite.relation, depth + 1);
      case 'tupleToUserset':
        return this.tupleToUserset(type, id, rewrite.tupleset, rewrite.computed, depth);
      case 'union': {
        let unknown = false;
        let cut = false;
        let notes: string[] | undefined;
        for (const child of rewrite.children) {
          const r = this.rewrite(child, type, id, depth);
          if (r.state === State.Allow) return r;
          if (r.cut) cut = true;
          if (r.state === State.Unknown) unknown = true;
          notes = merge(notes, r.notes);
        }
        return settle(unknown, notes, cut);
      }
      case 'intersection': {
        let unknown = false;
        let cut = false;
        let notes: string[] | undefined;
        let chain: Relationship[] = [];
        for (const child of rewrite.children) {
          const r = this.rewrite(child, type, id, depth);
          if (r.cut) cut = true;
          if (r.state === State.Deny) return { state: State.Deny, ...(r.notes ? { notes: r.notes } : {}), ...(cut ? { cut } : {}) };
          if (r.state === State.Unknown) {
            unknown = true;
            notes = merge(notes, r.notes);
          } else chain = chain.concat(r.chain ?? []);
        }
        if (unknown) return { state: State.Unknown, ...(notes ? { notes } : {}), ...(cut ? { cut } : {}) };
        return { state: State.Allow, chain, ...(cut ? { cut } : {}) };
      }
      case 'exclusion': {
        const base = this.rewrite(rewrite.base, type, id, depth);
        if (base.state === State.Deny) return base;
        const subtract = this.rewrite(rewrite.subtract, type, id, depth);
        const cut = !!(base.cut || subtract.cut);
        if (subtract.state === State.Allow) {
          const by = (subtract.chain ?? []).map(formatRelationship).join(' -> ');
          const note = `excluded by '${formatRewrite(rewrite.subtract)}' on ${type}:${id}${by ? ` (${by})` : ''}`;
          return { state: State.Deny, notes: [note], ...(cut ? { cut } : {}) };
        }
        if (base.state === State.Unknown || subtract.state === State.Unknown) {
          const notes = merge(base.notes, subtract.state === State.Unknown ? subtract.notes : undefined);
          return { state: State.Unknown, ...(notes ? { notes } : {}), ...(cut ? { cut } : {}) };
        }
        return { state: State.Allow, ...(base.chain ? { chain: base.chain } : {}), ...(cut ? { cut } : {}) };
      }
    }
  }

  /** `tupleset->computed`: the subject has `computed` on some object related by `tupleset`. */
  tupleToUserset(type: string, id: string, tupleset: string, computed: string, depth: number): Result {
    const bucket = this.env.store.bucket(type, id, tupleset);
    if (!bucket) return DENY;
    const pending: Pending = { unknown: false, cut: false };
    for (const rel of bucket.direct.values()) {
      if (rel.subject.id === '*') continue;
      const targetType = this.env.model.types.get(rel.subject.type);
      if (!targetType || !(targetType.relations.has(computed) || targetType.permissions.has(computed))) continue;
      const granted = this.follow(rel, computed, depth, pending);
      if (granted) return granted;
    }
    return settle(pending.unknown, pending.notes, pending.cut);
  }

  /**
   * Follows one relationship to `relation` on its subject object, through the relationship's
   * condition: the grant (with its chain) when both hold, else what was learnt goes to `pending`.
   */
  follow(rel: Relationship, relation: string, depth: number, pending: Pending): Result | undefined {
    const c = this.condition(rel);
    if (c.state === State.Deny) {
      pending.notes = merge(pending.notes, c.notes);
      return undefined;
    }
    const inner = this.resolve(rel.subject.type, rel.subject.id, relation, depth + 1);
    if (inner.cut) pending.cut = true;
    if (inner.state === State.Deny) return undefined;
    if (inner.state === State.Allow && c.state === State.Allow) return { state: State.Allow, chain: [rel, ...(inner.chain ?? [])] };
    pending.unknown = true;
    pending.notes = merge(pending.notes, merge(c.notes, inner.notes));
    return undefined;
  }

  /** Whether a relationship's condition holds (allow when it has none). */
  condition(rel: Relationship): Result {
    const bound = rel.condition;
    if (!bound) return ALLOW_NO_CONDITION;
    const where = `${formatObject(rel.resource)}#${rel.relation}@${formatSubject(rel.subject)}`;
    const compiled = this.env.conditions.get(bound.name);
    if (!compiled) return { state: State.Unknown, notes: [`condition '${bound.name}' on ${where} is not defined in the model`] };
    const values = conditionInputs(compiled.definition, bound.parameters, this.request, compiled.used);
    const result = compiled.evaluate(values, this.#budget);
    if (result.ok) {
      return result.value ? ALLOW_NO_CONDITION : { state: State.Deny, notes: [`condition '${bound.name}' on ${where} is false`] };
    }
    if (result.missing?.length) {
      const names = result.missing.map((m) => `'${m}'`).join(', ');
      return { state: State.Unknown, notes: [`condition '${bound.name}' on ${where} is missing parameter ${names}`] };
    }
    return { state: State.Unknown, notes: [`condition '${bound.name}' on ${where} failed: ${result.error}`] };
  }
}

const ALLOW_NO_CONDITION: Result = { state: State.Allow };
