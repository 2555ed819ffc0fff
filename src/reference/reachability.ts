// Candidate sets for the reference engine's searches, from the store's indexes: every grant
// is a chain of relationships from the resource to the subject (directly, through usersets,
// through parent/tupleset relationships, or through a wildcard), so the objects connected to
// the subject by such chains are a superset of the answer. Each candidate is then checked
// exactly; the walk only spares checking objects that cannot be connected at all.
// Cost: O(relationships reached) for the walk, then one check per candidate.

import type { ObjectRef } from '../core/relationship.ts';
import type { Model } from '../model/types.ts';
import { NONE, type RelationshipStore } from './store.ts';

/** The store's ids of the relations of `node`'s type in the model (those found in the store). */
function relationIdsOf(store: RelationshipStore, model: Model, node: number): number[] {
  return nameIds(store, model.types.get(store.typeName(store.nodeType(node)))?.relations.keys() ?? []);
}

/** ...and of its permissions: a userset subject may name either (`group:eng#member` with `member: direct | owner`). */
function usersetNameIdsOf(store: RelationshipStore, model: Model, node: number): number[] {
  const type = model.types.get(store.typeName(store.nodeType(node)));
  return type ? nameIds(store, [...type.relations.keys(), ...type.permissions.keys()]) : [];
}

function nameIds(store: RelationshipStore, names: Iterable<string>): number[] {
  return [...names].map((name) => store.findName(name)).filter((id) => id !== NONE);
}

/** Ids of the objects of `resourceType` from which some chain of relationships reaches `subject` (or its type's wildcard). */
export function resourcesReaching(store: RelationshipStore, model: Model, subject: ObjectRef, resourceType: string): string[] {
  const seen = new Set<number>();
  const queue: number[] = [];
  const reachedBy = (node: number, relation: number) => {
    if (node === NONE) return;
    for (let t = store.subjectHead(node, relation); t !== NONE; t = store.nextBySubject(t)) {
      const object = store.resource(t);
      if (!seen.has(object)) {
        seen.add(object);
        queue.push(object);
      }
    }
  };
  reachedBy(store.node(subject.type, '*'), NONE);
  const start = store.node(subject.type, subject.id);
  if (start !== NONE) queue.push(start);
  while (queue.length > 0) {
    const object = queue.pop()!;
    reachedBy(object, NONE);
    for (const relation of usersetNameIdsOf(store, model, object)) reachedBy(object, relation);
  }
  const type = store.findType(resourceType);
  return [...seen].filter((node) => store.nodeType(node) === type).map((node) => store.nodeId(node));
}

/** Ids of the subjects of `subjectType` (`*` for its wildcard) that some chain of relationships from `resource` reaches. */
export function subjectsReachedFrom(store: RelationshipStore, model: Model, resource: ObjectRef, subjectType: string): string[] {
  const start = store.node(resource.type, resource.id);
  if (start === NONE) return [];
  const type = store.findType(subjectType);
  const seen = new Set<number>([start]);
  const queue = [start];
  const found = new Set<string>();
  const visit = (node: number) => {
    if (store.nodeType(node) === type) found.add(store.nodeId(node));
    if (store.nodeId(node) !== '*' && !seen.has(node)) {
      seen.add(node);
      queue.push(node);
    }
  };
  while (queue.length > 0) {
    const object = queue.pop()!;
    for (const relation of relationIdsOf(store, model, object)) {
      const bucket = store.bucket(object, relation);
      if (bucket === NONE) continue;
      for (let t = store.directHead(bucket); t !== NONE; t = store.next(t)) visit(store.subject(t));
      for (let t = store.usersetHead(bucket); t !== NONE; t = store.next(t)) visit(store.subject(t));
    }
  }
  return [...found];
}
