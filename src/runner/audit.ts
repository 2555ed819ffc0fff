// Audit completeness: matches the checks the harness made with the entries of the
// engine's own log, and counts what is missing. The harness's own record of its checks
// is the yardstick, never a substitute for the engine's log.

import type { DecisionLogEntry } from '../core/adapter.ts';
import type { CheckRequest } from '../core/request.ts';
import type { AuditFigures } from '../results/types.ts';
import type { LogField } from '../scenario/types.ts';

export interface SentCheck {
  request: CheckRequest;
  allowed: boolean;
  decisionId?: string | undefined;
  sentAt: number;
}

const key = (subject: string, action: string, resource: string) => `${subject} ${action} ${resource}`;

export function measureAudit(sent: SentCheck[], entries: DecisionLogEntry[], fields: LogField[], logKind: string): AuditFigures {
  const byId = new Map<string, DecisionLogEntry>();
  const byKey = new Map<string, DecisionLogEntry[]>();
  for (const entry of entries) {
    if (entry.decisionId) byId.set(entry.decisionId, entry);
    const k = key(entry.subject ?? '', entry.action ?? '', entry.resource ?? '');
    byKey.set(k, [...(byKey.get(k) ?? []), entry]);
  }
  const used = new Set<DecisionLogEntry>();
  const missingFields: Record<string, number> = {};
  let found = 0;
  for (const check of sent) {
    const { subject, action, resource } = check.request;
    const k = key(`${subject.type}:${subject.id}`, action.name, `${resource.type}:${resource.id}`);
    let entry = check.decisionId ? byId.get(check.decisionId) : undefined;
    if (entry && used.has(entry)) entry = undefined;
    entry ??= (byKey.get(k) ?? []).find((e) => !used.has(e));
    if (!entry) continue;
    used.add(entry);
    found++;
    for (const field of fields) {
      if (!fieldPresent(field, entry, check)) missingFields[field] = (missingFields[field] ?? 0) + 1;
    }
  }
  return { logKind, checks: sent.length, found, share: sent.length === 0 ? 1 : found / sent.length, missingFields };
}

function fieldPresent(field: LogField, entry: DecisionLogEntry, check: SentCheck): boolean {
  const { subject, action, resource, context } = check.request;
  switch (field) {
    case 'subject':
      return entry.subject === `${subject.type}:${subject.id}`;
    case 'action':
      return entry.action === action.name;
    case 'resource':
      return entry.resource === `${resource.type}:${resource.id}`;
    case 'context':
      return !context || Object.keys(context).length === 0 || (!!entry.context && Object.keys(entry.context).length > 0);
    case 'allowed':
      return entry.allowed === check.allowed;
    case 'reason':
      return !!entry.reason;
  }
}

export function auditComplete(figures: AuditFigures): boolean {
  return figures.found === figures.checks && Object.keys(figures.missingFields).length === 0;
}
