// The reference engine's own decision log: one entry per check, with what was asked,
// what was decided and why (the grant chain or the denial reason), under a decision id.
// It keeps the newest `capacity` entries so a long benchmark cannot exhaust memory.

import type { DecisionLogEntry } from '../core/adapter.ts';
import type { CheckRequest } from '../core/request.ts';

export const DEFAULT_LOG_CAPACITY = 200_000;

export class DecisionLog {
  #entries: DecisionLogEntry[] = [];
  #next = 1;
  #dropped = 0;

  constructor(readonly capacity = DEFAULT_LOG_CAPACITY) {}

  /** A new decision id: `ref-1`, `ref-2`, ... (unique for the life of the log). */
  nextId(): string {
    return `ref-${this.#next++}`;
  }

  record(decisionId: string, request: CheckRequest, allowed: boolean, reason: string): DecisionLogEntry {
    const entry: DecisionLogEntry = {
      decisionId,
      time: new Date().toISOString(),
      subject: `${request.subject.type}:${request.subject.id}`,
      action: request.action.name,
      resource: `${request.resource.type}:${request.resource.id}`,
      context: request.context ?? {},
      allowed,
      reason,
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity * 2) {
      const drop = this.#entries.length - this.capacity;
      this.#entries = this.#entries.slice(drop);
      this.#dropped += drop;
    }
    return entry;
  }

  /** Entries since the last clear, oldest first (at most about `capacity` of the newest). */
  entries(): DecisionLogEntry[] {
    return this.#entries.length > this.capacity ? this.#entries.slice(-this.capacity) : [...this.#entries];
  }

  /** How many old entries were dropped to stay within capacity. */
  get dropped(): number {
    return this.#dropped + Math.max(0, this.#entries.length - this.capacity);
  }

  clear(): void {
    this.#entries = [];
    this.#dropped = 0;
  }
}
