// Cerbos search. Resources: PlanResources gives a query plan for the principal (ALWAYS_ALLOWED,
// ALWAYS_DENIED, or CONDITIONAL with an expression over resource attributes); the harness
// applies it, as an application applies it to its rows, to every resource of the type the
// resolver knows (its attributes built by the resolver, plan.ts applies the condition). The
// engine's time (the PlanResources call) and the client-side time (attributes and plan over
// the candidates) are reported apart. Subjects: Cerbos has no subject search, so one check
// per candidate subject the resolver knows ("by candidate checks"). Actions: one
// CheckResources over every relation and permission of the type.

import { PlanKind, planResourcesResponseIsConditional } from '@cerbos/core';
import type { GRPC } from '@cerbos/grpc';
import { errorMessage } from '../../src/core/errors.ts';
import type { CheckRequest, Decision } from '../../src/core/request.ts';
import { actionSearchByChecks, type SearchAnswer, type SearchQuery } from '../../src/core/search.ts';
import { planAllows, unsupportedOperators } from './plan.ts';
import type { Resolver } from './resolver.ts';

export interface CerbosSearchContext {
  cerbos: GRPC;
  resolver: Resolver;
  policyVersion: string;
  /** Relations and permissions per type of the loaded neutral model; undefined in native mode. */
  actions: ReadonlyMap<string, string[]> | undefined;
  checkBatch: (requests: CheckRequest[]) => Promise<Decision[]>;
}

type Query<K extends SearchQuery['kind']> = Extract<SearchQuery, { kind: K }>;

export async function searchCerbos(query: SearchQuery, context: CerbosSearchContext): Promise<SearchAnswer> {
  // Native mode has no resolver data: the harness knows no candidates.
  if (!context.actions) return { unsupported: 'search: native mode: the harness knows no candidate resources or subjects (static attributes)' };
  try {
    switch (query.kind) {
      case 'resources':
        return await searchResources(query, context);
      case 'subjects':
        return await searchSubjects(query, context);
      case 'actions':
        return await actionSearchByChecks(query, context.actions, context.checkBatch, 'CheckResources over every relation and permission of the type (Cerbos has no action search)');
    }
  } catch (error) {
    return { error: `Cerbos search: ${errorMessage(error)}` };
  }
}

async function searchResources(query: Query<'resources'>, { cerbos, resolver, policyVersion }: CerbosSearchContext): Promise<SearchAnswer> {
  const request = (id: string): CheckRequest => ({
    subject: query.subject,
    action: query.action,
    resource: { type: query.resourceType, id },
    ...(query.context ? { context: query.context } : {}),
  });
  const principal = resolver.principal(request(''));
  const engineStart = performance.now();
  const plan = await cerbos.planResources({
    principal: { id: principal.id, roles: principal.roles, attr: principal.attr as never },
    resource: { kind: query.resourceType, policyVersion },
    action: query.action.name,
  });
  const engineMs = performance.now() - engineStart;
  const errors = plan.validationErrors.map((e) => `${e.path}: ${e.message}`);
  if (errors.length) return { error: `Cerbos PlanResources validation: ${errors.join('; ')}` };
  const clientStart = performance.now();
  const candidates = resolver.objectIds(query.resourceType).filter((id) => id !== '*');
  let ids: string[];
  if (!planResourcesResponseIsConditional(plan)) ids = plan.kind === PlanKind.ALWAYS_ALLOWED ? candidates : [];
  else {
    const unknown = unsupportedOperators(plan.condition);
    if (unknown.length) return { unsupported: `search: Cerbos's plan uses ${unknown.map((o) => `'${o}'`).join(', ')}, which the harness cannot apply` };
    ids = candidates.filter((id) => planAllows(plan.condition, resolver.resource(request(id))));
  }
  const clientMs = performance.now() - clientStart;
  return {
    ids,
    method: `PlanResources (${planKindName(plan.kind)}), the plan applied by the harness to the ${candidates.length} ${query.resourceType} resources it knows`,
    planKind: planKindName(plan.kind),
    engineMs,
    clientMs,
  };
}

/**
 * Subjects by candidate checks, each subject checked alone (not as a member of `type:*`), and
 * `*` checked as itself: a wildcard reached is `*` in the answer beside the subjects a chain of
 * their own reaches, as the reference engine answers.
 */
async function searchSubjects(query: Query<'subjects'>, { cerbos, resolver, policyVersion }: CerbosSearchContext): Promise<SearchAnswer> {
  const allows = async (id: string) => {
    const request: CheckRequest = { subject: { type: query.subjectType, id }, action: query.action, resource: query.resource, ...(query.context ? { context: query.context } : {}) };
    const principal = resolver.principal(request, false);
    const resource = resolver.resource(request);
    const response = await cerbos.checkResources({
      principal: { id: principal.id, roles: principal.roles, attr: principal.attr as never },
      resources: [{ resource: { kind: resource.kind, id: resource.id, policyVersion, attr: resource.attr as never }, actions: [query.action.name] }],
    });
    return response.results[0]?.actions[query.action.name] === 'EFFECT_ALLOW';
  };
  const candidates = resolver.objectIds(query.subjectType);
  const engineStart = performance.now();
  const allowed: string[] = [];
  for (const id of candidates) if (await allows(id)) allowed.push(id);
  return {
    ids: allowed,
    method: `CheckResources by candidate checks over the ${candidates.length} ${query.subjectType} subjects the harness knows (Cerbos has no subject search)`,
    engineMs: performance.now() - engineStart,
  };
}

const planKindName = (kind: string) => kind.replace(/^KIND_/, '');
