// Candidate sets for the reference engine's searches, from the store's indexes: every grant
// is a chain of relationships from the resource to the subject (directly, through usersets,
// through parent/tupleset relationships, or through a wildcard), so the objects connected to
// the subject by such chains are a superset of the answer. Each candidate is then checked
// exactly; the walk only spares checking objects that cannot be connected at all.
// Cost: O(relationships reached) for the walk, then one check per candidate.

import type { ObjectRef } from '../core/relationship.ts';
import type { Model } from '../model/types.ts';
import type { RelationshipStore } from './store.ts';

const relationsOf = (model: Model, type: string): string[] => [...(model.types.get(type)?.relations.keys() ?? [])];

/** Ids of the objects of `resourceType` from which some chain of relationships reaches `subject` (or its type's wildcard). */
export function resourcesReaching(store: RelationshipStore, model: Model, subject: ObjectRef, resourceType: string): string[] {
  const seen = new Set<string>();
  const queue: string[] = [];
  const reachedBy = (subjectKey: string) => {
    for (const rel of store.bySubject(subjectKey)) {
      const object = `${rel.resource.type}:${rel.resource.id}`;
      if (!seen.has(object)) {
        seen.add(object);
        queue.push(object);
      }
    }
  };
  reachedBy(`${subject.type}:*`);
  queue.push(`${subject.type}:${subject.id}`);
  while (queue.length > 0) {
    const object = queue.pop()!;
    reachedBy(object);
    for (const relation of relationsOf(model, object.slice(0, object.indexOf(':')))) reachedBy(`${object}#${relation}`);
  }
  const prefix = `${resourceType}:`;
  return [...seen].filter((o) => o.startsWith(prefix)).map((o) => o.slice(prefix.length));
}

/** Ids of the subjects of `subjectType` (`*` for its wildcard) that some chain of relationships from `resource` reaches. */
export function subjectsReachedFrom(store: RelationshipStore, model: Model, resource: ObjectRef, subjectType: string): string[] {
  const seen = new Set<string>([`${resource.type}:${resource.id}`]);
  const queue = [...seen];
  const found = new Set<string>();
  const visit = (type: string, id: string) => {
    if (type === subjectType) found.add(id);
    const object = `${type}:${id}`;
    if (id !== '*' && !seen.has(object)) {
      seen.add(object);
      queue.push(object);
    }
  };
  while (queue.length > 0) {
    const object = queue.pop()!;
    const colon = object.indexOf(':');
    const [type, id] = [object.slice(0, colon), object.slice(colon + 1)];
    for (const relation of relationsOf(model, type)) {
      const bucket = store.bucket(type, id, relation);
      if (!bucket) continue;
      for (const rel of bucket.direct.values()) visit(rel.subject.type, rel.subject.id);
      for (const rel of bucket.usersets.values()) visit(rel.subject.type, rel.subject.id);
    }
  }
  return [...found];
}
