// `authz-bench compare`: two runs side by side; exit 1 on a regression.

import { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { redact } from '../../core/redact.ts';
import { withHelp } from '../help.ts';

export function compareCommand(): Command {
  const command = new Command('compare')
    .description('compare two runs: exit 1 on a correctness regression (or, with --fail-on-perf, a significant slowdown)')
    .argument('<base>', 'results.json of the baseline run, or its results folder')
    .argument('<new>', 'results.json of the new run, or its results folder')
    .option('--threshold <fraction>', 'smallest latency change that counts, as a fraction (0.1 = 10%); default: 3 σ of the run-to-run noise measured across the series, at least 0.1')
    .option('--fail-on-perf', 'exit 1 on a significant performance regression too')
    .action(async (baseFile: string, newFile: string, opts: { threshold?: string; failOnPerf?: boolean }) => {
      const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
      if (threshold !== undefined && (!Number.isFinite(threshold) || threshold < 0))
        throw new InputError('--threshold', opts.threshold ?? '', 'expected a fraction such as 0.1', 'use --threshold 0.1 for 10%');
      const [{ compareResults, exitCode, renderComparison }, { readResults }] = await Promise.all([import('../../report/compare.ts'), import('../../results/read.ts')]);
      const comparison = compareResults(await readResults(baseFile), await readResults(newFile), { ...(threshold !== undefined ? { threshold } : {}), failOnPerf: !!opts.failOnPerf });
      process.stdout.write(redact(renderComparison(comparison)));
      process.exitCode = exitCode(comparison, { failOnPerf: !!opts.failOnPerf });
    });
  return withHelp(command, {
    outputs: ['stdout   the comparison (Markdown): correctness changes, then latency changes'],
    exitCodes: [
      [0, 'no regression'],
      [1, 'a case that passed in <base> does not in <new> (with --fail-on-perf: or a significant slowdown)'],
    ],
    examples: ['authz-bench compare baseline/results.json results/runs/20261130-0500/results.json', 'authz-bench compare base.json new.json --threshold 0.2 --fail-on-perf'],
  });
}
