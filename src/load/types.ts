// Load generation: a check function, driven closed-loop (N clients, as fast as they can)
// or open-loop (a fixed arrival rate, latency from the intended send time, as wrk2 does).

import type { HistogramSummary } from '../stats/histogram.ts';

/** One check; resolves true when the engine answered without error. */
export type CheckFn = (i: number) => Promise<boolean>;

export interface LoadTrial {
  mode: 'closed' | 'open';
  /** Clients (closed loop) or connections (open loop). */
  concurrency: number;
  /** Target arrivals per second (open loop only). */
  targetRate?: number;
  durationMs: number;
  /** Checks answered per second during the measured window. */
  throughput: number;
  errors: number;
  /** From the intended send time (open loop: coordinated omission corrected), or the send time (closed loop). */
  latency: HistogramSummary;
  /**
   * Open loop only: from the actual send time. What wrk 4 and other tools without a schedule
   * report; the gap to `latency` is time a check waited behind its schedule.
   */
  serviceTime?: HistogramSummary;
}
