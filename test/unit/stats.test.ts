import { describe, expect, it } from 'vitest';
import { runClosedLoop } from '../../src/load/closed-loop.ts';
import { runOpenLoop } from '../../src/load/open-loop.ts';
import { summariseTrials } from '../../src/load/trials.ts';
import type { LoadTrial } from '../../src/load/types.ts';
import { confidenceInterval, mean, sampleSd } from '../../src/stats/confidence.ts';
import { oneTrialNote, withMargin } from '../../src/report/format.ts';
import { fitGrowth } from '../../src/stats/growth.ts';
import { LatencyHistogram } from '../../src/stats/histogram.ts';
import { capSamples } from '../../src/stats/summary.ts';
import { logHistogram } from '../../src/stats/log-bins.ts';
import { runToRunNoise } from '../../src/stats/noise.ts';
import { equalWeightPool, quantileInterval } from '../../src/stats/quantile.ts';

describe('confidence intervals', () => {
  it('matches a hand computation with Student t', () => {
    // mean 5, sd = sqrt(2.5) = 1.5811, n = 5, t(0.975, 4) = 2.7764
    const i = confidenceInterval([3, 4, 5, 6, 7]);
    expect(i.mean).toBe(5);
    expect(sampleSd([3, 4, 5, 6, 7])).toBeCloseTo(1.5811, 4);
    expect(i.margin).toBeCloseTo((2.7764 * 1.5811) / Math.sqrt(5), 3);
    expect(i.low).toBeCloseTo(5 - i.margin, 10);
  });
  it('gives a zero-width interval for one value and NaN for none', () => {
    expect(confidenceInterval([2]).margin).toBe(0);
    // One trial has no interval: printed as the value alone, and said so, never as "±0".
    expect(withMargin(confidenceInterval([0.002]))).toBe('2.0 µs');
    expect(oneTrialNote(1)).toBe(' (one trial: no interval)');
    expect(withMargin(confidenceInterval([0.002, 0.004]))).toMatch(/^3\.0 µs ±\d/);
    expect(oneTrialNote(3)).toBe('');
    expect(withMargin(undefined)).toBe('–');
    expect(confidenceInterval([]).mean).toBeNaN();
    expect(mean([1, 2, 3])).toBe(2);
  });
});

describe('latency histogram', () => {
  it('returns percentiles of 1..1000 ms within HdrHistogram precision', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.recordMs(ms);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(500, -1);
    expect(s.p99).toBeCloseTo(990, -1);
    expect(s.max).toBeCloseTo(1000, -1);
    expect(s.mean).toBeCloseTo(500.5, 0);
    h.destroy();
  });
});

