// Native mode for OpenFGA: a scenario's own authorization model and tuples (its
// `native.openfga` block) instead of the translation of the neutral model.
//
//   native:
//     openfga: {model: x.native/openfga/model.fga, tuples: x.native/openfga/tuples.yaml}
//
// `model` is an OpenFGA DSL file (`.fga`, parsed with @openfga/syntax-transformer) or an
// authorization model in JSON (`.json`, as `fga model get --format json` prints it).
// `tuples` (optional) is a YAML or JSON list of tuples in OpenFGA store-file form,
// `{user, relation, object, condition?: {name, context?}}`, or a mapping with such a list
// under `tuples` (a store file). The files are read and checked here before the server is
// touched; the adapter then creates a fresh store and writes the model and the tuples, and
// OpenFGA's own validation errors are reported naming the file (writeNativeModel,
// writeNativeTuples).

import type { OpenFgaClient } from '@openfga/sdk';
import { transformer } from '@openfga/syntax-transformer';
import { parse as parseYaml } from 'yaml';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import { nativePath, readNativeFile } from '../../src/scenario/native-files.ts';
import { REQUEST_PARAMETERS, type FgaAuthorizationModel, type FgaTupleKey } from './translate.ts';

/** The native files, read and checked, ready to be written to a fresh store. */
export interface NativeOpenFga {
  model: FgaAuthorizationModel;
  modelFile: string;
  tuples: FgaTupleKey[];
  tuplesFile?: string;
  /** Which of `subject`, `resource`, `context` some condition declares (filled from the request). */
  requestParams: Set<string>;
}

const AT = 'native.openfga';
const SPEC_KEYS = new Set(['model', 'tuples']);
const TUPLE_KEYS = new Set(['user', 'relation', 'object', 'condition']);
/** OpenFGA's limit on tuples per Write (`--max-tuples-per-write`). */
const MAX_TUPLES_PER_WRITE = 100;

/** Reads and checks the files of a `native.openfga` block (no server call). */
export async function readNativeOpenFga(native: NativeSpec): Promise<NativeOpenFga> {
  for (const key of Object.keys(native.spec)) {
    if (!SPEC_KEYS.has(key)) throw new InputError(native.file, `${AT}.${key}`, `unknown key '${key}'`, 'use model (a .fga or .json file) and tuples (a YAML or JSON file)');
  }
  const modelFile = nativePath(native, 'openfga', 'model', true, 'name the OpenFGA model file (.fga DSL or .json), relative to the scenario file')!;
  const tuplesFile = nativePath(native, 'openfga', 'tuples', false, '');
  const model = parseModel(await readNativeFile(native, 'openfga', 'model', modelFile), modelFile);
  const tuples = tuplesFile ? parseTuples(await readNativeFile(native, 'openfga', 'tuples', tuplesFile), tuplesFile) : [];
  const requestParams = new Set<string>();
  for (const condition of Object.values(model.conditions ?? {})) {
    for (const name of REQUEST_PARAMETERS) if (condition.parameters && name in condition.parameters) requestParams.add(name);
  }
  return { model, modelFile, tuples, ...(tuplesFile ? { tuplesFile } : {}), requestParams };
}

/** An OpenFGA model file: DSL (`.fga`, the default) or JSON (`.json`). */
export function parseModel(text: string, file: string): FgaAuthorizationModel {
  let model: unknown;
  if (file.endsWith('.json')) {
    try {
      model = JSON.parse(text);
    } catch (error) {
      throw new InputError(file, '', `not valid JSON: ${(error as Error).message}`);
    }
  } else {
    try {
      model = transformer.transformDSLToJSONObject(text);
    } catch (error) {
      throw new InputError(file, '', `not a valid OpenFGA model: ${dslError(error)}`, 'see https://openfga.dev/docs/configuration-language');
    }
  }
  const m = model as Partial<FgaAuthorizationModel> | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.type_definitions)) throw new InputError(file, '', 'expected an OpenFGA authorization model (schema_version, type_definitions)');
  return m as FgaAuthorizationModel;
}

