// Load from external generators (src/loadgen/): vegeta's formats, the import's statistics on
// hits with known timings, the export's refusals, and the loopback test: two vegeta processes
// against a real local OPA, merged by import-load, against the harness's own open loop at the
// same rate (p50 within 10%, medians over alternating rounds, as the wrk cross-check).

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import { installEngines } from '../../src/engines/install.ts';
import { binaryPath, isInstalled } from '../../src/engines/paths.ts';
import { createEngine } from '../../src/engines/registry.ts';
import { runClosedLoop } from '../../src/load/closed-loop.ts';
import { runOpenLoop, TIMER_SLACK_MS } from '../../src/load/open-loop.ts';
import { runTrials } from '../../src/load/trials.ts';
import { exportLoad, httpChecks } from '../../src/loadgen/export.ts';
import { attackName, parseAttackName, type AttackLabel, type GeneratorHit, type LoadPlan } from '../../src/loadgen/generator.ts';
import { importHits, importRecords, readPlan } from '../../src/loadgen/import.ts';
import { parseTimestamp, vegeta } from '../../src/loadgen/vegeta.ts';
import { resolveRequest } from '../../src/runner/now.ts';
import { loadScenarioFile, PROJECT_ROOT } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { RunResults } from '../../src/results/types.ts';
import { engineSpec, startEngine } from '../helpers/engines.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');

describe('vegeta formats', () => {
  it('reads RFC 3339 times to the nanosecond, in any offset', () => {
    expect(parseTimestamp('2026-11-30T05:14:24.033482067Z')).toEqual({ s: Date.UTC(2026, 10, 30, 5, 14, 24) / 1000, ns: 33_482_067 });
    expect(parseTimestamp('2026-11-30T06:14:24.5+01:00')).toEqual({ s: Date.UTC(2026, 10, 30, 5, 14, 24) / 1000, ns: 500_000_000 });
    expect(parseTimestamp('2026-11-30T05:14:24Z').ns).toBe(0);
    expect(() => parseTimestamp('yesterday')).toThrow(/RFC 3339/);
  });

  it('names attacks with everything import-load needs, and reads the names back', () => {
    const label: AttackLabel = { trial: 2, machine: 'gen-3.eu', ratePerMachine: 500, warmupMs: 1000, durationMs: 10_000 };
    expect(parseAttackName(attackName(label))).toEqual(label);
    expect(parseAttackName('some other attack')).toBeUndefined();
  });

  it('writes one JSON target per request: body in base64, headers as lists, no credentials', () => {
    const body = JSON.stringify({ input: { subject: { type: 'user', id: 'u1' } } });
    const text = vegeta.targets([{ method: 'POST', url: 'http://h:1/v1/data/x/allow', headers: { 'content-type': 'application/json', authorization: 'Bearer secret' }, body }]);
    const [line, rest] = text.split('\n');
    expect(rest).toBe('');
    const target = JSON.parse(line!) as { method: string; url: string; body: string; header: Record<string, string[]> };
    expect(target).toEqual({ method: 'POST', url: 'http://h:1/v1/data/x/allow', body: Buffer.from(body).toString('base64'), header: { 'content-type': ['application/json'] } });
    expect(text).not.toContain('secret');
  });
});

/** Hits of one machine's attack at `rate`, on schedule (hit n at (n+1)/rate), each taking `latencyMs` unless `late` says otherwise. */
function attack(label: AttackLabel, count: number, latencyMs: number, startS: number, late: Record<number, number> = {}): GeneratorHit[] {
  const interval = 1000 / label.ratePerMachine;
  return Array.from({ length: count }, (_, seq) => {
    const sentMs = (seq + 1) * interval + (late[seq] ?? 0);
    return { file: `${label.machine}.bin`, attack: label, seq, sentS: startS + Math.floor(sentMs / 1000), sentNs: Math.round((sentMs % 1000) * 1e6), latencyMs, ok: true };
  });
}

async function* stream(hits: GeneratorHit[]): AsyncGenerator<GeneratorHit> {
  yield* hits;
}

/** The hits with their warm-up counted as measured time. */
async function* withoutWarmup(hits: AsyncIterable<GeneratorHit>): AsyncGenerator<GeneratorHit> {
  for await (const h of hits) yield { ...h, attack: { ...h.attack, warmupMs: 0, durationMs: h.attack.warmupMs + h.attack.durationMs + 1 } };
}

