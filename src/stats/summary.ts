// Statistics, computed once and in one place. Latencies are in milliseconds.

import type { Statistics } from 'tinybench';
import type { LatencySummary } from '../results/types.ts';

/** From tinybench's statistics (which uses Student's t for the margin of error). */
export function fromTinybench(latency: Statistics): LatencySummary {
  return {
    samples: latency.samplesCount,
    mean: latency.mean,
    p50: latency.p50,
    p75: latency.p75,
    p99: latency.p99,
    min: latency.min,
    max: latency.max,
    sd: latency.sd,
    rme: latency.rme,
    throughput: latency.mean > 0 ? 1000 / latency.mean : 0,
  };
}

/** Keeps at most `limit` samples, evenly spaced, so results files stay small. */
export function capSamples(samples: readonly number[], limit = 2000): number[] {
  if (samples.length <= limit) return [...samples];
  const step = samples.length / limit;
  return Array.from({ length: limit }, (_, i) => samples[Math.floor(i * step)]!);
}
