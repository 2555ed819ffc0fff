// The authz-bench command line. Exit codes: 0 all passed; 1 an engine answered wrong;
// 2 bad input (a clear one-line message, no stack trace); 3 an engine failed (error,
// crash, hang) but none answered wrong; 70 a fault of the harness itself; 74 the results
// could not be written (disk full...); 130 interrupted.

import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CURVES } from '../bench/curves.ts';
import { InputError, isInputError } from '../core/errors.ts';
import { loadgenCommands } from './commands/loadgen.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { redact, registerSecretsIn } from '../core/redact.ts';
import { installUnits, loadEngineDefinitions, resolveEngineSpecs } from '../engines/registry.ts';
import { compareResults, exitCode, renderComparison } from '../report/compare.ts';
import { renderHtml } from '../report/html.ts';
import { renderJunit } from '../report/junit.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { Pacing } from '../load/open-loop.ts';
import type { RunResults } from '../results/types.ts';
import { exitCodeFor } from '../results/exit-code.ts';
import { OUTPUT_ERROR_EXIT_CODE, OutputError } from '../results/output-error.ts';
import { readResults } from '../results/read.ts';
import { writeAtomically } from '../results/writer.ts';
import { runAll } from '../runner/run.ts';
import { loadBundledScenarios, loadScenarioFile } from '../scenario/load.ts';
import { uniqueScenarioIds } from '../scenario/import-ids.ts';
import { allowNativePaths } from '../scenario/native-files.ts';
import { scenarioWarnings } from '../scenario/warnings.ts';
import type { Scenario } from '../scenario/types.ts';

const RENDERERS = {
  md: renderMarkdown,
  html: renderHtml,
  junit: renderJunit,
  json: (results: RunResults) => `${JSON.stringify(results, null, 2)}\n`,
};

