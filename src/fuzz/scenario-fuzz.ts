// Property-based fuzzing of the scenario loader and model parser with fast-check: every
// generated file must load or be rejected with an InputError naming the file and the
// place; anything else (a crash, a TypeError, a hang) is a finding.

import fc from 'fast-check';
import { stringify } from 'yaml';
import { InputError, InputErrors } from '../core/errors.ts';
import { loadScenarioText } from '../scenario/load.ts';

const FILE = 'fuzz.yaml';

const VALID = {
  id: 'fuzz',
  title: 'Fuzz seed',
  model: {
    types: {
      user: {},
      group: { relations: { member: ['user', 'group#member'] } },
      doc: {
        relations: { parent: ['doc'], viewer: ['user', 'user:*', 'group#member', 'user with fresh'], blocked: ['user'] },
        permissions: { view: 'viewer | parent->view', read: 'view - blocked', both: 'viewer & view' },
      },
    },
    conditions: { fresh: { parameters: { now: 'timestamp', until: 'timestamp' }, expression: 'now < until' } },
    tenancy: { type: 'group' },
  },
  relationships: ['doc:1#viewer@user:anne', 'doc:2#parent@doc:1', { resource: 'doc:3', relation: 'viewer', subject: 'user:bob', condition: { name: 'fresh', parameters: { until: '2030-01-01T00:00:00Z' } } }],
  steps: [
    { check: { subject: 'user:anne', action: 'view', resource: 'doc:2' }, expect: 'allow' },
    { batch: { defaults: { subject: 'user:anne', action: 'view' }, checks: [{ resource: 'doc:1', expect: 'allow' }] } },
    { write: ['doc:1#blocked@user:anne'] },
    { delete: ['doc:1#blocked@user:anne'] },
    { revocation: { path: 'relationship', check: { subject: 'user:anne', action: 'view', resource: 'doc:1' }, revoke: { delete: ['doc:1#viewer@user:anne'] } } },
    { expectLog: { fields: ['subject'] } },
  ],
};

/** Arbitrary JSON-ish values to put where the seed has something else. */
const junk = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('allow', 'deny', 'user:*', 'doc:1#viewer@user:x', 'a | b', 'a & (b', '->', 'x->y', 'list<map<int>>', 'user with nope', '$now+1h', '@@', '#', ''),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string(), { maxKeys: 3 }),
);

type Json = unknown;

/** Replaces, deletes or adds the value at a random path of the seed. */
function mutate(value: Json, path: number[], replacement: Json, action: number): Json {
  if (path.length === 0 || value === null || typeof value !== 'object') return action === 0 ? undefined : replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return [replacement];
    const i = head! % value.length;
    const copy = [...value];
    const next = mutate(copy[i], rest, replacement, action);
    if (next === undefined) copy.splice(i, 1);
    else copy[i] = next;
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0 || action === 2) return { ...value, [`k${head}`]: replacement };
  const key = keys[head! % keys.length]!;
  const next = mutate((value as Record<string, Json>)[key], rest, replacement, action);
  const copy: Record<string, Json> = { ...(value as Record<string, Json>) };
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}

export const fuzzedScenario = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }), junk, fc.nat(2), fc.nat(2)).map(([p, r, a, times]) => {
    let doc: Json = VALID;
    for (let t = 0; t <= times; t++) doc = mutate(doc, p.map((x) => x + t), r, a) ?? {};
    return stringify(doc);
  }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => `${stringify(VALID).slice(0, 300)}${s}`) },
);

export interface FuzzFinding {
  input: string;
  problem: string;
}

export interface FuzzReport {
  inputs: number;
  accepted: number;
  rejected: number;
  crashes: FuzzFinding[];
  slowestMs: number;
}

/** An InputError must name the file, and a place unless the whole file is at fault. */
function wellFormed(error: InputError): boolean {
  return error.file === FILE && error.problem.length > 0;
}

export async function fuzzLoader(count: number, seed = 42, hangMs = 2000): Promise<FuzzReport> {
  const inputs = fc.sample(fuzzedScenario, { numRuns: count, seed });
  const report: FuzzReport = { inputs: 0, accepted: 0, rejected: 0, crashes: [], slowestMs: 0 };
  for (const input of inputs) {
    report.inputs++;
    const started = performance.now();
    try {
      await loadScenarioText(input, FILE);
      report.accepted++;
    } catch (error) {
      const errors = error instanceof InputErrors ? error.errors : error instanceof InputError ? [error] : undefined;
      if (!errors) report.crashes.push({ input, problem: `not an input error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` });
      else if (!errors.every(wellFormed)) report.crashes.push({ input, problem: `error without file or problem: ${errors.map((e) => e.message).join('; ')}` });
      else report.rejected++;
    }
    const ms = performance.now() - started;
    report.slowestMs = Math.max(report.slowestMs, ms);
    if (ms > hangMs) report.crashes.push({ input, problem: `took ${ms.toFixed(0)} ms (hang threshold ${hangMs} ms)` });
  }
  return report;
}
