// Cross-checks the harness's latency figures with an independent tool: wrk (Debian)
// and the harness's open loop measure the same OPA decision endpoint, with the same
// request body, at the same rate, alternately. wrk 4 has no fixed-rate mode, so its
// connections are paced with a Lua delay(); the harness then runs at the rate wrk achieved.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { OpaAdapter } from '../../adapters/opa/adapter.ts';
import opa from '../../adapters/opa/index.ts';
import { InputError } from '../core/errors.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import { resolveRelationships } from '../runner/now.ts';
import { bundledScenarioFiles, loadScenarioFile } from '../scenario/load.ts';

const run = promisify(execFile);

export interface CrosscheckOptions {
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
  log: (m: string) => void;
}

export interface CrosscheckRow {
  tool: 'harness' | 'wrk';
  round: number;
  rate: number;
  p50: number;
  p99: number;
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
  if (!enginePid) throw new InputError('--pin', '', 'the OPA process id is unknown (a url engine?)', 'run without --pin');
  if (cpus().length < 2) throw new InputError('--pin', '', `needs 2 CPUs, this machine has ${cpus().length}`, 'run without --pin');
  await run('taskset', ['-a', '-p', '-c', '1', String(enginePid)]);
  await run('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);
  log(`pinned: OPA (pid ${enginePid}) to CPU 1; the harness and wrk to CPU 0`);
}

export async function crosscheck(options: CrosscheckOptions): Promise<CrosscheckRow[]> {
  await run('wrk', ['--version']).catch((error: NodeJS.ErrnoException & { stdout?: string }) => {
    // wrk --version exits 1 after printing; only a missing binary is a problem
    if (error.code === 'ENOENT') throw new InputError('wrk', '', 'wrk is not installed', 'apt-get install wrk');
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-crosscheck-'));
  const adapter = opa.create('nolog') as OpaAdapter;
  const file = (await bundledScenarioFiles()).find((f) => path.basename(f) === `${options.scenario}.yaml`);
  if (!file) throw new InputError('--scenario', options.scenario, 'no bundled scenario with this id', "run 'authz-bench list scenarios'");
  const scenario = await loadScenarioFile(file, { generateParams: options.params });
  await adapter.start({ resultsDir: dir, options: { launch: 'local' }, log: options.log });
  try {
    await adapter.loadModel(scenario.model);
    await adapter.write(resolveRelationships(scenario.relationships));
    const request = scenario.benchmark[options.request % scenario.benchmark.length]!;
    options.log(`request: ${JSON.stringify(request)}`);
    const { url, headers, pid } = adapter.decisionEndpoint();
    if (options.pin) await pinCores(pid, options.log);
    const script = path.join(dir, 'check.lua');
    const delayMs = (options.connections * 1000) / options.rate;
    writeFileSync(
      script,
      [
        'wrk.method = "POST"',
        `wrk.body = ${JSON.stringify(JSON.stringify({ input: request }))}`,
        'wrk.headers["Content-Type"] = "application/json"',
        ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
        `function delay() return ${delayMs.toFixed(3)} end`,
        '',
      ].join('\n'),
    );
    const rows: CrosscheckRow[] = [];
    // Warm both paths once, unmeasured.
    await runOpenLoop(async () => !(await adapter.check(request)).error, { rate: options.rate, connections: options.connections, durationMs: 1000, warmupMs: 0 });
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
      });
      rows.push({ tool: 'harness', round, rate: h.throughput, p50: h.latency.p50, p99: h.latency.p99 });
      options.log(`round ${round} harness: ${h.throughput.toFixed(0)}/s, p50 ${h.latency.p50.toFixed(3)} ms, p99 ${h.latency.p99.toFixed(3)} ms`);
    }
    return rows;
  } finally {
    await adapter.stop();
  }
}
