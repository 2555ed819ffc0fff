// `authz-bench export`, `import-load` and `loadgen install|status`: load from external
// generators on several machines, with the harness's request mix and statistics
// (src/loadgen/, docs/benchmarking.md "Load from several machines").

import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.ts';
import { findGenerator } from '../../loadgen/generator.ts';
import { GENERATORS } from '../../loadgen/generators.ts';
import { oneTrialNote, withMargin } from '../../report/format.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);
const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const generatorIds = GENERATORS.map((g) => g.id).join(', ');

/** A whole number of at least `min`, or an input error naming the option and its unit. */
const whole =
  (name: string, unit: string, min = 1) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InputError(name, value, `expected a whole number of ${unit}, at least ${min}`, `e.g. ${name} ${Math.max(min, 10)}`);
    return n;
  };

function exportCommand(): Command {
  return new Command('export')
    .description("write a scenario's benchmark request mix as an external load generator's targets, with a run script for N machines")
    .argument('<generator>', `the load generator: ${generatorIds}`)
    .requiredOption('-e, --engine <id=URL>', 'the running engine the machines will load, e.g. opa=http://10.0.0.5:8181')
    .option('-s, --scenario <id>', 'bundled scenario whose benchmark requests are the mix', 'load-mix')
    .option('-f, --file <file>', 'a scenario file of your own instead')
    .addOption(new Option('--machines <n>', 'generator machines').default(2).argParser(whole('--machines', 'machines')))
    .addOption(new Option('--rate <n>', 'checks per second over all machines').default(1000).argParser(whole('--rate', 'checks per second')))
    .addOption(new Option('--trials <n>', 'independent trials').default(3).argParser(whole('--trials', 'trials')))
    .addOption(new Option('--duration <ms>', 'measured time per trial').default(10_000).argParser(whole('--duration', 'milliseconds')))
    .addOption(new Option('--warmup <ms>', 'unmeasured start of each trial').default(1000).argParser(whole('--warmup', 'milliseconds', 0)))
    .addOption(new Option('--slo <ms>', 'p99 threshold of the SLO verdict, kept for import-load').default(50).argParser(whole('--slo', 'milliseconds')))
    .option('--load', "load the scenario's model and relationships into the engine first (a test deployment; never a production one)")
    .option('-o, --out <dir>', 'folder to write (default: results/exports/<generator>-<scenario>-<time>)')
    .action(
      async (
        id: string,
        opts: {
          engine: string;
          scenario: string;
          file?: string;
          machines: number;
          rate: number;
          trials: number;
          duration: number;
          warmup: number;
          slo: number;
          load?: boolean;
          out?: string;
        },
      ) => {
        // Loaded here, not at the top: `authz-bench --help` starts without them.
        const [{ resolveEngineSpecs }, { loadBundledScenarios, loadScenarioFile }] = await Promise.all([import('../../engines/registry.ts'), import('../../scenario/load.ts')]);
        const generator = findGenerator(id, GENERATORS);
        const [spec] = await resolveEngineSpecs([opts.engine]);
        if (!spec) throw new InputError('--engine', opts.engine, 'no engine given', 'e.g. --engine opa=http://localhost:8181');
        const scenario = opts.file ? await loadScenarioFile(path.resolve(opts.file)) : (await loadBundledScenarios([opts.scenario])).find((s) => s.id === opts.scenario);
        if (!scenario) throw new InputError('--scenario', opts.scenario, 'no bundled scenario with this id', "run 'authz-bench list scenarios'");
        const outDir = path.resolve(opts.out ?? path.join('results', 'exports', `${generator.id}-${scenario.id}-${stamp()}`));
        const { exportLoad } = await import('../../loadgen/export.ts');
        const plan = await exportLoad(generator, spec, scenario, {
          outDir,
          machines: opts.machines,
          rate: opts.rate,
          trials: opts.trials,
          warmupMs: opts.warmup,
          durationMs: opts.duration,
          sloMs: opts.slo,
          load: !!opts.load,
          command: `authz-bench ${process.argv.slice(2).join(' ')}`,
          log,
        });
        const where = path.relative(process.cwd(), outDir) || '.';
        log(`export: ${plan.requests} requests for ${plan.engine.id} (${plan.engine.name} ${plan.engine.version}), ${plan.machines} machines × ${plan.ratePerMachine}/s -> ${where}`);
        log(`next: copy ${where} to each machine, run ./run.sh <name> <start-at> there (README.md), then: authz-bench import-load ${generator.id} --export ${where} ${where}/results/*.bin`);
      },
    );
}

