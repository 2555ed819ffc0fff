// Conditional relationships as Cedar policies. A relationship with a condition (`folder:t#viewer
// @user:tim with not_expired {expires_at: ...}`) cannot be an entity parent: Cedar's `in` is
// unconditional. It becomes what a time-boxed grant is in Cedar: its own `permit`, scoped to
// its subject (`principal == user::"tim"`, or `principal is user` for `user:*`), that opens the
// relation's node inside each policy that tests a node this relation reaches, with the
// condition as a `when` clause (bound parameters inlined, request parameters from `context`):
//
//   permit(principal == user::"tim", action == Action::"view", resource is folder)
//   when { folder::viewer::"t" in resource["view"] && (context has "now" && context["now"] < datetime("2026-01-01T00:00:00.000Z")) };
//
// Also the request's context: the parameters conditions read, converted to Cedar values.

import { formatRelationship, relationshipKey, WILDCARD, type Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { cedarContextValue, cedarLiteral, cedarString } from './cel.ts';
import { attributeNode, clauseAtoms, renderClause, type CedarTranslation } from './translate.ts';

export interface GrantPolicies {
  /** Policy id -> text. */
  policies: Map<string, string>;
  /** Why the relationship grants nothing (undefined condition, invalid bound parameter). */
  problem?: string;
}

/** The policies one conditional relationship contributes under the loaded translation. */
export function grantPolicies(rel: Relationship, translation: CedarTranslation): GrantPolicies {
  const policies = new Map<string, string>();
  const bound = rel.condition!;
  const where = formatRelationship(rel);
  const condition = translation.conditions.get(bound.name);
  if (!condition) {
    const reason = translation.model.conditions.has(bound.name) ? 'has no Cedar translation' : 'is not defined in the model';
    return { policies, problem: `condition '${bound.name}' on ${where} ${reason}` };
  }
  const parameters = bound.parameters ?? {};
  let text: string;
  try {
    text = condition.render((name) => (Object.hasOwn(parameters, name) ? { literal: cedarLiteral(parameters[name], condition.used.get(name)!) } : 'context'));
  } catch (error) {
    return { policies, problem: `condition '${bound.name}' on ${where}: bound parameter: ${(error as Error).message}` };
  }
  const reach = translation.reach.get(`${rel.resource.type}#${rel.relation}`);
  if (!reach) return { policies, problem: `${where}: the model allows no condition on ${rel.resource.type}#${rel.relation}` };
  const names = translation.names;
  const principal = rel.subject.id === WILDCARD ? `principal is ${names.object(rel.subject.type)}` : `principal == ${names.object(rel.subject.type)}::${cedarString(rel.subject.id)}`;
  const node = `${names.node(rel.resource.type, rel.relation)}::${cedarString(rel.resource.id)}`;
  for (const clauses of translation.clauses.values()) {
    for (const clause of clauses) {
      for (const atom of clauseAtoms(clause)) {
        if (atom.negated || !reach.has(attributeNode(clause.type, atom.attribute))) continue;
        policies.set(`grant ${relationshipKey(rel)} ${clause.id}`, renderClause(clause, names, { principal, attribute: atom.attribute.key, node, condition: text }));
      }
    }
  }
  return { policies };
}

/** The Cedar context of a request: the parameters conditions read, by their Cedar types; notes name what was left out. */
export function requestContext(request: CheckRequest, translation: CedarTranslation, notes: string[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  const given = request.context ?? {};
  for (const [name, type] of translation.contextTypes) {
    if (!Object.hasOwn(given, name)) continue;
    try {
      context[name] = cedarContextValue(given[name], type);
    } catch (error) {
      // Left out, so every grant that reads it fails closed, as an invalid parameter does in the reference engine.
      notes.push(`context '${name}': ${(error as Error).message}`);
    }
  }
  return context;
}
