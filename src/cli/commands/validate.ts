// `authz-bench validate`: check scenario files without running an engine.

import path from 'node:path';
import { Command } from 'commander';
import { isInputError } from '../../core/errors.ts';
import { loadScenarioFile } from '../../scenario/load.ts';
import { log } from '../output.ts';

export function validateCommand(): Command {
  return new Command('validate')
    .description('check scenario files; exit 2 on the first bad file')
    .argument('<files...>', 'scenario files')
    .action(async (files: string[]) => {
      let bad = 0;
      for (const file of files) {
        try {
          const s = await loadScenarioFile(path.resolve(file));
          console.log(`ok   ${file} (${s.id}: ${s.steps.length} steps, ${s.relationships.length} relationships)`);
        } catch (error) {
          if (!isInputError(error)) throw error;
          bad++;
          log(error.message);
        }
      }
      if (bad > 0) process.exitCode = 2;
    });
}