/** The syntax-transformer's errors with 1-based line and column numbers (it counts from 0). */
function dslError(error: unknown): string {
  const e = error as { errors?: Array<{ msg?: string; message?: string; line?: { start: number }; column?: { start: number } }>; message?: string };
  if (Array.isArray(e.errors) && e.errors.length > 0) {
    return e.errors
      .map((single) => {
        const where = single.line ? `line ${single.line.start + 1}${single.column ? `, column ${single.column.start + 1}` : ''}: ` : '';
        return `${where}${single.msg ?? single.message ?? String(single)}`;
      })
      .join('; ');
  }
  return (e.message ?? String(error)).trim();
}

/** A tuples file: a list of `{user, relation, object, condition?}`, or `{tuples: [...]}`. */
export function parseTuples(text: string, file: string): FgaTupleKey[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InputError(file, '', `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  raw ??= [];
  let at = '';
  if (!Array.isArray(raw) && typeof raw === 'object' && Array.isArray((raw as Record<string, unknown>).tuples)) {
    raw = (raw as Record<string, unknown>).tuples;
    at = 'tuples';
  }
  if (!Array.isArray(raw)) throw new InputError(file, '', 'expected a list of tuples', 'write e.g. - {user: "user:anne", relation: viewer, object: "doc:1"}');
  return raw.map((entry, i) => readTuple(entry, file, `${at}[${i}]`));
}

function readTuple(entry: unknown, file: string, at: string): FgaTupleKey {
  const fix = 'write {user: "user:anne", relation: viewer, object: "doc:1"}, optionally with condition: {name, context}';
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new InputError(file, at, `expected a tuple, got ${JSON.stringify(entry)}`, fix);
  const t = entry as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (!TUPLE_KEYS.has(key)) throw new InputError(file, `${at}.${key}`, `unknown key '${key}'`, 'use user, relation, object and condition');
  }
  for (const key of ['user', 'relation', 'object'] as const) {
    if (typeof t[key] !== 'string' || t[key] === '') throw new InputError(file, `${at}.${key}`, `missing or not a string: ${JSON.stringify(t[key])}`, fix);
  }
  const tuple: FgaTupleKey = { user: t.user as string, relation: t.relation as string, object: t.object as string };
  if (t.condition !== undefined) {
    const c = t.condition as Record<string, unknown> | null;
    if (!c || typeof c !== 'object' || typeof c.name !== 'string') throw new InputError(file, `${at}.condition`, 'expected {name, context}');
    if (c.context !== undefined && (typeof c.context !== 'object' || c.context === null || Array.isArray(c.context))) {
      throw new InputError(file, `${at}.condition.context`, 'expected a mapping of parameter values');
    }
    tuple.condition = { name: c.name, ...(c.context ? { context: c.context as Record<string, unknown> } : {}) };
  }
  return tuple;
}

function apiMessage(error: unknown): string {
  const e = error as { apiErrorMessage?: string; message?: string };
  return e.apiErrorMessage ?? e.message ?? String(error);
}

/** Writes the native model to the store; OpenFGA's validation error names the model file. Returns the model id. */
export async function writeNativeModel(fga: OpenFgaClient, storeId: string, files: NativeOpenFga): Promise<string> {
  try {
    const response = await fga.writeAuthorizationModel(files.model as never, { storeId });
    return response.authorization_model_id;
  } catch (error) {
    throw new InputError(files.modelFile, '', `OpenFGA rejected the model: ${apiMessage(error)}`);
  }
}

/** Writes the native tuples in chunks; OpenFGA's validation error names the tuples file and the chunk. */
export async function writeNativeTuples(fga: OpenFgaClient, ids: { storeId: string; authorizationModelId: string }, files: NativeOpenFga): Promise<void> {
  const { tuples } = files;
  for (let i = 0; i < tuples.length; i += MAX_TUPLES_PER_WRITE) {
    const chunk = tuples.slice(i, i + MAX_TUPLES_PER_WRITE);
    try {
      await fga.write({ writes: chunk as never }, { ...ids, conflict: { onDuplicateWrites: 'ignore' as never } });
    } catch (error) {
      const at = chunk.length === 1 ? `[${i}]` : `[${i}..${i + chunk.length - 1}]`;
      throw new InputError(files.tuplesFile ?? files.modelFile, at, `OpenFGA rejected the tuples: ${apiMessage(error)}`);
    }
  }
}
