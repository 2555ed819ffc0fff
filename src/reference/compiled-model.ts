// The model with its names replaced by the store's integer ids (store.ts), so the evaluator
// looks a relation up by array index instead of by string. Compiled once per (store, model):
// the store keeps type and relation ids for its whole life, so the ids never go stale.

import type { Model, Rewrite } from '../model/types.ts';
import type { RelationshipStore } from './store.ts';

export type CompiledRewrite =
  | { kind: 'computed'; relation: number }
  | { kind: 'tupleToUserset'; tupleset: number; computed: number }
  | { kind: 'union' | 'intersection'; children: CompiledRewrite[] }
  | { kind: 'exclusion'; base: CompiledRewrite; subtract: CompiledRewrite; source: Rewrite };

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
      return { kind: 'computed', relation: store.nameId(rewrite.relation) };
    case 'tupleToUserset':
      return { kind: 'tupleToUserset', tupleset: store.nameId(rewrite.tupleset), computed: store.nameId(rewrite.computed) };
    case 'union':
    case 'intersection':
      return { kind: rewrite.kind, children: rewrite.children.map((child) => compileRewrite(store, child)) };
    case 'exclusion':
      return { kind: 'exclusion', base: compileRewrite(store, rewrite.base), subtract: compileRewrite(store, rewrite.subtract), source: rewrite.subtract };
  }
}
