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

// With a run-to-run noise σ (src/stats/noise.ts), the same hypotheses are tested with that
// variance added to the within-run one: a per-sample test sees only within-run variation, so
// between two runs of one commit it finds "significant" changes of a few percent.

import ttest2 from '@stdlib/stats-ttest2';
import jstatModule from 'jstat';

const { jStat } = jstatModule as unknown as typeof import('jstat');

export interface PerfTestOptions {
  /** Relative change that matters, e.g. 0.1 for 10%. */
  threshold: number;
  /** Significance level of each one-sided test. */
  alpha: number;
  /** Fewer samples on either side: not judged (default 100; the test's normal approximation and the p99 need them). */
  minSamples?: number;
  /** Run-to-run standard deviation of a series' log ratio, added to the test's variance (default 0: none). */
  runToRunSd?: number;
}

export const DEFAULT_MIN_SAMPLES = 100;

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
export const PERF_TEST_METHOD_WITH_NOISE = 'one-sided test on log latency (ratio of geometric means), threshold in H0, variance = within-run (Welch) + run-to-run noise';

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
  const minSamples = Math.max(2, opts.minSamples ?? DEFAULT_MIN_SAMPLES);
  if (lb.length < minSamples || ln.length < minSamples) {
    const ratio = lb.length && ln.length ? Math.exp(meanOf(ln) - meanOf(lb)) : Number.NaN;
    return { ...common, verdict: 'not judged', ratio, note: `too few samples (base ${lb.length}, new ${ln.length}; need ${minSamples} each)` };
  }
  const diff = meanOf(ln) - meanOf(lb);
  const ratio = Math.exp(diff);
  const margin = Math.log(1 + opts.threshold);
  if (varianceOf(lb) === 0 && varianceOf(ln) === 0) {
    // Constant samples: no test is possible or needed.
    const verdict: PerfVerdict = diff > margin ? 'regression' : diff < -margin ? 'improvement' : 'unchanged';
    return { ...common, verdict, ratio, ratioLow: ratio, ratioHigh: ratio, pValue: verdict === 'unchanged' ? 1 : 0, note: 'constant samples' };
  }
  if (opts.runToRunSd !== undefined && opts.runToRunSd > 0) return withNoise(lb, ln, diff, margin, opts.runToRunSd, opts.alpha, { ...common, method: PERF_TEST_METHOD_WITH_NOISE });
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

/** The tests with the run-to-run variance added; normal quantiles (sample counts are in the hundreds). */
function withNoise(lb: number[], ln: number[], diff: number, margin: number, noiseSd: number, alpha: number, common: Omit<PerfTestResult, 'verdict' | 'ratio'>): PerfTestResult {
  const se = Math.sqrt(varianceOf(lb) / lb.length + varianceOf(ln) / ln.length + noiseSd ** 2);
  const pSlower = 1 - jStat.normal.cdf((diff - margin) / se, 0, 1);
  const pFaster = jStat.normal.cdf((diff + margin) / se, 0, 1);
  const verdict: PerfVerdict = pSlower < alpha ? 'regression' : pFaster < alpha ? 'improvement' : 'unchanged';
  const z = jStat.normal.inv(1 - alpha / 2, 0, 1);
  return {
    ...common,
    verdict,
    ratio: Math.exp(diff),
    ratioLow: Math.exp(diff - z * se),
    ratioHigh: Math.exp(diff + z * se),
    pValue: verdict === 'improvement' || (verdict === 'unchanged' && diff < 0) ? pFaster : pSlower,
  };
}

/** Mean of log(next) minus mean of log(base): the log of the ratio of geometric means; NaN without samples. */
export function meanLogRatio(base: number[], next: number[]): number {
  const lb = logs(base);
  const ln = logs(next);
  return lb.length && ln.length ? meanOf(ln) - meanOf(lb) : Number.NaN;
}
