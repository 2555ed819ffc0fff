// Closed loop: N clients, each sends its next check as soon as the last one returns.
// Measures maximum throughput; its latencies are service times, not user-facing ones.

import { WindowRecorder } from './recorder.ts';
import type { CheckFn, LoadTrial } from './types.ts';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export async function runClosedLoop(check: CheckFn, options: ClosedLoopOptions): Promise<LoadTrial> {
  const window = new WindowRecorder(options.warmupMs, options.durationMs);
  const client = async () => {
    for (;;) {
      const sent = performance.now();
      // At least one check is measured, even when one check outlasts the trial (a slow engine at scale).
      if (sent >= window.end && window.completed > 0) return;
      // A try around the await, not `.catch()`: that made a promise and a closure per check, inside the timed window.
      let ok: boolean;
      try {
        ok = await check(window.next++);
      } catch {
        ok = false;
      }
      window.record(sent, performance.now(), ok);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const { latency } = window.finish();
  return { mode: 'closed', concurrency: options.concurrency, durationMs: options.durationMs, throughput: (window.completed / options.durationMs) * 1000, errors: window.errors, latency };
}
