// OPA server, in the style of a testcontainers module (settings object, start() -> handle).
//   local:     .engines/bin/opa (go install, pinned): `run --server --addr 127.0.0.1:PORT`,
//              version check off (`--skip-version-check`: OPA 1.x's replacement of --disable-telemetry)
//   container: openpolicyagent/opa:1.22.4 (testcontainers; only when Docker is reachable)
//   url:       a server already running elsewhere; token from AUTHZ_BENCH_OPA_TOKEN
// opaLauncher adapts this to the adapter's OpaLauncher contract (adapter.ts).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startContainer, type ContainerSpec } from '../../src/engines/container.ts';
import { chooseLaunch, safeUrl, urlCredentials, type LaunchStrategy } from '../../src/engines/launch.ts';
import { startLocalProcess } from '../../src/engines/local.ts';
import { binaryPath } from '../../src/engines/paths.ts';
import { ENGINE_PINS } from '../../src/engines/pins.ts';
import { freePort } from '../../src/engines/ports.ts';
import type { OpaLauncher } from './adapter.ts';

export interface OpaOptions {
  /** Engine stdout/stderr go here. */
  logFile: string;
  /** Decision logs are sent to this HTTP service (written into a generated config file). */
  decisionLogUrl?: string;
  /** Seconds between decision-log uploads (min = max); default 1. */
  decisionLogDelaySeconds?: number;
  /** Use this OPA config file as is (instead of a generated one). */
  configFile?: string;
  logLevel?: 'debug' | 'info' | 'error';
  binary?: string;
  startupTimeoutMs?: number;
}

export interface StartedOpa {
  getUrl(): string;
  getVersion(): string;
  getLogFile(): string | undefined;
  /** The config file OPA was started with, if any. */
  getConfigFile(): string | undefined;
  getLaunch(): 'local' | 'container' | 'url';
  getPid(): number | undefined;
  getAuthHeaders(): Record<string, string>;
  stop(): Promise<void>;
}

/** OPA config with decision logs sent to `url`. */
export function opaDecisionLogConfig(url: string, delaySeconds = 1): Record<string, unknown> {
  return {
    services: { decisionlogs: { url } },
    decision_logs: { service: 'decisionlogs', reporting: { min_delay_seconds: delaySeconds, max_delay_seconds: delaySeconds } },
  };
}

