// Validation of AuthZEN request bodies, field by field, as a PDP must do it: a missing or
// mistyped required member is a 400 with a message naming the member; unknown members are
// ignored (forward compatibility). Evaluations merge the top-level defaults into each item;
// an item that is still incomplete is an item-level error, not a failed request.

import type { CheckRequest, Properties } from '../core/request.ts';
import type { SearchQuery } from '../core/search.ts';
import { EVALUATIONS_SEMANTICS, type EvaluationsSemantic } from './wire.ts';

/** A whole-payload problem: the PDP answers 400 with this message. */
export class BadRequest extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'BadRequest';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Checks one entity (`subject`, `resource`: type and id; `action`: name) and returns its problems. */
function entityProblems(name: 'subject' | 'action' | 'resource', value: unknown, at: string): string[] {
  const where = `${at}${name}`;
  if (value === undefined) return [`${where}: required`];
  if (!isObject(value)) return [`${where}: expected an object, got ${typeName(value)}`];
  const problems: string[] = [];
  for (const key of name === 'action' ? ['name'] : ['type', 'id']) {
    const field = value[key];
    if (field === undefined) problems.push(`${where}.${key}: required`);
    else if (typeof field !== 'string') problems.push(`${where}.${key}: expected a string, got ${typeName(field)}`);
    else if (field === '') problems.push(`${where}.${key}: must not be empty`);
  }
  if (value.properties !== undefined && !isObject(value.properties)) problems.push(`${where}.properties: expected an object, got ${typeName(value.properties)}`);
  return problems;
}

function contextProblems(value: unknown, at: string): string[] {
  return value === undefined || isObject(value) ? [] : [`${at}context: expected an object, got ${typeName(value)}`];
}

/** The problems of a complete evaluation (subject, action, resource, optional context); empty when valid. */
function evaluationProblems(body: Json, at = ''): string[] {
  return [
    ...entityProblems('subject', body.subject, at),
    ...entityProblems('action', body.action, at),
    ...entityProblems('resource', body.resource, at),
    ...contextProblems(body.context, at),
  ];
}

/** A valid evaluation as the harness's request; only the members the spec defines are kept. */
function toCheckRequest(body: Json): CheckRequest {
  const entity = <T extends object>(value: Json, keys: string[]): T => {
    const out: Json = {};
    for (const key of keys) out[key] = value[key];
    if (value.properties !== undefined) out.properties = value.properties;
    return out as T;
  };
  return {
    subject: entity(body.subject as Json, ['type', 'id']),
    action: entity(body.action as Json, ['name']),
    resource: entity(body.resource as Json, ['type', 'id']),
    ...(body.context !== undefined ? { context: body.context as Properties } : {}),
  };
}

/** The body of POST /access/v1/evaluation; throws BadRequest. */
export function parseEvaluation(body: unknown): CheckRequest {
  if (!isObject(body)) throw new BadRequest([`request body: expected a JSON object, got ${typeName(body)}`]);
  const problems = evaluationProblems(body);
  if (problems.length > 0) throw new BadRequest(problems);
  return toCheckRequest(body);
}

/** One item after merging: a request, or why it cannot be evaluated (an item-level error). */
export type EvaluationsItem = { request: CheckRequest } | { problem: string };

export interface ParsedEvaluations {
  /** No `evaluations` (or an empty array): the request is a single evaluation, answered as one. */
  single?: CheckRequest;
  items: EvaluationsItem[];
  semantic: EvaluationsSemantic;
}

/**
 * A per-item entity replaces the default entity as a whole, except that a missing `type`
 * or `id` falls back to the default's (the certification profile's merge rule, c-3-2-7).
 */
function mergeEntity(defaults: unknown, item: unknown, keys: string[]): unknown {
  if (item === undefined) return defaults;
  if (!isObject(item) || !isObject(defaults)) return item;
  const merged: Json = { ...item };
  for (const key of keys) if (merged[key] === undefined && defaults[key] !== undefined) merged[key] = defaults[key];
  return merged;
}

