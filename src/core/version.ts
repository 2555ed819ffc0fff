// The package's own version, from package.json (one source for --version, results and the reference engine).
import { readFileSync } from 'node:fs';
import { PACKAGE_FILE } from './paths.ts';

let version: string | undefined;

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(PACKAGE_FILE, 'utf8')) as { version?: string }).version ?? 'unknown';
  return version;
}
