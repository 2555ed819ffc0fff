// SpiceDB keeps no decision log. Its server can log every API request and response
// (`--grpc-log-requests-enabled --grpc-log-responses-enabled`, JSON lines "request received"
// and "response sent", joined by `requestID`); like OpenFGA's, that is a request log, not a
// decision log, and is labelled so. This reads the CheckPermission and CheckBulkPermissions
// pairs of it: one entry per check (bulk items get `<requestID>/<index>`), with names and ids
// mapped back to the neutral model's, and no reason (SpiceDB logs none).

import type { DecisionLogEntry } from '../../src/core/adapter.ts';
import { decodeId } from './names.ts';
import type { SchemaNames } from './translate.ts';

interface LoggedObject {
  object_type?: string;
  object_id?: string;
}

interface LoggedCheck {
  resource?: LoggedObject;
  permission?: string;
  subject?: { object?: LoggedObject; optional_relation?: string };
  context?: unknown;
}

interface LoggedItem {
  permissionship?: number | string;
}

interface LogLine {
  message?: string;
  requestID?: string;
  time?: string;
  'grpc.method'?: string;
  'grpc.request.content'?: LoggedCheck & { items?: LoggedCheck[] };
  // Go's encoding/json writes the oneof as `Response: {Item: ...}` (protojson would write `item`): both are read.
  'grpc.response.content'?: { permissionship?: number | string; pairs?: Array<{ item?: LoggedItem; Response?: { Item?: LoggedItem; Error?: unknown } }> };
}

const HAS_PERMISSION = new Set<unknown>([2, 'PERMISSIONSHIP_HAS_PERMISSION']);
const DECIDED = new Set<unknown>([1, 2, 'PERMISSIONSHIP_NO_PERMISSION', 'PERMISSIONSHIP_HAS_PERMISSION']);

/** google.protobuf.Struct as Go's encoding/json writes it (`{fields: {k: {Kind: {StringValue: ...}}}}`), or plain JSON, as plain JSON. */
export function structValue(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if ('fields' in v && v.fields && typeof v.fields === 'object') return Object.fromEntries(Object.entries(v.fields as Record<string, unknown>).map(([k, f]) => [k, structValue(f)]));
  if ('Kind' in v) {
    const kind = v.Kind as Record<string, unknown> | null;
    if (!kind) return null;
    const [name, inner] = Object.entries(kind)[0] ?? [];
    if (name === 'StructValue') return structValue(inner);
    if (name === 'ListValue') return ((inner as { values?: unknown[] })?.values ?? []).map(structValue);
    if (name === 'NullValue') return null;
    return inner;
  }
  return value;
}

function entry(check: LoggedCheck, id: string, time: string | undefined, permissionship: unknown, names: SchemaNames): DecisionLogEntry {
  const resourceType = names.definitions.neutral(check.resource?.object_type ?? '');
  const subjectType = names.definitions.neutral(check.subject?.object?.object_type ?? '');
  const out: DecisionLogEntry = {
    decisionId: id,
    subject: `${subjectType}:${decodeId(check.subject?.object?.object_id ?? '')}`,
    action: names.neutralMember(resourceType, check.permission ?? ''),
    resource: `${resourceType}:${decodeId(check.resource?.object_id ?? '')}`,
    ...(time ? { time } : {}),
  };
  const context = structValue(check.context);
  if (context && typeof context === 'object' && Object.keys(context).length > 0) out.context = context as Record<string, unknown>;
  const missing = ['reason'];
  if (DECIDED.has(permissionship)) out.allowed = HAS_PERMISSION.has(permissionship);
  else missing.push('allowed');
  out.missing = missing;
  return out;
}

function bulkItem(pair: { item?: LoggedItem; Response?: { Item?: LoggedItem } } | undefined): LoggedItem | undefined {
  return pair?.item ?? pair?.Response?.Item;
}

/** The checks in SpiceDB's JSON request log text (a partial last line is skipped). */
export function parseRequestLog(text: string, names: SchemaNames): DecisionLogEntry[] {
  const requests = new Map<string, LogLine>();
  const entries: DecisionLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    const method = parsed['grpc.method'];
    if ((method !== 'CheckPermission' && method !== 'CheckBulkPermissions') || !parsed.requestID) continue;
    if (parsed.message === 'request received') {
      requests.set(parsed.requestID, parsed);
      continue;
    }
    if (parsed.message !== 'response sent') continue;
    const request = requests.get(parsed.requestID)?.['grpc.request.content'];
    requests.delete(parsed.requestID);
    if (!request) continue;
    const response = parsed['grpc.response.content'];
    if (method === 'CheckPermission') entries.push(entry(request, parsed.requestID, parsed.time, response?.permissionship, names));
    else (request.items ?? []).forEach((item, i) => entries.push(entry(item, `${parsed.requestID}/${i}`, parsed.time, bulkItem(response?.pairs?.[i])?.permissionship, names)));
  }
  return entries;
}
