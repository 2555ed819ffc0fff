// Checks a relationship against the model before it is written, as OpenFGA does: the
// resource type and relation exist, and the subject is one the relation allows
// (`user`, `user:*`, `group#member`), with a condition exactly when the model says so.

import { formatRelationship, type Relationship } from '../core/relationship.ts';
import type { Model } from '../model/types.ts';

/** Why `rel` cannot be written under `model`, or undefined when it can. */
export function relationshipProblem(model: Model, rel: Relationship): string | undefined {
  const text = formatRelationship(rel);
  const type = model.types.get(rel.resource.type);
  if (!type) return `${text}: unknown type '${rel.resource.type}'`;
  const relation = type.relations.get(rel.relation);
  if (!relation) {
    const hint = type.permissions.has(rel.relation) ? ' (it is a permission, which is computed, not written)' : '';
    return `${text}: '${rel.relation}' is not a relation of '${rel.resource.type}'${hint}`;
  }
  if (!model.types.has(rel.subject.type)) return `${text}: unknown subject type '${rel.subject.type}'`;
  const wildcard = rel.subject.id === '*';
  if (wildcard && rel.subject.relation) return `${text}: a wildcard subject cannot have a relation`;
  const shape = relation.allowed.filter(
    (a) => a.type === rel.subject.type && !!a.wildcard === wildcard && (a.relation ?? undefined) === (rel.subject.relation ?? undefined),
  );
  const allowedText = relation.allowed
    .map((a) => `${a.type}${a.wildcard ? ':*' : ''}${a.relation ? `#${a.relation}` : ''}${a.condition ? ` with ${a.condition}` : ''}`)
    .join(', ');
  if (shape.length === 0) return `${text}: ${rel.resource.type}#${rel.relation} allows only [${allowedText}]`;
  const condition = rel.condition?.name;
  if (!shape.some((a) => a.condition === condition)) {
    return condition
      ? `${text}: condition '${condition}' is not allowed here; ${rel.resource.type}#${rel.relation} allows [${allowedText}]`
      : `${text}: a condition is required; ${rel.resource.type}#${rel.relation} allows [${allowedText}]`;
  }
  return undefined;
}
