// `authz-bench import`: an engine's own test files turned into neutral scenarios, one per file.

import path from 'node:path';
import { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { withHelp } from '../help.ts';
import { log } from '../output.ts';

export function importCommand(): Command {
  const command = new Command('import')
    .description("turn an engine's own test files into neutral scenarios")
    .argument('<engine>', 'an engine with an importer (e.g. openfga)')
    .argument('<files...>', "the engine's own test files (OpenFGA: store files .fga.yaml with model or model_file, fga.mod too; tuples; tests)")
    .option('-o, --out <dir>', 'folder to write <id>.yaml into', '.')
    .action(async (engine: string, files: string[], opts: { out: string }) => {
      const [{ loadEngineDefinitions }, { writeAtomically }, { uniqueScenarioIds }] = await Promise.all([
        import('../../engines/registry.ts'),
        import('../../results/writer.ts'),
        import('../../scenario/import-ids.ts'),
      ]);
      const definitions = await loadEngineDefinitions();
      const importer = definitions.find((d) => d.id === engine)?.importScenario;
      const withImporter = definitions.filter((d) => d.importScenario).map((d) => d.id);
      if (!importer) throw new InputError('import', engine, 'no importer for this engine', `use one of: ${withImporter.join(', ')}`);
      // One folder, one file per id: files of one name get their folder's name first.
      const ids = uniqueScenarioIds(files);
      for (const [i, file] of files.entries()) {
        const yaml = await importer(path.resolve(file), ids[i]!);
        const target = path.resolve(opts.out, `${ids[i]}.yaml`);
        writeAtomically(target, yaml);
        log(`wrote ${path.relative(process.cwd(), target)}; check it with: authz-bench validate ${path.relative(process.cwd(), target)}`);
      }
    });
  return withHelp(command, {
    outputs: ['<out>/<id>.yaml   the neutral scenario'],
    exitCodes: [
      [0, 'written'],
      [2, 'a file is missing or malformed (the file and place named)'],
    ],
    examples: [
      'authz-bench import openfga store.fga.yaml --out scenarios-of-mine',
      'authz-bench import openfga samples/*/store.fga.yaml --out imported   # unique ids from the folder names',
    ],
  });
}
