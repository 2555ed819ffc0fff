// Where the CLI writes: messages and progress to standard error, data to standard output.

import path from 'node:path';

export const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** A path as the user would type it from the current folder. */
export const shown = (file: string): string => path.relative(process.cwd(), file) || '.';

/** A run folder's name: the start time, sortable (20261130-045901). */
export function runId(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The command line as typed, recorded in results. */
export const commandLine = (): string => `authz-bench ${process.argv.slice(2).join(' ')}`;
