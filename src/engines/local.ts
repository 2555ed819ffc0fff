// The `local` launch strategy's common part: clean stale engines, spawn, wait for health.
import { cleanStaleProcesses, spawnManaged, type ManagedProcess, type SpawnOptions } from './process.ts';
import { waitForHealthy, type HealthWait } from './health.ts';

export interface LocalStart extends SpawnOptions {
  health: Omit<HealthWait, 'process'>;
}

/** Spawns an engine (after killing engines left by dead harness runs) and waits until it is healthy. */
export async function startLocalProcess(options: LocalStart): Promise<ManagedProcess> {
  cleanStaleProcesses();
  const child = spawnManaged(options);
  const spawnError = await Promise.race([child.spawnError(), new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
  if (child.pid <= 0) throw new Error(`cannot start ${options.name} (${options.binary}): ${spawnError?.message ?? 'spawn failed'}`);
  try {
    await waitForHealthy({ ...options.health, process: child });
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
  return child;
}
