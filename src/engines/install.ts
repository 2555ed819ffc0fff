// `authz-bench engines install`: every engine's install recipe (its EngineDefinition and its
// components), run in
// turn. Go engines are built with `go install` into .engines/bin (GOBIN); npm-binary engines
// come with the project's dependencies; npm engines go into .engines/npm/<id>. Idempotent: an
// engine that already carries the pinned version is skipped. Versions are read from what was
// installed (Go build info, `--version`, package.json) and recorded in .engines/versions.json.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EngineComponent, InstallRecipe } from '../core/adapter.ts';
import { binaryPath, binDir, enginesDir, npmPrefix, packageDir, platformPackage, versionsFile } from './paths.ts';

export interface InstallOptions {
  log?: (message: string) => void;
  /** Reinstall even when the pinned version is present. */
  force?: boolean;
  /** A folder with already built Go binaries, copied when they carry the pinned version (quick start). Env: AUTHZ_BENCH_PREBUILT_BIN. */
  prebuiltDir?: string;
  /** The `go` command (default `go` on PATH). */
  go?: string;
}

export type InstallStatus = 'installed' | 'already-installed' | 'copied-prebuilt' | 'failed';

export interface InstallResult {
  id: string;
  pinned: string;
  status: InstallStatus;
  /** Version read after the step; absent when it failed. */
  version?: string;
  /** The binary or package folder. */
  location: string;
  seconds: number;
  message?: string;
}

export interface InstallReport {
  ok: boolean;
  enginesDir: string;
  results: InstallResult[];
}

/** Engines that have something to install (everything but embedded ones). */
export const installable = (definitions: readonly EngineComponent[]): EngineComponent[] => definitions.filter((d) => d.install.kind !== 'embedded');

/** The module version recorded in a Go binary's build info (`mod\t<module>\tv1.2.3`), without `v`. */
export function goModuleVersion(binary: string, module: string): string | undefined {
  let data: Buffer;
  try {
    data = readFileSync(binary);
  } catch {
    return undefined;
  }
  const needle = Buffer.from(`mod\t${module}\t`);
  const at = data.indexOf(needle);
  if (at < 0) return undefined;
  const rest = data.subarray(at + needle.length, at + needle.length + 64).toString('latin1');
  const m = /^v?([0-9][^\t\n]*)/.exec(rest);
  return m ? m[1] : undefined;
}

/** `<binary> --version` first line without a leading `v`, e.g. `0.55.0`. */
export function binaryVersion(binary: string): string | undefined {
  if (!existsSync(binary)) return undefined;
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const line = (r.stdout ?? '').split('\n')[0]?.trim();
  return r.status === 0 && line ? line.replace(/^v/, '') : undefined;
}

const packageName = (spec: string): string => spec.replace(/(.)@[^@]*$/, '$1');

/** Where the recipe's result is: the binary, or the first package's folder. */
export function installLocation(definition: EngineComponent): string {
  const recipe = definition.install;
  if (recipe.kind === 'npm') return packageDir(packageName(recipe.packages[0]!), definition.id) ?? npmPrefix(definition.id);
  return binaryPath(definition);
}

/** The version of what is installed for an engine, or undefined when it is absent. */
export function installedVersion(definition: EngineComponent): string | undefined {
  const recipe = definition.install;
  switch (recipe.kind) {
    case 'embedded':
      return definition.version;
    case 'go':
      return goModuleVersion(binaryPath(definition), recipe.goModule);
    case 'npm-binary':
      return binaryVersion(binaryPath(definition));
    case 'npm': {
      const dir = packageDir(packageName(recipe.packages[0]!), definition.id);
      if (!dir) return undefined;
      try {
        return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
      } catch {
        return undefined;
      }
    }
  }
}

