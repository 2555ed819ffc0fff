// Resume keeps every measurement, and an interrupted run records nothing false (issue 23,
// break 6 and the "all cases passed" after Ctrl-C of break 8).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import reference from '../../adapters/reference/index.ts';
import openfga from '../../adapters/openfga/index.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import { runAll } from '../../src/runner/run.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');

describe('--resume', () => {
  it('keeps the latency figures of the pairs finished before the interruption', async () => {
    const [first, second] = await loadBundledScenarios(['authzen-todo', 'hierarchy-nested-folders']);
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-resume-perf-'));
    const options = { outDir: out, benchTimeMs: 30, warmupMs: 5, checkTimeoutMs: 5000, command: 'test', log: () => {} };
    const spec = { definition: reference, id: 'reference', text: 'reference' };
    // The "interrupted" run finished only the first scenario.
    const before = await runAll([spec], [first!], options);
    expect(before.results.performance.map((p) => p.scenario)).toEqual([first!.id]);
    const measured = before.results.performance[0]!;

    const resumed = await runAll([spec], [first!, second!], { ...options, resume: true });
    expect(resumed.results.performance.map((p) => p.scenario).sort()).toEqual([first!.id, second!.id].sort());
    expect(resumed.results.performance.find((p) => p.scenario === first!.id)).toEqual(measured);
    const onDisk = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(onDisk.performance).toHaveLength(2);
  });
});

/** Runs the CLI, sends SIGINT once `ready(stderr)` holds, and returns the exit code, stderr and the results folder. */
async function interruptWhen(args: string[], ready: (stderr: string) => boolean): Promise<{ code: number | null; stderr: string; out: string }> {
  const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-sigint-start-'));
  const cli = spawn(process.execPath, [CLI, 'run', ...args, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!ready(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  cli.kill('SIGINT');
  return { code: await exited, stderr, out };
}

/** Nothing about the interrupted engine is recorded as a result or as done. */
function expectNothingRecorded({ code, stderr, out }: { code: number | null; stderr: string; out: string }): void {
  expect(code).toBe(130);
  expect(stderr).not.toContain('all cases passed');
  expect(stderr).not.toContain('did not start');
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  expect(results.cases).toEqual([]);
  expect(results.engines.filter((e: { skipped?: string }) => e.skipped)).toEqual([]);
  expect(existsSync(path.join(out, 'progress.jsonl')) ? readFileSync(path.join(out, 'progress.jsonl'), 'utf8') : '').toBe('');
}

describe('Ctrl-C while an engine runs a scenario (CLI)', () => {
  it.skipIf(!isInstalled(openfga))(
    'a local OpenFGA: what it answers while being stopped is not recorded; the scenario is not marked done',
    async () => {
      const run = await interruptWhen(['--engine', 'openfga', '--scenario', 'authzen-todo', '--bench-time', '0'], (stderr) => /engine openfga: OpenFGA/.test(stderr));
      expect(run.code).toBe(130);
      expect(run.stderr).not.toContain('all cases passed');
      const results = JSON.parse(readFileSync(path.join(run.out, 'results.json'), 'utf8'));
      // Cases finished before Ctrl-C are true answers; none may be an error made up by the stop.
      expect(results.cases.filter((c: { status: string }) => c.status !== 'pass')).toEqual([]);
      expect(existsSync(path.join(run.out, 'progress.jsonl')) ? readFileSync(path.join(run.out, 'progress.jsonl'), 'utf8') : '').toBe('');
    },
    60_000,
  );
});

describe('Ctrl-C while an engine starts (CLI)', () => {
  it.skipIf(!isInstalled(openfga))(
    'a local OpenFGA: no false error, nothing marked done, no "all cases passed"',
    async () => {
      expectNothingRecorded(await interruptWhen(['--engine', 'openfga', '--scenario', 'authzen-todo'], (stderr) => stderr.includes('engine openfga: starting')));
    },
    60_000,
  );

  it('an engine by URL that never answers its health check: the same', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expectNothingRecorded(await interruptWhen(['--engine', `openfga=http://127.0.0.1:${port}`, '--scenario', 'authzen-todo'], () => sockets.size > 0));
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  }, 60_000);
});
