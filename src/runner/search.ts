// A search step on an engine: the engine's answer against the complete expected list.
// Missing and extra ids are failures, listed; an answer the engine marks as cut by a limit
// or deadline is "truncated: n of m", never a pass; an engine without search is unsupported.

import type { EngineAdapter } from '../core/adapter.ts';
import { errorMessage } from '../core/errors.ts';
import { describeSearch, type SearchAnswer } from '../core/search.ts';
import type { CaseResult } from '../results/types.ts';
import type { SearchStep } from '../scenario/types.ts';

type Verdict = Pick<CaseResult, 'status' | 'request' | 'expected' | 'actual' | 'message'>;

/** A sorted id list as text, the first `MAX_LISTED` ids and a count of the rest (a search may expect 10^5 ids). */
const MAX_LISTED = 50;
const list = (ids: readonly string[]) => {
  const sorted = [...ids].sort();
  return sorted.length <= MAX_LISTED ? `[${sorted.join(', ')}]` : `[${sorted.slice(0, MAX_LISTED).join(', ')}, … and ${sorted.length - MAX_LISTED} more]`;
};

export function judgeSearch(step: SearchStep, answer: SearchAnswer): Verdict {
  const base = { request: `search ${describeSearch(step.query)}`, expected: list(step.expect) };
  if ('unsupported' in answer) return { ...base, status: 'unsupported', message: answer.unsupported };
  if ('error' in answer) return { ...base, status: 'error', actual: 'error', message: answer.error };
  const got = new Set(answer.ids);
  const want = new Set(step.expect);
  const missing = step.expect.filter((id) => !got.has(id));
  const extra = [...got].filter((id) => !want.has(id));
  const problems = [
    ...(answer.truncated ? [`truncated: ${got.size - extra.length} of ${want.size} (${answer.truncated})`] : []),
    ...(missing.length ? [`missing ${missing.length}: ${list(missing.slice(0, 20))}${missing.length > 20 ? ' …' : ''}`] : []),
    ...(extra.length ? [`extra ${extra.length}: ${list(extra.slice(0, 20))}${extra.length > 20 ? ' …' : ''}`] : []),
  ];
  const actual = list([...got]);
  const status = problems.length === 0 ? 'pass' : 'fail';
  const cost = [
    ...(answer.engineMs !== undefined ? [`engine ${answer.engineMs.toFixed(1)} ms`] : []),
    ...(answer.clientMs !== undefined ? [`client-side ${answer.clientMs.toFixed(1)} ms`] : []),
  ];
  return { ...base, status, actual, message: [answer.method, ...cost, ...problems].join('; ') };
}

export async function runSearch(step: SearchStep, adapter: EngineAdapter, call: <T>(start: () => Promise<T>, what: string) => Promise<T>): Promise<Verdict> {
  if (!adapter.search) return judgeSearch(step, { unsupported: "search: this adapter does not call the engine's search yet" });
  try {
    return judgeSearch(step, await call(() => adapter.search!(step.query), 'search'));
  } catch (error) {
    return judgeSearch(step, { error: errorMessage(error) });
  }
}
