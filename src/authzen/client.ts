// An AuthZEN Authorization API 1.0 client (the PEP side), shared by every engine reached
// over AuthZEN: the generic `authzen` engine and the `[authzen]` configurations of engines
// that serve it natively. Answers are checked as strictly as the harness checks any engine:
// a response without a boolean `decision`, or an `evaluations` array of the wrong length,
// is an error, never a deny.

import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import type { CheckRequest, Decision } from '../core/request.ts';
import type { SearchAnswer, SearchQuery } from '../core/search.ts';
import { errorMessage } from '../core/errors.ts';
import { exchange, type HttpExchange } from '../engines/http-exchange.ts';
import { AUTHZEN_PATHS, toWire, type PdpMetadata } from './wire.ts';

export interface AuthzenEndpoints {
  evaluation: string;
  /** Absent: the PDP has no batch endpoint; batches are sent one evaluation at a time. */
  evaluations?: string;
  /** Search endpoints the PDP advertises; absent: that search is unsupported. */
  search?: Partial<Record<SearchQuery['kind'], string>>;
}

/** Pages followed at most for one search, so that a PDP whose next_token never ends cannot hang a run. */
const MAX_SEARCH_PAGES = 1000;

export interface AuthzenClientOptions {
  /** Sent with every request (e.g. `authorization: Bearer ...`); never recorded. */
  headers?: Record<string, string>;
  /** Endpoint URLs; default the spec's paths under the base URL. */
  endpoints?: AuthzenEndpoints;
}

/** What the client observed of the PDP's conformance, for reports (e.g. X-Request-ID not echoed). */
export interface AuthzenObservations {
  requests: number;
  /** Answers whose X-Request-ID was not the one sent (the spec says MUST echo). */
  requestIdNotEchoed: number;
}

/** The spec's endpoints under a base URL (which may carry a path, e.g. OpenFGA's `/stores/<id>`). */
export function defaultEndpoints(baseUrl: string): AuthzenEndpoints {
  const base = baseUrl.replace(/\/$/, '');
  return { evaluation: `${base}${AUTHZEN_PATHS.evaluation}`, evaluations: `${base}${AUTHZEN_PATHS.evaluations}` };
}

/**
 * The PDP's metadata: GET the well-known document (inserted between host and path, RFC 8615)
 * and validate it (its `policy_decision_point` must be the identifier it was fetched for).
 */
