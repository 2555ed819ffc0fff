// Reading an engine's own log from where a scenario began: its size now is the offset the
// adapter reads from later (OpenFGA's and SpiceDB's request logs, Cerbos's audit log).

import { statSync } from 'node:fs';

/** Bytes in the file now; 0 when there is none (yet). */
export function logSize(file: string | undefined): number {
  if (!file) return 0;
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
