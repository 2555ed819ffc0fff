// OpenFGA server, in the style of a testcontainers module: an immutable settings object,
// `start()` returning a started handle with getters.
//   local:     .engines/bin/openfga (go install, pinned), every listener on 127.0.0.1; with the
//              postgres datastore, a local PostgreSQL started for it (src/engines/postgres.ts)
//   container: openfga/openfga:v1.22.1 (testcontainers; only when Docker is reachable)
//   url:       a server already running elsewhere; token from AUTHZ_BENCH_OPENFGA_TOKEN
// openFgaLauncher adapts this to the adapter's OpenFgaLauncher contract (adapter.ts).

import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startContainer, type ContainerSpec } from '../../src/engines/container.ts';
import { chooseLaunch, safeUrl, urlCredentials, type LaunchStrategy } from '../../src/engines/launch.ts';
import { startLocalProcess } from '../../src/engines/local.ts';
import { binaryPath } from '../../src/engines/paths.ts';
import { ENGINE_PINS } from '../../src/engines/pins.ts';
import { freePorts } from '../../src/engines/ports.ts';
import { PostgresLocal, type StartedPostgres } from '../../src/engines/postgres.ts';
import type { OpenFgaLauncher, OpenFgaServer } from './adapter.ts';

const run = promisify(execFile);

