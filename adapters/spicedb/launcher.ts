// SpiceDB's server, as the one server-engine helper (src/engines/server-engine.ts) starts it:
// `spicedb serve` on loopback (or all interfaces inside a container), gRPC for the API and the
// HTTP gateway only for its health endpoint; metrics, telemetry and the release check off; JSON
// logs with every API request and response (the request log the adapter reads,
// decision-log.ts). The preshared key is made by the harness for each start and passed in the
// environment, never on the command line. With the postgres datastore a private local
// PostgreSQL (src/engines/postgres.ts) is started first and migrated with
// `spicedb datastore migrate head`.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { v1 } from '@authzed/authzed-node';
import type { EngineDefinition, InstallRecipe, LaunchRequest } from '../../src/core/adapter.ts';
import { httpHealth } from '../../src/engines/server.ts';
import { binaryPath } from '../../src/engines/paths.ts';
import { PostgresLocal, type StartedPostgres } from '../../src/engines/postgres.ts';
import { startServer, type ServerRecipe } from '../../src/engines/server-engine.ts';
import type { SpiceDbConnection } from './adapter.ts';

const run = promisify(execFile);

export const SERVER_VERSION = '1.56.2';

/** Server flags that change answers, timing or what is logged; SpiceDB is started with exactly these. */
export interface SpiceDbServerSettings {
  /** `--datastore-engine`: memory, or postgres (a local PostgreSQL, migrated first). */
  readonly datastore: 'memory' | 'postgres';
  /** `--datastore-revision-quantization-interval`: the snapshot window `minimize_latency` reads from (SpiceDB's default). */
  readonly quantization: string;
  /** `--dispatch-max-depth` (SpiceDB's default). */
  readonly maxDepth: number;
}

export const serverSettings = (configuration?: string): SpiceDbServerSettings => ({ datastore: configuration === 'postgres' ? 'postgres' : 'memory', quantization: '5s', maxDepth: 50 });

/** The environment variable SpiceDB reads its preshared key from (flags map to SPICEDB_<FLAG>). */
export const PRESHARED_KEY_ENV = 'SPICEDB_GRPC_PRESHARED_KEY';

/** `spicedb serve` flags: gRPC and HTTP bound to `host`; metrics, telemetry and release check off; requests and responses logged as JSON. */
export function spiceDbServeArgs(settings: SpiceDbServerSettings, listen: { host: string; grpcPort: number; httpPort: number; datastoreUri?: string }): string[] {
  if (settings.datastore !== 'memory' && !listen.datastoreUri) throw new Error(`SpiceDB's ${settings.datastore} datastore needs a datastore URI`);
  return [
    'serve',
    `--grpc-addr=${listen.host}:${listen.grpcPort}`,
    '--http-enabled',
    `--http-addr=${listen.host}:${listen.httpPort}`,
    '--metrics-enabled=false',
    '--telemetry-endpoint=',
    '--skip-release-check',
    '--dispatch-cluster-enabled=false',
    `--datastore-engine=${settings.datastore}`,
    ...(listen.datastoreUri ? [`--datastore-conn-uri=${listen.datastoreUri}`] : []),
    `--datastore-revision-quantization-interval=${settings.quantization}`,
    `--dispatch-max-depth=${settings.maxDepth}`,
    '--log-format=json',
    '--grpc-log-requests-enabled',
    '--grpc-log-responses-enabled',
  ];
}

/**
 * How the server binary is obtained: a component of the engine definition (index.ts), so
 * `engines install` builds it beside the embedded package: `go install
 * github.com/authzed/spicedb/cmd/spicedb@v1.56.2` into <engines dir>/bin.
 */
export const SERVER_INSTALL: Extract<InstallRecipe, { kind: 'go' }> = {
  kind: 'go',
  goPackage: 'github.com/authzed/spicedb/cmd/spicedb',
  goModule: 'github.com/authzed/spicedb',
  binary: 'spicedb',
  minGo: { major: 1, minor: 26 },
};

/** The server's id as a component (`engines install|status`, AUTHZ_BENCH_SPICEDB_SERVER_BIN). */
export const SERVER_COMPONENT_ID = 'spicedb-server';

/** The pinned server binary in <engines dir>/bin, or AUTHZ_BENCH_SPICEDB_SERVER_BIN. */
export function spiceDbBinary(): string {
  return binaryPath({ id: SERVER_COMPONENT_ID, install: SERVER_INSTALL });
}

/** A fresh local PostgreSQL (log beside SpiceDB's), with SpiceDB's tables created by `spicedb datastore migrate head`. */
async function startPostgres(binary: string, logFile: string): Promise<StartedPostgres> {
  const postgres = await new PostgresLocal({ logFile: logFile.replace(/(\.log)?$/, '.postgresql.log') }).start();
  try {
    await run(binary, ['datastore', 'migrate', 'head', '--datastore-engine=postgres', `--datastore-conn-uri=${postgres.getUri()}`, '--skip-release-check'], { timeout: 120_000 });
    return postgres;
  } catch (error) {
    await postgres.stop();
    const e = error as { stderr?: string; message: string };
    throw new Error(`spicedb datastore migrate failed: ${(e.stderr ?? '').trim().split('\n').slice(-5).join('\n') || e.message}`);
  }
}

