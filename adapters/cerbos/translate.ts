// Neutral model -> Cerbos policies (pure; unit-tested in adapters/cerbos/cerbos.test.ts).
//
// Per type T of the model: one resource policy for kind T at version <version>, with one ALLOW
// rule per relation and permission (action = that name, roles ['*']) whose condition is a CEL
// expression implementing the rewrite. (Derived roles would read better, but the disk store's
// watcher loads changed files in no particular order and rejects a resource policy whose
// derived-roles file it has not loaded yet, "keeping the last valid state": so, one
// self-contained file per type.)
//
// What Cerbos gets per check (built by resolver.ts, the policy information point):
//   request.principal.attr: key `user:anne`, wild `user:*`, m = the userset keys the principal
//     is a member of (`group:eng#member`, transitively, unconditional edges only), props.
//   request.resource.attr: k = `T:id` (the checked object), props, ctx (the request context),
//     n = node table: object key -> { r: relation -> [{s: subject key, c?: condition, p?: params}],
//       t: tupleset relation -> [related object keys], a: tupleset relation -> [transitive closure],
//       p: tupleset relation -> [every simple path from this object, itself first] }.
// The resolver only looks relationships up (indexes, closures of one relation, group
// memberships); every rewrite (union, intersection, exclusion, computed relations,
// tuple-to-userset), wildcard match and relationship condition is evaluated by Cerbos in CEL.

import type { ConditionDefinition, Model, ParameterType, Rewrite, TypeDefinition } from '../../src/model/types.ts';
import { unionRelations } from '../../src/model/union-closure.ts';
import { unfoldedLevels, unfoldedReasons, unfoldedVariables } from './unfolded-policy.ts';

export const API_VERSION = 'api.cerbos.dev/v1';
const N = 'request.resource.attr.n';
const P = 'request.principal.attr';
const CTX = 'request.resource.attr.ctx';

export class CerbosTranslationError extends Error {}

/**
 * Every resource policy also allows PROBE_ACTION to the PROBE_ROLE role (no condition): the
 * adapter asks it after writing policies to learn when Cerbos serves the new version. No
 * scenario action or subject can match it (the role is the subject type, `__` names are not
 * model names).
 */
export const PROBE_ACTION = '__authzbench_probe__';
export const PROBE_ROLE = '__authzbench_probe__';

/** What the resolver must supply, per type (derived from the model). */
export interface ResolverPlan {
  /** Relations used as the tupleset of a tuple-to-userset, per type: node.t lists. */
  tuplesets: Map<string, Set<string>>;
  /** Self-recursive tuplesets (`view: ... | parent->view`): node.a = transitive closure. */
  closures: Map<string, Set<string>>;
  /** Self-recursive tuplesets under exclusion/intersection (`view: (... | parent->view) - blocked`): node.p = every path. */
  paths: Map<string, Set<string>>;
  /** `type#relation` targets of userset subjects: principal memberships are computed over these. */
  usersetTargets: Set<string>;
  /**
   * Userset targets that are permissions granted by a union of relations (`member: member_direct
   * | owner`): `type#relation` -> the permissions it grants, so a membership in the relation is
   * one in those permissions too (a lookup, like a nested group; permissionUsersetProblem).
   */
  permissionTargets: Map<string, string[]>;
  /** Relations per type (every node carries all of them, possibly empty). */
  relations: Map<string, string[]>;
  /** The unfolded translation (unfold.ts): the model whose checks the resolver lays out as `u`, and the levels the policy evaluates. */
  unfold?: { model: Model; levels: number };
}

export interface CerbosPolicyDoc {
  apiVersion: string;
  resourcePolicy: {
    resource: string;
    version: string;
    variables?: { local: Record<string, string> };
    rules: { actions: string[]; effect: 'EFFECT_ALLOW'; roles: string[]; name: string; condition?: { match: { expr: string } } }[];
  };
}

export interface Translation {
  /** File name (no folder) -> policy. */
  policies: Map<string, CerbosPolicyDoc>;
  plan: ResolverPlan;
}

