// `authz-bench run`: conformance steps, then a short benchmark, for each engine × scenario.

import path from 'node:path';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.ts';
import { FINDINGS, FINDING_MEANING, parseFailOn, totalsOf, verdictOf } from '../../results/verdict.ts';
import { withHelp } from '../help.ts';
import { type RunCommandOptions, collect, nonNegativeInt, parseGeneratorParams, parseSettings, positiveInt } from '../options.ts';
import { commandLine, log, runId, shown } from '../output.ts';
import { loadScenarios } from '../scenarios.ts';

/**
 * options.ts's RunCommandOptions, with the repeatable options absent when not given (they
 * have no default, so help prints no `(default: [])`), and the verdict and output flags.
 */
type RunFlags = Omit<RunCommandOptions, Repeatable> &
  Partial<Pick<RunCommandOptions, Repeatable>> & {
    failOn?: string[];
    quiet?: boolean;
    json?: boolean;
  };
type Repeatable = 'engine' | 'scenario' | 'file' | 'set' | 'param' | 'allowPath';

export function runCommand(): Command {
  const command = new Command('run')
    .description('run conformance steps, then a short benchmark, for each engine × scenario')
    .option('-e, --engine <engine>', "engine id, 'id[configuration]', 'id=URL', or 'all' (repeatable; default: reference)", collect)
    .option('-s, --scenario <id>', 'scenario id or tag (repeatable; default: all bundled)', collect)
    .option('-f, --file <file>', 'a scenario file of your own (repeatable)', collect)
    .option('-o, --out <dir>', 'results folder (default: results/runs/<time> in the current folder)')
    .option('--set <key=value>', "engine option passed to every adapter, e.g. 'consistency=HIGHER_CONSISTENCY' (repeatable)", collect)
    .option('--param <key=value>', "a generator parameter of the generated scenarios chosen, e.g. 'relationships=100000' (repeatable)", collect)
    .addOption(new Option('--launch <strategy>', 'how server engines are started').choices(['auto', 'local', 'container', 'url']).default('auto'))
    .option('--resume', 'continue the interrupted run in --out: keep its finished engine × scenario pairs')
    .option('--allow-path <path>', "a file or folder outside a scenario's folder that its native blocks may read (repeatable)", collect)
    .addOption(new Option('--bench-time <ms>', 'benchmark time per engine × scenario; 0 skips').default(300).argParser(nonNegativeInt('--bench-time', 'milliseconds', 3_600_000)))
    .addOption(new Option('--warmup <ms>', 'benchmark warm-up time').default(100).argParser(nonNegativeInt('--warmup', 'milliseconds', 3_600_000)))
    .addOption(new Option('--check-timeout <ms>', 'deadline for one engine call').default(10_000).argParser(positiveInt('--check-timeout', 'milliseconds', 3_600_000)))
    .option(
      '--fail-on <findings>',
      `findings that fail the run besides wrong answers and engine errors, comma-separated or repeated: ${FINDINGS.filter((f) => f !== 'wrong' && f !== 'error').join(', ')}, all; 'none' clears (none,audit: audit only)`,
      collect,
    )
    .option('-q, --quiet', 'no progress on standard error, only errors')
    .option('--json', 'print a JSON summary (files, totals, verdict) on standard output')
    .action(async (opts: RunFlags) => {
      // Loaded here, not at the top: `--help` and the other commands start without them.
      const [{ resolveEngineSpecs, settingsFor }, { renderHtml }, { renderMarkdown }, { writeAtomically }, { runAll }, { allowNativePaths }] = await Promise.all([
        import('../../engines/registry.ts'),
        import('../../report/html.ts'),
        import('../../report/markdown.ts'),
        import('../../results/writer.ts'),
        import('../../runner/run.ts'),
        import('../../scenario/native-files.ts'),
      ]);
      const failOn = parseFailOn(opts.failOn ?? []);
      const specs = await resolveEngineSpecs(opts.engine?.length ? opts.engine : ['reference']);
      allowNativePaths(opts.allowPath ?? []);
      const scenarios = await loadScenarios(opts.scenario ?? [], opts.file ?? [], parseGeneratorParams(opts.param ?? []));
      if (opts.resume && !opts.out) throw new InputError('--resume', '', 'needs the folder of the run to continue', 'add --out <dir of the interrupted run>');
      // Every option checked before the run says what it will do: a refused --set names itself, not a run that never starts.
      const engineOptions = parseSettings(opts.set ?? []);
      settingsFor(specs, engineOptions);
      const progress = opts.quiet ? () => {} : log;
      const outDir = path.resolve(opts.out ?? path.join('results', 'runs', runId()));
      progress(`authz-bench: ${specs.length} engine(s) × ${scenarios.length} scenario(s) -> ${shown(outDir)}`);
      const { results, writer, interrupted } = await runAll(specs, scenarios, {
        outDir,
        benchTimeMs: opts.benchTime,
        warmupMs: opts.warmup,
        checkTimeoutMs: opts.checkTimeout,
        command: commandLine(),
        resume: !!opts.resume,
        launch: opts.launch,
        engineOptions,
        log: progress,
      });
      const verdict = verdictOf(results, failOn);
      results.verdict = verdict;
      writer.writeResults(results);
      const reportFile = path.join(outDir, 'report.md');
      const htmlFile = path.join(outDir, 'report.html');
      writeAtomically(reportFile, renderMarkdown(results));
      writeAtomically(htmlFile, renderHtml(results));
      const totals = totalsOf(results);
      progress(`results: ${shown(writer.resultsFile)}\nreport:  ${shown(reportFile)} and ${shown(htmlFile)}`);
      progress(
        `cases: ${totals.cases.pass}/${totals.cases.total} passed, ${totals.cases.fail} failed, ${totals.cases.error} errors, ${totals.cases.unsupported} unsupported; ` +
          `decisions: ${totals.decisions.correct}/${totals.decisions.total} correct`,
      );
      if (interrupted) {
        log('interrupted: the results hold what was measured before it');
        if (opts.json) process.stdout.write(`${JSON.stringify({ results: writer.resultsFile, report: { md: reportFile, html: htmlFile }, totals, verdict, interrupted }, null, 2)}\n`);
        process.exitCode = 130;
        return;
      }
      const found = FINDINGS.filter((f) => totals.findings[f] > 0);
      for (const finding of found) {
        const engines = totals.engines.filter((e) => e.findings[finding] > 0).map((e) => e.engine);
        progress(`finding ${finding.padEnd(11)} ${failOn.includes(finding) ? 'FAILS the run' : 'reported    '}  ${engines.join(', ')} (${FINDING_MEANING[finding]})`);
      }
      // Nothing passed or failed (all unsupported or not run): a green exit here would say nothing, so say so.
      const judged = totals.cases.pass + totals.cases.fail + totals.cases.error;
      if (verdict.exitCode === 0 && judged === 0)
        log(`exit 0, but NOTHING WAS JUDGED: none of the ${totals.cases.total} case(s) ran on an engine that could decide it (add --fail-on unsupported to make this fail)`);
      else if (verdict.exitCode === 0)
        progress(
          found.some((f) => !failOn.includes(f))
            ? `exit 0: no finding of --fail-on ${failOn.join(',') || 'none'} (add e.g. --fail-on audit to fail on the others)`
            : 'exit 0: all cases passed',
        );
      else log(`exit ${verdict.exitCode}: ${verdict.failing.join('; ')}`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ results: writer.resultsFile, report: { md: reportFile, html: htmlFile }, totals, verdict }, null, 2)}\n`);
      }
      process.exitCode = verdict.exitCode;
    });
  return withHelp(command, {
    outputs: [
      '<out>/results.json   every case, figure and the totals (docs/reports.md)',
      '<out>/cases.jsonl    one line per case as it finishes (kept on a crash)',
      '<out>/report.md      Markdown report; <out>/report.html the same for people',
      'stderr               progress (engine n/N, time left); stdout: the --json summary',
    ],
    exitCodes: [
      [0, 'no finding of --fail-on (by default: every engine answered every check right)'],
      [1, 'a finding of --fail-on: a wrong answer, or e.g. with --fail-on audit an incomplete decision log'],
      [3, 'an engine failed (error, crash, hang, not installed) but none answered wrong'],
      [74, 'the results could not be written (disk full): engines stopped, files written so far kept valid'],
      [130, 'interrupted (Ctrl-C): what finished is in results.json'],
    ],
    examples: [
      'authz-bench run                                    # reference engine, every bundled scenario',
      'authz-bench run --engine all --fail-on audit           # wrong answers, engine errors and incomplete decision logs fail',
      'authz-bench run -e openfga -e opa -f my-scenario.yaml --json --quiet',
      'authz-bench run -e opa -s revocation --out runs/today --bench-time 0',
    ],
  });
}
