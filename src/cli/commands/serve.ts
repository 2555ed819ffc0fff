// `authz-bench serve`: one engine, loaded with a scenario, as an AuthZEN Authorization API
// 1.0 PDP on 127.0.0.1 (src/serve/).

import path from 'node:path';
import { Command, Option } from 'commander';
import { withHelp } from '../help.ts';
import { collect, parseSettings } from '../options.ts';
import { log, runId } from '../output.ts';

interface ServeFlags {
  engine: string;
  scenario?: string;
  file?: string;
  port?: string;
  set?: string[];
  launch: 'auto' | 'local' | 'container' | 'url';
  out?: string;
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .description('serve one engine, loaded with a scenario, as an AuthZEN Authorization API 1.0 PDP on 127.0.0.1 (Ctrl-C stops it)')
    .requiredOption('-e, --engine <engine>', "engine id or 'id[configuration]'")
    .option('-s, --scenario <id>', 'bundled scenario whose model and relationships are loaded')
    .option('-f, --file <file>', 'a scenario file of your own instead')
    .option('--port <n>', 'port (default: a free one)')
    .option('--set <key=value>', 'engine option (repeatable)', collect)
    .addOption(new Option('--launch <strategy>', 'how a server engine is started').choices(['auto', 'local', 'container', 'url']).default('auto'))
    .option('-o, --out <dir>', 'folder for engine logs (default: results/runs/serve-<time> in the current folder)')
    .action(async (opts: ServeFlags) => {
      const { serveCommand: serve } = await import('../../serve/cli.ts');
      const { set, out, ...rest } = opts;
      process.exitCode = await serve({ ...rest, settings: parseSettings(set ?? []), outDir: path.resolve(out ?? path.join('results', 'runs', `serve-${runId()}`)) }, log);
    });
  return withHelp(command, {
    outputs: ['stdout/stderr   the PDP address and its AuthZEN endpoints; engine logs in <out>'],
    exitCodes: [
      [0, 'stopped with Ctrl-C'],
      [3, 'the engine could not be started or loaded'],
    ],
    examples: ['authz-bench serve --engine opa --scenario authzen-todo', 'authz-bench serve -e reference -f my-scenario.yaml --port 8181'],
  });
}
