// The reference engine's own decision log: one entry per check, with what was asked,
// what was decided and why (the grant chain or the denial reason), under a decision id.
// It keeps the newest `capacity` entries so a long benchmark cannot exhaust memory.
// Cheap on the check path: a record writes numbers into rings (the decision's number, a clock
// reading, its answer, the store's epoch and the grant chain's numbers, explanation.ts) and
// keeps the request (a request is never changed once asked); no object is made or kept per record.
// Entries (ids, ISO time, `type:id` texts, the reason) are built only when read. Whatever a
// ring keeps outlives a young-generation collection: keeping each decision object made every
// collection copy it, then filled the old generation, and cost more than deciding at 10^6.

import type { DecisionLogEntry } from '../core/adapter.ts';
import type { CheckRequest } from '../core/request.ts';
import { CheckOutcome } from './evaluate.ts';
import { ANSWER_ALLOW, type DecisionParts, explainDecision } from './explanation.ts';
import { float64Column } from './int32-column.ts';
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

/** As F_STATE: the entry's decision is kept whole, in #kept. */
const KEPT_WHOLE = -1;

/** What an outcome has besides numbers, kept aside (rare: conditions, or notes on a deny). */
type OutcomeTexts = Pick<DecisionParts, 'notes' | 'conditions'>;

/** Per entry, its numbers side by side: */
const FIELDS = 6;
const F_ID = 0;
/** Date.now() when decided. */
const F_TIME = 1;
/** The answer (explanation.ts: ANSWER_*), or KEPT_WHOLE. */
const F_STATE = 2;
const F_EPOCH = 3;
/** Where the entry's grant chain starts in #links (an absolute position), and its length. */
const F_LINK_START = 4;
const F_LINK_COUNT = 5;

export class DecisionLog {
  // Rings of `capacity` entries: the oldest record is at #start once they are full. The numbers
  // are in a column on a shared buffer, grown geometrically: outside the heap, so their growth
  // starts no collection (arrays growing to 200,000 entries did, during a benchmark's trials).
  #rows = float64Column(FIELDS * 256);
  #length = 0;
  #requests: CheckRequest[] = [];
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
    if (this.#length < this.capacity) {
      at = this.#length++;
      if (this.#length * FIELDS > this.#rows.length) this.#grow();
      this.#requests.push(request);
    } else {
      at = this.#start;
      this.#links.releaseTo(this.#rows[at * FIELDS + F_LINK_START]! + this.#rows[at * FIELDS + F_LINK_COUNT]!);
      this.#kept.delete(at);
      this.#requests[at] = request;
      this.#start = (at + 1) % this.capacity;
      this.#dropped++;
    }
    const rows = this.#rows;
    const row = at * FIELDS;
    rows[row + F_ID] = id;
    rows[row + F_TIME] = time;
    if (!(decision instanceof CheckOutcome) || !this.store) {
      rows[row + F_STATE] = KEPT_WHOLE;
      rows[row + F_LINK_COUNT] = 0;
      this.#kept.set(at, decision);
      return;
    }
    rows[row + F_STATE] = decision.state;
    rows[row + F_EPOCH] = decision.epoch;
    const links = decision.links;
    rows[row + F_LINK_START] = links ? this.#links.push(links) : 0;
    rows[row + F_LINK_COUNT] = links ? links.length : 0;
    if (decision.notes || decision.conditions) this.#kept.set(at, { notes: decision.notes, conditions: decision.conditions });
  }

  /** Room for twice as many entries, at most `capacity`. */
  #grow(): void {
    const rows = float64Column(FIELDS * Math.min(this.capacity, Math.max(this.#length, (this.#rows.length / FIELDS) * 2)));
    rows.set(this.#rows);
    this.#rows = rows;
  }

  /** Entries since the last clear, oldest first (at most `capacity` of the newest). */
  entries(): DecisionLogEntry[] {
    const entries: DecisionLogEntry[] = [];
    const length = this.#length;
    for (let k = 0; k < length; k++) {
      const at = (this.#start + k) % length;
      const request = this.#requests[at]!;
      const { allowed, reason } = this.#decisionAt(at, request);
      entries.push({
        decisionId: decisionIdText(this.#rows[at * FIELDS + F_ID]!),
        time: new Date(this.#rows[at * FIELDS + F_TIME]!).toISOString(),
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
    const row = at * FIELDS;
    if (this.#rows[row + F_STATE] === KEPT_WHOLE) {
      const decision = kept as LoggedDecision;
      return { allowed: decision.allowed, reason: decision.error ?? decision.reason ?? '' };
    }
    const links: number[] = [];
    for (let i = 0; i < this.#rows[row + F_LINK_COUNT]!; i++) links.push(this.#links.at(this.#rows[row + F_LINK_START]! + i));
    const texts = kept as OutcomeTexts | undefined;
    const parts: DecisionParts = { state: this.#rows[row + F_STATE]!, epoch: this.#rows[row + F_EPOCH]!, links, notes: texts?.notes, conditions: texts?.conditions };
    return { allowed: parts.state === ANSWER_ALLOW, reason: explainDecision(this.store!, request, parts) };
  }

  /** How many old entries were dropped to stay within capacity. */
  get dropped(): number {
    return this.#dropped;
  }

  clear(): void {
    this.#rows = float64Column(FIELDS * 256);
    this.#length = 0;
    this.#requests = [];
    this.#links.clear();
    this.#kept.clear();
    this.#start = 0;
    this.#dropped = 0;
  }
}
