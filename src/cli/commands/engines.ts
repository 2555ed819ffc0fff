// `authz-bench engines install|status`.

import { Command } from 'commander';
import { installUnits, loadEngineDefinitions } from '../../engines/registry.ts';
import { log } from '../output.ts';

export function enginesCommand(): Command {
  const engines = new Command('engines').description('install and inspect the real engines');
  engines
    .command('install')
    .description('install pinned engine versions into .engines/')
    .action(async () => {
      const { installEngines } = await import('../../engines/install.ts');
      const report = await installEngines(installUnits(await loadEngineDefinitions()), { log });
      if (!report.ok) process.exitCode = 1;
    });
  engines
    .command('status')
    .description('each engine, its launch strategies and version')
    .action(async () => {
      const { engineStatus, formatStatus } = await import('../../engines/status.ts');
      const definitions = await loadEngineDefinitions();
      console.log(formatStatus(await engineStatus(installUnits(definitions)), definitions));
    });
  return engines;
}