/** The body of POST /access/v1/evaluations; throws BadRequest for whole-payload problems. */
export function parseEvaluations(body: unknown): ParsedEvaluations {
  if (!isObject(body)) throw new BadRequest([`request body: expected a JSON object, got ${typeName(body)}`]);
  const problems: string[] = [];
  for (const name of ['subject', 'action', 'resource', 'context'] as const) {
    if (body[name] !== undefined && !isObject(body[name])) problems.push(`${name}: expected an object, got ${typeName(body[name])}`);
  }
  let semantic: EvaluationsSemantic = 'execute_all';
  if (body.options !== undefined) {
    if (!isObject(body.options)) problems.push(`options: expected an object, got ${typeName(body.options)}`);
    else if (body.options.evaluations_semantic !== undefined) {
      const value = body.options.evaluations_semantic;
      if (typeof value === 'string' && (EVALUATIONS_SEMANTICS as readonly string[]).includes(value)) semantic = value as EvaluationsSemantic;
      else problems.push(`options.evaluations_semantic: expected one of ${EVALUATIONS_SEMANTICS.join(', ')}, got ${JSON.stringify(value)}`);
    }
  }
  const list = body.evaluations;
  if (list !== undefined && !Array.isArray(list)) problems.push(`evaluations: expected an array, got ${typeName(list)}`);
  if (problems.length > 0) throw new BadRequest(problems);
  // Without items, the endpoint behaves as the single Access Evaluation API.
  if (!Array.isArray(list) || list.length === 0) return { single: parseEvaluation(body), items: [], semantic };
  const items = list.map((item: unknown, i): EvaluationsItem => {
    if (!isObject(item)) return { problem: `evaluations[${i}]: expected an object, got ${typeName(item)}` };
    const merged: Json = {
      subject: mergeEntity(body.subject, item.subject, ['type', 'id']),
      action: mergeEntity(body.action, item.action, ['name']),
      resource: mergeEntity(body.resource, item.resource, ['type', 'id']),
      context: item.context !== undefined ? item.context : body.context,
    };
    const itemProblems = evaluationProblems(merged, `evaluations[${i}].`);
    return itemProblems.length > 0 ? { problem: itemProblems.join('; ') } : { request: toCheckRequest(merged) };
  });
  return { items, semantic };
}

/**
 * The body of a search request (Authorization API §8) as the harness's SearchQuery; throws
 * BadRequest. Subject search: `subject.type` (its id, if any, is ignored), `action`,
 * `resource`; resource search: `subject`, `action`, `resource.type`; action search:
 * `subject`, `resource`. `page` is accepted and ignored (every result in one page).
 */
export function parseSearch(kind: SearchQuery['kind'], body: unknown): SearchQuery {
  if (!isObject(body)) throw new BadRequest([`request body: expected a JSON object, got ${typeName(body)}`]);
  const typeOnly = (name: 'subject' | 'resource'): string[] => {
    const value = body[name];
    if (value === undefined) return [`${name}: required`];
    if (!isObject(value)) return [`${name}: expected an object, got ${typeName(value)}`];
    if (typeof value.type !== 'string' || value.type === '') return [`${name}.type: ${value.type === undefined ? 'required' : 'expected a non-empty string'}`];
    return [];
  };
  const problems =
    kind === 'subjects'
      ? [...typeOnly('subject'), ...entityProblems('action', body.action, ''), ...entityProblems('resource', body.resource, '')]
      : kind === 'resources'
        ? [...entityProblems('subject', body.subject, ''), ...entityProblems('action', body.action, ''), ...typeOnly('resource')]
        : [...entityProblems('subject', body.subject, ''), ...entityProblems('resource', body.resource, '')];
  problems.push(...contextProblems(body.context, ''));
  if (body.page !== undefined && !isObject(body.page)) problems.push(`page: expected an object, got ${typeName(body.page)}`);
  if (problems.length > 0) throw new BadRequest(problems);
  const request = toCheckRequest({
    subject: { id: '_', ...(body.subject as Json) },
    action: body.action ?? { name: '_' },
    resource: { id: '_', ...(body.resource as Json) },
    context: body.context,
  });
  const context = request.context ? { context: request.context } : {};
  switch (kind) {
    case 'subjects':
      return { kind, subjectType: request.subject.type, action: request.action, resource: request.resource, ...context };
    case 'resources':
      return { kind, subject: request.subject, action: request.action, resourceType: request.resource.type, ...context };
    case 'actions':
      return { kind, subject: request.subject, resource: request.resource, ...context };
  }
}
