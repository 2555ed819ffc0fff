// Loading a large dataset into an engine within a budget: the engine's bulk path where its
// adapter has one (adapter.bulkLoad: OPA's whole data document), else its `write` in chunks,
// several in flight for a server engine (OpenFGA's Write takes 100 tuples a request: each
// chunk is 10 such requests, so 4 chunks keep 4 requests in flight). An engine that cannot
// load within the time or memory budget is a result ("did not load: why"), not an abort.

import type { EngineAdapter } from '../core/adapter.ts';
import { DeadlineExceededError } from '../core/deadline.ts';
import type { Relationship } from '../core/relationship.ts';
import type { Model } from '../model/types.ts';
import { loadScenario } from '../runner/load-scenario.ts';

export interface LoadBudget {
  /** Wall time for the model and every relationship. */
  timeMs: number;
  /** The engine's own memory (server RSS; for embedded engines the fresh process's heap limit). */
  memoryMiB: number;
}

/** Relationships per write call, and write calls in flight for a server engine (in-process engines: one). */
export const WRITE_CHUNK = 1000;
export const SERVER_WRITES_IN_FLIGHT = 4;

export type LoadOutcome = { loaded: true; setupMs: number } | { loaded: false; reason: string };

const budgetTime = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);
export const describeBudget = (budget: LoadBudget) => `${budgetTime(budget.timeMs)}, ${budget.memoryMiB} MiB`;
export const overTimeBudget = (budget: LoadBudget) => `not within the time budget of ${budgetTime(budget.timeMs)}`;

class OverBudget extends Error {}

/** Loads `model` and `relationships` into a fresh store; the time from the model load to the last write is the setup time. */
export async function loadWithinBudget(adapter: EngineAdapter, model: Model, relationships: Relationship[], budget: LoadBudget): Promise<LoadOutcome> {
  const started = performance.now();
  const deadline = started + budget.timeMs;
  let written = 0;
  // How far it got tells a slow engine (a little short) from one whose load grows faster than linearly (far short).
  const progress = () =>
    adapter.bulkLoad ? 'its one bulk call had not returned' : `${written.toLocaleString('en-US')} of ${relationships.length.toLocaleString('en-US')} relationships written`;
  const overTime = () => new OverBudget(`${overTimeBudget(budget)} (${progress()})`);
  let timer: NodeJS.Timeout | undefined;
  // A bulk call cannot be interrupted: race it against the budget (the engine is abandoned for this size).
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(overTime()), budget.timeMs);
  });
  const checkBudget = async () => {
    if (performance.now() > deadline) throw overTime();
    if (adapter.embedded) return;
    const rss = await adapter.memoryBytes();
    if (rss !== undefined && rss / 2 ** 20 > budget.memoryMiB)
      throw new OverBudget(`server memory ${Math.round(rss / 2 ** 20)} MiB over the budget of ${budget.memoryMiB} MiB (${progress()})`);
  };
  const writeInChunks = async (all: Relationship[]) => {
    const chunks: Relationship[][] = [];
    for (let i = 0; i < all.length; i += WRITE_CHUNK) chunks.push(all.slice(i, i + WRITE_CHUNK));
    let next = 0;
    // Each writer claims its chunk before it awaits anything: a check of `next` followed by an
    // await let several writers past the last chunk (write(undefined): "not iterable").
    const writer = async () => {
      for (let chunk = next++; chunk < chunks.length; chunk = next++) {
        await checkBudget();
        await adapter.write(chunks[chunk]!);
        written += chunks[chunk]!.length;
      }
    };
    await Promise.all(Array.from({ length: adapter.embedded ? 1 : SERVER_WRITES_IN_FLIGHT }, writer));
  };
  const writeRelationships = adapter.bulkLoad ? (all: Relationship[]) => adapter.bulkLoad!(all) : writeInChunks;
  // Settled as everywhere (an engine that applies changes asynchronously serves them before the setup counts as done); each call's deadline is the budget.
  const load = loadScenario(adapter, { model, relationships, native: {} }, { deadlineMs: budget.timeMs, writeRelationships });
  try {
    await Promise.race([load, timeout]);
    await checkBudget();
    return { loaded: true, setupMs: performance.now() - started };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // A call past its deadline is past the budget: an embedded engine stops itself at the deadline before the timer above fires.
    if (error instanceof DeadlineExceededError) return { loaded: false, reason: overTime().message };
    return { loaded: false, reason: error instanceof OverBudget ? why : `failed: ${why} (${progress()})` };
  } finally {
    clearTimeout(timer);
  }
}
