// The SLO verdict: does p99 stay under the threshold at the target rate, and what is the
// highest rate at which it still holds?
//
// Method (stable across identical runs; docs/benchmarking.md, "SLO verdict"):
// - A rate holds when a majority of its trials hold, each trial judged alone (p99 under the
//   threshold, no errors, at least 90% of the rate served). One trial disturbed by another
//   process on a shared machine does not flip the verdict, as it could a mean over trials.
//   When the trials disagree, as many again are run and the majority of all decides: two
//   disturbed trials of three no longer send the search the wrong way.
// - The highest passing rate is searched on a fixed geometric grid (the target × 2^(k/2^m)):
//   doubling up from the start while the SLO holds (halving down until it does), then
//   bisecting the bracket [highest passing, lowest failing] at its geometric middle until
//   lowest failing / highest passing ≤ the tolerance. Every run probes the same grid, so two
//   runs give the same rate or neighbouring grid rates; they agree when their brackets overlap.

import type { LoadSummary } from './trials.ts';
import type { LoadTrial } from './types.ts';

/** Bisection stops when lowest failing / highest passing is at most this (2^(1/4): 2 bisections after a doubling). */
export const DEFAULT_RATE_TOLERANCE = 1.2;

export interface RampStep {
  rate: number;
  /** Mean p99 over the trials at this rate. */
  p99: number;
  throughput: number;
  pass: boolean;
  /** Trials that held, of `trials`. */
  held?: number;
  trials?: number;
}

/** One trial's SLO test: p99 under the threshold, no errors, and at least 90% of the rate served. */
export function trialHolds(trial: LoadTrial, rate: number, thresholdMs: number): boolean {
  return trial.latency.p99 <= thresholdMs && trial.errors === 0 && trial.throughput >= rate * 0.9;
}

/**
 * The SLO test of one load at one rate, for the built-in open loop and for imported results
 * of an external load generator alike: a majority of the trials hold (see trialHolds).
 */
export function sloHolds(summary: LoadSummary, rate: number, thresholdMs: number): boolean {
  const held = summary.trials.filter((t) => trialHolds(t, rate, thresholdMs)).length;
  return held * 2 > summary.trials.length;
}

/**
 * The verdict at one rate from its trials so far: unanimous trials decide at once; split ones
 * decide by majority once there are twice `baseTrials` of them (a tie: three times, a tie
 * then fails); before that, undecided (run `baseTrials` more).
 */
export function rateVerdict(trials: LoadTrial[], rate: number, thresholdMs: number, baseTrials: number): 'holds' | 'fails' | 'undecided' {
  const held = trials.filter((t) => trialHolds(t, rate, thresholdMs)).length;
  if (held === trials.length) return 'holds';
  if (held === 0) return 'fails';
  const tie = held * 2 === trials.length;
  if (trials.length < 2 * baseTrials || (tie && trials.length < 3 * baseTrials)) return 'undecided';
  return held * 2 > trials.length ? 'holds' : 'fails';
}

export interface RateSearchOptions {
  /** First rate probed (the SLO's target rate). */
  start: number;
  maxRate: number;
  /** Lowest rate tried when halving down. */
  minRate: number;
  /** Bisection stops at lowest failing / highest passing ≤ tolerance (> 1). */
  tolerance: number;
}

/**
 * The search for the highest passing rate, as a pure state machine so that several engines'
 * searches can be stepped in interleaved rounds and a unit test can drive it with a
 * deterministic verdict. `next()` is the rate to probe (undefined: done); `observe()` its verdict.
 */
export class RateSearch {
  highestPassing: number | undefined;
  lowestFailing: number | undefined;
  private pending: number | undefined;

  constructor(private readonly options: RateSearchOptions) {
    if (!(options.tolerance > 1)) throw new Error(`rate search tolerance must be above 1, not ${options.tolerance}`);
    this.pending = options.start;
  }

  next(): number | undefined {
    return this.pending;
  }

  observe(rate: number, holds: boolean): void {
    if (holds) this.highestPassing = Math.max(this.highestPassing ?? 0, rate);
    else this.lowestFailing = Math.min(this.lowestFailing ?? Number.POSITIVE_INFINITY, rate);
    this.pending = this.choose();
  }

  private choose(): number | undefined {
    const { maxRate, minRate, tolerance } = this.options;
    const lo = this.highestPassing;
    const hi = this.lowestFailing;
    if (hi === undefined) return lo! * 2 <= maxRate ? lo! * 2 : undefined;
    if (lo === undefined) return hi / 2 >= minRate ? hi / 2 : undefined;
    if (hi / lo <= tolerance) return undefined;
    // The geometric middle of two grid rates is a grid rate: every run probes the same rates.
    return Math.sqrt(lo * hi);
  }
}

/** Rates are probed exactly (the grid), shown rounded. */
export const shownRate = (rate: number) => Math.round(rate);
