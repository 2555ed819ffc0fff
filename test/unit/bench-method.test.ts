// The bench's method (issue 20): nanosecond histograms, engines in interleaved rounds, the
// SLO search's stable verdict, curve names, loading within a budget, an embedded engine's
// memory in a fresh process, and the micro phase bounded by its time. No timed assertions.

import { describe, expect, it } from 'vitest';
import { resolveCurve, curveNames } from '../../src/bench/curve-specs.ts';
import { engineMemory, HEAP_DELTA_METHOD, measureEngineMemory, overMemoryBudget, RSS_DELTA_METHOD } from '../../src/bench/engine-memory.ts';
import { inRounds } from '../../src/bench/rounds.ts';
import { measurePoint } from '../../src/bench/scale.ts';
import { loadWithinBudget } from '../../src/bench/scale-load.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { findScenarioFile } from '../../src/bench/curves.ts';
import { InputError } from '../../src/core/errors.ts';
import { resolveEngineSpecs, createEngine } from '../../src/engines/registry.ts';
import { RateSearch, rateVerdict, sloHolds } from '../../src/load/slo.ts';
import { summariseTrials } from '../../src/load/trials.ts';
import type { LoadTrial } from '../../src/load/types.ts';
import { timeChecks } from '../../src/runner/benchmark.ts';
import { resolveRelationships, resolveRequest } from '../../src/runner/now.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { LatencyHistogram } from '../../src/stats/histogram.ts';
import { scaleSection } from '../../src/report/scale-section.ts';
import type { ScaleRecord } from '../../src/results/types.ts';
import { mulberry32 } from '../../scenarios/generators/random.ts';

async function reference(id = 'reference') {
  const [spec] = await resolveEngineSpecs([id]);
  return createEngine(spec!);
}

async function wideTree(width: number) {
  const file = (await findScenarioFile('hierarchy-wide-tree'))!;
  return { file, params: { width }, scenario: await loadScenarioFile(file, { generateParams: { width } }) };
}

describe('nanosecond histogram', () => {
  it('keeps sub-microsecond latencies (no 1 µs floor)', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 100; i++) h.recordMs(0.00025); // 250 ns
    h.recordMs(0.0000004); // 0.4 ns: recorded as the 1 ns floor
    const s = h.summary();
    expect(s.p50).toBeCloseTo(0.00025, 6);
    expect(s.count).toBe(101);
    h.destroy();
  });
});

describe('interleaved rounds', () => {
  it('measures A B C, A B C, … and keeps each participant’s results in round order', async () => {
    const order: string[] = [];
    const results = await inRounds(['A', 'B', 'C'], 3, async (p, round) => {
      order.push(`${p}${round}`);
      return round;
    });
    expect(order).toEqual(['A0', 'B0', 'C0', 'A1', 'B1', 'C1', 'A2', 'B2', 'C2']);
    expect(results.get('B')).toEqual([0, 1, 2]);
  });
});

/**
 * A synthetic engine with a true capacity: a trial at `rate` has p99 = 5 ms below the
 * capacity and 80 ms above it, where each trial's capacity moves by ±8% (seeded noise), and
 * one trial in ten is disturbed (p99 200 ms: another process's burst).
 */
function syntheticTrial(rate: number, capacity: number, rng: ReturnType<typeof mulberry32>): LoadTrial {
  const jitter = 1 + (rng.next() - 0.5) * 0.16;
  const disturbed = rng.next() < 0.1;
  const p99 = disturbed ? 200 : rate <= capacity * jitter ? 5 : 80;
  return {
    mode: 'open',
    concurrency: 16,
    targetRate: rate,
    durationMs: 1000,
    throughput: rate,
    errors: 0,
    latency: { count: 1000, mean: 1, p50: 1, p90: 2, p99, p999: p99, max: p99, unit: 'ms' },
  };
}

function searchOnce(seed: number, capacity: number) {
  const rng = mulberry32(seed);
  const search = new RateSearch({ start: 1000, maxRate: 64_000, minRate: 1000 / 64, tolerance: 1.2 });
  const probed: number[] = [];
  for (let rate = search.next(); rate !== undefined; rate = search.next()) {
    probed.push(rate);
    const trials: LoadTrial[] = [];
    let verdict: ReturnType<typeof rateVerdict> = 'undecided';
    while (verdict === 'undecided') {
      trials.push(...[0, 1, 2].map(() => syntheticTrial(rate, capacity, rng)));
      verdict = rateVerdict(trials, rate, 50, 3);
    }
    search.observe(rate, verdict === 'holds');
  }
  return { highest: search.highestPassing, lowest: search.lowestFailing, probed };
}

