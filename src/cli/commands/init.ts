// `authz-bench init`: a scenario of your own to start from, and with --ci a GitHub Actions
// workflow that runs it. Templates live in templates/ (shipped in the package).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { PROJECT_ROOT } from '../../core/paths.ts';
import { writeAtomically } from '../../results/writer.ts';
import { withHelp } from '../help.ts';
import { log, shown } from '../output.ts';

const SCENARIO_TEMPLATE = path.join(PROJECT_ROOT, 'templates', 'scenario.yaml');
export const WORKFLOW_TEMPLATE = path.join(PROJECT_ROOT, 'templates', 'github-workflow.yml');
const WORKFLOW_FILE = path.join('.github', 'workflows', 'authz-bench.yml');

function writeNew(file: string, text: string, force: boolean): void {
  if (existsSync(file) && !force) throw new InputError(shown(file), '', 'already exists', 'choose another name or add --force to overwrite it');
  writeAtomically(file, text);
  log(`wrote ${shown(file)}`);
}

export function initCommand(): Command {
  const command = new Command('init')
    .description('scaffold a scenario of your own (and with --ci a GitHub Actions workflow that runs it)')
    .argument('[id]', 'the scenario id, kebab-case; also its file name', 'my-scenario')
    .option('-d, --dir <dir>', 'folder for the scenario file', 'authz')
    .option('--ci', `also write ${WORKFLOW_FILE} (docs/ci.md)`)
    .option('--force', 'overwrite files that exist')
    .action((id: string, opts: { dir: string; ci?: boolean; force?: boolean }) => {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new InputError('init', id, 'not a kebab-case id', 'use lower-case letters, digits and dashes, e.g. my-scenario');
      const file = path.resolve(opts.dir, `${id}.yaml`);
      writeNew(file, readFileSync(SCENARIO_TEMPLATE, 'utf8').replaceAll('__FILE__', shown(file)).replaceAll('__ID__', id), !!opts.force);
      if (opts.ci) {
        const scenarios = `${path.relative(process.cwd(), path.resolve(opts.dir)) || '.'}/*.yaml`;
        writeNew(path.resolve(WORKFLOW_FILE), readFileSync(WORKFLOW_TEMPLATE, 'utf8').replace('SCENARIOS: authz/*.yaml', `SCENARIOS: ${scenarios}`), !!opts.force);
      }
      log(`next: authz-bench validate ${shown(file)} && authz-bench run --file ${shown(file)}`);
    });
  return withHelp(command, {
    outputs: ['<dir>/<id>.yaml                     a valid scenario to edit (docs/scenarios.md)', `${WORKFLOW_FILE}   with --ci: the workflow of docs/ci.md`],
    exitCodes: [[0, 'written']],
    examples: ['authz-bench init', 'authz-bench init documents --dir authz --ci'],
  });
}
