// Hierarchies: permissions that climb a tree of objects, such as
//   folder, document:  view: viewer | edit | parent->view;  edit: editor | parent->edit
// A check of such a permission walks up the tree, and the general walk (evaluate.ts) spends
// most of its time there on bookkeeping: every node (view, viewer, edit, editor, on every
// folder) is a memo entry, a path entry and a Result, for an answer that is mostly "no". The
// evaluator climbs them with a lean walk instead (Evaluator.#climb) that visits the same nodes
// in the same order and keeps one mark per permission node. This file finds them in a model.
//
// A permission R of type T is a hierarchy when its rewrite is a union (or one term) of:
//   - a relation D of T (RELATION: decided from D's tuples, through its usersets if it has any);
//   - another hierarchy S of T (NESTED: `edit` in `view`);
//   - `P->C` (UP), where P is a relation of T whose subjects are objects only (no userset), and
//     C is, on each of their types, a hierarchy (or absent: the walk skips those objects).
// And none of the relations the D's usersets reach (`group#member`, and what it reaches) is a
// hierarchy: the climb never meets itself by another way than climbing, so marking what it
// climbed is all the memo it needs. A model where one does gets no hierarchies (the walk as before).

import type { Model, Rewrite, TypeDefinition } from '../model/types.ts';
import type { RelationshipStore } from './store.ts';

export const RELATION = 0;
export const NESTED = 1;
export const UP = 2;

/** One term of a hierarchy's union, in the order the walk tries them. */
export interface HierarchyStep {
  kind: typeof RELATION | typeof NESTED | typeof UP;
  /** RELATION, NESTED: the relation or permission name id of T. */
  relation: number;
  /** UP: the tupleset relation and the permission climbed to, name ids. */
  tupleset: number;
  computed: number;
  /** NESTED: the hierarchy of T it names. */
  nested: Hierarchy | undefined;
}

export interface Hierarchy {
  type: number;
  name: number;
  steps: HierarchyStep[];
}

/** By type id, then permission name id: the model's hierarchies (none when the model has a way back into one). */
export type Hierarchies = (Hierarchy | undefined)[][];

type Key = string;
const keyOf = (type: string, name: string): Key => `${type}#${name}`;

/** The union's terms, or undefined when the rewrite is not a union of plain terms. */
function termsOf(rewrite: Rewrite): Rewrite[] | undefined {
  const terms = rewrite.kind === 'union' ? rewrite.children : [rewrite];
  return terms.every((t) => t.kind === 'computed' || t.kind === 'tupleToUserset') ? terms : undefined;
}

/** Whether `name` of `type` could be a hierarchy, given that `alive` are (the rest of the fixed point). */
function fits(model: Model, type: TypeDefinition, terms: Rewrite[], alive: Set<Key>): boolean {
  return terms.every((term) => {
    if (term.kind === 'computed') return type.relations.has(term.relation) || alive.has(keyOf(type.name, term.relation));
    if (term.kind !== 'tupleToUserset') return false;
    const tupleset = type.relations.get(term.tupleset);
    if (!tupleset || tupleset.allowed.some((a) => a.relation !== undefined || a.condition !== undefined)) return false;
    return tupleset.allowed.every((a) => {
      if (a.wildcard) return true;
      const target = model.types.get(a.type);
      if (!target) return false;
      if (target.relations.has(term.computed)) return false;
      return !target.permissions.has(term.computed) || alive.has(keyOf(a.type, term.computed));
    });
  });
}

/** Every (type, relation or permission) a check of `start` can be led to (not `start` itself unless by a cycle). */
function reachedFrom(model: Model, starts: Key[]): Set<Key> {
  const reached = new Set<Key>();
  const queue = [...starts];
  const add = (type: string, name: string) => {
    const key = keyOf(type, name);
    if (!reached.has(key)) {
      reached.add(key);
      queue.push(key);
    }
  };
  while (queue.length > 0) {
    const key = queue.pop()!;
    const at = key.lastIndexOf('#');
    const type = model.types.get(key.slice(0, at));
    const name = key.slice(at + 1);
    if (!type) continue;
    const relation = type.relations.get(name);
    if (relation) for (const a of relation.allowed) if (a.relation !== undefined) add(a.type, a.relation);
    const permission = type.permissions.get(name);
    const visit = (rewrite: Rewrite): void => {
      if (rewrite.kind === 'computed') add(type.name, rewrite.relation);
      else if (rewrite.kind === 'tupleToUserset') {
        for (const a of type.relations.get(rewrite.tupleset)?.allowed ?? []) add(a.type, rewrite.computed);
      } else if (rewrite.kind === 'exclusion') {
        visit(rewrite.base);
        visit(rewrite.subtract);
      } else rewrite.children.forEach(visit);
    };
    if (permission) visit(permission.rewrite);
  }
  return reached;
}

/** The model's hierarchies, with the store's ids. */
export function findHierarchies(store: RelationshipStore, model: Model): Hierarchies {
  // The greatest fixed point: start from every permission of the right form, drop those that name a dropped one.
  const alive = new Set<Key>();
  const terms = new Map<Key, Rewrite[]>();
  for (const type of model.types.values()) {
    for (const [name, permission] of type.permissions) {
      const found = termsOf(permission.rewrite);
      if (!found) continue;
      alive.add(keyOf(type.name, name));
      terms.set(keyOf(type.name, name), found);
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const key of [...alive]) {
      const type = model.types.get(key.slice(0, key.lastIndexOf('#')))!;
      if (!fits(model, type, terms.get(key)!, alive)) {
        alive.delete(key);
        changed = true;
      }
    }
  }
  // The relations their D's usersets lead to: if one is a hierarchy, the climb could meet itself another way.
  const directs: Key[] = [];
  for (const key of alive) {
    const type = key.slice(0, key.lastIndexOf('#'));
    for (const term of terms.get(key)!) if (term.kind === 'computed' && model.types.get(type)!.relations.has(term.relation)) directs.push(keyOf(type, term.relation));
  }
  const reached = reachedFrom(model, directs);
  if ([...alive].some((key) => reached.has(key))) return [];

  const hierarchies: Hierarchies = [];
  const made = new Map<Key, Hierarchy>();
  for (const key of alive) {
    const at = key.lastIndexOf('#');
    const hierarchy: Hierarchy = { type: store.typeId(key.slice(0, at)), name: store.nameId(key.slice(at + 1)), steps: [] };
    made.set(key, hierarchy);
    const byName = hierarchies[hierarchy.type] ?? [];
    byName[hierarchy.name] = hierarchy;
    hierarchies[hierarchy.type] = byName;
  }
  for (const [key, hierarchy] of made) {
    const type = model.types.get(key.slice(0, key.lastIndexOf('#')))!;
    for (const term of terms.get(key)!) {
      if (term.kind === 'tupleToUserset') {
        hierarchy.steps.push({ kind: UP, relation: -1, tupleset: store.nameId(term.tupleset), computed: store.nameId(term.computed), nested: undefined });
      } else if (term.kind === 'computed') {
        const nested = made.get(keyOf(type.name, term.relation));
        hierarchy.steps.push({ kind: nested ? NESTED : RELATION, relation: store.nameId(term.relation), tupleset: -1, computed: -1, nested });
      }
    }
  }
  return hierarchies;
}
