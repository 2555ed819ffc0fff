// Engine ids below name the engines of the fixture results file (test/fixtures/results-small.json) on purpose.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareResults, exitCode, renderComparison } from '../src/report/compare.ts';
import type { RunResults } from '../src/results/types.ts';
import { comparePerfSamples } from '../src/stats/compare.ts';

const load = () => JSON.parse(readFileSync(new URL('./fixtures/results-small.json', import.meta.url), 'utf8')) as RunResults;

/** Deterministic log-normal latency samples (median `median` ms). */
function lognormal(seed: number, median: number, sigma: number, n: number): number[] {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return Array.from({ length: n }, () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd())));
}

const opts = { threshold: 0.1, alpha: 0.05 };

describe('compare: correctness', () => {
  it('finds nothing between identical runs (exit 0)', () => {
    const c = compareResults(load(), load());
    expect(c.regressions).toEqual([]);
    expect(c.fixes).toEqual([]);
    expect(c.newFailures).toEqual([]);
    expect(c.perfRegressions).toEqual([]);
    expect(c.perfImprovements).toEqual([]);
    expect(c.perfUnchanged).toHaveLength(load().performance.length);
    expect(c.matched).toBe(load().cases.length);
    expect(exitCode(c)).toBe(0);
    expect(exitCode(c, { failOnPerf: true })).toBe(0);
    expect(renderComparison(c)).toContain('✅ no regressions');
  });

  it('flags one flipped decision as a regression (exit 1), matched by engine+scenario+step+item', () => {
    const next = load();
    const flipped = next.cases.find((c) => c.engine === 'reference' && c.scenario === 'folders' && c.step === 2 && c.item === 1)!;
    flipped.status = 'fail';
    flipped.actual = 'deny';
    const c = compareResults(load(), next);
    expect(c.regressions).toHaveLength(1);
    expect(c.regressions[0]).toMatchObject({ engine: 'reference', scenario: 'folders', step: 2, item: 1, base: 'pass', next: 'fail', expected: 'allow', actual: 'deny' });
    expect(exitCode(c)).toBe(1);
    const md = renderComparison(c);
    expect(md).toContain('❌ correctness regressions');
    expect(md).toContain('| reference | folders | steps[2][1] | pass | fail | `user:u1 view folder:b` | `allow` | `deny` |');
  });

  it('lists fixes, new failures, still failing and dropped cases without failing on them', () => {
    const base = load();
    const next = load();
    const fixed = next.cases.find((c) => c.engine === 'openfga' && c.scenario === 'folders' && c.step === 1)!;
    fixed.status = 'pass';
    fixed.actual = 'deny';
    next.cases.push({ engine: 'reference', scenario: 'folders', step: 9, kind: 'check', status: 'fail', expected: 'allow', actual: 'deny' });
    next.cases = next.cases.filter((c) => !(c.engine === 'cerbos' && c.scenario === 'revoke' && c.step === 0));
    const c = compareResults(base, next);
    expect(c.fixes.map((f) => `${f.engine}/${f.scenario}/${f.step}`)).toEqual(['openfga/folders/1']);
    expect(c.newFailures.map((f) => `${f.engine}/${f.scenario}/${f.step}`)).toEqual(['reference/folders/9']);
    expect(c.dropped.map((f) => `${f.engine}/${f.scenario}/${f.step}`)).toEqual(['cerbos/revoke/0']);
    expect(c.stillFailing.length).toBeGreaterThan(0);
    expect(c.regressions).toEqual([]);
    expect(exitCode(c)).toBe(0);
    const md = renderComparison(c);
    expect(md).toContain('## Fixes');
    expect(md).toContain('## New failures');
    expect(md).toContain('## No longer run');
  });
});

describe('compare: latency', () => {
  it('flags a 2x slower sample set, and fails only with failOnPerf', () => {
    const next = load();
    const p = next.performance.find((x) => x.engine === 'openfga' && x.scenario === 'folders')!;
    p.samples = p.samples.map((x) => x * 2);
    p.latency.p50 *= 2;
    const c = compareResults(load(), next);
    expect(c.perfRegressions).toHaveLength(1);
    expect(c.perfRegressions[0]).toMatchObject({ engine: 'openfga', scenario: 'folders', verdict: 'regression' });
    expect(c.perfRegressions[0]!.ratio).toBeCloseTo(2, 10);
    expect(c.perfRegressions[0]!.pValue!).toBeLessThan(0.001);
    expect(c.regressions).toEqual([]);
    expect(exitCode(c)).toBe(0);
    expect(exitCode(c, { failOnPerf: true })).toBe(1);
    expect(exitCode(compareResults(load(), next, { failOnPerf: true }))).toBe(1);
    const md = renderComparison(c);
    expect(md).toContain('⚠️ latency regressions');
    expect(md).toMatch(/### Regressions\n\n\| engine .*\n.*\n\| openfga \| folders \| .* \| \+100\.0% \|/);
  });

  it('does not flag noise from the same distribution', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const t = comparePerfSamples(lognormal(seed, 0.5, 0.4, 300), lognormal(seed + 1000, 0.5, 0.4, 300), opts);
      if (t.verdict !== 'unchanged') flagged++;
    }
    expect(flagged).toBe(0);
  });

  it('does not flag a real but small change (under the threshold), even with many samples', () => {
    const t = comparePerfSamples(lognormal(7, 0.5, 0.3, 5000), lognormal(8, 0.525, 0.3, 5000), opts);
    expect(t.ratio).toBeGreaterThan(1.02);
    expect(t.verdict).toBe('unchanged');
  });

  it('does not flag a large change seen in too few noisy samples', () => {
    const t = comparePerfSamples(lognormal(3, 1, 1.5, 4), lognormal(4, 1.3, 1.5, 4), opts);
    expect(t.verdict).toBe('unchanged');
  });

  it('finds improvements, and judges nothing without samples', () => {
    const base = lognormal(11, 1, 0.3, 200);
    const t = comparePerfSamples(base, lognormal(12, 0.5, 0.3, 200), opts);
    expect(t.verdict).toBe('improvement');
    expect(t.ratio).toBeLessThan(0.6);
    expect(t.ratioLow!).toBeLessThan(t.ratio);
    expect(t.ratioHigh!).toBeGreaterThan(t.ratio);
    expect(comparePerfSamples(base, [1], opts).verdict).toBe('not judged');
    expect(comparePerfSamples([], [], opts).verdict).toBe('not judged');
    expect(comparePerfSamples([1, 1, 1], [3, 3, 3], opts).verdict).toBe('regression');
    expect(comparePerfSamples([1, 1, 1], [1, 1, 1], opts).verdict).toBe('unchanged');
  });

  it('lists latency series present in only one run as not judged', () => {
    const next = load();
    next.performance = next.performance.filter((p) => p.engine !== 'cerbos');
    const c = compareResults(load(), next);
    expect(c.perfNotJudged.map((p) => `${p.engine}/${p.note}`)).toEqual(['cerbos/not in new', 'cerbos/not in new']);
    expect(exitCode(c, { failOnPerf: true })).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => compareResults(load(), load(), { threshold: -1 })).toThrow(RangeError);
    expect(() => compareResults(load(), load(), { alpha: 2 })).toThrow(RangeError);
  });
});