export interface OpenFgaSettings {
  /** `--check-query-cache-enabled` */
  readonly checkQueryCache: boolean;
  /** `--check-query-cache-ttl`, a Go duration. */
  readonly checkQueryCacheTtl: string;
  /** `--datastore-engine`: memory, or postgres (a local PostgreSQL, migrated with `openfga migrate`). */
  readonly datastore: 'memory' | 'postgres';
  /** `--resolve-node-limit` (OpenFGA's depth limit). */
  readonly resolveNodeLimit: number;
  readonly logFormat: 'json';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const DEFAULT_OPENFGA_SETTINGS: OpenFgaSettings = Object.freeze({
  checkQueryCache: false,
  checkQueryCacheTtl: '10s',
  datastore: 'memory',
  resolveNodeLimit: 50,
  logFormat: 'json',
  logLevel: 'info',
});

export interface OpenFgaOptions {
  settings?: Partial<OpenFgaSettings>;
  /** Engine stdout/stderr go here (local; container logs too). Required for local. */
  logFile: string;
  /** Default: the pinned binary in .engines/bin. */
  binary?: string;
  startupTimeoutMs?: number;
}

export interface StartedOpenFga {
  getHttpUrl(): string;
  /** host:port of the gRPC API. */
  getGrpcAddress(): string;
  getVersion(): string;
  getLogFile(): string | undefined;
  getLaunch(): 'local' | 'container' | 'url';
  getPid(): number | undefined;
  getSettings(): OpenFgaSettings;
  /** The datastore server's version (e.g. `PostgreSQL 15.18`), where OpenFGA has one. */
  getDatastoreVersion(): string | undefined;
  /** The datastore's process group leader (the local PostgreSQL), where there is one. */
  getDatastorePid(): number | undefined;
  /** Headers to send (bearer token for url launch); never record them. */
  getAuthHeaders(): Record<string, string>;
  stop(): Promise<void>;
}

function freezeSettings(partial?: Partial<OpenFgaSettings>): OpenFgaSettings {
  return Object.freeze({ ...DEFAULT_OPENFGA_SETTINGS, ...partial });
}

/** `openfga run` flags: http, grpc bound to `host`; metrics, playground, profiler, tracing off. */
export function openFgaRunArgs(settings: OpenFgaSettings, listen: { host: string; httpPort: number; grpcPort: number; datastoreUri?: string }): string[] {
  if (settings.datastore !== 'memory' && !listen.datastoreUri) throw new Error(`OpenFGA's ${settings.datastore} datastore needs a datastore URI`);
  return [
    'run',
    `--http-addr=${listen.host}:${listen.httpPort}`,
    `--grpc-addr=${listen.host}:${listen.grpcPort}`,
    '--playground-enabled=false',
    '--metrics-enabled=false',
    '--profiler-enabled=false',
    '--trace-enabled=false',
    `--datastore-engine=${settings.datastore}`,
    ...(listen.datastoreUri ? [`--datastore-uri=${listen.datastoreUri}`] : []),
    `--log-format=${settings.logFormat}`,
    `--log-level=${settings.logLevel}`,
    `--resolve-node-limit=${settings.resolveNodeLimit}`,
    `--check-query-cache-enabled=${settings.checkQueryCache}`,
    `--check-query-cache-ttl=${settings.checkQueryCacheTtl}`,
  ];
}

class Started implements StartedOpenFga {
  readonly #headers: Record<string, string>;
  constructor(
    private readonly http: string,
    private readonly grpc: string,
    private readonly launch: 'local' | 'container' | 'url',
    private readonly settings: OpenFgaSettings,
    private readonly stopper: () => Promise<void>,
    private readonly extra: { logFile?: string; pid?: number; headers?: Record<string, string>; version?: string; datastoreVersion?: string; datastorePid?: number } = {},
  ) {
    this.#headers = Object.freeze({ ...(extra.headers ?? {}) }) as Record<string, string>;
  }
  getHttpUrl() { return this.http; }
  getGrpcAddress() { return this.grpc; }
  getVersion() { return this.extra.version ?? ENGINE_PINS.openfga.version; }
  getLogFile() { return this.extra.logFile; }
  getLaunch() { return this.launch; }
  getPid() { return this.extra.pid; }
  getSettings() { return this.settings; }
  getDatastoreVersion() { return this.extra.datastoreVersion; }
  getDatastorePid() { return this.extra.datastorePid; }
  getAuthHeaders() { return { ...this.#headers }; }
  stop() { return this.stopper(); }
  toJSON() { return { httpUrl: safeUrl(this.http), grpcAddress: this.grpc, launch: this.launch, version: this.getVersion(), logFile: this.extra.logFile }; }
}

/** OpenFGA as a local process. */
export class OpenFgaLocal {
  readonly settings: OpenFgaSettings;
  readonly options: Readonly<OpenFgaOptions>;
  constructor(options: OpenFgaOptions) {
    this.settings = freezeSettings(options.settings);
    this.options = Object.freeze({ ...options, settings: this.settings });
  }
  async start(): Promise<StartedOpenFga> {
    const binary = this.options.binary ?? binaryPath('openfga');
    const postgres = this.settings.datastore === 'postgres' ? await this.startPostgres(binary) : undefined;
    try {
      const [httpPort, grpcPort] = await freePorts(2);
      mkdirSync(path.dirname(this.options.logFile), { recursive: true });
      const http = `http://127.0.0.1:${httpPort}`;
      const child = await startLocalProcess({
        name: 'openfga',
        binary,
        args: openFgaRunArgs(this.settings, { host: '127.0.0.1', httpPort: httpPort!, grpcPort: grpcPort!, ...(postgres ? { datastoreUri: postgres.getUri() } : {}) }),
        logFile: this.options.logFile,
        health: { url: `${http}/healthz`, accept: (r, body) => r.status === 200 && body.includes('SERVING'), timeoutMs: this.options.startupTimeoutMs ?? 30_000 },
      });
      const stop = async () => {
        try {
          await child.stop();
        } finally {
          await postgres?.stop();
        }
      };
      return new Started(http, `127.0.0.1:${grpcPort}`, 'local', this.settings, stop, {
        logFile: this.options.logFile,
        pid: child.pid,
        ...(postgres ? { datastoreVersion: `PostgreSQL ${postgres.getVersion()}`, datastorePid: postgres.getPid() } : {}),
      });
    } catch (error) {
      await postgres?.stop();
      throw error;
    }
  }

  /** A fresh local PostgreSQL (log beside OpenFGA's), with OpenFGA's tables created by `openfga migrate`. */
  private async startPostgres(binary: string): Promise<StartedPostgres> {
    const postgres = await new PostgresLocal({ logFile: this.options.logFile.replace(/(\.log)?$/, '.postgresql.log') }).start();
    try {
      await run(binary, ['migrate', '--datastore-engine=postgres', `--datastore-uri=${postgres.getUri()}`], { timeout: 60_000 });
      return postgres;
    } catch (error) {
      await postgres.stop();
      const e = error as { stderr?: string; message: string };
      throw new Error(`openfga migrate failed: ${(e.stderr ?? '').trim().split('\n').slice(-5).join('\n') || e.message}`);
    }
  }
}

/** OpenFGA in a container (testcontainers). */
export class OpenFgaContainer {
  readonly settings: OpenFgaSettings;
  readonly options: Readonly<OpenFgaOptions>;
  constructor(options: OpenFgaOptions) {
    this.settings = freezeSettings(options.settings);
    this.options = Object.freeze({ ...options, settings: this.settings });
  }
  spec(): ContainerSpec {
    if (this.settings.datastore !== 'memory') {
      throw new Error(`OpenFGA's ${this.settings.datastore} datastore runs with --launch local only (a local PostgreSQL); with Docker, run OpenFGA on Postgres yourself and use --engine openfga=http://host:port`);
    }
    return {
      image: ENGINE_PINS.openfga.image,
      exposedPorts: [8080, 8081],
      // inside the container the server must listen on all interfaces; the host side is 127.0.0.1 only
      command: openFgaRunArgs(this.settings, { host: '0.0.0.0', httpPort: 8080, grpcPort: 8081 }),
      environment: {},
      files: [],
      wait: { path: '/healthz', port: 8080, status: 200 },
      startupTimeoutMs: this.options.startupTimeoutMs ?? 120_000,
    };
  }
  async start(): Promise<StartedOpenFga> {
    const c = await startContainer(this.spec(), this.options.logFile);
    return new Started(c.url(8080), c.address(8081), 'container', this.settings, c.stop, { logFile: this.options.logFile });
  }
}

/** OpenFGA already running at `url`; settings are whatever that server has (recorded as given); version `unknown` unless given. */
export class OpenFgaUrl {
  constructor(private readonly url: string, private readonly grpcAddress = '', private readonly settings: OpenFgaSettings = DEFAULT_OPENFGA_SETTINGS, private readonly version = 'unknown') {}
  async start(): Promise<StartedOpenFga> {
    const base = this.url.replace(/\/$/, '');
    const { headers } = urlCredentials('openfga');
    const response = await fetch(`${base}/healthz`, { headers, signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
    if (response instanceof Error || !response.ok) throw new Error(`OpenFGA at ${safeUrl(base)} is not healthy: ${response instanceof Error ? response.message : `HTTP ${response.status}`}`);
    return new Started(base, this.grpcAddress, 'url', this.settings, async () => {}, { headers, version: this.version });
  }
}

/** Starts OpenFGA by strategy (`auto`: local if installed, else container if Docker is reachable). */
export async function startOpenFga(strategy: LaunchStrategy, options: OpenFgaOptions & { url?: string }): Promise<StartedOpenFga> {
  const choice = await chooseLaunch('openfga', strategy, options.url ? { url: options.url } : {});
  if (choice.launch === 'skip') throw new Error(choice.reason);
  if (choice.launch === 'url') return new OpenFgaUrl(options.url!, '', freezeSettings(options.settings)).start();
  return choice.launch === 'local' ? new OpenFgaLocal(options).start() : new OpenFgaContainer(options).start();
}

/** The adapter's launcher contract on top of startOpenFga (log: <resultsDir>/engines/openfga[-<configuration>].log). */
export const openFgaLauncher: OpenFgaLauncher = async ({ settings, context, engineId }) => {
  const strategy = (context.options.launch as LaunchStrategy | undefined) ?? 'auto';
  const logFile = path.join(context.resultsDir, 'engines', `${engineId.replace(/\[(.*)\]$/, '-$1')}.log`);
  const started = await startOpenFga(strategy, { settings, logFile, ...(context.options.url ? { url: context.options.url } : {}) });
  const server: OpenFgaServer = {
    url: started.getHttpUrl(),
    version: started.getVersion(),
    launch: started.getLaunch(),
    ...(started.getLogFile() ? { logFile: started.getLogFile()! } : {}),
    ...(started.getDatastoreVersion() ? { datastoreVersion: started.getDatastoreVersion()! } : {}),
    ...(started.getDatastorePid() ? { datastorePid: started.getDatastorePid()! } : {}),
    ...(started.getPid() ? { pid: started.getPid()! } : {}),
    headers: started.getAuthHeaders(),
    stop: () => started.stop(),
  };
  return server;
};
