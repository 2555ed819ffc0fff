// The reference engine's own decision log: one entry per check, with what was asked,
// what was decided and why (the grant chain or the denial reason), under a decision id.
// It keeps the newest `capacity` entries so a long benchmark cannot exhaust memory.
// Cheap on the check path: a record writes numbers into rings (the decision's number, a clock
// reading, its answer, the store's epoch and the grant chain's numbers, explanation.ts) and
// keeps the request (a request is never changed once asked); no object is kept per record.
// Entries (ids, ISO time, `type:id` texts, the reason) are built only when read. Whatever a
// ring keeps outlives a young-generation collection: keeping each decision object made every
// collection copy it, then filled the old generation, and cost more than deciding at 10^6.

import type { DecisionLogEntry } from '../core/adapter.ts';
import type { CheckRequest } from '../core/request.ts';
import { CheckOutcome } from './evaluate.ts';
import { ANSWER_ALLOW, type DecisionParts, explainDecision } from './explanation.ts';
import { NumberQueue } from './number-queue.ts';
import type { RelationshipStore } from './store.ts';

export const DEFAULT_LOG_CAPACITY = 200_000;

/** A decision the log keeps as it is (an error, a decision from elsewhere): its answer, and its reason, read when the entry is. */
export interface LoggedDecision {
  readonly allowed: boolean;
  readonly reason?: string | undefined;
  readonly error?: string | undefined;
}

/** The text of decision number `n`: `ref-1`, `ref-2`, ... */
export const decisionIdText = (n: number): string => `ref-${n}`;

/** In #states: the entry's decision is kept whole, in #kept. */
const KEPT_WHOLE = -1;

/** What an outcome has besides numbers, kept aside (rare: conditions, or notes on a deny). */
type OutcomeTexts = Pick<DecisionParts, 'notes' | 'conditions'>;

export class DecisionLog {
  // Rings of the same length: the oldest record is at #start once they are full.
  #ids: number[] = [];
  /** Date.now() when decided. */
  #times: number[] = [];
  #requests: CheckRequest[] = [];
  /** The answer (explanation.ts: ANSWER_*), or KEPT_WHOLE. */
  #states: number[] = [];
  #epochs: number[] = [];
  /** Where the entry's grant chain starts in #links (an absolute position), and its length. */
  #linkStarts: number[] = [];
  #linkCounts: number[] = [];
  readonly #links = new NumberQueue();
  /** By ring position: a decision kept whole, or an outcome's notes and conditions. */
  readonly #kept = new Map<number, LoggedDecision | OutcomeTexts>();
  #start = 0;
  #next = 1;
  #dropped = 0;

  /** `store`: the store the outcomes recorded were decided on (their chains name its nodes). */
  constructor(
    readonly capacity = DEFAULT_LOG_CAPACITY,
    readonly store?: RelationshipStore,
  ) {}

  /** A new decision number (unique for the life of the log); its id is decisionIdText(n). */
  nextId(): number {
    return this.#next++;
  }

  record(id: number, request: CheckRequest, decision: CheckOutcome | LoggedDecision): void {
    const time = Date.now();
    let at: number;
    if (this.#ids.length < this.capacity) {
      at = this.#ids.length;
      this.#ids.push(id);
      this.#times.push(time);
      this.#requests.push(request);
      this.#states.push(0);
      this.#epochs.push(0);
      this.#linkStarts.push(0);
      this.#linkCounts.push(0);
    } else {
      at = this.#start;
      this.#links.releaseTo(this.#linkStarts[at]! + this.#linkCounts[at]!);
      this.#kept.delete(at);
      this.#ids[at] = id;
      this.#times[at] = time;
      this.#requests[at] = request;
      this.#start = (at + 1) % this.capacity;
      this.#dropped++;
    }
    if (!(decision instanceof CheckOutcome) || !this.store) {
      this.#states[at] = KEPT_WHOLE;
      this.#linkCounts[at] = 0;
      this.#kept.set(at, decision);
      return;
    }
    this.#states[at] = decision.state;
    this.#epochs[at] = decision.epoch;
    const links = decision.links;
    this.#linkStarts[at] = links ? this.#links.push(links) : 0;
    this.#linkCounts[at] = links ? links.length : 0;
    if (decision.notes || decision.conditions) this.#kept.set(at, { notes: decision.notes, conditions: decision.conditions });
  }

  /** Entries since the last clear, oldest first (at most `capacity` of the newest). */
  entries(): DecisionLogEntry[] {
    const entries: DecisionLogEntry[] = [];
    const length = this.#ids.length;
    for (let k = 0; k < length; k++) {
      const at = (this.#start + k) % length;
      const request = this.#requests[at]!;
      const { allowed, reason } = this.#decisionAt(at, request);
      entries.push({
        decisionId: decisionIdText(this.#ids[at]!),
        time: new Date(this.#times[at]!).toISOString(),
        subject: `${request.subject.type}:${request.subject.id}`,
        action: request.action.name,
        resource: `${request.resource.type}:${request.resource.id}`,
        context: request.context ?? {},
        allowed,
        reason,
      });
    }
    return entries;
  }

  #decisionAt(at: number, request: CheckRequest): { allowed: boolean; reason: string } {
    const kept = this.#kept.get(at);
    if (this.#states[at] === KEPT_WHOLE) {
      const decision = kept as LoggedDecision;
      return { allowed: decision.allowed, reason: decision.error ?? decision.reason ?? '' };
    }
    const links: number[] = [];
    for (let i = 0; i < this.#linkCounts[at]!; i++) links.push(this.#links.at(this.#linkStarts[at]! + i));
    const texts = kept as OutcomeTexts | undefined;
    const parts: DecisionParts = { state: this.#states[at]!, epoch: this.#epochs[at]!, links, notes: texts?.notes, conditions: texts?.conditions };
    return { allowed: parts.state === ANSWER_ALLOW, reason: explainDecision(this.store!, request, parts) };
  }

  /** How many old entries were dropped to stay within capacity. */
  get dropped(): number {
    return this.#dropped;
  }

  clear(): void {
    this.#ids = [];
    this.#times = [];
    this.#requests = [];
    this.#states = [];
    this.#epochs = [];
    this.#linkStarts = [];
    this.#linkCounts = [];
    this.#links.clear();
    this.#kept.clear();
    this.#start = 0;
    this.#dropped = 0;
  }
}
