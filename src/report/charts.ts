// Chart data for the HTML report, made from the same views as the tables so a chart cannot
// label a bar differently from its table row. The browser script (assets/report.js) turns
// each spec into a Chart.js chart; nothing here knows Chart.js.

import type { CaseResult, RunResults } from '../results/types.ts';
import { logHistogram } from '../stats/log-bins.ts';
import { formatPercent } from './format.ts';
import { engineLatencies } from './scorecard.ts';
import { revocationWindowCharts } from './revocation-load.ts';
import { auditRows, engineFamily, isExpiry, revocationLabel, revocationRows } from './views.ts';

export interface ChartSeries {
  label: string;
  /** The engine configuration, so the engine filter can hide the series. */
  engine?: string;
  color: string;
  dash?: number[];
  /** One value per label (bar charts) or per x of the chart (distribution lines). */
  values?: (number | null)[];
  /** Per-bar colours where they carry meaning (status), else `color` throughout. */
  colors?: string[];
}

export interface ChartSpec {
  id: string;
  /** The report section the chart belongs to. */
  section: string;
  /** The scenario it draws, for the HTML scenario filter. */
  scenario?: string;
  caption: string;
  kind: 'hbar' | 'bar' | 'distribution';
  labels: string[];
  /** Distribution lines: the x of every value (bin centres, ms). */
  xs?: number[];
  series: ChartSeries[];
  /** Axis of the values: its title, and whether it is logarithmic. */
  axis: { title: string; log?: boolean; max?: number; unit?: 'ms' };
  /** Chart height in px: bar charts grow with their bars so every label fits. */
  height: number;
  /** Text per bar for the tooltip, where the value alone does not say it (e.g. "never denied"). */
  notes?: string[];
}

// One hue per engine family; configurations of a family differ by shade (bars) and dash (lines).
const HUES = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
const SHADES = ['', 'b3', '80', '59'];
const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
const PATH_COLOURS = ['#2563eb', '#16a34a', '#9333ea', '#0891b2', '#ca8a04'];
const STATUS_COLOUR = { pass: '#16a34a', fail: '#dc2626', error: '#d97706', unsupported: '#9ca3af' } as const;

interface EngineStyle {
  color: string;
  bar: string;
  dash: number[];
}

function engineStyles(engines: string[]): Map<string, EngineStyle> {
  const families = [...new Set(engines.map(engineFamily))];
  const seen = new Map<string, number>();
  return new Map(
    engines.map((e) => {
      const family = engineFamily(e);
      const variant = seen.get(family) ?? 0;
      seen.set(family, variant + 1);
      const hue = HUES[families.indexOf(family) % HUES.length]!;
      return [e, { color: hue, bar: `${hue}${SHADES[variant % SHADES.length]}`, dash: DASHES[variant % DASHES.length]! }];
    }),
  );
}

const barHeight = (bars: number, perBar = 22) => Math.max(160, bars * perBar + 70);

function latencyOverview(results: RunResults, styles: Map<string, EngineStyle>): ChartSpec | undefined {
  const latencies = engineLatencies(results);
  const engines = results.engines.map((e) => e.id).filter((e) => latencies.has(e));
  if (engines.length === 0) return undefined;
  const style = (e: string) => styles.get(e)!;
  return {
    id: 'chart-latency-overview',
    section: 'scorecard',
    caption: 'Latency of one check per engine (p50 and p99, log scale)',
    kind: 'hbar',
    labels: engines,
    series: [
      { label: 'p50', color: '#2563eb', colors: engines.map((e) => style(e).bar), values: engines.map((e) => latencies.get(e)!.p50.value) },
      { label: 'p99', color: '#9ca3af', values: engines.map((e) => latencies.get(e)!.p99.value) },
    ],
    axis: { title: 'ms (log scale)', log: true, unit: 'ms' },
    height: barHeight(engines.length, 30),
  };
}

function distributions(results: RunResults, styles: Map<string, EngineStyle>): ChartSpec[] {
  return results.scenarios.flatMap((s, i) => {
    const perf = results.performance.filter((p) => p.scenario === s.id && p.samples.length > 0);
    if (perf.length === 0) return [];
    const { centres, shares } = logHistogram(
      perf.map((p) => p.samples),
      60,
    );
    return [
      {
        id: `chart-latency-${i}`,
        section: 'latency',
        scenario: s.id,
        caption: `Latency distribution: ${s.id}`,
        kind: 'distribution' as const,
        labels: [],
        xs: centres.map((x) => +x.toPrecision(4)),
        series: perf.map((p, j) => ({ label: p.engine, engine: p.engine, color: styles.get(p.engine)!.color, dash: styles.get(p.engine)!.dash, values: shares[j]! })),
        axis: { title: 'latency of one check (log scale)', log: true, unit: 'ms' },
        height: 300,
      },
    ];
  });
}

