// `authz-bench serve`: one engine, started by the one engine lifecycle (withEngine), loaded
// with a scenario's model and relationships (or its native policy), served as an AuthZEN PDP
// on 127.0.0.1 until stopped. Ctrl-C stops the server and the engine (InterruptGuard).

import path from 'node:path';
import type { EngineAdapter, LaunchRequest } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';
import { SCENARIOS_DIR } from '../core/paths.ts';
import type { EngineSpec } from '../engines/registry.ts';
import { InterruptGuard, type SessionOutcome, withEngine } from '../runner/engine-session.ts';
import { LOAD_DEADLINE_MS, loadScenario as loadAndSettle, nativeSpecFor } from '../runner/load-scenario.ts';
import type { Scenario } from '../scenario/types.ts';
import { startAuthzenServer } from './server.ts';

export interface ServeOptions {
  /** Engine logs go to `<resultsDir>/engines/`. */
  resultsDir: string;
  port?: number;
  strategy?: LaunchRequest['strategy'];
  settings?: Record<string, string>;
  guard?: InterruptGuard;
  /** Bearer token the PEP must send (the CLI takes it from AUTHZ_BENCH_SERVE_TOKEN). */
  token?: string;
  log: (message: string) => void;
}

export interface ServeHandle {
  /** The PDP's URL once the engine is loaded and the server listens; rejects when that fails. */
  ready: Promise<string>;
  /** Stops the server, then the engine. */
  stop(): Promise<void>;
  /** Settles when the engine has stopped. */
  done: Promise<SessionOutcome<void>>;
}

/** Loads what the engine serves: the scenario's native block where the engine has one, else its model and relationships. */
export async function loadScenario(engine: EngineAdapter, scenario: Scenario): Promise<'native' | 'model'> {
  const reasons = nativeSpecFor(scenario, engine) ? [] : engine.unsupported(scenario.model);
  if (reasons.length > 0) throw new InputError('--scenario', scenario.id, `${engine.id} cannot express this scenario's model: ${reasons.join('; ')}`, 'choose another engine or scenario');
  return loadAndSettle(engine, scenario, { deadlineMs: LOAD_DEADLINE_MS });
}

/** Starts serving; the caller decides when to stop (a test, or Ctrl-C through the guard). */
export function serveScenario(spec: EngineSpec, scenario: Scenario, options: ServeOptions): ServeHandle {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let announce: (url: string) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const ready = new Promise<string>((resolve, reject) => {
    announce = resolve;
    fail = reject;
  });
  const session = {
    resultsDir: options.resultsDir,
    settings: options.settings ?? {},
    log: options.log,
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.guard ? { guard: options.guard } : {}),
  };
  const done = withEngine(spec, session, async (engine) => {
    const loaded = await loadScenario(engine, scenario);
    const server = await startAuthzenServer(engine, {
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.token ? { token: options.token } : {}),
      log: (m) => options.log(`  ${m}`),
    });
    options.log(
      `${engine.id} (${engine.info().name} ${engine.info().version}, ${loaded === 'native' ? 'native policy' : 'neutral model'}) serves ${scenario.id} as an AuthZEN PDP at ${server.url}`,
    );
    announce(server.url);
    try {
      await released;
    } finally {
      await server.close();
    }
  }).then(
    (outcome) => {
      if (!outcome.started) fail(new Error(`${spec.id} ${outcome.reason}`));
      return outcome;
    },
    (error: unknown) => {
      fail(error);
      throw error;
    },
  );
  // Either may be the one the caller awaits; the other must not become an unhandled rejection.
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return {
    ready,
    done,
    stop: async () => {
      release();
      await done.catch(() => undefined);
    },
  };
}

/** The CLI command: serve until Ctrl-C or SIGTERM (the guard stops the engine and exits 130). */
export async function serveUntilInterrupted(spec: EngineSpec, scenario: Scenario, options: Omit<ServeOptions, 'guard'>): Promise<void> {
  let handle: ServeHandle | undefined;
  const guard = new InterruptGuard(() => void handle?.stop(), options.log);
  try {
    handle = serveScenario(spec, scenario, { ...options, guard });
    const url = await handle.ready;
    options.log(`endpoints: POST ${url}/access/v1/evaluation, POST ${url}/access/v1/evaluations, GET ${url}/.well-known/authzen-configuration`);
    // A bundled scenario by its id; a file of the user's by its path (an id would not be found).
    const which = scenario.file.startsWith(SCENARIOS_DIR) ? `--scenario ${scenario.id}` : `--file ${path.relative(process.cwd(), scenario.file) || scenario.file}`;
    options.log(`test it:   authz-bench run --engine authzen=${url} ${which}`);
    options.log('Ctrl-C stops the server and the engine');
    await handle.done;
  } finally {
    guard.dispose();
  }
}