function importLoadCommand(): Command {
  return new Command('import-load')
    .description("merge the results of N load-generator processes into a results.json with the harness's statistics and SLO verdict")
    .argument('<generator>', `the load generator: ${generatorIds}`)
    .argument('<results...>', "the generator's results files from every machine and trial")
    .option('--export <dir>', 'the folder `export` wrote (default: found beside the results files or one folder up)')
    .addOption(new Option('--slo <ms>', "p99 threshold of the SLO verdict (default: the export's)").argParser(whole('--slo', 'milliseconds')))
    .option('-o, --out <dir>', 'results folder (default: results/runs/load-<generator>-<time>)')
    .action(async (id: string, files: string[], opts: { export?: string; slo?: number; out?: string }) => {
      const generator = findGenerator(id, GENERATORS);
      for (const file of files) if (!existsSync(file)) throw new InputError(file, '', 'no such results file', 'give the results/<machine>-trial<k>.bin files the run script wrote');
      const { readPlan } = await import('../../loadgen/import.ts');
      const { importLoad } = await import('../../loadgen/results.ts');
      const { binaryPath } = await import('../../engines/paths.ts');
      const { renderMarkdown } = await import('../../report/markdown.ts');
      const { ResultsWriter, writeAtomically } = await import('../../results/writer.ts');
      const { exitCodeFor } = await import('../../results/exit-code.ts');
      const { plan, file } = readPlan(opts.export, files);
      if (plan.generator.id !== generator.id)
        throw new InputError(file, 'generator', `the export was for ${plan.generator.id}, not ${generator.id}`, `run: authz-bench import-load ${plan.generator.id} ...`);
      const outDir = path.resolve(opts.out ?? path.join('results', 'runs', `load-${generator.id}-${stamp()}`));
      // The pinned install in .engines/bin, else the generator on PATH (to decode its own format).
      const installed = binaryPath(generator);
      const binary = existsSync(installed) || generator.install.kind !== 'go' ? installed : generator.install.binary;
      const { results, imported } = await importLoad(generator, plan, files, {
        outDir,
        binary,
        command: `authz-bench ${process.argv.slice(2).join(' ')}`,
        ...(opts.slo ? { sloMs: opts.slo } : {}),
      });
      for (const warning of imported.warnings) log(`warning: ${warning}`);
      const writer = new ResultsWriter(outDir);
      writer.writeResults(results);
      writeAtomically(path.join(outDir, 'report.md'), renderMarkdown(results));
      const s = imported.summary;
      const slo = results.bench!.slo[0]!;
      log(
        `${plan.engine.id} ${plan.scenario.id}: ${imported.mark.machines} machines × ${imported.mark.ratePerMachine}/s, ${s.trials.length} trials: ${withMargin(s.throughput, (x) => x.toFixed(0))} checks/s, p50 ${withMargin(s.p50)}, p99 ${withMargin(s.p99)}${oneTrialNote(s.trials.length)}, ${s.errors} errors`,
      );
      log(`SLO p99 <= ${slo.thresholdMs} ms at ${slo.targetRate}/s: ${slo.pass ? 'PASS' : 'FAIL'}`);
      log(`results: ${path.relative(process.cwd(), writer.resultsFile)}`);
      process.exitCode = exitCodeFor(results);
    });
}

function loadgenCommand(): Command {
  const command = new Command('loadgen').description('install and inspect the external load generators (export, import-load)');
  command
    .command('install')
    .description('install the pinned load generators into .engines/bin, as engines are installed')
    .action(async () => {
      const { installEngines } = await import('../../engines/install.ts');
      const report = await installEngines(GENERATORS, { log });
      if (!report.ok) process.exitCode = 1;
    });
  command
    .command('status')
    .description('each load generator, its pinned and installed version')
    .action(async () => {
      const { installedVersion, installLocation } = await import('../../engines/install.ts');
      for (const g of GENERATORS) {
        const installed = installedVersion(g);
        console.log(`${g.id.padEnd(10)} pinned ${g.version}  installed ${installed ?? '-'}  ${path.relative(process.cwd(), installLocation(g)) || installLocation(g)}  ${g.description}`);
      }
    });
  return command;
}

/** The commands of this file, for main.ts to register. */
export const loadgenCommands = (): Command[] => [exportCommand(), importLoadCommand(), loadgenCommand()];
