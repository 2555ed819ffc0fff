// An embedded engine's own memory at a dataset size: measured in a fresh Node process
// (memory-child.ts) that loads the dataset into the engine alone, so the figure is what the
// engine holds, not the harness's whole-process RSS with leftovers of earlier phases. The
// process gets the memory budget as its heap limit and the time budget as its lifetime: an
// engine over either did not load, and the answer says which.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULE_EXTENSION } from '../core/paths.ts';
import { type LoadBudget, overTimeBudget } from './scale-load.ts';

export interface MemoryProbeRequest {
  /** Engine id as on the command line, e.g. `reference[nolog]`. */
  engine: string;
  /** Scenario file, and the generator parameters of this size. */
  file: string;
  params: Record<string, number>;
  budget: LoadBudget;
}

export type MemoryProbeAnswer = { bytes: number; rssBytes: number; setupMs: number } | { error: string };

export const HEAP_DELTA_METHOD = 'heap delta in a fresh process: heapUsed + external (or arrayBuffers, when they grew more) after full GCs, with the dataset loaded minus before it existed';
export const RSS_DELTA_METHOD =
  'RSS delta in a fresh process: the engine keeps its data in native memory outside the JS heap (its heap delta was under a quarter of this), with the dataset loaded minus before it existed';

/**
 * The figure to report: the heap delta, unless the process grew far more than its heap (an
 * engine whose data lives in native memory, e.g. a Go library over FFI): then the RSS delta,
 * which also holds freed pages of the generated dataset the allocator kept, so it is an upper bound.
 */
export function engineMemory(answer: { bytes: number; rssBytes: number }): { bytes: number; method: string } {
  return answer.rssBytes > 4 * answer.bytes ? { bytes: answer.rssBytes, method: RSS_DELTA_METHOD } : { bytes: answer.bytes, method: HEAP_DELTA_METHOD };
}

/**
 * Why a measured figure is over the memory budget, or undefined. The heap limit stops a JS
 * engine at the budget; an engine with native memory (SpiceDB embedded: 6.5 GiB at 10^6) is
 * not stopped by it, so its RSS delta is held to the same budget as a server's RSS.
 */
export function overMemoryBudget(memory: { bytes: number; method: string }, budget: LoadBudget): string | undefined {
  const mib = memory.bytes / 2 ** 20;
  return mib > budget.memoryMiB ? `memory ${Math.round(mib)} MiB (${memory.method.split(':')[0]}) over the budget of ${budget.memoryMiB} MiB` : undefined;
}

const CHILD = fileURLToPath(new URL(`./memory-child${MODULE_EXTENSION}`, import.meta.url));
/** Grace beyond the load budget for the process's start and its generator. */
const START_GRACE_MS = 30_000;

function nodeArguments(request: MemoryProbeRequest): string[] {
  // From the TypeScript sources the child needs tsx, as bin/authz-bench.js does.
  const loader = MODULE_EXTENSION === '.ts' ? ['--import', import.meta.resolve('tsx')] : [];
  return ['--expose-gc', `--max-old-space-size=${request.budget.memoryMiB}`, ...loader, CHILD, JSON.stringify(request)];
}

/** Runs the probe; any failure (out of memory, out of time, an engine error) is an answer with `error`. */
export function measureEngineMemory(request: MemoryProbeRequest): Promise<MemoryProbeAnswer> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArguments({ ...request, file: path.resolve(request.file) }), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, request.budget.timeMs + START_GRACE_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop();
      if (timedOut) return resolve({ error: overTimeBudget(request.budget) });
      if (/heap out of memory|Allocation failed/i.test(stderr)) return resolve({ error: `heap over the memory budget of ${request.budget.memoryMiB} MiB` });
      try {
        if (last) return resolve(JSON.parse(last) as MemoryProbeAnswer);
      } catch {
        // fall through: not an answer
      }
      resolve({ error: `the memory probe exited (${signal ?? `code ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}` });
    });
  });
}
