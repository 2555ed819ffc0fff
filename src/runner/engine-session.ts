// One engine lifecycle for every command that drives engines (run, bench, crosscheck, and
// later serve): create the adapter with its registry id, start it by the requested launch
// strategy with its own `--set` options and log file, hand it to the caller, and stop it
// whatever happens: an error, a deadline, Ctrl-C.

import path from 'node:path';
import type { EngineAdapter, LaunchRequest, RunContext } from '../core/adapter.ts';
import { errorMessage } from '../core/errors.ts';
import { createEngine, type EngineSpec } from '../engines/registry.ts';
import type { EngineRecord } from '../results/types.ts';
import { withTimeout } from './timeout.ts';

export interface SessionOptions {
  resultsDir: string;
  /** `--launch` (default auto); an engine given by URL is always reached by URL. */
  strategy?: LaunchRequest['strategy'];
  /** This engine's `--set` options (registry.settingsFor). */
  settings?: Record<string, string>;
  startTimeoutMs?: number;
  /** Ctrl-C stops the engine in use; see InterruptGuard. */
  guard?: InterruptGuard;
  log: (message: string) => void;
}

export type SessionOutcome<T> = { started: true; engine: EngineAdapter; record: EngineRecord; value: T } | { started: false; engine: EngineAdapter; record: EngineRecord; reason: string };

/** `engines/<id>.log`, with `[x]` and `#n` made file-name friendly: `opa-nolog.log`, `opa-2.log`. */
export function engineLogFile(resultsDir: string, id: string, name?: string): string {
  const base = id.replace(/\[(.*)\]/, '-$1').replace(/#(\d+)$/, '-$1');
  return path.join(resultsDir, 'engines', `${base}${name ? `.${name}` : ''}.log`);
}

export function runContext(spec: EngineSpec, options: SessionOptions): RunContext {
  return {
    resultsDir: options.resultsDir,
    logFile: (name) => engineLogFile(options.resultsDir, spec.id, name),
    options: { ...options.settings },
    launch: spec.url ? { strategy: 'url', url: spec.url } : { strategy: options.strategy ?? 'auto' },
    log: (m) => options.log(`  ${spec.id}: ${m}`),
  };
}

/**
 * Several engines started together (for measurements interleaved between them): `body` gets
 * those that started; the others' outcomes say why not. All are stopped afterwards.
 */
export async function withEngines<T>(
  specs: EngineSpec[],
  options: (spec: EngineSpec) => SessionOptions,
  body: (started: { spec: EngineSpec; engine: EngineAdapter; record: EngineRecord }[], failed: SessionOutcome<unknown>[]) => Promise<T>,
): Promise<T> {
  const started: { spec: EngineSpec; engine: EngineAdapter; record: EngineRecord }[] = [];
  const failed: SessionOutcome<unknown>[] = [];
  const from = async (i: number): Promise<T> => {
    const spec = specs[i];
    if (!spec) return body(started, failed);
    let value: T | undefined;
    const outcome = await withEngine(spec, options(spec), async (engine, record) => {
      started.push({ spec, engine, record });
      value = await from(i + 1);
    });
    if (!outcome.started) {
      failed.push(outcome);
      return from(i + 1);
    }
    return value as T;
  };
  return from(0);
}

/** Starts the engine, runs `body` with it, and stops it; a failed start is an outcome, not a throw. */
export async function withEngine<T>(spec: EngineSpec, options: SessionOptions, body: (engine: EngineAdapter, record: EngineRecord) => Promise<T>): Promise<SessionOutcome<T>> {
  const engine = createEngine(spec);
  const record: EngineRecord = { ...engine.info(), decisionLog: engine.decisionLog };
  options.guard?.track(engine);
  const startedAt = performance.now();
  try {
    try {
      await withTimeout(engine.start(runContext(spec, options)), options.startTimeoutMs ?? 120_000, `${spec.id} start`);
    } catch (error) {
      // Interrupted while starting: the guard is stopping the engine; this is no engine failure.
      if (options.guard?.interrupted) throw new InterruptedError();
      const reason = `did not start: ${errorMessage(error)}`;
      record.skipped = reason;
      return { started: false, engine, record, reason };
    }
    Object.assign(record, engine.info(), { startMs: performance.now() - startedAt });
    const value = await body(engine, record);
    // Memory after the work, for the report's scorecard; an engine that cannot tell leaves it out. An embedded
    // engine's figure would be the harness's whole-process RSS, not the engine's: bench measures that apart
    // (src/bench/engine-memory.ts).
    const memory = engine.embedded ? undefined : await withTimeout(engine.memoryBytes(), 5_000, `${spec.id} memory`).catch(() => undefined);
    if (memory) record.memoryMiB = memory / 2 ** 20;
    return { started: true, engine, record, value };
  } finally {
    options.guard?.untrack(engine);
    await engine.stop().catch((error) => options.log(`engine ${spec.id}: stop failed: ${errorMessage(error)}`));
  }
}

export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

/**
 * Ctrl-C or SIGTERM during a command: stops the engine in use, lets the command keep what
 * was measured (`onInterrupt`, e.g. write results.json), and exits 130.
 */
export class InterruptGuard {
  interrupted = false;
  /** Engines in use: one for most commands, several while `bench` interleaves them. */
  readonly #engines = new Set<EngineAdapter>();
  readonly #onSignal = (signal: NodeJS.Signals) => {
    if (this.interrupted) return;
    this.interrupted = true;
    this.log(`\n${signal}: stopping engines and keeping what was measured`);
    const stopping = Promise.all([...this.#engines].map((e) => e.stop().catch(() => undefined)));
    void stopping.finally(() => {
      try {
        this.onInterrupt();
      } finally {
        process.exit(130);
      }
    });
  };

  constructor(
    private readonly onInterrupt: () => void,
    private readonly log: (message: string) => void,
  ) {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  track(engine: EngineAdapter): void {
    this.#engines.add(engine);
  }

  untrack(engine: EngineAdapter): void {
    this.#engines.delete(engine);
  }

  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
