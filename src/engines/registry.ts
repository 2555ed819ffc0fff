// Finds engines by folder: every adapters/<id>/index.ts (index.js compiled) default-exports an EngineDefinition.
// Adding an engine edits no central list. The registry also turns what the user wrote
// (`--engine opa[nolog]`, `--engine openfga=URL`, `--set key=value`) into engines to run,
// each with its own id.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineAdapter, EngineComponent, EngineDefinition } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';
import { ADAPTERS_DIR, MODULE_EXTENSION } from '../core/paths.ts';
import { didYouMean } from '../core/suggest.ts';
import { safeUrl } from './launch.ts';

/** An engine folder's entry: index.ts in the sources, index.js in the compiled package. */
const ENTRY = `index${MODULE_EXTENSION}`;

let cached: Promise<EngineDefinition[]> | undefined;

/** Every engine folder's definition; `first` ones (the reference engine) first, then by id. */
export function loadEngineDefinitions(): Promise<EngineDefinition[]> {
  cached ??= (async () => {
    const ids = readdirSync(ADAPTERS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(ADAPTERS_DIR, d.name, ENTRY)))
      .map((d) => d.name);
    const definitions = await Promise.all(ids.map(async (id) => (await import(pathToFileURL(path.join(ADAPTERS_DIR, id, ENTRY)).href)).default as EngineDefinition));
    return definitions.sort((a, b) => Number(!!b.first) - Number(!!a.first) || a.id.localeCompare(b.id));
  })();
  return cached;
}

/** Everything `engines install` installs: each engine and its components. */
export function installUnits(definitions: readonly EngineDefinition[]): EngineComponent[] {
  return definitions.flatMap((d) => [{ id: d.id, name: d.name, version: d.version, install: d.install, ...(d.image ? { image: d.image } : {}) }, ...(d.components ?? [])]);
}

/** One engine to run: `openfga`, `openfga[cache]`, or `openfga=http://host:8080` (url launch). */
export interface EngineSpec {
  definition: EngineDefinition;
  configuration?: string;
  url?: string;
  /** The id results use: `opa`, `opa[nolog]`; `opa#2` for a second engine of the same name. */
  id: string;
  /** As the user wrote it, for messages. */
  text: string;
}

/** `id` or `id[configuration]`: the name of an engine configuration. */
export const engineId = (definitionId: string, configuration?: string): string => (configuration ? `${definitionId}[${configuration}]` : definitionId);

const SPEC = /^([a-z0-9-]+)(?:\[([a-z0-9-]+)\])?(?:=(.+))?$/;

export async function resolveEngineSpecs(texts: string[]): Promise<EngineSpec[]> {
  const definitions = await loadEngineDefinitions();
  const known = () => definitions.flatMap((d) => [d.id, ...Object.keys(d.configurations ?? {}).map((c) => engineId(d.id, c))]).join(', ');
  const wanted: Omit<EngineSpec, 'id'>[] = [];
  for (const text of texts
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean)) {
    if (text === 'all') {
      for (const definition of definitions.filter((d) => (d.role ?? 'engine') === 'engine')) {
        wanted.push({ definition, text: definition.id });
        for (const configuration of Object.keys(definition.configurations ?? {})) wanted.push({ definition, configuration, text: engineId(definition.id, configuration) });
      }
      continue;
    }
    const m = SPEC.exec(text);
    const definition = m && definitions.find((d) => d.id === m[1]);
    if (!m || !definition) throw new InputError('--engine', text, 'unknown engine', `${didYouMean(text, ['all', ...definitions.map((d) => d.id)])}use one of: all, ${known()}`);
    if (m[2] && !Object.hasOwn(definition.configurations ?? {}, m[2])) {
      throw new InputError('--engine', text, `engine '${definition.id}' has no configuration '${m[2]}'`, `use one of: ${known()}`);
    }
    if (m[3]) checkEngineUrl(definition, m[3], text);
    wanted.push({ definition, text, ...(m[2] ? { configuration: m[2] } : {}), ...(m[3] ? { url: m[3] } : {}) });
  }
  // The same engine twice (e.g. one by URL, one local) gets `#2`, `#3`: results are keyed by id.
  const seen = new Map<string, number>();
  return wanted.map((w) => {
    const base = engineId(w.definition.id, w.configuration);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { ...w, id: n === 1 ? base : `${base}#${n}` };
  });
}