/** A trial at 100 checks/s served, no errors, with this p99. */
const trial = (p99: number): LoadTrial => ({
  mode: 'open',
  concurrency: 1,
  durationMs: 1,
  throughput: 100,
  errors: 0,
  latency: { count: 1, mean: 1, p50: 1, p90: 1, p99, p999: p99, max: p99, unit: 'ms' },
});

describe('SLO verdict', () => {
  it('a rate holds when a majority of its trials hold: one disturbed trial does not flip it', () => {
    expect(sloHolds(summariseTrials([trial(5), trial(500), trial(5)]), 100, 50)).toBe(true);
    expect(sloHolds(summariseTrials([trial(500), trial(500), trial(5)]), 100, 50)).toBe(false);
  });

  it('probes only rates on the grid target × 2^(k/4) and brackets the capacity within the tolerance', () => {
    const { highest, lowest, probed } = searchOnce(1, 20_000);
    for (const rate of probed) expect(Math.log2(rate / 1000) * 4).toBeCloseTo(Math.round(Math.log2(rate / 1000) * 4), 9);
    expect(lowest! / highest!).toBeLessThanOrEqual(1.2);
    expect(highest).toBeLessThanOrEqual(20_000 * 1.08);
    expect(lowest).toBeGreaterThanOrEqual(20_000 / 1.08);
  });

  it('runs as many trials again when they disagree, and then the majority of all decides', () => {
    expect(rateVerdict([trial(5), trial(500), trial(500)], 100, 50, 3)).toBe('undecided');
    expect(rateVerdict([trial(5), trial(500), trial(500), trial(5), trial(5), trial(5)], 100, 50, 3)).toBe('holds');
    expect(rateVerdict([trial(500), trial(500), trial(500)], 100, 50, 3)).toBe('fails');
  });

  it('gives the same verdict, or overlapping brackets, in repeated runs with different noise', () => {
    const runs = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((seed) => searchOnce(seed, 20_000));
    // Agreement: every run's highest passing rate is at most every run's lowest failing one (brackets overlap or
    // touch), so two runs differ by one grid step (the tolerance) at most.
    for (const a of runs) for (const b of runs) expect(a.highest!).toBeLessThanOrEqual(b.lowest!);
    expect(new Set(runs.map((r) => r.highest)).size).toBeLessThanOrEqual(2);
  });

  it('halves down from a target that fails, and stops at the lowest rate it may try', () => {
    expect(searchOnce(2, 300).highest).toBeGreaterThan(200);
    const never = new RateSearch({ start: 1000, maxRate: 64_000, minRate: 100, tolerance: 1.2 });
    for (let rate = never.next(); rate !== undefined; rate = never.next()) never.observe(rate, false);
    expect(never.highestPassing).toBeUndefined();
    expect(never.lowestFailing).toBe(125);
  });
});

describe('curve names', () => {
  it('accepts each dimension and the aliases a user would type', () => {
    expect(resolveCurve('depth').dimension).toBe('hierarchy depth');
    expect(resolveCurve('hierarchy depth').dimension).toBe('hierarchy depth');
    expect(resolveCurve('Relationships').dimension).toBe('relationships');
    expect(resolveCurve('batch').dimension).toBe('batch size');
  });
  it('refuses an unknown name with the accepted list', () => {
    expect(() => resolveCurve('width')).toThrow(InputError);
    expect(() => resolveCurve('width')).toThrow(curveNames().join(', '));
  });
});

