// Neutral model -> SpiceDB schema (the `zed` schema language), relationships -> SpiceDB
// relationships, AuthZEN requests -> CheckPermission items. Pure: no I/O, unit-tested.
//
// - a type becomes a `definition`; a relation `relation r: user | user:* | group#member |
//   user with cond`; a permission `permission p = ...` with `+` (union), `&` (intersection),
//   `-` (exclusion) and arrows `t->p`; every compound operand is parenthesised, so SpiceDB's
//   own precedence never matters;
// - a condition becomes a `caveat name(param type, ...) { CEL }`; SpiceDB's caveat types are
//   CEL's, so every neutral parameter type has its own form (any, int, double, bool, string,
//   timestamp, duration, list<T>, map<T>);
// - names SpiceDB refuses (`tools/call`, one-letter names) and ids it refuses (`a@b.com`) are
//   rewritten reversibly (names.ts).
// What SpiceDB cannot express is reported by unsupportedReasons(), one reason per feature.

import { v1 } from '@authzed/authzed-node';
import type { Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { conditionContext, requestParameters } from '../../src/model/request-context.ts';
import type { Model, ParameterType, Rewrite } from '../../src/model/types.ts';
import { encodeId, NameScope } from './names.ts';

/** How the neutral model's names appear in SpiceDB. */
export class SchemaNames {
  readonly definitions: NameScope;
  readonly caveats: NameScope;
  private readonly members = new Map<string, NameScope>();

  /** Without a model (native mode: a schema written for SpiceDB), names pass through unchanged. */
  constructor(model?: Model) {
    this.definitions = new NameScope(model?.types.keys() ?? []);
    this.caveats = new NameScope(model?.conditions.keys() ?? []);
    for (const type of model?.types.values() ?? []) this.members.set(type.name, new NameScope([...type.relations.keys(), ...type.permissions.keys()]));
  }

  definition(type: string): string {
    return this.definitions.engine(type);
  }

  /** A relation or permission of `type`, as SpiceDB knows it. */
  member(type: string, name: string): string {
    return (this.members.get(type) ?? new NameScope([])).engine(name);
  }

  /** The neutral name of a relation or permission SpiceDB names `engine` on neutral type `type`. */
  neutralMember(type: string, engine: string): string {
    return (this.members.get(type) ?? new NameScope([])).neutral(engine);
  }

  caveat(name: string): string {
    return this.caveats.engine(name);
  }
}

/** The schema text and what requests need to address it. */
export interface SpiceDbSchema {
  text: string;
  names: SchemaNames;
  /** Which of `subject`, `resource`, `context` some condition declares (filled from the request). */
  requestParams: Set<string>;
}

export function translateParameterType(type: ParameterType): string {
  return type.kind === 'list' || type.kind === 'map' ? `${type.kind}<${translateParameterType(type.element)}>` : type.kind;
}

/** A permission expression; compound operands are parenthesised. */
export function translateRewrite(rewrite: Rewrite, type: string, model: Model, names: SchemaNames): string {
  const operand = (child: Rewrite) => {
    const text = translateRewrite(child, type, model, names);
    return child.kind === 'union' || child.kind === 'intersection' || child.kind === 'exclusion' ? `(${text})` : text;
  };
  switch (rewrite.kind) {
    case 'computed':
      return names.member(type, rewrite.relation);
    case 'tupleToUserset': {
      // The computed side is a name on the tupleset's target types: their own scope decides it.
      const target = model.types
        .get(type)
        ?.relations.get(rewrite.tupleset)
        ?.allowed.find((a) => model.types.get(a.type)?.relations.has(rewrite.computed) || model.types.get(a.type)?.permissions.has(rewrite.computed));
      return `${names.member(type, rewrite.tupleset)}->${names.member(target?.type ?? type, rewrite.computed)}`;
    }
    case 'union':
      return rewrite.children.map(operand).join(' + ');
    case 'intersection':
      return rewrite.children.map(operand).join(' & ');
    case 'exclusion':
      return `${operand(rewrite.base)} - ${operand(rewrite.subtract)}`;
  }
}

export function translateModel(model: Model): SpiceDbSchema {
  const names = new SchemaNames(model);
  const blocks: string[] = [];
  for (const type of model.types.values()) {
    const lines: string[] = [];
    for (const relation of type.relations.values()) {
      const allowed = relation.allowed.map((a) => {
        const base = `${names.definition(a.type)}${a.wildcard ? ':*' : a.relation ? `#${names.member(a.type, a.relation)}` : ''}`;
        return a.condition ? `${base} with ${names.caveat(a.condition)}` : base;
      });
      lines.push(`    relation ${names.member(type.name, relation.name)}: ${allowed.join(' | ')}`);
    }
    for (const permission of type.permissions.values()) {
      lines.push(`    permission ${names.member(type.name, permission.name)} = ${translateRewrite(permission.rewrite, type.name, model, names)}`);
    }
    blocks.push(lines.length > 0 ? `definition ${names.definition(type.name)} {\n${lines.join('\n')}\n}` : `definition ${names.definition(type.name)} {}`);
  }
  for (const condition of model.conditions.values()) {
    const parameters = [...condition.parameters].map(([name, type]) => `${name} ${translateParameterType(type)}`);
    blocks.push(`caveat ${names.caveat(condition.name)}(${parameters.join(', ')}) {\n    ${condition.expression}\n}`);
  }
  return { text: `${blocks.join('\n\n')}\n`, names, requestParams: requestParameters(model) };
}

/**
 * Why SpiceDB cannot run this model, one reason per feature; empty when it can. SpiceDB's own
 * schema validation (WriteSchema) catches the rest at loadModel.
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
            reasons.push(`tupleToUserset: '${type.name}.${rewrite.tupleset}->${rewrite.computed}' uses a permission as tupleset; SpiceDB allows only relations on the left of an arrow`);
            return;
          }
          const wildcards = tupleset.allowed.filter((a) => a.wildcard);
          if (wildcards.length > 0) {
            reasons.push(
              `tupleToUserset: tupleset relation '${type.name}.${rewrite.tupleset}' allows ${wildcards.map((a) => `${a.type}:*`).join(', ')}; SpiceDB rejects wildcards on the left of an arrow`,
            );
          }
          const usersets = tupleset.allowed.filter((a) => a.relation);
          if (usersets.length > 0) {
            reasons.push(
              `tupleToUserset: tupleset relation '${type.name}.${rewrite.tupleset}' allows ${usersets.map((a) => `${a.type}#${a.relation}`).join(', ')}; SpiceDB's arrow follows a userset subject's object, where the neutral model ignores userset subjects of a tupleset`,
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

// ---- relationships and requests (the shapes of @authzed/authzed-node's v1 messages) ----

export interface ObjectReference {
  objectType: string;
  objectId: string;
}

export interface SubjectReference {
  object: ObjectReference;
  optionalRelation: string;
}

export interface SpiceDbRelationship {
  resource: ObjectReference;
  relation: string;
  subject: SubjectReference;
  optionalCaveat?: { caveatName: string; context?: v1.PbStruct };
}

export interface SpiceDbCheck {
  resource: ObjectReference;
  permission: string;
  subject: SubjectReference;
  context?: v1.PbStruct;
}

export function toRelationship(rel: Relationship, names: SchemaNames, withCaveat = true): SpiceDbRelationship {
  const out: SpiceDbRelationship = {
    resource: { objectType: names.definition(rel.resource.type), objectId: encodeId(rel.resource.id) },
    relation: names.member(rel.resource.type, rel.relation),
    subject: {
      object: { objectType: names.definition(rel.subject.type), objectId: encodeId(rel.subject.id) },
      optionalRelation: rel.subject.relation ? names.member(rel.subject.type, rel.subject.relation) : '',
    },
  };
  if (withCaveat && rel.condition) {
    out.optionalCaveat = { caveatName: names.caveat(rel.condition.name), ...(rel.condition.parameters ? { context: toStruct(rel.condition.parameters) } : {}) };
  }
  return out;
}

/** An AuthZEN request as a CheckPermission item; its context carries the condition parameters (docs/model.md). */
export function toCheck(request: CheckRequest, schema: Pick<SpiceDbSchema, 'names' | 'requestParams'>): SpiceDbCheck {
  const { names } = schema;
  const check: SpiceDbCheck = {
    resource: { objectType: names.definition(request.resource.type), objectId: encodeId(request.resource.id) },
    permission: names.member(request.resource.type, request.action.name),
    subject: { object: { objectType: names.definition(request.subject.type), objectId: encodeId(request.subject.id) }, optionalRelation: '' },
  };
  const context = conditionContext(request, schema.requestParams);
  if (Object.keys(context).length > 0) check.context = toStruct(context);
  return check;
}

/** JSON values as a google.protobuf.Struct (SpiceDB converts them by the caveat's declared types). */
export function toStruct(values: Record<string, unknown>): v1.PbStruct {
  return v1.PbStruct.fromJson(JSON.parse(JSON.stringify(values)) as never);
}
