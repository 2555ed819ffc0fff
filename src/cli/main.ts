// The authz-bench command line. Exit codes: 0 all passed; 1 an engine answered wrong;
// 2 bad input (a clear one-line message, no stack trace); 3 an engine failed (error,
// crash, hang) but none answered wrong; 70 a fault of the harness itself; 130 interrupted.
// Each command lives in its own file under commands/.

import { Command, CommanderError } from 'commander';
import { isInputError } from '../core/errors.ts';
import { benchCommand } from './commands/bench.ts';
import { compareCommand } from './commands/compare.ts';
import { crosscheckCommand } from './commands/crosscheck.ts';
import { enginesCommand } from './commands/engines.ts';
import { fuzzCommand } from './commands/fuzz.ts';
import { importCommand } from './commands/import.ts';
import { listCommand } from './commands/list.ts';
import { loadgenCommands } from './commands/loadgen.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { validateCommand } from './commands/validate.ts';
import { log } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('authz-bench')
    .description('Run the same authorization scenarios on several engines; report correctness and speed.')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [runCommand(), listCommand(), validateCommand(), reportCommand(), compareCommand(), benchCommand(), importCommand(), crosscheckCommand(), fuzzCommand(), enginesCommand()]) {
    program.addCommand(command);
  }
  for (const command of loadgenCommands()) program.addCommand(command);
  return program;
}

async function main(): Promise<void> {
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
    log(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.AUTHZ_BENCH_DEBUG) log(String((error as Error).stack));
    else log('(set AUTHZ_BENCH_DEBUG=1 to see the stack)');
    process.exitCode = 70;
  }
}

await main();
