// Open loop at a fixed arrival rate, corrected for coordinated omission the way wrk2 is:
// each connection has its own schedule of intended send times; a check that starts late
// because the previous one was slow still counts its latency from its intended time.
//
// Pacing: timers have millisecond granularity. `timer` pacing (the default) sleeps until
// within 1 ms of the intended time and sends then; a check sent early counts from its
// actual send, one sent late from its intended time, so early sends never shorten a
// latency. `spin` pacing busy-waits the last millisecond on the event loop for exact send
// times; measured on a 2-core VM it added 30-50 µs to the next check's service time
// (docs/benchmarking.md, "Pacing"), so it is kept only to show that cost.

import { setTimeout as sleep } from 'node:timers/promises';
import { WindowRecorder } from './recorder.ts';
import type { CheckFn, LoadTrial } from './types.ts';

export interface OpenLoopOptions {
  /** Target checks per second, over all connections. */
  rate: number;
  /** Connections sending in parallel; each sends at rate / connections. */
  connections: number;
  durationMs: number;
  warmupMs: number;
  pacing?: Pacing;
  /** Ends the load before `durationMs` (a background load stopped when what it accompanies ends). */
  signal?: AbortSignal;
}

export type Pacing = 'timer' | 'spin';

/**
 * How early timer pacing wakes before a check's intended time (timers have millisecond
 * granularity). A timer firing up to this late still sends on time, so lateness within it
 * is never counted; imported generators' sends get the same allowance (src/loadgen/import.ts).
 */
export const TIMER_SLACK_MS = 1;

/** Returns at most 1 ms before `intended` (timer pacing), or at it (spin pacing). */
async function waitUntil(intended: number, pacing: Pacing): Promise<void> {
  // A timer may fire up to 1 ms early (it counts from the event loop's cached clock): re-check.
  for (let wait = intended - performance.now(); wait > TIMER_SLACK_MS; wait = intended - performance.now()) await sleep(wait - TIMER_SLACK_MS);
  if (pacing === 'spin') while (performance.now() < intended) await new Promise<void>((resolve) => setImmediate(resolve));
}

export async function runOpenLoop(check: CheckFn, options: OpenLoopOptions): Promise<LoadTrial> {
  const window = new WindowRecorder(options.warmupMs, options.durationMs);
  const interval = (1000 * options.connections) / options.rate;
  const connection = async (k: number) => {
    // Spread the connections' first sends over one interval.
    for (let n = 0; ; n++) {
      const intended = window.start + (k * interval) / options.connections + n * interval;
      if (intended >= window.end || options.signal?.aborted) return;
      // An engine slower than the rate: the trial ends with its window, not when the backlog is worked off. The checks
      // not sent count in the latencies from their intended time to now (a lower bound), not as served.
      if (performance.now() >= window.end) {
        window.recordUnsent(intended, performance.now());
        continue;
      }
      await waitUntil(intended, options.pacing ?? 'timer');
      const sent = performance.now();
      // A try around the await, not `.catch()`: that made a promise and a closure per check, inside the timed window.
      let ok: boolean;
      try {
        ok = await check(window.next++);
      } catch {
        ok = false;
      }
      window.record(Math.min(intended, sent), performance.now(), ok, sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, k) => connection(k)));
  const elapsed = (options.signal?.aborted ? performance.now() : Math.max(performance.now(), window.end)) - window.measureFrom;
  const { latency, serviceTime } = window.finish();
  return {
    mode: 'open',
    concurrency: options.connections,
    targetRate: options.rate,
    durationMs: options.durationMs,
    throughput: (window.completed / elapsed) * 1000,
    errors: window.errors,
    latency,
    ...(serviceTime ? { serviceTime } : {}),
  };
}
