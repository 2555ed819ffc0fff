// Configuration `openfga[authzen]`: the same OpenFGA server, store, model and tuples (written
// through the native API), but checks and batches through OpenFGA's experimental AuthZEN
// endpoints (`--experimentals=authzen`; `/stores/<id>/access/v1/evaluation(s)`, endpoints
// from the store's metadata document). OpenFGA reads the relation from `action.name`, the
// user from `subject`, the object from `resource`, and merges properties into the check's
// context as `subject_<key>`, `resource_<key>`, `action_<key>`; the condition parameters the
// translation declares (`subject`, `resource`, `context` maps) travel in the AuthZEN
// `context`, where OpenFGA passes them to the check as the native API would.

import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import type { SearchAnswer, SearchQuery } from '../../src/core/search.ts';
import { AuthzenClient, discover, endpointsFrom } from '../../src/authzen/client.ts';
import { denyReason } from './adapter.ts';
import { toCheck } from './translate.ts';

/**
 * OpenFGA 1.22.1's AuthZEN API refuses subject and resource ids with `:`, `#`, `@` or white
 * space (`^[^:#@\\s]{1,256}$`), which its native API accepts in object ids (the Todo suite's
 * users-as-resources are e-mail addresses): a finding (README). This configuration
 * percent-encodes those characters (and `%`) in ids, the same way in the tuples it writes
 * and in the requests it sends, so the decisions are those of the same data.
 */
export function encodeId(id: string): string {
  return id.replace(/[%:#@\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A relationship with its object and subject ids encoded (a wildcard `*` stays as it is). */
export function encodeRelationship(r: Relationship): Relationship {
  return { ...r, resource: { ...r.resource, id: encodeId(r.resource.id) }, subject: { ...r.subject, id: r.subject.id === '*' ? '*' : encodeId(r.subject.id) } };
}

export function decodeId(id: string): string {
  return id.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** A search asked natively (ListObjects, ListUsers) of data whose ids are encoded: ids encoded in the query. */
export function encodeSearch(query: SearchQuery): SearchQuery {
  const enc = <T extends { id: string }>(e: T): T => ({ ...e, id: encodeId(e.id) });
  switch (query.kind) {
    case 'resources':
      return { ...query, subject: enc(query.subject) };
    case 'subjects':
      return { ...query, resource: enc(query.resource) };
    case 'actions':
      // Asked through checkBatch, which encodes ids itself.
      return query;
  }
}

/** ...and ids decoded in the answer (action names are not ids). */
export function decodeSearchAnswer(query: SearchQuery, answer: SearchAnswer): SearchAnswer {
  if (!('ids' in answer) || query.kind === 'actions') return answer;
  return { ...answer, ids: answer.ids.map((id) => (id === '*' ? id : decodeId(id))) };
}

/** The AuthZEN request for a check: ids encoded, its context as the native check's context. */
export function toAuthzenRequest(request: CheckRequest, requestParams: ReadonlySet<string>): CheckRequest {
  const { context } = toCheck(request, requestParams);
  return {
    subject: { ...request.subject, id: encodeId(request.subject.id) },
    action: request.action,
    resource: { ...request.resource, id: encodeId(request.resource.id) },
    ...(context ? { context } : {}),
  };
}

/** OpenFGA's "not in the model" and "missing parameters" answers are denies here as in the native adapter. */
function normalise(decision: Decision): Decision {
  const reason = decision.error ? denyReason(decision.error) : undefined;
  if (!reason) return decision;
  return { allowed: false, reason, ...(decision.decisionId ? { decisionId: decision.decisionId } : {}) };
}

/**
 * Where OpenFGA 1.22.1 publishes a store's metadata document. Its PDP identifier is
 * `<server>/stores/<id>`, for which RFC 8615 and the spec put the document at
 * `/.well-known/authzen-configuration/stores/<id>` (404 on OpenFGA): a finding (README).
 */
export const storeMetadataUrl = (serverUrl: string, storeId: string) => `${serverUrl}/.well-known/authzen-configuration/${storeId}`;

/** A client for one store's AuthZEN endpoints, found through the store's metadata document. */
export async function storeClient(serverUrl: string, storeId: string, headers: Record<string, string>): Promise<AuthzenClient> {
  const pdp = `${serverUrl}/stores/${storeId}`;
  return new AuthzenClient(pdp, { headers, endpoints: endpointsFrom(await discover(pdp, headers, storeMetadataUrl(serverUrl, storeId))) });
}

export async function checkOverAuthzen(client: AuthzenClient, request: CheckRequest, requestParams: ReadonlySet<string>): Promise<Decision> {
  return normalise(await client.evaluate(toAuthzenRequest(request, requestParams)));
}

export async function batchOverAuthzen(client: AuthzenClient, requests: CheckRequest[], requestParams: ReadonlySet<string>): Promise<Decision[]> {
  return (await client.evaluateMany(requests.map((r) => toAuthzenRequest(r, requestParams)))).map(normalise);
}
