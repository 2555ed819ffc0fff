// OpenFGA's server, as the one server-engine helper (src/engines/server-engine.ts) starts it:
// `openfga run` with HTTP and gRPC on the given addresses; metrics, playground, profiler and
// tracing off; the settings that change answers or timing as flags. With the postgres
// datastore, a private local PostgreSQL (src/engines/postgres.ts) is started first and
// migrated with `openfga migrate`.

import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import type { EngineDefinition } from '../../src/core/adapter.ts';
import { PostgresLocal, type StartedPostgres } from '../../src/engines/postgres.ts';
import { startServer, type ServerLaunch, type ServerRecipe, type StartedServer } from '../../src/engines/server-engine.ts';
import { binaryPath } from '../../src/engines/paths.ts';

import { DEFAULT_LIST_OBJECTS_LIMITS, type ListObjectsLimits, requestTimeout } from './list-limits.ts';
const run = promisify(execFile);

/** Server flags that change answers or timing; OpenFGA is started with exactly these. */
export interface OpenFgaSettings extends ListObjectsLimits {
  /** `--check-query-cache-enabled` */
  readonly checkQueryCache: boolean;
  /** `--check-query-cache-ttl`, a Go duration. */
  readonly checkQueryCacheTtl: string;
  /** `--datastore-engine`: memory, or postgres (a local PostgreSQL, migrated with `openfga migrate`). */
  readonly datastore: 'memory' | 'postgres';
  /** `--resolve-node-limit` (OpenFGA's depth limit). */
  readonly resolveNodeLimit: number;
  /** `--experimentals=...,authzen` and `--authzen-base-url`: the AuthZEN endpoints (configuration `authzen`). */
  readonly authzen: boolean;
  readonly logFormat: 'json';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const DEFAULT_OPENFGA_SETTINGS: OpenFgaSettings = Object.freeze({
  ...DEFAULT_LIST_OBJECTS_LIMITS,
  checkQueryCache: false,
  checkQueryCacheTtl: '10s',
  datastore: 'memory',
  resolveNodeLimit: 50,
  authzen: false,
  logFormat: 'json',
  logLevel: 'info',
});

/** A running OpenFGA server, however it was obtained. */
export interface OpenFgaServer extends StartedServer {
  /** The datastore server, where there is one (e.g. `PostgreSQL 15.18`). */
  datastoreVersion?: string;
  /** Its process group, so that memory figures count the datastore too. */
  datastorePid?: number;
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
    `--listObjects-max-results=${settings.listObjectsMaxResults}`,
    `--listObjects-deadline=${settings.listObjectsDeadline}`,
    ...(requestTimeout(settings) ? [`--request-timeout=${requestTimeout(settings)}`] : []),
    // pipeline_list_objects is OpenFGA's default experimental; naming the list replaces it, so it is kept
    ...(settings.authzen ? ['--experimentals=pipeline_list_objects,authzen', `--authzen-base-url=http://${listen.host}:${listen.httpPort}`] : []),
  ];
}

/**
 * The recipe: `tmpDir` becomes the server's TMPDIR (OpenFGA puts a grpc.sock folder there
 * that it removes only on a clean stop), so nothing is left in the machine's /tmp.
 */
export function openFgaServer(definition: EngineDefinition, settings: OpenFgaSettings, options: { datastoreUri?: string; tmpDir?: string } = {}): ServerRecipe {
  return {
    definition,
    ports: { http: { container: 8080 }, grpc: { container: 8081 } },
    // inside a container the server listens on all interfaces; the host side is 127.0.0.1 only
    args: (listen) =>
      openFgaRunArgs(settings, { host: listen.host, httpPort: listen.port('http'), grpcPort: listen.port('grpc'), ...(options.datastoreUri ? { datastoreUri: options.datastoreUri } : {}) }),
    ...(options.tmpDir ? { env: { TMPDIR: options.tmpDir } } : {}),
    health: { path: '/healthz', accept: (status, body) => status === 200 && body.includes('SERVING') },
    ...(settings.datastore !== 'memory'
      ? {
          containerUnsupported: `OpenFGA's ${settings.datastore} datastore runs with --launch local only (a local PostgreSQL); with Docker, run OpenFGA on Postgres yourself and use --engine openfga=http://host:port`,
        }
      : {}),
  };
}

/** A fresh local PostgreSQL (log beside OpenFGA's), with OpenFGA's tables created by `openfga migrate`. */
async function startPostgres(definition: EngineDefinition, logFile: string, binary?: string): Promise<StartedPostgres> {
  const postgres = await new PostgresLocal({ logFile: logFile.replace(/(\.log)?$/, '.postgresql.log') }).start();
  try {
    await run(binary ?? binaryPath(definition), ['migrate', '--datastore-engine=postgres', `--datastore-uri=${postgres.getUri()}`], { timeout: 60_000 });
    return postgres;
  } catch (error) {
    await postgres.stop();
    const e = error as { stderr?: string; message: string };
    throw new Error(`openfga migrate failed: ${(e.stderr ?? '').trim().split('\n').slice(-5).join('\n') || e.message}`);
  }
}

/** Starts OpenFGA (and its PostgreSQL where the settings ask for one) by the requested strategy. */
export async function startOpenFga(definition: EngineDefinition, settings: OpenFgaSettings, launch: ServerLaunch): Promise<OpenFgaServer> {
  const local = !launch.launch.url && launch.launch.strategy !== 'container';
  const postgres = settings.datastore === 'postgres' && local ? await startPostgres(definition, launch.logFile, launch.binary) : undefined;
  const tmpDir = local ? launch.logFile.replace(/(\.log)?$/, '.tmp') : undefined;
  try {
    if (tmpDir) mkdirSync(tmpDir, { recursive: true });
    const server = await startServer(openFgaServer(definition, settings, { ...(postgres ? { datastoreUri: postgres.getUri() } : {}), ...(tmpDir ? { tmpDir } : {}) }), launch);
    const cleanUp = async () => {
      await postgres?.stop();
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    };
    return {
      ...server,
      ...(postgres ? { datastoreVersion: `PostgreSQL ${postgres.getVersion()}`, datastorePid: postgres.getPid() } : {}),
      stop: async () => {
        try {
          await server.stop();
        } finally {
          await cleanUp();
        }
      },
    };
  } catch (error) {
    await postgres?.stop();
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    throw error;
  }
}