/** Calls a unary method with the callback API, to read SpiceDB's request id (the `x-request-id` trailer). */
function withRequestId<Request, Response>(
  method: (
    request: Request,
    callback: (error: unknown, response?: Response) => void,
  ) => { on(event: 'status', listener: (status: { metadata: { get(key: string): unknown[] } }) => void): unknown },
) {
  return (request: Request): Promise<{ response: Response; requestId?: string }> =>
    new Promise((resolve, reject) => {
      let requestId: string | undefined;
      let result: { response: Response } | undefined;
      let failed: unknown;
      let settled = 0;
      // The answer and the trailers arrive as two events, in either order.
      const settle = () => {
        if (++settled < 2) return;
        if (result) resolve({ ...result, ...(requestId ? { requestId } : {}) });
        else reject(Object.assign(failed as object, requestId ? { requestId } : {}));
      };
      const call = method(request, (error, response) => {
        if (error) failed = error;
        else result = { response: response as Response };
        settle();
      });
      call.on('status', (status) => {
        const id = status.metadata.get('x-request-id')[0];
        if (typeof id === 'string') requestId = id;
        settle();
      });
    });
}

/** The server recipe for the one server-engine helper: HTTP (health only) first, then gRPC; the key in the environment. */
export function spiceDbServer(definition: EngineDefinition, settings: SpiceDbServerSettings, options: { key: string; datastoreUri?: string }): ServerRecipe {
  return {
    definition,
    ports: { http: { container: 8443 }, grpc: { container: 50051 } },
    // inside a container the server listens on all interfaces; the host side is 127.0.0.1 only
    args: (listen) =>
      spiceDbServeArgs(settings, {
        host: listen.host,
        grpcPort: listen.port('grpc'),
        httpPort: listen.port('http'),
        ...(options.datastoreUri ? { datastoreUri: options.datastoreUri } : {}),
      }),
    env: { [PRESHARED_KEY_ENV]: options.key },
    health: { path: '/healthz', accept: (status, body) => status === 200 && body.includes('SERVING') },
    startupTimeoutMs: 60_000,
    ...(settings.datastore !== 'memory' ? { containerUnsupported: `SpiceDB's ${settings.datastore} datastore runs with --launch local only (a local PostgreSQL)` } : {}),
  };
}

/** Starts `spicedb serve` (and its PostgreSQL where the settings ask for one) by the requested strategy. */
export async function startSpiceDbServer(definition: EngineDefinition, settings: SpiceDbServerSettings, launch: { launch: LaunchRequest; logFile: string }): Promise<SpiceDbConnection> {
  if (launch.launch.url) {
    throw new Error('spicedb by URL is not supported: SpiceDB is driven over gRPC, and --engine id=URL gives no gRPC address or preshared key; run it with --launch local or container');
  }
  const binary = spiceDbBinary();
  if (launch.launch.strategy === 'local' && !existsSync(binary)) {
    throw new Error(`the SpiceDB server binary is not at ${binary}: build it with GOBIN=${path.dirname(binary)} go install ${SERVER_INSTALL.goPackage}@v${SERVER_VERSION} (Go >= 1.26)`);
  }
  // The server is pinned by its own component (the definition's recipe installs the embedded package): launch choice, binary and version come from it.
  const server = { ...definition, id: SERVER_COMPONENT_ID, version: SERVER_VERSION, install: SERVER_INSTALL };
  const local = launch.launch.strategy !== 'container' && existsSync(binary);
  const postgres = settings.datastore === 'postgres' && local ? await startPostgres(binary, launch.logFile) : undefined;
  try {
    const key = randomBytes(24).toString('base64url');
    const started = await startServer(spiceDbServer(server, settings, { key, ...(postgres ? { datastoreUri: postgres.getUri() } : {}) }), launch);
    const client = v1.NewClient(key, started.address('grpc'), v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    return {
      permissions: client.promises,
      schema: client.promises,
      checkPermission: withRequestId(client.checkPermission.bind(client) as never),
      checkBulkPermissions: withRequestId(client.checkBulkPermissions.bind(client) as never),
      version: SERVER_VERSION,
      launch: started.launch,
      datastore: postgres ? `postgres (PostgreSQL ${postgres.getVersion()}, local, default server settings)` : 'memory',
      ...(started.pid ? { pid: started.pid } : {}),
      ...(postgres ? { datastorePid: postgres.getPid() } : {}),
      ...(started.logFile ? { logFile: started.logFile } : {}),
      health: () =>
        httpHealth('SpiceDB', `${started.url}/healthz`, undefined, (body) => {
          const status = (body as { status?: string }).status;
          return status === 'SERVING' ? undefined : `SpiceDB health status ${status}`;
        }),
      stop: async () => {
        client.close();
        try {
          await started.stop();
        } finally {
          await postgres?.stop();
        }
      },
    };
  } catch (error) {
    await postgres?.stop();
    throw error;
  }
}
