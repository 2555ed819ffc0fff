// What one check may spend in the reference engine (and in any host-side CEL evaluation):
// resolution steps, CEL comprehension iterations, and time. The deadline is the engine
// call's (src/core/deadline.ts) when the runner set one. Counting is cheap; the clock is
// read once every CLOCK_EVERY units, so a check overruns its deadline by microseconds.

import { currentDeadline, DeadlineExceededError, type Deadline } from '../core/deadline.ts';

export interface BudgetLimits {
  /** Resolution steps plus CEL iterations per check. */
  maxSteps?: number;
  /** A deadline of its own (performance.now() value); default: the engine call's. */
  deadlineAt?: number;
}

/** Far above any bundled scenario or cost curve (a few thousand steps at most), far below a hang. */
export const DEFAULT_MAX_STEPS = 20_000_000;
const CLOCK_EVERY = 512;

export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

export class CheckBudget {
  #spent = 0;
  #untilClock = CLOCK_EVERY;
  #maxSteps = DEFAULT_MAX_STEPS;
  /** null until the clock is first read: most checks end before, and never look the call's deadline up. */
  #deadline: Deadline | undefined | null = null;

  constructor(limits: BudgetLimits = {}) {
    this.restart(limits);
  }

  /** A fresh budget for the next check (one object serves an evaluator's checks one after another). */
  restart(limits: BudgetLimits = {}): void {
    this.#spent = 0;
    this.#untilClock = CLOCK_EVERY;
    this.#maxSteps = limits.maxSteps ?? DEFAULT_MAX_STEPS;
    this.#deadline = limits.deadlineAt !== undefined ? { at: limits.deadlineAt, ms: 0, what: 'check' } : null;
  }

  get spent(): number {
    return this.#spent;
  }

  /**
   * Counts `units` of work at `where` (or at what `where.describe()` names: only when the budget
   * runs out, so the hot path builds no text); throws BudgetExceededError past the step limit or the deadline.
   */
  spend(units: number, where: string | Place): void {
    this.#spent += units;
    if (this.#spent > this.#maxSteps) {
      throw new BudgetExceededError(`check gave up after ${this.#maxSteps} evaluation steps (at ${named(where)}); the model or data make it too costly`);
    }
    this.#untilClock -= units;
    if (this.#untilClock > 0) return;
    this.#untilClock = CLOCK_EVERY;
    // The call in progress is the one that started the check: a check runs without awaiting.
    if (this.#deadline === null) this.#deadline = currentDeadline();
    const deadline = this.#deadline;
    if (deadline && performance.now() > deadline.at) {
      throw new BudgetExceededError(
        deadline.ms > 0
          ? new DeadlineExceededError(deadline).message + ` (gave up at ${named(where)} after ${this.#spent} steps)`
          : `check passed its deadline (at ${named(where)} after ${this.#spent} steps)`,
      );
    }
  }
}

/** Where a check is, described on demand. */
export interface Place {
  describe(): string;
}

function named(where: string | Place): string {
  return typeof where === 'string' ? where : where.describe();
}
