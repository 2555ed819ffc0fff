// The harness as a whole: Ctrl-C stops every engine and keeps the results; every server
// it starts listens on 127.0.0.1 only; a credential given for a `url` engine never
// appears in results, logs or reports.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import openfgaDefinition from '../../adapters/openfga/index.ts';
import opaDefinition from '../../adapters/opa/index.ts';
import { DEFAULT_OPENFGA_SETTINGS, startOpenFga } from '../../adapters/openfga/launcher.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import type { EngineSpec } from '../../src/engines/registry.ts';
import { groupPids } from '../../src/engines/process.ts';
import { listeningSockets } from '../../src/engines/sockets.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');
// Engines named on purpose (real servers whose behaviour these tests need): OpenFGA as the
// server reached by URL with a token, OPA as the server killed mid-run.
const openfga = isInstalled(openfgaDefinition);
const spec = (definition: EngineSpec['definition']): EngineSpec => ({ definition, id: definition.id, text: definition.id });

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe.skipIf(!openfga)('harness security and shutdown (real OpenFGA)', () => {
  it('SIGINT mid-run: engines listened on 127.0.0.1 only, all stopped, results kept, exit 130', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-sigint-'));
    const cli = spawn(process.execPath, [CLI, 'run', '--engine', 'openfga', '--out', out, '--bench-time', '5000'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    // Wait until the first scenario has finished, so the engine is busy benchmarking.
    const deadline = Date.now() + 60_000;
    while (!/passed/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toMatch(/passed/);
    const engines = childrenOf(cli.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('openfga'));
    expect(engines.length).toBe(1);
    const sockets = engines.flatMap((pid) => listeningSockets(pid));
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.filter((s) => s.address !== '127.0.0.1')).toEqual([]);

    cli.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(engines.flatMap((pid) => groupPids(pid))).toEqual([]);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.cases.length).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'cases.jsonl'), 'utf8').trim().split('\n').length).toBe(results.cases.length);
  });

  it('a url engine credential from the environment appears in no results, log or report', async () => {
    const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'authz-bench-url-')), 'openfga.log');
    const server = await startOpenFga(openfgaDefinition, DEFAULT_OPENFGA_SETTINGS, { launch: { strategy: 'local' }, logFile });
    try {
      const secret = `planted-secret-${Math.random().toString(36).slice(2)}`;
      const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-secret-'));
      const code = await new Promise<number | null>((resolve) => {
        const cli = spawn(process.execPath, [CLI, 'run', '--engine', `openfga=${server.url}`, '--scenario', 'authzen-todo', '--out', out, '--bench-time', '50'], {
          stdio: 'ignore',
          env: { ...process.env, AUTHZ_BENCH_OPENFGA_TOKEN: secret },
        });
        cli.on('exit', resolve);
      });
      expect(code).toBe(0);
      const files = filesUnder(out);
      expect(files.some((f) => f.endsWith('results.json'))).toBe(true);
      for (const file of [...files, logFile].filter((f) => existsSync(f) && statSync(f).size < 50_000_000)) {
        expect(readFileSync(file, 'utf8'), file).not.toContain(secret);
      }
      const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
      expect(results.engines[0].launch).toBe('url');
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(!isInstalled(opaDefinition))('a real engine killed mid-run (OPA, SIGKILL)', () => {
  it('marks the rest of its cases with the reason, keeps every finished case, and the next engine still runs', async () => {
    const { default: reference } = await import('../../adapters/reference/index.ts');
    const { runAll } = await import('../../src/runner/run.ts');
    const { loadBundledScenarios } = await import('../../src/scenario/load.ts');
    const { exitCodeFor } = await import('../../src/results/exit-code.ts');
    const scenarios = await loadBundledScenarios(['authzen-todo', 'hierarchy-nested-folders']);
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-kill-'));
    const killed: number[] = [];
    let opaCasesSeen = 0;
    const { results } = await runAll([spec(opaDefinition), spec(reference)], scenarios, {
      outDir: out,
      benchTimeMs: 0,
      warmupMs: 0,
      checkTimeoutMs: 2000,
      command: 'test',
      log: () => {},
      onCase: (c) => {
        // After OPA's fifth answer, SIGKILL its server process.
        if (c.engine === 'opa' && ++opaCasesSeen === 5) {
          for (const pid of childrenOf(process.pid).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('opa'))) {
            process.kill(pid, 'SIGKILL');
            killed.push(pid);
          }
        }
      },
    });
    expect(killed.length).toBe(1);
    const opaCases = results.cases.filter((c) => c.engine === 'opa');
    expect(opaCases.slice(0, 5).every((c) => c.status === 'pass')).toBe(true);
    const after = opaCases.slice(6);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((c) => c.status === 'error')).toBe(true);
    expect(after.some((c) => /engine failed/.test(c.message ?? ''))).toBe(true);
    expect(opaCases.some((c) => c.scenario === 'hierarchy-nested-folders' && /failed earlier/.test(c.message ?? ''))).toBe(true);
    expect(results.cases.filter((c) => c.engine === 'reference').every((c) => c.status === 'pass')).toBe(true);
    expect(exitCodeFor(results)).toBe(3);
    expect(readFileSync(path.join(out, 'cases.jsonl'), 'utf8').trim().split('\n')).toHaveLength(results.cases.length);
  });
});
