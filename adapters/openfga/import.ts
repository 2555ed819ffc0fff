// Native mode: the neutral model as OpenFGA's own DSL (`.fga`), and the import of an OpenFGA
// store file (`STORE.fga.yaml`, the format of `fga model test` / `fga store import`) as a
// neutral scenario. Uses @openfga/syntax-transformer for DSL <-> JSON.
//
// Import mapping:
// - a relation that is exactly `this` becomes a neutral relation with its allowed subjects;
// - any other relation becomes a permission; where it contains `this` (e.g.
//   `define viewer: [user] or owner`), the direct part becomes a relation `viewer_direct`
//   and tuples written to `viewer` are written to `viewer_direct` (checks of `viewer` are
//   unchanged);
// - each test's `check` assertions become check steps; a test's own tuples are written
//   before its checks and deleted after them.
// - a modular model (`model_file: fga.mod`) is combined from its module files by the
//   transformer, as `fga model write` does;
// What has no neutral form is an InputError naming the place: contextual tuples, checks whose user is a userset or a wildcard, CSV tuple files.
// `list_objects` and `list_users` assertions are skipped (the neutral scenario has no such step),
// and noted in a comment at the top of the output.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transformer } from '@openfga/syntax-transformer';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { InputError, InputErrors } from '../../src/core/errors.ts';
import { scenarioIdOf } from '../../src/scenario/import-ids.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import type { Model } from '../../src/model/types.ts';
import { translateModel, type FgaAuthorizationModel, type FgaConditionParamType, type FgaUserset } from './translate.ts';

/** The neutral model in OpenFGA's DSL (what the adapter loads, in OpenFGA's own language). */
export function toFgaDsl(model: Model): string {
  return transformer.transformJSONToDSL(translateModel(model) as never);
}

type Raw = Record<string, unknown>;

interface FgaTuple {
  user: string;
  relation: string;
  object: string;
  condition?: { name: string; context?: Record<string, unknown> };
}

const PARAMETER_TYPES: Record<string, string> = {
  TYPE_NAME_STRING: 'string',
  TYPE_NAME_INT: 'int',
  TYPE_NAME_UINT: 'uint',
  TYPE_NAME_IPADDRESS: 'ipaddress',
  TYPE_NAME_DOUBLE: 'double',
  TYPE_NAME_BOOL: 'bool',
  TYPE_NAME_TIMESTAMP: 'timestamp',
  TYPE_NAME_DURATION: 'duration',
  TYPE_NAME_ANY: 'any',
};

function parameterType(type: FgaConditionParamType, where: string, file: string): string {
  if (type.type_name === 'TYPE_NAME_LIST' || type.type_name === 'TYPE_NAME_MAP') {
    const element = type.generic_types?.[0];
    const inner = element ? parameterType(element, where, file) : 'any';
    return `${type.type_name === 'TYPE_NAME_LIST' ? 'list' : 'map'}<${inner}>`;
  }
  const neutral = PARAMETER_TYPES[type.type_name];
  if (!neutral)
    throw new InputError(file, where, `parameter type ${type.type_name} has no neutral equivalent`, 'use string, int, uint, double, bool, timestamp, duration, ipaddress, any, list or map');
  return neutral;
}

const isOnlyThis = (u: FgaUserset | undefined): boolean => !!u && 'this' in u && Object.keys(u).length === 1;

function containsThis(u: FgaUserset): boolean {
  if (u.this) return true;
  if (u.union) return u.union.child.some(containsThis);
  if (u.intersection) return u.intersection.child.some(containsThis);
  if (u.difference) return containsThis(u.difference.base) || containsThis(u.difference.subtract);
  return false;
}

/** A rewrite as a neutral expression; every compound operand is parenthesised. */
function expression(u: FgaUserset, direct: string | undefined, where: string, file: string): string {
  const operand = (child: FgaUserset): string => {
    const text = expression(child, direct, where, file);
    return child.union || child.intersection || child.difference ? `(${text})` : text;
  };
  if (u.this) {
    if (!direct) throw new InputError(file, where, 'direct assignment inside a rewrite could not be mapped');
    return direct;
  }
  if (u.computedUserset) return u.computedUserset.relation;
  if (u.tupleToUserset) return `${u.tupleToUserset.tupleset.relation}->${u.tupleToUserset.computedUserset.relation}`;
  if (u.union) return u.union.child.map(operand).join(' | ');
  if (u.intersection) return u.intersection.child.map(operand).join(' & ');
  if (u.difference) return `${operand(u.difference.base)} - ${operand(u.difference.subtract)}`;
  throw new InputError(file, where, `unknown rewrite ${JSON.stringify(u)}`);
}

