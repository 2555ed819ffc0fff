// The deadline of the engine call in progress, for engines that compute in this process.
//
// A timer cannot interrupt synchronous JavaScript: an embedded engine stuck in a long
// evaluation never lets `withTimeout` fire, nor a Ctrl-C handler run. So the runner runs
// each engine call inside runWithDeadline(), and embedded engines (the reference engine's
// resolution and CEL evaluation, Oso's fact lookups) call checkDeadline() as they work:
// the call then fails with DeadlineExceededError once its time is up.

import { AsyncLocalStorage } from 'node:async_hooks';

export interface Deadline {
  /** performance.now() value after which the call has failed. */
  readonly at: number;
  readonly ms: number;
  /** What is being waited for, e.g. `check`. */
  readonly what: string;
}

export class DeadlineExceededError extends Error {
  constructor(readonly deadline: Deadline) {
    super(`${deadline.what} did not answer within ${deadline.ms} ms`);
    this.name = 'DeadlineExceededError';
  }
}

const current = new AsyncLocalStorage<Deadline>();
/**
 * Calls under way in runWithDeadline. On Node 20 an AsyncLocalStorage that has run once keeps
 * a hook on every promise made afterwards (~0.25 µs per check timed by the bench, where no
 * deadline applies): it is disabled whenever no call is under way, and enabled again by the next.
 */
let underWay = 0;

/** The deadline of the call in progress, if any. */
export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}

/** Throws DeadlineExceededError when the call in progress is past its deadline. */
export function checkDeadline(deadline: Deadline | undefined = current.getStore()): void {
  if (deadline && performance.now() > deadline.at) throw new DeadlineExceededError(deadline);
}

/**
 * Runs `call` with a deadline of `ms`: cooperative engines see it through currentDeadline(),
 * and a call that does not settle in time is abandoned with DeadlineExceededError.
 */
export async function runWithDeadline<T>(ms: number, what: string, call: () => Promise<T>): Promise<T> {
  const deadline: Deadline = { at: performance.now() + ms, ms, what };
  underWay++;
  // A call that throws before it returns a promise, or returns a plain value, settles as one.
  let running: Promise<T>;
  try {
    running = Promise.resolve(current.run(deadline, call));
  } catch (error) {
    running = Promise.reject(error);
  }
  // Counted until the call itself settles: one abandoned at its deadline keeps reading it.
  const settled = () => {
    if (--underWay === 0) current.disable();
  };
  running.then(settled, settled);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(deadline)), ms);
  });
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}
