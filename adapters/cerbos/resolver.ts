// The policy information point for Cerbos: an in-memory index of the relationships the
// adapter was given (write/delete), turned into principal and resource attributes per check.
//
// What it computes (lookups only; Cerbos decides):
//   principal: key (`user:anne`), wild (`user:*`), m: every userset key (`group:eng#member`)
//     the principal belongs to through unconditional relationships, transitively through
//     nested usersets and wildcards (cycle-safe), restricted to the `type#relation` pairs the
//     model uses as userset subjects; props (subject properties).
//   resource: k (`doc:1`), props, act (action properties), ctx (request context), n: the node table: the checked object
//     and every object reachable from it through tupleset relations, each with ALL its direct
//     relationships (subject key, condition name, bound parameters), its tupleset edges (t) and,
//     for self-recursive tuplesets, the transitive closure of that one relation (a), or, when the
//     recursion sits under an exclusion/intersection, every simple path along it (p).
//   For a model the lookups cannot flatten (plan.unfold), resource u: the check's unfolding
//   (unfold.ts), the same for every principal and context, cached until the relationships change.
// It never evaluates a rewrite, a wildcard grant or a condition: the policy's CEL does.

import { formatObject, formatSubject, type ObjectRef, parseObject, parseSubject, type Relationship, type SubjectRef } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { ResolverPlan } from './translate.ts';
import { type UnfoldedNode, unfold } from './unfold.ts';

export const DEFAULT_DEPTH_LIMIT = 50;

interface Entry {
  s: string;
  c?: string;
  p?: Record<string, unknown>;
}

type JsonMap = Record<string, unknown>;

export interface ResolvedAttributes {
  principal: { id: string; roles: string[]; attr: JsonMap };
  resource: { kind: string; id: string; attr: JsonMap };
}

export class Resolver {
  /** object key -> relation -> subject key -> entry */
  private readonly objects = new Map<string, Map<string, Map<string, Entry>>>();
  /** subject key -> `object#relation` of unconditional relationships with that subject */
  private readonly reverse = new Map<string, Set<string>>();
  private plan: ResolverPlan;
  /** `type:id#name` -> its unfolding, for the relationships as they are (cleared by every change). */
  private readonly unfoldings = new Map<string, UnfoldedNode>();
  private totalMs = 0;
  private count = 0;

  constructor(
    plan: ResolverPlan,
    private readonly depthLimit = DEFAULT_DEPTH_LIMIT,
  ) {
    this.plan = plan;
  }

  setPlan(plan: ResolverPlan): void {
    this.plan = plan;
    this.unfoldings.clear();
  }

  clear(): void {
    this.objects.clear();
    this.reverse.clear();
    this.unfoldings.clear();
  }

  stats(): { count: number; totalMs: number } {
    return { count: this.count, totalMs: this.totalMs };
  }

  resetStats(): void {
    this.count = 0;
    this.totalMs = 0;
  }

  write(relationships: Relationship[]): void {
    this.unfoldings.clear();
    for (const rel of relationships) {
      const obj = formatObject(rel.resource);
      const subject = formatSubject(rel.subject);
      let rels = this.objects.get(obj);
      if (!rels) {
        rels = new Map();
        this.objects.set(obj, rels);
      }
      let subjects = rels.get(rel.relation);
      if (!subjects) {
        subjects = new Map();
        rels.set(rel.relation, subjects);
      }
      const old = subjects.get(subject);
      const entry: Entry = rel.condition ? { s: subject, c: rel.condition.name, p: { ...(rel.condition.parameters ?? {}) } } : { s: subject };
      subjects.set(subject, entry);
      const back = `${obj}#${rel.relation}`;
      if (old && !old.c) this.reverse.get(subject)?.delete(back);
      if (!entry.c) {
        let set = this.reverse.get(subject);
        if (!set) {
          set = new Set();
          this.reverse.set(subject, set);
        }
        set.add(back);
      }
    }
  }

  delete(relationships: Relationship[]): void {
    this.unfoldings.clear();
    for (const rel of relationships) {
      const obj = formatObject(rel.resource);
      const subject = formatSubject(rel.subject);
      this.objects.get(obj)?.get(rel.relation)?.delete(subject);
      this.reverse.get(subject)?.delete(`${obj}#${rel.relation}`);
    }
  }

  /** Principal and resource attributes for one request; timed into stats(). `viaWildcard` as for `principal`. */
  resolve(request: CheckRequest, viaWildcard = true): ResolvedAttributes {
    const start = performance.now();
    try {
      return {
        principal: this.principal(request, viaWildcard),
        resource: this.resource(request),
      };
    } finally {
      this.totalMs += performance.now() - start;
      this.count++;
    }
  }

  /** `viaWildcard` false: the subject alone, not as a member of `type:*` (a subject search's second phase, src/core/search.ts). */
  principal(request: CheckRequest, viaWildcard = true): ResolvedAttributes['principal'] {
    const { type, id } = request.subject;
    const key = `${type}:${id}`;
    const wild = viaWildcard ? `${type}:*` : key;
    const memberships = new Set<string>();
    let frontier = [...new Set([key, wild])];
    let depth = 0;
    while (frontier.length > 0) {
      if (++depth > this.depthLimit) throw new Error(`depth limit ${this.depthLimit} exceeded resolving memberships of ${key}`);
      const next: string[] = [];
      for (const k of frontier) {
        for (const back of this.reverse.get(k) ?? []) {
          const [obj, relation] = splitBack(back);
          const objType = obj.slice(0, obj.indexOf(':'));
          if (!this.plan.usersetTargets.has(`${objType}#${relation}`) || memberships.has(back)) continue;
          memberships.add(back);
          next.push(back);
          // A member of `obj#member_direct` is one of `obj#member` where `member: member_direct | owner`.
          for (const permission of this.plan.permissionTargets.get(`${objType}#${relation}`) ?? []) {
            const granted = `${obj}#${permission}`;
            if (memberships.has(granted)) continue;
            memberships.add(granted);
            next.push(granted);
          }
        }
      }
      frontier = next;
    }
    return { id, roles: [type], attr: { key, wild, m: [...memberships], props: request.subject.properties ?? {} } };
  }

