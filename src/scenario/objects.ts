// Every object a scenario names, with the role it plays (the resource or the subject of a
// relationship, request or search), so an engine can say up front which ids it cannot take.

import type { ObjectRef, Relationship } from '../core/relationship.ts';
import type { CheckRequest } from '../core/request.ts';
import type { Scenario } from './types.ts';

export type ObjectRole = 'resource' | 'subject';

/** Calls `add` for each object of the relationships, the steps and the benchmark requests (repeats included: a visit is cheap, a set of a million keys is not). */
export function forEachScenarioObject(scenario: Scenario, add: (object: ObjectRef, role: ObjectRole) => void): void {
  const relationships = (list: readonly Relationship[] | undefined) => {
    for (const rel of list ?? []) {
      add(rel.resource, 'resource');
      add(rel.subject, 'subject');
    }
  };
  const request = (r: CheckRequest) => {
    add(r.resource, 'resource');
    add(r.subject, 'subject');
  };
  relationships(scenario.relationships);
  scenario.benchmark.forEach(request);
  for (const step of scenario.steps) {
    switch (step.kind) {
      case 'check':
        request(step.request);
        break;
      case 'batch':
        step.requests.forEach(request);
        break;
      case 'write':
      case 'delete':
        relationships(step.relationships);
        break;
      case 'revocation':
        request(step.request);
        relationships(step.revoke.delete);
        relationships(step.revoke.write);
        relationships(step.content?.write);
        if (step.content) request(step.content.request);
        break;
      case 'search': {
        const q = step.query;
        if (q.kind !== 'subjects') add(q.subject, 'subject');
        if (q.kind !== 'resources') add(q.resource, 'resource');
        break;
      }
      case 'updateModel':
      case 'expectLog':
        break;
    }
  }
}
