// Run as its own Node process by engine-memory.ts: loads one dataset into one embedded engine
// and prints what the engine holds: the heap and its memory outside it (external, or the array
// buffers when more grew) after a full GC, minus the same before the dataset existed. A fresh process, so nothing of the
// harness's earlier phases is counted. Argument: a JSON MemoryProbeRequest. Output: one JSON line.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveEngineSpecs } from '../engines/registry.ts';
import { withEngine } from '../runner/engine-session.ts';
import { resolveRelationships } from '../runner/now.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import type { MemoryProbeAnswer, MemoryProbeRequest } from './engine-memory.ts';
import { loadWithinBudget } from './scale-load.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory-child needs --expose-gc');

/** The heap, the memory outside it and the RSS, after full collections. */
function held(): { heap: number; external: number; arrayBuffers: number; rss: number } {
  gc!();
  gc!();
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
  return { heap: heapUsed, external, arrayBuffers, rss };
}

/**
 * Heap growth plus the growth outside it: `external` holds a WebAssembly engine's memory and
 * ordinary ArrayBuffers, `arrayBuffers` holds ArrayBuffers and SharedArrayBuffers (the reference
 * store's tables: V8 leaves shared buffers out of `external`); the larger growth counts.
 */
function grownBy(before: ReturnType<typeof held>, after: ReturnType<typeof held>): number {
  return after.heap - before.heap + Math.max(after.external - before.external, after.arrayBuffers - before.arrayBuffers);
}

async function probe(request: MemoryProbeRequest): Promise<MemoryProbeAnswer> {
  const [spec] = await resolveEngineSpecs([request.engine]);
  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'authz-bench-memory-'));
  try {
    let answer: MemoryProbeAnswer = { error: 'not measured' };
    const outcome = await withEngine(spec!, { resultsDir, log: () => undefined }, async (adapter) => {
      const before = held();
      // Only the engine keeps the dataset: the scenario and the relationships go out of scope here.
      const loaded = await (async () => {
        const scenario = await loadScenarioFile(request.file, { generateParams: request.params });
        return loadWithinBudget(adapter, scenario.model, resolveRelationships(scenario.relationships), request.budget);
      })();
      const after = held();
      answer = loaded.loaded ? { bytes: grownBy(before, after), rssBytes: after.rss - before.rss, setupMs: loaded.setupMs } : { error: loaded.reason };
    });
    return outcome.started ? answer : { error: outcome.reason };
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
}

const answer = await probe(JSON.parse(process.argv[2] ?? '{}') as MemoryProbeRequest).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
process.stdout.write(`${JSON.stringify(answer)}\n`);
process.exit(0);
