// The union closure of a relation or permission: what grants it through unions and computed
// relations alone (direct relations, tuple-to-userset terms), and the intersections and
// exclusions that reachability cannot express. Engines that compile the model into a graph
// (OPA's reachability data, Cedar's entity parents) share it.

import type { Model, Rewrite } from './types.ts';

/** What a name (relation or permission) of a type grants through union-only structure. */
export interface Closure {
  /** Directly assignable relations whose relationships grant this name. */
  direct: string[];
  /** `tupleset->computed` terms reached through unions and computed relations. */
  ttu: { tupleset: string; computed: string }[];
  /** Intersections and exclusions reached through unions (no graph form: OPA unrolls them, Cedar puts them in policies). */
  opaque: Rewrite[];
  /** The `ttu` terms written in this name's own rewrite, not reached through another name. */
  ownTtu: { tupleset: string; computed: string }[];
}

export function closureOf(model: Model, type: string, name: string): Closure {
  const def = model.types.get(type);
  const closure: Closure = { direct: [], ttu: [], opaque: [], ownTtu: [] };
  const seen = new Set<string>();
  const visit = (rewrite: Rewrite, own: boolean): void => {
    switch (rewrite.kind) {
      case 'computed': {
        if (seen.has(rewrite.relation)) return;
        seen.add(rewrite.relation);
        if (def?.relations.has(rewrite.relation)) closure.direct.push(rewrite.relation);
        const permission = def?.permissions.get(rewrite.relation);
        // The checked name itself is the only one whose rewrite is its own.
        if (permission) visit(permission.rewrite, rewrite.relation === name);
        return;
      }
      case 'tupleToUserset': {
        const term = { tupleset: rewrite.tupleset, computed: rewrite.computed };
        const same = (t: { tupleset: string; computed: string }) => t.tupleset === term.tupleset && t.computed === term.computed;
        if (!closure.ttu.some(same)) closure.ttu.push(rewrite);
        if (own && !closure.ownTtu.some(same)) closure.ownTtu.push(term);
        return;
      }
      case 'union':
        rewrite.children.forEach((child) => visit(child, own));
        return;
      case 'intersection':
      case 'exclusion':
        closure.opaque.push(rewrite);
    }
  };
  visit({ kind: 'computed', relation: name }, true);
  return closure;
}

export function names(model: Model, type: string): string[] {
  const def = model.types.get(type);
  return def ? [...def.relations.keys(), ...def.permissions.keys()] : [];
}

export function hasName(model: Model, type: string, name: string): boolean {
  return names(model, type).includes(name);
}

/** Types a tupleset relation may point at (its allowed direct object subjects). */
export function tuplesetTypes(model: Model, type: string, tupleset: string): string[] {
  const relation = model.types.get(type)?.relations.get(tupleset);
  if (!relation) return [];
  return [...new Set(relation.allowed.filter((a) => !a.relation && !a.wildcard).map((a) => a.type))];
}

export class ClosureIndex {
  private readonly cache = new Map<string, Closure>();
  constructor(private readonly model: Model) {}
  get(type: string, name: string): Closure {
    const key = `${type}#${name}`;
    let closure = this.cache.get(key);
    if (!closure) {
      closure = closureOf(this.model, type, name);
      this.cache.set(key, closure);
    }
    return closure;
  }
}
