// AuthZEN-shaped access evaluation requests and decisions (Authorization API 1.0).
// Every engine receives exactly these, so a difference in answers is the engine's.

export type Properties = Record<string, unknown>;

export interface Subject {
  type: string;
  id: string;
  properties?: Properties;
}

export interface Action {
  name: string;
  properties?: Properties;
}

export interface Resource {
  type: string;
  id: string;
  properties?: Properties;
}

export interface CheckRequest {
  subject: Subject;
  action: Action;
  resource: Resource;
  context?: Properties;
}

export interface Decision {
  allowed: boolean;
  /** Human-readable why: the grant chain, the denying rule, or the error. */
  reason?: string;
  /** The engine's own id for this decision (OPA decision_id, Cerbos cerbosCallId, ...). */
  decisionId?: string;
  /** Set when the engine failed to decide; `allowed` is then false and meaningless. */
  error?: string;
}

export function describeRequest(request: CheckRequest): string {
  return `${request.subject.type}:${request.subject.id} ${request.action.name} ${request.resource.type}:${request.resource.id}`;
}