describe('loading at scale', () => {
  it('reports an engine over the time budget as did not load, with why', async () => {
    const { scenario } = await wideTree(20_000);
    const relationships = resolveRelationships(scenario.relationships);
    const budget = { timeMs: 1, memoryMiB: 4096 };
    // The reference loads in one bulk call; without it, the same engine writes in chunks and says how far it got (machine-dependent; the total is the dataset's).
    expect(await loadWithinBudget(await reference(), scenario.model, relationships, budget)).toEqual({
      loaded: false,
      reason: 'not within the time budget of 1 ms (its one bulk call had not returned)',
    });
    const chunked = Object.assign(Object.create(await reference()) as EngineAdapter, { bulkLoad: undefined });
    expect(await loadWithinBudget(chunked, scenario.model, relationships, budget)).toEqual({
      loaded: false,
      reason: expect.stringMatching(/^not within the time budget of 1 ms \([\d,]+ of 120,011 relationships written\)$/),
    });
  });

  it('keeps a did-not-load engine in a scale point, beside one that loaded', async () => {
    const dataset = await wideTree(20_000);
    const engines = [await reference(), await reference('reference[nolog]')];
    const points = await measurePoint(
      engines,
      dataset,
      (adapter, s) => {
        const requests = s.benchmark.map((r) => resolveRequest(r));
        return async (i) => !(await adapter.check(requests[i % requests.length]!)).error;
      },
      { trials: 1, durationMs: 20, warmupMs: 0, budget: { timeMs: 60_000, memoryMiB: 4096 }, memory: false, log: () => undefined },
    );
    expect(points.map((p) => p.engine)).toEqual(['reference', 'reference[nolog]']);
    for (const p of points) {
      expect(p.didNotLoad).toBeUndefined();
      expect(p.setupMs).toBeGreaterThan(0);
      expect(p.latency!.trials[0]!.latency.count).toBeGreaterThan(0);
    }
    const over = await measurePoint([await reference()], dataset, () => undefined, {
      trials: 1,
      durationMs: 20,
      warmupMs: 0,
      budget: { timeMs: 1, memoryMiB: 4096 },
      memory: false,
      log: () => undefined,
    });
    expect(over[0]!.didNotLoad).toBe('not within the time budget of 1 ms (its one bulk call had not returned)');
    expect(over[0]!.latency).toBeUndefined();
  });

  it('empties the stores after a point, except after the last one (the engines stop next)', async () => {
    const dataset = await wideTree(2_000);
    const requests = dataset.scenario.benchmark.map((r) => resolveRequest(r));
    const options = { trials: 1, durationMs: 10, warmupMs: 0, budget: { timeMs: 60_000, memoryMiB: 4096 }, memory: false, log: () => undefined };
    const allowedAfter = async (lastPoint: boolean) => {
      const engine = await reference();
      await measurePoint([engine], dataset, () => undefined, { ...options, lastPoint });
      const decisions = await Promise.all(requests.map((r) => engine.check(r)));
      return decisions.filter((d) => d.allowed).length;
    };
    expect(await allowedAfter(false)).toBe(0);
    expect(await allowedAfter(true)).toBeGreaterThan(0);
  });

  it('measures an embedded engine’s memory in a fresh process: more data, more bytes', { timeout: 180_000 }, async () => {
    const small = await wideTree(2_000);
    const large = await wideTree(20_000);
    const budget = { timeMs: 120_000, memoryMiB: 2048 };
    const a = await measureEngineMemory({ engine: 'reference', file: small.file, params: small.params, budget });
    const b = await measureEngineMemory({ engine: 'reference', file: large.file, params: large.params, budget });
    if ('error' in a || 'error' in b) throw new Error(`memory probe failed: ${JSON.stringify([a, b])}`);
    // Every relationship costs the engine something; ten times the data, several times the bytes.
    expect(a.bytes).toBeGreaterThan(small.scenario.relationships.length * 50);
    expect(b.bytes).toBeGreaterThan(a.bytes * 3);
  });

  it('reports the heap delta, or the RSS delta for an engine whose data lives outside the JS heap', () => {
    expect(engineMemory({ bytes: 100e6, rssBytes: 180e6 })).toEqual({ bytes: 100e6, method: HEAP_DELTA_METHOD });
    expect(engineMemory({ bytes: 2e6, rssBytes: 300e6 })).toEqual({ bytes: 300e6, method: RSS_DELTA_METHOD });
  });

  it('holds native memory (the RSS delta) to the memory budget, as a server’s RSS', () => {
    const budget = { timeMs: 1000, memoryMiB: 4096 };
    expect(overMemoryBudget(engineMemory({ bytes: 50e6, rssBytes: 6466 * 2 ** 20 }), budget)).toBe('memory 6466 MiB (RSS delta in a fresh process) over the budget of 4096 MiB');
    expect(overMemoryBudget(engineMemory({ bytes: 50e6, rssBytes: 4000 * 2 ** 20 }), budget)).toBeUndefined();
    expect(overMemoryBudget(engineMemory({ bytes: 173 * 2 ** 20, rssBytes: 300 * 2 ** 20 }), budget)).toBeUndefined();
  });

  it('says an engine over the memory budget did not load (the same budget holds a small store)', { timeout: 120_000 }, async () => {
    const budget = { timeMs: 60_000, memoryMiB: 48 };
    const small = await wideTree(100);
    expect(await measureEngineMemory({ engine: 'reference', file: small.file, params: small.params, budget })).toHaveProperty('bytes');
    const huge = await wideTree(60_000);
    expect(await measureEngineMemory({ engine: 'reference', file: huge.file, params: huge.params, budget })).toEqual({ error: 'heap over the memory budget of 48 MiB' });
  });
});

