// `authz-bench compare`: two runs side by side; exit 1 on a regression.

import { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { compareResults, exitCode, renderComparison } from '../../report/compare.ts';
import { readResults } from '../../results/read.ts';

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare two runs: exit 1 on a correctness regression (or, with --fail-on-perf, a significant slowdown)')
    .argument('<base>', 'results.json of the baseline run')
    .argument('<new>', 'results.json of the new run')
    .option('--threshold <fraction>', 'smallest latency change that counts, as a fraction (0.1 = 10%); default: 3 σ of the run-to-run noise measured across the series, at least 0.1')
    .option('--fail-on-perf', 'exit 1 on a significant performance regression too')
    .action(async (baseFile: string, newFile: string, opts: { threshold?: string; failOnPerf?: boolean }) => {
      const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
      if (threshold !== undefined && (!Number.isFinite(threshold) || threshold < 0)) throw new InputError('--threshold', opts.threshold ?? '', 'expected a fraction such as 0.1', 'use --threshold 0.1 for 10%');
      const comparison = compareResults(await readResults(baseFile), await readResults(newFile), { ...(threshold !== undefined ? { threshold } : {}), failOnPerf: !!opts.failOnPerf });
      process.stdout.write(renderComparison(comparison));
      process.exitCode = exitCode(comparison, { failOnPerf: !!opts.failOnPerf });
    });
}
