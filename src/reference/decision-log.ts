// The reference engine's own decision log: one entry per check, with what was asked,
// what was decided and why (the grant chain or the denial reason), under a decision id.
// It keeps the newest `capacity` entries so a long benchmark cannot exhaust memory.
// Cheap on the check path: a record is the request, the decision and a clock reading written
// into a ring buffer; entries (ISO time, `type:id` texts, the decision's reason) are formatted
// only when read.

import type { DecisionLogEntry } from '../core/adapter.ts';
import type { CheckRequest, Decision } from '../core/request.ts';

export const DEFAULT_LOG_CAPACITY = 200_000;

/** One check as asked (the request is kept, not copied: nothing changes a request once asked). */
interface LoggedCheck {
  decisionId: string;
  /** Date.now() when decided. */
  time: number;
  request: CheckRequest;
  /** Its reason is read when the entry is (the reference engine builds it then). */
  decision: Decision;
}

export class DecisionLog {
  /** A ring: the oldest record is at #start once it is full. */
  #records: LoggedCheck[] = [];
  #start = 0;
  #next = 1;
  #dropped = 0;

  constructor(readonly capacity = DEFAULT_LOG_CAPACITY) {}

  /** A new decision id: `ref-1`, `ref-2`, ... (unique for the life of the log). */
  nextId(): string {
    return `ref-${this.#next++}`;
  }

  record(decisionId: string, request: CheckRequest, decision: Decision): void {
    const record: LoggedCheck = { decisionId, time: Date.now(), request, decision };
    if (this.#records.length < this.capacity) {
      this.#records.push(record);
      return;
    }
    this.#records[this.#start] = record;
    this.#start = (this.#start + 1) % this.capacity;
    this.#dropped++;
  }

  /** Entries since the last clear, oldest first (at most `capacity` of the newest). */
  entries(): DecisionLogEntry[] {
    const ordered = this.#start === 0 ? this.#records : [...this.#records.slice(this.#start), ...this.#records.slice(0, this.#start)];
    return ordered.map(({ decisionId, time, request, decision }) => ({
      decisionId,
      time: new Date(time).toISOString(),
      subject: `${request.subject.type}:${request.subject.id}`,
      action: request.action.name,
      resource: `${request.resource.type}:${request.resource.id}`,
      context: request.context ?? {},
      allowed: decision.allowed,
      reason: decision.error ?? decision.reason ?? '',
    }));
  }

  /** How many old entries were dropped to stay within capacity. */
  get dropped(): number {
    return this.#dropped;
  }

  clear(): void {
    this.#records = [];
    this.#start = 0;
    this.#dropped = 0;
  }
}
