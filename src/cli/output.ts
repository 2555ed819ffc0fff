// Where the CLI writes: messages and progress to standard error, data to standard output.

import path from 'node:path';
import { redact } from '../core/redact.ts';

let stderrClosed = false;

export const log = (message: string): void => {
  if (!stderrClosed) process.stderr.write(`${redact(message)}\n`);
};

const closed = (error: NodeJS.ErrnoException) => error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';

/**
 * A reader that stops early (`authz-bench report x --format json | head -1`) is no error:
 * when standard output closes, the command ends quietly with its exit code so far; when
 * standard error closes, progress stops and the work (a run, engines to stop) goes on.
 */
export function quietOnClosedOutput(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!closed(error)) throw error;
    process.exit(process.exitCode ?? 0);
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (!closed(error)) throw error;
    stderrClosed = true;
  });
}

/** A path as the user would type it from the current folder. */
export const shown = (file: string): string => path.relative(process.cwd(), file) || '.';

/** A run folder's name: the start time, sortable (20261130-045901). */
export function runId(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The command line as typed, recorded in results (credentials redacted). */
export const commandLine = (): string => redact(`authz-bench ${process.argv.slice(2).join(' ')}`);
