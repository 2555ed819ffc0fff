// The host side of the Oso policy: the relationship store and the classes Polar sees.
//
// Every neutral type becomes one registered class (so rules can specialise on it, e.g.
// `obj: folder`); its instances answer fact queries from the store, as an Oso application
// answers them from its database:
//   obj.direct(relation, subject)                  relationships naming that subject, plus `type:*`
//                                                  (left out where the check says so: subject search)
//   obj.usersets(relation)                         relationships whose subject is a userset
//   obj.objects(relation)                          plain object subjects (tuple-to-userset hops)
//   obj.visit(name, seen)                          node key for cycle checks; throws past the depth limit
//   actor.params(fact)                             the fact's condition parameters (bound, then request)
//   actor.undecided(fact)                          whether those parameters are missing or invalid
// The host only looks facts up; Polar decides (matching, recursion, conditions).

import { isDeepStrictEqual } from 'node:util';
import { checkDeadline } from '../../src/core/deadline.ts';
import { formatObject, relationshipKey, WILDCARD } from '../../src/core/relationship.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { Model, ParameterType } from '../../src/model/types.ts';
import osoTypes from 'oso/dist/src/types.js';
import { inCidr, parseIpAddress } from '../../src/model/ip.ts';
import { parseDurationMs, parseTimestampMs } from './cel.ts';

export const DEFAULT_MAX_DEPTH = 50;

export class DepthLimitError extends Error {}

/**
 * One relationship as Polar sees it: a Polar dictionary (oso's `Dict`), so reading its
 * fields stays inside the Polar VM; only `subject` is a host instance (it has methods).
 */
export interface Fact {
  subject: OsoObject;
  /** The userset relation (`member` for `group:eng#member`), or null. */
  relation: string | null;
  wildcard: boolean;
  /** The condition name, or null for an unconditional relationship. */
  condition: string | null;
  bound: Record<string, unknown>;
}

// oso exports Dict only as a type; the class marks a JS object as a Polar dictionary.
const { Dict } = osoTypes as unknown as { Dict: new (fields?: object) => object };

/** A JS value as Polar data: plain objects become Polar dictionaries (missing keys fail, not error). */
export function toPolarData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPolarData);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return new Dict(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPolarData(v)])));
  }
  return value;
}

/** Per-check state the actor carries: the request (for conditions) and notes for the reason. */
export interface CheckState {
  request: CheckRequest;
  notes: string[];
  /** The subject's type wildcard grants it nothing: its facts are left out (a subject search's second phase). */
  withoutWildcard?: boolean;
}

export type ObjectClass = new (type: string, id: string, world: World, state?: CheckState) => OsoObject;

/** Base class of every registered type class. */
export class OsoObject {
  constructor(
    readonly type: string,
    readonly id: string,
    private readonly world: World,
    private readonly state?: CheckState,
  ) {}

  /** Facts naming `subject` (the actor) itself, or its type's wildcard unless its check leaves that out. */
  direct(relation: string, subject: OsoObject): Fact[] {
    return this.world.direct(this.type, this.id, relation, subject.type, subject.id, subject.state?.withoutWildcard ?? false);
  }

  usersets(relation: string): Fact[] {
    return this.world.usersets(this.type, this.id, relation);
  }

  objects(relation: string): Fact[] {
    return this.world.objects(this.type, this.id, relation);
  }

  /** The node key; past the depth limit (hops from the checked resource) an error ends the query. */
  visit(name: string, seen: string[]): string {
    // Polar calls back here at every node it resolves: where a check stops at its deadline.
    checkDeadline();
    const key = `${this.type}:${this.id}#${name}`;
    if (seen.length > this.world.maxDepth && !seen.includes(key)) {
      throw new DepthLimitError(`depth limit ${this.world.maxDepth} exceeded at ${key}`);
    }
    return key;
  }

  /**
   * `node` is on the path `seen` (newest first) again: whether that cycle leaves the check
   * undecided, i.e. runs through more than one relation (docs/model.md, Cycles); a cycle
   * within one relation grants nothing.
   */
  undecidedCycle(node: string, seen: string[]): boolean {
    const relationOf = (key: string) => `${key.slice(0, key.indexOf(':'))}#${key.slice(key.lastIndexOf('#') + 1)}`;
    const relation = relationOf(node);
    return seen.slice(0, seen.indexOf(node) + 1).some((key) => relationOf(key) !== relation);
  }

  /** Whether the fact's condition cannot be decided (undefined, missing or invalid parameter). */
  undecided(fact: Fact): boolean {
    const state = this.state;
    if (!state || !fact.condition) return false;
    return this.world.params(fact, state).length === 0;
  }

