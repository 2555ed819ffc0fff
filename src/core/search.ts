// Search: "what may this agent reach?" The three AuthZEN 1.0 searches (Authorization API §8),
// as the harness asks them of an engine and as the engine answers.

import type { Model } from '../model/types.ts';
import { type Relationship, WILDCARD } from './relationship.ts';
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

type CheckBatch = (requests: CheckRequest[]) => Promise<Decision[]>;

/**
 * An action search for engines that have none: one batch of checks over every relation and
 * permission of the resource's type. `actions` undefined: no neutral model (native mode).
 */
export async function actionSearchByChecks(
  query: Extract<SearchQuery, { kind: 'actions' }>,
  actions: ReadonlyMap<string, string[]> | undefined,
  checkBatch: CheckBatch,
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
export function knownIds(relationships: Iterable<Pick<Relationship, 'resource' | 'subject'>>, type: string): string[] {
  const ids = new Set<string>();
  for (const { resource, subject } of relationships) {
    if (resource.type === type) ids.add(resource.id);
    if (subject.type === type) ids.add(subject.id);
  }
  return [...ids];
}

/**
 * The subject-search rule, here only (the reference engine and every search by checks apply
 * it; OPA's generated Rego is its one engine-native copy). `granted`: the candidates allowed,
 * `*` among them when the wildcard itself is; `grantedByName`: those of `toCheckByName(granted)`
 * still allowed with their type's wildcard granting nothing. Where `*` is granted, a subject is
 * listed only when granted by name too (`*` already says the rest, as OpenFGA's ListUsers);
 * without `*`, every granted subject is (an intersection with a wildcard grants only the
 * subjects named on its other side).
 */
export function listSubjects(granted: ReadonlySet<string>, grantedByName: ReadonlySet<string>): string[] {
  return granted.has(WILDCARD) ? [...granted].filter((id) => id === WILDCARD || grantedByName.has(id)) : [...granted];
}

/** The subjects a subject search checks again with the wildcard ignored: where `*` is granted, every other granted subject; else none. */
export function toCheckByName(granted: ReadonlySet<string>): string[] {
  return granted.has(WILDCARD) ? [...granted].filter((id) => id !== WILDCARD) : [];
}

export const NATIVE_MODE_SEARCH = "search: native mode: the harness knows neither the objects the scenario's own policy may grant nor its actions (no neutral model)";

/** How an engine without a search is searched by checks (`searchByChecks`). */
export interface ChecksSearch {
  /** The engine's name, for the answer's method. */
  engine: string;
  /** Relations and permissions per type of the loaded neutral model; undefined in native mode: every search is unsupported. */
  actions: ReadonlyMap<string, string[]> | undefined;
  /** The relationships the adapter holds: the candidates are the objects they name (`knownIds`). */
  relationships: () => Iterable<Pick<Relationship, 'resource' | 'subject'>>;
  checkBatch: CheckBatch;
  /** The same checks with each subject's type wildcard granting it nothing (a subject search's second phase, `listSubjects`). */
  checkBatchByName: CheckBatch;
  /** The harness's own time so far in ms (attributes, entity slices), read before and after to report it apart from the engine's. */
  clientMs?: () => number;
}

/**
 * The three searches for an engine that has none, by checks: actions by one batch over the
 * type's relations and permissions; resources and subjects by one batch over the candidates
 * the relationships name (labelled "by candidate checks"), subjects with the wildcard rule.
 */
export async function searchByChecks(query: SearchQuery, search: ChecksSearch): Promise<SearchAnswer> {
  if (!search.actions) return { unsupported: NATIVE_MODE_SEARCH };
  if (query.kind === 'actions')
    return actionSearchByChecks(
      query,
      search.actions,
      search.checkBatch,
      `by checks: one ${search.engine} check per relation and permission of the type (${search.engine} has no action search)`,
    );
  const resources = query.kind === 'resources';
  const type = resources ? query.resourceType : query.subjectType;
  const known = knownIds(search.relationships(), type);
  const candidates = resources ? known.filter((id) => id !== WILDCARD) : known;
  const context = query.context ? { context: query.context } : {};
  const request = (id: string): CheckRequest =>
    resources
      ? { subject: query.subject, action: query.action, resource: { type: query.resourceType, id }, ...context }
      : { subject: { type: query.subjectType, id }, action: query.action, resource: query.resource, ...context };
  const allowedIds = async (ids: string[], checkBatch: CheckBatch): Promise<Set<string> | { error: string }> => {
    if (ids.length === 0) return new Set();
    const decisions = await checkBatch(ids.map(request));
    const failed = decisions.find((d) => d.error);
    return failed ? { error: failed.error! } : new Set(ids.filter((_, i) => decisions[i]!.allowed));
  };
  const started = performance.now();
  const clientBefore = search.clientMs?.() ?? 0;
  const granted = await allowedIds(candidates, search.checkBatch);
  if (!(granted instanceof Set)) return granted;
  // None in a resource search: `*` is no resource candidate.
  const byName = toCheckByName(granted);
  const grantedByName = await allowedIds(byName, search.checkBatchByName);
  if (!(grantedByName instanceof Set)) return grantedByName;
  const ids = resources ? [...granted] : listSubjects(granted, grantedByName);
  const totalMs = performance.now() - started;
  const clientMs = search.clientMs ? search.clientMs() - clientBefore : undefined;
  return {
    ids,
    method: `by candidate checks: one ${search.engine} check per ${type} the harness knows (${candidates.length}${byName.length ? `, and ${byName.length} again with the wildcard ignored` : ''}; ${search.engine} has no ${resources ? 'resource' : 'subject'} search)`,
    // Where the adapter meters its own work, the engine's time is the rest.
    ...(clientMs === undefined ? { engineMs: totalMs } : { engineMs: totalMs - clientMs, clientMs }),
  };
}
