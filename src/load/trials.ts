// Several independent trials of a load, summarised with 95% confidence intervals over the
// trials' p50, p99 and throughput: one trial's percentile is a point, not a certainty.

import { confidenceInterval, type Interval } from '../stats/confidence.ts';
import type { LoadTrial } from './types.ts';

export interface LoadSummary {
  mode: LoadTrial['mode'];
  concurrency: number;
  targetRate?: number;
  trials: LoadTrial[];
  p50: Interval;
  p90: Interval;
  p99: Interval;
  p999: Interval;
  max: number;
  throughput: Interval;
  errors: number;
  /**
   * Open loop: p99 from the actual send time (what wrk 4 reports); next to `p99`, which counts
   * from the intended send time, it shows how much of the tail was waiting behind the schedule.
   */
  serviceP99?: Interval;
}

export async function runTrials(trials: number, runOne: () => Promise<LoadTrial>): Promise<LoadSummary> {
  const done: LoadTrial[] = [];
  for (let t = 0; t < trials; t++) done.push(await runOne());
  return summariseTrials(done);
}

export function summariseTrials(trials: LoadTrial[]): LoadSummary {
  const of = (f: (t: LoadTrial) => number) => confidenceInterval(trials.map(f));
  const first = trials[0]!;
  return {
    mode: first.mode,
    concurrency: first.concurrency,
    ...(first.targetRate !== undefined ? { targetRate: first.targetRate } : {}),
    trials,
    p50: of((t) => t.latency.p50),
    p90: of((t) => t.latency.p90),
    p99: of((t) => t.latency.p99),
    p999: of((t) => t.latency.p999),
    max: Math.max(...trials.map((t) => t.latency.max)),
    throughput: of((t) => t.throughput),
    errors: trials.reduce((a, t) => a + t.errors, 0),
    ...(trials.every((t) => t.serviceTime) ? { serviceP99: of((t) => t.serviceTime!.p99) } : {}),
  };
}
