// Finding and reading the files a scenario's `native.<engine>` block names: paths are
// relative to the scenario file, and errors name the scenario, the key and the file.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NativeSpec } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';

/** The absolute path under `native.<engine>.<key>`; undefined when optional and absent. */
export function nativePath(native: NativeSpec, engine: string, key: string, required: boolean, hint: string): string | undefined {
  const value = native.spec[key];
  const at = `native.${engine}.${key}`;
  if (value === undefined) {
    if (!required) return undefined;
    throw new InputError(native.file, at, `missing '${key}'`, hint);
  }
  if (typeof value !== 'string' || value === '') throw new InputError(native.file, at, `'${key}' must be a file path, got ${JSON.stringify(value)}`);
  return path.resolve(native.baseDir, value);
}

export async function readNativeFile(native: NativeSpec, engine: string, key: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? `file not found: ${file}` : code === 'EISDIR' ? `${file} is a folder, not a file` : `cannot read ${file}: ${(error as Error).message}`;
    throw new InputError(native.file, `native.${engine}.${key}`, problem, 'paths are relative to the scenario file');
  }
}