describe('micro phase', () => {
  it('is bounded by its time: a slow engine is not held to tinybench’s minimum of 64 iterations', async () => {
    const { scenario } = await wideTree(20);
    const engine = await reference();
    await engine.loadModel(scenario.model);
    await engine.write(resolveRelationships(scenario.relationships));
    // An engine whose every check takes 20 ms: 50 ms of time and no warm-up leave room for a few, not 64.
    const slow = {
      ...engine,
      check: async (r: Parameters<typeof engine.check>[0]) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return engine.check(r);
      },
    };
    const timed = await timeChecks(
      slow,
      scenario.benchmark.map((r) => resolveRequest(r)),
      { timeMs: 50, warmupMs: 0 },
    );
    expect(timed.samples.length).toBeGreaterThanOrEqual(1);
    expect(timed.samples.length).toBeLessThan(10);
  });
});

describe('scale section of the report', () => {
  it('keeps an engine that did not load, with why, beside those that did; ratios to the fastest per size', () => {
    const ci = (mean: number) => ({ mean, low: mean * 0.9, high: mean * 1.1, margin: mean * 0.1, n: 3 });
    const row = (engine: string, relationships: number, p50?: number, didNotLoad?: string): ScaleRecord => ({
      engine,
      scenario: 'scale-drive',
      relationships,
      requests: 1000,
      method: 'closed loop',
      ...(p50 === undefined ? {} : { p50: ci(p50), p99: ci(p50 * 4), setupMs: 1500, memoryMiB: 100, memoryMethod: 'server RSS: VmRSS', checks: 3000 }),
      ...(didNotLoad ? { didNotLoad } : {}),
    });
    const section = scaleSection({
      settings: {},
      micro: [],
      load: [],
      slo: [],
      curves: [],
      scale: [row('reference', 100_000, 0.02), row('openfga', 100_000, 0.5), row('reference', 1_000_000, 0.04), row('openfga', 1_000_000, undefined, 'not within the time budget of 300 s')],
    })!;
    const [table] = section.tables;
    expect(table!.groups.map((g) => g.label)).toEqual(['10^5 relationships', '10^6 relationships']);
    const text = (g: number, r: number) => table!.groups[g]!.rows[r]!.cells.map((c) => c.text);
    expect(text(0, 1)).toEqual(['openfga', '500 µs ± 50 µs', '2.00 ms ± 200 µs', '25.0×', '1.5 s', '100 MiB', '3,000', 'loaded']);
    expect(text(1, 0)[3]).toBe('1.00×');
    expect(text(1, 1)).toEqual(['openfga', '–', '–', '–', '–', '–', '–', 'did not load: not within the time budget of 300 s']);
    expect(table!.groups[0]!.rows[1]!.cells[5]!.note).toBe('server RSS');
  });

  it("gives the adapter's memory note beside the method (Cerbos's relationships are not in its server)", () => {
    const record: ScaleRecord = {
      engine: 'cerbos',
      scenario: 'scale-drive',
      relationships: 100_000,
      requests: 1000,
      method: 'm',
      memoryMiB: 90,
      memoryMethod: 'server RSS: VmRSS',
      memoryNote: 'not counted',
    };
    const section = scaleSection({ settings: {}, micro: [], load: [], slo: [], curves: [], scale: [record] })!;
    expect(section.tables[0]!.groups[0]!.rows[0]!.cells[5]!.note).toBe('server RSS; not counted');
  });
});
