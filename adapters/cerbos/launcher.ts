// Cerbos PDP, in the style of a testcontainers module (settings object, start() -> handle).
//   local:     the npm platform binary (@cerbos/cerbos-<os>-<arch>, pinned 0.55.0) spawned directly
//              with a generated config: http + grpc on 127.0.0.1, no debug (gops) listener,
//              telemetry off (config + CERBOS_NO_TELEMETRY)
//   container: ghcr.io/cerbos/cerbos:0.55.0 (testcontainers; only when Docker is reachable)
//   url:       a PDP already running elsewhere; admin credentials from AUTHZ_BENCH_CERBOS_ADMIN_USER/_PASSWORD
// Storage: `disk` at a policy directory (watchForChanges configurable), or with the admin API
// a mutable in-memory `sqlite3` store. Audit: `file` backend to a caller-given path.
// Config keys: docs.cerbos.dev/cerbos/latest/configuration/{server,storage,audit}.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { startContainer, type ContainerSpec } from '../../src/engines/container.ts';
import { chooseLaunch, safeUrl, type LaunchStrategy } from '../../src/engines/launch.ts';
import { startLocalProcess } from '../../src/engines/local.ts';
import { binaryPath } from '../../src/engines/paths.ts';
import { ENGINE_PINS } from '../../src/engines/pins.ts';
import { freePorts } from '../../src/engines/ports.ts';

export interface CerbosAdminCredentials {
  readonly username: string;
  readonly password: string;
  /** base64 of the bcrypt hash of `password` (Cerbos's `passwordHash`); omit only for Cerbos's built-in default cerbos/cerbosAdmin. */
  readonly passwordHash?: string;
}

/** Cerbos's built-in admin credentials, used when adminCredentials has no passwordHash of its own. */
export const CERBOS_DEFAULT_ADMIN: CerbosAdminCredentials = Object.freeze({ username: 'cerbos', password: 'cerbosAdmin' });

export interface CerbosOptions {
  /** Engine stdout/stderr. */
  logFile: string;
  /** Policy directory for the `disk` store (created if missing). Default: a fresh folder next to the log file. */
  policyDir?: string;
  /** `storage.disk.watchForChanges` (default true: policy files written while running are picked up). */
  watchForChanges?: boolean;
  /** Admin API with a mutable in-memory store (`sqlite3`, dsn `:memory:`) instead of the disk store. */
  adminApi?: boolean;
  adminCredentials?: CerbosAdminCredentials;
  /** Audit log (`audit.backend: file`) path; no audit log when absent. */
  auditLogFile?: string;
  /** Default true when auditLogFile is set. */
  decisionLogsEnabled?: boolean;
  /** Default false. */
  accessLogsEnabled?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  binary?: string;
  startupTimeoutMs?: number;
}

export interface StartedCerbos {
  getHttpUrl(): string;
  getGrpcAddress(): string;
  /** The disk store's directory; undefined with the admin API (sqlite3 store). */
  getPolicyDir(): string | undefined;
  getAuditLogFile(): string | undefined;
  /** Admin API credentials when enabled; never record them. */
  getAdminCredentials(): { username: string; password: string } | undefined;
  getConfigFile(): string | undefined;
  getVersion(): string;
  getLogFile(): string | undefined;
  getLaunch(): 'local' | 'container' | 'url';
  getPid(): number | undefined;
  stop(): Promise<void>;
}

