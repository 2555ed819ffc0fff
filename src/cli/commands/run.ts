// `authz-bench run`: conformance steps, then a short benchmark, for each engine × scenario.

import path from 'node:path';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.ts';
import { PROJECT_ROOT } from '../../core/paths.ts';
import { resolveEngineSpecs } from '../../engines/registry.ts';
import { renderHtml } from '../../report/html.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import { exitCodeFor } from '../../results/exit-code.ts';
import { writeAtomically } from '../../results/writer.ts';
import { runAll } from '../../runner/run.ts';
import { loadScenarios } from '../scenarios.ts';
import { collect, parseSettings, positiveInt } from '../options.ts';
import { commandLine, log, runId } from '../output.ts';

export function runCommand(): Command {
  return new Command('run')
    .description('run conformance steps, then a short benchmark, for each engine × scenario')
    .option('-e, --engine <engine>', "engine id, 'id[configuration]', 'id=URL', or 'all' (repeatable)", collect, [])
    .option('-s, --scenario <id>', 'scenario id or tag (repeatable; default: all bundled)', collect, [])
    .option('-f, --file <file>', 'a scenario file of your own (repeatable)', collect, [])
    .option('-o, --out <dir>', 'results folder (default: results/runs/<time>)')
    .option('--set <key=value>', "engine option passed to every adapter, e.g. 'consistency=HIGHER_CONSISTENCY' (repeatable)", collect, [])
    .addOption(new Option('--launch <strategy>', 'how server engines are started').choices(['auto', 'local', 'container', 'url']).default('auto'))
    .option('--resume', 'continue the interrupted run in --out: keep its finished engine × scenario pairs')
    .addOption(new Option('--bench-time <ms>', 'benchmark time per engine × scenario; 0 skips').default(300).argParser(positiveInt('--bench-time')))
    .addOption(new Option('--warmup <ms>', 'benchmark warm-up time').default(100).argParser(positiveInt('--warmup')))
    .addOption(new Option('--check-timeout <ms>', 'deadline for one engine call').default(10_000).argParser(positiveInt('--check-timeout')))
    .action(async (opts) => {
      const specs = await resolveEngineSpecs(opts.engine.length > 0 ? opts.engine : ['reference']);
      const scenarios = await loadScenarios(opts.scenario, opts.file);
      if (opts.resume && !opts.out) throw new InputError('--resume', '', 'needs the folder of the run to continue', 'add --out <dir of the interrupted run>');
      const outDir = path.resolve(opts.out ?? path.join(PROJECT_ROOT, 'results', 'runs', runId()));
      log(`authz-bench: ${specs.length} engine(s) × ${scenarios.length} scenario(s) -> ${path.relative(process.cwd(), outDir) || '.'}`);
      const { results, writer } = await runAll(specs, scenarios, {
        outDir,
        benchTimeMs: opts.benchTime,
        warmupMs: opts.warmup,
        checkTimeoutMs: opts.checkTimeout,
        command: commandLine(),
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
      log(failed === 0 ? 'all cases passed' : `${failed} case(s) failed or errored`);
      process.exitCode = exitCodeFor(results);
    });
}
