// Cerbos search. Resources: PlanResources gives a query plan for the principal (ALWAYS_ALLOWED,
// ALWAYS_DENIED, or CONDITIONAL with an expression over resource attributes); the harness
// applies it, as an application applies it to its rows, to every resource of the type the
// resolver knows (its attributes built by the resolver, plan.ts applies the condition). The
// engine's time (the PlanResources call) and the client-side time (attributes and plan over
// the candidates) are reported apart. Subjects and actions: Cerbos has neither search, so by
// checks (src/core/search.ts): CheckResources over each candidate subject the resolver knows
// (one call per principal, concurrent), the resolver's time apart from the engine's; over
// every relation and permission of the type.

import { PlanKind, planResourcesResponseIsConditional } from '@cerbos/core';
import type { GRPC } from '@cerbos/grpc';
import { errorMessage } from '../../src/core/errors.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { WILDCARD } from '../../src/core/relationship.ts';
import { type ChecksSearch, knownIds, NATIVE_MODE_SEARCH, type SearchAnswer, type SearchQuery, searchByChecks } from '../../src/core/search.ts';
import { planAllows, unsupportedOperators } from './plan.ts';
import type { Resolver } from './resolver.ts';

/** The checks by which subjects and actions are searched (src/core/search.ts), and what PlanResources needs. */
export interface CerbosSearchContext extends Pick<ChecksSearch, 'actions' | 'checkBatch' | 'checkBatchByName'> {
  cerbos: GRPC;
  resolver: Resolver;
  policyVersion: string;
}

type Query<K extends SearchQuery['kind']> = Extract<SearchQuery, { kind: K }>;

export async function searchCerbos(query: SearchQuery, context: CerbosSearchContext): Promise<SearchAnswer> {
  try {
    if (query.kind !== 'resources')
      return await searchByChecks(query, {
        engine: 'Cerbos',
        actions: context.actions,
        relationships: () => context.resolver.relationships(),
        checkBatch: context.checkBatch,
        checkBatchByName: context.checkBatchByName,
        clientMs: () => context.resolver.stats().totalMs,
      });
    // Native mode has no resolver data: the harness knows no candidates.
    if (!context.actions) return { unsupported: NATIVE_MODE_SEARCH };
    return await searchResources(query, context);
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
  const candidates = knownIds(resolver.relationships(), query.resourceType).filter((id) => id !== WILDCARD);
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

const planKindName = (kind: string) => kind.replace(/^KIND_/, '');
