// `authz-bench validate`: check scenario files without running an engine.

import path from 'node:path';
import { Command } from 'commander';
import { isInputError } from '../../core/errors.ts';
import { withHelp } from '../help.ts';
import { collect } from '../options.ts';
import { log } from '../output.ts';

export function validateCommand(): Command {
  const command = new Command('validate')
    .description('check scenario files against the schema and their model; every bad file is reported')
    .argument('<files...>', 'scenario files')
    .option('--allow-path <path>', "a file or folder outside a scenario's folder that its native blocks may read (repeatable, as for run)", collect)
    .action(async (files: string[], opts: { allowPath?: string[] }) => {
      const [{ loadScenarioFile }, { formatScenarioCounts, scenarioCounts }, { scenarioWarnings }, { allowNativePaths }] = await Promise.all([
        import('../../scenario/load.ts'),
        import('../../scenario/counts.ts'),
        import('../../scenario/warnings.ts'),
        import('../../scenario/native-files.ts'),
      ]);
      allowNativePaths(opts.allowPath ?? []);
      let bad = 0;
      for (const file of files) {
        try {
          const s = await loadScenarioFile(path.resolve(file));
          const counts = scenarioCounts(s);
          console.log(`ok   ${file} (${s.id}: ${formatScenarioCounts(counts)} in ${counts.steps} steps, ${s.relationships.length} relationships)`);
          for (const warning of scenarioWarnings(s)) console.log(`warn ${file} at ${warning}`);
        } catch (error) {
          if (!isInputError(error)) throw error;
          bad++;
          log(error.message);
        }
      }
      if (bad > 0) process.exitCode = 2;
    });
  return withHelp(command, {
    outputs: ['stdout   ok <file> (<id>: N cases (M decisions) in S steps, R relationships)', 'stderr   one line per problem: file, place (with line), problem and fix'],
    exitCodes: [[0, 'every file is a valid scenario']],
    examples: ['authz-bench validate my-scenario.yaml', 'authz-bench validate scenarios/**/*.yaml'],
  });
}
