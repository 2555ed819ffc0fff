// Search: "what may this agent reach?" The three AuthZEN 1.0 searches (Authorization API §8),
// as the harness asks them of an engine and as the engine answers.

import type { Model } from '../model/types.ts';
import type { Relationship } from './relationship.ts';
import type { Action, CheckRequest, Decision, Properties, Resource, Subject } from './request.ts';

export type SearchQuery =
  /** Which resources of `resourceType` may `subject` do `action` on? */
  | { kind: 'resources'; subject: Subject; action: Action; resourceType: string; context?: Properties }
  /** Which subjects of `subjectType` may do `action` on `resource`? */
  | { kind: 'subjects'; resource: Resource; action: Action; subjectType: string; context?: Properties }
  /** Which actions (relations and permissions of its type) may `subject` do on `resource`? */
  | { kind: 'actions'; subject: Subject; resource: Resource; context?: Properties };

export type SearchAnswer =
  /** The ids found (resource ids, subject ids with `*` for "every subject of the type", or action names). */
  | {
      ids: string[];
      /** How the engine searched, e.g. `ListObjects`, `checks over candidates`; recorded with the case. */
      method: string;
      /** Set when the engine says its answer may be incomplete (a result limit or deadline). */
      truncated?: string;
      /** The kind of query plan the engine answered with, where it answers with a plan (Cerbos: ALWAYS_ALLOWED, ALWAYS_DENIED, CONDITIONAL). */
      planKind?: string;
      /** Time in the engine's calls, where the adapter measures it apart from its own work. */
      engineMs?: number;
      /** Time the harness spent answering (building attributes, applying a plan to candidates), apart from the engine's. */
      clientMs?: number;
    }
  /** The engine cannot answer this kind of search: why. */
  | { unsupported: string }
  | { error: string };

export function describeSearch(query: SearchQuery): string {
  switch (query.kind) {
    case 'resources':
      return `${query.subject.type}:${query.subject.id} ${query.action.name} ${query.resourceType}:?`;
    case 'subjects':
      return `${query.subjectType}:? ${query.action.name} ${query.resource.type}:${query.resource.id}`;
    case 'actions':
      return `${query.subject.type}:${query.subject.id} ? ${query.resource.type}:${query.resource.id}`;
  }
}

/** Every relation and permission of each type: the candidates of an action search. */
export function actionsByType(model: Model): Map<string, string[]> {
  return new Map([...model.types.values()].map((t) => [t.name, [...t.relations.keys(), ...t.permissions.keys()]]));
}

/**
 * An action search for engines that have none: one batch of checks over every relation and
 * permission of the resource's type. `actions` undefined: no neutral model (native mode).
 */
export async function actionSearchByChecks(
  query: Extract<SearchQuery, { kind: 'actions' }>,
  actions: ReadonlyMap<string, string[]> | undefined,
  checkBatch: (requests: CheckRequest[]) => Promise<Decision[]>,
  method: string,
): Promise<SearchAnswer> {
  const names = actions?.get(query.resource.type);
  if (!names) return { unsupported: 'search: actions are known from the neutral model only (not in native mode)' };
  const decisions = await checkBatch(names.map((name) => ({ subject: query.subject, action: { name }, resource: query.resource, ...(query.context ? { context: query.context } : {}) })));
  const failed = decisions.find((d) => d.error);
  if (failed) return { error: failed.error! };
  return { ids: names.filter((_, i) => decisions[i]!.allowed), method };
}

/** The ids of every object of `type` the relationships name, as resource or subject (`*` for a wildcard): the candidates of a search by checks. */
export function knownIds(relationships: Iterable<Relationship>, type: string): string[] {
  const ids = new Set<string>();
  for (const { resource, subject } of relationships) {
    if (resource.type === type) ids.add(resource.id);
    if (subject.type === type) ids.add(subject.id);
  }
  return [...ids];
}

/**
 * A resource or subject search for engines that have none: one check per candidate the
 * harness knows (labelled "by candidate checks"). A subject search checks `*` as a subject
 * too where a wildcard is named; a subject allowed only through it is then listed as well
 * (checks cannot tell how a subject is allowed).
 */
export async function searchByCandidateChecks(
  query: Extract<SearchQuery, { kind: 'resources' | 'subjects' }>,
  candidates: readonly string[],
  checkBatch: (requests: CheckRequest[]) => Promise<Decision[]>,
  engine: string,
): Promise<SearchAnswer> {
  const context = query.context ? { context: query.context } : {};
  const resources = query.kind === 'resources';
  const ids = resources ? candidates.filter((id) => id !== '*') : candidates;
  const requests = ids.map(
    (id): CheckRequest =>
      resources
        ? { subject: query.subject, action: query.action, resource: { type: query.resourceType, id }, ...context }
        : { subject: { type: query.subjectType, id }, action: query.action, resource: query.resource, ...context },
  );
  const started = performance.now();
  const decisions = await checkBatch(requests);
  const engineMs = performance.now() - started;
  const failed = decisions.find((d) => d.error);
  if (failed) return { error: failed.error! };
  const type = resources ? query.resourceType : query.subjectType;
  return {
    ids: ids.filter((_, i) => decisions[i]!.allowed),
    method: `by candidate checks: one ${engine} check per ${type} the harness knows (${ids.length}; ${engine} has no ${query.kind === 'resources' ? 'resource' : 'subject'} search)`,
    engineMs,
  };
}
