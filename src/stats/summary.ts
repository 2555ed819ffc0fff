// Statistics, computed once and in one place. Latencies are in milliseconds.

import type { Statistics } from 'tinybench';
import type { LatencySummary } from '../results/types.ts';
import { confidenceInterval, sampleSd } from './confidence.ts';
import { quantileOfSorted } from './quantile.ts';

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

/** The same summary from raw samples, e.g. tinybench's samples of several rounds pooled. */
export function fromSamples(samples: readonly number[]): LatencySummary {
  const mean = confidenceInterval(samples);
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => quantileOfSorted(sorted, q);
  return {
    samples: samples.length,
    mean: mean.mean,
    p50: at(0.5),
    p75: at(0.75),
    p99: at(0.99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    sd: sampleSd(samples),
    rme: mean.mean > 0 ? (mean.margin / mean.mean) * 100 : 0,
    throughput: mean.mean > 0 ? 1000 / mean.mean : 0,
  };
}

/** Keeps at most `limit` samples, evenly spaced, so results files stay small. */
export function capSamples(samples: readonly number[], limit = 2000): number[] {
  if (samples.length <= limit) return [...samples];
  const step = samples.length / limit;
  return Array.from({ length: limit }, (_, i) => samples[Math.floor(i * step)]!);
}