describe('import-load statistics', () => {
  // Measured window [1005, 3005) ms: hits at 10, 20, ... 3000 ms, none on its edges.
  const label = (machine: string, trial = 1): AttackLabel => ({ trial, machine, ratePerMachine: 100, warmupMs: 1005, durationMs: 2000 });
  const T0 = 1_800_000_000;

  it('merges the machines of a trial into one histogram, without the warm-up; throughput is their sum', async () => {
    const hits = [...attack(label('a'), 300, 0.5, T0), ...attack(label('b'), 300, 1.5, T0)];
    const { summary, mark, trials, warnings } = await importHits(stream(hits), vegeta);
    expect(mark).toEqual({ name: 'Vegeta', version: '12.13.0', machines: 2, ratePerMachine: 100 });
    expect(trials).toEqual([{ trial: 1, machines: ['a', 'b'], overlap: 1 }]);
    expect(warnings).toEqual([]);
    const [trial] = summary.trials;
    // 100 of each machine's 300 hits fall in the warm-up.
    expect(trial!.latency.count).toBe(400);
    expect(trial!.targetRate).toBe(200);
    expect(trial!.throughput).toBeCloseTo(200, 0);
    // Half the hits took 0.5 ms, half 1.5 ms: HdrHistogram's p50 is the upper end of the lower half.
    expect(trial!.latency.p50).toBeCloseTo(0.5, 2);
    expect(trial!.latency.p99).toBeCloseTo(1.5, 2);
  });

  it('counts a hit the generator sent late from its intended send time (coordinated omission corrected), beyond the timer slack', async () => {
    // Machine stalled 100 ms before hit 150: it went out 100 ms late, then the pacer caught up.
    const hits = attack(label('a'), 300, 1, T0, { 150: 100, 151: 90, 152: 80, 153: 70, 154: 60, 155: 50, 156: 40, 157: 30, 158: 20, 159: 10 });
    const { summary } = await importHits(stream(hits), vegeta);
    const trial = summary.trials[0]!;
    expect(trial.serviceTime!.max).toBeCloseTo(1, 2);
    // 1 ms of service + 100 ms late - the 1 ms the open loop's timers may be late for free.
    expect(trial.latency.max).toBeCloseTo(1 + 100 - TIMER_SLACK_MS, 0);
    expect(trial.latency.count).toBe(200);
    // Sends late by less than the slack (a timer's granularity) cost nothing, as in the open loop.
    const jittery = attack(label('b'), 300, 1, T0, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [i, i % 2 ? 0.7 : 0.1])));
    expect((await importHits(stream(jittery), vegeta)).summary.trials[0]!.latency.max).toBeCloseTo(1, 2);
  });

  it('gives intervals over trials and the SLO verdict of the built-in open loop; warns when machines did not overlap', async () => {
    const hits = [...attack(label('a', 1), 300, 1, T0), ...attack(label('b', 1), 300, 1, T0 + 2), ...attack(label('a', 2), 300, 2, T0 + 10), ...attack(label('b', 2), 300, 2, T0 + 10)];
    const imported = await importHits(stream(hits), vegeta);
    expect(imported.warnings).toEqual([expect.stringMatching(/^trial 1: the machines' measured windows overlap for 0% of the duration/)]);
    expect(imported.summary.p50.n).toBe(2);
    expect(imported.summary.p50.mean).toBeCloseTo(1.5, 2);
    expect(imported.summary.p50.margin).toBeGreaterThan(0);
    const plan = { engine: { id: 'opa' }, scenario: { id: 'load-mix' } } as Parameters<typeof importRecords>[0];
    const pass = importRecords(plan, imported, 50);
    expect(pass.slo).toMatchObject({ pass: true, targetRate: 200, highestPassingRate: 200, generator: { machines: 2, ratePerMachine: 100 } });
    expect(pass.load).toMatchObject({ mode: 'open', trials: 2, generator: { name: 'Vegeta' } });
    expect(pass.load.method).toContain('Vegeta 12.13.0 on 2 machines at 100/s each (200/s in all)');
    expect(importRecords(plan, imported, 1).slo).toMatchObject({ pass: false, ramp: [] });
  });

  it('refuses results of different exports mixed together, and attacks it did not name', async () => {
    const mixed = [...attack(label('a'), 10, 1, T0), ...attack({ ...label('b'), ratePerMachine: 50 }, 10, 1, T0)];
    await expect(importHits(stream(mixed), vegeta)).rejects.toThrow(/b\.bin at attack: rate 50\/s.*import the results of one export together/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'authz-bench-loadgen-')), 'other.json');
    writeFileSync(file, `${JSON.stringify({ attack: 'by hand', seq: 0, code: 200, timestamp: '2026-11-30T05:14:24Z', latency: 1000, error: '' })}\n`);
    await expect(importHits(vegeta.readResults([file], 'vegeta'), vegeta)).rejects.toThrow(InputError);
    await expect(importHits(vegeta.readResults([file], 'vegeta'), vegeta)).rejects.toThrow(/line 1: attack "by hand" was not started by an exported run script/);
  });
});

