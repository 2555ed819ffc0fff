// `authz-bench list engines|scenarios`.

import { Command } from 'commander';
import { loadEngineDefinitions } from '../../engines/registry.ts';
import { loadBundledScenarios } from '../../scenario/load.ts';

export function listCommand(): Command {
  const list = new Command('list').description('list engines or scenarios');
  list
    .command('engines')
    .description('the engines found in adapters/')
    .action(async () => {
      for (const d of await loadEngineDefinitions()) {
        const version = d.version === '-' ? '' : ` ${d.version}`;
        console.log(`${d.id.padEnd(12)} ${d.name}${version}: ${d.description}`);
        for (const [name, what] of Object.entries(d.configurations ?? {})) console.log(`${''.padEnd(12)} ${`${d.id}[${name}]`.padEnd(26)} ${what}`);
      }
    });
  list
    .command('scenarios')
    .description('the bundled scenarios with their tags')
    .action(async () => {
      for (const s of await loadBundledScenarios()) {
        const checks = s.steps.reduce((n, st) => n + (st.kind === 'check' ? 1 : st.kind === 'batch' ? st.requests.length : 0), 0);
        console.log(`${s.id.padEnd(36)} [${s.tags.join(', ')}] ${checks} checks — ${s.title}`);
      }
    });
  return list;
}
