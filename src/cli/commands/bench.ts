// `authz-bench bench`: load tests with confidence intervals, SLO verdict, harness overhead, cost curves.

import path from 'node:path';
import { Command, Option } from 'commander';
import { curveNames, resolveCurve } from '../../bench/curve-specs.ts';
import { InputError } from '../../core/errors.ts';
import { withHelp } from '../help.ts';
import { type BenchCommandOptions, collect, nonNegativeInt, parseGeneratorParams, parseSettings, positiveInt } from '../options.ts';
import { commandLine, log, runId } from '../output.ts';

export function benchCommand(): Command {
  const command = new Command('bench')
    .description('load tests: micro benchmarks, closed/open loop with confidence intervals, SLO verdict, harness overhead, cost curves')
    .option('-e, --engine <engine>', 'engines to measure (default: the embedded ones)', collect)
    .option('--all', 'every engine and configuration, with cost curves')
    .option('-s, --scenario <id>', 'the scenario whose benchmark requests are the load', 'scale-drive')
    .option('-f, --file <file>', 'a scenario file of your own whose benchmark requests are the load (instead of --scenario)')
    .option('--param <key=value>', "a generator parameter of the scenario, e.g. 'relationships=100000' (repeatable)", collect)
    .option('-o, --out <dir>', 'results folder (default: results/runs/bench-<time> in the current folder)')
    .addOption(new Option('--trials <n>', 'independent trials per measurement').default(3).argParser(positiveInt('--trials', 'trials')))
    .addOption(new Option('--duration <ms>', 'measured time per trial (and per micro-benchmark round)').default(1000).argParser(positiveInt('--duration', 'milliseconds', 3_600_000)))
    .addOption(new Option('--warmup <ms>', 'warm-up per trial and micro-benchmark round, not measured').default(300).argParser(nonNegativeInt('--warmup', 'milliseconds', 3_600_000)))
    .option('--concurrency <list>', 'closed-loop client counts (above 1 for server engines only)', '1,16')
    .addOption(new Option('--slo <ms>', 'p99 threshold of the SLO verdict').default(50).argParser(positiveInt('--slo', 'milliseconds')))
    .addOption(new Option('--rate <n>', 'target arrival rate (checks/s) for the SLO').default(1000).argParser(positiveInt('--rate', 'checks per second')))
    .addOption(new Option('--max-rate <n>', 'highest rate the SLO ramp tries').default(64_000).argParser(positiveInt('--max-rate', 'checks per second')))
    .addOption(new Option('--connections <n>', 'open-loop connections').default(16).argParser(positiveInt('--connections', 'connections', 10_000)))
    .option('--set <key=value>', "engine option, e.g. 'consistency=HIGHER_CONSISTENCY' (repeatable)", collect)
    .addOption(new Option('--launch <strategy>', 'how server engines are started').choices(['auto', 'local', 'container', 'url']).default('auto'))
    .option('--curves', 'measure cost curves (on with --all)')
    .option('--curve <dimension>', `measure only this cost curve (repeatable; implies --curves): ${curveNames().join(', ')}`, collect)
    .addOption(
      new Option('--max-curve-size <n>', 'largest size a cost curve tries')
        .default(100_000)
        .argParser(positiveInt('--max-curve-size', "the curve's size (depth, relationships, tenants or batch size)")),
    )
    .option('--scale <sizes>', 'only the scale section: every engine on the Drive-like dataset at these relationship counts, e.g. 100000,1000000')
    .addOption(new Option('--load-budget <s>', 'time an engine may take to load a dataset; over it: "did not load"').default(300).argParser(positiveInt('--load-budget', 'seconds', 86_400)))
    .addOption(
      new Option('--memory-budget <MiB>', 'an engine\'s own memory (server RSS, or an embedded engine\'s heap in a fresh process); over it: "did not load"')
        .default(4096)
        .argParser(positiveInt('--memory-budget', 'MiB', 1_048_576)),
    )
    .action(async (opts: BenchCommandOptions) => {
      // Repeatable options have no default in commander (it would print `(default: [])`).
      opts.engine ??= [];
      opts.set ??= [];
      opts.curve ??= [];
      opts.param ??= [];
      const [
        { runBench },
        { loadEngineDefinitions, resolveEngineSpecs },
        { renderMarkdown },
        { exitCodeFor },
        { writeAtomically },
        { loadBundledScenarios, loadScenarioFile },
        { findScenarioFile },
        { loadGenerator },
      ] = await Promise.all([
        import('../../bench/command.ts'),
        import('../../engines/registry.ts'),
        import('../../report/markdown.ts'),
        import('../../results/exit-code.ts'),
        import('../../results/writer.ts'),
        import('../../scenario/load.ts'),
        import('../../bench/curves.ts'),
        import('../../scenario/generators.ts'),
      ]);
      if (opts.rate > opts.maxRate)
        throw new InputError('--max-rate', String(opts.maxRate), `below --rate ${opts.rate}: the SLO ramp starts at --rate`, `give a --max-rate of ${opts.rate} or more, or a lower --rate`);
      // A named curve none of whose points fits under --max-curve-size would measure nothing.
      for (const spec of opts.curve.map(resolveCurve)) {
        const smallest = spec.sizes[0]! * (spec.relationshipsPerStep ?? 1);
        if (smallest > opts.maxCurveSize)
          throw new InputError(
            '--max-curve-size',
            String(opts.maxCurveSize),
            `below the first point of the ${spec.dimension} curve (${smallest}), so it would measure nothing`,
            `give --max-curve-size ${smallest} or more`,
          );
      }
      // Checked before anything loads: a size the Drive-like generator refuses would otherwise be blamed on its file.
      const scaleSizes = opts.scale?.split(',').map((size) => positiveInt('--scale', 'relationships')(size.trim()));
      if (scaleSizes) {
        const { min = 1, max = Number.MAX_SAFE_INTEGER } = (await loadGenerator('drive')).params.relationships ?? {};
        const outside = scaleSizes.find((size) => size < min || size > max);
        if (outside !== undefined)
          throw new InputError('--scale', String(outside), `the Drive-like dataset has ${min}..${max} relationships`, `give sizes from ${min} to ${max}, e.g. 100000,1000000`);
      }
      const definitions = await loadEngineDefinitions();
      // The embedded engines, each with its decision log off as well where that is a configuration (reference[nolog]):
      // the bench shows what keeping the log costs.
      const embedded = definitions
        .filter((d) => d.install.kind === 'embedded' && (d.role ?? 'engine') === 'engine')
        .flatMap((d) => [d.id, ...(d.configurations?.nolog ? [`${d.id}[nolog]`] : [])]);
      const texts = opts.engine.length > 0 ? opts.engine : opts.all ? ['all'] : embedded;
      // The baseline engine (harness overhead) is measured first, once.
      const chosen = await resolveEngineSpecs(texts);
      const baselines = definitions.filter((d) => d.role === 'baseline').map((d) => d.id);
      const specs = [...(await resolveEngineSpecs(baselines)), ...chosen.filter((s) => s.definition.role !== 'baseline')];
      const generateParams = parseGeneratorParams(opts.param);
      const file = opts.file ?? (await findScenarioFile(opts.scenario));
      // An unknown id: loadBundledScenarios names the scenarios there are.
      const [scenario] = file ? [await loadScenarioFile(file, { generateParams })] : await loadBundledScenarios([opts.scenario]);
      if (!scenario) throw new InputError('--scenario', opts.scenario, 'no bundled scenario with this id', "run 'authz-bench list scenarios'");
      const outDir = path.resolve(opts.out ?? path.join('results', 'runs', `bench-${runId()}`));
      const concurrency = String(opts.concurrency)
        .split(',')
        .map((c) => positiveInt('--concurrency', 'clients', 10_000)(c.trim()));
      const curveDimensions = opts.curve.map((name) => resolveCurve(name).dimension);
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
        curves: !!opts.curves || !!opts.all || curveDimensions.length > 0,
        ...(curveDimensions.length > 0 ? { curveDimensions } : {}),
        ...(scaleSizes ? { scaleSizes } : {}),
        budget: { timeMs: opts.loadBudget * 1000, memoryMiB: opts.memoryBudget },
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
      'authz-bench bench --param relationships=100000     # embedded engines, the Drive-like dataset at 10^5 (npm run bench)',
      'authz-bench bench -e opa -e openfga --slo 20 --rate 2000',
      'authz-bench bench -e reference -e opa --file authz/my-scenario.yaml   # your own scenario as the load',
      'authz-bench bench --curve tenants --max-curve-size 1000',
      'authz-bench bench --curve relationships --max-curve-size 1000000 --engine reference',
      'authz-bench bench --engine all --scale 100000,1000000 --out results/published/scale   # the published scale section',
    ],
  });
}
