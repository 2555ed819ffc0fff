// External load generators: the same request mix and the same statistics as the harness's
// own open loop, with the load coming from generator processes on as many machines as
// needed (docs/benchmarking.md, "Load from several machines"). A generator is a tool
// installed like an engine's component (its recipe goes through src/engines/install.ts), and
// knows three things: how to write the requests as its targets, how one machine runs its
// share, and how to read its results back as hits.

import type { EngineComponent, HttpCheck } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';
import type { EngineRecord, ScenarioRecord } from '../results/types.ts';

/** What `authz-bench export` decided, written beside the targets and read back by `import-load`. */
export interface LoadPlan {
  /** Marks the file for import-load; bump on an incompatible change. */
  format: 'authz-bench-export/1';
  generator: { id: string; version: string };
  /** The engine as it answered at export time (version it reports, settings); no credentials. */
  engine: EngineRecord;
  scenario: ScenarioRecord;
  /** How many distinct requests the mix cycles through (the scenario's benchmark requests, in order). */
  requests: number;
  /** When `$now` in the requests was resolved: the targets carry fixed times from then on. */
  nowResolvedAt?: string;
  machines: number;
  ratePerMachine: number;
  trials: number;
  /** Unmeasured start of every trial (each trial is one attack: warm-up, then the measured window). */
  warmupMs: number;
  durationMs: number;
  /** From the start of one trial to the start of the next, whole seconds so that shell arithmetic keeps it. */
  periodS: number;
  sloMs: number;
  /** The environment variable the run script reads a bearer token from; never the token itself. */
  tokenVariable: string;
  exportedAt: string;
  command: string;
}

/** One machine's share of one trial, as the run script names its attack. */
export interface AttackLabel {
  trial: number;
  machine: string;
  ratePerMachine: number;
  warmupMs: number;
  durationMs: number;
}

/** One request the generator sent, with its outcome. */
export interface GeneratorHit {
  /** The results file it came from, for messages. */
  file: string;
  attack: AttackLabel;
  /** Position in its attack's schedule (0 = the first send). */
  seq: number;
  /** Actual send time: whole Unix seconds and nanoseconds within that second (kept apart for precision). */
  sentS: number;
  sentNs: number;
  /** From the actual send to the end of the response. */
  latencyMs: number;
  /** A 2xx answer without transport error. */
  ok: boolean;
}

/** A pinned tool installed like an engine's component (src/engines/install.ts), not an engine. */
export interface LoadGenerator extends EngineComponent {
  /** One line for messages and docs: the tool and its licence. */
  description: string;
  /** The targets file's name in the export folder. */
  targetsFile: string;
  /** The requests as the generator's targets, cycled in order; authorization headers are left to the run script. */
  targets(checks: readonly HttpCheck[]): string;
  /** The POSIX shell script one machine runs for its share of every trial. */
  runScript(plan: LoadPlan): string;
  /** The hits in the given results files (the generator's own formats), in file order. */
  readResults(files: readonly string[], binary: string): AsyncIterable<GeneratorHit>;
}

/** The attack name the run scripts give: every parameter import-load needs travels with the results. */
export function attackName(label: AttackLabel | Record<keyof AttackLabel, string>): string {
  return `authz-bench trial=${label.trial} machine=${label.machine} rate=${label.ratePerMachine} warmup=${label.warmupMs} duration=${label.durationMs}`;
}

const ATTACK = /^authz-bench trial=(\d+) machine=([A-Za-z0-9._-]+) rate=(\d+) warmup=(\d+) duration=(\d+)$/;

/** The label back from an attack name; undefined for an attack not started by an exported run script. */
export function parseAttackName(name: string): AttackLabel | undefined {
  const m = ATTACK.exec(name);
  if (!m) return undefined;
  return { trial: Number(m[1]), machine: m[2]!, ratePerMachine: Number(m[3]), warmupMs: Number(m[4]), durationMs: Number(m[5]) };
}

/** The generator by its id, or an input error listing the ones there are. */
export function findGenerator(id: string, generators: readonly LoadGenerator[]): LoadGenerator {
  const found = generators.find((g) => g.id === id);
  if (!found) throw new InputError('<generator>', id, 'no such load generator', `use one of: ${generators.map((g) => g.id).join(', ')}`);
  return found;
}
