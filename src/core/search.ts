// Search: "what may this agent reach?" The three AuthZEN 1.0 searches (Authorization API §8),
// as the harness asks them of an engine and as the engine answers.

import type { Action, Properties, Resource, Subject } from './request.ts';

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
