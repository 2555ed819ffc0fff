// Configuration `cerbos[authzen]`: the same Cerbos PDP, policies and resolver, but checks
// through Cerbos's AuthZEN endpoints on its HTTP listener (endpoints from its metadata
// document). Cerbos maps an AuthZEN subject to a principal whose attributes are
// `subject.properties` and whose roles are `properties["cerbos.roles"]` (else the subject
// type); a resource's attributes are `resource.properties`; the policy version and scope are
// read from `cerbos.policyVersion` and `cerbos.scope` in the properties (Cerbos 0.55.0,
// internal/svc/authzen_svc.go). So the resolver's attributes, roles and the load's policy version
// travel as properties: the policies see exactly what the gRPC checks give them.

import type { CheckRequest } from '../../src/core/request.ts';
import { AuthzenClient, defaultEndpoints, discover, endpointsFrom } from '../../src/authzen/client.ts';
import type { ResolvedAttributes } from './resolver.ts';

/** What a check sends, as the gRPC path builds it: resolved attributes, action, policy version (and scope). */
export function toAuthzenRequest(attrs: ResolvedAttributes, action: string, policy: { policyVersion: string; scope?: string }, subjectType: string): CheckRequest {
  const { principal, resource } = attrs;
  const selector = { 'cerbos.policyVersion': policy.policyVersion, ...(policy.scope ? { 'cerbos.scope': policy.scope } : {}) };
  return {
    subject: { type: subjectType, id: principal.id, properties: { ...principal.attr, 'cerbos.roles': principal.roles, ...selector } },
    action: { name: action },
    resource: { type: resource.kind, id: resource.id, properties: { ...resource.attr, ...selector } },
  };
}

/** A client for the PDP's AuthZEN endpoints, from its metadata document (the spec's paths if it has none). */
export async function cerbosAuthzenClient(httpUrl: string, headers: Record<string, string>): Promise<AuthzenClient> {
  const endpoints = await discover(httpUrl, headers).then(endpointsFrom, () => defaultEndpoints(httpUrl));
  return new AuthzenClient(httpUrl, { headers, endpoints });
}