  /** Zero or one parameter dictionary: none when a parameter the condition reads is missing. */
  params(fact: Fact): Record<string, unknown>[] {
    const state = this.state;
    if (!state || !fact.condition) return [];
    return this.world.params(fact, state);
  }
}

function newIndex() {
  return new Map<string, Map<string, Relationship>>();
}

function add(index: Map<string, Map<string, Relationship>>, key: string, rel: Relationship): void {
  let bucket = index.get(key);
  if (!bucket) {
    bucket = new Map();
    index.set(key, bucket);
  }
  bucket.set(relationshipKey(rel), rel);
}

function remove(index: Map<string, Map<string, Relationship>>, key: string, rel: Relationship): void {
  const bucket = index.get(key);
  if (!bucket) return;
  bucket.delete(relationshipKey(rel));
  if (bucket.size === 0) index.delete(key);
}

/** Relationships indexed for the fact queries above. */
export class RelationshipStore {
  private readonly all = new Map<string, Relationship>();
  /** `type:id#relation@subjectType:subjectId` (subjectId may be `*`) -> relationships. */
  readonly exact = newIndex();
  /** `type:id#relation` -> userset relationships. */
  readonly usersets = newIndex();
  /** `type:id#relation` -> plain object subjects (no userset, no wildcard). */
  readonly objects = newIndex();

  get size(): number {
    return this.all.size;
  }

  relationships(): IterableIterator<Relationship> {
    return this.all.values();
  }

  clear(): void {
    this.all.clear();
    this.exact.clear();
    this.usersets.clear();
    this.objects.clear();
  }

  write(rel: Relationship): void {
    const key = relationshipKey(rel);
    const old = this.all.get(key);
    if (old) this.delete(old);
    this.all.set(key, rel);
    this.index(rel, add);
  }

  delete(rel: Relationship): void {
    const key = relationshipKey(rel);
    const old = this.all.get(key);
    if (!old) return;
    this.all.delete(key);
    this.index(old, remove);
  }

  private index(rel: Relationship, op: typeof add): void {
    const node = `${formatObject(rel.resource)}#${rel.relation}`;
    if (rel.subject.relation) op(this.usersets, node, rel);
    else {
      op(this.exact, `${node}@${rel.subject.type}:${rel.subject.id}`, rel);
      if (rel.subject.id !== WILDCARD) op(this.objects, node, rel);
    }
  }
}

/** The store, the loaded model and the registered classes: what the host methods consult. */
export class World {
  classes = new Map<string, ObjectClass>();
  model: Model | undefined;
  /** Parameters each condition reads (from the translation). */
  usedParameters = new Map<string, string[]>();

  constructor(
    readonly store: RelationshipStore,
    readonly maxDepth: number,
  ) {}

  instance(type: string, id: string, state?: CheckState): OsoObject {
    const cls = this.classes.get(type);
    return cls ? new cls(type, id, this, state) : new OsoObject(type, id, this, state);
  }

  private facts(bucket: Map<string, Relationship> | undefined): Fact[] {
    checkDeadline();
    if (!bucket) return [];
    const facts: Fact[] = [];
    for (const rel of bucket.values()) {
      const fact: Fact = {
        subject: this.instance(rel.subject.type, rel.subject.id),
        relation: rel.subject.relation ?? null,
        wildcard: rel.subject.id === WILDCARD,
        condition: rel.condition?.name ?? null,
        bound: rel.condition?.parameters ?? {},
      };
      facts.push(new Dict(fact) as Fact);
    }
    return facts;
  }

  direct(type: string, id: string, relation: string, subjectType: string, subjectId: string, withoutWildcard: boolean): Fact[] {
    const node = `${type}:${id}#${relation}`;
    const exact = this.facts(this.store.exact.get(`${node}@${subjectType}:${subjectId}`));
    if (subjectId === WILDCARD || withoutWildcard) return exact;
    return exact.concat(this.facts(this.store.exact.get(`${node}@${subjectType}:${WILDCARD}`)));
  }

  usersets(type: string, id: string, relation: string): Fact[] {
    return this.facts(this.store.usersets.get(`${type}:${id}#${relation}`));
  }

  objects(type: string, id: string, relation: string): Fact[] {
    return this.facts(this.store.objects.get(`${type}:${id}#${relation}`));
  }

