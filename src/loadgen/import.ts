// `authz-bench import-load`: the results of N generator processes become the same LoadTrial,
// LoadSummary and SLO verdict as the harness's own open loop. Every machine's attack of one
// trial is one share of that trial's load; their hits go into one HdrHistogram per trial
// (src/stats/histogram.ts), and the trials into the usual 95% intervals (src/load/trials.ts).
//
// Latency is counted as the open loop counts it: from the intended send time. A constant-rate
// attack meant hit n to go at (n+1)/rate after it began; the beginning is recovered as the
// earliest `send - (n+1)/rate` over its hits (no hit goes before its time), so a hit the
// generator sent late (its machine stalled) counts from when it was due. The open loop wakes
// TIMER_SLACK_MS before each intended time, so its timers may fire that late at no cost; a
// generator that sleeps until the intended time (vegeta: Go timers, late by up to a
// millisecond) gets the same allowance: lateness beyond it is counted, within it is not.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors.ts';
import { TIMER_SLACK_MS } from '../load/open-loop.ts';
import { sloHolds } from '../load/slo.ts';
import { summariseTrials, type LoadSummary } from '../load/trials.ts';
import type { LoadTrial } from '../load/types.ts';
import type { GeneratorMark, LoadRecord, SloRecord } from '../results/types.ts';
import { LatencyHistogram } from '../stats/histogram.ts';
import type { AttackLabel, GeneratorHit, LoadPlan } from './generator.ts';

/** One machine's attack in one trial, while its hits are read. */
interface Share {
  attack: AttackLabel;
  file: string;
  /** Hits as [send time (ms from the import's time base), latency ms, seq, ok]. */
  hits: { sentMs: number; latencyMs: number; seq: number; ok: boolean }[];
}

export interface ImportedLoad {
  summary: LoadSummary;
  mark: GeneratorMark;
  /** Per trial, the machines that took part. */
  trials: { trial: number; machines: string[]; overlap: number }[];
  /** As the attacks were run (the run script may have been edited after the export). */
  warmupMs: number;
  durationMs: number;
  /** Problems that do not stop the import but weaken its figures (trials that did not overlap). */
  warnings: string[];
}

/** The shares of every trial, keyed by trial then machine, from hits in any order. */
async function collectShares(hits: AsyncIterable<GeneratorHit>): Promise<Map<number, Map<string, Share>>> {
  const trials = new Map<number, Map<string, Share>>();
  let baseS: number | undefined;
  for await (const hit of hits) {
    baseS ??= hit.sentS;
    const machines = trials.get(hit.attack.trial) ?? new Map<string, Share>();
    trials.set(hit.attack.trial, machines);
    let share = machines.get(hit.attack.machine);
    if (!share) {
      share = { attack: hit.attack, file: hit.file, hits: [] };
      machines.set(hit.attack.machine, share);
    } else if (share.file !== hit.file) {
      throw new InputError(
        hit.file,
        '',
        `trial ${hit.attack.trial} of machine ${hit.attack.machine} is also in ${share.file}`,
        'give each results file once; each machine needs its own name',
      );
    }
    share.hits.push({ sentMs: (hit.sentS - baseS) * 1000 + hit.sentNs / 1e6, latencyMs: hit.latencyMs, seq: hit.seq, ok: hit.ok });
  }
  return trials;
}

/** A share's measured window and hits, counted as the open loop counts its own (src/load/recorder.ts). */
function measureShare(share: Share, latency: LatencyHistogram, service: LatencyHistogram) {
  const { ratePerMachine, warmupMs, durationMs } = share.attack;
  const interval = 1000 / ratePerMachine;
  const began = share.hits.reduce((earliest, h) => Math.min(earliest, h.sentMs - (h.seq + 1) * interval), Infinity);
  const measureFrom = began + warmupMs;
  const end = measureFrom + durationMs;
  let completed = 0;
  let errors = 0;
  let lastDone = end;
  for (const h of share.hits) {
    const intended = began + (h.seq + 1) * interval;
    if (intended < measureFrom || intended >= end) continue;
    const done = h.sentMs + h.latencyMs;
    latency.recordMs(done - Math.min(intended + TIMER_SLACK_MS, h.sentMs));
    service.recordMs(h.latencyMs);
    completed++;
    if (!h.ok) errors++;
    lastDone = Math.max(lastDone, done);
  }
  return { measureFrom, end, completed, errors, throughput: (completed / (lastDone - measureFrom)) * 1000 };
}

/**
 * Merges the hits of every machine into one LoadTrial per trial, summarised with the
 * harness's statistics. Every machine must have run at the same rate, warm-up and duration.
 */
