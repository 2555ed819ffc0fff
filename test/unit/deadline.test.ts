// The deadline of an engine call (src/core/deadline.ts): seen by cooperative engines inside
// runWithDeadline, across awaits and overlapping calls, and by nothing once no call is under way
// (its AsyncLocalStorage is then disabled, so promises made by the bench's timing loops carry no hook).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { checkDeadline, currentDeadline, DeadlineExceededError, runWithDeadline } from '../../src/core/deadline.ts';

describe('runWithDeadline', () => {
  it('gives each overlapping call its own deadline, across awaits, and none once they are all done', async () => {
    const seen: (string | undefined)[] = [];
    const slow = runWithDeadline(5_000, 'slow', async () => {
      await sleep(30);
      // The fast call ended meanwhile: this one still sees its deadline.
      seen.push(currentDeadline()?.what);
      return 'slow';
    });
    const fast = runWithDeadline(5_000, 'fast', async () => {
      await sleep(1);
      seen.push(currentDeadline()?.what);
      return 'fast';
    });
    expect(await Promise.all([slow, fast])).toEqual(['slow', 'fast']);
    expect(seen).toEqual(['fast', 'slow']);
    expect(currentDeadline()).toBeUndefined();
    // A later call sees its deadline again (the storage is enabled again by run).
    expect(await runWithDeadline(5_000, 'again', async () => currentDeadline()?.what)).toBe('again');
    expect(await (async () => currentDeadline())()).toBeUndefined();
  });

  it('an abandoned call keeps reading its deadline after the caller has moved on', async () => {
    let late: string | undefined = 'unset';
    await expect(
      runWithDeadline(10, 'abandoned', async () => {
        await sleep(60);
        late = currentDeadline()?.what;
      }),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
    await sleep(100);
    expect(late).toBe('abandoned');
    expect(currentDeadline()).toBeUndefined();
  });

  it('a call that throws before returning a promise, or returns a plain value, settles at once and leaves no timer or count behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        runWithDeadline(20, 'sync', () => {
          throw new Error('sync boom');
        }),
      ).rejects.toThrow('sync boom');
      expect(await runWithDeadline(20, 'value', (() => 42) as unknown as () => Promise<number>)).toBe(42);
      await sleep(60);
      expect(unhandled).toEqual([]);
      // The count went back to zero: a new call sees its deadline, none is seen outside.
      expect(await runWithDeadline(5_000, 'after', async () => currentDeadline()?.what)).toBe('after');
      expect(currentDeadline()).toBeUndefined();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('fails a call past its deadline, and a cooperative engine checking it throws', async () => {
    await expect(runWithDeadline(20, 'check', () => sleep(200))).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(
      runWithDeadline(5, 'check', async () => {
        const until = performance.now() + 20;
        while (performance.now() < until);
        checkDeadline();
      }),
    ).rejects.toThrow('check did not answer within 5 ms');
    expect(currentDeadline()).toBeUndefined();
  });
});