/** The rule of a relation or permission (rule names appear in audit logs and metadata). */
export function ruleName(name: string): string {
  return `authzbench_${name.replace(/[^\w@.-]/g, '-')}`;
}

/** Builds the plan (what the resolver computes) from the model. */
export function resolverPlan(model: Model): ResolverPlan {
  const plan: ResolverPlan = { tuplesets: new Map(), closures: new Map(), paths: new Map(), usersetTargets: new Set(), permissionTargets: new Map(), relations: new Map() };
  for (const type of model.types.values()) {
    plan.relations.set(type.name, [...type.relations.keys()]);
    const ts = new Set<string>();
    const cl = new Set<string>();
    const paths = new Set<string>();
    for (const perm of type.permissions.values()) {
      collectTuplesets(perm.rewrite, ts);
      let rec: SelfRecursion | undefined;
      try {
        rec = selfRecursive(model, type, perm.name);
      } catch {
        rec = undefined; // reported by unsupportedReasons
      }
      if (rec && rec.filters.length + rec.excluded.length === 0) cl.add(rec.tupleset);
      else if (rec) paths.add(rec.tupleset);
    }
    plan.tuplesets.set(type.name, ts);
    plan.closures.set(type.name, cl);
    plan.paths.set(type.name, paths);
    for (const rel of type.relations.values()) {
      for (const a of rel.allowed) {
        if (!a.relation) continue;
        plan.usersetTargets.add(`${a.type}#${a.relation}`);
        if (!model.types.get(a.type)?.permissions.has(a.relation)) continue;
        for (const relation of unionRelations(model, a.type, a.relation) ?? []) {
          const key = `${a.type}#${relation}`;
          plan.usersetTargets.add(key);
          const granted = plan.permissionTargets.get(key) ?? [];
          if (!granted.includes(a.relation)) plan.permissionTargets.set(key, [...granted, a.relation]);
        }
      }
    }
  }
  return plan;
}

/**
 * Why a userset naming permission `type#name` cannot be resolved by lookup, or undefined when it
 * can: a union of relations whose subjects are users or wildcards (no conditions, no usersets),
 * so no cycle can run through the permission (docs/model.md, Cycles: one through two relations
 * is undecided, which a membership lookup cannot tell).
 */
export function permissionUsersetProblem(model: Model, type: string, name: string): string | undefined {
  const relations = unionRelations(model, type, name);
  if (!relations) return 'it is not a union of relations (a tuple-to-userset, intersection or exclusion must be evaluated)';
  const def = model.types.get(type)!;
  for (const relation of relations) {
    for (const a of def.relations.get(relation)!.allowed) {
      if (a.condition) return `its relation ${type}#${relation} allows conditional subjects`;
      if (a.relation) return `its relation ${type}#${relation} allows the userset ${a.type}#${a.relation}, through which a cycle would be undecided`;
    }
  }
  return undefined;
}

function collectTuplesets(rewrite: Rewrite, out: Set<string>): void {
  switch (rewrite.kind) {
    case 'computed':
      return;
    case 'tupleToUserset':
      out.add(rewrite.tupleset);
      return;
    case 'union':
    case 'intersection':
      rewrite.children.forEach((c) => collectTuplesets(c, out));
      return;
    case 'exclusion':
      collectTuplesets(rewrite.base, out);
      collectTuplesets(rewrite.subtract, out);
  }
}

/** A self-recursive permission: `p` holds on x iff some t-path x=y0..yk has base(yk) and every yi passes the filters. */
export interface SelfRecursion {
  tupleset: string;
  /** Union members evaluated at the end of the path (the non-recursive part). */
  rest: Rewrite[];
  /** Must hold on every node of the path (intersection siblings). */
  filters: Rewrite[];
  /** Must not hold on any node of the path (exclusion subtracts). */
  excluded: Rewrite[];
}

/**
 * Recognises `p: A | B | t->p` (closure), `p: (A | t->p) - C` and `p: (A | t->p) & D` (paths,
 * with C/D checked on every node), where t only relates T to T. Everything else that recurses is
 * left to Translator.check, which reports it.
 */
