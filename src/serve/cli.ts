// The `serve` command's arguments turned into a served engine; kept out of src/cli/main.ts so
// that the command there is a few lines.

import path from 'node:path';
import { InputError, errorMessage, isInputError } from '../core/errors.ts';
import { resolveEngineSpecs, settingsFor } from '../engines/registry.ts';
import type { LaunchRequest } from '../core/adapter.ts';
import { loadBundledScenarios, loadScenarioFile } from '../scenario/load.ts';
import { serveUntilInterrupted } from './command.ts';

export interface ServeCommandOptions {
  engine: string;
  scenario?: string;
  file?: string;
  /** As given; default a free port. */
  port?: string;
  /** `--set` options, parsed. */
  settings: Record<string, string>;
  launch: LaunchRequest['strategy'];
  outDir: string;
}

/** Serves until interrupted; returns the exit code (3 when the engine could not be started or loaded). */
export async function serveCommand(opts: ServeCommandOptions, log: (message: string) => void): Promise<number> {
  const specs = await resolveEngineSpecs([opts.engine]);
  const spec = specs[0];
  if (specs.length !== 1 || !spec) throw new InputError('--engine', opts.engine, 'serve takes exactly one engine', 'e.g. --engine reference');
  if (spec.definition.role === 'remote')
    throw new InputError('--engine', opts.engine, 'this engine is itself reached by URL: there is nothing to serve', 'serve an engine the harness runs, e.g. --engine reference');
  if (!!opts.scenario === !!opts.file) throw new InputError('serve', '', 'give exactly one of --scenario <id> and --file <file>', 'e.g. --scenario authzen-todo');
  const scenario = opts.file ? await loadScenarioFile(path.resolve(opts.file)) : (await loadBundledScenarios([opts.scenario!]))[0];
  if (!scenario) throw new InputError('--scenario', opts.scenario ?? '', 'no bundled scenario with this id', "run 'authz-bench list scenarios'");
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new InputError('--port', opts.port!, 'expected a port number from 0 to 65535', 'e.g. --port 8181, or leave it out for a free port');
  const settings = settingsFor([spec], opts.settings).get(spec) ?? {};
  try {
    const token = process.env.AUTHZ_BENCH_SERVE_TOKEN;
    await serveUntilInterrupted(spec, scenario, { resultsDir: opts.outDir, settings, strategy: opts.launch, log, ...(port !== undefined ? { port } : {}), ...(token ? { token } : {}) });
    return 0;
  } catch (error) {
    if (isInputError(error)) throw error;
    log(`error: ${errorMessage(error)}`);
    return 3;
  }
}
