// What the figures were measured on: recorded in every results file.

import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { PROJECT_ROOT } from '../core/paths.ts';

export function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    ...loadAverage(),
  };
}

/** Load averages (1, 5, 15 min): how busy the machine was, so two runs' timings can be judged comparable. */
export function loadAverage(): { loadAverage?: [number, number, number] } {
  const [one, five, fifteen] = os.loadavg();
  // Windows reports zeros: no figure is better than a false "idle".
  if (one === undefined || five === undefined || fifteen === undefined || (one === 0 && five === 0 && fifteen === 0)) return {};
  return { loadAverage: [one, five, fifteen].map((x) => Math.round(x * 100) / 100) as [number, number, number] };
}
