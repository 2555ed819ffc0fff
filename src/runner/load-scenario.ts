// Loading a scenario into an engine, the one way every caller does it: the scenario's native
// block where the engine has one, else its model and relationships; then settleModel, so that
// an engine that applies changes asynchronously (OPA's polled bundle, Cerbos's watched folder)
// serves them before any check is judged or timed.

import type { EngineAdapter } from '../core/adapter.ts';
import { runWithDeadline } from '../core/deadline.ts';
import type { Relationship } from '../core/relationship.ts';
import type { Scenario } from '../scenario/types.ts';
import { resolveRelationships } from './now.ts';

/** The least deadline of a loading call: a policy watcher or a bundle poll may take seconds. */
export const LOAD_DEADLINE_MS = 60_000;

export interface LoadScenarioOptions {
  /** Deadline of each engine call: loadNative or loadModel, the relationships, settleModel. */
  deadlineMs: number;
  /** How the relationships go in; default one `write` of them all (loading at scale: the bulk path, or chunks within a budget). */
  writeRelationships?: (relationships: Relationship[]) => Promise<void>;
}

/** The scenario's native block for this engine, when the adapter can load one. */
export function nativeSpecFor(scenario: Pick<Scenario, 'native'>, adapter: EngineAdapter) {
  return adapter.loadNative ? scenario.native[adapter.definitionId] : undefined;
}

/** Loads the scenario and waits until the engine serves it; says whether the native block or the model went in. */
export async function loadScenario(adapter: EngineAdapter, scenario: Pick<Scenario, 'model' | 'relationships' | 'native'>, options: LoadScenarioOptions): Promise<'native' | 'model'> {
  const within = <T>(what: string, call: () => Promise<T>) => runWithDeadline(options.deadlineMs, what, call);
  const native = nativeSpecFor(scenario, adapter);
  if (native) await within('loadNative', () => adapter.loadNative!(native));
  else {
    await within('loadModel', () => adapter.loadModel(scenario.model));
    const write = options.writeRelationships ?? ((relationships: Relationship[]) => adapter.write(relationships));
    if (scenario.relationships.length > 0) await within('write', () => write(resolveRelationships(scenario.relationships)));
  }
  if (adapter.settleModel) await within('settleModel', () => adapter.settleModel!());
  return native ? 'native' : 'model';
}
