// Open loop at a fixed arrival rate, corrected for coordinated omission the way wrk2 is:
// each connection has its own schedule of intended send times; a check that starts late
// because the previous one was slow still counts its latency from its intended time.

import { WindowRecorder } from './recorder.ts';
import type { CheckFn, LoadTrial } from './types.ts';

export interface OpenLoopOptions {
  /** Target checks per second, over all connections. */
  rate: number;
  /** Connections sending in parallel; each sends at rate / connections. */
  connections: number;
  durationMs: number;
  warmupMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runOpenLoop(check: CheckFn, options: OpenLoopOptions): Promise<LoadTrial> {
  const window = new WindowRecorder(options.warmupMs, options.durationMs);
  const interval = (1000 * options.connections) / options.rate;
  const connection = async (k: number) => {
    // Spread the connections' first sends over one interval.
    for (let n = 0; ; n++) {
      const intended = window.start + (k * interval) / options.connections + n * interval;
      if (intended >= window.end) return;
      const wait = intended - performance.now();
      // setTimeout cannot wait less than ~1 ms; spin the event loop for shorter gaps.
      if (wait > 1.5) await sleep(wait - 1);
      while (performance.now() < intended) await new Promise<void>((resolve) => setImmediate(resolve));
      const sent = performance.now();
      const ok = await check(window.next++).catch(() => false);
      window.record(intended, performance.now(), ok, sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, k) => connection(k)));
  const elapsed = Math.max(performance.now(), window.end) - window.measureFrom;
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
