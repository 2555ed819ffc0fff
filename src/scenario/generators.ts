// Scenario generators: scenarios/generators/<name>.ts, deterministic from a seed, that
// return relationships and steps in the same YAML form a file has (so they are validated
// the same way). Relationships may also come already structured (`Relationship` objects,
// sharing one object per entity) and as any iterable: the fast path at 10^6 (docs/scenarios.md).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GENERATORS_DIR, MODULE_EXTENSION } from '../core/paths.ts';

export interface GeneratorParam {
  default: number;
  min?: number;
  max?: number;
  description?: string;
}

export interface ScenarioGenerator {
  name: string;
  description: string;
  params: Record<string, GeneratorParam>;
  generate(params: Record<string, number>, seed: number): { relationships: Iterable<unknown>; steps?: unknown[] };
  /**
   * About how many relationships and steps `generate` makes with these params, where their
   * product can be huge (each within its max, together billions): checked before generating.
   */
  estimate?(params: Record<string, number>): number;
}

/** Relationships plus steps one generated scenario may have: above what cost curves use (10^6), below what exhausts memory. */
export const MAX_GENERATED_ITEMS = 3_000_000;

export interface LoadedGenerator extends ScenarioGenerator {
  defaults: Record<string, number>;
}

/** A generator parameter refused: which one, and the values it takes. */
export class GeneratorParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'GeneratorParamError';
  }
}

export async function loadGenerator(name: string): Promise<LoadedGenerator> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`generator name '${name}' is not kebab-case`);
  const file = path.join(GENERATORS_DIR, `${name}${MODULE_EXTENSION}`);
  if (!existsSync(file)) throw new Error(`no generator '${name}' (looked for ${path.relative(process.cwd(), file)})`);
  const generator = (await import(pathToFileURL(file).href)).default as ScenarioGenerator;
  const defaults = Object.fromEntries(Object.entries(generator.params).map(([k, v]) => [k, v.default]));
  const wrapped: LoadedGenerator = {
    ...generator,
    defaults,
    generate(params, seed) {
      for (const [key, value] of Object.entries(params)) {
        const spec = generator.params[key];
        const names = Object.keys(generator.params).join(', ');
        if (!spec) throw new GeneratorParamError(key, `generator '${name}' has no parameter '${key}' (it has ${names})`, `use one of ${names}`);
        const range = `${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`;
        if (!Number.isInteger(value)) throw new GeneratorParamError(key, `generator '${name}' parameter '${key}' = ${value} is not a whole number`, `give a whole number in ${range}`);
        if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
          throw new GeneratorParamError(key, `generator '${name}' parameter '${key}' = ${value} is outside ${range}`, `give ${key} a value in ${range} (default ${spec.default})`);
        }
      }
      const size = generator.estimate?.(params);
      if (size !== undefined && size > MAX_GENERATED_ITEMS) {
        throw new Error(
          `generator '${name}' would make about ${Math.round(size).toLocaleString('en')} relationships and steps with these params, more than the limit of ${MAX_GENERATED_ITEMS.toLocaleString('en')}; lower them`,
        );
      }
      return generator.generate(params, seed);
    },
  };
  return wrapped;
}
