// The reference engine's decision log (src/reference/decision-log.ts): a ring of the newest
// `capacity` checks, oldest first, formatted when read.

import { describe, expect, it } from 'vitest';
import { DecisionLog } from '../../src/reference/decision-log.ts';

const ask = (n: number) => ({ subject: { type: 'user', id: `u${n}` }, action: { name: 'view' }, resource: { type: 'doc', id: `d${n}` } });

describe('DecisionLog', () => {
  it('keeps the newest `capacity` entries, oldest first, with ids, texts and an ISO time; counts the dropped', () => {
    const log = new DecisionLog(3);
    for (let n = 1; n <= 5; n++) log.record(log.nextId(), ask(n), { allowed: n % 2 === 0, reason: `reason ${n}` });
    const entries = log.entries();
    expect(entries.map((e) => e.decisionId)).toEqual(['ref-3', 'ref-4', 'ref-5']);
    expect(entries[1]).toMatchObject({ subject: 'user:u4', action: 'view', resource: 'doc:d4', context: {}, allowed: true, reason: 'reason 4' });
    expect(new Date(entries[0]!.time!).toISOString()).toBe(entries[0]!.time);
    expect(log.dropped).toBe(2);
    log.clear();
    expect(log.entries()).toEqual([]);
    expect(log.dropped).toBe(0);
    log.record(log.nextId(), ask(6), { allowed: false, reason: 'after clear', error: 'the error wins' });
    expect(log.entries().map((e) => [e.decisionId, e.reason])).toEqual([['ref-6', 'the error wins']]);
  });
});
