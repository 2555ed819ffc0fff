// Quantiles of latency samples with a distribution-free confidence interval, and a pool of
// several series in which each series weighs the same.

import jstatModule from 'jstat';

const { jStat } = jstatModule as unknown as typeof import('jstat');

export interface QuantileEstimate {
  value: number;
  /** Bounds of the confidence interval (order statistics, no distribution assumed). */
  low: number;
  high: number;
  n: number;
}

/** The q-quantile of ascending `sorted` (nearest rank). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * The q-quantile and its confidence interval at `level`: the ranks n·q ± z·√(n·q·(1−q))
 * (normal approximation of the binomial count of samples below the quantile). Samples are
 * treated as independent; consecutive latencies are not quite, so read it as a lower bound
 * of the uncertainty.
 */
export function quantileInterval(samples: readonly number[], q: number, level = 0.95): QuantileEstimate {
  const sorted = [...samples].filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN, n };
  const z = jStat.normal.inv(1 - (1 - level) / 2, 0, 1);
  const spread = z * Math.sqrt(n * q * (1 - q));
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(rank)))]!;
  return { value: quantileOfSorted(sorted, q), low: at(n * q - spread - 1), high: at(n * q + spread), n };
}

/**
 * One pool from several series, each thinned to the size of the smallest by taking its
 * evenly spaced quantiles, so every series weighs the same whatever its sample count (a
 * faster engine collects more samples in the same benchmark time).
 */
export function equalWeightPool(series: readonly (readonly number[])[]): number[] {
  const sorted = series.map((s) => [...s].filter(Number.isFinite).sort((a, b) => a - b)).filter((s) => s.length > 0);
  if (sorted.length === 0) return [];
  const m = Math.min(...sorted.map((s) => s.length));
  return sorted.flatMap((s) => Array.from({ length: m }, (_, i) => s[Math.min(s.length - 1, Math.floor(((i + 0.5) / m) * s.length))]!));
}