const loadMix = async (): Promise<Scenario[]> => [await loadScenarioFile(path.join(PROJECT_ROOT, 'scenarios', 'load', 'load-mix.yaml'))];

describe('export refusals', () => {
  it('bad input on the command line: exit 2, one line naming the place and the fix, no stack', async () => {
    const bad = await run(process.execPath, [CLI, 'export', 'locust', '--engine', 'opa=http://127.0.0.1:1']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: 'error: <generator> at locust: no such load generator (fix: use one of: vegeta)\n' });
    const missing = await run(process.execPath, [CLI, 'import-load', 'vegeta', '/nonexistent/m1-trial1.bin']).catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: \/nonexistent\/m1-trial1.bin: no such results file \(fix: .*\)\n$/) });
  });

  it('an engine whose adapter has no HTTP request for a check is named, with the fix', async () => {
    const [scenario] = await loadMix();
    const reference = createEngine(await engineSpec('reference'));
    expect(() => httpChecks(reference, scenario!, Date.now())).toThrow(
      /--engine at reference: its adapter gives no HTTP request for a check \(httpCheck\).*fix: use an engine whose adapter implements httpCheck \(see docs\/benchmarking.md\), or add it to the adapter in adapters\/reference\//,
    );
  });

  it('an engine without a URL: the machines need one', async () => {
    const [scenario] = await loadMix();
    await expect(
      exportLoad(vegeta, await engineSpec('opa'), scenario!, {
        outDir: tmpdir(),
        machines: 2,
        rate: 100,
        trials: 1,
        warmupMs: 0,
        durationMs: 1000,
        sloMs: 50,
        load: false,
        command: 'test',
        log: () => {},
      }),
    ).rejects.toThrow(/export needs the URL of the running engine.*--engine opa=http:\/\/host:port/);
  });
});

// The loopback test. vegeta is installed by its recipe (src/loadgen/vegeta.ts) through the
// engines' installer: seconds with a warm Go cache, about a minute on a cold one.
const opaReady = isInstalled((await engineSpec('opa')).definition);
const vegetaInstall = opaReady ? (await installEngines([vegeta], { log: () => {} })).results[0] : undefined;
const skipReason = !opaReady
  ? 'OPA is not installed (run `authz-bench engines install`)'
  : vegetaInstall?.status === 'failed'
    ? `vegeta could not be installed: ${vegetaInstall.message}`
    : undefined;
if (skipReason) console.warn(`loadgen loopback test skipped: ${skipReason}`);

