// Engine ids below name the engines of the fixture results file (test/fixtures/results-small.json) on purpose.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUSY_LOAD_PER_CORE, compareResults, exitCode, noChange, renderComparison } from '../../src/report/compare.ts';
import type { RunResults } from '../../src/results/types.ts';
import { comparePerfSamples } from '../../src/stats/compare.ts';

const BIN = fileURLToPath(new URL('../../bin/authz-bench.js', import.meta.url));
const load = () => JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')) as RunResults;

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
    expect(renderComparison(c)).toContain('✅ no change');
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

  it('does not judge a change seen in too few samples', () => {
    const t = comparePerfSamples(lognormal(3, 1, 1.5, 40), lognormal(4, 3, 1.5, 40), opts);
    expect(t.verdict).toBe('not judged');
    expect(t.note).toBe('too few samples (base 40, new 40; need 100 each)');
    expect(comparePerfSamples(lognormal(3, 1, 1.5, 40), lognormal(4, 3, 1.5, 40), { ...opts, minSamples: 20 }).verdict).toBe('regression');
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
    const few = { ...opts, minSamples: 2 };
    expect(comparePerfSamples([1, 1, 1], [3, 3, 3], few).verdict).toBe('regression');
    expect(comparePerfSamples([1, 1, 1], [1, 1, 1], few).verdict).toBe('unchanged');
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
    expect(() => compareResults(load(), load(), { minSamples: 1 })).toThrow(RangeError);
  });
});

/** Two runs of 20 series of one unchanged code: each series moves by a run-level shift (σ `runSd`) plus sample noise. */
function twoRuns(runSd: number, change: (i: number) => number = () => 1): [RunResults, RunResults] {
  const run = (seed: number, factor: (i: number) => number): RunResults => {
    const r = load();
    const shifts = lognormal(seed, 1, runSd, 20);
    r.performance = shifts.map((shift, i) => {
      const samples = lognormal(seed * 100 + i, 0.05 * shift * factor(i), 0.3, 2000);
      return { ...r.performance[0]!, engine: 'reference', scenario: `s${i}`, samples, latency: { ...r.performance[0]!.latency, p50: 0.05 * shift * factor(i) } };
    });
    r.cases = [];
    return r;
  };
  return [run(1, () => 1), run(2, change)];
}

describe('compare: run-to-run noise and machine load', () => {
  it('measures the noise across series and does not call it a change', () => {
    const [base, next] = twoRuns(0.04);
    // The per-sample test alone sees "significant" changes beyond 5% that are run-to-run noise.
    const naive = base.performance.map((q, i) => comparePerfSamples(q.samples, next.performance[i]!.samples, { threshold: 0.05, alpha: 0.05 }).verdict);
    expect(naive.filter((v) => v !== 'unchanged').length).toBeGreaterThan(0);
    const c = compareResults(base, next);
    expect(c.threshold.noise!.series).toBe(20);
    expect(c.threshold.noise!.sigma).toBeGreaterThan(0.02);
    expect(c.threshold.noise!.sigma).toBeLessThan(0.1);
    expect(c.perfRegressions).toEqual([]);
    expect(c.perfImprovements).toEqual([]);
    expect(renderComparison(c)).toContain('**✅ no change**');
    expect(renderComparison(c)).toMatch(/Run-to-run noise measured over 20 series: σ \d+\.\d%/);
  });

  it('still finds a real change above the noise, and only that one', () => {
    const [base, next] = twoRuns(0.04, (i) => (i === 7 ? 1.6 : 1));
    const c = compareResults(base, next);
    expect(
      c.perfRegressions.map((p) => p.scenario),
      renderComparison(c),
    ).toEqual(['s7']);
    expect(c.perfImprovements).toEqual([]);
    expect(renderComparison(c)).toContain('⚠️ latency regressions');
  });

  it('uses a given threshold, with the measured noise still in the test', () => {
    const [base, next] = twoRuns(0.04, (i) => (i === 3 ? 1.12 : 1));
    const loose = compareResults(base, next, { threshold: 0.5 });
    expect(loose.threshold).toMatchObject({ value: 0.5, source: 'given' });
    expect(renderComparison(loose)).toContain('beyond ±50.0% (given with --threshold)');
    expect(loose.perfRegressions).toEqual([]);
    const huge = twoRuns(0.04, (i) => (i === 3 ? 3 : 1));
    expect(compareResults(huge[0], huge[1], { threshold: 0.5 }).perfRegressions.map((p) => p.scenario)).toEqual(['s3']);
  });

  it('prints the machine load of both runs and flags a busy one', () => {
    const base = load();
    const next = load();
    base.run.loadAverage = [0.12, 0.2, 0.3];
    next.run.loadAverage = [5.5, 3.1, 1.2];
    const md = renderComparison(compareResults(base, next));
    expect(md).toContain(
      'Base: run-2026-11-29T03-00-00Z (2026-11-29T03:00:00Z, commit abc1234), on Test CPU @ 2.0GHz (2 cores), linux x64, Node v20.20.2, load average 0.12 / 0.20 / 0.30 (1 / 5 / 15 min) at the start.',
    );
    expect(md).toContain('load average 5.50 / 3.10 / 1.20');
    expect(md).toContain('> Note: the new run started on a busy machine (load average 5.50 on 2 cores)');
    const older = renderComparison(compareResults(load(), load()));
    expect(older).toContain('load not recorded');
  });

  it("prints each run's memory latency and CPU pressure, and says when the machine's memory was slower in one", () => {
    const base = load();
    const next = load();
    Object.assign(base.run, { loadAverage: [0.5, 0.5, 0.5], memoryLatencyNs: 140, cpuPressure: 3 });
    Object.assign(next.run, { loadAverage: [0.5, 0.5, 0.5], memoryLatencyNs: 210, cpuPressure: 14 });
    const md = renderComparison(compareResults(base, next));
    expect(md).toContain('memory latency 140 ns (random reads of 64 MiB), CPU pressure 3%');
    expect(md).toContain("> Note: the machine's memory was slower in the new run");
    next.run.memoryLatencyNs = 150;
    expect(renderComparison(compareResults(base, next))).not.toContain('memory was');
  });
});

