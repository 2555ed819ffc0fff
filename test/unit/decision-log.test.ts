// The reference engine's decision log (src/reference/decision-log.ts): a ring of the newest
// `capacity` checks, oldest first, formatted when read.

import { describe, expect, it } from 'vitest';
import { DecisionLog } from '../../src/reference/decision-log.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { foldersYaml, model as parseModel, rel, req } from '../helpers/model.ts';

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

describe('DecisionLog of the reference engine', () => {
  const MODEL = parseModel(foldersYaml({}), 'm.yaml');

  it("keeps each outcome's chain as numbers and rebuilds its reason when read, also after the ring wrapped", () => {
    const e = new ReferenceEngine(MODEL, { logCapacity: 4 });
    // Chains of 1 to 4 links, and denies, so the rings wrap at different places.
    e.write(['folder:a#viewer@user:u0', 'folder:b#parent@folder:a', 'folder:c#parent@folder:b', 'folder:d#parent@folder:c'].map((t) => rel(t)));
    const reasons: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const folder of ['a', 'b', 'c', 'd']) {
        const decision = e.check(req(round % 2 ? 'user:u0' : 'user:nobody', 'view', `folder:${folder}`));
        reasons.push(decision.reason!);
      }
    }
    const entries = e.decisionLog();
    expect(entries.map((entry) => entry.reason)).toEqual(reasons.slice(-4));
    expect(entries.map((entry) => entry.allowed)).toEqual([false, false, false, false]);
    e.check(req('user:u0', 'view', 'folder:d'));
    const last = e.decisionLog().at(-1)!;
    expect(last.reason).toBe('folder:d#view granted by folder:d#parent@folder:c -> folder:c#parent@folder:b -> folder:b#parent@folder:a -> folder:a#viewer@user:u0');
    expect(e.log.dropped).toBe(17);
  });

  it('keeps an error whole, and an explanation says so once the store was reset', () => {
    const e = new ReferenceEngine(MODEL);
    e.write([rel('folder:a#viewer@user:u0')]);
    e.check(req('user:u0', 'view', 'folder:a'));
    e.check(req('user:u0', 'nope', 'folder:a'));
    const [granted, failed] = e.decisionLog();
    expect(granted!.reason).toBe('folder:a#view granted by folder:a#viewer@user:u0');
    expect(failed!.reason).toMatch(/'nope' is not a relation or permission/);
    e.store.clear();
    expect(e.decisionLog()[0]!.reason).toMatch(/the grant chain is gone/);
  });
});

describe('DecisionLog at a benchmark capacity', () => {
  it('grows its rings up to its capacity, then wraps: the newest entries, in order, with their chains', () => {
    const e = new ReferenceEngine(parseModel(foldersYaml({}), 'm.yaml'), { logCapacity: 1000 });
    e.write(['folder:a#viewer@user:u0', 'folder:b#parent@folder:a'].map((t) => rel(t)));
    for (let n = 0; n < 2500; n++) e.check(req(n % 3 ? 'user:u0' : `user:x${n}`, 'view', n % 2 ? 'folder:b' : 'folder:a'));
    const entries = e.decisionLog();
    expect(entries).toHaveLength(1000);
    expect(entries[0]!.decisionId).toBe('ref-1501');
    expect(entries.at(-1)!.decisionId).toBe('ref-2500');
    const reason = (id: string) => entries.find((entry) => entry.decisionId === id)!.reason;
    // n = 2498 (ref-2499): u0 on folder:a; n = 2497: u0 on folder:b, through its parent; n = 2499: x2499, denied.
    expect(reason('ref-2499')).toBe('folder:a#view granted by folder:a#viewer@user:u0');
    expect(reason('ref-2498')).toBe('folder:b#view granted by folder:b#parent@folder:a -> folder:a#viewer@user:u0');
    expect(reason('ref-2500')).toBe('no relationship grants user:x2499 folder:b#view');
    expect(e.log.dropped).toBe(1500);
  });
});
