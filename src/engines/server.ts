// What the server adapters share about the engine process they talk to: its resident memory
// and an HTTP health probe. (Starting it is server-engine.ts.)

import { readFileSync } from 'node:fs';
import { groupPids } from './process.ts';

/** Resident memory of a process (VmRSS in /proc/<pid>/status), bytes; undefined where unknown. */
export function processMemoryBytes(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Memory of a process group (e.g. a PostgreSQL postmaster and its backends): the sum of each
 * process's proportional set size (Pss, /proc/<pid>/smaps_rollup), so shared memory the
 * backends all map is counted once, not once per backend.
 */
export function groupMemoryBytes(pgid: number): number {
  let total = 0;
  for (const pid of groupPids(pgid)) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : (processMemoryBytes(pid) ?? 0);
    } catch {
      // the process has exited
    }
  }
  return total;
}

/**
 * GET a health endpoint (3 s timeout): undefined when healthy, else why not. `check` may
 * inspect the JSON body of a 2xx answer and return a problem.
 */
export async function httpHealth(name: string, url: string, headers?: Record<string, string>, check?: (body: unknown) => string | undefined): Promise<string | undefined> {
  const endpoint = new URL(url).pathname;
  try {
    const response = await fetch(url, { headers: { ...headers }, signal: AbortSignal.timeout(3000) });
    if (!response.ok) {
      await response.body?.cancel();
      return `${name} ${endpoint} answered HTTP ${response.status}`;
    }
    if (!check) {
      await response.body?.cancel();
      return undefined;
    }
    return check(await response.json());
  } catch (error) {
    return `${name} does not answer ${endpoint}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
