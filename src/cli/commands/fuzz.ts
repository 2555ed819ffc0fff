// `authz-bench fuzz`: generated scenario files against the loader and model parser.

import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.ts';
import { withHelp } from '../help.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';

export function fuzzCommand(): Command {
  const command = new Command('fuzz')
    .description('fuzz the scenario loader and model parser with generated files (fast-check)')
    .addOption(new Option('--count <n>', 'generated inputs').default(10_000).argParser(positiveInt('--count', 'generated inputs')))
    .addOption(new Option('--seed <n>', 'fast-check seed').default(42).argParser(nonNegativeInt('--seed', 'a seed')))
    .action(async (opts: { count: number; seed: number }) => {
      // fast-check is a development dependency: the fuzzer runs from a checkout, not the installed package.
      const { fuzzLoader } = await import('../../fuzz/scenario-fuzz.ts').catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
        throw new InputError('fuzz', '', 'needs the development dependency fast-check', 'run it from a git checkout after npm ci');
      });
      const started = performance.now();
      const report = await fuzzLoader(opts.count, opts.seed);
      console.log(
        `fuzz: ${report.inputs} generated inputs, ${report.accepted} accepted, ${report.rejected} rejected with a located error, ${report.crashes.length} crashes (${Object.entries(
          report.byKind,
        )
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ')}); slowest ${report.slowestMs.toFixed(1)} ms; ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${opts.seed})`,
      );
      for (const c of report.crashes.slice(0, 5)) console.log(`crash: ${c.problem}\n---\n${c.input}\n---`);
      if (report.crashes.length > 0) process.exitCode = 1;
    });
  return withHelp(command, {
    outputs: ['stdout   inputs, accepted, rejected with a located error, crashes (each crash with its input)'],
    exitCodes: [
      [0, 'no crash'],
      [1, 'an input crashed the loader (a bug: the input is printed)'],
    ],
    examples: ['authz-bench fuzz --count 10000', 'authz-bench fuzz --count 1000 --seed 7'],
  });
}
