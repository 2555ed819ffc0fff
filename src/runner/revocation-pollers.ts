// The second half of a revocation timeline: several pollers repeat the revoked check at once
// until each has denied CONFIRMING_DENIES times in a row. An allow after the acknowledgement
// is a stale allow, also one that comes after a deny (an engine whose replicas or caches
// disagree flips back). The figures: the first deny any poller saw, and the moment from
// which every poller denied (the stale-allow window).

import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckRequest, Decision } from '../core/request.ts';
import type { RevocationFigures } from '../results/types.ts';

/** Denies in a row after which a poller takes the revocation as settled and stops. */
export const CONFIRMING_DENIES = 3;
/** Answers kept per poller for the timeline chart: the first ones, where the window is. */
const TIMELINE_PER_POLLER = 40;

export interface PollOptions {
  pollers: number;
  intervalMs: number;
  timeoutMs: number;
  path: string;
}

interface PollerOutcome {
  firstDenyMs?: number;
  /** Start of the final run of denies (undefined: never settled). */
  settledMs?: number;
  staleAllows: number;
  polls: number;
  firstAnswerDenied: boolean;
  lastError?: string;
  timeline: { atMs: number; allowed: boolean }[];
}

async function poll(check: () => Promise<Decision>, acknowledged: number, options: PollOptions): Promise<PollerOutcome> {
  const outcome: PollerOutcome = { staleAllows: 0, polls: 0, firstAnswerDenied: false, timeline: [] };
  let deniesInRow = 0;
  let runStart: number | undefined;
  while (performance.now() - acknowledged < options.timeoutMs) {
    const decision = await check();
    const atMs = performance.now() - acknowledged;
    outcome.polls++;
    if (decision.error) {
      outcome.lastError = decision.error;
      deniesInRow = 0;
    } else {
      if (outcome.timeline.length < TIMELINE_PER_POLLER) outcome.timeline.push({ atMs, allowed: decision.allowed });
      if (outcome.polls === 1) outcome.firstAnswerDenied = !decision.allowed;
      if (decision.allowed) {
        outcome.staleAllows++;
        deniesInRow = 0;
      } else {
        outcome.firstDenyMs ??= atMs;
        if (deniesInRow++ === 0) runStart = atMs;
        if (deniesInRow >= CONFIRMING_DENIES) return { ...outcome, ...(runStart !== undefined ? { settledMs: runStart } : {}) };
      }
    }
    if (options.intervalMs > 0) await sleep(options.intervalMs);
  }
  // Ran into the deadline while denying: settled at the start of that run (it had no time to confirm more).
  return deniesInRow > 0 && runStart !== undefined ? { ...outcome, settledMs: runStart } : outcome;
}

export interface PollResult {
  figures: RevocationFigures;
  /** Every poller settled on deny. */
  denied: boolean;
  /** An error seen while no poller ever denied. */
  lastError?: string;
}

/** Starts the pollers together right after the acknowledgement (`acknowledged`, performance.now()). */
export async function pollUntilAllDeny(check: (request: CheckRequest) => Promise<Decision>, request: CheckRequest, acknowledged: number, options: PollOptions): Promise<PollResult> {
  const outcomes = await Promise.all(Array.from({ length: options.pollers }, () => poll(() => check(request), acknowledged, options)));
  const firstDenies = outcomes.map((o) => o.firstDenyMs).filter((t): t is number => t !== undefined);
  const denied = outcomes.every((o) => o.settledMs !== undefined);
  const figures: RevocationFigures = {
    path: options.path,
    staleAllows: outcomes.reduce((a, o) => a + o.staleAllows, 0),
    polls: outcomes.reduce((a, o) => a + o.polls, 0),
    immediate: outcomes.every((o) => o.firstAnswerDenied && o.staleAllows === 0),
    ...(firstDenies.length > 0 ? { timeToFirstDenyMs: Math.min(...firstDenies) } : {}),
    ...(options.pollers > 1 ? { pollers: options.pollers, timeline: outcomes.flatMap((o, poller) => o.timeline.map((t) => ({ poller, ...t }))) } : {}),
    ...(denied ? { timeToAllDenyMs: Math.max(...outcomes.map((o) => o.settledMs!)) } : {}),
  };
  const lastError = firstDenies.length === 0 ? outcomes.find((o) => o.lastError)?.lastError : undefined;
  return { figures, denied, ...(lastError ? { lastError } : {}) };
}
