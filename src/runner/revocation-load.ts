// The background of a revocation under load: an open loop (src/load/open-loop.ts, latency from
// the intended send time) checking the revoked request and its neighbours at a fixed rate, and
// writers applying unrelated writes, both running from a warm-up before the revocation until
// the timeline ends (at least `windowMs` after the revocation, so the load's p99 has samples).
// Without a rate, a short closed loop first measures the maximum and the load runs at
// DEFAULT_LOAD_SHARE of it: a level the engine sustains with room to spare.

import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineAdapter } from '../core/adapter.ts';
import type { Relationship } from '../core/relationship.ts';
import type { CheckRequest } from '../core/request.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import type { CheckFn } from '../load/types.ts';
import type { Model } from '../model/types.ts';
import type { RevocationLoadFigures } from '../results/types.ts';
import type { RevocationLoad } from '../scenario/types.ts';
import { resolveRequest } from './now.ts';

/** Share of the measured maximum the default background rate runs at (under half, so the engine keeps headroom and the revocation is measured under load, not at saturation). */
export const DEFAULT_LOAD_SHARE = 0.4;
/**
 * Ceiling of the default rate: the harness's own open loop paces with a timer per check and,
 * on a shared 2-core machine, falls behind its schedule well before an in-process engine's
 * closed-loop maximum (measured: 28,000/s asked of the reference engine gave a p99 of 380 ms,
 * the pacing's, not the engine's).
 */
export const DEFAULT_RATE_CEILING = 5000;
/** The closed loop that measures the maximum: short, it only sets the level. */
const MAX_PROBE = { durationMs: 400, warmupMs: 100 };

type Call = <T>(start: () => Promise<T>, what: string) => Promise<T>;

export interface RunningLoad {
  /** Ends the load (not before `windowMs` after `revokedAt`) and gives its figures. */
  stop(revokedAt: number): Promise<RevocationLoadFigures>;
}

/**
 * A tuple no check reads, for the writers: a fresh id of the checked resource's type on a
 * relation that takes a plain subject. Undefined when the model has no such relation.
 */
export function unrelatedTuple(model: Model, near: CheckRequest, n: number): Relationship | undefined {
  const types = [model.types.get(near.resource.type), ...model.types.values()].filter((t) => t !== undefined);
  for (const type of types) {
    for (const relation of type.relations.values()) {
      const plain = relation.allowed.find((a) => !a.relation && !a.wildcard && !a.condition);
      if (plain) return { resource: { type: type.name, id: `load-write-${n}` }, relation: relation.name, subject: { type: plain.type, id: 'load-writer' } };
    }
  }
  return undefined;
}

/** Starts the background checks and writes; resolves once they run (after the maximum probe, where one runs). */
export async function startBackgroundLoad(adapter: EngineAdapter, requests: CheckRequest[], model: Model, load: RevocationLoad, call: Call): Promise<RunningLoad> {
  const check: CheckFn = (i) => call(() => adapter.check(resolveRequest(requests[i % requests.length]!)), 'check').then((d) => !d.error);
  let measuredMax: number | undefined;
  if (load.rate === undefined) measuredMax = (await runClosedLoop(check, { concurrency: load.connections, ...MAX_PROBE })).throughput;
  const share = Math.max(1, Math.round((measuredMax ?? 0) * DEFAULT_LOAD_SHARE));
  const targetRate = load.rate ?? Math.min(share, DEFAULT_RATE_CEILING);
  const probe = `${Math.round(measuredMax ?? 0)}/s measured by a ${MAX_PROBE.durationMs} ms closed loop over ${load.connections} connections`;
  const rateSource =
    load.rate !== undefined
      ? 'set in the scenario'
      : share > DEFAULT_RATE_CEILING
        ? `the ceiling ${DEFAULT_RATE_CEILING}/s (${DEFAULT_LOAD_SHARE * 100}% of ${probe} is more)`
        : `${DEFAULT_LOAD_SHARE * 100}% of ${probe}`;

  const abort = new AbortController();
  // The open loop's window opens after the warm-up, when the revocation is applied; it ends on abort.
  const checks = runOpenLoop(check, { rate: targetRate, connections: load.connections, warmupMs: load.warmupMs, durationMs: 600_000, signal: abort.signal });
  const writes = { done: 0, errors: 0 };
  const tuple = unrelatedTuple(model, requests[0]!, 0);
  const writer = async (w: number) => {
    if (!tuple || load.writeRate <= 0) return;
    const interval = (1000 * load.writers) / load.writeRate;
    // Each writer writes its own tuple, then deletes it: the store's size stays the same.
    const own = { ...tuple, resource: { ...tuple.resource, id: `load-write-${w}` } };
    for (let n = 0; !abort.signal.aborted; n++) {
      const next = performance.now() + interval;
      await call(() => (n % 2 === 0 ? adapter.write([own]) : adapter.delete([own])), 'write').then(
        () => writes.done++,
        () => writes.errors++,
      );
      await sleep(Math.max(0, next - performance.now()));
    }
  };
  const writers = Promise.all(Array.from({ length: load.writers }, (_, w) => writer(w)));
  await sleep(load.warmupMs);

  return {
    async stop(revokedAt) {
      await sleep(Math.max(0, revokedAt + load.windowMs - performance.now()));
      abort.abort();
      const [trial] = await Promise.all([checks, writers]);
      return {
        targetRate,
        rateSource,
        ...(measuredMax !== undefined ? { measuredMax } : {}),
        connections: load.connections,
        throughput: trial.throughput,
        p50Ms: trial.latency.p50,
        p99Ms: trial.latency.p99,
        maxMs: trial.latency.max,
        checks: trial.latency.count,
        errors: trial.errors,
        writes: writes.done,
        writeRate: tuple ? load.writeRate : 0,
        writeErrors: writes.errors,
      };
    },
  };
}
