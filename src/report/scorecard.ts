// The scorecard: one row per engine configuration with what a reader needs to decide —
// conformance, revocation, audit, latency with its uncertainty, load capacity, memory and
// start-up — before the details.

import type { CaseResult, EngineRecord, RunResults } from '../results/types.ts';
import { equalWeightPool, quantileInterval, type QuantileEstimate } from '../stats/quantile.ts';
import { formatCount, formatFactor, formatMs, formatMsRange, formatPercent } from './format.ts';
import { cell, num, text, type Cell, type Column, type Paragraph, type Row, type Table, type Tone } from './table.ts';
import { auditRows, engineKind, factorTone, isExpiry, matrixCell, revocationRows } from './views.ts';

export interface EngineLatency {
  p50: QuantileEstimate;
  p99: QuantileEstimate;
  /** How many scenarios the figures pool. */
  scenarios: number;
}

/** Scenarios benchmarked by every engine that has latency samples: the fair ground for one figure per engine. */
function commonScenarios(results: RunResults): string[] {
  const byEngine = new Map<string, Set<string>>();
  for (const p of results.performance) if (p.samples.length > 0) (byEngine.get(p.engine) ?? byEngine.set(p.engine, new Set()).get(p.engine)!).add(p.scenario);
  const sets = [...byEngine.values()];
  return results.scenarios.map((s) => s.id).filter((id) => sets.length > 0 && sets.every((set) => set.has(id)));
}

/**
 * One latency figure per engine: the p50 and p99 of a check drawn from the common scenarios,
 * each scenario weighing the same, with 95% order-statistic intervals.
 */
export function engineLatencies(results: RunResults): Map<string, EngineLatency> {
  const common = new Set(commonScenarios(results));
  const out = new Map<string, EngineLatency>();
  for (const e of results.engines) {
    const series = results.performance.filter((p) => p.engine === e.id && common.has(p.scenario) && p.samples.length > 0).map((p) => p.samples);
    if (series.length === 0) continue;
    const pool = equalWeightPool(series);
    out.set(e.id, { p50: quantileInterval(pool, 0.5), p99: quantileInterval(pool, 0.99), scenarios: series.length });
  }
  return out;
}

function conformanceCell(results: RunResults, engine: string): Cell {
  let pass = 0;
  let unsupported = 0;
  let failing = 0;
  let notRun = 0;
  let failingCases = 0;
  let partly = 0;
  for (const s of results.scenarios) {
    const c = matrixCell(results, s.id, engine);
    if (c.status === 'pass') pass++;
    else if (c.status === 'unsupported') unsupported++;
    else if (c.status === 'not run') notRun++;
    else {
      failing++;
      failingCases += c.failures.length;
    }
    if (c.status !== 'unsupported' && c.unsupportedSteps > 0) partly++;
  }
  const tone: Tone = failing > 0 ? 'fail' : pass === 0 ? 'unsupported' : 'pass';
  const parts = [`${pass} pass`, ...(unsupported ? [`${unsupported} unsupported`] : []), ...(failing ? [`${failing} fail`] : []), ...(notRun ? [`${notRun} not run`] : [])];
  const notes = [...(failingCases ? [`${failingCases} failing case${failingCases === 1 ? '' : 's'}`] : []), ...(partly ? [`${partly} with unsupported steps`] : [])];
  return cell(parts.join(' · '), { tone, ...(notes.length ? { note: notes.join('; ') } : {}) });
}

function revocationCell(cases: CaseResult[]): Cell {
  const judged = cases.filter((c) => c.revocation && !isExpiry(c));
  if (judged.length === 0) return cell('–', { tone: 'muted' });
  const never = judged.filter((c) => c.revocation!.timeToFirstDenyMs === undefined);
  const worst = Math.max(...judged.map((c) => c.revocation!.timeToFirstDenyMs ?? 0));
  const stale = judged.reduce((a, c) => a + c.revocation!.staleAllows, 0);
  const tone: Tone = judged.some((c) => c.status === 'fail') ? 'fail' : judged.some((c) => c.status === 'error') ? 'error' : 'pass';
  const head = never.length > 0 ? `never denied on ${never.length} of ${judged.length} paths` : `≤ ${formatMs(worst)} to deny`;
  return cell(head, { tone, note: `${formatCount(stale)} stale allow${stale === 1 ? '' : 's'}` });
}

function auditCell(cases: CaseResult[]): Cell {
  if (cases.length === 0) return cell('–', { tone: 'muted' });
  const measured = cases.filter((c) => c.audit && c.audit.logKind !== 'none');
  // An engine without a log of its own: the audit steps fail (docs/verdicts.md), shown as such.
  if (measured.length === 0) return cell('no log', { tone: cases.some((c) => c.status === 'fail') ? 'fail' : 'unsupported', note: 'not provided by the engine' });
  const found = measured.reduce((a, c) => a + c.audit!.found, 0);
  const checks = measured.reduce((a, c) => a + c.audit!.checks, 0);
  const kinds = [...new Set(measured.map((c) => (c.audit!.logKind === 'request' ? 'request log' : `${c.audit!.logKind} log`)))];
  const tone: Tone = cases.some((c) => c.status === 'fail') ? 'fail' : cases.some((c) => c.status === 'error') ? 'error' : 'pass';
  return cell(checks > 0 ? formatPercent(found / checks, 0) : '–', { tone, note: `${found}/${checks} in its ${kinds.join(', ')}` });
}