interface Converted {
  model: Raw;
  /** `type#relation` -> the neutral relation its tuples are written to. */
  renamed: Map<string, string>;
}

/** OpenFGA JSON model -> neutral `model:` block. */
export function neutralModel(json: FgaAuthorizationModel, file: string): Converted {
  const types: Raw = {};
  const renamed = new Map<string, string>();
  for (const def of json.type_definitions) {
    const relations: Raw = {};
    const permissions: Raw = {};
    const names = new Set(Object.keys(def.relations ?? {}));
    for (const [name, rewrite] of Object.entries(def.relations ?? {})) {
      const where = `model.type ${def.type}.${name}`;
      const allowed = (def.metadata?.relations?.[name]?.directly_related_user_types ?? []).map((r) => {
        const base = r.relation ? `${r.type}#${r.relation}` : r.wildcard ? `${r.type}:*` : r.type;
        return r.condition ? `${base} with ${r.condition}` : base;
      });
      if (isOnlyThis(rewrite)) {
        relations[name] = allowed;
        continue;
      }
      let direct: string | undefined;
      if (containsThis(rewrite)) {
        direct = `${name}_direct`;
        while (names.has(direct)) direct = `${direct}_`;
        names.add(direct);
        relations[direct] = allowed;
        renamed.set(`${def.type}#${name}`, direct);
      }
      permissions[name] = expression(rewrite, direct, where, file);
    }
    const type: Raw = {};
    if (Object.keys(relations).length > 0) type.relations = relations;
    if (Object.keys(permissions).length > 0) type.permissions = permissions;
    types[def.type] = type;
  }
  const model: Raw = { types };
  if (json.conditions && Object.keys(json.conditions).length > 0) {
    const conditions: Raw = {};
    for (const [name, condition] of Object.entries(json.conditions)) {
      const parameters: Raw = {};
      for (const [p, type] of Object.entries(condition.parameters ?? {})) parameters[p] = parameterType(type, `model.condition ${name}.${p}`, file);
      conditions[name] = { parameters, expression: condition.expression };
    }
    model.conditions = conditions;
  }
  return { model, renamed };
}

/** A file's text; a missing or unreadable file is an InputError naming it and who refers to it. */
function readText(file: string, referrer?: { file: string; path: string }): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (referrer) throw new InputError(referrer.file, referrer.path, `cannot read '${file}' (${code})`, 'check the path, relative to the store file');
    throw new InputError(file, '', `cannot read the file (${code})`, 'check the path');
  }
}

