// Vegeta (github.com/tsenart/vegeta, MIT): a constant-rate HTTP load generator in Go. Its
// pacer schedules hit n at (n+1)/rate after the attack began and starts a new worker whenever
// all are busy, so a slow answer never delays the next send (no coordinated omission); results
// carry each hit's sequence number, send time (ns) and latency (ns), in its gob format or as
// JSON lines (`vegeta encode`). Why vegeta and not another tool: docs/benchmarking.md.

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { HttpCheck } from '../core/adapter.ts';
import { InputError } from '../core/errors.ts';
import { attackName, parseAttackName, type GeneratorHit, type LoadGenerator, type LoadPlan } from './generator.ts';

/** One line of `vegeta encode -to json` (lib/results.go); latency in nanoseconds. */
interface VegetaResult {
  attack: string;
  seq: number;
  code: number;
  timestamp: string;
  latency: number;
  error: string;
}

/** A vegeta JSON target (lib/target.schema.json): the body base64, headers as lists. */
function target(check: HttpCheck): string {
  // Credentials stay out of files: the run script adds the token from the environment.
  const header = Object.fromEntries(
    Object.entries(check.headers)
      .filter(([k]) => k.toLowerCase() !== 'authorization')
      .map(([k, v]) => [k, [v]]),
  );
  return JSON.stringify({ method: check.method, url: check.url, ...(check.body === undefined ? {} : { body: Buffer.from(check.body).toString('base64') }), header });
}

/** RFC 3339 with nanoseconds, any offset, as whole seconds and nanoseconds (a double would lose the nanoseconds). */
export function parseTimestamp(text: string): { s: number; ns: number } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(text)}`);
  return { s: ms / 1000, ns: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** Whether a file holds JSON lines (`vegeta encode`) rather than vegeta's gob format. */
async function isJsonLines(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((error: Error) => {
    throw new InputError(file, '', `cannot read: ${error.message}`, 'give the results files the run script wrote (results/<machine>-trial<k>.bin)');
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead).toString('latin1').trimStart().startsWith('{');
  } finally {
    await handle.close();
  }
}

/** The file's results as JSON lines: as they are, or decoded from gob by `vegeta encode`. */
async function* jsonLines(file: string, binary: string): AsyncGenerator<string> {
  if (await isJsonLines(file)) {
    yield* createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    return;
  }
  const child = spawn(binary, ['encode', '-to', 'json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Settles once, never rejects: a failed spawn is reported after the (empty) output is read.
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  yield* createInterface({ input: child.stdout, crlfDelay: Infinity });
  const { code, error } = await exited;
  if (error?.code === 'ENOENT')
    throw new InputError(file, '', `vegeta's gob results need ${binary} to decode`, 'run `authz-bench loadgen install`, or give files encoded with `vegeta encode -to json`');
  if (error) throw error;
  if (code !== 0) throw new InputError(file, '', `vegeta encode exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`, 'give results files written by `vegeta attack`');
}

async function* readResults(files: readonly string[], binary: string): AsyncGenerator<GeneratorHit> {
  for (const file of files) {
    let line = 0;
    for await (const text of jsonLines(file, binary)) {
      line++;
      if (!text.trim()) continue;
      let result: VegetaResult;
      try {
        result = JSON.parse(text) as VegetaResult;
      } catch (error) {
        throw new InputError(file, `line ${line}`, `not a vegeta result: ${(error as Error).message}`, 'give results written by `vegeta attack` or `vegeta encode -to json`');
      }
      const attack = parseAttackName(result.attack ?? '');
      if (!attack) {
        throw new InputError(
          file,
          `line ${line}`,
          `attack ${JSON.stringify(result.attack)} was not started by an exported run script (it names trial, machine, rate, warm-up and duration)`,
          'run the attacks with the run.sh that `authz-bench export vegeta` wrote',
        );
      }
      let sent: { s: number; ns: number };
      try {
        sent = parseTimestamp(result.timestamp);
      } catch (error) {
        throw new InputError(file, `line ${line}`, (error as Error).message, 'give results written by `vegeta attack` or `vegeta encode -to json`');
      }
      yield { file, attack, seq: result.seq, sentS: sent.s, sentNs: sent.ns, latencyMs: result.latency / 1e6, ok: !result.error && result.code >= 200 && result.code < 300 };
    }
  }
}

function runScript(plan: LoadPlan): string {
  const total = plan.machines * plan.ratePerMachine;
  const name = attackName({ trial: '$trial', machine: '$MACHINE', ratePerMachine: '$RATE', warmupMs: '$WARMUP_MS', durationMs: '$DURATION_MS' });
  return `#!/bin/sh
# Written by \`authz-bench export vegeta\` at ${plan.exportedAt}: ${plan.engine.id} (${plan.engine.name} ${plan.engine.version}),
# scenario ${plan.scenario.id}, ${plan.requests} requests cycled in order. One machine's share of the load;
# run it on ${plan.machines} machines with the same start time (README.md beside this file).
#
# usage: ./run.sh <machine-name> [start-at]
#   machine-name  unique per machine (letters, digits, . _ -): results/<machine-name>-trial<k>.bin
#   start-at      Unix time (s) at which trial 1 starts, the same on every machine
#                 (clocks synchronised by NTP), e.g. $(( $(date +%s) + 60 )); default: now
# env: VEGETA (default: vegeta on PATH), ${plan.tokenVariable} (bearer token, if the engine needs one)
set -eu
cd "$(dirname "$0")"
MACHINE="\${1:?usage: ./run.sh <machine-name> [start-at-unix-seconds]}"
case "$MACHINE" in *[!A-Za-z0-9._-]*) echo "machine name '$MACHINE': use letters, digits, . _ -" >&2; exit 2 ;; esac
START_AT="\${2:-$(date +%s)}"
VEGETA="\${VEGETA:-vegeta}"
RATE=${plan.ratePerMachine}            # checks/s from this machine (${plan.machines} machines: ${total}/s in all)
WARMUP_MS=${plan.warmupMs}     # not measured
DURATION_MS=${plan.durationMs}  # measured
TRIALS=${plan.trials}
PERIOD_S=${plan.periodS}          # from one trial's start to the next
if [ -n "\${${plan.tokenVariable}:-}" ]; then set -- -header "Authorization: Bearer $${plan.tokenVariable}"; else set --; fi
mkdir -p results
trial=1
while [ "$trial" -le "$TRIALS" ]; do
  at=$(( START_AT + (trial - 1) * PERIOD_S ))
  now=$(date +%s)
  if [ "$at" -gt "$now" ]; then sleep $(( at - now )); fi
  "$VEGETA" attack -format=json -targets=${'targets.json'} -rate="$RATE/1s" -duration="$(( WARMUP_MS + DURATION_MS ))ms" \\
    -name="${name}" \\
    -output="results/$MACHINE-trial$trial.bin" "$@"
  trial=$(( trial + 1 ))
done
`;
}

export const vegeta: LoadGenerator = {
  id: 'vegeta',
  name: 'Vegeta',
  version: '12.13.0',
  description: 'Vegeta (Go, MIT): constant-rate HTTP load, no coordinated omission, nanosecond latencies',
  install: { kind: 'go', goPackage: 'github.com/tsenart/vegeta/v12', goModule: 'github.com/tsenart/vegeta/v12', binary: 'vegeta', minGo: { major: 1, minor: 22 } },
  targetsFile: 'targets.json',
  targets: (checks) => `${checks.map(target).join('\n')}\n`,
  runScript,
  readResults,
};