/** The Cerbos config document for these options and listen addresses. */
export function cerbosConfig(options: CerbosOptions, listen: { http: string; grpc: string }, paths: { policyDir?: string; auditLogFile?: string } = {}): Record<string, unknown> {
  const admin = options.adminApi ? (options.adminCredentials ?? CERBOS_DEFAULT_ADMIN) : undefined;
  const policyDir = paths.policyDir ?? options.policyDir;
  const auditLogFile = paths.auditLogFile ?? options.auditLogFile;
  return {
    server: {
      httpListenAddr: listen.http,
      grpcListenAddr: listen.grpc,
      ...(admin
        ? { adminAPI: { enabled: true, ...(admin.passwordHash ? { adminCredentials: { username: admin.username, passwordHash: admin.passwordHash } } : {}) } }
        : {}),
    },
    storage: options.adminApi
      ? { driver: 'sqlite3', sqlite3: { dsn: ':memory:?_fk=true' } }
      : { driver: 'disk', disk: { directory: policyDir, watchForChanges: options.watchForChanges ?? true } },
    audit: auditLogFile
      ? {
          enabled: true,
          backend: 'file',
          decisionLogsEnabled: options.decisionLogsEnabled ?? true,
          accessLogsEnabled: options.accessLogsEnabled ?? false,
          file: { path: auditLogFile },
        }
      : { enabled: false },
    telemetry: { disabled: true },
  };
}

function checkCredentials(options: CerbosOptions): void {
  const c = options.adminCredentials;
  if (options.adminApi && c && !c.passwordHash && (c.username !== CERBOS_DEFAULT_ADMIN.username || c.password !== CERBOS_DEFAULT_ADMIN.password)) {
    throw new Error('Cerbos adminCredentials need passwordHash (base64 of a bcrypt hash of the password) unless they are the defaults cerbos/cerbosAdmin');
  }
}

