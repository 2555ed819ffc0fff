// The part of each command's help that commander does not write: what it writes where, its
// exit codes and examples.

import type { Command } from 'commander';

export interface CommandHelp {
  outputs?: string[];
  exitCodes: [code: number, meaning: string][];
  examples: string[];
}

/** The exit codes every command shares (see src/cli/main.ts). */
export const INPUT_ERROR: [number, string] = [2, 'bad input: a one-line message names the file, place and fix'];
export const INTERNAL_ERROR: [number, string] = [70, 'a fault of authz-bench itself (set AUTHZ_BENCH_DEBUG=1 for the stack)'];

export function withHelp(command: Command, help: CommandHelp): Command {
  const lines: string[] = [];
  if (help.outputs?.length) lines.push('', 'Outputs:', ...help.outputs.map((o) => `  ${o}`));
  lines.push('', 'Exit codes:', ...[...help.exitCodes, INPUT_ERROR, INTERNAL_ERROR].map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`));
  lines.push('', 'Examples:', ...help.examples.map((e) => `  $ ${e}`));
  return command.addHelpText('after', lines.join('\n'));
}