export async function discover(pdp: string, headers: Record<string, string> = {}, metadataUrl?: string): Promise<PdpMetadata> {
  const id = new URL(pdp);
  const path = id.pathname === '/' ? '' : id.pathname.replace(/\/$/, '');
  // `metadataUrl`: for a PDP that publishes its document elsewhere than RFC 8615 puts it (a finding to report).
  const where = metadataUrl ?? `${id.origin}${AUTHZEN_PATHS.metadata}${path}`;
  const response = await fetch(where, { headers, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${where}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  let metadata: Partial<PdpMetadata>;
  try {
    metadata = JSON.parse(text) as Partial<PdpMetadata>;
  } catch {
    throw new Error(`GET ${where}: the metadata document is not JSON: ${text.slice(0, 300)}`);
  }
  if (typeof metadata.access_evaluation_endpoint !== 'string') throw new Error(`GET ${where}: the metadata document has no access_evaluation_endpoint (required)`);
  const expected = `${id.origin}${path}`;
  if (metadata.policy_decision_point?.replace(/\/$/, '') !== expected) {
    throw new Error(`GET ${where}: policy_decision_point is ${JSON.stringify(metadata.policy_decision_point)}, not ${expected} (the spec says its data must not be used)`);
  }
  return metadata as PdpMetadata;
}

export function endpointsFrom(metadata: PdpMetadata): AuthzenEndpoints {
  const search = {
    ...(metadata.search_subject_endpoint ? { subjects: metadata.search_subject_endpoint } : {}),
    ...(metadata.search_resource_endpoint ? { resources: metadata.search_resource_endpoint } : {}),
    ...(metadata.search_action_endpoint ? { actions: metadata.search_action_endpoint } : {}),
  };
  return {
    evaluation: metadata.access_evaluation_endpoint,
    ...(metadata.access_evaluations_endpoint ? { evaluations: metadata.access_evaluations_endpoint } : {}),
    ...(Object.keys(search).length > 0 ? { search } : {}),
  };
}

/** The body of a search request (Authorization API §8). */
function searchBody(query: SearchQuery): Record<string, unknown> {
  const context = query.context ? { context: query.context } : {};
  switch (query.kind) {
    case 'subjects':
      return { subject: { type: query.subjectType }, action: query.action, resource: query.resource, ...context };
    case 'resources':
      return { subject: query.subject, action: query.action, resource: { type: query.resourceType }, ...context };
    case 'actions':
      return { subject: query.subject, resource: query.resource, ...context };
  }
}

export class AuthzenClient {
  readonly endpoints: AuthzenEndpoints;
  private readonly headers: Record<string, string>;
  private readonly pools = new Map<string, Pool>();
  private readonly seen: AuthzenObservations = { requests: 0, requestIdNotEchoed: 0 };

  constructor(baseUrl: string, options: AuthzenClientOptions = {}) {
    this.endpoints = options.endpoints ?? defaultEndpoints(baseUrl);
    this.headers = { 'content-type': 'application/json', ...options.headers };
  }

  observations(): AuthzenObservations {
    return { ...this.seen };
  }

  /** POST /access/v1/evaluation. */
  async evaluate(request: CheckRequest): Promise<Decision> {
    try {
      const { requestId, answer } = await this.post(this.endpoints.evaluation, toWire(request));
      if (answer.status !== 200) return { allowed: false, decisionId: requestId, error: httpError(answer) };
      return decisionOf(parse(answer.text), requestId);
    } catch (error) {
      return { allowed: false, error: `AuthZEN evaluation: ${errorMessage(error)}` };
    }
  }

  /** POST /access/v1/evaluations (execute_all), each item complete; one evaluation at a time without that endpoint. */
  async evaluateMany(requests: CheckRequest[]): Promise<Decision[]> {
    if (requests.length === 0) return [];
    const endpoint = this.endpoints.evaluations;
    if (!endpoint) {
      const decisions: Decision[] = [];
      for (const request of requests) decisions.push(await this.evaluate(request));
      return decisions;
    }
    try {
      const { requestId, answer } = await this.post(endpoint, { evaluations: requests.map(toWire), options: { evaluations_semantic: 'execute_all' } });
      if (answer.status !== 200) return requests.map(() => ({ allowed: false, decisionId: requestId, error: httpError(answer) }));
      const body = parse(answer.text);
      const items = (body as { evaluations?: unknown }).evaluations;
      if (!Array.isArray(items) || items.length !== requests.length) {
        const error = `AuthZEN evaluations: expected an evaluations array of ${requests.length}, got ${answer.text.slice(0, 200)}`;
        return requests.map(() => ({ allowed: false, decisionId: requestId, error }));
      }
      return items.map((item, i) => decisionOf(item, `${requestId}/${i}`));
    } catch (error) {
      const message = `AuthZEN evaluations: ${errorMessage(error)}`;
      return requests.map(() => ({ allowed: false, error: message }));
    }
  }

  /**
   * One of the three searches, every page (`page.next_token` until empty). Results of another
   * type than asked, or without an id (a name for actions), make the answer an error.
   */
  async search(query: SearchQuery): Promise<SearchAnswer> {
    const endpoint = this.endpoints.search?.[query.kind];
    if (!endpoint) return { unsupported: `search: the PDP does not advertise a ${query.kind} search endpoint in its metadata` };
    const ids: string[] = [];
    let token = '';
    try {
      for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
        const { answer } = await this.post(endpoint, { ...searchBody(query), ...(token ? { page: { token } } : {}) });
        if (answer.status === 501) return { unsupported: `search: the PDP answered 501 (${answer.text.trim().slice(0, 200)})` };
        if (answer.status !== 200) return { error: httpError(answer) };
        const body = parse(answer.text) as { results?: unknown; page?: { next_token?: unknown } };
        if (!Array.isArray(body.results)) return { error: `AuthZEN search: no results array: ${answer.text.slice(0, 200)}` };
        for (const result of body.results as { type?: unknown; id?: unknown; name?: unknown }[]) {
          const id = query.kind === 'actions' ? result?.name : result?.id;
          const wrongType = query.kind !== 'actions' && result?.type !== (query.kind === 'subjects' ? query.subjectType : query.resourceType);
          if (typeof id !== 'string' || wrongType)
            return { error: `AuthZEN search: a result that is not a ${query.kind === 'actions' ? 'named action' : 'typed entity of the type asked'}: ${JSON.stringify(result)}` };
          ids.push(id);
        }
        token = typeof body.page?.next_token === 'string' ? body.page.next_token : '';
        if (!token) return { ids, method: `AuthZEN ${endpoint.slice(endpoint.lastIndexOf('/search'))}${page > 0 ? `, ${page + 1} pages` : ''}` };
      }
      return { ids, method: 'AuthZEN search', truncated: `stopped after ${MAX_SEARCH_PAGES} pages` };
    } catch (error) {
      return { error: `AuthZEN search: ${errorMessage(error)}` };
    }
  }

  private async post(url: string, body: unknown): Promise<{ requestId: string; answer: HttpExchange }> {
    const target = new URL(url);
    let pool = this.pools.get(target.origin);
    if (!pool) {
      pool = new Pool(target.origin, { connections: 64, pipelining: 1 });
      this.pools.set(target.origin, pool);
    }
    const requestId = randomUUID();
    const answer = await exchange(pool, { path: `${target.pathname}${target.search}`, method: 'POST', headers: { ...this.headers, 'x-request-id': requestId }, body: JSON.stringify(body) });
    this.seen.requests++;
    // The PDP's own id when it gives one instead of echoing ours (OpenFGA): that is the id its log knows.
    const echoed = answer.headers['x-request-id'];
    if (echoed === requestId) return { requestId, answer };
    this.seen.requestIdNotEchoed++;
    return { requestId: typeof echoed === 'string' && echoed ? echoed : requestId, answer };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`the answer is not JSON: ${text.slice(0, 200)}`);
  }
}

