// Relationships (tuples): `resource#relation@subject`, where the subject is an object
// (`user:anne`), a userset (`group:eng#member`) or a type wildcard (`user:*`).

export interface ObjectRef {
  type: string;
  id: string;
}

export interface SubjectRef {
  type: string;
  /** `*` for a wildcard subject. */
  id: string;
  /** Set for a userset subject such as `group:eng#member`. */
  relation?: string;
}

export interface BoundCondition {
  name: string;
  /** Parameter values bound when the relationship is written. */
  parameters?: Record<string, unknown>;
}

export interface Relationship {
  resource: ObjectRef;
  relation: string;
  subject: SubjectRef;
  condition?: BoundCondition;
}

export const WILDCARD = '*';

export function isWildcard(subject: SubjectRef): boolean {
  return subject.id === WILDCARD;
}

export function formatObject(ref: ObjectRef): string {
  return `${ref.type}:${ref.id}`;
}

export function formatSubject(subject: SubjectRef): string {
  return subject.relation ? `${subject.type}:${subject.id}#${subject.relation}` : `${subject.type}:${subject.id}`;
}

export function formatRelationship(rel: Relationship): string {
  const base = `${formatObject(rel.resource)}#${rel.relation}@${formatSubject(rel.subject)}`;
  return rel.condition ? `${base}[${rel.condition.name}]` : base;
}

/** Identity of a relationship: a condition does not make a second tuple (as in OpenFGA). */
export function relationshipKey(rel: Relationship): string {
  return `${formatObject(rel.resource)}#${rel.relation}@${formatSubject(rel.subject)}`;
}

/** Parses `type:id`; returns undefined when the text is not of that form. */
export function parseObject(text: string): ObjectRef | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { type: text.slice(0, colon), id: text.slice(colon + 1) };
}

/** Parses `type:id`, `type:id#relation` or `type:*`. */
export function parseSubject(text: string): SubjectRef | undefined {
  const hash = text.lastIndexOf('#');
  const objectText = hash > 0 ? text.slice(0, hash) : text;
  const object = parseObject(objectText);
  if (!object) return undefined;
  if (hash > 0) {
    const relation = text.slice(hash + 1);
    if (!relation) return undefined;
    // A literal, not a spread of `object`: V8 gives every object made by `{ ...object, relation }`
    // a map of its own (10^5 maps for the userset subjects of a large store, and every property
    // read of a subject then megamorphic).
    return { type: object.type, id: object.id, relation };
  }
  return object;
}

/** How the texts of a relationship become values: fresh ones, or shared across one load (src/scenario/requests.ts). */
export interface RelationshipParts {
  object(text: string): ObjectRef | undefined;
  subject(text: string): SubjectRef | undefined;
  /** A relation name (one string per name where shared). */
  name(text: string): string;
}

export const FRESH_PARTS: RelationshipParts = { object: parseObject, subject: parseSubject, name: (text) => text };

/** Parses the compact form `folder:a#viewer@user:anne` (also `...@group:eng#member`). */
export function parseRelationship(text: string, parts: RelationshipParts = FRESH_PARTS): Relationship | undefined {
  const at = text.indexOf('@');
  if (at <= 0) return undefined;
  const hash = text.lastIndexOf('#', at);
  if (hash <= 0) return undefined;
  const resource = parts.object(text.slice(0, hash));
  const relation = text.slice(hash + 1, at);
  const subject = parts.subject(text.slice(at + 1));
  if (!resource || !relation || !subject) return undefined;
  return { resource, relation: parts.name(relation), subject };
}
