// Native API vs AuthZEN on the same engine and data: two configurations of one engine (e.g.
// `openfga` and `openfga[authzen]`), both loaded with the same scenario, asked the same
// checks in the same run. Decisions must agree (a difference is a finding, with the
// request); latencies are measured interleaved (native, AuthZEN, native, ... so that drift
// of a shared machine falls on both alike) and compared with the project's one test for
// latency differences (src/stats/compare.ts).

import type { EngineAdapter } from '../core/adapter.ts';
import { describeRequest, type CheckRequest, type Decision } from '../core/request.ts';
import { resolveRequest } from '../runner/now.ts';
import type { Scenario } from '../scenario/types.ts';
import { comparePerfSamples, type PerfTestResult } from '../stats/compare.ts';
import { LatencyHistogram, type HistogramSummary } from '../stats/histogram.ts';

export interface Disagreement {
  request: string;
  native: string;
  authzen: string;
}

export interface LayerCost {
  scenario: string;
  native: string;
  authzen: string;
  /** Distinct requests compared (the scenario's checks, batch items and benchmark requests). */
  requests: number;
  disagreements: Disagreement[];
  /** One sequential check per sample, interleaved. */
  nativeLatency: HistogramSummary;
  authzenLatency: HistogramSummary;
  /** AuthZEN over native: ratio of geometric means with its confidence interval. */
  ratio: PerfTestResult;
  method: string;
}

const show = (d: Decision) => (d.error ? `error (${d.error})` : d.allowed ? 'allow' : 'deny');

/** Every check a scenario asks: single checks, batch items and its benchmark requests, each once. */
export function scenarioRequests(scenario: Scenario): CheckRequest[] {
  const all: CheckRequest[] = [];
  for (const step of scenario.steps) {
    if (step.kind === 'check') all.push(step.request);
    if (step.kind === 'batch') all.push(...step.requests);
  }
  all.push(...scenario.benchmark);
  const distinct = new Map<string, CheckRequest>();
  for (const request of all.map((r) => resolveRequest(r))) distinct.set(JSON.stringify(request), request);
  return [...distinct.values()];
}

/**
 * Both engines must be started and loaded with the scenario (before any step changes data).
 * `rounds` passes over the requests; the first pass is a warm-up and also the agreement check.
 */
export async function measureLayerCost(scenario: Scenario, native: EngineAdapter, authzen: EngineAdapter, rounds: number): Promise<LayerCost> {
  const requests = scenarioRequests(scenario);
  const disagreements: Disagreement[] = [];
  for (const request of requests) {
    const [a, b] = [await native.check(request), await authzen.check(request)];
    if (a.error !== undefined || b.error !== undefined || a.allowed !== b.allowed) {
      if (!(a.error && b.error))
        disagreements.push({ request: describeRequest(request) + (request.context ? ` context ${JSON.stringify(request.context)}` : ''), native: show(a), authzen: show(b) });
    }
  }
  const timing = await interleave(
    (r) => native.check(r),
    (r) => authzen.check(r),
    requests,
    rounds,
  );
  return {
    scenario: scenario.id,
    native: native.id,
    authzen: authzen.id,
    requests: requests.length,
    disagreements,
    ...timing,
    method: `${rounds} rounds over ${requests.length} distinct requests, one sequential check at a time, native and AuthZEN interleaved (order alternating), same engine version and data in two processes`,
  };
}

export type Timing = Pick<LayerCost, 'nativeLatency' | 'authzenLatency' | 'ratio'>;

/**
 * Times two ways of asking the same checks, interleaved: `rounds` passes over `requests`,
 * each request asked of both in turn, the order alternating so that neither always follows
 * the other's warm-up. Also used below the adapters, on raw HTTP calls (the wire cost).
 */
export async function interleave(native: (r: CheckRequest) => Promise<unknown>, authzen: (r: CheckRequest) => Promise<unknown>, requests: CheckRequest[], rounds: number): Promise<Timing> {
  const histograms = { native: new LatencyHistogram(), authzen: new LatencyHistogram() };
  const samples = { native: [] as number[], authzen: [] as number[] };
  const time = async (which: 'native' | 'authzen', ask: (r: CheckRequest) => Promise<unknown>, request: CheckRequest) => {
    const started = performance.now();
    await ask(request);
    const ms = performance.now() - started;
    histograms[which].recordMs(ms);
    samples[which].push(ms);
  };
  for (let round = 0; round < rounds; round++) {
    for (const [i, request] of requests.entries()) {
      if ((round + i) % 2 === 0) {
        await time('native', native, request);
        await time('authzen', authzen, request);
      } else {
        await time('authzen', authzen, request);
        await time('native', native, request);
      }
    }
  }
  const timing: Timing = {
    nativeLatency: histograms.native.summary(),
    authzenLatency: histograms.authzen.summary(),
    ratio: comparePerfSamples(samples.native, samples.authzen, { threshold: 0, alpha: 0.05 }),
  };
  histograms.native.destroy();
  histograms.authzen.destroy();
  return timing;
}

/** One line for logs and READMEs. */
export function formatTiming(timing: Timing, nativeLabel: string, authzenLabel: string): string {
  const f = (x: number) => x.toFixed(3);
  const r = timing.ratio;
  const ci = r.ratioLow !== undefined && r.ratioHigh !== undefined ? ` (95% CI ${r.ratioLow.toFixed(2)}–${r.ratioHigh.toFixed(2)})` : '';
  return `${nativeLabel} p50 ${f(timing.nativeLatency.p50)} ms, p99 ${f(timing.nativeLatency.p99)} ms; ${authzenLabel} p50 ${f(timing.authzenLatency.p50)} ms, p99 ${f(timing.authzenLatency.p99)} ms; AuthZEN/native ${r.ratio.toFixed(2)}×${ci} (ratio of geometric means); ${timing.nativeLatency.count} samples each`;
}

export function formatLayerCost(cost: LayerCost): string {
  return `${cost.scenario}: ${formatTiming(cost, cost.native, cost.authzen)}; ${cost.disagreements.length} disagreements`;
}
