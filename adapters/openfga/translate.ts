// Neutral model -> OpenFGA authorization model (JSON, schema 1.1), relationships -> tuples,
// AuthZEN requests -> Check tuple keys and context. Pure: no I/O, unit-tested.
//
// The neutral model is OpenFGA-shaped, so this is near 1:1:
// - a relation (directly assignable) becomes `this` with `directly_related_user_types`
//   (`user`, `user:*` -> wildcard, `group#member` -> relation, `with cond` -> condition);
// - a permission becomes a rewrite: computedUserset, tupleToUserset, union, intersection,
//   difference;
// - conditions keep their CEL expression; parameter types map to TYPE_NAME_*.

import type { ObjectRef, Relationship } from '../../src/core/relationship.ts';
import { formatSubject } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { conditionContext, REQUEST_PARAMETERS, requestParameters } from '../../src/model/request-context.ts';
import type { Model, ParameterType, Rewrite } from '../../src/model/types.ts';

export { REQUEST_PARAMETERS, requestParameters };

// ---- OpenFGA JSON model shapes (the subset we write) ----

export interface FgaUserset {
  this?: Record<string, never>;
  computedUserset?: { relation: string };
  tupleToUserset?: { tupleset: { relation: string }; computedUserset: { relation: string } };
  union?: { child: FgaUserset[] };
  intersection?: { child: FgaUserset[] };
  difference?: { base: FgaUserset; subtract: FgaUserset };
}

export interface FgaRelationReference {
  type: string;
  relation?: string;
  wildcard?: Record<string, never>;
  condition?: string;
}

export interface FgaTypeDefinition {
  type: string;
  relations?: Record<string, FgaUserset>;
  metadata?: { relations: Record<string, { directly_related_user_types: FgaRelationReference[] }> };
}

export interface FgaConditionParamType {
  type_name: string;
  generic_types?: FgaConditionParamType[];
}

export interface FgaCondition {
  name: string;
  expression: string;
  parameters: Record<string, FgaConditionParamType>;
}

export interface FgaAuthorizationModel {
  schema_version: '1.1';
  type_definitions: FgaTypeDefinition[];
  conditions?: Record<string, FgaCondition>;
}

export interface FgaTupleKey {
  user: string;
  relation: string;
  object: string;
  condition?: { name: string; context?: Record<string, unknown> };
}

// ---- model ----

export function translateRewrite(rewrite: Rewrite): FgaUserset {
  switch (rewrite.kind) {
    case 'computed':
      return { computedUserset: { relation: rewrite.relation } };
    case 'tupleToUserset':
      return { tupleToUserset: { tupleset: { relation: rewrite.tupleset }, computedUserset: { relation: rewrite.computed } } };
    case 'union':
      return { union: { child: rewrite.children.map(translateRewrite) } };
    case 'intersection':
      return { intersection: { child: rewrite.children.map(translateRewrite) } };
    case 'exclusion':
      return { difference: { base: translateRewrite(rewrite.base), subtract: translateRewrite(rewrite.subtract) } };
  }
}

const SCALAR_TYPES: Record<string, string> = {
  string: 'TYPE_NAME_STRING',
  int: 'TYPE_NAME_INT',
  uint: 'TYPE_NAME_UINT',
  ipaddress: 'TYPE_NAME_IPADDRESS',
  double: 'TYPE_NAME_DOUBLE',
  bool: 'TYPE_NAME_BOOL',
  timestamp: 'TYPE_NAME_TIMESTAMP',
  duration: 'TYPE_NAME_DURATION',
  any: 'TYPE_NAME_ANY',
};

export function translateParameterType(type: ParameterType): FgaConditionParamType {
  if (type.kind === 'list' || type.kind === 'map') {
    return { type_name: type.kind === 'list' ? 'TYPE_NAME_LIST' : 'TYPE_NAME_MAP', generic_types: [translateParameterType(type.element)] };
  }
  return { type_name: SCALAR_TYPES[type.kind]! };
}

export function translateModel(model: Model): FgaAuthorizationModel {
  const typeDefinitions: FgaTypeDefinition[] = [];
  for (const type of model.types.values()) {
    const relations: Record<string, FgaUserset> = {};
    const metadata: Record<string, { directly_related_user_types: FgaRelationReference[] }> = {};
    for (const relation of type.relations.values()) {
      relations[relation.name] = { this: {} };
      metadata[relation.name] = {
        directly_related_user_types: relation.allowed.map((a) => ({
          type: a.type,
          ...(a.relation ? { relation: a.relation } : {}),
          ...(a.wildcard ? { wildcard: {} } : {}),
          ...(a.condition ? { condition: a.condition } : {}),
        })),
      };
    }
    for (const permission of type.permissions.values()) relations[permission.name] = translateRewrite(permission.rewrite);
    const def: FgaTypeDefinition = { type: type.name };
    if (Object.keys(relations).length > 0) {
      def.relations = relations;
      def.metadata = { relations: metadata };
    }
    typeDefinitions.push(def);
  }
  const out: FgaAuthorizationModel = { schema_version: '1.1', type_definitions: typeDefinitions };
  if (model.conditions.size > 0) {
    out.conditions = {};
    for (const condition of model.conditions.values()) {
      const parameters: Record<string, FgaConditionParamType> = {};
      for (const [name, type] of condition.parameters) parameters[name] = translateParameterType(type);
      out.conditions[condition.name] = { name: condition.name, expression: condition.expression, parameters };
    }
  }
  return out;
}

