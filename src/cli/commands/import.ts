// `authz-bench import`: an engine's own test file turned into a neutral scenario.

import path from 'node:path';
import { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { withHelp } from '../help.ts';
import { log } from '../output.ts';

export function importCommand(): Command {
  const command = new Command('import')
    .description("turn an engine's own test file into a neutral scenario")
    .argument('<engine>', 'an engine with an importer (e.g. openfga)')
    .argument('<file>', "the engine's own test file (OpenFGA: a store file .fga.yaml with model, tuples, tests)")
    .option('-o, --out <dir>', 'folder to write <id>.yaml into', '.')
    .action(async (engine: string, file: string, opts: { out: string }) => {
      const [{ loadEngineDefinitions }, { writeAtomically }] = await Promise.all([import('../../engines/registry.ts'), import('../../results/writer.ts')]);
      const definitions = await loadEngineDefinitions();
      const importer = definitions.find((d) => d.id === engine)?.importScenario;
      const withImporter = definitions.filter((d) => d.importScenario).map((d) => d.id);
      if (!importer) throw new InputError('import', engine, 'no importer for this engine', `use one of: ${withImporter.join(', ')}`);
      const yaml = await importer(path.resolve(file));
      const id = /^id:\s*(\S+)/m.exec(yaml)?.[1] ?? path.basename(file).replace(/\.fga\.ya?ml$|\.ya?ml$/, '');
      const target = path.resolve(opts.out, `${id}.yaml`);
      writeAtomically(target, yaml);
      log(`wrote ${path.relative(process.cwd(), target)}; check it with: authz-bench validate ${path.relative(process.cwd(), target)}`);
    });
  return withHelp(command, {
    outputs: ['<out>/<id>.yaml   the neutral scenario'],
    exitCodes: [[0, 'written']],
    examples: ['authz-bench import openfga store.fga.yaml --out scenarios-of-mine'],
  });
}
