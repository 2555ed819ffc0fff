// Warnings about a scenario that loads but probably does not mean what it says (shown by
// `authz-bench validate`, exit 0). Today: condition parameters that nothing supplies.

import type { Relationship } from '../core/relationship.ts';
import type { CheckRequest } from '../core/request.ts';
import { compileCondition, REQUEST_PARAMETERS } from '../model/conditions.ts';
import { scenarioModels } from '../runner/run-scenario.ts';
import type { Scenario } from './types.ts';

/**
 * A parameter that no relationship binds can only come from a check's context, by its name.
 * When no check's context has it either, the condition is undecided on every check (denied);
 * AuthZEN puts attributes in the subject's, resource's and action's `properties`, which the
 * parameters named `subject`, `resource` and `action` receive.
 */
export function scenarioWarnings(scenario: Scenario): string[] {
  const relationships: Relationship[] = [...scenario.relationships];
  const requests: CheckRequest[] = [...scenario.benchmark];
  const contexts: Record<string, unknown>[] = []; // the searches' contexts
  for (const step of scenario.steps) {
    if (step.kind === 'write') relationships.push(...step.relationships);
    if (step.kind === 'check' || step.kind === 'revocation') requests.push(step.request);
    if (step.kind === 'batch') requests.push(...step.requests);
    if (step.kind === 'revocation') relationships.push(...(step.revoke.write ?? []));
    if (step.kind === 'search' && step.query.context) contexts.push(step.query.context);
  }
  const warnings = new Set<string>();
  for (const model of scenarioModels(scenario)) {
    for (const condition of model.conditions.values()) {
      let used: readonly string[];
      try {
        used = compileCondition(condition).used;
      } catch {
        continue; // the loader reports CEL errors
      }
      for (const name of used) {
        if ((REQUEST_PARAMETERS as readonly string[]).includes(name)) continue;
        if (relationships.some((r) => r.condition?.name === condition.name && r.condition.parameters && Object.hasOwn(r.condition.parameters, name))) continue;
        if (requests.some((r) => r.context && Object.hasOwn(r.context, name)) || contexts.some((c) => Object.hasOwn(c, name))) continue;
        const holders = (['subject', 'resource', 'action'] as const).filter((part) => requests.some((r) => r[part].properties && Object.hasOwn(r[part].properties!, name)));
        const hint = holders.length
          ? `; the checks carry it in ${holders.map((h) => `${h}.properties`).join(' and ')}: declare a parameter ${holders[0]}: map<any> and read ${holders[0]}.${name}`
          : "; give it in the checks' context or bind it in the relationships";
        warnings.add(
          `model.conditions.${condition.name}.parameters.${name}: no relationship binds '${name}' and no check's context has it, so the condition is undecided (denied) on every check${hint}`,
        );
      }
    }
  }
  return [...warnings];
}
