// Closed loop: N clients, each sends its next check as soon as the last one returns.
// Measures maximum throughput; its latencies are service times, not user-facing ones.

import { LatencyHistogram } from '../stats/histogram.ts';
import type { CheckFn, LoadTrial } from './types.ts';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export async function runClosedLoop(check: CheckFn, options: ClosedLoopOptions): Promise<LoadTrial> {
  const histogram = new LatencyHistogram();
  let errors = 0;
  let completed = 0;
  let i = 0;
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const client = async () => {
    for (;;) {
      const sent = performance.now();
      if (sent >= end) return;
      const ok = await check(i++).catch(() => false);
      const done = performance.now();
      if (sent >= measureFrom) {
        histogram.recordMs(done - sent);
        completed++;
        if (!ok) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const latency = histogram.summary();
  histogram.destroy();
  return { mode: 'closed', concurrency: options.concurrency, durationMs: options.durationMs, throughput: (completed / options.durationMs) * 1000, errors, latency };
}