export async function importHits(hits: AsyncIterable<GeneratorHit>, generator: { name: string; version: string }): Promise<ImportedLoad> {
  const shares = await collectShares(hits);
  if (shares.size === 0) throw new InputError('results', '', 'the files hold no results', 'give the results/<machine>-trial<k>.bin files the run script wrote');
  const all = [...shares.values()].flatMap((m) => [...m.values()]);
  const first = all[0]!.attack;
  for (const share of all) {
    const a = share.attack;
    if (a.ratePerMachine !== first.ratePerMachine || a.warmupMs !== first.warmupMs || a.durationMs !== first.durationMs) {
      throw new InputError(
        share.file,
        'attack',
        `rate ${a.ratePerMachine}/s, warm-up ${a.warmupMs} ms, duration ${a.durationMs} ms differ from ${all[0]!.file} (${first.ratePerMachine}/s, ${first.warmupMs} ms, ${first.durationMs} ms)`,
        'import the results of one export together',
      );
    }
  }
  const allMachines = [...new Set(all.map((s) => s.attack.machine))].sort();
  const warnings: string[] = [];
  const trials: LoadTrial[] = [];
  const perTrial: ImportedLoad['trials'] = [];
  for (const [trial, machines] of [...shares.entries()].sort(([a], [b]) => a - b)) {
    const latency = new LatencyHistogram();
    const service = new LatencyHistogram();
    const measured = [...machines.values()].map((share) => measureShare(share, latency, service));
    // The machines' measured windows must overlap, or the engine never saw the combined rate.
    const overlap = Math.max(0, Math.min(...measured.map((m) => m.end)) - Math.max(...measured.map((m) => m.measureFrom))) / first.durationMs;
    if (overlap < 0.9)
      warnings.push(
        `trial ${trial}: the machines' measured windows overlap for ${(overlap * 100).toFixed(0)}% of the duration; start every machine with the same start-at (./run.sh <name> <start-at>)`,
      );
    const missing = allMachines.filter((m) => !machines.has(m));
    if (missing.length > 0) warnings.push(`trial ${trial}: no results from ${missing.join(', ')}`);
    perTrial.push({ trial, machines: [...machines.keys()].sort(), overlap });
    const summary = latency.summary();
    const serviceTime = service.summary();
    latency.destroy();
    service.destroy();
    trials.push({
      mode: 'open',
      concurrency: machines.size,
      targetRate: machines.size * first.ratePerMachine,
      durationMs: first.durationMs,
      throughput: measured.reduce((a, m) => a + m.throughput, 0),
      errors: measured.reduce((a, m) => a + m.errors, 0),
      latency: summary,
      serviceTime,
    });
  }
  return {
    summary: summariseTrials(trials),
    mark: { name: generator.name, version: generator.version, machines: allMachines.length, ratePerMachine: first.ratePerMachine },
    trials: perTrial,
    warmupMs: first.warmupMs,
    durationMs: first.durationMs,
    warnings,
  };
}

/** The load record and SLO verdict of an import, as `authz-bench bench` stores its own. */
export function importRecords(plan: LoadPlan, imported: ImportedLoad, sloMs: number): { load: LoadRecord; slo: SloRecord } {
  const { summary, mark } = imported;
  const rate = summary.targetRate ?? mark.machines * mark.ratePerMachine;
  const how = `${mark.name} ${mark.version} on ${mark.machines} machines at ${mark.ratePerMachine}/s each (${rate}/s in all), ${summary.trials.length} trials of ${imported.durationMs} ms after ${imported.warmupMs} ms warm-up`;
  const { trials, ...rest } = summary;
  const load: LoadRecord = {
    engine: plan.engine.id,
    scenario: plan.scenario.id,
    ...rest,
    trials: trials.length,
    method: `open loop from ${how}; latency from the intended send time (the generator's constant-rate schedule), HdrHistogram per trial over all machines; 95% CI over trials (Student's t)`,
    generator: mark,
  };
  const pass = sloHolds(summary, rate, sloMs);
  const slo: SloRecord = {
    engine: plan.engine.id,
    scenario: plan.scenario.id,
    thresholdMs: sloMs,
    targetRate: rate,
    p99: summary.p99,
    pass,
    ...(pass ? { highestPassingRate: rate } : {}),
    ramp: [],
    method: `${how}: mean p99 over trials <= ${sloMs} ms with no errors and >= 90% of the rate served; one rate, no ramp (export again at another rate)`,
    generator: mark,
  };
  return { load, slo };
}

export const PLAN_FILE = 'authz-bench-export.json';

/** The export's plan: in `exportDir`, else beside the first results file or one folder up (results/ inside the export). */
export function readPlan(exportDir: string | undefined, files: readonly string[]): { plan: LoadPlan; file: string } {
  const first = files[0] ? path.dirname(path.resolve(files[0])) : process.cwd();
  const candidates = exportDir ? [path.resolve(exportDir, PLAN_FILE)] : [path.join(first, PLAN_FILE), path.join(path.dirname(first), PLAN_FILE)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new InputError(candidates[0]!, '', 'no export plan found', 'give --export <the folder `authz-bench export` wrote>');
  let plan: LoadPlan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as LoadPlan;
  } catch (error) {
    throw new InputError(file, '', `not JSON: ${(error as Error).message}`, 'give the folder `authz-bench export` wrote');
  }
  if (plan.format !== 'authz-bench-export/1')
    throw new InputError(file, 'format', `found ${JSON.stringify(plan.format)}, expected "authz-bench-export/1"`, 'export again with this version of authz-bench');
  return { plan, file };
}
