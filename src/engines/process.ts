// Engine processes that never outlive the harness.
//
// - Each engine is spawned detached, as the leader of its own process group, so one
//   group kill (`kill(-pgid)`) reaches it and anything it forks.
// - A pid file per process in .engines/run/ records the owner (this Node process, with its
//   start time so a reused pid is not mistaken for it). The next start removes stale ones:
//   owner gone -> the engine's group is SIGKILLed (after checking /proc that the pid still
//   runs the same binary).
// - process 'exit' and SIGINT/SIGTERM/SIGHUP handlers SIGKILL every live group synchronously.
//   SIGKILL of the harness itself runs no handler: the pid files cover that case.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { engineEnvironment } from './engine-env.ts';
import { runDir } from './paths.ts';

export interface SpawnOptions {
  /** Short engine name, used in the pid file name and messages. */
  name: string;
  binary: string;
  args: readonly string[];
  /** stdout and stderr of the engine are appended here. */
  logFile: string;
  cwd?: string;
  /** Extra environment, over the few variables every engine inherits (engine-env.ts). */
  env?: Readonly<Record<string, string>>;
  /** Run as this user and group (servers that refuse to run as root, e.g. PostgreSQL). */
  uid?: number;
  gid?: number;
  /** What stop() sends first (default SIGTERM; PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
}

interface PidFile {
  name: string;
  pid: number;
  pgid: number;
  binary: string;
  ownerPid: number;
  /** /proc start time of the owner (clock ticks since boot), to detect pid reuse. */
  ownerStart: string | null;
  startedAt: string;
  logFile: string;
}

const live = new Set<ManagedProcess>();
let handlersInstalled = false;

export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly #child: ChildProcess;
  readonly #pidFile: string;
  readonly #exited: Promise<void>;
  readonly #stopSignal: NodeJS.Signals;
  #exitCode: number | null = null;
  #exitSignal: NodeJS.Signals | null = null;
  #done = false;

  constructor(options: SpawnOptions) {
    installHandlers();
    this.name = options.name;
    this.binary = options.binary;
    this.args = Object.freeze([...options.args]);
    this.logFile = options.logFile;
    this.#stopSignal = options.stopSignal ?? 'SIGTERM';
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const fd = openSync(options.logFile, 'a');
    try {
      this.#child = spawn(options.binary, [...options.args], {
        detached: true,
        stdio: ['ignore', fd, fd],
        cwd: options.cwd,
        env: { ...engineEnvironment(), ...options.env },
        ...(options.uid !== undefined ? { uid: options.uid } : {}),
        ...(options.gid !== undefined ? { gid: options.gid } : {}),
      });
    } finally {
      closeSync(fd);
    }
    if (this.#child.pid === undefined) {
      // spawn failed (ENOENT...); the 'error' event carries the reason
      this.pid = -1;
      this.#pidFile = '';
      this.#done = true;
      this.#exited = new Promise((resolve) => this.#child.once('error', () => resolve()));
      return;
    }
    this.pid = this.#child.pid;
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exitCode = code;
        this.#exitSignal = signal;
        this.#done = true;
        resolve();
      });
    });
    this.#child.on('error', () => {});
    mkdirSync(runDir(), { recursive: true });
    this.#pidFile = path.join(runDir(), `${options.name}-${this.pid}.json`);
    const record: PidFile = {
      name: options.name,
      pid: this.pid,
      pgid: this.pid,
      binary: options.binary,
      ownerPid: process.pid,
      ownerStart: procStartTime(process.pid),
      startedAt: new Date().toISOString(),
      logFile: options.logFile,
    };
    writeFileSync(this.#pidFile, JSON.stringify(record, null, 2));
    live.add(this);
  }

  /** Resolves with the spawn error, if spawning failed. */
  spawnError(): Promise<Error | undefined> {
    if (this.pid > 0) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#child.once('error', (e) => resolve(e)));
  }

  get exited(): boolean {
    return this.#done;
  }

  exitDescription(): string {
    return this.#exitSignal ? `killed by ${this.#exitSignal}` : `exited with code ${this.#exitCode}`;
  }

  /** The stop signal (SIGTERM) to the group, SIGKILL after `graceMs`; resolves when no process of the group is left. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.pid > 0) {
      if (!this.#done) {
        killGroup(this.pid, this.#stopSignal);
        const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), graceMs);
        await this.#exited;
        clearTimeout(timer);
      }
      // The leader is gone; anything it forked is in the same group.
      killGroup(this.pid, 'SIGKILL');
      for (let i = 0; i < 100 && groupPids(this.pid).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    }
    this.#forget();
  }

  /** Synchronous SIGKILL of the whole group (exit and signal handlers). */
  killNow(): void {
    if (this.pid > 0) killGroup(this.pid, 'SIGKILL');
    this.#forget();
  }

  #forget(): void {
    live.delete(this);
    if (this.#pidFile) rmSync(this.#pidFile, { force: true });
  }
}

export function spawnManaged(options: SpawnOptions): ManagedProcess {
  return new ManagedProcess(options);
}

/** Engine processes this Node process started and has not stopped yet. */
export function liveProcesses(): readonly ManagedProcess[] {
  return [...live];
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    try {
      process.kill(pgid, signal);
    } catch {
      // already gone
    }
  }
}

export function killAllSync(): void {
  for (const p of [...live]) p.killNow();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      killAllSync();
      // With no other listener, keep the default behaviour: die of the same signal.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/** Field 22 of /proc/<pid>/stat (start time), or null where /proc is absent. */
function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerAlive(record: PidFile): boolean {
  if (!alive(record.ownerPid)) return false;
  const start = procStartTime(record.ownerPid);
  return start === null || record.ownerStart === null || start === record.ownerStart;
}

/** Whether `pid` still runs `binary` (Linux /proc); true where that cannot be told. */
function runsBinary(pid: number, binary: string): boolean {
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    let expected = path.resolve(binary);
    try {
      expected = realpathSync(binary);
    } catch {
      // binary removed since; compare the recorded path
    }
    return exe === expected || exe === path.resolve(binary);
  } catch {
    return existsSync('/proc/self') ? false : alive(pid);
  }
}

/** Pids whose process group is `pgid` (Linux /proc; empty elsewhere). */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return alive(pgid) ? [pgid] : [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] = state, fields[2] = pgrp; zombies are gone for our purposes
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export interface StaleCleanup {
  /** Engine pids whose groups were killed. */
  killed: { name: string; pid: number }[];
  /** Pid files removed (owner gone, engine already gone or pid reused). */
  removed: number;
}

/** Kills engines whose harness is gone and removes their pid files. Called before every local start. */
export function cleanStaleProcesses(): StaleCleanup {
  const result: StaleCleanup = { killed: [], removed: 0 };
  let files: string[];
  try {
    files = readdirSync(runDir()).filter((f) => f.endsWith('.json'));
  } catch {
    return result;
  }
  for (const file of files) {
    const full = path.join(runDir(), file);
    let record: PidFile;
    try {
      record = JSON.parse(readFileSync(full, 'utf8')) as PidFile;
    } catch {
      rmSync(full, { force: true });
      result.removed++;
      continue;
    }
    if (ownerAlive(record)) continue;
    if (alive(record.pid) && runsBinary(record.pid, record.binary)) {
      killGroup(record.pgid, 'SIGKILL');
      result.killed.push({ name: record.name, pid: record.pid });
    }
    rmSync(full, { force: true });
    result.removed++;
  }
  return result;
}
