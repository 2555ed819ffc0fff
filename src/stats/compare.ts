// Whether one set of latency samples is slower (or faster) than another by more than a
// threshold, judged with a statistical test rather than a bare ratio of means.
//
// Method: Welch's two-sample t-test (unequal variances, @stdlib/stats-ttest2) on the
// logarithms of the samples, one-sided, with the threshold moved into the null hypothesis:
//   regression  H0: mean(log next) - mean(log base) <= log(1 + threshold)
//   improvement H0: mean(log next) - mean(log base) >= -log(1 + threshold)
// Differences of mean logs are logs of the ratio of geometric means, so a rejected H0 says
// "the typical check got more than `threshold` slower (faster)" at significance `alpha`.
// Logs tame the long right tail of latency samples (roughly log-normal), which would
// otherwise dominate the variance. See docs/reports.md for why this test was chosen.

import ttest2 from '@stdlib/stats-ttest2';

export interface PerfTestOptions {
  /** Relative change that matters, e.g. 0.1 for 10%. */
  threshold: number;
  /** Significance level of each one-sided test. */
  alpha: number;
}

export type PerfVerdict = 'regression' | 'improvement' | 'unchanged' | 'not judged';

export interface PerfTestResult {
  verdict: PerfVerdict;
  /** Geometric mean of next over geometric mean of base (2 = twice as slow). */
  ratio: number;
  /** Confidence interval of `ratio` at 1 - alpha (two-sided); undefined when not judged. */
  ratioLow?: number;
  ratioHigh?: number;
  /** p-value of the one-sided test in the direction of the observed change. */
  pValue?: number;
  baseN: number;
  nextN: number;
  method: string;
  /** Why no verdict could be given, when it could not. */
  note?: string;
}

export const PERF_TEST_METHOD = "one-sided Welch's t-test on log latency (ratio of geometric means), threshold in H0";

/** Latencies of 0 (coarse timers) would give -Infinity: floor them at 1 ns. */
const FLOOR_MS = 1e-6;
const logs = (samples: number[]) => samples.filter((x) => Number.isFinite(x) && x >= 0).map((x) => Math.log(Math.max(x, FLOOR_MS)));
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const varianceOf = (xs: number[]) => {
  const m = meanOf(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

export function comparePerfSamples(base: number[], next: number[], opts: PerfTestOptions): PerfTestResult {
  const lb = logs(base);
  const ln = logs(next);
  const common = { baseN: lb.length, nextN: ln.length, method: PERF_TEST_METHOD };
  if (lb.length < 2 || ln.length < 2) {
    const ratio = lb.length && ln.length ? Math.exp(meanOf(ln) - meanOf(lb)) : Number.NaN;
    return { ...common, verdict: 'not judged', ratio, note: `too few samples (base ${lb.length}, new ${ln.length}; need 2 each)` };
  }
  const diff = meanOf(ln) - meanOf(lb);
  const ratio = Math.exp(diff);
  const margin = Math.log(1 + opts.threshold);
  if (varianceOf(lb) === 0 && varianceOf(ln) === 0) {
    // Constant samples: no test is possible or needed.
    const verdict: PerfVerdict = diff > margin ? 'regression' : diff < -margin ? 'improvement' : 'unchanged';
    return { ...common, verdict, ratio, ratioLow: ratio, ratioHigh: ratio, pValue: verdict === 'unchanged' ? 1 : 0, note: 'constant samples' };
  }
  const slower = ttest2(ln, lb, { alternative: 'greater', difference: margin, alpha: opts.alpha });
  const faster = ttest2(ln, lb, { alternative: 'less', difference: -margin, alpha: opts.alpha });
  const interval = ttest2(ln, lb, { alternative: 'two-sided', alpha: opts.alpha });
  const verdict: PerfVerdict = slower.rejected ? 'regression' : faster.rejected ? 'improvement' : 'unchanged';
  const pValue = verdict === 'improvement' || (verdict === 'unchanged' && diff < 0) ? faster.pValue : slower.pValue;
  return {
    ...common,
    verdict,
    ratio,
    ratioLow: Math.exp(interval.ci[0]!),
    ratioHigh: Math.exp(interval.ci[1]!),
    pValue,
  };
}
