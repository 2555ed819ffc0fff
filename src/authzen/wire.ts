// The AuthZEN Authorization API 1.0 wire format (openid.net/specs/authorization-api-1_0):
// what a PEP sends and a PDP answers over HTTP. The harness's CheckRequest
// (src/core/request.ts) is already an access evaluation request; these are the envelopes.

import type { CheckRequest, Properties } from '../core/request.ts';

/** The default paths of the HTTPS binding, relative to the PDP's base URL. */
export const AUTHZEN_PATHS = Object.freeze({
  evaluation: '/access/v1/evaluation',
  evaluations: '/access/v1/evaluations',
  searchSubject: '/access/v1/search/subject',
  searchResource: '/access/v1/search/resource',
  searchAction: '/access/v1/search/action',
  metadata: '/.well-known/authzen-configuration',
});

export const EVALUATIONS_SEMANTICS = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] as const;
export type EvaluationsSemantic = (typeof EVALUATIONS_SEMANTICS)[number];

/** An Access Evaluation Response; `context` carries reasons or a per-item error. */
export interface EvaluationResponse {
  decision: boolean;
  context?: Properties;
}

/** The PDP metadata document (`/.well-known/authzen-configuration`). */
export interface PdpMetadata {
  policy_decision_point: string;
  access_evaluation_endpoint: string;
  access_evaluations_endpoint?: string;
  search_subject_endpoint?: string;
  search_resource_endpoint?: string;
  search_action_endpoint?: string;
  capabilities?: string[];
}

/** The request body of one evaluation, without absent optional members. */
export function toWire(request: CheckRequest): CheckRequest {
  return {
    subject: request.subject,
    action: request.action,
    resource: request.resource,
    ...(request.context !== undefined ? { context: request.context } : {}),
  };
}
