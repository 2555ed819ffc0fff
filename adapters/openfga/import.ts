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
// What has no neutral form is an InputError naming the place: contextual tuples, checks whose user is a userset or a wildcard, CSV tuple files.
// `list_objects` and `list_users` assertions are skipped (the neutral scenario has no such step),
// and noted in a comment at the top of the output.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transformer } from '@openfga/syntax-transformer';
import { parse, stringify } from 'yaml';
import { InputError } from '../../src/core/errors.ts';
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
  if (!neutral) throw new InputError(file, where, `parameter type ${type.type_name} has no neutral equivalent`, 'use string, int, uint, double, bool, timestamp, duration, ipaddress, any, list or map');
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

function readTuples(raw: Raw, base: string, file: string, where: string): FgaTuple[] {
  const tuples: FgaTuple[] = [];
  if (Array.isArray(raw.tuples)) tuples.push(...(raw.tuples as FgaTuple[]));
  const files = [...(typeof raw.tuple_file === 'string' ? [raw.tuple_file] : []), ...(Array.isArray(raw.tuple_files) ? (raw.tuple_files as string[]) : [])];
  for (const name of files) {
    if (!/\.(ya?ml|json)$/.test(name)) throw new InputError(file, `${where}tuple_file`, `cannot read '${name}'`, 'use a YAML or JSON tuple file');
    const parsed = parse(readFileSync(path.resolve(base, name), 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new InputError(name, '', 'expected a list of tuples');
    tuples.push(...(parsed as FgaTuple[]));
  }
  return tuples;
}

function relationship(tuple: Omit<FgaTuple, 'condition'> & { condition?: FgaTuple['condition'] | undefined }, renamed: Map<string, string>): unknown {
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

const kebab = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'openfga-store';

/** An OpenFGA store file (`.fga.yaml`) as the YAML text of a neutral scenario. */
export function importOpenFgaStore(file: string): string {
  const base = path.dirname(file);
  const store = parse(readFileSync(file, 'utf8')) as Raw;
  if (!store || typeof store !== 'object') throw new InputError(file, '', 'expected an OpenFGA store file (name, model or model_file, tuples, tests)');
  let dsl: string;
  if (typeof store.model === 'string') dsl = store.model;
  else if (typeof store.model_file === 'string') {
    if (store.model_file.endsWith('fga.mod')) throw new InputError(file, 'model_file', 'modular models (fga.mod) are not imported', 'combine the modules into one .fga model');
    dsl = readFileSync(path.resolve(base, store.model_file), 'utf8');
  } else throw new InputError(file, 'model', 'no model', "add 'model' (DSL text) or 'model_file'");
  const json = (store.model_file as string | undefined)?.endsWith('.json')
    ? (JSON.parse(dsl) as FgaAuthorizationModel)
    : (transformer.transformDSLToJSONObject(dsl) as unknown as FgaAuthorizationModel);
  const { model, renamed } = neutralModel(json, file);
  const globalTuples = readTuples(store, base, file, '');
  const globalKeys = new Set(globalTuples.map((t) => `${t.object}#${t.relation}@${t.user}`));
  const steps: Raw[] = [];
  const skipped: string[] = [];
  const tests = Array.isArray(store.tests) ? (store.tests as Raw[]) : [];
  tests.forEach((test, t) => {
    const where = `tests[${t}].`;
    const testName = typeof test.name === 'string' ? test.name : `test ${t + 1}`;
    const own = readTuples(test, base, file, where).filter((tuple) => !globalKeys.has(`${tuple.object}#${tuple.relation}@${tuple.user}`));
    if (own.length > 0) steps.push({ name: `${testName}: tuples`, write: own.map((tuple) => relationship(tuple, renamed)) });
    const checks = Array.isArray(test.check) ? (test.check as Raw[]) : [];
    checks.forEach((check, c) => {
      const cwhere = `${where}check[${c}]`;
      const user = String(check.user ?? '');
      if (user.includes('#') || user.endsWith(':*')) throw new InputError(file, `${cwhere}.user`, `'${user}' is not a single subject`, 'AuthZEN checks need a subject such as user:anne');
      if (check.contextual_tuples) throw new InputError(file, `${cwhere}.contextual_tuples`, 'contextual tuples have no neutral equivalent', 'write them as tuples of the test');
      const context = check.context as Raw | undefined;
      for (const [action, expected] of Object.entries((check.assertions ?? {}) as Record<string, boolean>)) {
        steps.push({
          name: testName,
          check: { subject: user, action, resource: String(check.object), ...(context && Object.keys(context).length > 0 ? { context } : {}) },
          expect: expected ? 'allow' : 'deny',
        });
      }
    });
    if (test.list_objects) skipped.push(`${testName}: list_objects`);
    if (test.list_users) skipped.push(`${testName}: list_users`);
    if (own.length > 0) steps.push({ name: `${testName}: remove its tuples`, delete: own.map((tuple) => relationship({ ...tuple, condition: undefined }, renamed)) });
  });
  const name = typeof store.name === 'string' ? store.name : path.basename(file).replace(/\.fga\.ya?ml$|\.ya?ml$/, '');
  const scenario: Raw = {
    id: kebab(path.basename(file).replace(/\.fga\.ya?ml$|\.ya?ml$/, '')),
    title: name,
    description: `Imported from the OpenFGA store file ${path.basename(file)}.`,
    tags: ['openfga-import'],
    model,
    ...(globalTuples.length > 0 ? { relationships: globalTuples.map((tuple) => relationship(tuple, renamed)) } : {}),
    steps,
  };
  const header = skipped.length > 0 ? `# Not imported (no neutral step): ${skipped.join('; ')}\n` : '';
  return header + stringify(scenario, { lineWidth: 0 });
}
