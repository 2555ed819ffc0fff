// Checks a results folder (`--out`) before any engine starts, so a folder that cannot hold
// results is bad input (exit 2, naming the path and the fix), not a failure mid-run.

import { accessSync, constants, existsSync, mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors.ts';

/** Pseudo file systems: writable in places, but not storage. */
const PSEUDO_FILE_SYSTEMS = ['/proc', '/sys', '/dev'];

function under(file: string, root: string): boolean {
  return file === root || file.startsWith(`${root}/`);
}

/** The nearest part of `dir` that exists (dir itself, or an ancestor). */
function nearestExisting(dir: string): string {
  let current = dir;
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

/** Creates `dir` if needed and proves it can hold files; throws InputError naming `option` otherwise. */
export function prepareOutputFolder(dir: string, option = '--out'): void {
  const absolute = path.resolve(dir);
  const existing = nearestExisting(absolute);
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // a dangling link: the checks below report it
  }
  const pseudo = PSEUDO_FILE_SYSTEMS.find((root) => under(real, root) || under(absolute, root));
  if (pseudo) throw new InputError(option, dir, `${pseudo} is a pseudo file system, not a place for results`, 'give a folder on a disk, e.g. --out results/runs/mine');
  if (existsSync(existing) && !statSync(existing).isDirectory()) {
    const problem = existing === absolute ? 'is a file, not a folder' : `is under ${existing}, which is a file, not a folder`;
    throw new InputError(option, dir, problem, 'give a folder path (it is created when missing)');
  }
  try {
    mkdirSync(absolute, { recursive: true });
  } catch (error) {
    // A recursive mkdir on a read-only file system says ENOENT; asking the parent says why.
    let cause = error;
    try {
      accessSync(existing, constants.W_OK);
    } catch (denied) {
      cause = denied;
    }
    throw new InputError(option, dir, `cannot create the folder: ${describe(cause)}`, 'choose a folder you can write to');
  }
  const probe = path.join(absolute, `.authz-bench-write-test-${process.pid}`);
  try {
    writeFileSync(probe, 'ok\n');
  } catch (error) {
    throw new InputError(option, dir, `cannot write into the folder: ${describe(error)}`, 'choose a folder you can write to');
  } finally {
    try {
      rmSync(probe, { force: true });
    } catch {
      // nothing was created
    }
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOTDIR':
      return 'a part of the path is a file (ENOTDIR)';
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
