// The model with its names replaced by the store's integer ids (store.ts), so the evaluator
// looks a relation up by array index instead of by string. Compiled once per (store, model):
// the store keeps type and relation ids for its whole life, so the ids never go stale.

import type { Model, Rewrite } from '../model/types.ts';
import type { RelationshipStore } from './store.ts';

/** Rewrite kinds, as small integers (the evaluator switches on them). */
export const COMPUTED = 0;
export const TUPLE_TO_USERSET = 1;
export const UNION = 2;
export const INTERSECTION = 3;
export const EXCLUSION = 4;

/**
 * A rewrite with relation name ids. One class for every kind (unused fields empty), so the
 * evaluator's reads of it see a single object shape.
 */
export class CompiledRewrite {
  readonly relation: number;
  readonly tupleset: number;
  readonly computed: number;
  readonly children: CompiledRewrite[];
  readonly base: CompiledRewrite | undefined;
  readonly subtract: CompiledRewrite | undefined;
  /** For an exclusion: the subtracted rewrite as written, for messages. */
  readonly source: Rewrite | undefined;

  constructor(
    readonly kind: number,
    parts: { relation?: number; tupleset?: number; computed?: number; children?: CompiledRewrite[]; base?: CompiledRewrite; subtract?: CompiledRewrite; source?: Rewrite },
  ) {
    this.relation = parts.relation ?? -1;
    this.tupleset = parts.tupleset ?? -1;
    this.computed = parts.computed ?? -1;
    this.children = parts.children ?? [];
    this.base = parts.base;
    this.subtract = parts.subtract;
    this.source = parts.source;
  }
}

/** One type: by relation name id, `true` for a relation (written as relationships), the rewrite for a permission. */
export type CompiledType = (true | CompiledRewrite | undefined)[];

export interface CompiledModel {
  model: Model;
  /** By type id; undefined for a type the model does not declare. */
  types: (CompiledType | undefined)[];
}

const compiled = new WeakMap<RelationshipStore, CompiledModel>();

/** The model compiled for this store (cached until the store is used with another model). */
export function compiledFor(store: RelationshipStore, model: Model): CompiledModel {
  const cached = compiled.get(store);
  if (cached?.model === model) return cached;
  const types: (CompiledType | undefined)[] = [];
  for (const [typeName, def] of model.types) {
    const members: CompiledType = [];
    for (const name of def.relations.keys()) members[store.nameId(name)] = true;
    for (const [name, permission] of def.permissions) members[store.nameId(name)] = compileRewrite(store, permission.rewrite);
    types[store.typeId(typeName)] = members;
  }
  const result = { model, types };
  compiled.set(store, result);
  return result;
}

function compileRewrite(store: RelationshipStore, rewrite: Rewrite): CompiledRewrite {
  switch (rewrite.kind) {
    case 'computed':
      return new CompiledRewrite(COMPUTED, { relation: store.nameId(rewrite.relation) });
    case 'tupleToUserset':
      return new CompiledRewrite(TUPLE_TO_USERSET, { tupleset: store.nameId(rewrite.tupleset), computed: store.nameId(rewrite.computed) });
    case 'union':
    case 'intersection':
      return new CompiledRewrite(rewrite.kind === 'union' ? UNION : INTERSECTION, { children: rewrite.children.map((child) => compileRewrite(store, child)) });
    case 'exclusion':
      return new CompiledRewrite(EXCLUSION, { base: compileRewrite(store, rewrite.base), subtract: compileRewrite(store, rewrite.subtract), source: rewrite.subtract });
  }
}
