// `authz-bench engines install`: pinned OpenFGA and OPA built with `go install` into
// .engines/bin (GOBIN), Cerbos from its npm platform package. Idempotent: an engine whose
// binary already carries the pinned version is skipped. Versions are read from the binary
// itself (Go build info, `cerbos --version`) and recorded in .engines/versions.json.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binaryPath, binDir, cerbosPlatformPackage, enginesDir, versionsFile } from './paths.ts';
import { ENGINE_PINS, MIN_GO, SERVER_ENGINE_IDS, type ServerEngineId } from './pins.ts';

export interface InstallOptions {
  log?: (message: string) => void;
  /** Default: all three. */
  engines?: readonly ServerEngineId[];
  /** Reinstall even when the pinned version is present. */
  force?: boolean;
  /** A folder with already built openfga/opa binaries, copied when they carry the pinned version (quick start). Env: AUTHZ_BENCH_PREBUILT_BIN. */
  prebuiltDir?: string;
  /** The `go` command (default `go` on PATH). */
  go?: string;
}

export type InstallStatus = 'installed' | 'already-installed' | 'copied-prebuilt' | 'failed';

export interface InstallResult {
  id: ServerEngineId;
  pinned: string;
  status: InstallStatus;
  /** Version read from the binary after the step; absent when it failed. */
  version?: string;
  binary: string;
  seconds: number;
  message?: string;
}

export interface InstallReport {
  ok: boolean;
  enginesDir: string;
  results: InstallResult[];
}

export const GO_MISSING = 'install Go >= 1.24, or use --launch container / --launch url';

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

/** `cerbos --version` first line, e.g. `0.55.0`. */
export function cerbosVersion(binary: string): string | undefined {
  if (!existsSync(binary)) return undefined;
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const line = (r.stdout ?? '').split('\n')[0]?.trim();
  return r.status === 0 && line ? line.replace(/^v/, '') : undefined;
}

/** The version of an installed engine binary, or undefined when it is absent. */
export function installedVersion(id: ServerEngineId, binary: string = binaryPath(id)): string | undefined {
  const source = ENGINE_PINS[id].source;
  if (!existsSync(binary)) return undefined;
  return source.kind === 'go' ? goModuleVersion(binary, source.goModule) : cerbosVersion(binary);
}

/** `go` version as [major, minor], or undefined when Go is absent. */
export function goVersion(go = 'go'): [number, number] | undefined {
  const r = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', timeout: 30_000 });
  const m = r.status === 0 ? /go(\d+)\.(\d+)/.exec(r.stdout ?? '') : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

type Recorded = Record<string, { version: string; binary: string; size: number; installedAt: string; seconds?: number }>;

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

export async function installEngines(options: InstallOptions = {}): Promise<InstallReport> {
  const log = options.log ?? ((m: string) => console.error(m));
  const go = options.go ?? 'go';
  const prebuilt = options.prebuiltDir ?? process.env.AUTHZ_BENCH_PREBUILT_BIN;
  mkdirSync(binDir(), { recursive: true });
  mkdirSync(path.join(enginesDir(), 'run'), { recursive: true });
  const recorded = readVersions();
  const results: InstallResult[] = [];
  let goChecked: [number, number] | undefined | null = null;

  for (const id of options.engines ?? SERVER_ENGINE_IDS) {
    const pin = ENGINE_PINS[id];
    const binary = binaryPath(id);
    const started = performance.now();
    const seconds = () => Math.round((performance.now() - started) / 100) / 10;
    const done = (r: Omit<InstallResult, 'id' | 'pinned' | 'binary' | 'seconds'>): void => {
      const result: InstallResult = { id, pinned: pin.version, binary, seconds: seconds(), ...r };
      results.push(result);
      if (result.version) recorded[id] = { version: result.version, binary, size: statSync(binary).size, installedAt: new Date().toISOString(), seconds: result.seconds };
      const what = result.status === 'failed' ? `FAILED: ${result.message}` : `${result.status} ${pin.name} ${result.version} (${result.seconds} s)`;
      log(`engines: ${id}: ${what}${result.status === 'failed' ? '' : ` -> ${path.relative(process.cwd(), binary) || binary}`}`);
    };

    const current = options.force ? undefined : installedVersion(id, binary);
    if (current === pin.version) {
      done({ status: 'already-installed', version: current });
      continue;
    }

    if (pin.source.kind === 'npm') {
      const pkg = cerbosPlatformPackage();
      done({
        status: 'failed',
        message: current
          ? `${binary} is Cerbos ${current}, pinned ${pin.version}: run \`npm i -E ${pkg}@${pin.version}\``
          : `Cerbos binary not found at ${binary}: the optional dependency ${pkg}@${pin.version} was not installed (run \`npm install\`; platform ${process.platform}/${process.arch}), or use --launch container / --launch url`,
      });
      continue;
    }

    const source = pin.source;
    if (prebuilt && !options.force) {
      const candidate = path.join(prebuilt, source.binary);
      if (goModuleVersion(candidate, source.goModule) === pin.version) {
        copyFileSync(candidate, binary);
        done({ status: 'copied-prebuilt', version: pin.version, message: `from ${candidate}` });
        continue;
      }
    }

    if (goChecked === null) goChecked = goVersion(go);
    if (!goChecked) {
      done({ status: 'failed', message: `Go not found (\`${go}\`): ${GO_MISSING}` });
      continue;
    }
    const [major, minor] = goChecked;
    if (major < MIN_GO.major || (major === MIN_GO.major && minor < MIN_GO.minor)) {
      done({ status: 'failed', message: `Go ${major}.${minor} is too old: ${GO_MISSING}` });
      continue;
    }
    log(`engines: ${id}: go install ${source.goPackage}@v${pin.version} (a few minutes on a cold build cache)...`);
    const env = { ...process.env, GOBIN: binDir() };
    const r = await run(go, ['install', `${source.goPackage}@v${pin.version}`], env);
    const after = installedVersion(id, binary);
    if (r.code !== 0 || after !== pin.version) {
      done({ status: 'failed', message: `go install exited ${r.code}${after ? `, binary reports ${after}` : ''}:\n${r.output.trim().split('\n').slice(-20).join('\n')}` });
      continue;
    }
    done({ status: 'installed', version: after });
  }

  writeFileSync(versionsFile(), JSON.stringify(recorded, null, 2) + '\n');
  const ok = results.every((r) => r.status !== 'failed');
  if (!ok) log(`engines: some engines are not installed; benchmarks skip them (see above)`);
  return { ok, enginesDir: enginesDir(), results };
}