function latencyCell(q: QuantileEstimate | undefined): Cell {
  if (!q) return cell('–', { tone: 'muted' });
  return cell(formatMs(q.value), { note: formatMsRange(q.low, q.high) });
}

/** The highest rate at which the engine's p99 stayed within the SLO, from `authz-bench bench`. */
function sloCell(results: RunResults, engine: string): Cell {
  const verdicts = results.bench?.slo.filter((v) => v.engine === engine) ?? [];
  if (verdicts.length === 0) return cell('–', { tone: 'muted' });
  const best = Math.max(...verdicts.map((v) => v.highestPassingRate ?? 0));
  const v = verdicts[0]!;
  return cell(best > 0 ? `${formatCount(best)}/s` : 'none', { tone: best > 0 ? 'pass' : 'fail', note: `p99 ≤ ${v.thresholdMs} ms` });
}

/** Memory: what the run recorded for the engine, else the largest cost-curve point. */
function memoryMiB(results: RunResults, e: EngineRecord): number | undefined {
  if (e.memoryMiB !== undefined) return e.memoryMiB;
  const points = (results.bench?.curves ?? []).filter((c) => c.engine === e.id).flatMap((c) => c.points);
  const values = points.map((p) => p.memoryMiB).filter((m): m is number => m !== undefined);
  return values.length ? Math.max(...values) : undefined;
}

export function scorecardTable(results: RunResults): Table {
  const latencies = engineLatencies(results);
  const common = commonScenarios(results);
  const hasBench = (results.bench?.slo.length ?? 0) > 0;
  const hasMemory = results.engines.some((e) => memoryMiB(results, e) !== undefined);
  const hasStart = results.engines.some((e) => e.startMs !== undefined);
  const fastestOfKind = (kind: string) => Math.min(...results.engines.filter((e) => engineKind(e) === kind).map((e) => latencies.get(e.id)?.p50.value ?? Infinity));

  const columns: Column[] = [
    text('engine', 'engine configuration; embedded engines answer in the harness process, server engines over a network hop'),
    text('conformance', 'scenarios that pass, that the engine cannot express (unsupported), that fail or error'),
    text('revocation', 'slowest time from an acknowledged revocation to the first deny, over every path but expiry; allows seen before it'),
    text('audit', "share of the harness's checks found in the engine's own log"),
    num('p50', `median latency of one check over the ${common.length} scenarios every engine benchmarked; under it the 95% interval`),
    num('p99', 'the same for the 99th percentile'),
    num('p50 × fastest of kind', 'p50 over the fastest p50 among engines of the same kind (embedded or server)'),
    ...(hasBench ? [num('highest rate within SLO', 'from authz-bench bench: the highest open-loop rate whose p99 held the threshold')] : []),
    ...(hasMemory ? [num('memory', 'resident memory of the engine (for embedded engines: the whole harness process)')] : []),
    ...(hasStart ? [num('start', 'from starting the engine to ready')] : []),
  ];
  const body: Row[] = results.engines.map((e) => {
    const lat = latencies.get(e.id);
    const kind = engineKind(e);
    const factor = lat ? lat.p50.value / fastestOfKind(kind) : Number.NaN;
    const memory = memoryMiB(results, e);
    const cells: Cell[] = [
      cell(e.id, { code: true, note: e.skipped ? `${kind}; skipped: ${e.skipped}` : kind }),
      e.skipped ? cell('did not run', { tone: 'error' }) : conformanceCell(results, e.id),
      revocationCell(revocationRows(results).filter((c) => c.engine === e.id)),
      auditCell(auditRows(results).filter((c) => c.engine === e.id)),
      latencyCell(lat?.p50),
      latencyCell(lat?.p99),
      Number.isFinite(factor) ? cell(formatFactor(factor), { tone: factorTone(factor) }) : cell('–', { tone: 'muted' }),
      ...(hasBench ? [sloCell(results, e.id)] : []),
      ...(hasMemory ? [cell(memory !== undefined ? `${memory.toFixed(0)} MiB` : '–')] : []),
      ...(hasStart ? [cell(formatMs(e.startMs))] : []),
    ];
    return { cells, engine: e.id };
  });

  const notes: Paragraph[] = [
    [
      `Latency: one check drawn from the ${common.length} scenario${common.length === 1 ? '' : 's'} every engine benchmarked, each scenario weighing the same; with each figure its 95% confidence interval (order statistics). The factor compares engines of one kind: an in-process engine skips the network hop every server engine pays.`,
    ],
    ['Revocation: the expiry path is left out of this column (its allows before the deadline are expected); see the revocation table.'],
  ];
  const missing = [...(hasMemory ? [] : ['memory']), ...(hasStart ? [] : ['start-up time'])];
  if (missing.length)
    notes.push([`Not in this results file: ${missing.join(' and ')} (older runs did not record them; `, { code: 'authz-bench bench --all' }, ' also records memory per cost-curve point).']);
  return { id: 'scorecard-table', columns, groups: [{ rows: body }], notes };
}
