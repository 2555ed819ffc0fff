// The reference engine's own decision log: one entry per check, with what was asked,
// what was decided and why (the grant chain or the denial reason), under a decision id.
// It keeps the newest `capacity` entries so a long benchmark cannot exhaust memory.
// Cheap on the check path: a record writes the decision's number, a clock reading, the
// request and the decision into rings of their own (no object per record); entries (ids,
// ISO time, `type:id` texts, the decision's reason) are formatted only when read. Whatever a
// ring keeps outlives a young-generation collection, so the less a record keeps, the less
// every collection copies: the reference engine's decision is its CheckOutcome (the numbers of
// the grant chain, the text built when read).

import type { DecisionLogEntry } from '../core/adapter.ts';
import type { CheckRequest } from '../core/request.ts';

export const DEFAULT_LOG_CAPACITY = 200_000;

/** What the log keeps of a decision: its answer, and its reason, read when the entry is. */
export interface LoggedDecision {
  readonly allowed: boolean;
  readonly reason?: string | undefined;
  readonly error?: string | undefined;
}

/** The text of decision number `n`: `ref-1`, `ref-2`, ... */
export const decisionIdText = (n: number): string => `ref-${n}`;

export class DecisionLog {
  // Rings of the same length: the oldest record is at #start once they are full. The request is
  // kept, not copied: nothing changes a request once asked.
  #ids: number[] = [];
  /** Date.now() when decided. */
  #times: number[] = [];
  #requests: CheckRequest[] = [];
  #decisions: LoggedDecision[] = [];
  #start = 0;
  #next = 1;
  #dropped = 0;

  constructor(readonly capacity = DEFAULT_LOG_CAPACITY) {}

  /** A new decision number (unique for the life of the log); its id is decisionIdText(n). */
  nextId(): number {
    return this.#next++;
  }

  record(id: number, request: CheckRequest, decision: LoggedDecision): void {
    const time = Date.now();
    if (this.#ids.length < this.capacity) {
      this.#ids.push(id);
      this.#times.push(time);
      this.#requests.push(request);
      this.#decisions.push(decision);
      return;
    }
    const at = this.#start;
    this.#ids[at] = id;
    this.#times[at] = time;
    this.#requests[at] = request;
    this.#decisions[at] = decision;
    this.#start = (at + 1) % this.capacity;
    this.#dropped++;
  }

  /** Entries since the last clear, oldest first (at most `capacity` of the newest). */
  entries(): DecisionLogEntry[] {
    const entries: DecisionLogEntry[] = [];
    const length = this.#ids.length;
    for (let k = 0; k < length; k++) {
      const at = (this.#start + k) % length;
      const request = this.#requests[at]!;
      const decision = this.#decisions[at]!;
      entries.push({
        decisionId: decisionIdText(this.#ids[at]!),
        time: new Date(this.#times[at]!).toISOString(),
        subject: `${request.subject.type}:${request.subject.id}`,
        action: request.action.name,
        resource: `${request.resource.type}:${request.resource.id}`,
        context: request.context ?? {},
        allowed: decision.allowed,
        reason: decision.error ?? decision.reason ?? '',
      });
    }
    return entries;
  }

  /** How many old entries were dropped to stay within capacity. */
  get dropped(): number {
    return this.#dropped;
  }

  clear(): void {
    this.#ids = [];
    this.#times = [];
    this.#requests = [];
    this.#decisions = [];
    this.#start = 0;
    this.#dropped = 0;
  }
}