const RATE = 400;
const DURATION_MS = 2000;
const WARMUP_MS = 500;
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(3)} ms`;

interface Round {
  round: number;
  /** p50 from the intended send time, what results.json holds for both. */
  vegeta: number;
  harness: number;
  /** p50 from the actual send. */
  vegetaFromSend: number;
  harnessFromSend: number;
  vegetaRate: number;
  harnessRate: number;
}

describe.skipIf(!!skipReason)(`loopback: 2 vegeta processes against a local OPA vs the harness's open loop at ${RATE}/s${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let engine: EngineAdapter;
  /** 1-minute load average before the engine started: others' work on this machine. */
  let loadBefore = 0;
  const rounds: Round[] = [];
  beforeAll(async () => {
    loadBefore = loadavg()[0] ?? 0;
    engine = await startEngine('opa[nolog]');
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
    if (cpus().length >= 2) await run('taskset', ['-a', '-p', '-c', `0-${cpus().length - 1}`, String(process.pid)]);
  });

  it(`exports, runs 2 vegeta processes in ${ROUNDS} rounds alternating with the open loop, imports with the same statistics`, async () => {
    const [scenario] = await loadMix();
    const http = engine.httpCheck(scenario!.benchmark[0]!)!;
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-loadgen-'));
    // The export loads the scenario through the URL, as a user does against a test deployment.
    const plan = await exportLoad(vegeta, await engineSpec(`opa[nolog]=${new URL(http.url).origin}`), scenario!, {
      outDir: dir,
      machines: 2,
      rate: RATE,
      trials: 1,
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
      sloMs: 50,
      load: true,
      command: 'loadgen.test.ts',
      log: () => {},
    });
    expect(plan).toMatchObject({ machines: 2, ratePerMachine: RATE / 2, requests: scenario!.benchmark.length, tokenVariable: 'AUTHZ_BENCH_OPA_TOKEN' });
    // OPA by URL tells its version (opa.runtime() through the query API): the plan records it.
    expect(plan.engine).toMatchObject({ id: 'opa[nolog]', launch: 'url', version: (await engineSpec('opa')).definition.version });
    expect(readPlan(dir, []).plan).toEqual(plan);

    // As `crosscheck --pin`: OPA on CPU 1, this process and the vegeta processes it starts on
    // CPU 0, so that no client competes with the engine for a core (docs/benchmarking.md).
    if (http.pid && cpus().length >= 2) {
      await run('taskset', ['-a', '-p', '-c', '1', String(http.pid)]);
      await run('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);
    }
    const requests = scenario!.benchmark.map((r) => resolveRequest(r));
    const check = async (i: number) => !(await engine.check(requests[i % requests.length]!)).error;
    // Unmeasured warm-up of the harness's check path (as crosscheck does) and of OPA.
    await runClosedLoop(check, { concurrency: 4, durationMs: 1000, warmupMs: 0 });

    let files: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Two machines' shares, started together; each writes results/<machine>-trial1.bin.
      await Promise.all(['m1', 'm2'].map((m) => run(path.join(dir, 'run.sh'), [m], { env: { ...process.env, VEGETA: binaryPath(vegeta) } })));
      const roundDir = path.join(dir, `round${round}`);
      mkdirSync(roundDir);
      for (const f of readdirSync(path.join(dir, 'results'))) renameSync(path.join(dir, 'results', f), path.join(roundDir, f));
      files = readdirSync(roundDir).map((f) => path.join(roundDir, f));
      const imported = await importHits(vegeta.readResults(files, binaryPath(vegeta)), vegeta);
      expect(imported.warnings).toEqual([]);
      expect(imported.summary.errors).toBe(0);
      expect(imported.mark).toMatchObject({ machines: 2, ratePerMachine: RATE / 2 });
      const trial = imported.summary.trials[0]!;
      expect(trial.latency.count).toBeGreaterThan(RATE * (DURATION_MS / 1000) * 0.95);

      const harness = await runTrials(1, () => runOpenLoop(check, { rate: RATE, connections: 4, durationMs: DURATION_MS, warmupMs: WARMUP_MS }));
      expect(harness.errors).toBe(0);
      rounds.push({
        round,
        vegeta: imported.summary.p50.mean,
        harness: harness.p50.mean,
        vegetaFromSend: trial.serviceTime!.p50,
        harnessFromSend: harness.trials[0]!.serviceTime!.p50,
        vegetaRate: trial.throughput,
        harnessRate: harness.throughput.mean,
      });
    }
    console.log(
      [
        `load average before: ${loadBefore.toFixed(2)} on ${cpus().length} cores; after: ${loadavg()[0]!.toFixed(2)}`,
        `| round | vegeta ×2 rate/s | vegeta p50 | harness rate/s | harness p50 | p50 from send: vegeta / harness |`,
        `| --- | --- | --- | --- | --- | --- |`,
        ...rounds.map(
          (r) => `| ${r.round} | ${r.vegetaRate.toFixed(0)} | ${ms(r.vegeta)} | ${r.harnessRate.toFixed(0)} | ${ms(r.harness)} | ${ms(r.vegetaFromSend)} / ${ms(r.harnessFromSend)} |`,
        ),
        `medians: p50 vegeta ${ms(median(rounds.map((r) => r.vegeta)))}, harness ${ms(median(rounds.map((r) => r.harness)))} (harness/vegeta ${(median(rounds.map((r) => r.harness)) / median(rounds.map((r) => r.vegeta))).toFixed(3)})`,
      ].join('\n'),
    );

    // The import reads vegeta's results as vegeta does: over the same hits (the warm-up counted,
    // as vegeta's report counts it), its p50 from send is vegeta's own (a t-digest there).
    const { stdout } = await run(binaryPath(vegeta), ['report', '-type=json', ...files]);
    const own = JSON.parse(stdout) as { latencies: { '50th': number }; requests: number };
    const everyHit = await importHits(withoutWarmup(vegeta.readResults(files, binaryPath(vegeta))), vegeta);
    expect(Math.abs(everyHit.summary.trials[0]!.latency.count - own.requests)).toBeLessThanOrEqual(2);
    expect(Math.abs(everyHit.summary.trials[0]!.serviceTime!.p50 / (own.latencies['50th'] / 1e6) - 1)).toBeLessThan(0.05);

    // JSON lines (`vegeta encode`, e.g. to filter them with jq first) read the same as gob.
    const encoded = path.join(dir, 'round-encoded.json');
    writeFileSync(encoded, (await run(binaryPath(vegeta), ['encode', '-to', 'json', ...files], { maxBuffer: 64 * 2 ** 20 })).stdout);
    const fromJson = await importHits(vegeta.readResults([encoded], 'vegeta-not-needed-for-json'), vegeta);
    const fromGob = await importHits(vegeta.readResults(files, binaryPath(vegeta)), vegeta);
    expect(fromJson.summary.trials[0]).toEqual(fromGob.summary.trials[0]);

    // The command a user runs on the collected files: a results file `report` and `compare` read.
    const out = path.join(dir, 'imported');
    const { stderr } = await run(process.execPath, [CLI, 'import-load', 'vegeta', '--export', dir, '--out', out, ...files], { env: process.env });
    expect(stderr).toMatch(/opa\[nolog\] load-mix: 2 machines × 200\/s, 1 trials: .* 0 errors\nSLO p99 <= 50 ms at 400\/s: (PASS|FAIL)/);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.engines.map((e) => e.id)).toEqual(['opa[nolog]']);
    // This machine's load is not the generators': compare must not flag the figures by it.
    expect(results.run.loadAverage).toBeUndefined();
    expect(results.bench!.load[0]).toMatchObject({
      engine: 'opa[nolog]',
      scenario: 'load-mix',
      mode: 'open',
      targetRate: 400,
      trials: 1,
      errors: 0,
      generator: { name: 'Vegeta', version: '12.13.0', machines: 2, ratePerMachine: 200 },
    });
    expect(results.bench!.slo[0]).toMatchObject({ targetRate: 400, thresholdMs: 50, generator: { machines: 2 } });
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('Vegeta 12.13.0 on 2 machines at 200/s each (400/s in all)');
  }, 90_000);
  // The p50 comparison with the open loop is printed above, not asserted: timing on a shared
  // machine is a measurement (docs/benchmarking.md has the figures), not a unit test's verdict.
});

