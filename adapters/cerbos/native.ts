// Cerbos native mode: a scenario's `native.cerbos` block gives hand-written Cerbos policies and
// the attributes the application would send, instead of the neutral model and relationships.
//
//   native:
//     cerbos: {policies: <folder of Cerbos policy YAML files>, attributes: <YAML file>}
//
// attributes file:
//   principals: {<principal id>: {<attr>: <value>, ...}}      roles are the subject type
//   resources:  {"<type>:<id>": {<attr>: <value>, ...}}
//
// Loading: `cerbos compile --skip-tests` on the folder first (when the binary is at hand: errors
// name the file, line and column), then the same store as translated policies: the disk store's
// watched folder (cleared, then the native files copied in, derived roles and other files before
// resource policies) or the Admin API (addOrUpdatePolicies). Every copied resource policy gets one
// extra rule for the probe role and a per-load probe action, so the adapter can tell when Cerbos
// serves this load (the policies' own versions and scopes are kept). Checks then send the
// principal's and resource's static attributes (plus the request's properties, and its context
// as `ctx`) instead of the resolver's.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { GRPC } from '@cerbos/grpc';
import type { Policy } from '@cerbos/core';
import { parse, stringify } from 'yaml';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { confinedPath, nativeFolderFiles, readNativeFileSync } from '../../src/scenario/native-files.ts';
import type { ResolvedAttributes } from './resolver.ts';
import { PROBE_ACTION, PROBE_ROLE } from './translate.ts';

type JsonMap = Record<string, unknown>;

/** What checks need after a native load. */
export interface NativeState {
  /** The attributes file, for messages. */
  attributesFile?: string;
  principals: Map<string, JsonMap>;
  resources: Map<string, JsonMap>;
  /** Resource kind -> the version and scope of its resource policy (sent with each check). */
  policies: Map<string, { version: string; scope?: string }>;
}

export interface NativeTarget {
  cerbos: GRPC;
  /** The disk store's watched folder; undefined: use the Admin API. */
  policyDir?: string;
  admin: boolean;
  /** Unique per load, e.g. `m3`: names this load's probe action. */
  load: string;
  timeoutMs?: number;
  /** The cerbos binary, for `cerbos compile` of the native policies. */
  binary: string;
}

interface PolicyFile {
  /** Path relative to the policies folder. */
  rel: string;
  abs: string;
  doc: JsonMap;
}

function where(key: string): string {
  return `native.cerbos.${key}`;
}

function resolvePath(native: NativeSpec, key: string, kind: 'file' | 'folder'): string {
  const value = native.spec[key];
  if (value === undefined) throw new Error(`${native.file}: ${where(key)}: missing '${key}' (the ${kind === 'folder' ? 'folder of Cerbos policy files' : 'attributes YAML file'})`);
  if (typeof value !== 'string' || value === '') throw new Error(`${native.file}: ${where(key)}: expected a path relative to ${native.baseDir}, got ${JSON.stringify(value)}`);
  const abs = confinedPath(native, 'cerbos', key, path.resolve(native.baseDir, value));
  const isDir = statSync(abs).isDirectory();
  if (kind === 'folder' && !isDir) throw new Error(`${where(key)}: not a folder: ${abs}`);
  if (kind === 'file' && isDir) throw new Error(`${where(key)}: a folder, expected a file: ${abs}`);
  return abs;
}

/** Every file under the confined policies folder `dir` (relative paths, sorted; each confined, regular and size-capped). */
function listFiles(native: NativeSpec, dir: string): string[] {
  return nativeFolderFiles(native, 'cerbos', 'policies', dir, () => true).files;
}

const isPolicyFile = (rel: string) => /\.(ya?ml|json)$/.test(rel) && !/(^|\/)(testdata|_schemas)(\/|$)/.test(rel) && !/_test\.(ya?ml|json)$/.test(rel);

