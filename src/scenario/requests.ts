// Reading AuthZEN requests and relationships from their YAML forms: `user:anne` or
// `{type, id, properties}` for subjects and resources, `view` or `{name}` for actions.

import { parseObject, parseRelationship, parseSubject, type Relationship, type SubjectRef } from '../core/relationship.ts';
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

/**
 * A relationship in any of its forms: compact text, the object form with `type:id` texts, or
 * already structured (`{resource: {type, id}, relation, subject: {type, id, relation?}}`, as a
 * generator may build it). A structured one is returned as it is, not copied: at 10^6
 * relationships every object per relationship counts.
 */
export function toRelationship(raw: unknown): Relationship | undefined {
  if (typeof raw === 'string') return parseRelationship(raw);
  if (!raw || typeof raw !== 'object') return undefined;
  const { resource, relation, subject, condition } = raw as Record<string, unknown>;
  if (typeof relation !== 'string') return undefined;
  const resourceRef = typeof resource === 'string' ? parseObject(resource) : structured(resource);
  const subjectRef = typeof subject === 'string' ? parseSubject(subject) : structured(subject);
  if (!resourceRef || !subjectRef || 'relation' in resourceRef) return undefined;
  let bound: Relationship['condition'];
  if (condition && typeof condition === 'object') {
    const { name, parameters } = condition as { name?: unknown; parameters?: Record<string, unknown> };
    if (typeof name !== 'string') return undefined;
    bound = parameters ? { name, parameters } : { name };
  }
  if (resourceRef === resource && subjectRef === subject && (condition === undefined || bound)) return raw as Relationship;
  const rel: Relationship = { resource: resourceRef, relation, subject: subjectRef };
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
