// Cold vs warm in the report: the first check after a fresh load and after a restart, beside
// the steady state of the same check (src/runner/cold-start.ts).

import type { RunResults } from '../results/types.ts';
import { formatFactor, formatMs } from './format.ts';
import { cell, num, plainTable, text, type Table } from './table.ts';

export function coldStartTable(results: RunResults): Table | undefined {
  const records = results.coldStarts ?? [];
  if (records.length === 0) return undefined;
  const factor = (ms: number | undefined, warm: number | undefined) => (ms !== undefined && warm ? formatFactor(ms / warm) : '–');
  return plainTable(
    'cold-start-table',
    [
      text('engine'),
      text('scenario'),
      num('first check after a load'),
      num('× steady'),
      num('first check after a restart'),
      num('× steady'),
      num('steady p50 (p99)'),
      num('restart took'),
      text('restart is'),
    ],
    records.map((r) => ({
      engine: r.engine,
      cells: [
        cell(r.engine, { code: true }),
        cell(r.scenario, { code: true }),
        cell(formatMs(r.afterLoadMs)),
        cell(factor(r.afterLoadMs, r.warmP50Ms)),
        cell(r.error && r.afterRestartMs === undefined ? 'error' : formatMs(r.afterRestartMs), r.error ? { tone: 'error', note: r.error } : {}),
        cell(factor(r.afterRestartMs, r.warmP50Ms)),
        cell(r.warmP50Ms === undefined ? '–' : `${formatMs(r.warmP50Ms)} (${formatMs(r.warmP99Ms)})`),
        cell(formatMs(r.restartMs)),
        cell(r.restart),
      ],
    })),
    [[`Cold vs warm: ${records[0]!.method}. One first check is one sample: read the factor as an order of magnitude, not a precise figure.`]],
  );
}