/**
 * Why OpenFGA cannot run this model, one reason per feature; empty when it can.
 * OpenFGA's own model validation (WriteAuthorizationModel) catches the rest at loadModel.
 */
export function unsupportedReasons(model: Model): string[] {
  const reasons: string[] = [];
  for (const type of model.types.values()) {
    const visit = (rewrite: Rewrite): void => {
      switch (rewrite.kind) {
        case 'computed':
          return;
        case 'tupleToUserset': {
          const tupleset = type.relations.get(rewrite.tupleset);
          if (!tupleset) {
            reasons.push(
              `tupleToUserset: '${type.name}.${rewrite.tupleset}->${rewrite.computed}' uses a permission as tupleset; OpenFGA requires the tupleset to be a directly related relation`,
            );
            return;
          }
          const bad = tupleset.allowed.filter((a) => a.relation || a.wildcard);
          if (bad.length > 0) {
            reasons.push(
              `tupleToUserset: tupleset relation '${type.name}.${rewrite.tupleset}' allows ${bad
                .map((a) => (a.relation ? `${a.type}#${a.relation}` : `${a.type}:*`))
                .join(', ')}; OpenFGA rejects usersets and wildcards on a tupleset relation`,
            );
          }
          return;
        }
        case 'union':
        case 'intersection':
          rewrite.children.forEach(visit);
          return;
        case 'exclusion':
          visit(rewrite.base);
          visit(rewrite.subtract);
      }
    };
    for (const permission of type.permissions.values()) visit(permission.rewrite);
  }
  return [...new Set(reasons)];
}

// ---- relationships and requests ----

export function toTupleKey(rel: Relationship): FgaTupleKey {
  const key: FgaTupleKey = { user: formatSubject(rel.subject), relation: rel.relation, object: `${rel.resource.type}:${rel.resource.id}` };
  if (rel.condition) {
    key.condition = { name: rel.condition.name, ...(rel.condition.parameters ? { context: rel.condition.parameters } : {}) };
  }
  return key;
}

export function toTupleKeyWithoutCondition(rel: Relationship): Omit<FgaTupleKey, 'condition'> {
  const { condition: _ignored, ...key } = toTupleKey(rel);
  return key;
}

export interface FgaCheck {
  user: string;
  relation: string;
  object: string;
  context?: Record<string, unknown>;
}

/**
 * An AuthZEN request as an OpenFGA check. The request context becomes the check's context;
 * where the model declares parameters named `subject`, `resource`, `action` or `context`, they
 * are set from the subject's, resource's and action's properties and the whole request context.
 */
export function toCheck(request: CheckRequest, requestParams: ReadonlySet<string>): FgaCheck {
  const context = conditionContext(request, requestParams);
  const check: FgaCheck = { user: `${request.subject.type}:${request.subject.id}`, relation: request.action.name, object: `${request.resource.type}:${request.resource.id}` };
  if (Object.keys(context).length > 0) check.context = context;
  return check;
}

/**
 * OpenFGA's API validates a tuple's `object` (`type:id`) against ^[^\s]{2,256}$ and its `user`
 * against ^[^\s]{2,512}$ (openfga/api, openfga/v1/openfga.proto): longer ids cannot be stored or asked about.
 */
const MAX_OBJECT_CHARS = { resource: 256, subject: 512 } as const;

/** Why OpenFGA cannot take this object in this role, if it cannot. */
export function unstorableObject(object: ObjectRef, role: 'resource' | 'subject'): string | undefined {
  const text = `${object.type}:${object.id}`;
  const shown = [...text].length > 40 ? `${[...text].slice(0, 40).join('')}…` : text;
  const refused = refusedCharacter(object.id);
  if (refused)
    return `object ${JSON.stringify(shown)}: OpenFGA takes no ${refused} in an id (its validation of 'type:id' and 'type:id#relation' allows one ':', no '#', no space or control character)`;
  const max = MAX_OBJECT_CHARS[role];
  const length = [...text].length;
  if (length <= max) return undefined;
  return `object ${shown} (${length} characters): OpenFGA takes a tuple's ${role === 'resource' ? 'object' : 'user'} 'type:id' of at most ${max} characters (its API's validation pattern)`;
}

/**
 * The first character of `id` that OpenFGA 1.22.1 refuses in an object or user (pkg/tuple:
 * IsValidObject, IsValidUserset: one ':' after the type, '#' only before the relation, no
 * ' ' and no control character, unicode.IsControl: U+0000–U+001F, U+007F–U+009F), described.
 */
function refusedCharacter(id: string): string | undefined {
  for (const char of id) {
    const code = char.codePointAt(0)!;
    if (char === ':' || char === '#') return `'${char}'`;
    if (char === ' ') return 'space';
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}
