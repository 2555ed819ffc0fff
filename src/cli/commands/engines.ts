// `authz-bench engines install|status`.

import { Command } from 'commander';
import { withHelp } from '../help.ts';
import { log } from '../output.ts';

export function enginesCommand(): Command {
  const engines = new Command('engines').description('install and inspect the real engines');
  engines
    .command('install')
    .description('install pinned engine versions into .engines/')
    .action(async () => {
      const [{ installEngines }, { installUnits, loadEngineDefinitions }] = await Promise.all([import('../../engines/install.ts'), import('../../engines/registry.ts')]);
      const report = await installEngines(installUnits(await loadEngineDefinitions()), { log });
      if (!report.ok) process.exitCode = 1;
    });
  engines
    .command('status')
    .description('each engine, its launch strategies and version')
    .action(async () => {
      const [{ engineStatus, formatStatus }, { installUnits, loadEngineDefinitions }] = await Promise.all([import('../../engines/status.ts'), import('../../engines/registry.ts')]);
      const definitions = await loadEngineDefinitions();
      console.log(formatStatus(await engineStatus(installUnits(definitions)), definitions));
    });
  return withHelp(engines, {
    outputs: ['.engines/ (or $AUTHZ_BENCH_ENGINES_DIR)   the installed engine binaries', 'stdout/stderr                             status table / install progress'],
    exitCodes: [
      [0, 'installed or listed'],
      [1, 'an engine failed to install (Go missing for OpenFGA and OPA, network)'],
    ],
    examples: ['authz-bench engines install', 'AUTHZ_BENCH_ENGINES_DIR=~/.cache/authz-bench authz-bench engines status'],
  });
}
