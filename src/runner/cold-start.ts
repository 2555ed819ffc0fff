// Cold vs warm: the first check after a fresh load (src/runner/load-scenario.ts, settled), the
// same check repeated (steady state), and the first check after a restart (stop, start, load
// again). For a server engine a restart is a new process; for an in-process engine it is a
// fresh engine instance in the same Node process, whose compiled code V8 keeps warm.

import type { EngineAdapter } from '../core/adapter.ts';
import { runWithDeadline } from '../core/deadline.ts';
import { errorMessage } from '../core/errors.ts';
import type { CheckRequest } from '../core/request.ts';
import type { ColdStartRecord } from '../results/types.ts';
import type { Scenario } from '../scenario/types.ts';
import { quantileInterval } from '../stats/quantile.ts';
import { LOAD_DEADLINE_MS, loadScenario } from './load-scenario.ts';
import { resolveRequest } from './now.ts';

/** Repetitions of the check after the first one: the steady state. */
const WARM_SAMPLES = 200;

const METHOD = `one check (the scenario's first benchmark request) right after loading it (its native block, or loadModel + relationships; settled); then ${WARM_SAMPLES} more of the same, sequential (steady state: p50, p99); then stop + start + load and the first check again`;

const load = (scenario: Scenario, adapter: EngineAdapter) => loadScenario(adapter, scenario, { deadlineMs: LOAD_DEADLINE_MS });

/** One check's latency in ms; an engine error is thrown (a cold start that errors is no figure). */
async function timedCheck(adapter: EngineAdapter, request: CheckRequest): Promise<number> {
  const resolved = resolveRequest(request);
  const started = performance.now();
  // A first check may compile the policy: the deadline of a load, not of a check.
  const decision = await runWithDeadline(LOAD_DEADLINE_MS, 'check', () => adapter.check(resolved));
  const ms = performance.now() - started;
  if (decision.error) throw new Error(decision.error);
  return ms;
}

/** `restart` stops and starts the engine again (undefined: the engine cannot be restarted here, with why in `noRestart`). */
export async function measureColdStart(scenario: Scenario, adapter: EngineAdapter, restart: (() => Promise<void>) | undefined, noRestart = 'not restarted'): Promise<ColdStartRecord> {
  const base = { engine: adapter.id, scenario: scenario.id, method: METHOD };
  const request = scenario.benchmark[0];
  const restartKind = adapter.embedded ? 'a fresh engine instance in the same process (stop + start; V8 keeps its compiled code)' : 'stop + start of the engine process';
  if (!request) return { ...base, warmSamples: 0, restart: noRestart, error: 'the scenario has no benchmark request to time' };
  const record: ColdStartRecord = { ...base, warmSamples: 0, restart: restart ? restartKind : noRestart };
  try {
    await load(scenario, adapter);
    record.afterLoadMs = await timedCheck(adapter, request);
    const warm: number[] = [];
    for (let i = 0; i < WARM_SAMPLES; i++) warm.push(await timedCheck(adapter, request));
    record.warmP50Ms = quantileInterval(warm, 0.5).value;
    record.warmP99Ms = quantileInterval(warm, 0.99).value;
    record.warmSamples = warm.length;
    if (restart) {
      const stopped = performance.now();
      await restart();
      record.restartMs = performance.now() - stopped;
      await load(scenario, adapter);
      record.afterRestartMs = await timedCheck(adapter, request);
    }
  } catch (error) {
    record.error = errorMessage(error);
  }
  return record;
}
