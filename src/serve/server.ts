// An AuthZEN Authorization API 1.0 PDP in front of any engine the harness drives: the
// HTTPS binding's endpoints (over plain HTTP on 127.0.0.1 only; put TLS in front to expose
// it), request validation field by field (src/authzen/validate.ts), the well-known metadata
// document, X-Request-ID echoed on every answer, and errors as the spec shapes them: the
// status code and a message string, never a stack. Search is served where the engine can
// search (its adapter's `search`); otherwise the search endpoints are not advertised in the
// metadata (which is how the spec says a PDP declares it cannot) and answer 501, as does a
// kind of search the engine cannot answer.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckRequest, Decision } from '../core/request.ts';
import type { SearchAnswer, SearchQuery } from '../core/search.ts';
import { errorMessage } from '../core/errors.ts';
import { withTimeout } from '../runner/timeout.ts';
import { BadRequest, parseEvaluation, parseEvaluations, parseSearch, type EvaluationsItem } from '../authzen/validate.ts';
import { AUTHZEN_PATHS, type EvaluationResponse, type EvaluationsSemantic, type PdpMetadata } from '../authzen/wire.ts';

/** What the PDP needs of an engine: an EngineAdapter is one. */
export interface Decider {
  check(request: CheckRequest): Promise<Decision>;
  checkBatch(requests: CheckRequest[]): Promise<Decision[]>;
  /** Absent: search is not served. */
  search?: (query: SearchQuery) => Promise<SearchAnswer>;
}

export interface AuthzenServerOptions {
  /** 0 (default): a free port. */
  port?: number;
  /** Deadline for one engine call; past it the request is a 500. */
  engineTimeoutMs?: number;
  /** Largest request body accepted. */
  maxBodyBytes?: number;
  /** One line per failed request (status and message). */
  log?: (message: string) => void;
  /** When set, the API endpoints need `Authorization: Bearer <token>` (401 otherwise); the metadata document stays public. */
  token?: string;
}