  resource(request: CheckRequest): ResolvedAttributes['resource'] {
    const root = `${request.resource.type}:${request.resource.id}`;
    const nodes: JsonMap = {};
    const queue = [root];
    while (queue.length > 0) {
      const key = queue.pop()!;
      if (key in nodes) continue;
      const type = key.slice(0, key.indexOf(':'));
      const rels = this.objects.get(key);
      const r: JsonMap = {};
      for (const name of this.plan.relations.get(type) ?? []) r[name] = [...(rels?.get(name)?.values() ?? [])];
      const t: JsonMap = {};
      for (const ts of this.plan.tuplesets.get(type) ?? []) {
        const related = this.objectEdges(key, ts);
        t[ts] = related;
        queue.push(...related);
      }
      const a: JsonMap = {};
      for (const ts of this.plan.closures.get(type) ?? []) {
        const closure = this.closure(key, ts);
        a[ts] = closure;
        queue.push(...closure);
      }
      const p: JsonMap = {};
      for (const ts of this.plan.paths.get(type) ?? []) {
        const paths = this.paths(key, ts);
        p[ts] = paths;
        for (const path of paths) queue.push(...path);
      }
      nodes[key] = { r, t, a, p };
    }
    return {
      kind: request.resource.type,
      id: request.resource.id,
      attr: {
        k: root,
        n: nodes,
        ...(this.plan.unfold ? { u: this.unfolding(this.plan.unfold, request) } : {}),
        ctx: request.context ?? {},
        props: request.resource.properties ?? {},
        act: request.action.properties ?? {},
      },
    };
  }

  /** The objects of every relationship held, resource and subject (the candidates of a search, src/core/search.ts). */
  *relationships(): Generator<{ resource: ObjectRef; subject: SubjectRef }> {
    for (const [object, relations] of this.objects) {
      const resource = parseObject(object)!;
      for (const subjects of relations.values()) for (const key of subjects.keys()) yield { resource, subject: parseSubject(key)! };
    }
  }

  /** The check's unfolding (unfold.ts): relationships only, so one per resource and action until they change. */
  private unfolding({ model, levels }: NonNullable<ResolverPlan['unfold']>, request: CheckRequest): UnfoldedNode {
    const { type, id } = request.resource;
    const key = `${type}:${id}#${request.action.name}`;
    let nodes = this.unfoldings.get(key);
    if (!nodes) {
      nodes = unfold(
        model,
        (object, relation) => this.objects.get(object)?.get(relation)?.values() ?? [],
        { type, id, name: request.action.name },
        {
          depth: this.depthLimit,
          nodes: MAX_UNFOLDED_NODES,
          levels,
        },
      );
      this.unfoldings.set(key, nodes);
    }
    return nodes;
  }

  /** Objects related to `key` by `relation` (plain object subjects). */
  private objectEdges(key: string, relation: string): string[] {
    const subjects = this.objects.get(key)?.get(relation);
    if (!subjects) return [];
    return [...subjects.values()].filter((e) => !e.c && !e.s.includes('#') && !e.s.endsWith(':*')).map((e) => e.s);
  }

  /** Every simple path from `key` along `relation` edges, `[key]` first (cycle-safe, depth- and count-limited). */
  private paths(key: string, relation: string): string[][] {
    const out: string[][] = [];
    const walk = (path: string[]) => {
      out.push(path);
      if (out.length > MAX_PATHS) throw new Error(`more than ${MAX_PATHS} ${relation} paths from ${key}`);
      if (path.length > this.depthLimit) throw new Error(`depth limit ${this.depthLimit} exceeded following ${relation} from ${key}`);
      for (const next of this.objectEdges(path[path.length - 1]!, relation)) {
        if (!path.includes(next)) walk([...path, next]);
      }
    };
    walk([key]);
    return out;
  }

  /** Every object reachable from `key` through one or more `relation` edges (cycle-safe, depth-limited). */
  private closure(key: string, relation: string): string[] {
    const seen = new Set<string>();
    let frontier = [key];
    let depth = 0;
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const k of frontier) {
        for (const o of this.objectEdges(k, relation)) {
          if (seen.has(o)) continue;
          seen.add(o);
          next.push(o);
        }
      }
      if (next.length > 0 && ++depth > this.depthLimit) {
        throw new Error(`depth limit ${this.depthLimit} exceeded following ${relation} from ${key}`);
      }
      frontier = next;
    }
    return [...seen];
  }
}

/** Cap on the number of paths one object may have (a DAG can have exponentially many). */
export const MAX_PATHS = 10_000;
/** Cap on the nodes of one check's unfolding (cycles can make it exponential, as the reference engine's walk). */
const MAX_UNFOLDED_NODES = 20_000;

function splitBack(back: string): [string, string] {
  const hash = back.lastIndexOf('#');
  return [back.slice(0, hash), back.slice(hash + 1)];
}
