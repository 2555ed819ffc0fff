// Confidence intervals over independent trials, with Student's t (jstat's quantile).

import jstatModule from 'jstat';

const { jStat } = jstatModule as unknown as typeof import('jstat');

export interface Interval {
  mean: number;
  low: number;
  high: number;
  /** Half-width of the interval. */
  margin: number;
  n: number;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Two-sided interval for the mean at `level` (0.95 by default). One value gives a zero-width interval. */
export function confidenceInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN, margin: NaN, n };
  const m = mean(values);
  if (n === 1) return { mean: m, low: m, high: m, margin: 0, n };
  const t = jStat.studentt.inv(1 - (1 - level) / 2, n - 1);
  const margin = (t * sampleSd(values)) / Math.sqrt(n);
  return { mean: m, low: m - margin, high: m + margin, margin, n };
}
