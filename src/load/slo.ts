// The SLO verdict: is p99 under the threshold at the target rate, and what is the highest
// rate (doubling from a start rate) at which it still holds?

import { runOpenLoop } from './open-loop.ts';
import { runTrials, type LoadSummary } from './trials.ts';
import type { CheckFn } from './types.ts';

export interface SloOptions {
  thresholdMs: number;
  targetRate: number;
  connections: number;
  trials: number;
  durationMs: number;
  warmupMs: number;
  /** The search for the highest passing rate doubles from the target up to this (or halves below it). */
  maxRate: number;
}

export interface SloVerdict {
  thresholdMs: number;
  targetRate: number;
  atTarget: LoadSummary;
  pass: boolean;
  highestPassingRate?: number;
  ramp: { rate: number; p99: number; throughput: number; pass: boolean }[];
}

/**
 * The SLO test of one load at one rate, for the built-in open loop and for imported results
 * of an external load generator alike: the mean p99 over trials (the report shows its
 * interval beside it) under the threshold, no errors, and at least 90% of the rate served
 * (a rate the engine cannot keep up with fails even if the few answers were fast).
 */
export function sloHolds(summary: LoadSummary, rate: number, thresholdMs: number): boolean {
  return summary.p99.mean <= thresholdMs && summary.errors === 0 && summary.throughput.mean >= rate * 0.9;
}

export async function sloVerdict(check: CheckFn, options: SloOptions): Promise<SloVerdict> {
  const at = (rate: number, trials: number) =>
    runTrials(trials, () => runOpenLoop(check, { rate, connections: options.connections, durationMs: options.durationMs, warmupMs: options.warmupMs }));
  const holds = (s: LoadSummary, rate: number) => sloHolds(s, rate, options.thresholdMs);
  const atTarget = await at(options.targetRate, options.trials);
  const ramp: SloVerdict['ramp'] = [];
  let highestPassingRate: number | undefined;
  const tryRate = async (rate: number) => {
    const s = await at(rate, 1);
    const pass = holds(s, rate);
    ramp.push({ rate, p99: s.p99.mean, throughput: s.throughput.mean, pass });
    if (pass) highestPassingRate = Math.max(highestPassingRate ?? 0, rate);
    return pass;
  };
  if (holds(atTarget, options.targetRate)) {
    // Up from the target, doubling, until it fails.
    highestPassingRate = options.targetRate;
    for (let rate = options.targetRate * 2; rate <= options.maxRate; rate *= 2) if (!(await tryRate(rate))) break;
  } else {
    // Down from the target, halving, until it holds (or 1/64 of the target).
    for (let rate = Math.floor(options.targetRate / 2); rate >= Math.max(1, options.targetRate / 64); rate = Math.floor(rate / 2)) if (await tryRate(rate)) break;
  }
  return {
    thresholdMs: options.thresholdMs,
    targetRate: options.targetRate,
    atTarget,
    pass: holds(atTarget, options.targetRate),
    ...(highestPassingRate ? { highestPassingRate } : {}),
    ramp,
  };
}
