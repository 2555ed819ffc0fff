// Real engines as local processes (src/engines, adapters/*/launcher.ts): each engine starts
// on 127.0.0.1 only, answers one real check over plain HTTP, and leaves no process behind —
// also when the harness is SIGKILLed (stale pid files) or SIGTERMed (signal handlers).
// An engine is skipped only when its binary is not installed (`authz-bench engines install`).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CERBOS_DEFAULT_ADMIN, CerbosContainer, CerbosLocal, CerbosUrl, cerbosConfig } from '../adapters/cerbos/launcher.ts';
import { OpaContainer, OpaLocal, OpaUrl, opaRunArgs } from '../adapters/opa/launcher.ts';
import { OpenFgaContainer, OpenFgaLocal, openFgaRunArgs, DEFAULT_OPENFGA_SETTINGS } from '../adapters/openfga/launcher.ts';
import { PROJECT_ROOT } from '../src/core/paths.ts';
import { buildContainer, loopbackBindings } from '../src/engines/container.ts';
import { goModuleVersion, installedVersion } from '../src/engines/install.ts';
import { chooseLaunch, redactSecrets, safeUrl, urlCredentials } from '../src/engines/launch.ts';
import { binaryPath, cerbosPlatformPackage } from '../src/engines/paths.ts';
import { ENGINE_PINS } from '../src/engines/pins.ts';
import { cleanStaleProcesses, groupPids } from '../src/engines/process.ts';
import { listeningSockets } from '../src/engines/sockets.ts';
import { findPostgresBinDir, PostgresLocal } from '../src/engines/postgres.ts';
import { groupMemoryBytes } from '../src/engines/server.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-engines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const installed = {
  openfga: installedVersion('openfga') === ENGINE_PINS.openfga.version,
  opa: installedVersion('opa') === ENGINE_PINS.opa.version,
  cerbos: installedVersion('cerbos') === ENGINE_PINS.cerbos.version,
};
const notInstalled = (id: string) => `${id} ${ENGINE_PINS[id as keyof typeof ENGINE_PINS].version} is not installed at ${binaryPath(id as 'opa')}: run \`node bin/authz-bench.js engines install\``;
for (const [id, ok] of Object.entries(installed)) if (!ok) console.warn(`skipping ${id}: ${notInstalled(id)}`);
// testcontainers 12 imports undici, which needs Node >= 22 (zstd) at load time
const testcontainersError = await import('testcontainers').then(() => undefined, (e: Error) => e.message);
if (testcontainersError) console.warn(`skipping the GenericContainer build test: testcontainers does not load on Node ${process.versions.node} (${testcontainersError})`);

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${text}`);
  return JSON.parse(text);
}

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
  it('OpenFGA flags bind every listener to the given host and turn extras off', () => {
    const args = openFgaRunArgs({ ...DEFAULT_OPENFGA_SETTINGS, checkQueryCache: true, checkQueryCacheTtl: '5s' }, { host: '127.0.0.1', httpPort: 1, grpcPort: 2 });
    expect(args).toEqual(expect.arrayContaining(['--http-addr=127.0.0.1:1', '--grpc-addr=127.0.0.1:2', '--playground-enabled=false', '--metrics-enabled=false', '--datastore-engine=memory', '--log-format=json', '--check-query-cache-enabled=true', '--check-query-cache-ttl=5s']));
  });

  it('settings objects are frozen copies, not shared between launchers', () => {
    const settings = { checkQueryCache: true };
    const a = new OpenFgaLocal({ logFile: '/x.log', settings });
    settings.checkQueryCache = false;
    const b = new OpenFgaLocal({ logFile: '/y.log' });
    expect(a.settings.checkQueryCache).toBe(true);
    expect(b.settings.checkQueryCache).toBe(false);
    expect(Object.isFrozen(a.settings) && Object.isFrozen(a.options)).toBe(true);
    expect(() => ((a.settings as { checkQueryCache: boolean }).checkQueryCache = false)).toThrow();
  });

  it('OPA runs a loopback server with the version check off and the decision-log config', () => {
    expect(opaRunArgs({ addr: '127.0.0.1:9', configFile: '/c.json' })).toEqual(['run', '--server', '--addr', '127.0.0.1:9', '--skip-version-check', '--log-format', 'json', '--log-level', 'error', '--config-file', '/c.json']);
  });

  it('Cerbos config: disk store, or sqlite3 in memory with the admin API; file audit log', () => {
    const listen = { http: '127.0.0.1:1', grpc: '127.0.0.1:2' };
    expect(cerbosConfig({ logFile: 'x', policyDir: '/p', watchForChanges: false, auditLogFile: '/a.log', accessLogsEnabled: true }, listen)).toEqual({
      server: { httpListenAddr: '127.0.0.1:1', grpcListenAddr: '127.0.0.1:2' },
      storage: { driver: 'disk', disk: { directory: '/p', watchForChanges: false } },
      audit: { enabled: true, backend: 'file', decisionLogsEnabled: true, accessLogsEnabled: true, file: { path: '/a.log' } },
      telemetry: { disabled: true },
    });
    const admin = cerbosConfig({ logFile: 'x', adminApi: true, adminCredentials: { username: 'u', password: 'p', passwordHash: 'aGFzaA==' } }, listen);
    expect(admin.storage).toEqual({ driver: 'sqlite3', sqlite3: { dsn: ':memory:?_fk=true' } });
    expect((admin.server as any).adminAPI).toEqual({ enabled: true, adminCredentials: { username: 'u', passwordHash: 'aGFzaA==' } });
    expect(() => new CerbosLocal({ logFile: 'x', adminApi: true, adminCredentials: { username: 'u', password: 'p' } })).toThrow(/passwordHash/);
  });

  it('container requests: pinned image, ports, command, health wait; host ports on 127.0.0.1', () => {
    const fga = new OpenFgaContainer({ logFile: 'x' }).spec();
    expect(fga).toMatchObject({ image: 'openfga/openfga:v1.22.1', exposedPorts: [8080, 8081], wait: { path: '/healthz', port: 8080, status: 200 } });
    expect(fga.command).toEqual(expect.arrayContaining(['run', '--http-addr=0.0.0.0:8080', '--grpc-addr=0.0.0.0:8081', '--playground-enabled=false', '--datastore-engine=memory']));
    const opa = new OpaContainer({ logFile: 'x', decisionLogUrl: 'http://host.testcontainers.internal:9' }).spec();
    expect(opa).toMatchObject({ image: 'openpolicyagent/opa:1.22.4', exposedPorts: [8181], wait: { path: '/health', port: 8181 } });
    expect(opa.command).toEqual(expect.arrayContaining(['--addr', '0.0.0.0:8181', '--config-file', '/config/opa.json']));
    expect(JSON.parse(opa.files[0]!.content).services.decisionlogs.url).toBe('http://host.testcontainers.internal:9');
    const cerbos = new CerbosContainer({ logFile: 'x', auditLogFile: '/a.log' }).spec();
    expect(cerbos).toMatchObject({ image: 'ghcr.io/cerbos/cerbos:0.55.0', exposedPorts: [3592, 3593], command: ['server', '--config=/config/config.yaml', '--log-level=info'], wait: { path: '/_cerbos/health', port: 3592 } });
    expect(cerbos.files[0]!.content).toContain('httpListenAddr: 0.0.0.0:3592');
    expect(loopbackBindings({ '8080/tcp': [{ HostPort: '0' }] })).toEqual({ '8080/tcp': [{ HostPort: '0', HostIp: '127.0.0.1' }] });
  });

  it.skipIf(Boolean(testcontainersError))('the built GenericContainer carries the spec (not started)', async () => {
    const container = (await buildContainer(new OpenFgaContainer({ logFile: 'x' }).spec())) as any;
    expect(container.imageName.string).toBe('openfga/openfga:v1.22.1');
    expect(container.createOpts.Cmd).toEqual(expect.arrayContaining(['run', '--http-addr=0.0.0.0:8080']));
    expect(container.hostConfig.PortBindings['8080/tcp']).toEqual([{ HostPort: '0', HostIp: '127.0.0.1' }]);
    expect(container.waitStrategy.constructor.name).toBe('HttpWaitStrategy');
  });

  it('auto launch: url, else local if installed, else container if Docker answers, else skip with a reason', async () => {
    expect(await chooseLaunch('opa', 'auto', { installed: true, docker: async () => true })).toEqual({ launch: 'local' });
    expect(await chooseLaunch('opa', 'auto', { installed: false, docker: async () => true })).toEqual({ launch: 'container' });
    expect(await chooseLaunch('opa', 'auto', { installed: false, docker: async () => false })).toMatchObject({ launch: 'skip', reason: expect.stringContaining('engines install') });
    expect(await chooseLaunch('opa', 'auto', { installed: true, url: 'http://h:1' })).toEqual({ launch: 'url' });
    expect(await chooseLaunch('opa', 'container', { docker: async () => false })).toMatchObject({ launch: 'skip' });
  });

  it('url credentials come from the environment and are redacted from text', () => {
    const env = { AUTHZ_BENCH_OPENFGA_TOKEN: 's3cret-token' };
    expect(urlCredentials('openfga', env)).toEqual({ headers: { authorization: 'Bearer s3cret-token' } });
    expect(redactSecrets('auth: Bearer s3cret-token', ['s3cret-token'])).toBe('auth: Bearer [redacted]');
    expect(safeUrl('http://user:pw@host:8080/')).toBe('http://host:8080');
  });

  it('installed versions are read from the binaries; Cerbos package matches the platform', () => {
    expect(cerbosPlatformPackage('linux', 'x64')).toBe('@cerbos/cerbos-linux-x64');
    expect(cerbosPlatformPackage('darwin', 'arm64')).toBe('@cerbos/cerbos-darwin-arm64');
    if (installed.opa) expect(goModuleVersion(binaryPath('opa'), 'github.com/open-policy-agent/opa')).toBe('1.22.4');
  });
});

describe('engines as local processes', () => {
  it.skipIf('missing' in findPostgresBinDir())("PostgreSQL (OpenFGA's postgres datastore): answers on a private Unix socket only, nothing left after stop", async () => {
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
  }, 60_000);

  it.skipIf(!installed.openfga)('OpenFGA: healthy, one real check, loopback only, nothing left after stop', async () => {
    const fga = await new OpenFgaLocal({ logFile: path.join(dir, 'openfga.log') }).start();
    const pid = fga.getPid()!;
    try {
      expect(fga.getHttpUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(fga.getGrpcAddress()).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(fga.getVersion()).toBe('1.22.1');
      const api = fga.getHttpUrl();
      const store = await post(`${api}/stores`, { name: 'engines-test' });
      const model = await post(`${api}/stores/${store.id}/authorization-models`, {
        schema_version: '1.1',
        type_definitions: [
          { type: 'user' },
          { type: 'doc', relations: { viewer: { this: {} } }, metadata: { relations: { viewer: { directly_related_user_types: [{ type: 'user' }] } } } },
        ],
      });
      const id = model.authorization_model_id;
      await post(`${api}/stores/${store.id}/write`, { authorization_model_id: id, writes: { tuple_keys: [{ user: 'user:anne', relation: 'viewer', object: 'doc:1' }] } });
      expect((await post(`${api}/stores/${store.id}/check`, { authorization_model_id: id, tuple_key: { user: 'user:anne', relation: 'viewer', object: 'doc:1' } })).allowed).toBe(true);
      expect((await post(`${api}/stores/${store.id}/check`, { authorization_model_id: id, tuple_key: { user: 'user:bob', relation: 'viewer', object: 'doc:1' } })).allowed).toBe(false);
      expectLoopbackOnly(pid, 2);
      // JSON log
      expect(readFileSync(fga.getLogFile()!, 'utf8').split('\n')[0]).toMatch(/^\{/);
    } finally {
      await fga.stop();
    }
    await expectGone(pid);
  });

  it.skipIf(!installed.opa)('OPA: healthy, one real decision, loopback only, nothing left after stop', async () => {
    const opa = await new OpaLocal({ logFile: path.join(dir, 'opa.log') }).start();
    const pid = opa.getPid()!;
    try {
      const put = await fetch(`${opa.getUrl()}/v1/policies/t`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'package t\n\ndefault allow := false\n\nallow if input.user == "anne"\n' });
      expect(put.status).toBe(200);
      expect((await post(`${opa.getUrl()}/v1/data/t/allow`, { input: { user: 'anne' } })).result).toBe(true);
      expect((await post(`${opa.getUrl()}/v1/data/t/allow`, { input: { user: 'bob' } })).result).toBe(false);
      // the url strategy on the same server: health-checked, token from the environment, nothing to stop
      process.env.AUTHZ_BENCH_OPA_TOKEN = 'test-token';
      const remote = await new OpaUrl(opa.getUrl()).start().finally(() => delete process.env.AUTHZ_BENCH_OPA_TOKEN);
      expect(remote.getLaunch()).toBe('url');
      expect(remote.getAuthHeaders()).toEqual({ authorization: 'Bearer test-token' });
      expect(JSON.stringify(remote)).not.toContain('test-token');
      await remote.stop();
      expect(groupPids(pid)).toEqual([pid]);
      expectLoopbackOnly(pid, 1);
    } finally {
      await opa.stop();
    }
    await expectGone(pid);
  });

  it.skipIf(!installed.cerbos)('Cerbos (disk store, file audit log): healthy, one real check, loopback only, nothing left after stop', async () => {
    const policyDir = path.join(dir, 'cerbos-policies');
    const auditLogFile = path.join(dir, 'cerbos-audit.log');
    // one policy file in the directory (written before start: Cerbos's watcher takes ~4 s to pick up later changes)
    mkdirSync(policyDir, { recursive: true });
    writeFileSync(path.join(policyDir, 'doc.yaml'), ['apiVersion: api.cerbos.dev/v1', 'resourcePolicy:', '  version: default', '  resource: doc', '  rules:', '    - actions: [view]', '      effect: EFFECT_ALLOW', '      roles: [user]', ''].join('\n'));
    const cerbos = await new CerbosLocal({ logFile: path.join(dir, 'cerbos.log'), policyDir, auditLogFile }).start();
    const pid = cerbos.getPid()!;
    try {
      expect(cerbos.getPolicyDir()).toBe(policyDir);
      expect(cerbos.getAuditLogFile()).toBe(auditLogFile);
      expect(cerbos.getAdminCredentials()).toBeUndefined();
      expect((await new CerbosUrl(cerbos.getHttpUrl()).start()).getVersion()).toBe('0.55.0');
      const check = (id: string) => post(`${cerbos.getHttpUrl()}/api/check/resources`, { requestId: id, principal: { id, roles: id === 'anne' ? ['user'] : ['guest'] }, resources: [{ actions: ['view'], resource: { kind: 'doc', id: '1' } }] });
      expect((await check('anne')).results[0].actions.view).toBe('EFFECT_ALLOW');
      expect((await check('bob')).results[0].actions.view).toBe('EFFECT_DENY');
      expectLoopbackOnly(pid, 2);
    } finally {
      await cerbos.stop();
    }
    await expectGone(pid);
    expect(readFileSync(auditLogFile, 'utf8')).toContain('"log.kind":"decision"');
  });

  it.skipIf(!installed.cerbos)('Cerbos (admin API, sqlite3 in memory): a policy added over the admin API decides', async () => {
    const cerbos = await new CerbosLocal({ logFile: path.join(dir, 'cerbos-admin.log'), adminApi: true }).start();
    const pid = cerbos.getPid()!;
    try {
      expect(cerbos.getPolicyDir()).toBeUndefined();
      const { username, password } = cerbos.getAdminCredentials()!;
      expect(username).toBe(CERBOS_DEFAULT_ADMIN.username);
      const auth = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
      await post(`${cerbos.getHttpUrl()}/admin/policy`, { policies: [{ apiVersion: 'api.cerbos.dev/v1', resourcePolicy: { version: 'default', resource: 'doc', rules: [{ actions: ['view'], effect: 'EFFECT_ALLOW', roles: ['user'] }] } }] }, auth);
      const result = await post(`${cerbos.getHttpUrl()}/api/check/resources`, { requestId: '1', principal: { id: 'anne', roles: ['user'] }, resources: [{ actions: ['view'], resource: { kind: 'doc', id: '1' } }] });
      expect(result.results[0].actions.view).toBe('EFFECT_ALLOW');
      expectLoopbackOnly(pid, 2);
    } finally {
      await cerbos.stop();
    }
    await expectGone(pid);
  });
});

describe('no engine outlives the harness', () => {
  const available = installed.opa && installed.openfga;
  const script = path.join(dir, 'holder.mts');
  const url = (p: string) => pathToFileURL(path.join(PROJECT_ROOT, p)).href;
  writeFileSync(
    script,
    `import { OpaLocal } from '${url('adapters/opa/launcher.ts')}';
import { OpenFgaLocal } from '${url('adapters/openfga/launcher.ts')}';
const dir = process.argv[2];
const opa = await new OpaLocal({ logFile: dir + '/holder-opa.log' }).start();
const fga = await new OpenFgaLocal({ logFile: dir + '/holder-openfga.log' }).start();
console.log(JSON.stringify({ pids: [opa.getPid(), fga.getPid()] }));
const mode = process.argv[3];
if (mode === 'exit') setTimeout(() => process.exit(3), 50);
else if (mode === 'throw') setTimeout(() => { throw new Error('harness crash'); }, 50);
else setInterval(() => {}, 1000);
`,
  );

  /** Starts the holder (a harness that starts OPA and OpenFGA) and returns it with the engine pids. */
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
    expect(existsSync(path.join(PROJECT_ROOT, '.engines', 'run'))).toBe(true);
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