function selfRecursive(model: Model, type: TypeDefinition, permission: string): SelfRecursion | undefined {
  const perm = type.permissions.get(permission);
  if (!perm) return undefined;
  void model;
  const analyze = (rw: Rewrite): SelfRecursion | undefined => {
    if (rw.kind === 'union' || rw.kind === 'tupleToUserset') {
      const children = rw.kind === 'union' ? rw.children : [rw];
      const recursive = children.filter((c) => c.kind === 'tupleToUserset' && c.computed === permission && isSelfTupleset(type, c.tupleset));
      if (recursive.length === 0) return undefined;
      const tuplesets = new Set(recursive.map((c) => (c as { tupleset: string }).tupleset));
      if (tuplesets.size > 1) {
        throw new CerbosTranslationError(
          `tupleToUserset: ${type.name}#${permission} recurses through several relations (${[...tuplesets].join(', ')}); the resolver flattens one relation's chain only`,
        );
      }
      return { tupleset: [...tuplesets][0]!, rest: children.filter((c) => !recursive.includes(c)), filters: [], excluded: [] };
    }
    if (rw.kind === 'exclusion') {
      const base = analyze(rw.base);
      return base ? { ...base, excluded: [...base.excluded, rw.subtract] } : undefined;
    }
    if (rw.kind === 'intersection') {
      const analyzed = rw.children.map((c) => analyze(c));
      const found = analyzed.filter((a): a is SelfRecursion => !!a);
      if (found.length !== 1) return undefined;
      const inner = found[0]!;
      return { ...inner, filters: [...inner.filters, ...rw.children.filter((_, i) => !analyzed[i])] };
    }
    return undefined;
  };
  return analyze(perm.rewrite);
}

function isSelfTupleset(type: TypeDefinition, tupleset: string): boolean {
  const rel = type.relations.get(tupleset);
  return !!rel && rel.allowed.length > 0 && rel.allowed.every((a) => a.type === type.name && !a.relation && !a.wildcard && !a.condition);
}

/** CEL string literal. */
function lit(text: string): string {
  return JSON.stringify(text);
}

class Translator {
  private counter = 0;
  constructor(private readonly model: Model) {}

  fresh(prefix: string): string {
    return `${prefix}${++this.counter}`;
  }

  /** CEL: the object whose key is the CEL string expression `x` has relation/permission `name` for the principal. */
  check(type: TypeDefinition, name: string, x: string, stack: string[]): string {
    if (type.relations.has(name)) return this.relation(type, name, x);
    const perm = type.permissions.get(name);
    if (!perm) return 'false';
    const key = `${type.name}#${name}`;
    if (stack.includes(key)) {
      throw new CerbosTranslationError(
        `recursion: ${[...stack, key].join(' -> ')} is not of the form 'p: ... | rel->p' over one relation of the same type; CEL has no recursion and the resolver flattens only that form`,
      );
    }
    const inner = [...stack, key];
    const rec = selfRecursive(this.model, type, name);
    if (rec) {
      if (rec.rest.length === 0) return 'false';
      const y = this.fresh('y');
      if (rec.filters.length === 0 && rec.excluded.length === 0) {
        const body = rec.rest.map((r) => `(${this.rewrite(type, r, y, inner)})`).join(' || ');
        return `([${x}] + ${N}[${x}].a[${lit(rec.tupleset)}]).exists(${y}, ${body})`;
      }
      // Every t-path from x (x included): the base at its end, the filters on all its nodes.
      const path = this.fresh('path');
      const last = `${path}[size(${path}) - 1]`;
      const base = rec.rest.map((r) => `(${this.rewrite(type, r, last, inner)})`).join(' || ');
      const z = this.fresh('z');
      const filters = [...rec.filters.map((f) => `(${this.rewrite(type, f, z, inner)})`), ...rec.excluded.map((c) => `!(${this.rewrite(type, c, z, inner)})`)].join(' && ');
      return `${N}[${x}].p[${lit(rec.tupleset)}].exists(${path}, (${base}) && ${path}.all(${z}, ${filters}))`;
    }
    return this.rewrite(type, perm.rewrite, x, inner);
  }