/** Runs `cerbos compile` on the folder; throws with every error (file, line, column, message). Skipped when there is no local binary. */
export function compileNativePolicies(dir: string, binary: string): void {
  if (!existsSync(binary)) return;
  const out = spawnSync(binary, ['compile', '--skip-tests', '--output=json', '--no-color', dir], { encoding: 'utf8', timeout: 60_000 });
  if (out.status === 0) return;
  const problems: string[] = [];
  try {
    const report = JSON.parse(out.stdout) as {
      lintErrors?: Record<
        string,
        { file?: string; error?: string; description?: string; error_details?: { position?: { line?: number; column?: number } }; position?: { line?: number; column?: number } }[]
      >;
      compileErrors?: { errors?: { file?: string; error?: string; description?: string; position?: { line?: number; column?: number } }[] };
    };
    for (const [kind, list] of Object.entries(report.lintErrors ?? {})) {
      for (const e of Array.isArray(list) ? list : []) {
        const pos = e.error_details?.position ?? e.position;
        problems.push(
          `${path.join(dir, e.file ?? '?')}${pos?.line ? `:${pos.line}:${pos.column ?? 0}` : ''}: ${e.error ?? kind}${e.description && e.description !== e.error ? `: ${e.description}` : ''} (${kind.replace(/_/g, ' ')})`,
        );
      }
    }
    for (const e of report.compileErrors?.errors ?? []) {
      const pos = e.position;
      problems.push(`${path.join(dir, e.file ?? '?')}${pos?.line ? `:${pos.line}:${pos.column ?? 0}` : ''}: ${e.error ?? 'compile error'}${e.description ? `: ${e.description}` : ''}`);
    }
  } catch {
    // not JSON: fall back to the text below
  }
  const text = problems.length ? problems.join('\n') : `${out.stdout}${out.stderr}`.trim() || `exit code ${out.status}${out.error ? ` (${out.error.message})` : ''}`;
  throw new Error(`Cerbos rejected the native policies in ${dir}:\n${text}`);
}

