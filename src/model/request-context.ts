// The context an engine that evaluates conditions itself (OpenFGA, SpiceDB) receives with a
// check: the request context, plus the parameters named `subject`, `resource`, `action` and
// `context` filled from the request (docs/model.md, Conditions). Shared by every such adapter.

import type { CheckRequest } from '../core/request.ts';
import { REQUEST_PARAMETERS } from './conditions.ts';
import type { Model } from './types.ts';

export { REQUEST_PARAMETERS };

/** Which of `subject`, `resource`, `action`, `context` some condition of the model declares as a parameter. */
export function requestParameters(model: Model): Set<string> {
  const names = new Set<string>();
  for (const condition of model.conditions.values()) {
    for (const name of REQUEST_PARAMETERS) if (condition.parameters.has(name)) names.add(name);
  }
  return names;
}

/**
 * The request context with, where the model declares them, `subject`, `resource` and `action`
 * set to the subject's, resource's and action's properties and `context` to the whole request context.
 */
export function conditionContext(request: CheckRequest, requestParams: ReadonlySet<string>): Record<string, unknown> {
  const context: Record<string, unknown> = { ...(request.context ?? {}) };
  if (requestParams.has('subject')) context.subject = request.subject.properties ?? {};
  if (requestParams.has('resource')) context.resource = request.resource.properties ?? {};
  if (requestParams.has('action')) context.action = request.action.properties ?? {};
  if (requestParams.has('context')) context.context = request.context ?? {};
  return context;
}
