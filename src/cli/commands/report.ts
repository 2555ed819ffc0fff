// `authz-bench report`: render a results file as Markdown, JSON, HTML or JUnit.

import path from 'node:path';
import { Command, Option } from 'commander';
import { redact } from '../../core/redact.ts';
import type { RunResults } from '../../results/types.ts';
import { withHelp } from '../help.ts';

const FORMATS = ['md', 'json', 'html', 'junit'] as const;

async function render(format: (typeof FORMATS)[number], results: RunResults): Promise<string> {
  switch (format) {
    case 'md':
      return (await import('../../report/markdown.ts')).renderMarkdown(results);
    case 'html':
      return (await import('../../report/html.ts')).renderHtml(results);
    case 'junit':
      return (await import('../../report/junit.ts')).renderJunit(results);
    case 'json':
      return `${JSON.stringify(results, null, 2)}\n`;
  }
}

export function reportCommand(): Command {
  const command = new Command('report')
    .description('render a results file')
    .argument('<results>', 'results.json of a run, or its results folder')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('md'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action(async (file: string, opts: { format: (typeof FORMATS)[number]; out?: string }) => {
      const [{ readResults }, { writeAtomically }] = await Promise.all([import('../../results/read.ts'), import('../../results/writer.ts')]);
      const text = await render(opts.format, await readResults(file));
      if (opts.out) writeAtomically(path.resolve(opts.out), text);
      else process.stdout.write(redact(text));
    });
  return withHelp(command, {
    outputs: ['stdout   the report (or the file given with --out)'],
    exitCodes: [[0, 'rendered (a file that is not a results file, or of another schema version, is bad input: 2)']],
    examples: ['authz-bench report results/runs/20261130-0500/results.json --format html -o report.html', 'authz-bench report results.json --format json | jq .totals'],
  });
}
