// `$now`, `$now+30m`, `$now-1h` in contexts and condition parameters: resolved by the
// harness when a request is sent, identically for every engine.

import type { Relationship } from '../core/relationship.ts';
import type { CheckRequest } from '../core/request.ts';

const NOW = /^\$now(?:([+-])(\d+(?:ms|s|m|h|d)))?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function offsetMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)!;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function resolveNow<T>(value: T, now: number): T {
  if (typeof value === 'string') {
    const m = NOW.exec(value);
    if (!m) return value;
    const delta = m[2] ? offsetMs(m[2]) * (m[1] === '-' ? -1 : 1) : 0;
    return new Date(now + delta).toISOString() as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveNow(v, now)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveNow(v, now)])) as T;
  }
  return value;
}

export function hasNow(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes('"$now');
}

export function resolveRequest(request: CheckRequest, now = Date.now()): CheckRequest {
  return request.context && hasNow(request.context) ? { ...request, context: resolveNow(request.context, now) } : request;
}

export function resolveRelationships(relationships: Relationship[], now = Date.now()): Relationship[] {
  return relationships.map((r) => (r.condition?.parameters && hasNow(r.condition.parameters) ? resolveNow(r, now) : r));
}
