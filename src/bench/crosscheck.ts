// Cross-checks the harness's latency figures with an independent tool: wrk (Debian)
// and the harness's open loop measure the same decision endpoint (by default OPA's; any
// engine whose adapter gives an httpCheck), with the same request, at the same rate, alternately. wrk 4 has no fixed-rate mode, so its
// connections are paced with a Lua delay(); the harness then runs at the rate wrk achieved.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EngineAdapter } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { runOpenLoop, type Pacing } from '../load/open-loop.ts';
import { resolveEngineSpecs } from '../engines/registry.ts';
import { withEngine } from '../runner/engine-session.ts';
import { LOAD_DEADLINE_MS, loadScenario } from '../runner/load-scenario.ts';
import { resolveRequest } from '../runner/now.ts';
import { bundledScenarioFiles, loadScenarioFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';

const run = promisify(execFile);

export interface CrosscheckOptions {
  /** The engine measured, e.g. `opa[nolog]`; its adapter must give an httpCheck. */
  engine: string;
  rate: number;
  connections: number;
  durationS: number;
  rounds: number;
  /** The scenario whose model and relationships are loaded, and which of its benchmark requests is sent. */
  scenario: string;
  request: number;
  /** Overrides of the scenario's generator parameters (a larger graph makes a costlier check). */
  params: Record<string, number>;
  /**
   * Pin OPA to CPU 1 and this process (and the wrk it starts) to CPU 0 with taskset, so that
   * the clients do not compete with the engine for a core.
   */
  pin: boolean;
  /** How the harness's open loop paces its sends (src/load/open-loop.ts). */
  pacing: Pacing;
  log: (m: string) => void;
}

export interface CrosscheckRow {
  tool: 'harness' | 'wrk';
  round: number;
  rate: number;
  /** From the actual send time: what wrk 4 measures, so the like-for-like comparison. */
  p50: number;
  p99: number;
  /** Harness only: from the intended send time (coordinated omission corrected), as its reports give. */
  correctedP50?: number;
  correctedP99?: number;
}

/** wrk prints latencies as `50%  612.00us`, `99%    1.93ms`. */
export function parseWrk(output: string): { p50: number; p99: number; rate: number } {
  const ms = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!m) throw new Error(`wrk printed no ${p}% latency:\n${output}`);
    return ms(m[1]!, m[2]!);
  };
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!rate) throw new Error(`wrk printed no Requests/sec:\n${output}`);
  return { p50: pct('50'), p99: pct('99'), rate: Number(rate[1]) };
}

