// Reading AuthZEN requests and relationships from their YAML forms: `user:anne` or
// `{type, id, properties}` for subjects and resources, `view` or `{name}` for actions.

import { FRESH_PARTS, type ObjectRef, parseObject, parseRelationship, parseSubject, type Relationship, type RelationshipParts, type SubjectRef } from '../core/relationship.ts';
import type { Action, CheckRequest, Properties, Resource, Subject } from '../core/request.ts';

export function toEntity(raw: unknown): Subject | Resource | undefined {
  if (typeof raw === 'string') {
    const ref = parseObject(raw);
    return ref ? { type: ref.type, id: ref.id } : undefined;
  }
  if (raw && typeof raw === 'object' && 'type' in raw && 'id' in raw) {
    const { type, id, properties } = raw as { type: unknown; id: unknown; properties?: Properties };
    if (typeof type !== 'string' || typeof id !== 'string') return undefined;
    return properties ? { type, id, properties } : { type, id };
  }
  return undefined;
}

export function toAction(raw: unknown): Action | undefined {
  if (typeof raw === 'string') return { name: raw };
  if (raw && typeof raw === 'object' && typeof (raw as Action).name === 'string') {
    const { name, properties } = raw as Action;
    return properties ? { name, properties } : { name };
  }
  return undefined;
}

export function toRequest(raw: Record<string, unknown>): CheckRequest | undefined {
  const subject = toEntity(raw.subject);
  const action = toAction(raw.action);
  const resource = toEntity(raw.resource);
  if (!subject || !action || !resource) return undefined;
  const request: CheckRequest = { subject, action, resource };
  if (raw.context && typeof raw.context === 'object') request.context = raw.context as Properties;
  return request;
}

/** How the parts of a relationship written as text are read: fresh objects, or shared ones (SharedParts). */

/**
 * Parts shared by the relationships of one load: one string per type and relation name and one
 * object per subject, where text forms would give every relationship its own. Subjects (users,
 * groups, parent folders) recur across many relationships; resources mostly do not, and a map
 * of every resource costs more than it saves (10^6 wide-tree relationships: 195 MiB kept when
 * fresh, 87 MiB sharing subjects and names, 146 MiB also sharing resources, at twice the time).
 */
export class SharedParts implements RelationshipParts {
  readonly #subjects = new Map<string, SubjectRef>();
  readonly #names = new Map<string, string>();

  object(text: string): ObjectRef | undefined {
    const ref = parseObject(text);
    if (ref) ref.type = this.name(ref.type);
    return ref;
  }

  subject(text: string): SubjectRef | undefined {
    let ref = this.#subjects.get(text);
    if (!ref) {
      ref = parseSubject(text);
      if (!ref) return undefined;
      ref.type = this.name(ref.type);
      if (ref.relation) ref.relation = this.name(ref.relation);
      this.#subjects.set(text, ref);
    }
    return ref;
  }

  name(text: string): string {
    const known = this.#names.get(text);
    if (known !== undefined) return known;
    this.#names.set(text, text);
    return text;
  }
}

/**
 * A relationship in any of its forms: compact text, the object form with `type:id` texts, or
 * already structured (`{resource: {type, id}, relation, subject: {type, id, relation?}}`, as a
 * generator may build it). A structured one is returned as it is, not copied: at 10^6
 * relationships every object per relationship counts.
 */
export function toRelationship(raw: unknown, parts: RelationshipParts = FRESH_PARTS): Relationship | undefined {
  if (typeof raw === 'string') return parseRelationship(raw, parts);
  if (!raw || typeof raw !== 'object') return undefined;
  const { resource, relation, subject, condition } = raw as Record<string, unknown>;
  if (typeof relation !== 'string') return undefined;
  const resourceRef = typeof resource === 'string' ? parts.object(resource) : structured(resource);
  const subjectRef = typeof subject === 'string' ? parts.subject(subject) : structured(subject);
  if (!resourceRef || !subjectRef || 'relation' in resourceRef) return undefined;
  let bound: Relationship['condition'];
  if (condition && typeof condition === 'object') {
    const { name, parameters } = condition as { name?: unknown; parameters?: Record<string, unknown> };
    if (typeof name !== 'string') return undefined;
    bound = parameters ? { name, parameters } : { name };
  }
  if (resourceRef === resource && subjectRef === subject && (condition === undefined || bound)) return raw as Relationship;
  const rel: Relationship = { resource: resourceRef, relation: parts.name(relation), subject: subjectRef };
  if (bound) rel.condition = bound;
  return rel;
}

/** `{type, id}` or `{type, id, relation}` with non-empty texts, as it is; else undefined. */
function structured(raw: unknown): SubjectRef | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { type, id, relation } = raw as Record<string, unknown>;
  if (!isText(type) || !isText(id) || (relation !== undefined && !isText(relation))) return undefined;
  return raw as SubjectRef;
}

function isText(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}
