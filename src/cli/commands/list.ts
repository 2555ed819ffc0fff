// `authz-bench list [engines|scenarios]`: what can be run. Bare `list` shows both.

import { Command } from 'commander';
import { withHelp } from '../help.ts';

async function listEngines(): Promise<void> {
  const { loadEngineDefinitions } = await import('../../engines/registry.ts');
  for (const d of await loadEngineDefinitions()) {
    const version = d.version === '-' ? '' : ` ${d.version}`;
    console.log(`${d.id.padEnd(12)} ${d.name}${version}: ${d.description}`);
    for (const [name, what] of Object.entries(d.configurations ?? {})) console.log(`${''.padEnd(12)} ${`${d.id}[${name}]`.padEnd(26)} ${what}`);
  }
}

async function listScenarios(): Promise<void> {
  const [{ loadBundledScenarios }, { formatScenarioCounts, scenarioCounts }] = await Promise.all([import('../../scenario/load.ts'), import('../../scenario/counts.ts')]);
  for (const s of await loadBundledScenarios()) {
    console.log(`${s.id.padEnd(36)} ${formatScenarioCounts(scenarioCounts(s)).padEnd(26)} [${s.tags.join(', ')}] ${s.title}`);
  }
}

export function listCommand(): Command {
  const list = new Command('list').description('list engines and scenarios (both when no kind is given)').action(async () => {
    console.log('Engines (--engine):');
    await listEngines();
    console.log('\nScenarios (--scenario, by id or tag):');
    await listScenarios();
  });
  list.command('engines').description('the engines found in adapters/, with their configurations').action(listEngines);
  list.command('scenarios').description('the bundled scenarios: cases (graded steps) and decisions (allow/deny answers), tags, title').action(listScenarios);
  return withHelp(list, {
    outputs: ['stdout   one line per engine or configuration, one per scenario'],
    exitCodes: [[0, 'listed']],
    examples: ['authz-bench list', 'authz-bench list scenarios | grep revocation'],
  });
}
