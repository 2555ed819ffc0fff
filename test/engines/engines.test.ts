// Real engines as local processes (src/engines, adapters/*/launcher.ts): each engine starts
// on 127.0.0.1 only, answers one real check over plain HTTP, and leaves no process behind —
// also when the harness is SIGKILLed (stale pid files) or SIGTERMed (signal handlers).
// An engine is skipped only when its binary is not installed (`authz-bench engines install`).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineDefinition } from '../../src/core/adapter.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { buildContainer, loopbackBindings } from '../../src/engines/container.ts';
import { installedVersion } from '../../src/engines/install.ts';
import { chooseLaunch, redactSecrets, safeUrl, urlCredentials } from '../../src/engines/launch.ts';
import { binaryPath, isInstalled, platformPackage, runDir } from '../../src/engines/paths.ts';
import { cleanStaleProcesses, groupPids, liveProcesses } from '../../src/engines/process.ts';
import { listeningSockets } from '../../src/engines/sockets.ts';
import { findPostgresBinDir, PostgresLocal } from '../../src/engines/postgres.ts';
import { loadEngineDefinitions } from '../../src/engines/registry.ts';
import { groupMemoryBytes } from '../../src/engines/server.ts';
import { startEngine } from '../helpers/engines.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-engines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Engines that run as a server process here: something to install, and a container image. */
const servers = (await loadEngineDefinitions()).filter((d) => d.install.kind !== 'embedded' && d.install.kind !== 'npm');
const ready = (d: EngineDefinition) => installedVersion(d) === d.version;
for (const d of servers.filter((s) => !ready(s))) console.warn(`skipping ${d.id}: ${d.version} is not installed at ${binaryPath(d)}: run \`node bin/authz-bench.js engines install\``);
// testcontainers 12 imports undici, which needs Node >= 22 (zstd) at load time
const testcontainersError = await import('testcontainers').then(
  () => undefined,
  (e: Error) => e.message,
);
if (testcontainersError) console.warn(`skipping the GenericContainer build test: testcontainers does not load on Node ${process.versions.node} (${testcontainersError})`);

/** Every listener of the group is on 127.0.0.1, and there is at least one. */
function expectLoopbackOnly(pid: number, minimum: number): void {
  const sockets = listeningSockets(pid);
  expect(sockets.length).toBeGreaterThanOrEqual(minimum);
  expect(sockets.filter((s) => s.address !== '127.0.0.1')).toEqual([]);
}

