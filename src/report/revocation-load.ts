// Revocation under load in the report: a table that puts each path's idle and under-load
// timelines side by side per engine, and one chart per engine drawing the stale-allow window
// (first deny, every poller denying) of each path and phase.

import type { CaseResult, RunResults } from '../results/types.ts';
import type { ChartSpec } from './charts.ts';
import { formatCount, formatMs } from './format.ts';
import { cell, num, plainTable, text, type Cell, type Table } from './table.ts';
import { isExpiry, revocationLabel, revocationRows } from './views.ts';

const firstDeny = (c: CaseResult | undefined): Cell =>
  !c ? cell('–') : c.revocation?.timeToFirstDenyMs === undefined ? cell('never', { tone: 'fail' }) : cell(formatMs(c.revocation.timeToFirstDenyMs));
const allDeny = (c: CaseResult | undefined): Cell =>
  !c
    ? cell('–')
    : c.revocation?.timeToAllDenyMs === undefined
      ? cell(c.revocation?.pollers ? 'never' : '–', c.revocation?.pollers ? { tone: 'fail' } : {})
      : cell(formatMs(c.revocation.timeToAllDenyMs));
const stale = (c: CaseResult | undefined): Cell => cell(c?.revocation ? formatCount(c.revocation.staleAllows) : '–');

/** Idle and under-load timelines of one engine, scenario and path, paired in step order. */
function pairs(results: RunResults): { engine: string; scenario: string; path: string; idle?: CaseResult; loaded: CaseResult }[] {
  const cases = revocationRows(results).filter((c) => c.revocation);
  return cases
    .filter((c) => c.revocation!.load)
    .map((loaded) => {
      const idle = cases.find((c) => !c.revocation!.load && c.engine === loaded.engine && c.scenario === loaded.scenario && c.revocation!.path === loaded.revocation!.path);
      return { engine: loaded.engine, scenario: loaded.scenario, path: loaded.revocation!.path, ...(idle ? { idle } : {}), loaded };
    });
}

export function revocationLoadTable(results: RunResults): Table | undefined {
  const rows = pairs(results);
  if (rows.length === 0) return undefined;
  const groups = [...new Set(rows.map((r) => `${r.scenario} · ${r.path}`))].map((label) => {
    const inGroup = rows.filter((r) => `${r.scenario} · ${r.path}` === label);
    return {
      label,
      scenario: inGroup[0]!.scenario,
      rows: inGroup.map(({ engine, idle, loaded }) => {
        const load = loaded.revocation!.load!;
        return {
          engine,
          cells: [
            cell(engine, { code: true }),
            firstDeny(idle),
            allDeny(idle),
            stale(idle),
            firstDeny(loaded),
            allDeny(loaded),
            stale(loaded),
            cell(`${formatCount(Math.round(load.throughput))}/s`, {
              note: `asked ${formatCount(load.targetRate)}/s${load.measuredMax ? `, max ${formatCount(Math.round(load.measuredMax))}/s` : ''}`,
            }),
            cell(formatMs(load.p99Ms), { note: `p50 ${formatMs(load.p50Ms)}, max ${formatMs(load.maxMs)}, ${formatCount(load.checks)} checks, ${load.errors} errors` }),
            cell(`${formatCount(load.writes)}${load.writeErrors ? ` (${load.writeErrors} failed)` : ''}`),
            cell(loaded.status, { tone: loaded.status }),
          ],
        };
      }),
    };
  });
  return {
    id: 'revocation-load-table',
    columns: [
      text('engine'),
      num('idle: first deny'),
      num('idle: all deny', 'every poller denies from then on'),
      num('idle: stale'),
      num('load: first deny'),
      num('load: all deny', 'every poller denies from then on'),
      num('load: stale'),
      num('background rate', 'background checks answered per second from the revocation to the end of the window'),
      num('background p99', 'from the intended send time, over the window after the revocation'),
      num('unrelated writes'),
      text('status'),
    ],
    groups,
    groupHeader: 'scenario · path',
    notes: [
      [
        'Background rate: as set in the scenario, else 40% of the maximum a 400 ms closed loop measured just before (at most 5,000/s: the harness’s own pacing limit on a shared machine). Each path is revoked twice on its own grant: idle, then while an open loop checks the revoked request and the scenario’s benchmark requests and a writer applies unrelated writes. Several pollers check at once after the acknowledgement; "all deny" is the moment from which every poller denied (3 denies in a row each). The background p99 counts from each check’s intended send time over the window after the revocation (docs/benchmarking.md, "Revocation under load").',
      ],
    ],
    engineFilter: true,
  };
}

/** Per engine: each path and phase as two bars, the first deny and the moment every poller denies (log scale). */
export function revocationWindowCharts(cases: CaseResult[]): ChartSpec[] {
  const timed = cases.filter((c) => c.revocation?.pollers);
  return [...new Set(timed.map((c) => c.engine))].map((engine, i) => {
    const mine = timed.filter((c) => c.engine === engine);
    const labels = mine.map((c) => `${c.scenario} · ${revocationLabel(c)}`);
    // A never-denied timeline is drawn at its deadline, in red.
    const limit = Math.max(1, ...mine.map((c) => c.revocation!.timeToAllDenyMs ?? c.revocation!.timeToFirstDenyMs ?? 0));
    return {
      id: `chart-revocation-window-${i}`,
      section: 'revocation',
      caption: `Stale-allow window of ${engine}: from the acknowledged revocation to the first deny and to every poller denying (log scale; expiry: the grant's remaining lifetime)`,
      kind: 'hbar',
      labels,
      series: [
        { label: 'first deny', engine, color: '#2563eb', values: mine.map((c) => c.revocation!.timeToFirstDenyMs ?? limit) },
        { label: 'every poller denies', engine, color: '#9333ea', values: mine.map((c) => c.revocation!.timeToAllDenyMs ?? limit) },
      ],
      notes: mine.map(
        (c) =>
          `${formatCount(c.revocation!.staleAllows)} stale allows over ${c.revocation!.pollers} pollers${isExpiry(c) ? ' (expected before the deadline)' : ''}${c.revocation!.load ? `; background p99 ${formatMs(c.revocation!.load.p99Ms)}` : ''}; ${c.status}`,
      ),
      axis: { title: 'ms after the acknowledgement (log scale)', log: true, unit: 'ms' },
      height: Math.max(160, labels.length * 30 + 70),
    };
  });
}

/** What each engine's documentation promises about seeing a change, quoted (engines that quote none are left out). */
export function consistencyPromisesTable(results: RunResults): Table | undefined {
  const quoted = results.engines.filter((e) => e.consistency && revocationRows(results).some((c) => c.engine === e.id));
  if (quoted.length === 0) return undefined;
  return plainTable(
    'revocation-promises',
    [text('engine'), text('what its documentation promises'), text('source')],
    quoted.map((e) => ({ engine: e.id, cells: [cell(e.id, { code: true }), cell(`“${e.consistency!.quote}”`), cell(e.consistency!.source)] })),
    [['The new-enemy rows hold each engine to these words: a check made at least as fresh as the revocation (or the content written after it) must deny where the engine promises it.']],
  );
}