  rewrite(type: TypeDefinition, rewrite: Rewrite, x: string, stack: string[]): string {
    switch (rewrite.kind) {
      case 'computed':
        return this.check(type, rewrite.relation, x, stack);
      case 'union':
        return rewrite.children.map((c) => `(${this.rewrite(type, c, x, stack)})`).join(' || ');
      case 'intersection':
        return rewrite.children.map((c) => `(${this.rewrite(type, c, x, stack)})`).join(' && ');
      case 'exclusion':
        return `(${this.rewrite(type, rewrite.base, x, stack)}) && !(${this.rewrite(type, rewrite.subtract, x, stack)})`;
      case 'tupleToUserset': {
        const rel = type.relations.get(rewrite.tupleset);
        if (!rel) throw new CerbosTranslationError(`tupleToUserset: ${type.name} has no relation '${rewrite.tupleset}'`);
        const targets = [...new Set(rel.allowed.map((a) => a.type))];
        const y = this.fresh('y');
        const branches = targets
          .map((t) => this.model.types.get(t))
          .filter((t): t is TypeDefinition => !!t && (t.relations.has(rewrite.computed) || t.permissions.has(rewrite.computed)))
          .map((t) => `(${y}.startsWith(${lit(`${t.name}:`)}) && (${this.check(t, rewrite.computed, y, stack)}))`);
        if (branches.length === 0) return 'false';
        return `${N}[${x}].t[${lit(rewrite.tupleset)}].exists(${y}, ${branches.join(' || ')})`;
      }
    }
  }

  relation(type: TypeDefinition, name: string, x: string): string {
    const rel = type.relations.get(name)!;
    const e = this.fresh('e');
    const match = `(${e}.s == ${P}.key || ${e}.s == ${P}.wild || ${e}.s in ${P}.m)`;
    const conditionNames = [...new Set(rel.allowed.map((a) => a.condition).filter((c): c is string => !!c))];
    const unconditional = rel.allowed.some((a) => !a.condition);
    const parts: string[] = [];
    // `"c" in e`, not `has(e.c)`: Cerbos's query planner folds has() on a comprehension variable to true (README, Search).
    if (unconditional) parts.push(`!("c" in ${e})`);
    for (const c of conditionNames) {
      const def = this.model.conditions.get(c);
      if (!def) throw new CerbosTranslationError(`conditions: relation ${type.name}#${name} uses undefined condition '${c}'`);
      parts.push(`("c" in ${e} && ${e}.c == ${lit(c)} && ${conditionCel(def, e)})`);
    }
    const cond = parts.length === 0 ? 'false' : parts.join(' || ');
    return `${N}[${x}].r[${lit(name)}].exists(${e}, ${match} && (${cond}))`;
  }
}

/**
 * A parameter's value as its declared type. A value of another type must make the condition
 * undecided (an error in CEL), as in the reference engine, not be converted: so `2.5` is no
 * int and `"-5"` no double (CEL's int() and double() would truncate and parse). The error is
 * a conversion of the value itself plus "?": Cerbos folds constant expressions at compile
 * time, and a constant error such as `int("x")` would fail the whole condition.
 */
function convert(type: ParameterType, value: string, depth = 0): string {
  const fail = (to: string) => `${to}(string(${value}) + "?")`;
  switch (type.kind) {
    case 'list':
      return `(type(${value}) == list ? dyn(${value}.map(x${depth}, ${convert(type.element, `x${depth}`, depth + 1)})) : dyn(${fail('int')}))`;
    case 'map': {
      // CEL cannot rebuild a map with converted values: each value is converted to check its type.
      const element = convert(type.element, `${value}[k${depth}]`, depth + 1);
      return `(type(${value}) == map && ${value}.all(k${depth}, ${element} == ${element}) ? dyn(${value}) : dyn(${fail('int')}))`;
    }
    case 'timestamp':
      return `timestamp(${value})`;
    case 'duration':
      return `duration(${value})`;
    case 'uint':
      return `(type(${value}) == double && (${value} < 0.0 || ${value} != double(int(${value}))) ? ${fail('uint')} : uint(${value}))`;
    case 'int':
      return `(type(${value}) == double && ${value} != double(int(${value})) ? ${fail('int')} : int(${value}))`;
    case 'double':
      return `(type(${value}) == string ? ${fail('double')} : double(${value}))`;
    case 'string':
      return `(type(${value}) == string ? ${value} : string(${fail('int')}))`;
    case 'bool':
      return `(type(${value}) == bool ? ${value} : ${fail('bool')})`;
    default:
      return value;
  }
}

