// Finding and reading the files a scenario's `native.<engine>` block names. Paths are
// relative to the scenario file and confined: the file (after following links) must be
// inside the scenario's folder or inside a path the user allowed with `--allow-path`; it
// must be a regular file (not a device such as /dev/zero, a pipe or a socket) and at most
// MAX_NATIVE_FILE_BYTES long. Errors name the scenario, the key and the path, and never
// quote what the file holds.

import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { NativeSpec } from '../core/adapter.ts';
import { BoundedReadError, readBoundedFile } from '../core/bounded-read.ts';
import { InputError } from '../core/errors.ts';

/** Native policies and data are hand-written: far below this. */
export const MAX_NATIVE_FILE_BYTES = 16 * 1024 * 1024;
/** Files read from one native folder (Cerbos policies). */
export const MAX_NATIVE_FOLDER_FILES = 10_000;

const allowedRoots: string[] = [];

/** Paths outside scenario folders that native blocks may read (`--allow-path`); each must exist. */
export function allowNativePaths(paths: readonly string[]): void {
  for (const given of paths) {
    try {
      allowedRoots.push(realpathSync(path.resolve(given)));
    } catch {
      throw new InputError('--allow-path', given, 'no such file or folder', 'give an existing path');
    }
  }
}

/** For tests: forget the allowed paths. */
export function clearAllowedNativePaths(): void {
  allowedRoots.length = 0;
}

function inside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A path for messages: relative to the working directory when under it. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function where(engine: string, key: string): string {
  return `native.${engine}.${key}`;
}

/**
 * The real path of `file` once confinement is checked: inside the scenario's folder or an
 * allowed path, links followed. Throws InputError naming the key otherwise.
 */
export function confinedPath(native: NativeSpec, engine: string, key: string, file: string): string {
  const at = where(engine, key);
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      native.file,
      at,
      code === 'ENOENT' ? `file not found: ${shownPath(file)}` : `cannot read ${shownPath(file)} (${code ?? 'error'})`,
      'paths are relative to the scenario file',
    );
  }
  let base = path.resolve(native.baseDir);
  try {
    base = realpathSync(base);
  } catch {
    // the scenario's folder is gone: nothing is inside it
  }
  if (!inside(real, base) && !allowedRoots.some((root) => inside(real, root))) {
    throw new InputError(
      native.file,
      at,
      `${shownPath(file)} is outside the scenario's folder${real !== path.resolve(file) ? ` (it links to ${real})` : ''}`,
      'keep native files beside the scenario, or allow the path with --allow-path',
    );
  }
  return real;
}

/** The absolute path under `native.<engine>.<key>`; undefined when optional and absent. Confinement is checked when the file is read. */
export function nativePath(native: NativeSpec, engine: string, key: string, required: boolean, hint: string): string | undefined {
  const value = native.spec[key];
  const at = where(engine, key);
  if (value === undefined) {
    if (!required) return undefined;
    throw new InputError(native.file, at, `missing '${key}'`, hint);
  }
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw new InputError(native.file, at, `'${key}' must be a file path, got ${typeof value === 'string' ? 'an unusable path' : describeValue(value)}`);
  }
  return path.resolve(native.baseDir, value);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : typeof value;
}

/**
 * Problems with the paths a native block names, found before any engine starts (so a missing
 * or unconfined file is bad input, exit 2, not an engine's setup error): every string value is
 * a path relative to the scenario file; each must exist and be confined.
 */
export function nativePathProblems(native: NativeSpec, engine: string): InputError[] {
  const problems: InputError[] = [];
  for (const [key, value] of Object.entries(native.spec)) {
    if (typeof value !== 'string') continue;
    try {
      const file = nativePath(native, engine, key, true, '');
      if (file) confinedPath(native, engine, key, file);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error);
    }
  }
  return problems;
}

/** Reads a confined, regular, size-capped file as UTF-8 (synchronously: OPA's and Cerbos's loaders are). */
export function readNativeFileSync(native: NativeSpec, engine: string, key: string, file: string): string {
  const real = confinedPath(native, engine, key, file);
  try {
    return readBoundedFile(real, MAX_NATIVE_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    throw new InputError(native.file, where(engine, key), `${shownPath(file)} ${error.problem}`, error.fix);
  }
}

function tooLarge(native: NativeSpec, at: string, file: string, size: number): InputError {
  return new InputError(native.file, at, `${shownPath(file)} is ${size} bytes, over the limit of ${MAX_NATIVE_FILE_BYTES} bytes for native files`, 'split or trim it');
}

export async function readNativeFile(native: NativeSpec, engine: string, key: string, file: string): Promise<string> {
  return readNativeFileSync(native, engine, key, file);
}

/** A confined folder (Cerbos's policies): its real path and its files (relative, sorted), each confined and regular. */
export function nativeFolderFiles(native: NativeSpec, engine: string, key: string, folder: string, accept: (name: string) => boolean): { dir: string; files: string[] } {
  const dir = confinedPath(native, engine, key, folder);
  const at = where(engine, key);
  if (!statSync(dir).isDirectory()) throw new InputError(native.file, at, `${shownPath(folder)} is not a folder`, 'name the folder of policy files');
  const files: string[] = [];
  const visited = new Set<string>([dir]);
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      // Links are followed only where they stay confined (checked on read).
      const full = path.join(dir, child);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        const real = confinedPath(native, engine, key, full);
        if (visited.has(real)) continue; // a link back up the tree
        visited.add(real);
        walk(child);
      } else if (accept(entry.name)) {
        confinedPath(native, engine, key, full);
        if (!stat.isFile()) throw new InputError(native.file, at, `${shownPath(full)} is not a regular file (a device, pipe or socket)`, 'keep only policy files in the folder');
        if (stat.size > MAX_NATIVE_FILE_BYTES) throw tooLarge(native, at, full, stat.size);
        if (files.length >= MAX_NATIVE_FOLDER_FILES)
          throw new InputError(native.file, at, `${shownPath(folder)} holds more than ${MAX_NATIVE_FOLDER_FILES} policy files`, 'split the policies');
        files.push(child);
      }
    }
  };
  walk('');
  return { dir, files: files.sort() };
}
