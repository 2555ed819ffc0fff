// `authz-bench report`: render a results file as Markdown, JSON, HTML or JUnit.

import path from 'node:path';
import { Command, Option } from 'commander';
import { renderHtml } from '../../report/html.ts';
import { renderJunit } from '../../report/junit.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import { readResults } from '../../results/read.ts';
import type { RunResults } from '../../results/types.ts';
import { writeAtomically } from '../../results/writer.ts';

const RENDERERS = {
  md: renderMarkdown,
  html: renderHtml,
  junit: renderJunit,
  json: (results: RunResults) => `${JSON.stringify(results, null, 2)}\n`,
};

export function reportCommand(): Command {
  return new Command('report')
    .description('render a results file')
    .argument('<results>', 'results.json of a run')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json', 'html', 'junit']).default('md'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action(async (file: string, opts: { format: keyof typeof RENDERERS; out?: string }) => {
      const text = RENDERERS[opts.format](await readResults(file));
      if (opts.out) writeAtomically(path.resolve(opts.out), text);
      else process.stdout.write(text);
    });
}