describe('growth fit', () => {
  it('reads flat, linear and quadratic growth', () => {
    const sizes = [1, 10, 100, 1000];
    expect(fitGrowth(sizes.map((size) => ({ size, value: 5 })))!.exponent).toBeCloseTo(0, 5);
    expect(fitGrowth(sizes.map((size) => ({ size, value: 3 * size })))!.label).toContain('linear');
    expect(fitGrowth(sizes.map((size) => ({ size, value: size * size })))!.exponent).toBeCloseTo(2, 5);
    expect(fitGrowth([{ size: 1, value: 1 }])).toBeUndefined();
  });

  it('calls a curve flat only when it barely grows over the sizes measured, and says by how much it grows', () => {
    const sizes = [1000, 10000, 100000, 1000000];
    // 2.4 -> 4.4 µs over 10^3..10^6: an exponent of 0.09, but almost twice the cost.
    const slow = fitGrowth(sizes.map((size, i) => ({ size, value: [2.4, 3.1, 3.5, 4.4][i]! })))!;
    expect(slow.exponent).toBeLessThan(0.15);
    expect(slow.label).toMatch(/^sublinear \(≈ O\(n\^0\.0\d\)\): ×1\.\d from 1,000 to 1,000,000$/);
    expect(slow.growth).toBeGreaterThan(1.6);
    const flat = fitGrowth(sizes.map((size, i) => ({ size, value: [2.0, 2.1, 2.0, 2.2][i]! })))!;
    expect(flat.label).toMatch(/^flat \(≈ O\(1\)\): ×1\.\d/);
    expect(fitGrowth(sizes.map((size) => ({ size, value: 10 / Math.sqrt(size) })))!.label).toMatch(/^falling/);
    expect(fitGrowth(sizes.map((size) => ({ size, value: size })))!.label).toBe('linear (≈ O(n)): ×1,000 from 1,000 to 1,000,000');
    // No line through one size, nor through an infinite cost: no fit (a report shows '–'), never NaN.
    expect(fitGrowth([1000, 1000, 1000].map((size, i) => ({ size, value: i + 1 })))).toBeUndefined();
    expect(fitGrowth(sizes.map((size, i) => ({ size, value: i === 3 ? Number.POSITIVE_INFINITY : 1 + i })))!.label).toMatch(/^sublinear .* from 1,000 to 100,000$/);
  });
  it('caps samples evenly', () => {
    expect(capSamples([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(
      capSamples(
        Array.from({ length: 100 }, (_, i) => i),
        10,
      ),
    ).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });
});

describe('trials', () => {
  it('summarises trials with intervals', () => {
    const trial = (p50: number): LoadTrial => ({
      mode: 'closed',
      concurrency: 1,
      durationMs: 1000,
      throughput: 100,
      errors: 1,
      latency: { count: 10, mean: p50, p50, p90: p50, p99: p50 * 2, p999: p50 * 2, max: p50 * 3, unit: 'ms' },
    });
    const s = summariseTrials([trial(1), trial(2), trial(3)]);
    expect(s.p50.mean).toBe(2);
    expect(s.p99.mean).toBe(4);
    expect(s.max).toBe(9);
    expect(s.errors).toBe(3);
  });
});

describe('load generators', () => {
  it('closed loop counts errors and measures service time', async () => {
    const t = await runClosedLoop(async (i) => i % 10 !== 0, { concurrency: 2, durationMs: 100, warmupMs: 20 });
    expect(t.latency.count).toBeGreaterThan(10);
    expect(t.errors).toBeGreaterThan(0);
  });
  it('open loop counts a stall against every request scheduled behind it (coordinated omission corrected)', async () => {
    // One connection at 200/s (a send every 5 ms); one check stalls 100 ms. A closed-loop
    // tool would record one slow sample; the open loop records the ~20 queued behind it.
    let stalled = false;
    const t = await runOpenLoop(
      async () => {
        if (!stalled) {
          stalled = true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return true;
      },
      { rate: 200, connections: 1, durationMs: 400, warmupMs: 0 },
    );
    expect(t.latency.count).toBeGreaterThan(50);
    // Well over 1% of the samples waited behind the stall, so p90 shows it.
    expect(t.latency.p90).toBeGreaterThan(20);
    expect(t.latency.max).toBeGreaterThanOrEqual(99);
    // From the actual send (what wrk 4 reports), only the stalled check itself is slow.
    expect(t.serviceTime!.count).toBe(t.latency.count);
    expect(t.serviceTime!.max).toBeGreaterThanOrEqual(99);
    expect(t.serviceTime!.p90).toBeLessThan(5);
  });
});

describe('quantile intervals, equal-weight pools, log bins, run-to-run noise', () => {
  it('gives the nearest-rank quantile with an order-statistic interval around it', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
    const median = quantileInterval(samples, 0.5);
    expect(median.value).toBe(500);
    // ranks 500 ± 1.96·√250 ≈ 469…531
    expect(median.low).toBeGreaterThanOrEqual(468);
    expect(median.low).toBeLessThanOrEqual(470);
    expect(median.high).toBeGreaterThanOrEqual(530);
    expect(median.high).toBeLessThanOrEqual(532);
    const p99 = quantileInterval(samples, 0.99);
    expect(p99.value).toBe(990);
    expect(p99.low).toBeLessThan(990);
    expect(p99.high).toBeGreaterThan(990);
    expect(p99.high).toBeLessThanOrEqual(1000);
    expect(quantileInterval([], 0.5).value).toBeNaN();
  });

  it('weighs every series the same in a pool, whatever its size', () => {
    const pool = equalWeightPool([Array.from({ length: 1000 }, () => 1), [100, 100, 100, 100]]);
    expect(pool).toHaveLength(8);
    expect(pool.filter((x) => x === 100)).toHaveLength(4);
    expect(quantileInterval(pool, 0.75).value).toBe(100);
  });

  it('bins samples of several series on shared log-spaced bins, as shares in percent', () => {
    const { centres, shares } = logHistogram(
      [
        [0.001, 0.001, 0.01],
        [1, 0, -1, Number.NaN],
      ],
      3,
    );
    expect(centres).toHaveLength(3);
    expect(centres[0]!).toBeCloseTo(10 ** -2.5, 6);
    expect(centres[2]!).toBeCloseTo(10 ** -0.5, 6);
    expect(shares[0]).toEqual([66.67, 33.33, 0]);
    expect(shares[1]).toEqual([0, 0, 100]); // 0, negative and NaN samples are left out
    expect(logHistogram([[]], 5)).toEqual({ centres: [], shares: [[]] });
  });

  it('measures run-to-run noise as a robust spread of log ratios', () => {
    const ratios = [0.01, -0.02, 0.03, 0, -0.01, 0.02, -0.03, 0.9];
    const noise = runToRunNoise(ratios)!;
    expect(noise.series).toBe(8);
    expect(noise.sigma).toBeGreaterThan(0.01);
    expect(noise.sigma).toBeLessThan(0.05); // the 0.9 outlier does not inflate it
    expect(runToRunNoise([0.1, 0.2, 0.3, 0.4])).toBeUndefined();
  });
});
