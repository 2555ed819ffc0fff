// PostgreSQL as a local process, for engines with a Postgres datastore (OpenFGA's
// `postgres` configuration), in the style of a testcontainers module: `start()` returns a
// started handle with getters. A fresh cluster per start (initdb into a temporary folder),
// reachable only through its Unix socket inside that folder (mode 0700): no TCP listener, so
// the trust authentication of this throwaway cluster is open to nobody but its owner (and
// root). Stopped with a fast shutdown and its folder removed on stop(); folders of clusters
// whose harness died are removed at the next start. Server settings are PostgreSQL's
// defaults (fsync on): a datastore as it would run in production, not tuned for the benchmark.
//
// PostgreSQL refuses to run as root; as root, initdb and the server run as the `postgres`
// user (Debian's package creates it), or `nobody`.

import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalProcess } from './local.ts';
import { freePort } from './ports.ts';

const run = promisify(execFile);

/** The database user the cluster is created with; trust authentication, loopback only. */
export const POSTGRES_USER = 'authzbench';

export interface PostgresOptions {
  /** Server output goes here. */
  logFile: string;
  /** Folder of initdb, postgres and pg_isready; default: AUTHZ_BENCH_POSTGRES_BINDIR, `pg_config --bindir`, or the newest /usr/lib/postgresql/<n>/bin. */
  binDir?: string;
  startupTimeoutMs?: number;
}

export interface StartedPostgres {
  /** `postgres://authzbench@/postgres?host=<data folder>&port=<n>&sslmode=disable`: the Unix socket, no password. */
  getUri(): string;
  /** e.g. `15.18`. */
  getVersion(): string;
  getPid(): number;
  /** The cluster's folder (removed by stop()). */
  getDataDir(): string;
  stop(): Promise<void>;
}

/** Where PostgreSQL's programs are, or why they cannot be found. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): { binDir: string } | { missing: string } {
  const hasServer = (dir: string) => ['initdb', 'postgres', 'pg_isready'].every((b) => existsSync(path.join(dir, b)));
  const candidates: string[] = [];
  if (env.AUTHZ_BENCH_POSTGRES_BINDIR) candidates.push(env.AUTHZ_BENCH_POSTGRES_BINDIR);
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pg_config on PATH
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  const found = candidates.find(hasServer);
  if (found) return { binDir: found };
  return { missing: "PostgreSQL server programs (initdb, postgres, pg_isready) not found: install Debian's `postgresql` package, or set AUTHZ_BENCH_POSTGRES_BINDIR" };
}

/** As root: the uid and gid to run PostgreSQL as; otherwise undefined (run as ourselves). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      // no such user
    }
  }
  throw new Error('PostgreSQL refuses to run as root and neither a `postgres` nor a `nobody` user exists');
}

const DATA_DIR_PREFIX = 'authz-bench-postgres-';

/** Removes cluster folders left by runs that died (their postmaster.pid names no live process). */
function removeStaleClusters(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(DATA_DIR_PREFIX))) {
    const dir = path.join(tmpdir(), name);
    let pid = 0;
    try {
      pid = Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      // no pid file: never started, or shut down
    }
    if (pid > 0 && existsSync(`/proc/${pid}`)) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

export class PostgresLocal {
  constructor(private readonly options: PostgresOptions) {}

  async start(): Promise<StartedPostgres> {
    const where = this.options.binDir ? { binDir: this.options.binDir } : findPostgresBinDir();
    if ('missing' in where) throw new Error(where.missing);
    const bin = (name: string) => path.join(where.binDir, name);
    const user = serverUser();
    removeStaleClusters();
    const dataDir = mkdtempSync(path.join(tmpdir(), DATA_DIR_PREFIX));
    try {
      if (user) chownSync(dataDir, user.uid, user.gid);
      const asUser = { ...(user ?? {}), cwd: dataDir };
      await run(bin('initdb'), ['-D', dataDir, '-U', POSTGRES_USER, '--auth=trust', '-E', 'UTF8', '--no-sync'], asUser);
      const { stdout } = await run(bin('postgres'), ['--version'], asUser);
      const version = /(\d+\.\d+)/.exec(stdout)?.[1] ?? 'unknown';
      // The port only names the socket file (.s.PGSQL.<port>); a free one keeps it unique.
      const port = await freePort();
      const child = await startLocalProcess({
        name: 'postgres',
        binary: bin('postgres'),
        args: ['-D', dataDir, '-c', 'listen_addresses=', '-k', dataDir, '-p', String(port)],
        logFile: this.options.logFile,
        ...asUser,
        stopSignal: 'SIGINT',
        health: {
          timeoutMs: this.options.startupTimeoutMs ?? 30_000,
          probe: () =>
            run(bin('pg_isready'), ['-h', dataDir, '-p', String(port), '-U', POSTGRES_USER, '-d', 'postgres']).then(
              () => undefined,
              (error: { stdout?: string }) => error.stdout?.trim() || 'not ready',
            ),
        },
      });
      return {
        getUri: () => `postgres://${POSTGRES_USER}@/postgres?host=${encodeURIComponent(dataDir)}&port=${port}&sslmode=disable`,
        getVersion: () => version,
        getPid: () => child.pid,
        getDataDir: () => dataDir,
        stop: async () => {
          try {
            await child.stop();
          } finally {
            rmSync(dataDir, { recursive: true, force: true });
          }
        },
      };
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }
}
