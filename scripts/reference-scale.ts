// The reference engine at scale, on the Drive-like dataset (scenarios/generators/drive.ts):
// generation, load rate, heap per relationship, and per-check latency over the distinct
// requests, with and without the decision log. Figures, not a test: run it by hand.
//
//   node --import tsx scripts/reference-scale.ts --relationships 1000000
//   node --import tsx scripts/reference-scale.ts --relationships 1000000 --compare /work/main
//   node --import tsx scripts/reference-scale.ts --engine /path/to/other/checkout
//
// Each figure comes from a fresh child process (`--phase`), so one measurement's garbage
// cannot weigh on the next: `heap` is the heap delta of the loaded engine after a full GC
// (the generator's output dropped first; typed arrays' buffers included), `latency` times every request once per pass with
// process.hrtime.bigint() around each check (the timer's own cost is printed beside it), and
// the p50/p99 of each request's fastest pass (robust on a loaded machine; stated as such).
// Load is timed in wall and CPU time (engine.write of every relationship, validation included).
// With --compare DIR the engine in DIR/src/reference/engine.ts (another checkout) is measured
// too, interleaved with this one phase by phase, on the same generated data.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseObject, parseRelationship, type Relationship } from '../src/core/relationship.ts';
import type { CheckRequest } from '../src/core/request.ts';
import { parseModel } from '../src/model/parse.ts';
import { parse as parseYaml } from 'yaml';
import { generateDrive } from '../scenarios/generators/drive.ts';
import { quantileOfSorted } from '../src/stats/quantile.ts';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');

const { values: args } = parseArgs({
  options: {
    relationships: { type: 'string', default: '1000000' },
    depth: { type: 'string', default: '10' },
    checks: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    passes: { type: 'string', default: '50' },
    compare: { type: 'string' },
    phase: { type: 'string' },
    log: { type: 'boolean', default: false },
    engine: { type: 'string', default: ROOT },
  },
});
const relationshipCount = Number(args.relationships);
const passes = Number(args.passes);

interface Engine {
  write(relationships: Relationship[]): void;
  check(request: CheckRequest): { allowed: boolean };
}
type EngineClass = new (model: ReturnType<typeof parseModel>, options: { decisionLog?: boolean }) => Engine;

/** The model of the bundled scale-drive scenario (the generator's rule is written for it). */
function driveModel(): ReturnType<typeof parseModel> {
  const file = path.join(ROOT, 'scenarios/scale/scale-drive.yaml');
  return parseModel((parseYaml(readFileSync(file, 'utf8')) as { model: unknown }).model, file, 'model');
}

/** The generated store and requests, parsed as the loader would (without its YAML and per-relationship checks). */
function generate() {
  const started = performance.now();
  const out = generateDrive({ relationships: relationshipCount, depth: Number(args.depth), groupDepth: 4, memberships: 3, checks: Number(args.checks) }, Number(args.seed));
  const generated = performance.now();
  const relationships = out.relationships.map((text) => parseRelationship(text)!);
  const checks = (out.steps as { check: { subject: string; action: string; resource: string }; expect: string }[]).map(({ check, expect }) => ({
    request: { subject: parseObject(check.subject)!, action: { name: check.action }, resource: parseObject(check.resource)! } as CheckRequest,
    allowed: expect === 'allow',
  }));
  return { relationships, checks, generateMs: generated - started, parseMs: performance.now() - generated };
}

async function engineClass(dir: string): Promise<EngineClass> {
  return (await import(pathToFileURL(path.join(dir, 'src/reference/engine.ts')).href)).ReferenceEngine as EngineClass;
}

const gc = (): void => {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc!();
};

