// The project-local, git-ignored engine folder: .engines/{bin,run,versions.json}.
// AUTHZ_BENCH_ENGINES_DIR moves it (tests, shared CI caches).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/paths.ts';
import { ENGINE_PINS, type ServerEngineId } from './pins.ts';

export function enginesDir(): string {
  return process.env.AUTHZ_BENCH_ENGINES_DIR ? path.resolve(process.env.AUTHZ_BENCH_ENGINES_DIR) : path.join(PROJECT_ROOT, '.engines');
}
export const binDir = (): string => path.join(enginesDir(), 'bin');
/** Pid files of running engine processes (one per process, removed on stop). */
export const runDir = (): string => path.join(enginesDir(), 'run');
export const versionsFile = (): string => path.join(enginesDir(), 'versions.json');

/** The npm platform package for Cerbos on this machine, e.g. `@cerbos/cerbos-linux-x64`. */
export function cerbosPlatformPackage(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'darwin' ? 'darwin' : platform === 'linux' ? 'linux' : platform;
  const cpu = arch === 'x64' ? 'x64' : arch === 'arm64' ? 'arm64' : arch;
  return `${(ENGINE_PINS.cerbos.source as { packagePrefix: string }).packagePrefix}-${os}-${cpu}`;
}

/** Where an engine's binary is (whether or not it exists). Env override: AUTHZ_BENCH_<ID>_BIN. */
export function binaryPath(id: ServerEngineId): string {
  const override = process.env[`AUTHZ_BENCH_${id.toUpperCase()}_BIN`];
  if (override) return path.resolve(override);
  const source = ENGINE_PINS[id].source;
  if (source.kind === 'go') return path.join(binDir(), source.binary);
  const pkg = cerbosPlatformPackage();
  const binary = pkg.split('/')[1]!;
  try {
    const require = createRequire(path.join(PROJECT_ROOT, 'package.json'));
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), binary);
  } catch {
    return path.join(PROJECT_ROOT, 'node_modules', pkg, binary);
  }
}

export function isInstalled(id: ServerEngineId): boolean {
  return existsSync(binaryPath(id));
}
