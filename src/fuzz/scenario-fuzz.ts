// Property-based fuzzing of the scenario loader and model parser with fast-check: every
// generated file must load or be rejected with an InputError naming the file and the
// place; anything else (a crash, a TypeError, a hang) is a finding. So is a file the
// loader accepts whose relationship changes the reference engine rejects: both must apply
// the same rule (src/model/relationship-check.ts).

import fc from 'fast-check';
import { stringify } from 'yaml';
import { errorMessage, InputError, InputErrors } from '../core/errors.ts';
import { ReferenceEngine } from '../reference/engine.ts';
import { loadScenarioText } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';

const FILE = 'fuzz.yaml';

export const VALID = {
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
  relationships: [
    'doc:1#viewer@user:anne',
    'doc:2#parent@doc:1',
    { resource: 'doc:3', relation: 'viewer', subject: 'user:bob', condition: { name: 'fresh', parameters: { until: '2030-01-01T00:00:00Z' } } },
  ],
  steps: [
    { check: { subject: 'user:anne', action: 'view', resource: 'doc:2' }, expect: 'allow' },
    { batch: { defaults: { subject: 'user:anne', action: 'view' }, checks: [{ resource: 'doc:1', expect: 'allow' }] } },
    { write: ['doc:1#blocked@user:anne'] },
    { delete: ['doc:1#blocked@user:anne'] },
    { revocation: { path: 'relationship', check: { subject: 'user:anne', action: 'view', resource: 'doc:1' }, revoke: { delete: ['doc:1#viewer@user:anne'] } } },
    { expectLog: { fields: ['subject'] } },
    // A policy update: the steps after it are checked against the new model.
    {
      updateModel: {
        types: {
          user: {},
          group: { relations: { member: ['user', 'group#member'] } },
          doc: { relations: { parent: ['doc'], viewer: ['user', 'group#member'], editor: ['user'] }, permissions: { view: 'viewer | editor | parent->view' } },
        },
      },
    },
    { write: ['doc:1#editor@user:anne'] },
    { delete: ['doc:1#viewer@user:*'] },
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

/** Names an attacker would try: prototype keys, paths, control and bidi characters, markup, shell, very long. */
const hostileId = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '../../etc/shadow',
    '/dev/zero',
    'a\u0000b',
    'a\u202Eb',
    '<img src=x onerror=alert(1)>',
    '$(touch /tmp/pwned)',
    '`id`',
    '#',
    '@',
    ':',
    'a:b#c@d',
    '*',
    ' ',
    '',
    '\uFEFF',
    'ｕｓｅｒ',
    '👩‍💻',
    'NaN',
    '-1',
    '1e309',
    '{{7*7}}',
    '%00',
    '\\',
  ),
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** A hostile id put where the seed has a type, relation, object id or condition name. */
const hostileIds = fc.tuple(hostileId, fc.nat(7)).map(([id, where]) => {
  const quoted = JSON.stringify(id);
  const text = stringify(VALID);
  switch (where) {
    case 0:
      return text.replaceAll('anne', id.replace(/[\n\r]/g, ''));
    case 1:
      return text.replace('  types:\n    user: {}', `  types:\n    user: {}\n    ${quoted}: {}`);
    case 2:
      return text.replace('relationships:\n', `relationships:\n  - ${JSON.stringify(`doc:${id}#viewer@user:${id}`)}\n`);
    case 3:
      return text.replace('steps:\n', `steps:\n  - check: {subject: ${JSON.stringify(`user:${id}`)}, action: ${quoted}, resource: ${JSON.stringify(`doc:${id}`)}}\n    expect: allow\n`);
    case 4:
      return text.replace('conditions:\n    fresh:', `conditions:\n    ${quoted}:`);
    case 5:
      return `${text}native:\n  ${quoted}: {policy: ${quoted}, model: ${quoted}}\n`;
    case 6:
      return text.replace('id: fuzz', `id: ${quoted}`);
    default:
      return text.replace('relations:\n        parent:\n', `relations:\n        ${quoted}: [doc]\n        parent:\n`);
  }
});

/** Lists and mappings nested hundreds to thousands deep, in every YAML style, at a chosen key. */
const deepNesting = fc
  .tuple(fc.integer({ min: 50, max: 5000 }), fc.nat(5), fc.constantFrom('description', 'steps', 'relationships', 'native', 'model', 'tags'))
  .map(([requested, style, key]) => {
    // Indented styles grow quadratically with depth: 1,200 levels is already 700 KB.
    const depth = style === 2 || style === 3 ? Math.min(requested, 1200) : requested;
    const head = 'id: fuzz\ntitle: deep\nmodel:\n  types:\n    user: {}\n';
    const body = (() => {
      switch (style) {
        case 0:
          return `${key}: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
        case 1:
          return `${key}: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
        case 2:
          return `${key}:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`;
        case 3:
          return `${key}:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(2 * i)}-`).join('\n')} x\n`;
        case 4:
          return `${key}:\n${'- '.repeat(depth)}x\n`;
        default:
          return `${key}: &a ${'['.repeat(Math.min(depth, 200))}*a${']'.repeat(Math.min(depth, 200))}\n`;
      }
    })();
    return key === 'model' ? `id: fuzz\ntitle: deep\n${body}` : `${head}${body}`;
  });

/** Large files (up to ~600 KB): a long scalar, thousands of relationships or steps, a long line; within the hang threshold on a loaded machine. */
const hugeInput = fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 2 })).map(([kind, scale]) => {
  const text = stringify(VALID);
  switch (kind) {
    case 0:
      return text.replace('title: Fuzz seed', `title: ${'t'.repeat(300_000 * scale)}`);
    case 1:
      return text.replace('relationships:\n', `relationships:\n${Array.from({ length: 2_500 * scale }, (_, i) => `  - doc:d${i}#viewer@user:u${i}\n`).join('')}`);
    case 2:
      return text.replace(
        'steps:\n',
        `steps:\n${Array.from({ length: 700 * scale }, (_, i) => `  - check: {subject: user:u${i}, action: view, resource: doc:d${i}}\n    expect: deny\n`).join('')}`,
      );
    case 3:
      return `${text}description: ${JSON.stringify('é\u0000'.repeat(50_000 * scale))}\n`;
    default:
      return `${text}tags: [${Array.from({ length: 5_000 * scale }, (_, i) => `t${i}`).join(', ')}]\n`;
  }
});

const mutated = fc.tuple(fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }), junk, fc.nat(2), fc.nat(2)).map(([p, r, a, times]) => {
  let doc: Json = VALID;
  for (let t = 0; t <= times; t++)
    doc =
      mutate(
        doc,
        p.map((x) => x + t),
        r,
        a,
      ) ?? {};
  return stringify(doc);
});

export type FuzzKind = 'mutated' | 'random' | 'truncated' | 'hostile-ids' | 'deep-nesting' | 'huge';

const tagged = (kind: FuzzKind, arbitrary: fc.Arbitrary<string>) => arbitrary.map((input) => ({ kind, input }));

export const fuzzedScenario = fc.oneof(
  { weight: 80, arbitrary: tagged('mutated', mutated) },
  { weight: 10, arbitrary: tagged('random', fc.string({ maxLength: 200 })) },
  {
    weight: 10,
    arbitrary: tagged(
      'truncated',
      fc.string({ maxLength: 40 }).map((s) => `${stringify(VALID).slice(0, 300)}${s}`),
    ),
  },
  { weight: 12, arbitrary: tagged('hostile-ids', hostileIds) },
  { weight: 3, arbitrary: tagged('deep-nesting', deepNesting) },
  { weight: 1, arbitrary: tagged('huge', hugeInput) },
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
  /** Inputs per generator. */
  byKind: Record<FuzzKind, number>;
}

/**
 * Applies a loaded scenario's relationship changes to the reference engine in the runner's
 * order (run-scenario.ts: relationships, then each step; a revocation changes the model,
 * then writes, then deletes). Returns the engine's error, or undefined when it took all.
 */
function referenceRejection(scenario: Scenario): string | undefined {
  try {
    const engine = new ReferenceEngine(scenario.model, { decisionLog: false });
    engine.write(scenario.relationships);
    for (const step of scenario.steps) {
      if (step.kind === 'updateModel') engine.updateModel(step.model);
      else if (step.kind === 'write') engine.write(step.relationships);
      else if (step.kind === 'delete') engine.delete(step.relationships);
      else if (step.kind === 'revocation') {
        if (step.revoke.model) engine.updateModel(step.revoke.model);
        if (step.revoke.write) engine.write(step.revoke.write);
        if (step.revoke.delete) engine.delete(step.revoke.delete);
      }
    }
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

/** An InputError must name the file, and a place unless the whole file is at fault. */
function wellFormed(error: InputError): boolean {
  return error.file === FILE && error.problem.length > 0;
}

export async function fuzzLoader(count: number, seed = 42, hangMs = 2000): Promise<FuzzReport> {
  const inputs = fc.sample(fuzzedScenario, { numRuns: count, seed });
  const report: FuzzReport = {
    inputs: 0,
    accepted: 0,
    rejected: 0,
    crashes: [],
    slowestMs: 0,
    byKind: { mutated: 0, random: 0, truncated: 0, 'hostile-ids': 0, 'deep-nesting': 0, huge: 0 },
  };
  for (const { kind, input } of inputs) {
    report.inputs++;
    report.byKind[kind]++;
    const started = performance.now();
    try {
      const scenario = await loadScenarioText(input, FILE);
      report.accepted++;
      const rejection = referenceRejection(scenario);
      if (rejection) report.crashes.push({ input, problem: `the loader accepted it, the reference engine rejected it: ${rejection}` });
    } catch (error) {
      const errors = error instanceof InputErrors ? error.errors : error instanceof InputError ? [error] : undefined;
      if (!errors) report.crashes.push({ input: shorten(input), problem: `not an input error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` });
      else if (!errors.every(wellFormed)) report.crashes.push({ input: shorten(input), problem: `error without file or problem: ${errors.map((e) => e.message).join('; ')}` });
      else report.rejected++;
    }
    const ms = performance.now() - started;
    report.slowestMs = Math.max(report.slowestMs, ms);
    if (ms > hangMs) report.crashes.push({ input: shorten(input), problem: `took ${ms.toFixed(0)} ms (hang threshold ${hangMs} ms)` });
  }
  return report;
}

/** Findings quote at most 2,000 characters of a (possibly megabytes long) input. */
function shorten(input: string): string {
  return input.length > 2000 ? `${input.slice(0, 2000)}… (${input.length} characters)` : input;
}
