// The neutral authorization model: types, relations, permissions (rewrites) and
// conditions. It is the one model every adapter compiles into its engine's language.
// The YAML syntax is documented in docs/model.md; src/model/parse.ts builds this.

export interface Model {
  types: Map<string, TypeDefinition>;
  conditions: Map<string, ConditionDefinition>;
  /** Which type is the tenant, where the scenario has tenants (docs/model.md, Tenancy). */
  tenancy?: Tenancy;
}

/**
 * Declares the type whose objects are tenants. It changes no answer: the reference engine and
 * most adapters ignore it; OpenFGA's `store-per-tenant` configuration routes by it.
 */
export interface Tenancy {
  /** A declared type; an object belongs to tenant `type:X` through a relationship `object#r@type:X`. */
  type: string;
}

export interface TypeDefinition {
  name: string;
  /** Directly assignable relations, written as relationships. */
  relations: Map<string, RelationDefinition>;
  /** Computed relations: rewrites over this type's relations and permissions. */
  permissions: Map<string, PermissionDefinition>;
}

export interface RelationDefinition {
  name: string;
  allowed: AllowedSubject[];
}

/** One entry of a relation's allowed subjects: `user`, `user:*`, `group#member`, `user with cond`. */
export interface AllowedSubject {
  type: string;
  relation?: string;
  wildcard?: boolean;
  condition?: string;
}

export interface PermissionDefinition {
  name: string;
  rewrite: Rewrite;
  /** The expression as written, kept for messages and reports. */
  source: string;
}

export type Rewrite =
  | { kind: 'computed'; relation: string }
  | { kind: 'tupleToUserset'; tupleset: string; computed: string }
  | { kind: 'union'; children: Rewrite[] }
  | { kind: 'intersection'; children: Rewrite[] }
  | { kind: 'exclusion'; base: Rewrite; subtract: Rewrite };

export type ParameterType = { kind: 'string' | 'int' | 'uint' | 'double' | 'bool' | 'timestamp' | 'duration' | 'ipaddress' | 'any' } | { kind: 'list' | 'map'; element: ParameterType };

export interface ConditionDefinition {
  name: string;
  parameters: Map<string, ParameterType>;
  /** A CEL expression over the parameters. */
  expression: string;
}

/** The rewrite features a model uses; adapters declare which they support. */
export type ModelFeature = 'usersets' | 'wildcards' | 'conditions' | 'union' | 'intersection' | 'exclusion' | 'tupleToUserset';

export function formatParameterType(type: ParameterType): string {
  return type.kind === 'list' || type.kind === 'map' ? `${type.kind}<${formatParameterType(type.element)}>` : type.kind;
}

export function modelFeatures(model: Model): Set<ModelFeature> {
  const features = new Set<ModelFeature>();
  const visit = (rewrite: Rewrite): void => {
    switch (rewrite.kind) {
      case 'computed':
        return;
      case 'tupleToUserset':
        features.add('tupleToUserset');
        return;
      case 'union':
      case 'intersection':
        features.add(rewrite.kind);
        rewrite.children.forEach(visit);
        return;
      case 'exclusion':
        features.add('exclusion');
        visit(rewrite.base);
        visit(rewrite.subtract);
    }
  };
  for (const type of model.types.values()) {
    for (const relation of type.relations.values()) {
      for (const allowed of relation.allowed) {
        if (allowed.relation) features.add('usersets');
        if (allowed.wildcard) features.add('wildcards');
        if (allowed.condition) features.add('conditions');
      }
    }
    for (const permission of type.permissions.values()) visit(permission.rewrite);
  }
  return features;
}