/** `--set key=value` pairs; anything else is a clear input error. */
function parseSettings(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new InputError('--set', pair, 'expected key=value', 'e.g. --set consistency=HIGHER_CONSISTENCY');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

const log = (message: string) => process.stderr.write(`${redact(message)}\n`);

function runId(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InputError(name, value, 'expected a whole number of milliseconds', `e.g. ${name} 500`);
  return n;
};

async function loadScenarios(ids: string[], files: string[]): Promise<Scenario[]> {
  const fromFiles = await Promise.all(files.map((f) => loadScenarioFile(path.resolve(f))));
  if (files.length > 0 && ids.length === 0) return fromFiles;
  return [...(await loadBundledScenarios(ids)), ...fromFiles];
}

export function buildProgram(): Command {
  const program = new Command('authz-bench')
    .description('Run the same authorization scenarios on several engines; report correctness and speed.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description('run conformance steps, then a short benchmark, for each engine × scenario')
    .option('-e, --engine <engine>', "engine id, 'id[configuration]', 'id=URL', or 'all' (repeatable)", collect, [])
    .option('-s, --scenario <id>', 'scenario id or tag (repeatable; default: all bundled)', collect, [])
    .option('-f, --file <file>', 'a scenario file of your own (repeatable)', collect, [])
    .option('-o, --out <dir>', 'results folder (default: results/runs/<time>)')
    .option('--set <key=value>', "engine option passed to every adapter, e.g. 'consistency=HIGHER_CONSISTENCY' (repeatable)", collect, [])
    .addOption(new Option('--launch <strategy>', 'how server engines are started').choices(['auto', 'local', 'container', 'url']).default('auto'))
    .option('--resume', 'continue the interrupted run in --out: keep its finished engine × scenario pairs')
    .option('--allow-path <path>', "a file or folder outside a scenario's folder that its native blocks may read (repeatable)", collect, [])
    .addOption(new Option('--bench-time <ms>', 'benchmark time per engine × scenario; 0 skips').default(300).argParser(positiveInt('--bench-time')))
    .addOption(new Option('--warmup <ms>', 'benchmark warm-up time').default(100).argParser(positiveInt('--warmup')))
    .addOption(new Option('--check-timeout <ms>', 'deadline for one engine call').default(10_000).argParser(positiveInt('--check-timeout')))
    .action(async (opts) => {
      const specs = await resolveEngineSpecs(opts.engine.length > 0 ? opts.engine : ['reference']);
      allowNativePaths(opts.allowPath);
      const scenarios = await loadScenarios(opts.scenario, opts.file);
      if (opts.resume && !opts.out) throw new InputError('--resume', '', 'needs the folder of the run to continue', 'add --out <dir of the interrupted run>');
      const outDir = path.resolve(opts.out ?? path.join(PROJECT_ROOT, 'results', 'runs', runId()));
      log(`authz-bench: ${specs.length} engine(s) × ${scenarios.length} scenario(s) -> ${path.relative(process.cwd(), outDir) || '.'}`);
      const { results, writer, interrupted } = await runAll(specs, scenarios, {
        outDir,
        benchTimeMs: opts.benchTime,
        warmupMs: opts.warmup,
        checkTimeoutMs: opts.checkTimeout,
        command: redact(`authz-bench ${process.argv.slice(2).join(' ')}`),
        resume: !!opts.resume,
        launch: opts.launch,
        engineOptions: parseSettings(opts.set),
        log,
      });
      const reportFile = path.join(outDir, 'report.md');
      writeAtomically(reportFile, renderMarkdown(results));
      writeAtomically(path.join(outDir, 'report.html'), renderHtml(results));
      const failed = results.cases.filter((c) => c.status === 'fail' || c.status === 'error').length;
      log(`results: ${path.relative(process.cwd(), writer.resultsFile)}\nreport:  ${path.relative(process.cwd(), reportFile)}`);
      if (interrupted) {
        log('interrupted: the results hold what was measured before it');
        process.exitCode = 130;
        return;
      }
      log(failed === 0 ? 'all cases passed' : `${failed} case(s) failed or errored`);
      process.exitCode = exitCodeFor(results);
    });

  const list = program.command('list').description('list engines or scenarios');
  list
    .command('engines')
    .description('the engines found in adapters/')
    .action(async () => {
      for (const d of await loadEngineDefinitions()) {
        const version = d.version === '-' ? '' : ` ${d.version}`;
        console.log(`${d.id.padEnd(12)} ${d.name}${version}: ${d.description}`);
        for (const [name, what] of Object.entries(d.configurations ?? {})) console.log(`${''.padEnd(12)} ${`${d.id}[${name}]`.padEnd(26)} ${what}`);
      }
    });
  list
    .command('scenarios')
    .description('the bundled scenarios with their tags')
    .action(async () => {
      for (const s of await loadBundledScenarios()) {
        const checks = s.steps.reduce((n, st) => n + (st.kind === 'check' ? 1 : st.kind === 'batch' ? st.requests.length : 0), 0);
        console.log(`${s.id.padEnd(36)} [${s.tags.join(', ')}] ${checks} checks — ${s.title}`);
      }
    });

  program
    .command('validate')
    .description('check scenario files; exit 2 on the first bad file')
    .argument('<files...>', 'scenario files')
    .action(async (files: string[]) => {
      let bad = 0;
      for (const file of files) {
        try {
          const s = await loadScenarioFile(path.resolve(file));
          console.log(`ok   ${file} (${s.id}: ${s.steps.length} steps, ${s.relationships.length} relationships)`);
          for (const warning of scenarioWarnings(s)) console.log(`warn ${file} at ${warning}`);
        } catch (error) {
          if (!isInputError(error)) throw error;
          bad++;
          log(error.message);
        }
      }
      if (bad > 0) process.exitCode = 2;
    });

  program
    .command('report')
    .description('render a results file')
    .argument('<results>', 'results.json of a run')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json', 'html', 'junit']).default('md'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action(async (file: string, opts: { format: keyof typeof RENDERERS; out?: string }) => {
      const text = RENDERERS[opts.format](await readResults(file));
      if (opts.out) writeAtomically(path.resolve(opts.out), text);
      else process.stdout.write(redact(text));
    });

  program
    .command('compare')
    .description('compare two runs: exit 1 on a correctness regression (or, with --fail-on-perf, a significant slowdown)')
    .argument('<base>', 'results.json of the baseline run')
    .argument('<new>', 'results.json of the new run')
    .option('--threshold <fraction>', 'smallest latency change that counts, as a fraction (0.1 = 10%); default: 3 σ of the run-to-run noise measured across the series, at least 0.1')
    .option('--fail-on-perf', 'exit 1 on a significant performance regression too')
    .action(async (baseFile: string, newFile: string, opts: { threshold?: string; failOnPerf?: boolean }) => {
      const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
      if (threshold !== undefined && (!Number.isFinite(threshold) || threshold < 0)) throw new InputError('--threshold', opts.threshold ?? '', 'expected a fraction such as 0.1', 'use --threshold 0.1 for 10%');
      const comparison = compareResults(await readResults(baseFile), await readResults(newFile), { ...(threshold !== undefined ? { threshold } : {}), failOnPerf: !!opts.failOnPerf });
      process.stdout.write(redact(renderComparison(comparison)));
      process.exitCode = exitCode(comparison, { failOnPerf: !!opts.failOnPerf });
    });

  program
    .command('bench')
    .description('load tests: micro benchmarks, closed/open loop with confidence intervals, SLO verdict, harness overhead, cost curves')
    .option('-e, --engine <engine>', 'engines to measure (default: the embedded ones)', collect, [])
    .option('--all', 'every engine and configuration, with cost curves')
    .option('-s, --scenario <id>', 'the scenario whose benchmark requests are the load', 'load-mix')
    .option('-o, --out <dir>', 'results folder (default: results/runs/bench-<time>)')
    .addOption(new Option('--trials <n>', 'independent trials per measurement').default(3).argParser(positiveInt('--trials')))
    .addOption(new Option('--duration <ms>', 'measured time per trial').default(1000).argParser(positiveInt('--duration')))
    .addOption(new Option('--warmup <ms>', 'warm-up per trial, not measured').default(300).argParser(positiveInt('--warmup')))
    .option('--concurrency <list>', 'closed-loop client counts', '1,16')
    .addOption(new Option('--slo <ms>', 'p99 threshold of the SLO verdict').default(50).argParser(positiveInt('--slo')))
    .addOption(new Option('--rate <n>', 'target arrival rate (checks/s) for the SLO').default(1000).argParser(positiveInt('--rate')))
    .addOption(new Option('--max-rate <n>', 'highest rate the SLO ramp tries').default(64_000).argParser(positiveInt('--max-rate')))
    .addOption(new Option('--connections <n>', 'open-loop connections').default(16).argParser(positiveInt('--connections')))
    .option('--set <key=value>', "engine option, e.g. 'consistency=HIGHER_CONSISTENCY' (repeatable)", collect, [])
    .addOption(new Option('--launch <strategy>', 'how server engines are started').choices(['auto', 'local', 'container', 'url']).default('auto'))
    .option('--curves', 'measure cost curves (on with --all)')
    .option('--curve <dimension>', `measure only this cost curve (repeatable; implies --curves): ${CURVES.map((c) => c.dimension).join(', ')}`, collect, [])
    .addOption(new Option('--max-curve-size <n>', 'largest size a cost curve tries').default(100_000).argParser(positiveInt('--max-curve-size')))
    .action(async (opts) => {
      const { runBench } = await import('../bench/command.ts');
      const definitions = await loadEngineDefinitions();
      const embedded = definitions.filter((d) => d.install.kind === 'embedded' && d.role !== 'baseline').map((d) => d.id);
      const texts = opts.engine.length > 0 ? opts.engine : opts.all ? ['all'] : embedded;
      // The baseline engine (harness overhead) is measured first, once.
      const chosen = await resolveEngineSpecs(texts);
      const baselines = definitions.filter((d) => d.role === 'baseline').map((d) => d.id);
      const specs = [...(await resolveEngineSpecs(baselines)), ...chosen.filter((s) => s.definition.role !== 'baseline')];
      const [scenario] = await loadBundledScenarios([opts.scenario]);
      if (!scenario) throw new InputError('--scenario', opts.scenario, 'no bundled scenario with this id', "run 'authz-bench list scenarios'");
      const outDir = path.resolve(opts.out ?? path.join(PROJECT_ROOT, 'results', 'runs', `bench-${runId()}`));
      const concurrency = String(opts.concurrency).split(',').map((c) => positiveInt('--concurrency')(c.trim()));
      for (const dimension of opts.curve as string[]) {
        if (!CURVES.some((c) => c.dimension === dimension)) {
          throw new InputError('--curve', dimension, 'no cost curve of this dimension', `use one of: ${CURVES.map((c) => c.dimension).join(', ')}`);
        }
      }
      const results = await runBench(specs, scenario, outDir, `authz-bench ${process.argv.slice(2).join(' ')}`, {
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

  program
    .command('import')
    .description('turn an engine\'s own test files into neutral scenarios')
    .argument('<engine>', 'an engine with an importer (e.g. openfga)')
    .argument('<files...>', "the engine's own test files (OpenFGA: store files .fga.yaml with model or model_file, fga.mod too; tuples; tests)")
    .option('-o, --out <dir>', 'folder to write <id>.yaml into', '.')
    .action(async (engine: string, files: string[], opts: { out: string }) => {
      const definitions = await loadEngineDefinitions();
      const importer = definitions.find((d) => d.id === engine)?.importScenario;
      const withImporter = definitions.filter((d) => d.importScenario).map((d) => d.id);
      if (!importer) throw new InputError('import', engine, 'no importer for this engine', `use one of: ${withImporter.join(', ')}`);
      // One folder, one file per id: files of one name get their folder's name first.
      const ids = uniqueScenarioIds(files);
      for (const [i, file] of files.entries()) {
        const yaml = await importer(path.resolve(file), ids[i]!);
        const target = path.resolve(opts.out, `${ids[i]}.yaml`);
        writeAtomically(target, yaml);
        log(`wrote ${path.relative(process.cwd(), target)}; check it with: authz-bench validate ${path.relative(process.cwd(), target)}`);
      }
    });

  program
    .command('crosscheck')
    .description("cross-check the harness's latency with wrk on the same engine endpoint (OPA by default) at the same rate")
    .option('-e, --engine <engine>', 'the engine measured; its adapter must have an HTTP decision endpoint', 'opa[nolog]')
    .addOption(new Option('--rate <n>', 'checks per second').default(400).argParser(positiveInt('--rate')))
    .addOption(new Option('--connections <n>', 'connections of both tools').default(4).argParser(positiveInt('--connections')))
    .addOption(new Option('--duration <s>', 'seconds per measurement').default(10).argParser(positiveInt('--duration')))
    .addOption(new Option('--rounds <n>', 'alternating rounds of wrk and the harness').default(3).argParser(positiveInt('--rounds')))
    .option('-s, --scenario <id>', 'scenario loaded into OPA', 'authzen-todo')
    .addOption(new Option('--request <i>', "which of the scenario's benchmark requests is sent").default(4).argParser(positiveInt('--request')))
    .option('--param <key=value>', "override one of the scenario generator's parameters (repeatable)", collect, [])
    .option('--pin', 'pin OPA to CPU 1 and the harness and wrk to CPU 0 (taskset)')
    .addOption(new Option('--pacing <how>', "the harness's open-loop pacing").choices(['timer', 'spin']).default('timer'))
    .action(async (opts: { engine: string; rate: number; connections: number; duration: number; rounds: number; scenario: string; request: number; param: string[]; pin?: boolean; pacing: Pacing }) => {
      const { crosscheck, crosscheckTable } = await import('../bench/crosscheck.ts');
      const params = Object.fromEntries(Object.entries(parseSettings(opts.param)).map(([k, v]) => [k, positiveInt('--param')(v)]));
      const rows = await crosscheck({ engine: opts.engine, rate: opts.rate, connections: opts.connections, durationS: opts.duration, rounds: opts.rounds, scenario: opts.scenario, request: opts.request, params, pin: !!opts.pin, pacing: opts.pacing, log });
      console.log(crosscheckTable(rows));
    });

  program
    .command('fuzz')
    .description('fuzz the scenario loader and model parser with generated files (fast-check)')
    .addOption(new Option('--count <n>', 'generated inputs').default(10_000).argParser(positiveInt('--count')))
    .addOption(new Option('--seed <n>', 'fast-check seed').default(42).argParser(positiveInt('--seed')))
    .action(async (opts: { count: number; seed: number }) => {
      const { fuzzLoader } = await import('../fuzz/scenario-fuzz.ts');
      const started = performance.now();
      const report = await fuzzLoader(opts.count, opts.seed);
      console.log(`fuzz: ${report.inputs} generated inputs, ${report.accepted} accepted, ${report.rejected} rejected with a located error, ${report.crashes.length} crashes (${Object.entries(report.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')}); slowest ${report.slowestMs.toFixed(1)} ms; ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${opts.seed})`);
      for (const c of report.crashes.slice(0, 5)) console.log(`crash: ${c.problem}\n---\n${c.input}\n---`);
      if (report.crashes.length > 0) process.exitCode = 1;
    });

  const engines = program.command('engines').description('install and inspect the real engines');
  engines
    .command('install')
    .description('install pinned engine versions into .engines/')
    .action(async () => {
      const { installEngines } = await import('../engines/install.ts');
      const report = await installEngines(installUnits(await loadEngineDefinitions()), { log });
      if (!report.ok) process.exitCode = 1;
    });
  engines
    .command('status')
    .description('each engine, its launch strategies and version')
    .action(async () => {
      const { engineStatus, formatStatus } = await import('../engines/status.ts');
      const definitions = await loadEngineDefinitions();
      console.log(formatStatus(await engineStatus(installUnits(definitions)), definitions));
    });

  for (const command of loadgenCommands()) program.addCommand(command);
  return program;
}

async function main(): Promise<void> {
  registerSecretsIn(process.argv);
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isInputError(error)) {
      log(`error: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof OutputError) {
      // The engines are stopped by now; exit at once, whatever handle is still open.
      log(`error: ${error.message}; the results written before it are kept`);
      process.exit(OUTPUT_ERROR_EXIT_CODE);
    }
    log(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.AUTHZ_BENCH_DEBUG) log(String((error as Error).stack));
    else log('(set AUTHZ_BENCH_DEBUG=1 to see the stack)');
    process.exitCode = 70;
  }
}

await main();