// What users run on their machines: valid POSIX shell, whose attack names import-load reads.
describe('export files', () => {
  it('run.sh passes `sh -n` and names its attacks as import-load reads them', async () => {
    const plan: LoadPlan = {
      format: 'authz-bench-export/1',
      generator: { id: 'vegeta', version: '12.13.0' },
      engine: { id: 'opa', name: 'Open Policy Agent', version: '1.22.4', launch: 'url', settings: {}, decisionLog: 'decision' },
      scenario: { id: 'load-mix', title: 'Load mix', tags: [], file: 'scenarios/load/load-mix.yaml' },
      requests: 20,
      machines: 3,
      ratePerMachine: 500,
      trials: 3,
      warmupMs: 1000,
      durationMs: 10_000,
      periodS: 13,
      sloMs: 50,
      tokenVariable: 'AUTHZ_BENCH_OPA_TOKEN',
      exportedAt: '2026-11-30T05:00:00.000Z',
      command: 'test',
    };
    const script = path.join(mkdtempSync(path.join(tmpdir(), 'authz-bench-loadgen-')), 'run.sh');
    writeFileSync(script, vegeta.runScript(plan));
    await run('sh', ['-n', script]);
    const text = readFileSync(script, 'utf8');
    expect(text).toContain('-name="authz-bench trial=$trial machine=$MACHINE rate=$RATE warmup=$WARMUP_MS duration=$DURATION_MS"');
    expect(text).toContain('RATE=500            # checks/s from this machine (3 machines: 1500/s in all)');
    expect(text).not.toMatch(/Bearer [^$]/);
    // A machine name that would break the attack name is refused before anything runs.
    await expect(run('sh', [script, 'bad name'])).rejects.toMatchObject({ code: 2 });
  });
});