export interface AuthzenServer {
  /** `http://127.0.0.1:<port>`: the policy decision point identifier. */
  url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const SEARCH_KINDS: ReadonlyMap<string, SearchQuery['kind']> = new Map([
  [AUTHZEN_PATHS.searchSubject, 'subjects'],
  [AUTHZEN_PATHS.searchResource, 'resources'],
  [AUTHZEN_PATHS.searchAction, 'actions'],
]);

/** An HTTP error answer: the status and the message string the spec puts in the body. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The metadata document: only what this PDP serves is named (search where the engine can search). */
function pdpMetadata(url: string, search: boolean): PdpMetadata {
  return {
    policy_decision_point: url,
    access_evaluation_endpoint: `${url}${AUTHZEN_PATHS.evaluation}`,
    access_evaluations_endpoint: `${url}${AUTHZEN_PATHS.evaluations}`,
    ...(search
      ? {
          search_subject_endpoint: `${url}${AUTHZEN_PATHS.searchSubject}`,
          search_resource_endpoint: `${url}${AUTHZEN_PATHS.searchResource}`,
          search_action_endpoint: `${url}${AUTHZEN_PATHS.searchAction}`,
        }
      : {}),
  };
}

/** A search answer as the spec's paged response (every result in one page). */
function searchResponse(query: SearchQuery, answer: SearchAnswer): unknown {
  if ('unsupported' in answer) throw new HttpError(501, answer.unsupported);
  if ('error' in answer) throw new HttpError(500, `the engine could not search: ${answer.error}`);
  const results = answer.ids.map((id) => (query.kind === 'actions' ? { name: id } : { type: query.kind === 'subjects' ? query.subjectType : query.resourceType, id }));
  return { results, page: { next_token: '' } };
}

/** A decision as an Access Evaluation Response: the engine's reason and id as a Reason Object in `context`. */
function toResponse(decision: Decision): EvaluationResponse {
  if (decision.error) return { decision: false, context: { error: { status: 500, message: decision.error } } };
  if (!decision.reason) return { decision: decision.allowed };
  return { decision: decision.allowed, context: { id: decision.decisionId ?? '0', reason_admin: { en: decision.reason } } };
}

const itemError = (problem: string): EvaluationResponse => ({ decision: false, context: { error: { status: 400, message: problem } } });

export async function startAuthzenServer(engine: Decider, options: AuthzenServerOptions = {}): Promise<AuthzenServer> {
  const timeoutMs = options.engineTimeoutMs ?? 10_000;
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const ask = <T>(promise: Promise<T>) => withTimeout(promise, timeoutMs, 'the engine');
  let url = '';

  async function evaluate(body: unknown): Promise<EvaluationResponse> {
    const decision = await ask(engine.check(parseEvaluation(body)));
    // A single evaluation the engine could not decide is a failure of the whole request.
    if (decision.error) throw new HttpError(500, `the engine could not decide: ${decision.error}`);
    return toResponse(decision);
  }

  async function evaluateAll(body: unknown): Promise<EvaluationResponse | { evaluations: EvaluationResponse[] }> {
    const parsed = parseEvaluations(body);
    if (parsed.single) return evaluate(body);
    return { evaluations: await evaluateItems(parsed.items, parsed.semantic) };
  }

  /** execute_all: one batch call for the valid items; the short-circuit semantics: in order, stopping after the deciding item. */
  async function evaluateItems(items: EvaluationsItem[], semantic: EvaluationsSemantic): Promise<EvaluationResponse[]> {
    if (semantic === 'execute_all') {
      const valid = items.flatMap((item) => ('request' in item ? [item.request] : []));
      const decisions = valid.length > 0 ? await ask(engine.checkBatch(valid)) : [];
      let next = 0;
      return items.map((item) => ('request' in item ? toResponse(decisions[next++] ?? { allowed: false, error: 'the engine returned too few decisions' }) : itemError(item.problem)));
    }
    const stopOn = semantic === 'permit_on_first_permit';
    const out: EvaluationResponse[] = [];
    for (const item of items) {
      const response = 'request' in item ? toResponse(await ask(engine.check(item.request))) : itemError(item.problem);
      out.push(response);
      // An error is a deny (decisions default to closed), so it stops deny_on_first_deny.
      if (response.decision === stopOn) break;
    }
    return out;
  }

  async function route(request: IncomingMessage, pathname: string): Promise<unknown> {
    if (pathname === AUTHZEN_PATHS.metadata) {
      if (request.method !== 'GET') throw new HttpError(405, 'use GET for the metadata document', { allow: 'GET' });
      return pdpMetadata(url, !!engine.search);
    }
    const searchKind = SEARCH_KINDS.get(pathname);
    const known = pathname === AUTHZEN_PATHS.evaluation || pathname === AUTHZEN_PATHS.evaluations || searchKind !== undefined;
    if (!known) throw new HttpError(404, `no endpoint ${pathname}: this PDP serves ${AUTHZEN_PATHS.evaluation}, ${AUTHZEN_PATHS.evaluations} and ${AUTHZEN_PATHS.metadata}`);
    if (request.method !== 'POST') throw new HttpError(405, `use POST for ${pathname}`, { allow: 'POST' });
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      throw new HttpError(401, request.headers.authorization ? 'wrong bearer token' : 'missing Authorization: Bearer <token>', { 'www-authenticate': 'Bearer' });
    }
    if (searchKind && !engine.search) throw new HttpError(501, `${pathname}: search is not supported by this PDP (not advertised in ${AUTHZEN_PATHS.metadata})`);
    const body = await readJson(request, maxBody);
    if (searchKind) {
      const query = parseSearch(searchKind, body);
      return searchResponse(query, await ask(engine.search!(query)));
    }
    return pathname === AUTHZEN_PATHS.evaluation ? evaluate(body) : evaluateAll(body);
  }

  const server = createServer((request, response) => {
    const requestId = headerValue(request.headers['x-request-id']) ?? randomUUID();
    const pathname = (request.url ?? '/').split('?')[0]!;
    route(request, pathname).then(
      (result) => send(response, 200, requestId, JSON.stringify(result), 'application/json'),
      (error: unknown) => {
        const failure = error instanceof HttpError ? error : error instanceof BadRequest ? new HttpError(400, error.message) : new HttpError(500, `internal error: ${errorMessage(error)}`);
        options.log?.(`${request.method} ${pathname} ${failure.status}: ${failure.message}`);
        send(response, failure.status, requestId, failure.message, 'text/plain; charset=utf-8', failure.headers);
      },
    );
  });
  // Keep-alive connections must not hold close() up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.length > 0 ? first : undefined;
}

function send(response: ServerResponse, status: number, requestId: string, body: string, contentType: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, ...headers });
  response.end(body);
}

/** The body as JSON: 400 for another content type, an empty body or bad JSON; 413 past the limit. */
async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(400, `Content-Type must be application/json, got ${type ? JSON.stringify(type) : 'none'}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'request body: empty, expected a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `request body: not valid JSON (${errorMessage(error)})`);
  }
}