/** The config file to pass, writing a generated one next to the log file when a decision-log URL is set. */
function configFileFor(options: OpaOptions): string | undefined {
  if (options.configFile) return options.configFile;
  if (!options.decisionLogUrl) return undefined;
  const file = options.logFile.replace(/(\.log)?$/, '.config.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(opaDecisionLogConfig(options.decisionLogUrl, options.decisionLogDelaySeconds), null, 2));
  return file;
}

export function opaRunArgs(options: { addr: string; configFile?: string; logLevel?: string }): string[] {
  return [
    'run',
    '--server',
    '--addr',
    options.addr,
    '--skip-version-check',
    '--log-format',
    'json',
    '--log-level',
    options.logLevel ?? 'error',
    ...(options.configFile ? ['--config-file', options.configFile] : []),
  ];
}

class Started implements StartedOpa {
  readonly #headers: Record<string, string>;
  constructor(
    private readonly url: string,
    private readonly launch: 'local' | 'container' | 'url',
    private readonly stopper: () => Promise<void>,
    private readonly extra: { logFile?: string; configFile?: string; pid?: number; headers?: Record<string, string>; version?: string } = {},
  ) {
    this.#headers = { ...(extra.headers ?? {}) };
  }
  getUrl() { return this.url; }
  getVersion() { return this.extra.version ?? ENGINE_PINS.opa.version; }
  getLogFile() { return this.extra.logFile; }
  getConfigFile() { return this.extra.configFile; }
  getLaunch() { return this.launch; }
  getPid() { return this.extra.pid; }
  getAuthHeaders() { return { ...this.#headers }; }
  stop() { return this.stopper(); }
  toJSON() { return { url: safeUrl(this.url), launch: this.launch, version: this.getVersion(), logFile: this.extra.logFile }; }
}

export class OpaLocal {
  readonly options: Readonly<OpaOptions>;
  constructor(options: OpaOptions) {
    this.options = Object.freeze({ ...options });
  }
  async start(): Promise<StartedOpa> {
    const port = await freePort();
    const configFile = configFileFor(this.options);
    const url = `http://127.0.0.1:${port}`;
    const child = await startLocalProcess({
      name: 'opa',
      binary: this.options.binary ?? binaryPath('opa'),
      args: opaRunArgs({ addr: `127.0.0.1:${port}`, ...(configFile ? { configFile } : {}), ...(this.options.logLevel ? { logLevel: this.options.logLevel } : {}) }),
      logFile: this.options.logFile,
      health: { url: `${url}/health`, timeoutMs: this.options.startupTimeoutMs ?? 30_000 },
    });
    return new Started(url, 'local', () => child.stop(), { logFile: this.options.logFile, pid: child.pid, ...(configFile ? { configFile } : {}) });
  }
}

export class OpaContainer {
  readonly options: Readonly<OpaOptions>;
  constructor(options: OpaOptions) {
    this.options = Object.freeze({ ...options });
  }
  spec(): ContainerSpec {
    const o = this.options;
    // decision-log URLs must be reachable from inside the container (e.g. host.testcontainers.internal)
    const content = o.configFile ? readFileSync(o.configFile, 'utf8') : o.decisionLogUrl ? JSON.stringify(opaDecisionLogConfig(o.decisionLogUrl, o.decisionLogDelaySeconds)) : undefined;
    const files = content ? [{ target: '/config/opa.json', content }] : [];
    return {
      image: ENGINE_PINS.opa.image,
      exposedPorts: [8181],
      command: opaRunArgs({ addr: '0.0.0.0:8181', ...(files.length ? { configFile: '/config/opa.json' } : {}), ...(this.options.logLevel ? { logLevel: this.options.logLevel } : {}) }),
      environment: {},
      files,
      wait: { path: '/health', port: 8181, status: 200 },
      startupTimeoutMs: this.options.startupTimeoutMs ?? 120_000,
    };
  }
  async start(): Promise<StartedOpa> {
    const c = await startContainer(this.spec(), this.options.logFile);
    return new Started(c.url(8181), 'container', c.stop, { logFile: this.options.logFile });
  }
}

/** OPA already running at `url`; version `unknown` unless given. */
export class OpaUrl {
  constructor(private readonly url: string, private readonly version = 'unknown') {}
  async start(): Promise<StartedOpa> {
    const base = this.url.replace(/\/$/, '');
    const { headers } = urlCredentials('opa');
    const response = await fetch(`${base}/health`, { headers, signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
    if (response instanceof Error || !response.ok) throw new Error(`OPA at ${safeUrl(base)} is not healthy: ${response instanceof Error ? response.message : `HTTP ${response.status}`}`);
    return new Started(base, 'url', async () => {}, { headers, version: this.version });
  }
}

export async function startOpa(strategy: LaunchStrategy, options: OpaOptions & { url?: string }): Promise<StartedOpa> {
  const choice = await chooseLaunch('opa', strategy, options.url ? { url: options.url } : {});
  if (choice.launch === 'skip') throw new Error(choice.reason);
  if (choice.launch === 'url') return new OpaUrl(options.url!).start();
  return choice.launch === 'local' ? new OpaLocal(options).start() : new OpaContainer(options).start();
}

/** The adapter's launcher contract: OPA with the adapter's config file (log: <resultsDir>/engines/opa.log). */
export const opaLauncher: OpaLauncher = async ({ configFile, context }) => {
  const strategy = (context.options.launch as LaunchStrategy | undefined) ?? 'auto';
  const logFile = path.join(context.resultsDir, 'engines', 'opa.log');
  const started = await startOpa(strategy, { logFile, configFile, ...(context.options.url ? { url: context.options.url } : {}) });
  return {
    url: started.getUrl(),
    version: started.getVersion(),
    launch: started.getLaunch(),
    ...(started.getPid() ? { pid: started.getPid()! } : {}),
    headers: started.getAuthHeaders(),
    stop: () => started.stop(),
  };
};