function readPolicies(native: NativeSpec, dir: string): { files: PolicyFile[]; others: string[] } {
  const files: PolicyFile[] = [];
  const others: string[] = [];
  for (const rel of listFiles(native, dir)) {
    if (!isPolicyFile(rel)) {
      others.push(rel);
      continue;
    }
    const abs = path.join(dir, rel);
    let doc: unknown;
    try {
      doc = parse(readNativeFileSync(native, 'cerbos', 'policies', abs));
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new Error(`${abs}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${abs}: expected a Cerbos policy (a mapping with apiVersion and one policy kind)`);
    files.push({ rel, abs, doc: doc as JsonMap });
  }
  if (!files.some((f) => f.doc.resourcePolicy)) throw new Error(`native.cerbos.policies: no resource policy (resourcePolicy) in ${dir}`);
  return { files, others };
}

function readAttributes(native: NativeSpec, file: string): Pick<NativeState, 'principals' | 'resources'> {
  let doc: unknown;
  try {
    doc = parse(readNativeFileSync(native, 'cerbos', 'attributes', file));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new Error(`${file}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a mapping with 'principals' and/or 'resources'`);
  const root = doc as JsonMap;
  for (const key of Object.keys(root)) {
    if (key !== 'principals' && key !== 'resources') throw new Error(`${file}: unknown key '${key}' (expected 'principals' and 'resources')`);
  }
  const section = (key: 'principals' | 'resources'): Map<string, JsonMap> => {
    const value = root[key] ?? {};
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error(`${file} at ${key}: expected a mapping of ${key === 'principals' ? 'principal id' : '"type:id"'} to attributes`);
    const out = new Map<string, JsonMap>();
    for (const [id, attrs] of Object.entries(value as JsonMap)) {
      if (key === 'resources' && !/^[^:]+:.+$/.test(id)) throw new Error(`${file} at resources.${id}: expected a "type:id" key, e.g. "document:d1"`);
      const a = attrs ?? {};
      if (typeof a !== 'object' || Array.isArray(a)) throw new Error(`${file} at ${key}.${id}: expected a mapping of attribute names to values, got ${JSON.stringify(attrs)}`);
      out.set(id, a as JsonMap);
    }
    return out;
  };
  return { principals: section('principals'), resources: section('resources') };
}

const probeAction = (load: string) => `${PROBE_ACTION}${load}`;

/** The resource policy with the per-load probe rule added (the policy's own rules untouched). */
function withProbe(doc: JsonMap, load: string): JsonMap {
  const rp = doc.resourcePolicy as JsonMap;
  const rules = Array.isArray(rp.rules) ? rp.rules : [];
  return { ...doc, resourcePolicy: { ...rp, rules: [...rules, { name: 'authzbench_probe', actions: [probeAction(load)], effect: 'EFFECT_ALLOW', roles: [PROBE_ROLE] }] } };
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Empties a policy folder (contents only: the watcher keeps watching it). */
export function clearPolicyDir(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Loads the native policies into Cerbos and reads the attributes; resolves once Cerbos serves every resource policy of this load. */
export async function loadNativeCerbos(native: NativeSpec, target: NativeTarget): Promise<NativeState> {
  const policiesDir = resolvePath(native, 'policies', 'folder');
  const attributesFile = native.spec.attributes === undefined ? undefined : resolvePath(native, 'attributes', 'file');
  for (const key of Object.keys(native.spec)) {
    if (key !== 'policies' && key !== 'attributes') throw new Error(`${native.file}: native.cerbos: unknown key '${key}' (expected 'policies' and 'attributes')`);
  }
  // Every file is confined and checked before Cerbos itself reads the folder.
  listFiles(native, policiesDir);
  compileNativePolicies(policiesDir, target.binary);
  const { files, others } = readPolicies(native, policiesDir);
  const attributes = attributesFile ? readAttributes(native, attributesFile) : { principals: new Map<string, JsonMap>(), resources: new Map<string, JsonMap>() };

  const policies = new Map<string, { version: string; scope?: string }>();
  const probes: { kind: string; version: string; scope?: string }[] = [];
  for (const f of files) {
    const rp = f.doc.resourcePolicy as JsonMap | undefined;
    if (!rp) continue;
    const kind = String(rp.resource ?? '');
    const version = typeof rp.version === 'string' && rp.version ? rp.version : 'default';
    const scope = typeof rp.scope === 'string' && rp.scope ? rp.scope : undefined;
    probes.push({ kind, version, ...(scope ? { scope } : {}) });
    const known = policies.get(kind);
    // One version/scope per kind is sent with checks: the unscoped `default` one when there are several.
    if (!known || (version === 'default' && !scope)) policies.set(kind, { version, ...(scope ? { scope } : {}) });
  }
  const served = (f: PolicyFile) => (f.doc.resourcePolicy ? withProbe(f.doc, target.load) : f.doc);

  const writeResourcePolicies = () => {
    for (const f of files) if (f.doc.resourcePolicy) writeAtomic(path.join(target.policyDir!, f.rel), stringify(served(f), { lineWidth: 0 }));
  };
  if (target.policyDir) {
    clearPolicyDir(target.policyDir);
    mkdirSync(target.policyDir, { recursive: true });
    // Dependencies (derived roles, exported variables, schemas) first: the watcher rejects a
    // resource policy whose imports it has not loaded yet.
    for (const rel of others) {
      mkdirSync(path.dirname(path.join(target.policyDir, rel)), { recursive: true });
      copyFileSync(path.join(policiesDir, rel), path.join(target.policyDir, rel));
    }
    for (const f of files) if (!f.doc.resourcePolicy) writeAtomic(path.join(target.policyDir, f.rel), stringify(f.doc, { lineWidth: 0 }));
    writeResourcePolicies();
  } else if (target.admin) {
    try {
      await target.cerbos.addOrUpdatePolicies({ policies: files.map(served) as unknown as Policy[] });
    } catch (error) {
      throw new Error(`Cerbos rejected the native policies in ${policiesDir}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    throw new Error('Cerbos: no policy directory and no admin API to load native policies into');
  }
  await waitForProbes(target, probes, policiesDir, target.policyDir ? writeResourcePolicies : undefined);
  return { ...(attributesFile ? { attributesFile } : {}), ...attributes, policies };
}

/** Polls until every resource policy of this load is served; in the disk store, rewrites the resource policies every 5 s meanwhile (watcher ordering). */
async function waitForProbes(target: NativeTarget, probes: { kind: string; version: string; scope?: string }[], dir: string, rewrite?: () => void): Promise<void> {
  const timeoutMs = target.timeoutMs ?? 30_000;
  const start = Date.now();
  let rewritten = start;
  const action = probeAction(target.load);
  let last = '';
  for (;;) {
    try {
      const response = await target.cerbos.checkResources({
        principal: { id: PROBE_ROLE, roles: [PROBE_ROLE] },
        resources: probes.map((p, i) => ({ resource: { kind: p.kind, id: `probe${i}`, policyVersion: p.version, ...(p.scope ? { scope: p.scope } : {}), attr: {} }, actions: [action] })),
      });
      const waiting = response.results.filter((r) => r.actions[action] !== 'EFFECT_ALLOW').map((r) => r.resource.kind);
      if (waiting.length === 0) return;
      last = `not yet served: ${waiting.join(', ')}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() - start > timeoutMs) throw new Error(`Cerbos did not serve the native policies in ${dir} within ${timeoutMs} ms (${last}); see the engine log`);
    if (rewrite && Date.now() - rewritten > 5_000) {
      rewrite();
      rewritten = Date.now();
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The static attributes for one request (in place of the resolver's). */
export function nativeAttributes(state: NativeState, request: CheckRequest): ResolvedAttributes {
  const { subject, resource } = request;
  return {
    principal: { id: subject.id, roles: [subject.type], attr: { ...(state.principals.get(subject.id) ?? {}), ...(subject.properties ?? {}) } },
    resource: {
      kind: resource.type,
      id: resource.id,
      attr: { ...(state.resources.get(`${resource.type}:${resource.id}`) ?? {}), ...(resource.properties ?? {}), ...(request.context ? { ctx: request.context } : {}) },
    },
  };
}
