// One point of a scale measurement: every engine loaded with the same dataset through its
// bulk path within a budget (setup time), its own memory (server RSS, or for an embedded
// engine the heap delta in a fresh process), then its latency in interleaved rounds (closed
// loop, one client). Used by `bench --scale` (the published scale section) and by the cost
// curves (each curve point is such a point).

import v8 from 'node:v8';
import type { EngineAdapter } from '../core/adapter.ts';
import type { Relationship } from '../core/relationship.ts';
import { errorMessage } from '../core/errors.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { settleHeap } from '../load/settle-heap.ts';
import { summariseTrials, type LoadSummary } from '../load/trials.ts';
import type { CheckFn } from '../load/types.ts';
import { resolveRelationships } from '../runner/now.ts';
import type { Scenario } from '../scenario/types.ts';
import { engineMemory, measureEngineMemory, overMemoryBudget } from './engine-memory.ts';
import { inRounds } from './rounds.ts';
import { type LoadBudget, loadWithinBudget } from './scale-load.ts';

export const SERVER_RSS_METHOD = 'server RSS: VmRSS of the launched server process after loading';

export interface PointOptions {
  trials: number;
  durationMs: number;
  warmupMs: number;
  budget: LoadBudget;
  /** Measure embedded engines' memory in a fresh process (a few seconds each). */
  memory: boolean;
  log: (m: string) => void;
  /**
   * No point follows: the last group stays loaded (the engines are stopped next). Emptying a
   * store can cost more than loading it: SpiceDB deletes 1,000 relationships a call, and its
   * embedded memory datastore took over 14 minutes on 10^6 without finishing.
   */
  lastPoint?: boolean;
}

/** What is timed at a point, on a loaded engine: a check, a batch, a search. */
export type PointWork = (adapter: EngineAdapter, scenario: Scenario) => CheckFn | undefined;

export interface PointResult {
  engine: string;
  setupMs?: number;
  memoryMiB?: number;
  memoryMethod?: string;
  memoryNote?: string;
  latency?: LoadSummary;
  didNotLoad?: string;
}

/** The generator parameters that made `scenario`, for the memory probe to make it again in its own process. */
export interface PointDataset {
  scenario: Scenario;
  params: Record<string, number>;
}

/** Share of the free heap the loaded engines may fill: the rest is the harness's (each check's garbage, the dataset's relationships, the results). */
const HEAP_SHARE_FOR_ENGINES = 0.7;

/**
 * Groups engines so that those loaded at once fit the harness's heap (embedded engines hold
 * their data in it; a server engine holds none here): an engine needing more than is free is
 * measured in a group of its own.
 */
function heapGroups(engines: EngineAdapter[], need: Map<EngineAdapter, number>): EngineAdapter[][] {
  const free = () => HEAP_SHARE_FOR_ENGINES * (v8.getHeapStatistics().heap_size_limit - process.memoryUsage().heapUsed);
  const groups: EngineAdapter[][] = [];
  let current: EngineAdapter[] = [];
  let used = 0;
  for (const engine of engines) {
    const bytes = need.get(engine) ?? 0;
    if (current.length > 0 && used + bytes > free()) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(engine);
    used += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export async function measurePoint(engines: EngineAdapter[], dataset: PointDataset, work: PointWork, options: PointOptions): Promise<PointResult[]> {
  const { scenario } = dataset;
  const results = new Map<EngineAdapter, PointResult>(engines.map((e) => [e, { engine: e.id }]));
  const need = new Map<EngineAdapter, number>();
  // Memory first, each embedded engine in its own fresh process: it also finds the engines that cannot load this size.
  for (const engine of engines) {
    const result = results.get(engine)!;
    if (!engine.embedded || !options.memory) continue;
    const answer = await measureEngineMemory({ engine: engine.id, file: scenario.file, params: dataset.params, budget: options.budget });
    if ('error' in answer) {
      result.didNotLoad = answer.error;
      continue;
    }
    const memory = engineMemory(answer);
    const over = overMemoryBudget(memory, options.budget);
    if (over) result.didNotLoad = over;
    else {
      need.set(engine, answer.bytes);
      Object.assign(result, { memoryMiB: memory.bytes / 2 ** 20, memoryMethod: memory.method });
    }
  }
  const loadable = engines.filter((e) => !results.get(e)!.didNotLoad);
  const groups = heapGroups(loadable, need);
  for (const [index, group] of groups.entries()) {
    const checks = new Map<EngineAdapter, CheckFn>();
    // Made again for each group, so that none is alive (and marked by the collector) while engines are timed.
    let relationships: Relationship[] | undefined = resolveRelationships(scenario.relationships);
    for (const engine of group) {
      const result = results.get(engine)!;
      const outcome = await loadWithinBudget(engine, scenario.model, relationships, options.budget);
      if (!outcome.loaded) {
        result.didNotLoad = outcome.reason;
        options.log(`  ${engine.id}: did not load ${scenario.relationships.length} relationships: ${result.didNotLoad}`);
        continue;
      }
      result.setupMs = outcome.setupMs;
      if (!engine.embedded) {
        const rss = await engine.memoryBytes().catch(() => undefined);
        if (rss !== undefined) Object.assign(result, { memoryMiB: rss / 2 ** 20, memoryMethod: SERVER_RSS_METHOD, ...(engine.memoryNote ? { memoryNote: engine.memoryNote } : {}) });
      }
      const check = work(engine, scenario);
      if (check) checks.set(engine, check);
    }
    const timed = [...checks.keys()];
    // The load's garbage collected now, not during the first trials.
    relationships = undefined;
    settleHeap();
    const trials = await inRounds(timed, options.trials, (engine) => runClosedLoop(checks.get(engine)!, { concurrency: 1, durationMs: options.durationMs, warmupMs: options.warmupMs }));
    for (const engine of timed) results.get(engine)!.latency = summariseTrials(trials.get(engine)!);
    if (options.lastPoint && index === groups.length - 1) break;
    // Free the data before the next group or size (a fresh empty store).
    for (const engine of group) await engine.loadModel(scenario.model).catch((error) => options.log(`  ${engine.id}: could not empty the store: ${errorMessage(error)}`));
  }
  return engines.map((e) => results.get(e)!);
}