/** Where a parameter's value comes from: the request's parts by name, else the relationship's bound parameters, then the request context. */
function parameterSource(name: string, type: ParameterType, e: string): string {
  if (name === 'subject') return `${P}.props`;
  if (name === 'resource') return 'request.resource.attr.props';
  if (name === 'action') return 'request.resource.attr.act';
  if (name === 'context') return CTX;
  const has = `${lit(name)} in ${e}.p`;
  return convert(type, `(${has} ? ${e}.p[${lit(name)}] : ${CTX}[${lit(name)}])`);
}

/**
 * A neutral condition as Cerbos CEL over tuple entry `e`: each parameter identifier is
 * replaced by its source (bound parameter, else request context), typed with timestamp(),
 * duration(), int(), double(). A parameter missing from both is an error ("no such key"), so
 * the condition is undecided, as in the neutral semantics: it grants nothing, and on the
 * subtracted side of an exclusion it makes the exclusion undecided too (CEL's `&&`, `||` and
 * `!` carry the error; a guard that made it false would let the exclusion allow).
 */
export function conditionCel(def: ConditionDefinition, e: string): string {
  const body = replaceIdentifiers(def.expression, (id) => {
    const type = def.parameters.get(id);
    return type ? `(${parameterSource(id, type, e)})` : undefined;
  });
  // OpenFGA's in_cidr() on an ipaddress is Cerbos's inIPAddrRange() on the address string.
  return `(${body.replace(/\.in_cidr\(/g, '.inIPAddrRange(')})`;
}

/**
 * Replaces free identifiers of a CEL expression (not member names after `.`, not function
 * names before `(`, not inside string literals). Bound variables of macros (`x` in
 * `l.exists(x, ...)`) are not told apart: a macro variable named like a parameter is
 * rejected by unsupportedReasons.
 */