/**
 * `--engine id=URL`: an http(s) URL with no credentials in it (those come from the environment:
 * AUTHZ_BENCH_<ID>_TOKEN), for an engine that is reached over the network at all.
 */
function checkEngineUrl(definition: EngineDefinition, url: string, text: string): void {
  const base = (() => {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/$/, '');
    } catch {
      return safeUrl(url);
    }
  })();
  const where = text.replace(url, base);
  if (definition.install.kind === 'embedded' && definition.role !== 'remote') {
    throw new InputError('--engine', where, `${definition.id} runs in this process; it has no URL`, `use --engine ${definition.id}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('--engine', where, 'not a URL', `e.g. --engine ${definition.id}=http://127.0.0.1:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InputError('--engine', where, `unsupported scheme '${parsed.protocol}'`, 'use http:// or https://');
  if (parsed.username || parsed.password) {
    throw new InputError(
      '--engine',
      where,
      'credentials in the URL are not used (and never recorded)',
      `give a bearer token in AUTHZ_BENCH_${definition.id.toUpperCase().replace(/-/g, '_')}_TOKEN`,
    );
  }
  if (parsed.search || parsed.hash) throw new InputError('--engine', where, 'a query or fragment in the engine URL is not used', 'give the base URL only, e.g. http://host:8080');
}

/** The engine's adapter, with the spec's id. */
export function createEngine(spec: Pick<EngineSpec, 'definition' | 'configuration' | 'id'>): EngineAdapter {
  const adapter = spec.definition.create(spec.configuration);
  return { ...adapter, id: spec.id, definitionId: spec.definition.id, info: () => ({ id: spec.id, ...adapter.info() }) };
}

/**
 * Splits `--set` options per engine. `key=value` goes to every chosen engine that declares the
 * key and accepts the value; `id.key=value` to that engine only (for engines that declare the
 * same key with other values, e.g. `spicedb.consistency=fully_consistent`). A key no chosen
 * engine declares, or a value none of them accepts, is an input error that lists the valid ones.
 */
export function settingsFor(specs: readonly EngineSpec[], settings: Record<string, string>): Map<EngineSpec, Record<string, string>> {
  const declared = (spec: EngineSpec) => spec.definition.settings ?? {};
  const accepts = (spec: EngineSpec, key: string, value: string) => {
    const setting = declared(spec)[key];
    return (!setting?.values || setting.values.includes(value)) && (!setting?.form || setting.form.pattern.test(value));
  };
  const out = new Map(specs.map((s) => [s, {} as Record<string, string>]));
  for (const [written, value] of Object.entries(settings)) {
    const dot = written.indexOf('.');
    const scope = dot > 0 ? written.slice(0, dot) : undefined;
    const key = dot > 0 ? written.slice(dot + 1) : written;
    const inScope = (s: EngineSpec) => scope === undefined || s.definition.id === scope || s.id === scope;
    const candidates = specs.filter((s) => inScope(s) && Object.hasOwn(declared(s), key));
    if (candidates.length === 0) {
      const valid = [...new Set(specs.flatMap((s) => Object.entries(declared(s)).map(([k, d]) => `${k} (${s.definition.id}: ${d.description})`)))];
      const why = scope !== undefined && !specs.some(inScope) ? `no chosen engine is '${scope}'` : 'no chosen engine has this option';
      throw new InputError('--set', `${written}=${value}`, why, valid.length > 0 ? `use one of: ${valid.join('; ')}` : 'the chosen engines take no --set options');
    }
    const owners = candidates.filter((s) => accepts(s, key, value));
    if (owners.length === 0) {
      const values = [...new Set(candidates.flatMap((s) => declared(s)[key]!.values ?? []))];
      const examples = [...new Set(candidates.flatMap((s) => declared(s)[key]!.form?.example ?? []))];
      const fix = values.length > 0 ? `use one of: ${values.join(', ')}` : `e.g. --set ${key}=${examples.join(' or ')}`;
      throw new InputError('--set', `${written}=${value}`, `no chosen engine accepts this value (${candidates.map((s) => declared(s)[key]!.description).join('; ')})`, fix);
    }
    for (const owner of owners) out.get(owner)![key] = value;
  }
  return out;
}
