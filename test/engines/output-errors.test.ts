// The results folder: a place that cannot hold results is bad input before anything starts
// (exit 2, naming --out and the fix); a disk that fills up mid-run ends the run with a
// message and exit 74, engines stopped, no partial file left (issue 23, breaks 4 and 5).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import openfga from '../../adapters/openfga/index.ts';
import { isInstalled } from '../../src/engines/paths.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');
const FAST = ['--scenario', 'authzen-todo', '--bench-time', '0'];

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** Whether this test process may mount a tmpfs (root in a container with CAP_SYS_ADMIN). */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(tmpdir(), 'authz-bench-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mountable = canMount();

async function withTmpfs(options: string, use: (dir: string) => unknown): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  try {
    await use(dir);
  } finally {
    execFileSync('umount', ['-l', dir]);
  }
}

/** Every file under `dir`, with a check that each JSON/JSONL one is whole. */
function assertFilesValid(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.json')) expect(() => JSON.parse(text), file).not.toThrow();
    if (file.endsWith('.jsonl')) for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line), `${file}: ${line}`).not.toThrow();
  }
  return files;
}

describe('--out that cannot hold results: exit 2 before any engine starts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-out-'));
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'not a folder\n');

  it.each([
    ['a file', file, /--out at .*a-file: is a file, not a folder/],
    ['under a file', path.join(file, 'run'), /--out at .*a-file\/run: is under .*a-file, which is a file, not a folder/],
    ['/proc/self', '/proc/self', /--out at \/proc\/self: \/proc is a pseudo file system/],
  ])('%s', (_name, out, message) => {
    const { status, stderr } = cli(['run', '--out', out, ...FAST]);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('(fix: ');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain('engine reference: starting');
  });

  it.skipIf(!mountable)('a read-only file system', async () => {
    await withTmpfs('ro,size=64k', (readOnly) => {
      const { status, stderr } = cli(['run', '--out', path.join(readOnly, 'run'), ...FAST]);
      expect(status).toBe(2);
      expect(stderr).toMatch(/--out at .*run: cannot create the folder: the file system is read-only \(EROFS\)/);
    });
  });
});

describe('a disk that fills up during the run: exit 74, a message, engines stopped, files valid', () => {
  it('cases.jsonl on a full device (/dev/full): the first case fails to write', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-full-'));
    symlinkSync('/dev/full', path.join(out, 'cases.jsonl'));
    const started = Date.now();
    const { status, stderr } = cli(['run', '--out', out, ...FAST]);
    expect(status).toBe(74);
    expect(stderr).toMatch(/error: cannot write .*cases\.jsonl: no space left on the device \(ENOSPC\)/);
    expect(stderr).not.toContain('internal error');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.skipIf(!mountable || !isInstalled(openfga))(
    '--out on a 24 KB tmpfs with OpenFGA: exits, OpenFGA stopped, no .tmp left',
    async () => {
      await withTmpfs('size=24k', async (small) => {
        const out = path.join(small, 'run');
        const child = spawn(process.execPath, [CLI, 'run', '--engine', 'openfga', '--scenario', 'authzen-todo', '--scenario', 'agent-fleet', '--out', out, '--bench-time', '50'], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const engines = new Set<number>();
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        let done = false;
        void exited.then(() => (done = true));
        // Note every OpenFGA process the run starts (its children: other work on the machine may run OpenFGA too), to check none outlives it.
        const parentOf = (pid: string) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
        while (!done) {
          for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
            try {
              if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${path.sep}openfga\0run`) && parentOf(pid) === child.pid) engines.add(Number(pid));
            } catch {
              // gone meanwhile
            }
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(await exited).toBe(74);
        expect(stderr).toMatch(/error: cannot write .*: no space left on the device \(ENOSPC\)/);
        expect(engines.size).toBeGreaterThan(0);
        for (const pid of engines) expect(existsSync(`/proc/${pid}`), `openfga ${pid} still running`).toBe(false);
        const files = assertFilesValid(out);
        expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      });
    },
    120_000,
  );
});

describe('wrong shapes and unreadable files given to report and compare: exit 2 with the place', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-shape-'));
  mkdirSync(dir, { recursive: true });
  const good = path.resolve(import.meta.dirname, '../fixtures/results-small.json');
  const valid = JSON.parse(readFileSync(good, 'utf8'));
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const cases = [
    ['engines is a mapping', write('engines.json', { ...valid, engines: {} }), 'engines: not a results file of this version: found a mapping, expected a list'],
    ['a case without status', write('case.json', { ...valid, cases: [{ ...valid.cases[0], status: 'great' }] }), 'cases[0].status: not a results file of this version: found string "great"'],
    ['latency not numbers', write('latency.json', { ...valid, performance: [{ ...valid.performance[0], latency: { p50: 'fast' } }] }), 'performance[0].latency.samples'],
    ['an array', write('array.json', [1, 2]), 'schemaVersion'],
    ['/dev/zero', '/dev/zero', 'the file is not a regular file'],
  ] as const;

  it.each(cases)('report: %s', (_name, file, message) => {
    const { status, stderr } = cli(['report', file]);
    expect(status).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain("reading 'map'");
  });

  it.each(cases.slice(0, 2))('compare: %s', (_name, file, message) => {
    const { status, stderr } = cli(['compare', good, file]);
    expect(status).toBe(2);
    expect(stderr).toContain(message);
  });
});
