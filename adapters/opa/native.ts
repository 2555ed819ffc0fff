// Native mode for OPA: a scenario's own Rego policy and JSON data (its `native.opa` block)
// loaded as they are, instead of the neutral model's translation (README.md, "Native mode").
//
//   native:
//     opa: {policy: x.native/opa/policy.rego, data: x.native/opa/data.json, dataPath: native}
//
// `policy` (required): one Rego v1 module, `package authzbench`, with the boolean rule `allow`
// over the AuthZEN input {subject, action, resource, context} (checks POST
// /v1/data/authzbench/allow). `data` (optional): a JSON file PUT at /v1/data/<dataPath>
// (`dataPath` default `native`, so the policy reads `data.native`).

import path from 'node:path';
import type { Dispatcher } from 'undici';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { readNativeFileSync } from '../../src/scenario/native-files.ts';

export const NATIVE_KEYS = ['policy', 'data', 'dataPath'] as const;
export const DEFAULT_NATIVE_DATA_PATH = 'native';
/** The package checks query (`/v1/data/authzbench/allow`) and the policy id it is PUT under. */
export const NATIVE_PACKAGE = 'authzbench';

export interface NativeFiles {
  policy: { file: string; text: string };
  data?: { file: string; value: unknown };
  /** Slash-separated path under /v1/data, e.g. `native` or `acme/facts`. */
  dataPath: string;
}

/** A raw HTTP exchange with the OPA server: status and body text, never throws on status. */
export type OpaSend = (method: Dispatcher.HttpMethod, pathname: string, body?: string, contentType?: string) => Promise<{ status: number; text: string }>;