class Started implements StartedCerbos {
  readonly #admin: { username: string; password: string } | undefined;
  constructor(
    private readonly http: string,
    private readonly grpc: string,
    private readonly launch: 'local' | 'container' | 'url',
    private readonly stopper: () => Promise<void>,
    private readonly extra: { policyDir?: string; auditLogFile?: string; logFile?: string; configFile?: string; pid?: number; version?: string },
    admin: CerbosAdminCredentials | undefined,
  ) {
    this.#admin = admin ? { username: admin.username, password: admin.password } : undefined;
  }
  getHttpUrl() { return this.http; }
  getGrpcAddress() { return this.grpc; }
  getPolicyDir() { return this.extra.policyDir; }
  getAuditLogFile() { return this.extra.auditLogFile; }
  getAdminCredentials() { return this.#admin ? { ...this.#admin } : undefined; }
  getConfigFile() { return this.extra.configFile; }
  getVersion() { return this.extra.version ?? ENGINE_PINS.cerbos.version; }
  getLogFile() { return this.extra.logFile; }
  getLaunch() { return this.launch; }
  getPid() { return this.extra.pid; }
  stop() { return this.stopper(); }
  toJSON() { return { httpUrl: safeUrl(this.http), grpcAddress: this.grpc, launch: this.launch, version: this.getVersion(), policyDir: this.extra.policyDir, auditLogFile: this.extra.auditLogFile }; }
}

export class CerbosLocal {
  readonly options: Readonly<CerbosOptions>;
  constructor(options: CerbosOptions) {
    checkCredentials(options);
    this.options = Object.freeze({ ...options });
  }
  async start(): Promise<StartedCerbos> {
    const o = this.options;
    const [httpPort, grpcPort] = await freePorts(2);
    const base = path.dirname(o.logFile);
    mkdirSync(base, { recursive: true });
    const policyDir = o.adminApi ? undefined : (o.policyDir ?? mkdtempSync(path.join(base, 'cerbos-policies-')));
    if (policyDir) mkdirSync(policyDir, { recursive: true });
    if (o.auditLogFile) mkdirSync(path.dirname(o.auditLogFile), { recursive: true });
    const configFile = o.logFile.replace(/(\.log)?$/, '.config.yaml');
    const listen = { http: `127.0.0.1:${httpPort}`, grpc: `127.0.0.1:${grpcPort}` };
    writeFileSync(configFile, stringify(cerbosConfig(o, listen, { ...(policyDir ? { policyDir } : {}) })));
    const http = `http://${listen.http}`;
    const child = await startLocalProcess({
      name: 'cerbos',
      binary: o.binary ?? binaryPath('cerbos'),
      args: ['server', `--config=${configFile}`, `--log-level=${o.logLevel ?? 'info'}`],
      env: { CERBOS_NO_TELEMETRY: '1' },
      logFile: o.logFile,
      health: { url: `${http}/_cerbos/health`, accept: (r, body) => r.status === 200 && body.includes('SERVING'), timeoutMs: o.startupTimeoutMs ?? 30_000 },
    });
    return new Started(http, listen.grpc, 'local', () => child.stop(), {
      ...(policyDir ? { policyDir } : {}),
      ...(o.auditLogFile ? { auditLogFile: o.auditLogFile } : {}),
      logFile: o.logFile,
      configFile,
      pid: child.pid,
    }, o.adminApi ? (o.adminCredentials ?? CERBOS_DEFAULT_ADMIN) : undefined);
  }
}

export class CerbosContainer {
  readonly options: Readonly<CerbosOptions>;
  constructor(options: CerbosOptions) {
    checkCredentials(options);
    this.options = Object.freeze({ ...options });
  }
  /** Policies are copied to /policies at start (watchForChanges then sees only the copy); audit goes to /audit/audit.log in the container. */
  spec(): ContainerSpec {
    const config = cerbosConfig(this.options, { http: '0.0.0.0:3592', grpc: '0.0.0.0:3593' }, {
      policyDir: '/policies',
      ...(this.options.auditLogFile ? { auditLogFile: '/audit/audit.log' } : {}),
    });
    return {
      image: ENGINE_PINS.cerbos.image,
      exposedPorts: [3592, 3593],
      command: ['server', '--config=/config/config.yaml', `--log-level=${this.options.logLevel ?? 'info'}`],
      environment: { CERBOS_NO_TELEMETRY: '1' },
      files: [{ target: '/config/config.yaml', content: stringify(config) }],
      wait: { path: '/_cerbos/health', port: 3592, status: 200 },
      startupTimeoutMs: this.options.startupTimeoutMs ?? 120_000,
    };
  }
  async start(): Promise<StartedCerbos> {
    const c = await startContainer(this.spec(), this.options.logFile);
    return new Started(c.url(3592), c.address(3593), 'container', c.stop, { logFile: this.options.logFile }, this.options.adminApi ? (this.options.adminCredentials ?? CERBOS_DEFAULT_ADMIN) : undefined);
  }
}

export class CerbosUrl {
  constructor(private readonly url: string, private readonly grpcAddress = '') {}
  async start(): Promise<StartedCerbos> {
    const base = this.url.replace(/\/$/, '');
    const response = await fetch(`${base}/_cerbos/health`, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
    if (response instanceof Error || !response.ok) throw new Error(`Cerbos at ${safeUrl(base)} is not healthy: ${response instanceof Error ? response.message : `HTTP ${response.status}`}`);
    // the PDP reports its version (GET /api/server_info)
    const info = (await fetch(`${base}/api/server_info`, { signal: AbortSignal.timeout(5000) }).then((r) => (r.ok ? r.json() : {}), () => ({}))) as { version?: string };
    const user = process.env.AUTHZ_BENCH_CERBOS_ADMIN_USER;
    const password = process.env.AUTHZ_BENCH_CERBOS_ADMIN_PASSWORD;
    return new Started(base, this.grpcAddress, 'url', async () => {}, { version: info.version ?? 'unknown' }, user && password ? { username: user, password } : undefined);
  }
}

export async function startCerbos(strategy: LaunchStrategy, options: CerbosOptions & { url?: string; grpcAddress?: string }): Promise<StartedCerbos> {
  const choice = await chooseLaunch('cerbos', strategy, options.url ? { url: options.url } : {});
  if (choice.launch === 'skip') throw new Error(choice.reason);
  if (choice.launch === 'url') return new CerbosUrl(options.url!, options.grpcAddress).start();
  return choice.launch === 'local' ? new CerbosLocal(options).start() : new CerbosContainer(options).start();
}