export function replaceIdentifiers(source: string, replace: (id: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'") {
      const triple = source.startsWith(ch.repeat(3), i);
      const end = triple ? ch.repeat(3) : ch;
      let j = i + end.length;
      while (j < source.length && !source.startsWith(end, j)) j += source[j] === '\\' ? 2 : 1;
      j += end.length;
      out += source.slice(i, j);
      i = j;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (m) {
      const id = m[0];
      const before = out.trimEnd();
      const after = source.slice(i + id.length).trimStart();
      const member = before.endsWith('.') && !/\d\.$/.test(before);
      const call = after.startsWith('(');
      const r = member || call ? undefined : replace(id);
      out += r ?? id;
      i += id.length;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const num = /^[0-9][0-9A-Za-z_.]*/.exec(source.slice(i))![0];
      out += num;
      i += num.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/**
 * One reason per feature the lookup translation cannot express (memberships and chains of one
 * relation resolved before the check); a model with any is translated unfolded (unfold.ts).
 */
export function lookupReasons(model: Model): string[] {
  const reasons: string[] = [];
  for (const type of model.types.values()) {
    for (const rel of type.relations.values()) {
      for (const a of rel.allowed) {
        if (!a.relation) continue;
        const target = model.types.get(a.type);
        const problem = target?.permissions.has(a.relation) ? permissionUsersetProblem(model, a.type, a.relation) : undefined;
        if (problem) {
          reasons.push(
            `usersets: ${type.name}#${rel.name} allows ${a.type}#${a.relation}, a permission: the resolver computes memberships over relationships only, evaluating a permission there would compute the answer outside Cerbos (${problem})`,
          );
        }
        const targetRel = target?.relations.get(a.relation);
        if (targetRel?.allowed.some((s) => s.condition)) {
          reasons.push(
            `conditions: ${a.type}#${a.relation} is used as a userset and allows conditional subjects; memberships are resolved before the check, so a conditional membership edge cannot be evaluated by Cerbos`,
          );
        }
      }
    }
    for (const perm of type.permissions.values()) {
      const ts = new Set<string>();
      collectTuplesets(perm.rewrite, ts);
      for (const t of ts) {
        const rel = type.relations.get(t);
        if (rel?.allowed.some((a) => a.relation || a.wildcard || a.condition)) {
          reasons.push(`tupleToUserset: tupleset ${type.name}#${t} allows usersets, wildcards or conditions; the resolver follows plain object edges only`);
        }
      }
    }
  }
  try {
    lookupPolicies(model, 'check', 0);
  } catch (error) {
    if (error instanceof CerbosTranslationError) reasons.push(error.message);
    else throw error;
  }
  return [...new Set(reasons)];
}

/** One reason per feature Cerbos (with this resolver) cannot express; empty when it can. */
export function unsupportedReasons(model: Model): string[] {
  const reasons: string[] = [];
  for (const def of model.conditions.values()) {
    for (const m of def.expression.matchAll(/\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (def.parameters.has(m[1]!)) reasons.push(`conditions: '${def.name}' uses a macro variable '${m[1]}' named like a parameter`);
    }
  }
  if (lookupReasons(model).length > 0) reasons.push(...unfoldedReasons(model));
  return [...new Set(reasons)];
}

/** The probe action of one policy write: the adapter waits until Cerbos allows it (the write is served). */
export function writeProbeAction(write: number): string {
  return `${PROBE_ACTION}w${write}`;
}

/**
 * The Cerbos policies for a model at a policy version (`^\w+$`): the lookup translation when it
 * can express the model (fast: memberships and chains looked up), else the unfolded one.
 */
export function translateModel(model: Model, version: string, write = 0): Translation {
  return lookupReasons(model).length === 0 ? lookupPolicies(model, version, write) : unfoldedPolicies(model, version, write);
}

/** Every type's rules decide `V.allowed` over the check's unfolding (unfolded-policy.ts). */
function unfoldedPolicies(model: Model, version: string, write: number): Translation {
  const levels = unfoldedLevels(model);
  const variables = unfoldedVariables(model, levels);
  const plan: ResolverPlan = {
    tuplesets: new Map(),
    closures: new Map(),
    paths: new Map(),
    usersetTargets: new Set(),
    permissionTargets: new Map(),
    relations: new Map(),
    unfold: { model, levels },
  };
  return { policies: typePolicies(model, version, write, () => 'V.allowed', variables), plan };
}

function lookupPolicies(model: Model, version: string, write: number): Translation {
  const t = new Translator(model);
  return { policies: typePolicies(model, version, write, (type, name) => t.check(type, name, 'request.resource.attr.k', [])), plan: resolverPlan(model) };
}

/** One resource policy per type: an ALLOW rule per relation and permission with its condition, and the load probe. */
function typePolicies(
  model: Model,
  version: string,
  write: number,
  condition: (type: TypeDefinition, name: string) => string,
  variables?: Record<string, string>,
): Map<string, CerbosPolicyDoc> {
  const policies = new Map<string, CerbosPolicyDoc>();
  for (const type of model.types.values()) {
    const names = [...type.relations.keys(), ...type.permissions.keys()];
    if (names.length === 0) continue;
    policies.set(`${type.name}.yaml`, {
      apiVersion: API_VERSION,
      resourcePolicy: {
        resource: type.name,
        version,
        ...(variables ? { variables: { local: variables } } : {}),
        rules: [
          ...names.map((name) => ({
            actions: [name],
            effect: 'EFFECT_ALLOW' as const,
            roles: ['*'],
            name: ruleName(name),
            condition: { match: { expr: condition(type, name) } },
          })),
          { actions: [PROBE_ACTION, writeProbeAction(write)], effect: 'EFFECT_ALLOW' as const, roles: [PROBE_ROLE], name: 'authzbench_load_probe' },
        ],
      },
    });
  }
  return policies;
}