/** A path for messages: relative to the working directory when under it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Reads and checks the `native.opa` block's files; every error names the scenario, the key and the file. */
export function readNativeFiles(native: NativeSpec): NativeFiles {
  const where = `${shown(native.file)}: native.opa`;
  const spec = native.spec ?? {};
  if (typeof spec !== 'object' || Array.isArray(spec)) throw new Error(`${where} must be a map with keys ${NATIVE_KEYS.join(', ')}`);
  const unknown = Object.keys(spec).filter((k) => !(NATIVE_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`${where}: unknown key(s) ${unknown.join(', ')} (expected ${NATIVE_KEYS.join(', ')})`);
  const stringKey = (key: (typeof NATIVE_KEYS)[number], required: boolean): string | undefined => {
    const value = spec[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      throw new Error(`${where}.${key} must be ${key === 'dataPath' ? 'a data path such as "native"' : 'a file path relative to the scenario file'}`);
    return value;
  };
  const read = (key: string, relative: string): { file: string; text: string } => {
    const file = path.resolve(native.baseDir, relative);
    return { file, text: readNativeFileSync(native, 'opa', key, file) };
  };

  const policy = read('policy', stringKey('policy', true)!);
  const dataFile = stringKey('data', false);
  let data: NativeFiles['data'];
  if (dataFile !== undefined) {
    const { file, text } = read('data', dataFile);
    try {
      data = { file, value: JSON.parse(text) as unknown };
    } catch (error) {
      throw new Error(`${where}.data: ${shown(file)} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const rawPath = stringKey('dataPath', false) ?? DEFAULT_NATIVE_DATA_PATH;
  const segments = rawPath
    .replace(/^data\./, '')
    .split(/[./]/)
    .filter(Boolean);
  if (segments.length === 0 || segments.some((s) => !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s))) {
    throw new Error(`${where}.dataPath: '${rawPath}' is not a data path (e.g. native or acme.facts)`);
  }
  if (segments[0] === NATIVE_PACKAGE) {
    throw new Error(`${where}.dataPath: '${rawPath}' is under data.${NATIVE_PACKAGE}, the policy's own package; use another path (e.g. native)`);
  }
  return { policy, ...(data ? { data } : {}), dataPath: segments.join('/') };
}

interface OpaError {
  code?: string;
  message?: string;
  errors?: { code?: string; message?: string; location?: { file?: string; row?: number; col?: number } }[];
}

/** OPA's error body as lines, with OPA's module id replaced by the real file. */
function describeOpaError(status: number, text: string, moduleFile: string): string {
  let body: OpaError;
  try {
    body = JSON.parse(text) as OpaError;
  } catch {
    return `HTTP ${status}: ${text.slice(0, 2000)}`;
  }
  const file = shown(moduleFile);
  const details = (body.errors ?? []).map((e) => {
    const at = e.location ? `${file}:${e.location.row ?? '?'}:${e.location.col ?? '?'}: ` : '';
    return `${at}${e.code ?? 'error'}: ${e.message ?? ''}`;
  });
  // Conflicts found on a data PUT name the module as `<id>:<row>`.
  const message = (body.message ?? '').replaceAll(`${NATIVE_PACKAGE}:`, `${file}:`);
  return details.length ? details.join('; ') : `${body.code ?? `HTTP ${status}`}: ${message}`;
}

/** The module's package path (`authzbench`) and whether it defines `allow`, from OPA's AST. */
function moduleShape(ast: unknown): { pkg: string; hasAllow: boolean } {
  const module = ast as { package?: { path?: { value?: unknown }[] }; rules?: { head?: { name?: string; ref?: { value?: unknown }[] } }[] };
  const pkg = (module.package?.path ?? [])
    .slice(1)
    .map((t) => String(t.value))
    .join('.');
  const hasAllow = (module.rules ?? []).some((r) => r.head?.name === 'allow' || (r.head?.ref?.length === 1 && r.head.ref[0]?.value === 'allow'));
  return { pkg, hasAllow };
}

/**
 * Loads the native policy and data into OPA: removes what an earlier load left
 * (`previousDataPath`, and the translated model's data.authzbench), PUTs the module as policy
 * `authzbench` (replacing the translated one), checks its package and `allow` rule, then PUTs
 * the data. Returns the data path used, for the next load to clear.
 */
export async function loadNativeOpa(native: NativeSpec, send: OpaSend, previousDataPath?: string): Promise<NativeFiles> {
  const files = readNativeFiles(native);
  const policyFile = shown(files.policy.file);

  for (const stale of new Set([NATIVE_PACKAGE, previousDataPath ?? files.dataPath, files.dataPath])) {
    const { status, text } = await send('DELETE', `/v1/data/${stale}`);
    if (status >= 300 && status !== 404) throw new Error(`OPA: cannot clear data.${stale.replaceAll('/', '.')} before loading native data: HTTP ${status}: ${text.slice(0, 500)}`);
  }

  const put = await send('PUT', `/v1/policies/${NATIVE_PACKAGE}`, files.policy.text, 'text/plain');
  if (put.status >= 300) throw new Error(`native opa policy ${policyFile}: OPA rejected it: ${describeOpaError(put.status, put.text, files.policy.file)}`);

  const got = await send('GET', `/v1/policies/${NATIVE_PACKAGE}`);
  if (got.status < 300) {
    const { pkg, hasAllow } = moduleShape((JSON.parse(got.text) as { result?: { ast?: unknown } }).result?.ast);
    const problems = [
      ...(pkg !== NATIVE_PACKAGE ? [`its package is '${pkg || '?'}', but checks query data.${NATIVE_PACKAGE}.allow: write 'package ${NATIVE_PACKAGE}'`] : []),
      ...(!hasAllow ? [`it defines no rule 'allow' (checks query data.${NATIVE_PACKAGE}.allow, a boolean)`] : []),
    ];
    if (problems.length) {
      // Leave no half-loaded policy behind.
      await send('DELETE', `/v1/policies/${NATIVE_PACKAGE}`);
      throw new Error(`native opa policy ${policyFile}: ${problems.join('; ')}`);
    }
  }

  if (files.data) {
    const { status, text } = await send('PUT', `/v1/data/${files.dataPath}`, JSON.stringify(files.data.value), 'application/json');
    if (status >= 300) {
      throw new Error(`native opa data ${shown(files.data.file)} (at data.${files.dataPath.replaceAll('/', '.')}): OPA rejected it: ${describeOpaError(status, text, files.policy.file)}`);
    }
  }
  return files;
}