/** YAML text as data; a syntax error is an InputError with its line and column. */
function parseYaml(text: string, file: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const pos = lines.linePos(first.pos[0]);
    throw new InputError(file, `line ${pos.line}, column ${pos.col}`, `not valid YAML: ${first.message.split('\n')[0]}`, 'fix the YAML syntax');
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An OpenFGA transformer error (DSL syntax, fga.mod, module files) as an InputError at `where`. */
function transformerError(error: unknown, file: string, where: string): InputError {
  const e = error as { errors?: { msg?: string; message?: string; line?: { start: number }; column?: { start: number }; file?: string }[]; message?: string };
  const first = e.errors?.[0];
  if (first) {
    const at = first.line ? ` (${first.file ? `${first.file}, ` : 'the DSL, '}line ${first.line.start + 1}, column ${(first.column?.start ?? 0) + 1})` : first.file ? ` (${first.file})` : '';
    const more = (e.errors?.length ?? 1) > 1 ? ` and ${e.errors!.length - 1} more` : '';
    return new InputError(file, `${where}${at}`, `${first.msg ?? first.message ?? 'invalid'}${more}`, 'fix the OpenFGA model (the CLI `fga model validate` gives every error)');
  }
  const message = (e.message ?? String(error)).replace(/\s+/g, ' ').trim();
  return new InputError(file, where, message, 'fix the OpenFGA model');
}

/** The store's model as OpenFGA JSON: inline DSL, a `.fga` or `.json` file, or a modular `fga.mod` with its module files. */
function readModel(store: Raw, file: string): FgaAuthorizationModel {
  const base = path.dirname(file);
  if (typeof store.model === 'string') {
    try {
      return transformer.transformDSLToJSONObject(store.model) as unknown as FgaAuthorizationModel;
    } catch (error) {
      throw transformerError(error, file, 'model');
    }
  }
  if (typeof store.model_file !== 'string') throw new InputError(file, 'model', 'no model', "add 'model' (DSL text) or 'model_file'");
  const modelFile = path.resolve(base, store.model_file);
  const text = readText(modelFile, { file, path: 'model_file' });
  try {
    if (store.model_file.endsWith('fga.mod')) {
      // A modular model: fga.mod lists the module files; the transformer combines them, as `fga model write` does.
      const mod = transformer.transformModFileToJSON(text);
      const files = mod.contents.value.map((entry) => ({
        name: entry.value,
        contents: readText(path.resolve(path.dirname(modelFile), entry.value), { file: modelFile, path: `contents (line ${entry.line.start + 1})` }),
      }));
      return transformer.transformModuleFilesToModel(files, mod.schema.value) as unknown as FgaAuthorizationModel;
    }
    if (store.model_file.endsWith('.json')) return JSON.parse(text) as FgaAuthorizationModel;
    return transformer.transformDSLToJSONObject(text) as unknown as FgaAuthorizationModel;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw transformerError(error, file, `model_file ${store.model_file}`);
  }
}

/** A tuple as written in the store file; anything else is an InputError at its place. */
function checkTuple(raw: unknown, file: string, where: string): FgaTuple {
  const t = raw as Partial<FgaTuple> | undefined;
  const field = (name: 'user' | 'relation' | 'object') => {
    if (!isRecord(t) || typeof t[name] !== 'string' || t[name] === '')
      throw new InputError(file, where, `a tuple needs '${name}' (found ${JSON.stringify(raw)})`, 'write {user: "user:anne", relation: viewer, object: "doc:1"}');
  };
  field('user');
  field('relation');
  field('object');
  if (!t!.object!.includes(':')) throw new InputError(file, `${where}.object`, `'${t!.object}' is not 'type:id'`, 'write the object as type:id');
  if (t!.condition !== undefined && (!isRecord(t!.condition) || typeof t!.condition.name !== 'string')) {
    throw new InputError(file, `${where}.condition`, `expected {name, context}, found ${JSON.stringify(t!.condition)}`, 'name the condition');
  }
  return t as FgaTuple;
}

function readTuples(raw: Raw, base: string, file: string, where: string): FgaTuple[] {
  const tuples: FgaTuple[] = [];
  if (raw.tuples !== undefined) {
    if (!Array.isArray(raw.tuples)) throw new InputError(file, `${where}tuples`, 'expected a list of tuples', 'write tuples: [{user, relation, object}]');
    raw.tuples.forEach((t, i) => tuples.push(checkTuple(t, file, `${where}tuples[${i}]`)));
  }
  const files = [...(typeof raw.tuple_file === 'string' ? [raw.tuple_file] : []), ...(Array.isArray(raw.tuple_files) ? (raw.tuple_files as string[]) : [])];
  for (const name of files) {
    if (!/\.(ya?ml|json)$/.test(name)) throw new InputError(file, `${where}tuple_file`, `cannot read '${name}'`, 'use a YAML or JSON tuple file');
    const tupleFile = path.resolve(base, name);
    const parsed = parseYaml(readText(tupleFile, { file, path: `${where}tuple_file` }), tupleFile);
    if (!Array.isArray(parsed)) throw new InputError(tupleFile, '', 'expected a list of tuples');
    parsed.forEach((t, i) => tuples.push(checkTuple(t, tupleFile, `[${i}]`)));
  }
  return tuples;
}

function relationship(tuple: FgaTuple, renamed: Map<string, string>): unknown {
  const type = tuple.object.slice(0, tuple.object.indexOf(':'));
  const relation = renamed.get(`${type}#${tuple.relation}`) ?? tuple.relation;
  if (!tuple.condition) return `${tuple.object}#${relation}@${tuple.user}`;
  return {
    resource: tuple.object,
    relation,
    subject: tuple.user,
    condition: { name: tuple.condition.name, ...(tuple.condition.context ? { parameters: tuple.condition.context } : {}) },
  };
}

/**
 * An OpenFGA store file (`.fga.yaml`) as the YAML text of a neutral scenario, checked by the
 * scenario loader. Bad input (unreadable files, YAML or DSL errors, malformed tuples or
 * tests) is an InputError naming the file and the place.
 */
export async function importOpenFgaStore(file: string, id = scenarioIdOf(file)): Promise<string> {
  const base = path.dirname(file);
  const store = parseYaml(readText(file), file);
  if (!isRecord(store)) throw new InputError(file, '', 'expected an OpenFGA store file (name, model or model_file, tuples, tests)', 'see https://openfga.dev/docs/modeling/testing');
  const json = readModel(store, file);
  const { model, renamed } = neutralModel(json, file);
  const globalTuples = readTuples(store, base, file, '');
  const globalKeys = new Set(globalTuples.map((t) => `${t.object}#${t.relation}@${t.user}`));
  const steps: Raw[] = [];
  const skipped: string[] = [];
  if (store.tests !== undefined && !Array.isArray(store.tests)) throw new InputError(file, 'tests', 'expected a list of tests', 'write tests: [{name, tuples, check}]');
  const tests = (store.tests as unknown[] | undefined) ?? [];
  tests.forEach((rawTest, t) => {
    const where = `tests[${t}].`;
    if (!isRecord(rawTest)) throw new InputError(file, `tests[${t}]`, 'expected a test (name, tuples, check)');
    const test = rawTest;
    const testName = typeof test.name === 'string' ? test.name : `test ${t + 1}`;
    const own = readTuples(test, base, file, where).filter((tuple) => !globalKeys.has(`${tuple.object}#${tuple.relation}@${tuple.user}`));
    if (own.length > 0) steps.push({ name: `${testName}: tuples`, write: own.map((tuple) => relationship(tuple, renamed)) });
    if (test.check !== undefined && !Array.isArray(test.check)) throw new InputError(file, `${where}check`, 'expected a list of checks', 'write check: [{user, object, assertions}]');
    const checks = (test.check as unknown[] | undefined) ?? [];
    checks.forEach((rawCheck, c) => {
      const cwhere = `${where}check[${c}]`;
      if (!isRecord(rawCheck)) throw new InputError(file, cwhere, 'expected a check (user, object, assertions)');
      const check = rawCheck;
      if (typeof check.user !== 'string' || !check.user.includes(':'))
        throw new InputError(file, `${cwhere}.user`, `expected a subject such as user:anne, found ${JSON.stringify(check.user)}`);
      if (typeof check.object !== 'string' || !check.object.includes(':'))
        throw new InputError(file, `${cwhere}.object`, `expected an object such as doc:1, found ${JSON.stringify(check.object)}`);
      const user = check.user;
      if (user.includes('#') || user.endsWith(':*')) throw new InputError(file, `${cwhere}.user`, `'${user}' is not a single subject`, 'AuthZEN checks need a subject such as user:anne');
      if (check.contextual_tuples) throw new InputError(file, `${cwhere}.contextual_tuples`, 'contextual tuples have no neutral equivalent', 'write them as tuples of the test');
      if (!isRecord(check.assertions)) throw new InputError(file, `${cwhere}.assertions`, `expected relation: true|false pairs, found ${JSON.stringify(check.assertions)}`);
      const context = check.context as Raw | undefined;
      for (const [action, expected] of Object.entries(check.assertions)) {
        if (typeof expected !== 'boolean') throw new InputError(file, `${cwhere}.assertions.${action}`, `expected true or false, found ${JSON.stringify(expected)}`);
        steps.push({
          name: testName,
          check: { subject: user, action, resource: check.object, ...(context && Object.keys(context).length > 0 ? { context } : {}) },
          expect: expected ? 'allow' : 'deny',
        });
      }
    });
    if (test.list_objects) skipped.push(`${testName}: list_objects`);
    if (test.list_users) skipped.push(`${testName}: list_users`);
    // A delete names the tuple with its condition: a relation that admits only conditional tuples refuses it otherwise.
    if (own.length > 0) steps.push({ name: `${testName}: remove its tuples`, delete: own.map((tuple) => relationship(tuple, renamed)) });
  });
  const name = typeof store.name === 'string' ? store.name : path.basename(file).replace(/\.fga\.ya?ml$|\.ya?ml$/, '');
  const scenario: Raw = {
    id,
    title: name,
    description: `Imported from the OpenFGA store file ${path.basename(file)}.`,
    tags: ['openfga-import'],
    model,
    ...(globalTuples.length > 0 ? { relationships: globalTuples.map((tuple) => relationship(tuple, renamed)) } : {}),
    steps,
  };
  const header = skipped.length > 0 ? `# Not imported (no neutral step): ${skipped.join('; ')}\n` : '';
  const yaml = header + stringify(scenario, { lineWidth: 0 });
  // What the loader refuses (a model OpenFGA's own validation would refuse, a tuple the model does not admit) is the store's fault.
  try {
    await loadScenarioText(yaml, `${id}.yaml`);
  } catch (error) {
    const errors = error instanceof InputErrors ? error.errors : error instanceof InputError ? [error] : undefined;
    if (!errors) throw error;
    throw new InputErrors(errors.map((e) => new InputError(file, `imported as ${id}.yaml, ${e.path}`, e.problem, e.fix)));
  }
  return yaml;
}
