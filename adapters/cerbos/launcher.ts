// The Cerbos PDP, as the one server-engine helper (src/engines/server-engine.ts) starts it:
// the npm platform binary (@cerbos/cerbos-<os>-<arch>) with a generated config: HTTP and gRPC
// on the given addresses, no debug (gops) listener, telemetry off (config + CERBOS_NO_TELEMETRY).
// Storage: `disk` at a policy directory (watchForChanges), or with the Admin API a mutable
// in-memory `sqlite3` store. Audit: `file` backend to a caller-given path.
// Config keys: docs.cerbos.dev/cerbos/latest/configuration/{server,storage,audit}.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { EngineDefinition } from '../../src/core/adapter.ts';
import { startServer, type ServerLaunch, type ServerRecipe, type StartedServer } from '../../src/engines/server-engine.ts';

export interface CerbosAdminCredentials {
  readonly username: string;
  readonly password: string;
  /** base64 of the bcrypt hash of `password` (Cerbos's `passwordHash`); omit only for Cerbos's built-in default cerbos/cerbosAdmin. */
  readonly passwordHash?: string;
}

/** Cerbos's built-in admin credentials, used when adminCredentials has no passwordHash of its own. */
export const CERBOS_DEFAULT_ADMIN: CerbosAdminCredentials = Object.freeze({ username: 'cerbos', password: 'cerbosAdmin' });

export interface CerbosOptions {
  /** Policy directory for the `disk` store (created if missing). */
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
  /** gRPC address of a PDP reached by URL (its HTTP URL says nothing of it). */
  grpcAddress?: string;
}

/** A running Cerbos PDP, however it was obtained. */
export interface CerbosServer extends StartedServer {
  grpcAddress: string;
  /** The disk store's directory; undefined with the admin API (sqlite3 store) or a PDP reached by URL. */
  policyDir?: string;
  auditLogFile?: string;
  /** Admin API credentials when enabled; never record them. */
  adminCredentials?: { username: string; password: string };
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
      ...(admin ? { adminAPI: { enabled: true, ...(admin.passwordHash ? { adminCredentials: { username: admin.username, passwordHash: admin.passwordHash } } : {}) } } : {}),
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

export function checkCredentials(options: CerbosOptions): void {
  const c = options.adminCredentials;
  if (options.adminApi && c && !c.passwordHash && (c.username !== CERBOS_DEFAULT_ADMIN.username || c.password !== CERBOS_DEFAULT_ADMIN.password)) {
    throw new Error('Cerbos adminCredentials need passwordHash (base64 of a bcrypt hash of the password) unless they are the defaults cerbos/cerbosAdmin');
  }
}

/** The recipe. In a container the policies folder is /policies and the audit log /audit/audit.log (inside the container). */
export function cerbosServer(definition: EngineDefinition, options: CerbosOptions): ServerRecipe {
  checkCredentials(options);
  return {
    definition,
    ports: { http: { container: 3592 }, grpc: { container: 3593 } },
    files: (listen) => ({
      'config.yaml': stringify(
        cerbosConfig(
          options,
          { http: listen.address('http'), grpc: listen.address('grpc') },
          listen.container ? { policyDir: '/policies', ...(options.auditLogFile ? { auditLogFile: '/audit/audit.log' } : {}) } : {},
        ),
      ),
    }),
    args: (listen) => ['server', `--config=${listen.file('config.yaml')}`, `--log-level=${options.logLevel ?? 'info'}`],
    env: { CERBOS_NO_TELEMETRY: '1' },
    health: { path: '/_cerbos/health', accept: (status, body) => status === 200 && body.includes('SERVING') },
    // the PDP reports its version (GET /api/server_info)
    urlVersion: async (url, headers) => {
      const response = await fetch(`${url}/api/server_info`, { headers, signal: AbortSignal.timeout(5000) });
      return response.ok ? ((await response.json()) as { version?: string }).version : undefined;
    },
  };
}

/** Starts Cerbos (or connects to it) by the requested strategy; admin credentials of a PDP by URL from AUTHZ_BENCH_CERBOS_ADMIN_USER/_PASSWORD. */
export async function startCerbos(definition: EngineDefinition, options: CerbosOptions, launch: ServerLaunch): Promise<CerbosServer> {
  if (options.policyDir) mkdirSync(options.policyDir, { recursive: true });
  if (options.auditLogFile) mkdirSync(path.dirname(options.auditLogFile), { recursive: true });
  const server = await startServer(cerbosServer(definition, options), launch);
  if (server.launch === 'url') {
    const user = process.env.AUTHZ_BENCH_CERBOS_ADMIN_USER;
    const password = process.env.AUTHZ_BENCH_CERBOS_ADMIN_PASSWORD;
    return { ...server, grpcAddress: options.grpcAddress ?? '', ...(user && password ? { adminCredentials: { username: user, password } } : {}) };
  }
  const admin = options.adminApi ? (options.adminCredentials ?? CERBOS_DEFAULT_ADMIN) : undefined;
  return {
    ...server,
    grpcAddress: server.address('grpc'),
    ...(options.policyDir && server.launch === 'local' ? { policyDir: options.policyDir } : {}),
    ...(options.auditLogFile && server.launch === 'local' ? { auditLogFile: options.auditLogFile } : {}),
    ...(admin ? { adminCredentials: { username: admin.username, password: admin.password } } : {}),
  };
}