/** `go` version as [major, minor], or undefined when Go is absent. */
export function goVersion(go = 'go'): [number, number] | undefined {
  const r = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', timeout: 30_000 });
  const m = r.status === 0 ? /go(\d+)\.(\d+)/.exec(r.stdout ?? '') : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

type Recorded = Record<string, { version: string; location: string; size?: number; installedAt: string; seconds?: number }>;

function readVersions(): Recorded {
  try {
    return JSON.parse(readFileSync(versionsFile(), 'utf8')) as Recorded;
  } catch {
    return {};
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => resolve({ code: -1, output: output + e.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const tail = (output: string) => output.trim().split('\n').slice(-20).join('\n');

type Outcome = Omit<InstallResult, 'id' | 'pinned' | 'location' | 'seconds'>;

interface RecipeContext {
  definition: EngineComponent;
  options: InstallOptions;
  log: (message: string) => void;
  goVersion: () => [number, number] | undefined;
}

async function installGo(recipe: Extract<InstallRecipe, { kind: 'go' }>, ctx: RecipeContext): Promise<Outcome> {
  const { definition, options } = ctx;
  const binary = binaryPath(definition);
  const prebuilt = options.prebuiltDir ?? process.env.AUTHZ_BENCH_PREBUILT_BIN;
  if (prebuilt && !options.force) {
    const candidate = path.join(prebuilt, recipe.binary);
    if (goModuleVersion(candidate, recipe.goModule) === definition.version) {
      copyFileSync(candidate, binary);
      return { status: 'copied-prebuilt', version: definition.version, message: `from ${candidate}` };
    }
  }
  // A server engine has other ways to run; a tool (a load generator, src/loadgen/) has none.
  const need = `install Go >= ${recipe.minGo.major}.${recipe.minGo.minor}${definition.image ? ', or use --launch container / --launch url' : ''}`;
  const go = ctx.goVersion();
  if (!go) return { status: 'failed', message: `Go not found (\`${options.go ?? 'go'}\`): ${need}` };
  const [major, minor] = go;
  if (major < recipe.minGo.major || (major === recipe.minGo.major && minor < recipe.minGo.minor)) return { status: 'failed', message: `Go ${major}.${minor} is too old: ${need}` };
  ctx.log(`engines: ${definition.id}: go install ${recipe.goPackage}@v${definition.version} (a few minutes on a cold build cache)...`);
  const r = await run(options.go ?? 'go', ['install', `${recipe.goPackage}@v${definition.version}`], { ...process.env, GOBIN: binDir() });
  const after = installedVersion(definition);
  if (r.code !== 0 || after !== definition.version) return { status: 'failed', message: `go install exited ${r.code}${after ? `, binary reports ${after}` : ''}:\n${tail(r.output)}` };
  return { status: 'installed', version: after };
}

function checkNpmBinary(recipe: Extract<InstallRecipe, { kind: 'npm-binary' }>, ctx: RecipeContext, current: string | undefined): Outcome {
  const pkg = platformPackage(recipe.packagePrefix);
  const { definition } = ctx;
  return {
    status: 'failed',
    message: current
      ? `${binaryPath(definition)} is ${definition.name} ${current}, pinned ${definition.version}: run \`npm i -E ${pkg}@${definition.version}\``
      : `${definition.name} binary not found at ${binaryPath(definition)}: the optional dependency ${pkg}@${definition.version} was not installed (run \`npm install\`; platform ${process.platform}/${process.arch}), or use --launch container / --launch url`,
  };
}

async function installNpm(recipe: Extract<InstallRecipe, { kind: 'npm' }>, ctx: RecipeContext): Promise<Outcome> {
  const prefix = npmPrefix(ctx.definition.id);
  mkdirSync(prefix, { recursive: true });
  ctx.log(`engines: ${ctx.definition.id}: npm install ${recipe.packages.join(' ')} into ${path.relative(process.cwd(), prefix) || prefix}...`);
  // engine-strict off: such packages are kept out of package.json for their `engines` field (README of the engine).
  const r = await run('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--engine-strict=false', '--loglevel=error', ...recipe.packages], process.env);
  const after = installedVersion(ctx.definition);
  if (r.code !== 0 || after !== ctx.definition.version) return { status: 'failed', message: `npm install exited ${r.code}${after ? `, package reports ${after}` : ''}:\n${tail(r.output)}` };
  return { status: 'installed', version: after };
}

export async function installEngines(definitions: readonly EngineComponent[], options: InstallOptions = {}): Promise<InstallReport> {
  const log = options.log ?? ((m: string) => console.error(m));
  mkdirSync(binDir(), { recursive: true });
  mkdirSync(path.join(enginesDir(), 'run'), { recursive: true });
  const recorded = readVersions();
  const results: InstallResult[] = [];
  let go: { version: [number, number] | undefined } | undefined;
  const goVersionOnce = () => {
    go ??= { version: goVersion(options.go) };
    return go.version;
  };

  // Go builds run side by side (each compiles on its own; together they use both cores).
  await Promise.all(
    installable(definitions).map(async (definition) => {
      const started = performance.now();
      const ctx: RecipeContext = { definition, options, log, goVersion: goVersionOnce };
      const current = options.force ? undefined : installedVersion(definition);
      let outcome: Outcome;
      const recipe = definition.install;
      if (current === definition.version) outcome = { status: 'already-installed', version: current };
      else if (recipe.kind === 'go') outcome = await installGo(recipe, ctx);
      else if (recipe.kind === 'npm') outcome = await installNpm(recipe, ctx);
      else if (recipe.kind === 'npm-binary') outcome = checkNpmBinary(recipe, ctx, current);
      else outcome = { status: 'already-installed', version: definition.version };
      const location = installLocation(definition);
      const result: InstallResult = { id: definition.id, pinned: definition.version, location, seconds: Math.round((performance.now() - started) / 100) / 10, ...outcome };
      results.push(result);
      if (result.version) {
        const size = existsSync(location) && statSync(location).isFile() ? statSync(location).size : undefined;
        recorded[definition.id] = { version: result.version, location, ...(size ? { size } : {}), installedAt: new Date().toISOString(), seconds: result.seconds };
      }
      const what = result.status === 'failed' ? `FAILED: ${result.message}` : `${result.status} ${definition.name} ${result.version} (${result.seconds} s)`;
      log(`engines: ${definition.id}: ${what}${result.status === 'failed' ? '' : ` -> ${path.relative(process.cwd(), location) || location}`}`);
    }),
  );

  writeFileSync(versionsFile(), `${JSON.stringify(recorded, null, 2)}\n`);
  const ok = results.every((r) => r.status !== 'failed');
  if (!ok) log('engines: some engines are not installed; runs skip them (see above)');
  return { ok, enginesDir: enginesDir(), results: results.sort((a, b) => a.id.localeCompare(b.id)) };
}
