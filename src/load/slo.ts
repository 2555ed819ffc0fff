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
  /** The search for the highest passing rate doubles from here up to maxRate. */
  startRate: number;
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

export async function sloVerdict(check: CheckFn, options: SloOptions): Promise<SloVerdict> {
  const at = (rate: number, trials: number) =>
    runTrials(trials, () => runOpenLoop(check, { rate, connections: options.connections, durationMs: options.durationMs, warmupMs: options.warmupMs }));
  // The verdict uses the mean p99 over trials (the report shows its interval beside it);
  // a rate the engine cannot keep up with fails even if the few answers were fast.
  const holds = (s: LoadSummary, rate: number) => s.p99.mean <= options.thresholdMs && s.errors === 0 && s.throughput.mean >= rate * 0.9;
  const atTarget = await at(options.targetRate, options.trials);
  const ramp: SloVerdict['ramp'] = [];
  let highestPassingRate: number | undefined;
  for (let rate = options.startRate; rate <= options.maxRate; rate *= 2) {
    const s = await at(rate, 1);
    const pass = holds(s, rate);
    ramp.push({ rate, p99: s.p99.mean, throughput: s.throughput.mean, pass });
    if (!pass) break;
    highestPassingRate = rate;
  }
  return { thresholdMs: options.thresholdMs, targetRate: options.targetRate, atTarget, pass: holds(atTarget, options.targetRate), ...(highestPassingRate ? { highestPassingRate } : {}), ramp };
}
