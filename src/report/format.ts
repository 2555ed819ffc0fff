// Figures as text, the same in every report format.

import type { Interval, RunResults } from '../results/types.ts';
import { CHASE_MIB } from '../runner/machine-probe.ts';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  // Below a microsecond (the histograms record nanoseconds): in ns.
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 0.01) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

/** A range of two latencies in one unit: `38–44 µs`. */
export function formatMsRange(low: number, high: number): string {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return '–';
  const [a, unitA] = splitUnit(formatMs(low));
  const [b, unitB] = splitUnit(formatMs(high));
  return unitA === unitB ? `${a}–${b} ${unitB}` : `${formatMs(low)}–${formatMs(high)}`;
}
const splitUnit = (text: string): [string, string] => {
  const space = text.lastIndexOf(' ');
  return [text.slice(0, space), text.slice(space + 1)];
};

export const formatFactor = (factor: number) => (Number.isFinite(factor) ? `${factor < 10 ? factor.toFixed(2) : factor.toFixed(1)}×` : '–');
export const formatPercent = (share: number, digits = 1) => `${(share * 100).toFixed(digits)}%`;
export const formatCount = (n: number) => n.toLocaleString('en');

export function describeMachine(results: RunResults): string {
  const r = results.run;
  const load = r.loadAverage ? `, load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')} at the start` : '';
  const state = r.memoryLatencyNs !== undefined ? `; ${machineStateText(r)}` : '';
  return `${r.cpu} (${r.cpus} cores), ${r.memoryGiB} GiB, ${r.platform}, Node ${r.node}${load}${state}`;
}

/** `memory latency 172 ns (random reads of 64 MiB), CPU pressure 12% (last 60 s)`: how fast and how contended the machine was. */
export function machineStateText(state: { memoryLatencyNs?: number | undefined; cpuPressure?: number | undefined }): string {
  const parts: string[] = [];
  if (state.memoryLatencyNs !== undefined) parts.push(`memory latency ${Math.round(state.memoryLatencyNs)} ns (random reads of ${CHASE_MIB} MiB)`);
  if (state.cpuPressure !== undefined) parts.push(`CPU pressure ${state.cpuPressure.toFixed(0)}% (a task waited for a CPU that share of the last 60 s)`);
  return parts.join(', ') || 'not probed';
}

export const settingsText = (settings: Record<string, unknown>) =>
  Object.entries(settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');

/** One cost-curve point as text: `100: 412 µs, p99 1.20 ms (setup 274 ms, 41 MiB)`. */
export function formatCurvePoint(p: { size: number; p50: number; p99: number; setupMs: number; memoryMiB?: number }): string {
  return `${p.size}: ${formatMs(p.p50)}, p99 ${formatMs(p.p99)} (setup ${p.setupMs.toFixed(0)} ms${p.memoryMiB ? `, ${p.memoryMiB.toFixed(0)} MiB` : ''})`;
}

/** How to read the open-loop rows; printed under the load table. */
export const OPEN_LOOP_NOTE =
  'Open-loop latencies count from each check\'s intended send time (coordinated omission corrected, as wrk2 does); "p99 from send" counts from the actual send, as wrk 4 and most tools do. Closed-loop latencies are service times.';

/**
 * `87 µs ±12 µs` for an interval over trials; the value alone from one trial (there is no
 * interval then: `±0` would claim a certainty no one measured), `–` when there is none.
 */
export const withMargin = (i: Interval | undefined, format: (x: number) => string = formatMs, plusMinus = ' ±'): string =>
  i === undefined ? '–' : i.n > 1 ? `${format(i.mean)}${plusMinus}${format(i.margin)}` : format(i.mean);

/** What a line of figures from `n` trials says of its intervals: nothing when there are some. */
export const oneTrialNote = (n: number): string => (n === 1 ? ' (one trial: no interval)' : '');

/** `87 µs ± 12 µs`: a latency interval (mean ± margin over trials, or the single value) in the unit that suits it. */
export const msWithCi = (i: Interval | undefined) => (i === undefined ? undefined : withMargin(i, formatMs, ' ± '));
