// The authz-bench command line. Exit codes: 0 no finding of --fail-on; 1 a finding of
// --fail-on (by default: an engine answered wrong); 2 bad input (a clear one-line message,
// no stack trace); 3 an engine failed (error, crash, hang) but none answered wrong; 70 a
// fault of the harness itself; 74 the results could not be written (disk full...); 130
// interrupted. Each command lives in its own file under
// commands/ and loads what it needs when it runs, so `--help` starts fast.

import { Command, CommanderError } from 'commander';
import { isInputError } from '../core/errors.ts';
import { registerSecretsIn } from '../core/redact.ts';
import { OUTPUT_ERROR_EXIT_CODE, OutputError } from '../results/output-error.ts';
import { packageVersion } from '../core/version.ts';
import { benchCommand } from './commands/bench.ts';
import { compareCommand } from './commands/compare.ts';
import { crosscheckCommand } from './commands/crosscheck.ts';
import { enginesCommand } from './commands/engines.ts';
import { fuzzCommand } from './commands/fuzz.ts';
import { importCommand } from './commands/import.ts';
import { initCommand } from './commands/init.ts';
import { listCommand } from './commands/list.ts';
import { loadgenCommands } from './commands/loadgen.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { validateCommand } from './commands/validate.ts';
import { INPUT_ERROR, INTERNAL_ERROR } from './help.ts';
import { log, quietOnClosedOutput } from './output.ts';

const EXIT_CODES: [number, string][] = [
  [0, 'no finding of --fail-on (run: by default every check answered right)'],
  [1, 'a finding of --fail-on (by default a wrong answer); compare: a regression'],
  INPUT_ERROR,
  [3, 'an engine failed (error, crash, hang, not installed) but none answered wrong'],
  INTERNAL_ERROR,
  [74, 'the results could not be written (disk full): engines stopped, files written so far kept valid'],
  [130, 'interrupted (Ctrl-C)'],
];

export function buildProgram(): Command {
  const program = new Command('authz-bench')
    .description('Run the same authorization scenarios on several engines; report correctness and speed.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [
    initCommand(),
    runCommand(),
    listCommand(),
    validateCommand(),
    reportCommand(),
    compareCommand(),
    benchCommand(),
    importCommand(),
    crosscheckCommand(),
    fuzzCommand(),
    enginesCommand(),
    serveCommand(),
  ]) {
    program.addCommand(command);
  }
  for (const command of loadgenCommands()) program.addCommand(command);
  // addCommand does not pass these settings down: without them a subcommand's usage error
  // (an unknown option, an extra argument) would exit 1, the code of a wrong answer, not 2.
  const withSubcommands = (command: Command): Command[] => [command, ...command.commands.flatMap(withSubcommands)];
  for (const command of withSubcommands(program)) command.exitOverride().showHelpAfterError();
  program.addHelpText(
    'after',
    [
      '',
      'Exit codes:',
      ...EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`),
      '',
      'Start:',
      '  $ authz-bench run                      # the reference engine on every bundled scenario',
      '  $ authz-bench engines install && authz-bench run --engine all',
      '  $ authz-bench init my-scenario          # a scenario of your own to edit, validate and run',
      '',
      "'authz-bench <command> --help' gives each command's outputs, exit codes and examples.",
    ].join('\n'),
  );
  return program;
}

async function main(): Promise<void> {
  quietOnClosedOutput();
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