/** The deadline a never-denied revocation ran into, from its message, else the longest time seen. */
function deadline(cases: CaseResult[]): number {
  const stated = cases
    .map((c) => /within (\d+) ms/.exec(c.message ?? '')?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);
  return Math.max(...stated, ...cases.map((c) => c.revocation?.timeToFirstDenyMs ?? 0), 1);
}

function revocationCharts(results: RunResults): ChartSpec[] {
  const cases = revocationRows(results).filter((c) => c.revocation);
  if (cases.length === 0) return [];
  const engines = [...new Set(cases.map((c) => c.engine))];
  const paths = [...new Set(cases.map(revocationLabel))];
  const find = (engine: string, path: string) => cases.find((c) => c.engine === engine && revocationLabel(c) === path);
  const limit = deadline(cases);
  // No red among the paths: red marks a revocation that was never denied.
  const pathColour = (i: number) => PATH_COLOURS[i % PATH_COLOURS.length]!;
  const deny: ChartSpec = {
    id: 'chart-revocation-deny',
    section: 'revocation',
    caption: 'Time to first deny per engine and path (log scale; red: never denied, drawn at the deadline)',
    kind: 'bar',
    labels: engines,
    series: paths.map((path, i) => ({
      label: path,
      color: pathColour(i),
      values: engines.map((e) => {
        const c = find(e, path);
        return c ? (c.revocation!.timeToFirstDenyMs ?? limit) : null;
      }),
      colors: engines.map((e) => (find(e, path) && find(e, path)!.revocation!.timeToFirstDenyMs === undefined ? STATUS_COLOUR.fail : pathColour(i))),
    })),
    axis: { title: 'ms (log scale)', log: true, unit: 'ms' },
    height: 320,
  };
  const stalePaths = paths.filter((path) => !cases.some((c) => revocationLabel(c) === path && isExpiry(c)));
  const stale: ChartSpec = {
    id: 'chart-revocation-stale',
    section: 'revocation',
    caption: 'Stale allows per engine and path (expiry left out: its allows before the deadline are expected)',
    kind: 'bar',
    labels: engines,
    series: stalePaths.map((path) => ({ label: path, color: pathColour(paths.indexOf(path)), values: engines.map((e) => find(e, path)?.revocation?.staleAllows ?? null) })),
    axis: { title: 'stale allows' },
    height: 320,
  };
  return [deny, stale, ...revocationWindowCharts(cases)];
}

/** The label of an audit bar; the browser test matches it to the audit table's group and engine. */
const auditLabel = (c: Pick<CaseResult, 'engine' | 'scenario'>) => `${c.engine} · ${c.scenario}`;

function auditChart(results: RunResults): ChartSpec | undefined {
  // Ordered as the audit table: by scenario, then engine.
  const scenarios = [...new Set(auditRows(results).map((c) => c.scenario))];
  const cases = scenarios.flatMap((s) => auditRows(results).filter((c) => c.scenario === s && c.audit));
  if (cases.length === 0) return undefined;
  return {
    id: 'chart-audit',
    section: 'audit',
    caption: "Audit completeness: share of the harness's checks in the engine's own log (engines without a log are not drawn)",
    kind: 'hbar',
    labels: cases.map(auditLabel),
    series: [
      {
        label: '% of checks found in the engine log',
        color: STATUS_COLOUR.pass,
        colors: cases.map((c) => STATUS_COLOUR[c.status]),
        values: cases.map((c) => +(c.audit!.share * 100).toFixed(2)),
      },
    ],
    notes: cases.map((c) => `${formatPercent(c.audit!.share)} (${c.audit!.found}/${c.audit!.checks}), ${c.status}`),
    axis: { title: '% found', max: 100 },
    height: barHeight(cases.length),
  };
}

export function chartSpecs(results: RunResults): ChartSpec[] {
  const styles = engineStyles(results.engines.map((e) => e.id));
  return [latencyOverview(results, styles), ...distributions(results, styles), ...revocationCharts(results), auditChart(results)].filter((c): c is ChartSpec => c !== undefined);
}
