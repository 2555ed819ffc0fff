// OpenFGA keeps no decision log. With `--log-format json` every API call writes one
// `grpc_req_complete` line with the raw request, the raw response and a request id (the
// same id the HTTP API returns as `X-Request-Id`). This reads those lines for a scenario's stores as
// DecisionLogEntry values: a request log, not a decision log. It has no reason (OpenFGA
// does not say which path granted), so `reason` is listed as missing in every entry.

import type { DecisionLogEntry } from '../../src/core/adapter.ts';

interface TupleKey {
  user?: string;
  relation?: string;
  object?: string;
}

interface LogLine {
  msg?: string;
  timestamp?: number;
  grpc_method?: string;
  request_id?: string;
  store_id?: string;
  raw_request?: {
    store_id?: string;
    tuple_key?: TupleKey;
    context?: Record<string, unknown> | null;
    checks?: { tuple_key?: TupleKey; context?: Record<string, unknown> | null; correlation_id?: string }[];
  } & AuthzenRequest & { evaluations?: AuthzenRequest[] };
  raw_response?: {
    allowed?: boolean;
    code?: string | number;
    message?: string;
    result?: Record<string, { allowed?: boolean; error?: { message?: string } }>;
    decision?: boolean;
    evaluations?: { decision?: boolean; context?: { error?: unknown } }[];
  };
}

/** An AuthZEN evaluation as OpenFGA logs it (configuration `authzen`). */
interface AuthzenRequest {
  subject?: { type?: string; id?: string };
  action?: { name?: string };
  resource?: { type?: string; id?: string };
  context?: Record<string, unknown> | null;
}

const ref = (entity: { type?: string; id?: string } | undefined) => (entity?.type && entity.id ? `${entity.type}:${entity.id}` : undefined);

/** An AuthZEN evaluation as a tuple key, items merged over the request's defaults. */
function authzenKey(item: AuthzenRequest, defaults: AuthzenRequest = {}): TupleKey {
  const user = ref(item.subject ?? defaults.subject);
  const relation = (item.action ?? defaults.action)?.name;
  const object = ref(item.resource ?? defaults.resource);
  return { ...(user ? { user } : {}), ...(relation ? { relation } : {}), ...(object ? { object } : {}) };
}

function entry(
  key: TupleKey | undefined,
  context: Record<string, unknown> | null | undefined,
  decisionId: string | undefined,
  time: string | undefined,
  allowed: boolean | undefined,
): DecisionLogEntry {
  const out: DecisionLogEntry = {
    ...(decisionId ? { decisionId } : {}),
    ...(time ? { time } : {}),
    ...(key?.user ? { subject: key.user } : {}),
    ...(key?.relation ? { action: key.relation } : {}),
    ...(key?.object ? { resource: key.object } : {}),
    ...(context && Object.keys(context).length > 0 ? { context } : {}),
    ...(allowed !== undefined ? { allowed } : {}),
  };
  const missing = ['reason'];
  if (allowed === undefined) missing.push('allowed');
  out.missing = missing;
  return out;
}

/** Check, BatchCheck and AuthZEN Evaluation(s) entries of the given stores (a scenario's; several with store per tenant) in a chunk of OpenFGA's JSON log. */
export function parseRequestLog(text: string, storeIds: ReadonlySet<string>): DecisionLogEntry[] {
  const entries: DecisionLogEntry[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.includes('grpc_req_complete')) continue;
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      continue; // a line still being written
    }
    if (line.msg !== 'grpc_req_complete') continue;
    const storeId = line.store_id ?? line.raw_request?.store_id;
    if (storeId === undefined || !storeIds.has(storeId)) continue;
    const time = typeof line.timestamp === 'number' ? new Date(line.timestamp * 1000).toISOString() : undefined;
    const request = line.raw_request ?? {};
    const response = line.raw_response ?? {};
    if (line.grpc_method === 'Check') {
      const allowed = typeof response.allowed === 'boolean' ? response.allowed : response.code === undefined ? false : undefined;
      entries.push(entry(request.tuple_key, request.context, line.request_id, time, allowed));
    } else if (line.grpc_method === 'BatchCheck') {
      for (const check of request.checks ?? []) {
        const result = check.correlation_id ? response.result?.[check.correlation_id] : undefined;
        const allowed = result ? (result.error ? undefined : result.allowed === true) : undefined;
        entries.push(entry(check.tuple_key, check.context, check.correlation_id, time, allowed));
      }
    } else if (line.grpc_method === 'Evaluation') {
      entries.push(entry(authzenKey(request), request.context, line.request_id, time, typeof response.decision === 'boolean' ? response.decision : undefined));
    } else if (line.grpc_method === 'Evaluations') {
      // Item ids as the AuthZEN client gives them: `<request id>/<index>`.
      (request.evaluations ?? []).forEach((item, i) => {
        const answer = response.evaluations?.[i];
        const allowed = answer && !answer.context?.error && typeof answer.decision === 'boolean' ? answer.decision : undefined;
        entries.push(entry(authzenKey(item, request), item.context ?? request.context, line.request_id ? `${line.request_id}/${i}` : undefined, time, allowed));
      });
    }
  }
  return entries;
}