  params(fact: Fact, state: CheckState): Record<string, unknown>[] {
    const condition = this.model?.conditions.get(fact.condition!);
    if (!condition) {
      state.notes.push(`condition '${fact.condition}' is not defined in the model`);
      return [];
    }
    const { request } = state;
    const context = request.context ?? {};
    const params: Record<string, unknown> = {};
    for (const name of this.usedParameters.get(condition.name) ?? [...condition.parameters.keys()]) {
      let value: unknown;
      if (Object.hasOwn(fact.bound, name)) value = fact.bound[name];
      else if (Object.hasOwn(context, name)) value = context[name];
      else if (name === 'subject') value = request.subject.properties ?? {};
      else if (name === 'resource') value = request.resource.properties ?? {};
      else if (name === 'action') value = request.action.properties ?? {};
      else if (name === 'context') value = context;
      if (value === undefined) {
        state.notes.push(`condition '${condition.name}': missing parameter '${name}'`);
        return [];
      }
      try {
        params[name] = convert(value, condition.parameters.get(name));
      } catch (error) {
        state.notes.push(`condition '${condition.name}': parameter '${name}': ${(error as Error).message}`);
        return [];
      }
    }
    return [toPolarData(params) as Record<string, unknown>];
  }
}

/** Converts a typed parameter value to what the translated Polar expects (time as milliseconds). */
export function convert(value: unknown, type: ParameterType | undefined): unknown {
  if (!type) return value;
  switch (type.kind) {
    case 'timestamp':
      if (typeof value === 'string') return parseTimestampMs(value);
      if (value instanceof Date) return value.getTime();
      throw new Error(`expected an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
    case 'duration':
      if (typeof value === 'string') return parseDurationMs(value);
      throw new Error(`expected a duration such as "1h30m", got ${JSON.stringify(value)}`);
    case 'list':
      if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
      return value.map((v) => convert(v, type.element));
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`expected a map, got ${JSON.stringify(value)}`);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, type.element)]));
    case 'string':
      if (typeof value === 'string') return value;
      throw new Error(`expected a string, got ${JSON.stringify(value)}`);
    case 'bool':
      if (typeof value === 'boolean') return value;
      throw new Error(`expected true or false, got ${JSON.stringify(value)}`);
    case 'double':
      if (typeof value === 'number') return value;
      throw new Error(`expected a number, got ${JSON.stringify(value)}`);
    case 'uint':
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
      if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
      throw new Error(`expected a non-negative integer, got ${JSON.stringify(value)}`);
    case 'ipaddress':
      return parseIpAddress(value).address;
    case 'int':
      // As the reference engine reads an int: a whole number, or a string of digits.
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
      throw new Error(`expected an integer, got ${JSON.stringify(value)}`);
    default:
      return value;
  }
}

/** Host functions for the few CEL operations Polar lacks (see cel.ts). */
export class Cel {
  /** CEL's `ip.in_cidr(range)` on OpenFGA's ipaddress type. */
  static inCidr(address: unknown, cidr: unknown): boolean {
    return inCidr(String(address), String(cidr));
  }

  /** Whether CEL can order the two values (Polar raises an error on two kinds). */
  static comparable(a: unknown, b: unknown): boolean {
    return typeof a === typeof b && (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean');
  }

  /** CEL's equality: numbers by value, other values of one kind deeply, values of two kinds unequal. */
  static equal(a: unknown, b: unknown): boolean {
    const number = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
    if (number(a) && number(b)) return Number(a) === Number(b);
    return typeof a === typeof b && isDeepStrictEqual(a, b);
  }

  static contains(container: unknown, element: unknown): boolean {
    if (Array.isArray(container)) return container.some((v) => v === element);
    if (container instanceof Map) return container.has(element);
    if (typeof container === 'object' && container !== null) return Object.hasOwn(container, String(element));
    if (typeof container === 'string' && typeof element === 'string') return container.includes(element);
    return false;
  }

  static has(target: unknown, field: string): boolean {
    return typeof target === 'object' && target !== null && Object.hasOwn(target, field);
  }

  static index(target: unknown, key: unknown): unknown {
    if (Array.isArray(target) && typeof key === 'number') return target[key] ?? null;
    if (typeof target === 'object' && target !== null) {
      const value = (target as Record<string, unknown>)[String(key)];
      return value === undefined ? null : value;
    }
    return null;
  }

  static size(target: unknown): number {
    if (Array.isArray(target) || typeof target === 'string') return target.length;
    if (typeof target === 'object' && target !== null) return Object.keys(target).length;
    return 0;
  }

  static timestamp(value: unknown): number {
    if (typeof value === 'number') return value;
    return parseTimestampMs(String(value));
  }

  static duration(value: unknown): number {
    if (typeof value === 'number') return value;
    return parseDurationMs(String(value));
  }
}

/** A fresh class per type, named as the policy names it. */
export function makeClass(polarName: string): ObjectClass {
  const cls = class extends OsoObject {};
  Object.defineProperty(cls, 'name', { value: polarName });
  return cls;
}
