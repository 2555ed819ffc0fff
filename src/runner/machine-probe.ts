// How fast this machine's memory was, and how contended its CPUs, when a benchmark started. On
// a shared machine both change from hour to hour with other tenants' load, and an in-process
// engine's latency on a large store follows its memory's: the same build read 4.6 and 6.9 µs
// per check at 10^6 relationships two hours apart. Recorded with every bench run (results
// run.memoryLatencyNs, run.cpuPressure), printed in its report, and `compare` says when two
// runs' differ.

import { readFileSync } from 'node:fs';

/**
 * The pointer chase: the median of CHASE_ROUNDS rounds of CHASE_STEPS dependent reads of random
 * 64-byte lines of a CHASE_MIB buffer, larger than the caches (each read waits for the one before).
 */
export const CHASE_MIB = 64;
const CHASE_BYTES = CHASE_MIB * 2 ** 20;
const LINE_INTS = 16;
const CHASE_STEPS = 200_000;
const CHASE_ROUNDS = 5;

export interface MachineProbe {
  /** Nanoseconds per dependent random read from memory (the pointer chase above). */
  memoryLatencyNs: number;
  /** Linux only: the share of the last 60 s some task waited for a CPU (PSI, /proc/pressure/cpu), in percent. */
  cpuPressure?: number;
}

export function probeMachine(): MachineProbe {
  const pressure = cpuPressure();
  return { memoryLatencyNs: Math.round(memoryLatencyNs() * 10) / 10, ...(pressure !== undefined ? { cpuPressure: pressure } : {}) };
}

/** Nanoseconds per read of a chase through one random cycle over every line of the buffer. */
export function memoryLatencyNs(bytes = CHASE_BYTES, steps = CHASE_STEPS, rounds = CHASE_ROUNDS): number {
  const lines = Math.max(2, Math.floor(bytes / (LINE_INTS * 4)));
  const next = new Int32Array(lines * LINE_INTS);
  // Sattolo's shuffle: one cycle through every line, so the chase never settles in a short loop.
  const order = new Int32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  let seed = 0x2545f491;
  for (let i = lines - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % i;
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let i = 0; i < lines; i++) next[order[i]! * LINE_INTS] = order[(i + 1) % lines]! * LINE_INTS;
  const times: number[] = [];
  let at = 0;
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) at = next[at]!;
    times.push(Number(process.hrtime.bigint() - started) / steps);
  }
  // `at` is used, so the chase cannot be optimised away.
  if (at < 0) throw new Error('unreachable');
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** `some avg60` of /proc/pressure/cpu, or undefined where there is none. */
export function cpuPressure(): number | undefined {
  try {
    return parseCpuPressure(readFileSync('/proc/pressure/cpu', 'utf8'));
  } catch {
    return undefined;
  }
}

/** `some avg60` of a PSI file's text. */
export function parseCpuPressure(text: string): number | undefined {
  const found = text.match(/^some .*\bavg60=([\d.]+)/m);
  return found ? Number(found[1]) : undefined;
}
