// `authz-bench bench`: load tests with confidence intervals, SLO verdict, harness overhead, cost curves.

import path from 'node:path';
import { Command, Option } from 'commander';
import { CURVES } from '../../bench/curve-specs.ts';
import { InputError } from '../../core/errors.ts';
import { withHelp } from '../help.ts';
import { type BenchCommandOptions, collect, nonNegativeInt, parseSettings, positiveInt } from '../options.ts';
import { commandLine, log, runId } from '../output.ts';

export function benchCommand(): Command {
  const command = new Command('bench')
    .description('load tests: micro benchmarks, closed/open loop with confidence intervals, SLO verdict, harness overhead, cost curves')
    .option('-e, --engine <engine>', 'engines to measure (default: the embedded ones)', collect)
    .option('--all', 'every engine and configuration, with cost curves')
    .option('-s, --scenario <id>', 'the scenario whose benchmark requests are the load', 'load-mix')
    .option('-o, --out <dir>', 'results folder (default: results/runs/bench-<time> in the current folder)')
    .addOption(new Option('--trials <n>', 'independent trials per measurement').default(3).argParser(positiveInt('--trials', 'trials')))
    .addOption(new Option('--duration <ms>', 'measured time per trial').default(1000).argParser(positiveInt('--duration', 'milliseconds')))
    .addOption(new Option('--warmup <ms>', 'warm-up per trial, not measured').default(300).argParser(nonNegativeInt('--warmup', 'milliseconds')))
    .option('--concurrency <list>', 'closed-loop client counts', '1,16')
    .addOption(new Option('--slo <ms>', 'p99 threshold of the SLO verdict').default(50).argParser(positiveInt('--slo', 'milliseconds')))
    .addOption(new Option('--rate <n>', 'target arrival rate (checks/s) for the SLO').default(1000).argParser(positiveInt('--rate', 'checks per second')))
    .addOption(new Option('--max-rate <n>', 'highest rate the SLO ramp tries').default(64_000).argParser(positiveInt('--max-rate', 'checks per second')))
    .addOption(new Option('--connections <n>', 'open-loop connections').default(16).argParser(positiveInt('--connections', 'connections')))
    .option('--set <key=value>', "engine option, e.g. 'consistency=HIGHER_CONSISTENCY' (repeatable)", collect)
    .addOption(new Option('--launch <strategy>', 'how server engines are started').choices(['auto', 'local', 'container', 'url']).default('auto'))
    .option('--curves', 'measure cost curves (on with --all)')
    .option('--curve <dimension>', `measure only this cost curve (repeatable; implies --curves): ${CURVES.map((c) => c.dimension).join(', ')}`, collect)
    .addOption(
      new Option('--max-curve-size <n>', 'largest size a cost curve tries')
        .default(100_000)
        .argParser(positiveInt('--max-curve-size', "the curve's size (depth, relationships, tenants or batch size)")),
    )
    .action(async (opts: BenchCommandOptions) => {
      // Repeatable options have no default in commander (it would print `(default: [])`).
      opts.engine ??= [];
      opts.set ??= [];
      opts.curve ??= [];
      const [{ runBench }, { loadEngineDefinitions, resolveEngineSpecs }, { renderMarkdown }, { exitCodeFor }, { writeAtomically }, { loadBundledScenarios }] = await Promise.all([
        import('../../bench/command.ts'),
        import('../../engines/registry.ts'),
        import('../../report/markdown.ts'),
        import('../../results/exit-code.ts'),
        import('../../results/writer.ts'),
        import('../../scenario/load.ts'),
      ]);
      const definitions = await loadEngineDefinitions();
      const embedded = definitions.filter((d) => d.install.kind === 'embedded' && (d.role ?? 'engine') === 'engine').map((d) => d.id);
      const texts = opts.engine.length > 0 ? opts.engine : opts.all ? ['all'] : embedded;
      // The baseline engine (harness overhead) is measured first, once.
      const chosen = await resolveEngineSpecs(texts);
      const baselines = definitions.filter((d) => d.role === 'baseline').map((d) => d.id);
      const specs = [...(await resolveEngineSpecs(baselines)), ...chosen.filter((s) => s.definition.role !== 'baseline')];
      const [scenario] = await loadBundledScenarios([opts.scenario]);
      if (!scenario) throw new InputError('--scenario', opts.scenario, 'no bundled scenario with this id', "run 'authz-bench list scenarios'");
      const outDir = path.resolve(opts.out ?? path.join('results', 'runs', `bench-${runId()}`));
      const concurrency = String(opts.concurrency)
        .split(',')
        .map((c) => positiveInt('--concurrency', 'clients')(c.trim()));
      for (const dimension of opts.curve as string[]) {
        if (!CURVES.some((c) => c.dimension === dimension)) {
          throw new InputError('--curve', dimension, 'no cost curve of this dimension', `use one of: ${CURVES.map((c) => c.dimension).join(', ')}`);
        }
      }
      const results = await runBench(specs, scenario, outDir, commandLine(), {
        trials: opts.trials,
        durationMs: opts.duration,
        warmupMs: opts.warmup,
        concurrency,
        sloMs: opts.slo,
        targetRate: opts.rate,
        connections: opts.connections,
        maxRate: opts.maxRate,
        rmeTarget: 2,
        curves: !!opts.curves || !!opts.all || opts.curve.length > 0,
        ...(opts.curve.length > 0 ? { curveDimensions: opts.curve as string[] } : {}),
        curveTimeMs: 300,
        maxCurveSize: opts.maxCurveSize,
        launch: opts.launch,
        settings: parseSettings(opts.set),
        log,
      });
      const reportFile = path.join(outDir, 'report.md');
      writeAtomically(reportFile, renderMarkdown(results));
      log(`results: ${path.relative(process.cwd(), path.join(outDir, 'results.json'))}\nreport:  ${path.relative(process.cwd(), reportFile)}`);
      process.exitCode = exitCodeFor(results);
    });
  return withHelp(command, {
    outputs: ['<out>/results.json   load, SLO and cost-curve figures (with `bench` section)', '<out>/report.md      Markdown report', 'stderr               progress'],
    exitCodes: [
      [0, 'measured (a missed SLO is reported in the results, not an exit code)'],
      [1, 'an engine answered wrong'],
      [3, 'an engine failed to start or answer'],
    ],
    examples: [
      'authz-bench bench                                  # embedded engines, load-mix',
      'authz-bench bench -e opa -e openfga --slo 20 --rate 2000',
      'authz-bench bench --curve tenants --max-curve-size 1000',
    ],
  });
}
