// A full garbage collection before a timed phase (as mitata does before each benchmark): a bulk
// load of 10^5-10^6 relationships leaves hundreds of MB of garbage, and collecting it during
// the first trials measured the collector (its concurrent marking takes the second core of a
// 2-core machine), not the engine: one curve point's trials read 6.0, 5.8, 4.9, 4.3, 4.1 µs.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Collects the whole heap now; false where the runtime offers no way to (then nothing is done). */
export function settleHeap(): boolean {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gc = exposed;
    else {
      try {
        // V8 gives `gc` to contexts made after the flag is set: a new one, not this one.
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      } catch {
        return false;
      }
    }
  }
  gc();
  return true;
}