async function expectGone(pid: number): Promise<void> {
  for (let i = 0; i < 50 && groupPids(pid).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(groupPids(pid)).toEqual([]);
}

describe('engine configuration (no processes)', () => {
  it('every server engine pins a version, an install recipe and a container image', () => {
    expect(servers.length).toBeGreaterThan(0);
    for (const d of servers) {
      expect(d.version, d.id).toMatch(/^\d+\.\d+\.\d+$/);
      expect(d.image, d.id).toContain(d.version);
    }
  });

  it('host ports of containers are published on 127.0.0.1 only', () => {
    expect(loopbackBindings({ '8080/tcp': [{ HostPort: '0' }] })).toEqual({ '8080/tcp': [{ HostPort: '0', HostIp: '127.0.0.1' }] });
  });

  it.skipIf(Boolean(testcontainersError))('the built GenericContainer carries the spec (not started)', async () => {
    const spec = {
      image: 'example/engine:1.2.3',
      exposedPorts: [8080],
      command: ['run', '--addr=0.0.0.0:8080'],
      environment: {},
      files: [],
      wait: { path: '/health', port: 8080, status: 200 },
      startupTimeoutMs: 1000,
    };
    // The built container's private fields, as testcontainers 11 names them.
    type Built = { imageName: { string: string }; createOpts: { Cmd: string[] }; hostConfig: { PortBindings: Record<string, unknown> }; waitStrategy: object };
    const container = (await buildContainer(spec)) as unknown as Built;
    expect(container.imageName.string).toBe('example/engine:1.2.3');
    expect(container.createOpts.Cmd).toEqual(['run', '--addr=0.0.0.0:8080']);
    expect(container.hostConfig.PortBindings['8080/tcp']).toEqual([{ HostPort: '0', HostIp: '127.0.0.1' }]);
    expect(container.waitStrategy.constructor.name).toBe('HttpWaitStrategy');
  });

  it('auto launch: url, else local if installed, else container if Docker answers, else skip with a reason', async () => {
    const engine: Pick<EngineDefinition, 'id' | 'install'> = { id: 'some-engine', install: { kind: 'go', goPackage: 'x/cmd/e', goModule: 'x', binary: 'e', minGo: { major: 1, minor: 24 } } };
    expect(await chooseLaunch(engine, 'auto', { installed: true, docker: async () => true })).toEqual({ launch: 'local' });
    expect(await chooseLaunch(engine, 'auto', { installed: false, docker: async () => true })).toEqual({ launch: 'container' });
    expect(await chooseLaunch(engine, 'auto', { installed: false, docker: async () => false })).toMatchObject({ launch: 'skip', reason: expect.stringContaining('engines install') });
    expect(await chooseLaunch(engine, 'auto', { installed: false, docker: async () => false })).toMatchObject({ reason: expect.stringContaining('Go >= 1.24') });
    expect(await chooseLaunch(engine, 'auto', { installed: true, url: 'http://h:1' })).toEqual({ launch: 'url' });
    expect(await chooseLaunch(engine, 'container', { docker: async () => false })).toMatchObject({ launch: 'skip' });
  });

  it('url credentials come from the environment and are redacted from text', () => {
    const env = { AUTHZ_BENCH_SOME_ENGINE_TOKEN: 's3cret-token' };
    expect(urlCredentials('some-engine', env)).toEqual({ headers: { authorization: 'Bearer s3cret-token' } });
    expect(redactSecrets('auth: Bearer s3cret-token', ['s3cret-token'])).toBe('auth: Bearer [redacted]');
    expect(safeUrl('http://user:pw@host:8080/')).toBe('http://host:8080');
  });

  it('installed versions are read from what was installed; npm binaries come from the platform package', () => {
    expect(platformPackage('@vendor/engine', 'linux', 'x64')).toBe('@vendor/engine-linux-x64');
    expect(platformPackage('@vendor/engine', 'darwin', 'arm64')).toBe('@vendor/engine-darwin-arm64');
    for (const d of servers.filter(ready)) expect(isInstalled(d), d.id).toBe(true);
  });
});

describe('engines as local processes', () => {
  it.skipIf('missing' in findPostgresBinDir())(
    "PostgreSQL (OpenFGA's postgres datastore): answers on a private Unix socket only, nothing left after stop",
    async () => {
      const pg = await new PostgresLocal({ logFile: path.join(dir, 'postgres.log') }).start();
      const pid = pg.getPid();
      try {
        // Only a Unix socket in its own 0700 folder: no TCP listener for other local users to reach.
        expect(pg.getUri()).toBe(`postgres://authzbench@/postgres?host=${encodeURIComponent(pg.getDataDir())}&port=${/port=(\d+)/.exec(pg.getUri())![1]}&sslmode=disable`);
        expect(pg.getVersion()).toMatch(/^\d+\.\d+$/);
        expect(listeningSockets(pid)).toEqual([]);
        expect(statSync(pg.getDataDir()).mode & 0o777).toBe(0o700);
        // Its memory, for the adapter's figures: postmaster and backends, shared memory counted once.
        expect(groupMemoryBytes(pid)).toBeGreaterThan(2 ** 20);
      } finally {
        await pg.stop();
      }
      await expectGone(pid);
      expect(existsSync(pg.getDataDir())).toBe(false);
    },
    60_000,
  );

  // Each server engine through its adapter, as a run starts it: every listener on the
  // loopback interface, and no process left once it is stopped.
  for (const d of servers) {
    it.skipIf(!ready(d))(`${d.id}: started by its adapter on 127.0.0.1 only, nothing left after stop`, async () => {
      const before = new Set(liveProcesses().map((p) => p.pid));
      const engine = await startEngine(d.id, { resultsDir: dir });
      const started = liveProcesses().filter((p) => !before.has(p.pid));
      try {
        expect(started.length).toBeGreaterThan(0);
        expect(engine.info()).toMatchObject({ version: d.version, launch: 'local' });
        expect(await engine.health()).toBeUndefined();
        for (const p of started) expectLoopbackOnly(p.pid, 1);
      } finally {
        await engine.stop();
      }
      for (const p of started) await expectGone(p.pid);
    });
  }
});

describe('no engine outlives the harness', () => {
  // Two installed server engines, started by a harness process of its own.
  const held = servers
    .filter(ready)
    .slice(0, 2)
    .map((d) => d.id);
  const available = held.length === 2;
  const script = path.join(dir, 'holder.mts');
  const url = (p: string) => pathToFileURL(path.join(PROJECT_ROOT, p)).href;
  writeFileSync(
    script,
    `import { liveProcesses } from '${url('src/engines/process.ts')}';
import { createEngine, resolveEngineSpecs } from '${url('src/engines/registry.ts')}';
import { runContext } from '${url('src/runner/engine-session.ts')}';
const dir = process.argv[2];
for (const spec of await resolveEngineSpecs(${JSON.stringify(held)})) {
  await createEngine(spec).start(runContext(spec, { resultsDir: dir, strategy: 'local', log: () => {} }));
}
console.log(JSON.stringify({ pids: liveProcesses().map((p) => p.pid) }));
const mode = process.argv[3];
if (mode === 'exit') setTimeout(() => process.exit(3), 50);
else if (mode === 'throw') setTimeout(() => { throw new Error('harness crash'); }, 50);
else setInterval(() => {}, 1000);
`,
  );

  /** Starts the holder (a harness that starts two engines) and returns it with the engine pids. */
  async function holder(mode = 'wait'): Promise<{ child: ReturnType<typeof spawn>; pids: number[] }> {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, mode], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', mode === 'throw' ? 'ignore' : 'inherit'] });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line).pids);
      });
      child.once('exit', (code) => reject(new Error(`holder exited ${code} before starting engines`)));
    });
    return { child, pids };
  }

  it.skipIf(!available)('harness SIGKILLed: engines survive it (own process group), the next start kills them from the pid files', async () => {
    const { child, pids } = await holder();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    for (const pid of pids) expect(groupPids(pid)).toEqual([pid]);
    expect(existsSync(runDir())).toBe(true);
    const cleanup = cleanStaleProcesses();
    expect(cleanup.killed.map((k) => k.pid)).toEqual(expect.arrayContaining(pids));
    for (const pid of pids) await expectGone(pid);
  });

  it.skipIf(!available)('harness SIGTERMed: its signal handler kills the engines before it dies', async () => {
    const { child, pids } = await holder();
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    for (const pid of pids) await expectGone(pid);
    expect(cleanStaleProcesses().killed).toEqual([]);
  });

  it.skipIf(!available).each(['exit', 'throw'])('harness ends without stopping its engines (%s): the exit handler kills them', async (mode) => {
    const { child, pids } = await holder(mode);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).not.toBe(0);
    for (const pid of pids) await expectGone(pid);
  });
});