/** One phase in this (fresh) process; prints one JSON line. */
async function phase(name: string): Promise<void> {
  const Reference = await engineClass(args.engine);
  const model = driveModel();
  if (name === 'heap') {
    gc();
    // Typed arrays live outside the JS heap (arrayBuffers): both count.
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    const engine = (() => {
      const { relationships } = generate();
      const e = new Reference(model, { decisionLog: false });
      e.write(relationships);
      return e;
    })();
    gc();
    const after = used();
    console.log(JSON.stringify({ heapBytes: after - before, alive: !!engine }));
    return;
  }
  const { relationships, checks, generateMs, parseMs } = generate();
  const engine = new Reference(model, { decisionLog: args.log });
  const loadStart = performance.now();
  const loadCpu = process.cpuUsage();
  engine.write(relationships);
  const loadMs = performance.now() - loadStart;
  const { user, system } = process.cpuUsage(loadCpu);
  const loadCpuMs = (user + system) / 1000;
  let wrong = 0;
  for (const c of checks) if (engine.check(c.request).allowed !== c.allowed) wrong++;
  // The timer's own cost: two hrtime.bigint() calls around nothing.
  const empty: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const t0 = process.hrtime.bigint();
    empty.push(Number(process.hrtime.bigint() - t0));
  }
  const samples = new Float64Array(checks.length * passes);
  // Each request's fastest pass: what it costs when nothing else runs (a shared machine's other
  // processes stretch some passes; the minimum is the least disturbed).
  const fastest = new Float64Array(checks.length).fill(Number.POSITIVE_INFINITY);
  let n = 0;
  for (let pass = 0; pass < passes; pass++) {
    checks.forEach((c, i) => {
      const t0 = process.hrtime.bigint();
      engine.check(c.request);
      const ns = Number(process.hrtime.bigint() - t0);
      samples[n++] = ns;
      if (ns < fastest[i]!) fastest[i] = ns;
    });
  }
  samples.sort();
  fastest.sort();
  const at = (q: number) => quantileOfSorted(samples, q);
  empty.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      generateMs,
      parseMs,
      loadMs,
      loadCpuMs,
      wrong,
      checks: checks.length,
      p50: at(0.5),
      p99: at(0.99),
      max: samples[samples.length - 1],
      fastestP50: quantileOfSorted(fastest, 0.5),
      fastestP99: quantileOfSorted(fastest, 0.99),
      timer: quantileOfSorted(empty, 0.5),
      samples: samples.length,
    }),
  );
}

function child(engineDir: string, name: string, log: boolean): Record<string, number> {
  const argv = ['--expose-gc', '--import', 'tsx', SELF, '--phase', name, '--engine', engineDir];
  for (const key of ['relationships', 'depth', 'checks', 'seed', 'passes'] as const) argv.push(`--${key}`, String(args[key]));
  if (log) argv.push('--log');
  const out = execFileSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const us = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const engines = [path.resolve(args.engine), ...(args.compare ? [path.resolve(args.compare)] : [])];
  console.log(`reference-scale: drive, ${relationshipCount.toLocaleString('en')} relationships, depth ${args.depth}, ${args.checks} distinct checks, seed ${args.seed}, ${passes} passes`);
  console.log(`node ${process.version}; load average ${load()}`);
  for (const engineDir of engines) console.log(`engine ${path.relative(process.cwd(), engineDir) || '.'}: ${engineDir}/src/reference/engine.ts`);
  // Interleaved: each phase runs on every engine before the next phase.
  for (const [name, log] of [
    ['heap', false],
    ['latency', false],
    ['latency', true],
  ] as const) {
    for (const engineDir of engines) {
      const r = child(engineDir, name, log);
      const who = `[${path.basename(engineDir)}]`;
      if (name === 'heap') {
        console.log(
          `${who} heap: ${(r.heapBytes! / 2 ** 20).toFixed(1)} MiB, ${Math.round(r.heapBytes! / relationshipCount)} bytes per relationship (heap + array buffers, fresh process, after gc)`,
        );
        continue;
      }
      if (!log) {
        console.log(`${who} generate ${(r.generateMs! / 1000).toFixed(2)} s, parse ${(r.parseMs! / 1000).toFixed(2)} s`);
        const perSecond = (ms: number) => Math.round(relationshipCount / (ms / 1000)).toLocaleString('en');
        console.log(`${who} load ${(r.loadMs! / 1000).toFixed(2)} s: ${perSecond(r.loadMs!)} relationships/s (CPU time ${(r.loadCpuMs! / 1000).toFixed(2)} s: ${perSecond(r.loadCpuMs!)}/s)`);
      }
      console.log(
        `${who} ${log ? 'with the decision log' : 'nolog'}: p50 ${us(r.p50!)}, p99 ${us(r.p99!)}, max ${us(r.max!)} over ${r.samples!.toLocaleString('en')} checks (timer ${r.timer} ns each); each request's fastest pass: p50 ${us(r.fastestP50!)}, p99 ${us(r.fastestP99!)}; ${r.checks! - r.wrong!}/${r.checks} as expected`,
      );
    }
  }
  console.log(`load average ${load()}`);
}

if (args.phase) await phase(args.phase);
else await main();
