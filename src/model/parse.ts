// Builds a Model from the `model:` block of a scenario (already parsed from YAML),
// checking every name it refers to. Errors name the path inside the file.

import { describeValue, InputError, InputErrors, joinPath } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { ExpressionError, parseRewrite } from './expression.ts';
import type { AllowedSubject, ConditionDefinition, Model, ParameterType, PermissionDefinition, RelationDefinition, Rewrite, Tenancy, TypeDefinition } from './types.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const MODEL_KEYS = ['types', 'conditions', 'tenancy'];
const SCALAR_TYPES = ['string', 'int', 'uint', 'double', 'bool', 'timestamp', 'duration', 'ipaddress', 'any'] as const;

class Collector {
  readonly errors: InputError[] = [];
  constructor(readonly file: string) {}
  add(path: string, problem: string, fix?: string): void {
    this.errors.push(new InputError(this.file, path, problem, fix));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseParameterType(text: string): ParameterType | undefined {
  const trimmed = text.trim();
  const generic = /^(list|map)<(.+)>$/.exec(trimmed);
  if (generic) {
    const element = parseParameterType(generic[2]!);
    return element ? { kind: generic[1] as 'list' | 'map', element } : undefined;
  }
  return (SCALAR_TYPES as readonly string[]).includes(trimmed) ? { kind: trimmed as (typeof SCALAR_TYPES)[number] } : undefined;
}

/** `user`, `user:*`, `group#member`, each optionally followed by `with condition`. */
export function parseAllowedSubject(text: string): AllowedSubject | undefined {
  const match = /^\s*([A-Za-z_][\w-]*)(?::(\*)|#([A-Za-z_][\w-]*))?(?:\s+with\s+([A-Za-z_][\w-]*))?\s*$/.exec(text);
  if (!match) return undefined;
  const [, type, star, relation, condition] = match;
  return {
    type: type!,
    ...(star ? { wildcard: true } : {}),
    ...(relation ? { relation } : {}),
    ...(condition ? { condition } : {}),
  };
}

export function parseModel(raw: unknown, file: string, basePath = 'model'): Model {
  const out = new Collector(file);
  const model: Model = { types: new Map(), conditions: new Map() };
  if (!isRecord(raw)) {
    throw new InputError(file, basePath, `expected a mapping with 'types', found ${describeValue(raw)}`, 'see docs/model.md');
  }
  for (const key of Object.keys(raw)) {
    if (!MODEL_KEYS.includes(key)) out.add(joinPath(basePath, key), `unknown key '${key}'`, "use 'types', 'conditions' or 'tenancy'");
  }

  const conditionsRaw = raw.conditions ?? {};
  const conditionsPath = joinPath(basePath, 'conditions');
  if (!isRecord(conditionsRaw)) out.add(conditionsPath, `expected a mapping of condition names, found ${describeValue(conditionsRaw)}`);
  else {
    for (const [name, def] of Object.entries(conditionsRaw)) {
      const condition = parseCondition(name, def, joinPath(conditionsPath, name), out);
      if (condition) model.conditions.set(name, condition);
    }
  }

  const typesRaw = raw.types;
  const typesPath = joinPath(basePath, 'types');
  if (!isRecord(typesRaw) || Object.keys(typesRaw).length === 0) {
    out.add(typesPath, `expected a mapping of type names, found ${describeValue(typesRaw)}`, 'declare at least one type, e.g. `user: {}`');
  } else {
    // First pass: names, so that second-pass references may point forward.
    for (const [name, def] of Object.entries(typesRaw)) {
      const path = joinPath(typesPath, name);
      if (!IDENTIFIER.test(name)) out.add(path, `'${name}' is not a valid type name`, 'use letters, digits, _ and -');
      model.types.set(name, parseTypeShell(name, def, path, out));
    }
    // Then every type's relations, then permissions, then their references: a `t->p` may name
    // a relation or permission of a type declared further down (OpenFGA's sample models do).
    for (const [name, def] of Object.entries(typesRaw)) resolveRelations(model, model.types.get(name)!, def, joinPath(typesPath, name), out);
    const parsed = Object.entries(typesRaw).map(([name, def]) => ({
      type: model.types.get(name)!,
      permissions: parsePermissions(model.types.get(name)!, def, joinPath(typesPath, name), out),
    }));
    for (const { type, permissions } of parsed) {
      for (const permission of permissions) checkRewrite(model, type, permission.rewrite, joinPath(joinPath(joinPath(typesPath, type.name), 'permissions'), permission.name), out);
    }
  }

  if (raw.tenancy !== undefined) {
    const tenancy = parseTenancy(model, raw.tenancy, joinPath(basePath, 'tenancy'), out);
    if (tenancy) model.tenancy = tenancy;
  }

  if (out.errors.length === 1) throw out.errors[0]!;
  if (out.errors.length > 1) throw new InputErrors(out.errors);
  return model;
}

/** `tenancy: {type: tenant}`: the type must be declared (after the types are known). */
function parseTenancy(model: Model, raw: unknown, path: string, out: Collector): Tenancy | undefined {
  if (!isRecord(raw)) {
    out.add(path, `expected a mapping with 'type', found ${describeValue(raw)}`, 'write `tenancy: {type: tenant}` naming the tenant type');
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'type') out.add(joinPath(path, key), `unknown key '${key}'`, "use 'type'");
  }
  const typePath = joinPath(path, 'type');
  const type = raw.type;
  if (typeof type !== 'string' || !IDENTIFIER.test(type)) {
    out.add(typePath, `expected a type name, found ${describeValue(type)}`, 'name the tenant type, e.g. `type: tenant`');
    return undefined;
  }
  // With no types parsed, 'types' is already reported; an unknown tenant type would only repeat it.
  if (model.types.size > 0 && !model.types.has(type)) {
    out.add(typePath, `unknown type '${type}'`, `declare it under types, or use one of ${[...model.types.keys()].join(', ')}`);
    return undefined;
  }
  return { type };
}

function parseCondition(name: string, def: unknown, path: string, out: Collector): ConditionDefinition | undefined {
  if (!isRecord(def)) {
    out.add(path, `expected a mapping with 'parameters' and 'expression', found ${describeValue(def)}`);
    return undefined;
  }
  const parameters = new Map<string, ParameterType>();
  const paramsRaw = def.parameters ?? {};
  if (!isRecord(paramsRaw)) out.add(joinPath(path, 'parameters'), `expected a mapping of name: type, found ${describeValue(paramsRaw)}`);
  else {
    for (const [param, typeText] of Object.entries(paramsRaw)) {
      const type = typeof typeText === 'string' ? parseParameterType(typeText) : undefined;
      if (!type) {
        out.add(joinPath(joinPath(path, 'parameters'), param), `unknown parameter type ${JSON.stringify(typeText)}`, `use one of ${SCALAR_TYPES.join(', ')}, list<T>, map<T>`);
      } else parameters.set(param, type);
    }
  }
  if (typeof def.expression !== 'string' || def.expression.trim() === '') {
    out.add(joinPath(path, 'expression'), `expected a CEL expression, found ${describeValue(def.expression)}`);
    return undefined;
  }
  return { name, parameters, expression: def.expression };
}

function parseTypeShell(name: string, def: unknown, path: string, out: Collector): TypeDefinition {
  const type: TypeDefinition = { name, relations: new Map(), permissions: new Map() };
  if (def === null || def === undefined) return type;
  if (!isRecord(def)) {
    out.add(path, `expected a mapping with 'relations' and 'permissions', found ${describeValue(def)}`, 'write `{}` for a type with none');
    return type;
  }
  for (const key of Object.keys(def)) {
    if (key !== 'relations' && key !== 'permissions') out.add(joinPath(path, key), `unknown key '${key}'`, "use 'relations' or 'permissions'");
  }
  return type;
}

function resolveRelations(model: Model, type: TypeDefinition, def: unknown, path: string, out: Collector): void {
  if (!isRecord(def)) return;
  const relationsRaw = def.relations ?? {};
  const relationsPath = joinPath(path, 'relations');
  if (!isRecord(relationsRaw)) out.add(relationsPath, `expected a mapping of relation names, found ${describeValue(relationsRaw)}`);
  else {
    for (const [name, allowedRaw] of Object.entries(relationsRaw)) {
      const relation = parseRelation(model, name, allowedRaw, joinPath(relationsPath, name), out);
      type.relations.set(name, relation);
    }
  }
}

/** Parses a type's permissions (names and syntax); their references are checked once all types are read. */
function parsePermissions(type: TypeDefinition, def: unknown, path: string, out: Collector): PermissionDefinition[] {
  if (!isRecord(def)) return [];
  const permissionsRaw = def.permissions ?? {};
  const permissionsPath = joinPath(path, 'permissions');
  if (!isRecord(permissionsRaw)) {
    out.add(permissionsPath, `expected a mapping of permission names, found ${describeValue(permissionsRaw)}`);
    return [];
  }
  const parsed: PermissionDefinition[] = [];
  for (const [name, source] of Object.entries(permissionsRaw)) {
    const ppath = joinPath(permissionsPath, name);
    if (type.relations.has(name)) {
      out.add(ppath, `'${name}' is already a relation of type '${type.name}'`, 'give the permission another name');
      continue;
    }
    if (typeof source !== 'string') {
      out.add(ppath, `expected an expression such as 'owner | parent->view', found ${describeValue(source)}`);
      continue;
    }
    try {
      const permission = { name, rewrite: parseRewrite(source), source };
      type.permissions.set(name, permission);
      parsed.push(permission);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      out.add(ppath, `${error.message} at column ${error.column} of '${source}'`, 'see the grammar in docs/model.md');
    }
  }
  return parsed;
}

function parseRelation(model: Model, name: string, allowedRaw: unknown, path: string, out: Collector): RelationDefinition {
  const relation: RelationDefinition = { name, allowed: [] };
  if (!Array.isArray(allowedRaw) || allowedRaw.length === 0) {
    out.add(path, `expected a list of allowed subject types, found ${describeValue(allowedRaw)}`, 'e.g. [user, group#member, user:*]');
    return relation;
  }
  allowedRaw.forEach((entry, i) => {
    const epath = joinPath(path, i);
    const allowed = typeof entry === 'string' ? parseAllowedSubject(entry) : undefined;
    if (!allowed) {
      out.add(epath, `cannot read allowed subject ${JSON.stringify(entry)}`, "write 'type', 'type:*', 'type#relation', optionally followed by 'with condition'");
      return;
    }
    if (!model.types.has(allowed.type)) out.add(epath, `unknown type '${allowed.type}'`, `declare it under types, or use one of ${[...model.types.keys()].join(', ')}`);
    if (allowed.condition && !model.conditions.has(allowed.condition)) out.add(epath, `unknown condition '${allowed.condition}'`, 'declare it under conditions');
    relation.allowed.push(allowed);
  });
  return relation;
}

/** Checks the names a rewrite uses once every type's relations are known. */
function checkRewrite(model: Model, type: TypeDefinition, rewrite: Rewrite, path: string, out: Collector): void {
  const known = (name: string) => type.relations.has(name) || type.permissions.has(name);
  switch (rewrite.kind) {
    case 'computed':
      if (!known(rewrite.relation)) {
        const hint = didYouMean(rewrite.relation, [...type.relations.keys(), ...type.permissions.keys()]);
        out.add(path, `'${rewrite.relation}' is not a relation or permission of '${type.name}'`, ...(hint ? [hint.trim()] : []));
      }
      return;
    case 'tupleToUserset': {
      const tupleset = type.relations.get(rewrite.tupleset);
      if (!tupleset) {
        out.add(path, `'${rewrite.tupleset}' in '${rewrite.tupleset}->${rewrite.computed}' must be a relation of '${type.name}'`);
        return;
      }
      const targets = tupleset.allowed.filter((a) => !a.relation && !a.wildcard).map((a) => a.type);
      const reachable = targets.some((t) => {
        const def = model.types.get(t);
        return !!def && (def.relations.has(rewrite.computed) || def.permissions.has(rewrite.computed));
      });
      if (!reachable) {
        out.add(path, `none of the types of '${rewrite.tupleset}' (${targets.join(', ') || 'none'}) has '${rewrite.computed}'`);
      }
      return;
    }
    case 'union':
    case 'intersection':
      rewrite.children.forEach((child) => checkRewrite(model, type, child, path, out));
      return;
    case 'exclusion':
      checkRewrite(model, type, rewrite.base, path, out);
      checkRewrite(model, type, rewrite.subtract, path, out);
  }
}
