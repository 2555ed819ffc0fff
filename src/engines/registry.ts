// Finds engines by folder: every adapters/<id>/index.ts default-exports an EngineDefinition.
// Adding an engine edits no central list.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineDefinition } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';
import { ADAPTERS_DIR } from '../core/paths.ts';

export async function loadEngineDefinitions(): Promise<EngineDefinition[]> {
  const ids = readdirSync(ADAPTERS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(ADAPTERS_DIR, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort((a, b) => (a === 'reference' ? -1 : b === 'reference' ? 1 : a.localeCompare(b)));
  return Promise.all(ids.map(async (id) => (await import(pathToFileURL(path.join(ADAPTERS_DIR, id, 'index.ts')).href)).default as EngineDefinition));
}

/** One engine to run: `openfga`, `openfga[cache]`, or `openfga=http://host:8080` (url launch). */
export interface EngineSpec {
  definition: EngineDefinition;
  configuration?: string;
  url?: string;
  /** As the user wrote it, for messages. */
  text: string;
}

const SPEC = /^([a-z0-9-]+)(?:\[([a-z0-9-]+)\])?(?:=(.+))?$/;

export async function resolveEngineSpecs(texts: string[]): Promise<EngineSpec[]> {
  const definitions = await loadEngineDefinitions();
  const known = () => definitions.flatMap((d) => [d.id, ...(d.configurations ?? []).map((c) => `${d.id}[${c}]`)]).join(', ');
  const specs: EngineSpec[] = [];
  for (const text of texts.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean)) {
    if (text === 'all') {
      for (const definition of definitions.filter((d) => d.role !== 'baseline')) {
        specs.push({ definition, text: definition.id });
        for (const configuration of definition.configurations ?? []) specs.push({ definition, configuration, text: `${definition.id}[${configuration}]` });
      }
      continue;
    }
    const m = SPEC.exec(text);
    const definition = m && definitions.find((d) => d.id === m[1]);
    if (!m || !definition) throw new InputError('--engine', text, 'unknown engine', `use one of: all, ${known()}`);
    if (m[2] && !(definition.configurations ?? []).includes(m[2])) {
      throw new InputError('--engine', text, `engine '${definition.id}' has no configuration '${m[2]}'`, `use one of: ${known()}`);
    }
    specs.push({ definition, text, ...(m[2] ? { configuration: m[2] } : {}), ...(m[3] ? { url: m[3] } : {}) });
  }
  return specs;
}