async function pinCores(enginePid: number | undefined, log: (m: string) => void): Promise<void> {
  if (!enginePid) throw new InputError('--pin', '', "the engine's process id is unknown (a url engine?)", 'run without --pin');
  if (cpus().length < 2) throw new InputError('--pin', '', `needs 2 CPUs, this machine has ${cpus().length}`, 'run without --pin');
  await run('taskset', ['-a', '-p', '-c', '1', String(enginePid)]);
  await run('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);
  log(`pinned: the engine (pid ${enginePid}) to CPU 1; the harness and wrk to CPU 0`);
}

export async function crosscheck(options: CrosscheckOptions): Promise<CrosscheckRow[]> {
  await run('wrk', ['--version']).catch((error: NodeJS.ErrnoException & { stdout?: string }) => {
    // wrk --version exits 1 after printing; only a missing binary is a problem
    if (error.code === 'ENOENT') throw new InputError('wrk', '', 'wrk is not installed', 'apt-get install wrk');
  });
  const [spec] = await resolveEngineSpecs([options.engine]);
  if (!spec) throw new InputError('--engine', options.engine, 'no engine given', 'e.g. --engine opa[nolog]');
  const file = (await bundledScenarioFiles()).find((f) => path.basename(f) === `${options.scenario}.yaml`);
  if (!file) throw new InputError('--scenario', options.scenario, 'no bundled scenario with this id', "run 'authz-bench list scenarios'");
  const scenario = await loadScenarioFile(file, { generateParams: options.params });
  const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-crosscheck-'));
  try {
    const outcome = await withEngine(spec, { resultsDir: dir, strategy: 'local', log: options.log }, (adapter) => measure(adapter, scenario, dir, options));
    if (!outcome.started) throw new Error(`${spec.id} ${outcome.reason}`);
    return outcome.value;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(adapter: EngineAdapter, scenario: Scenario, dir: string, options: CrosscheckOptions): Promise<CrosscheckRow[]> {
  await loadScenario(adapter, scenario, { deadlineMs: LOAD_DEADLINE_MS });
  const request = resolveRequest(scenario.benchmark[options.request % scenario.benchmark.length]!);
  options.log(`request: ${JSON.stringify(request)}`);
  const http = adapter.httpCheck(request);
  if (!http) throw new InputError('--engine', options.engine, 'this engine has no HTTP decision endpoint to cross-check', 'use --engine opa[nolog]');
  if (options.pin) await pinCores(http.pid, options.log);
  const script = path.join(dir, 'check.lua');
  const delayMs = (options.connections * 1000) / options.rate;
  writeFileSync(
    script,
    [
      `wrk.method = ${JSON.stringify(http.method)}`,
      ...(http.body === undefined ? [] : [`wrk.body = ${JSON.stringify(http.body)}`]),
      ...Object.entries(http.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
      `function delay() return ${delayMs.toFixed(3)} end`,
      '',
    ].join('\n'),
  );
  const url = http.url;
  const rows: CrosscheckRow[] = [];
  // Warm up, unmeasured: a few thousand checks as fast as they go, so that V8 has compiled
  // the harness's check path (a second of paced checks left the first round 15% slower).
  await runClosedLoop(async () => !(await adapter.check(request)).error, { concurrency: options.connections, durationMs: 3000, warmupMs: 0 });
  for (let round = 1; round <= options.rounds; round++) {
    const { stdout } = await run('wrk', ['-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--latency', '-s', script, url]);
    const w = parseWrk(stdout);
    rows.push({ tool: 'wrk', round, ...w });
    options.log(`round ${round} wrk:     ${w.rate.toFixed(0)}/s, p50 ${w.p50.toFixed(3)} ms, p99 ${w.p99.toFixed(3)} ms`);
    const h = await runOpenLoop(async () => !(await adapter.check(request)).error, {
      rate: w.rate,
      connections: options.connections,
      durationMs: options.durationS * 1000,
      warmupMs: 500,
      pacing: options.pacing,
    });
    const service = h.serviceTime ?? h.latency;
    rows.push({ tool: 'harness', round, rate: h.throughput, p50: service.p50, p99: service.p99, correctedP50: h.latency.p50, correctedP99: h.latency.p99 });
    options.log(
      `round ${round} harness: ${h.throughput.toFixed(0)}/s, p50 ${service.p50.toFixed(3)} ms, p99 ${service.p99.toFixed(3)} ms` +
        ` (from the intended send time: p50 ${h.latency.p50.toFixed(3)} ms, p99 ${h.latency.p99.toFixed(3)} ms)`,
    );
  }
  return rows;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The rounds as a Markdown table and the verdict: the harness's service time against wrk's
 * latency (both from the actual send), medians over the rounds, and whether p50 agrees within 10%.
 */
export function crosscheckTable(rows: CrosscheckRow[]): string {
  const out = [
    '| round | wrk rate/s | wrk p50 | wrk p99 | harness rate/s | harness p50 | harness p99 | harness from intended send: p50 / p99 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(3)} ms`);
  for (const w of rows.filter((r) => r.tool === 'wrk')) {
    const h = rows.find((r) => r.tool === 'harness' && r.round === w.round);
    out.push(
      `| ${w.round} | ${w.rate.toFixed(0)} | ${ms(w.p50)} | ${ms(w.p99)} | ${h ? h.rate.toFixed(0) : '–'} | ${ms(h?.p50)} | ${ms(h?.p99)} | ${ms(h?.correctedP50)} / ${ms(h?.correctedP99)} |`,
    );
  }
  const of = (tool: CrosscheckRow['tool'], key: 'p50' | 'p99') => median(rows.filter((r) => r.tool === tool).map((r) => r[key]));
  const p50 = of('harness', 'p50') / of('wrk', 'p50');
  const p99 = of('harness', 'p99') / of('wrk', 'p99');
  out.push(
    '',
    `Medians over ${Math.max(...rows.map((r) => r.round))} rounds: p50 harness ${ms(of('harness', 'p50'))}, wrk ${ms(of('wrk', 'p50'))} (harness/wrk ${p50.toFixed(3)}, ${Math.abs(p50 - 1) <= 0.1 ? 'within' : 'NOT within'} 10%); ` +
      `p99 harness ${ms(of('harness', 'p99'))}, wrk ${ms(of('wrk', 'p99'))} (harness/wrk ${p99.toFixed(3)}).`,
  );
  return out.join('\n');
}
