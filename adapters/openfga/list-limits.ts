// ListObjects' result limit and deadline as recorded settings (`--set listObjectsMaxResults=N`,
// `--set listObjectsDeadline=30s`): OpenFGA stops a ListObjects at either and does not say so
// (openfga/openfga#3276, #1961), so the adapter starts the server with them, records them, and
// marks an answer that reached one as truncated.

import { InputError } from '../../src/core/errors.ts';

export interface ListObjectsLimits {
  /** `--listObjects-max-results` (OpenFGA's default 1000; 0: no limit). */
  readonly listObjectsMaxResults: number;
  /** `--listObjects-deadline`, a Go duration (OpenFGA's default 3s). */
  readonly listObjectsDeadline: string;
}

export const DEFAULT_LIST_OBJECTS_LIMITS: ListObjectsLimits = Object.freeze({ listObjectsMaxResults: 1000, listObjectsDeadline: '3s' });

/** The Go durations the deadline setting accepts: a number of ms, s or m. */
export const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
export const WHOLE_NUMBER = /^(0|[1-9]\d*)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** The deadline in milliseconds (the subset of Go durations the setting accepts: ms, s, m). */
export function deadlineMs(duration: string): number {
  const match = DURATION.exec(duration)!;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** The limits from `--set` options, checked. */
export function listObjectsLimits(options: Readonly<Record<string, string>>): ListObjectsLimits {
  const max = options.listObjectsMaxResults;
  const deadline = options.listObjectsDeadline;
  if (max !== undefined && !WHOLE_NUMBER.test(max)) throw new InputError('--set', `listObjectsMaxResults=${max}`, 'not a whole number', 'e.g. listObjectsMaxResults=20000 (0: no limit)');
  if (deadline !== undefined && !DURATION.test(deadline)) throw new InputError('--set', `listObjectsDeadline=${deadline}`, 'not a duration', 'e.g. listObjectsDeadline=30s (units ms, s, m)');
  return {
    listObjectsMaxResults: max === undefined ? DEFAULT_LIST_OBJECTS_LIMITS.listObjectsMaxResults : Number(max),
    listObjectsDeadline: deadline ?? DEFAULT_LIST_OBJECTS_LIMITS.listObjectsDeadline,
  };
}

/** Why a ListObjects answer may be incomplete: it holds the maximum, or it came at the deadline. */
export function listObjectsTruncation(limits: ListObjectsLimits, count: number, elapsedMs: number): string | undefined {
  if (limits.listObjectsMaxResults > 0 && count >= limits.listObjectsMaxResults) return `OpenFGA returns at most ${limits.listObjectsMaxResults} objects (listObjectsMaxResults)`;
  // OpenFGA answers with what it has at its deadline; a little slack for the clock and the network.
  if (elapsedMs >= deadlineMs(limits.listObjectsDeadline) * 0.95) return `answered at OpenFGA's ${limits.listObjectsDeadline} deadline (listObjectsDeadline)`;
  return undefined;
}

/** The server's `--request-timeout` for a deadline: OpenFGA refuses to start with a request timeout below its ListObjects deadline. */
export function requestTimeout(limits: ListObjectsLimits): string | undefined {
  const ms = deadlineMs(limits.listObjectsDeadline);
  return ms > deadlineMs(DEFAULT_LIST_OBJECTS_LIMITS.listObjectsDeadline) ? `${ms + 3000}ms` : undefined;
}
