// Waiting for an engine to answer its health endpoint; fails early, with the log's tail,
// when the process exits first.
import { readFileSync } from 'node:fs';
import type { ManagedProcess } from './process.ts';

export interface HealthWait {
  /** Polled with GET until `accept` says yes (servers with an HTTP health endpoint). */
  url?: string;
  /** For a server without one: resolves undefined when ready, else what is wrong (e.g. `pg_isready`). */
  probe?: () => Promise<string | undefined>;
  /** Accepts the response; default: status 200. */
  accept?: (response: Response, body: string) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
  process?: ManagedProcess;
  headers?: Record<string, string>;
  /** What the timeout error says did not happen (e.g. `OPA did not activate bundle revision r3`); default: not healthy at the URL or probe. */
  notReady?: string;
}

export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function waitForHealthy(wait: HealthWait): Promise<void> {
  if (!wait.url && !wait.probe) throw new Error('waitForHealthy: give a url or a probe');
  const deadline = Date.now() + (wait.timeoutMs ?? 30_000);
  const accept = wait.accept ?? ((response: Response) => response.status === 200);
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (wait.process?.exited) {
      throw new Error(`${wait.process.name} ${wait.process.exitDescription()} before becoming healthy; log ${wait.process.logFile}:\n${logTail(wait.process.logFile)}`);
    }
    try {
      if (wait.probe) {
        const problem = await wait.probe();
        if (problem === undefined) return;
        last = problem;
      } else {
        const response = await fetch(wait.url!, { signal: AbortSignal.timeout(2000), ...(wait.headers ? { headers: wait.headers } : {}) });
        const body = await response.text();
        if (accept(response, body)) return;
        last = `HTTP ${response.status} ${body.slice(0, 200)}`;
      }
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, wait.intervalMs ?? 50));
  }
  const where = wait.process ? `; log ${wait.process.logFile}:\n${logTail(wait.process.logFile)}` : '';
  const what = wait.notReady ?? `${wait.process?.name ?? 'engine'} not healthy at ${wait.url ?? 'its readiness probe'}`;
  throw new Error(`${what} after ${wait.timeoutMs ?? 30_000} ms (last: ${last})${where}`);
}
