// `authz-bench import`: an engine's own test file turned into a neutral scenario.

import path from 'node:path';
import { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { loadEngineDefinitions } from '../../engines/registry.ts';
import { writeAtomically } from '../../results/writer.ts';
import { log } from '../output.ts';

export function importCommand(): Command {
  return new Command('import')
    .description("turn an engine's own test file into a neutral scenario")
    .argument('<engine>', 'an engine with an importer (e.g. openfga)')
    .argument('<file>', "the engine's own test file (OpenFGA: a store file .fga.yaml with model, tuples, tests)")
    .option('-o, --out <dir>', 'folder to write <id>.yaml into', '.')
    .action(async (engine: string, file: string, opts: { out: string }) => {
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
}