function httpError(answer: HttpExchange): string {
  return `AuthZEN: HTTP ${answer.status}: ${answer.text.trim().slice(0, 500)}`;
}

/** An Access Evaluation Response as a decision: `context.error` is an error, a Reason Object is the reason. */
function decisionOf(body: unknown, decisionId: string): Decision {
  const response = body as { decision?: unknown; context?: { error?: { status?: unknown; message?: unknown }; reason_admin?: Record<string, unknown>; reason?: unknown } } | null;
  if (typeof response?.decision !== 'boolean') return { allowed: false, decisionId, error: `AuthZEN: an answer without a boolean decision: ${JSON.stringify(body)?.slice(0, 200)}` };
  const error = response.context?.error;
  if (error && response.decision === false) {
    return {
      allowed: false,
      decisionId,
      error: `AuthZEN: ${error.status !== undefined ? `status ${String(error.status)}: ` : ''}${typeof error.message === 'string' ? error.message : JSON.stringify(error)}`,
    };
  }
  const admin = response.context?.reason_admin;
  const reason = admin ? Object.values(admin).find((v) => typeof v === 'string') : typeof response.context?.reason === 'string' ? response.context.reason : undefined;
  return { allowed: response.decision, decisionId, ...(typeof reason === 'string' ? { reason } : {}) };
}