describe('compare: two real runs of one commit', () => {
  const scenarios = ['agent-fleet', 'authzen-todo', 'hierarchy-wide-tree', 'hierarchy-nested-folders', 'load-mix', 'multi-tenancy-same-ids', 'native-documents', 'revocation-timelines'];
  const dir = mkdtempSync(join(tmpdir(), 'authz-bench-compare-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const runOnce = (name: string) => {
    const out = join(dir, name);
    // A warm-up of 300 ms, not run's 100: early in a process the first scenarios' p50 moved by up to
    // 40% from run to run with 100 ms (agent-fleet 1.04–1.77 µs), 1.09–1.16 µs with 300.
    execFileSync(process.execPath, [BIN, 'run', '--engine', 'reference', ...scenarios.flatMap((s) => ['-s', s]), '--warmup', '300', '--out', out], { stdio: 'pipe', env: process.env });
    return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
  };

  it('says "no change" on a quiet machine, and prints both runs\' load', () => {
    const base = runOnce('base');
    const next = runOnce('new');
    expect(base.performance.length).toBe(scenarios.length);
    const c = compareResults(base, next);
    const md = renderComparison(c);
    expect(c.threshold.noise?.series, md).toBe(scenarios.length);
    if (process.platform !== 'win32') expect(md.match(/load average \d+\.\d\d \/ /g)).toHaveLength(2);
    expect(c.regressions).toEqual([]);
    expect(exitCode(c)).toBe(0);
    const busy = [base, next].some((r) => (r.run.loadAverage?.[0] ?? 0) > BUSY_LOAD_PER_CORE * r.run.cpus);
    if (busy) {
      // Other processes took the CPU during the runs: the report must say so beside any verdict.
      expect(md).toContain('started on a busy machine');
    } else {
      expect(noChange(c), md).toBe(true);
      expect(md).toContain('**✅ no change**');
      expect(exitCode(c, { failOnPerf: true })).toBe(0);
    }
  }, 180_000);
});

describe('compare: an engine that no longer runs', () => {
  it('a pair that passed in base and fails as a whole in new (did not start) is a regression: exit 1', () => {
    const base = load();
    const next = load();
    const pair = base.cases.find((c) => c.status === 'pass')!;
    next.cases = next.cases.filter((c) => !(c.engine === pair.engine && c.scenario === pair.scenario));
    next.cases.push({ engine: pair.engine, scenario: pair.scenario, step: -1, kind: 'scenario', status: 'error', message: 'did not start: connection refused' });
    const c = compareResults(base, next, opts);
    expect(c.regressions.map((r) => `${r.engine} ${r.scenario}`)).toEqual([`${pair.engine} ${pair.scenario}`]);
    expect(exitCode(c)).toBe(1);
  });
});
