// Loads and validates scenario files. Structure is checked against the published JSON
// Schema (schemas/scenario.schema.json); names are then checked against the model. Every
// error names the file, the path inside it (and its line) and what was expected.

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { BoundedReadError, readBoundedFile } from '../core/bounded-read.ts';
import { describeValue, errorMessage, InputError, InputErrors, joinPath } from '../core/errors.ts';
import { PROJECT_ROOT, SCENARIOS_DIR, SCHEMA_FILE } from '../core/paths.ts';
import { formatRelationship, type Relationship } from '../core/relationship.ts';
import type { CheckRequest, Properties } from '../core/request.ts';
import type { SearchQuery } from '../core/search.ts';
import { didYouMean } from '../core/suggest.ts';
import { checkConditionSyntax } from '../model/conditions.ts';
import { parseModel } from '../model/parse.ts';
import { ungrantableProblems } from '../model/entrypoints.ts';
import { relationshipChecker, type RelationshipChange, type RelationshipProblem } from '../model/relationship-check.ts';
import type { Model } from '../model/types.ts';
import { GeneratorParamError, loadGenerator } from './generators.ts';
import { nativePathProblems } from './native-files.ts';
import { SharedParts, toRelationship, toRequest } from './requests.ts';
import type { RelationshipParts } from '../core/relationship.ts';
import type { Expectation, LogField, RevocationLoad, RevocationStep, Scenario, Step } from './types.ts';

type Raw = Record<string, unknown>;

let validateSchema: ReturnType<Ajv['compile']> | undefined;
async function schemaValidator() {
  if (!validateSchema) {
    const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8'));
    validateSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validateSchema;
}

/** Turns `/steps/3/expect` into `steps[3].expect`. */
function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((acc, part) => joinPath(acc, /^\d+$/.test(part) ? Number(part) : part), '');
}

function pathToKeys(p: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return keys;
}

/** Picks the most useful of ajv's errors: the deepest, and an enum/type miss over a oneOf summary. */
function schemaErrors(errors: ErrorObject[], data: unknown): { path: string; problem: string; fix?: string }[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const p = error.keyword === 'additionalProperties' || error.keyword === 'required' ? error.instancePath : error.instancePath;
    byPath.set(p, [...(byPath.get(p) ?? []), error]);
  }
  // A parent whose child path also failed is summarised by the child.
  const paths = [...byPath.keys()].filter((p) => ![...byPath.keys()].some((q) => q !== p && q.startsWith(`${p}/`)));
  return paths.map((pointer) => {
    const errs = byPath.get(pointer)!;
    const found = valueAt(data, pointer);
    const chosen =
      errs.find((e) => e.keyword === 'enum') ??
      errs.find((e) => e.keyword === 'additionalProperties') ??
      errs.find((e) => e.keyword === 'required') ??
      errs.find((e) => e.keyword !== 'oneOf') ??
      errs[0]!;
    const path = pointerToPath(pointer);
    switch (chosen.keyword) {
      case 'enum': {
        // A search step's expect is a list: its enum miss (allow, deny) is not the step's fix.
        const step = pointer.endsWith('/expect') ? valueAt(data, pointer.slice(0, -'/expect'.length)) : undefined;
        if (step && typeof step === 'object' && SEARCH_KINDS.some((k) => k in step))
          return { path, problem: `found ${describeValue(found)}, expected the complete list of ids`, fix: 'e.g. expect: [d1, d2] (ids only, or [] for none)' };
        const allowed = (chosen.params as { allowedValues: unknown[] }).allowedValues;
        return { path, problem: `found ${describeValue(found)}, expected one of ${allowed.join(', ')}`, fix: `use ${allowed.join(' or ')}` };
      }
      case 'additionalProperties': {
        const key = (chosen.params as { additionalProperty: string }).additionalProperty;
        return { path: joinPath(path, key), problem: `unknown key '${key}'`, fix: 'remove it or check its spelling against docs/scenarios.md' };
      }
      case 'required': {
        const key = (chosen.params as { missingProperty: string }).missingProperty;
        return { path, problem: `'${key}' is missing`, fix: `add '${key}'` };
      }
      case 'pattern': {
        // `type:id` with white space (or no id): the mapping form takes any id.
        const text = typeof found === 'string' ? found : '';
        const colon = text.indexOf(':');
        if (colon > 0 && colon === text.length - 1 && chosen.schemaPath.includes('/objectRef/')) {
          return { path, problem: `found ${describeValue(text)}: the id after '${text.slice(0, colon)}:' is empty`, fix: `name the object, e.g. ${text}1` };
        }
        if (colon > 0 && chosen.schemaPath.includes('/objectRef/')) {
          return { path, problem: `found ${describeValue(text)}: 'type:id' takes no white space`, fix: `write {type: ${text.slice(0, colon)}, id: '${text.slice(colon + 1)}'}` };
        }
        return { path, problem: `found ${describeValue(found)}, which ${chosen.message ?? 'is not valid'}`, fix: 'see schemas/scenario.schema.json' };
      }
      default:
        return { path, problem: `found ${describeValue(found)}, which ${chosen.message ?? 'is not valid'}`, fix: 'see schemas/scenario.schema.json' };
    }
  });
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const key of pathToKeys(pointerToPath(pointer))) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

class Context {
  readonly errors: InputError[] = [];
  constructor(
    readonly file: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}
  add(p: string, problem: string, fix?: string): void {
    this.errors.push(new InputError(this.file, this.withLine(p), problem, fix));
  }
  withLine(p: string): string {
    if (!this.doc || !this.lines || !p) return p;
    const node = this.doc.getIn(pathToKeys(p), true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? p : `${p} (line ${this.lines.linePos(offset).line})`;
  }
  throwIfAny(): void {
    if (this.errors.length === 1) throw this.errors[0]!;
    if (this.errors.length > 1) throw new InputErrors(this.errors);
  }
}

export interface LoadOptions {
  /** Overrides the file's `generate.params` (cost curves sweep a size this way). */
  generateParams?: Record<string, number>;
  /**
   * The id must equal the file name: true for bundled scenarios (under scenarios/), whose ids
   * `--scenario` finds; a file of the user's own (a copy of a bundled one included) may carry
   * any id, and a run refuses two scenarios with one id (src/cli/scenarios.ts).
   */
  idMatchesFileName?: boolean;
}

/** Generated scenarios (`generate:`) grow in memory, not on disk: a file this large is a mistake or an attack. */
export const MAX_SCENARIO_BYTES = 64 * 1024 * 1024;

export async function loadScenarioFile(file: string, options: LoadOptions = {}): Promise<Scenario> {
  const display = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readBoundedFile(file, MAX_SCENARIO_BYTES);
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    throw new InputError(display, '', `the file ${error.problem}`, error.fix);
  }
  const bundled = !path.relative(SCENARIOS_DIR, path.resolve(file)).startsWith('..');
  return loadScenarioText(text, display, { idMatchesFileName: bundled, ...options });
}

/** Far deeper than any scenario needs (a dozen levels), far shallower than what overflows the stack. */
export const MAX_NESTING = 100;

/** The path of the first value nested deeper than `limit` levels, found without recursion. */
function tooDeep(data: unknown, limit: number): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: data, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path: at, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return at;
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: joinPath(at, key), depth: depth + 1 });
  }
  return undefined;
}

export async function loadScenarioText(text: string, file: string, options: LoadOptions = {}): Promise<Scenario> {
  try {
    return await parseScenarioText(text, file, options);
  } catch (error) {
    // A stack overflow anywhere in reading (the YAML parser, the schema check) is still bad input.
    if (error instanceof RangeError) throw nestingError(file, '');
    throw error;
  }
}

function nestingError(file: string, at: string): InputError {
  return new InputError(file, at, `nested too deeply (more than ${MAX_NESTING} levels of lists and mappings)`, 'flatten the structure: a scenario needs a dozen levels at most');
}

async function parseScenarioText(text: string, file: string, options: LoadOptions): Promise<Scenario> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lines.linePos(first.pos[0]);
    const at = `line ${pos.line}, column ${pos.col}`;
    // The parser reports its own stack overflow as an error at the place it gave up.
    if (/Maximum call stack/.test(first.message)) throw nestingError(file, at);
    throw new InputError(file, at, `not valid YAML: ${first.message.split('\n')[0]}`, 'fix the YAML syntax');
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias to an anchor that is not set, or an alias bomb
    throw new InputError(file, '', `not valid YAML: ${errorMessage(error)}`, 'fix the anchors and aliases (&name, *name)');
  }
  const ctx = new Context(file, doc, lines);
  const deep = tooDeep(data, MAX_NESTING);
  if (deep !== undefined) {
    const line = /\(line \d+\)$/.exec(ctx.withLine(deep))?.[0];
    throw nestingError(file, `${deep.length > 60 ? `${deep.slice(0, 60)}…` : deep}${line ? ` ${line}` : ''}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError(file, '', `expected a mapping with id, title, model and steps, found ${describeValue(data)}`, 'see docs/scenarios.md');
  }
  const validate = await schemaValidator();
  if (!validate(data)) {
    for (const e of schemaErrors(validate.errors ?? [], data)) ctx.add(e.path, e.problem, e.fix);
    ctx.throwIfAny();
  }
  if (options.generateParams && (data as Raw).generate) {
    const generate = (data as Raw).generate as Raw;
    generate.params = { ...(generate.params as object), ...options.generateParams };
  }
  return buildScenario(data as Raw, ctx, options);
}

async function buildScenario(raw: Raw, ctx: Context, options: LoadOptions): Promise<Scenario> {
  const model = parseModelAt(raw.model, ctx, 'model');
  const expected = path.basename(ctx.file).replace(/\.ya?ml$/, '');
  if (options.idMatchesFileName && raw.id !== expected) ctx.add('id', `id '${String(raw.id)}' differs from the file name '${expected}'`, `rename the file or set id: ${expected}`);

  const relationships: Relationship[] = [];
  // The file's and the generator's relationships share their entities and names.
  const parts = new SharedParts();
  const check = checkerFor(model, 'write');
  ((raw.relationships as unknown[]) ?? []).forEach((r, i) => {
    const rel = readRelationship(r, check, ctx, `relationships[${i}]`, parts);
    if (rel) relationships.push(rel);
  });
  const stepsRaw = [...((raw.steps as unknown[]) ?? [])];
  const generatedFrom = stepsRaw.length;
  if (raw.generate) {
    const gen = raw.generate as { name: string; params?: Record<string, number>; seed?: number };
    try {
      const generator = await loadGenerator(gen.name);
      const out = generator.generate({ ...generator.defaults, ...gen.params }, gen.seed ?? 1);
      readGenerated(out.relationships, check, ctx, relationships, parts);
      for (const s of out.steps ?? []) stepsRaw.push(s);
    } catch (error) {
      if (!(error instanceof GeneratorParamError)) ctx.add('generate', (error as Error).message, 'name a generator in scenarios/generators/ with valid params');
      else {
        // A value given on the command line (bench --param, a cost curve) is the command line's fault, not the file's.
        const given = options.generateParams?.[error.param];
        if (given !== undefined) throw new InputError('--param', `${error.param}=${given}`, error.message, error.fix);
        ctx.add(`generate.params.${error.param}`, error.message, error.fix);
      }
    }
  }

  // Steps are checked against the model in force when they run, as the engine checks them:
  // a policy update (updateModel, revocation by model) changes it for the steps after it.
  const steps: Step[] = [];
  let current = model;
  stepsRaw.forEach((s, i) => {
    const stepPath = i < generatedFrom ? `steps[${i}]` : `generate (step ${i - generatedFrom})`;
    const step = readStep(s as Raw, i, stepPath, current, ctx);
    if (step?.kind === 'updateModel') current = step.model;
    else if (step?.kind === 'revocation' && step.revoke.model) current = step.revoke.model;
    if (step) steps.push(step);
  });

  const benchmark = raw.benchmark
    ? (raw.benchmark as Raw[]).map((r, i) => readRequest(r, model, ctx, `benchmark[${i}]`)).filter((r): r is CheckRequest => !!r)
    : steps.flatMap((s) => (s.kind === 'check' ? [s.request] : s.kind === 'batch' ? s.requests : []));

  const native = Object.fromEntries(
    Object.entries((raw.native as Record<string, Record<string, unknown>>) ?? {}).map(([engine, spec]) => [engine, { spec, baseDir: path.dirname(path.resolve(ctx.file)), file: ctx.file }]),
  );
  for (const [engine, spec] of Object.entries(native)) {
    for (const problem of nativePathProblems(spec, engine)) ctx.add(problem.path, problem.problem, problem.fix);
  }
  ctx.throwIfAny();
  return {
    id: String(raw.id),
    title: String(raw.title),
    description: String(raw.description ?? ''),
    tags: (raw.tags as string[]) ?? [],
    file: ctx.file,
    model: model!,
    relationships,
    steps,
    benchmark,
    ...(raw.coldStart === true ? { coldStart: true } : {}),
    native,
    ...(raw.generate ? { generator: String((raw.generate as Raw).name) } : {}),
  };
}

function parseModelAt(raw: unknown, ctx: Context, at: string): Model | undefined {
  try {
    const model = parseModel(raw, ctx.file, at);
    for (const condition of model.conditions.values()) {
      const problem = checkConditionSyntax(condition);
      if (problem) ctx.add(joinPath(joinPath(joinPath(at, 'conditions'), condition.name), 'expression'), problem, 'fix the CEL expression');
    }
    // A scenario's model, as OpenFGA's: each relation and permission must be grantable by some
    // relationships (the evaluator itself answers such a model: deny, by its least fixed point).
    for (const p of ungrantableProblems(model)) ctx.add(joinPath(joinPath(joinPath(joinPath(at, 'types'), p.type), p.section), p.name), p.problem, p.fix);
    return model;
  } catch (error) {
    const errors = error instanceof InputErrors ? error.errors : error instanceof InputError ? [error] : undefined;
    if (!errors) throw error;
    for (const e of errors) ctx.add(e.path, e.problem, e.fix);
    return undefined;
  }
}

/** What a relationship must satisfy: the model's rule for the change, nothing when the model did not load. */
type RelationshipCheck = (rel: Relationship) => RelationshipProblem | undefined;

function checkerFor(model: Model | undefined, change: RelationshipChange): RelationshipCheck {
  return model ? relationshipChecker(model, change) : () => undefined;
}

/** The relationship, or why it cannot be read or sent (the caller says where). */
function relationshipOrProblem(raw: unknown, check: RelationshipCheck, parts?: RelationshipParts): Relationship | RelationshipProblem {
  const rel = toRelationship(raw, parts);
  if (!rel) return { problem: `cannot read relationship ${JSON.stringify(raw)}`, fix: "write 'type:id#relation@type:id', '...@type:id#relation' or '...@type:*'" };
  const found = check(rel);
  return found ? { problem: `${formatRelationship(rel)}: ${found.problem}`, fix: found.fix } : rel;
}

function readRelationship(raw: unknown, check: RelationshipCheck, ctx: Context, at: string, parts?: RelationshipParts): Relationship | undefined {
  const read = relationshipOrProblem(raw, check, parts);
  if (!('problem' in read)) return read;
  ctx.add(at, read.problem, read.fix);
  return undefined;
}

/** Generated relationships listed one by one before the rest are counted: a generator's slip can repeat a million times. */
const LISTED_GENERATED_ERRORS = 20;

/**
 * A generator's relationships (any iterable), appended to `into` as they are read: no
 * intermediate list, one model check per shape (relationshipChecker).
 */
function readGenerated(generated: Iterable<unknown>, check: RelationshipCheck, ctx: Context, into: Relationship[], parts: RelationshipParts): void {
  let index = 0;
  let errors = 0;
  for (const raw of generated) {
    const read = relationshipOrProblem(raw, check, parts);
    if (!('problem' in read)) into.push(read);
    else if (errors++ < LISTED_GENERATED_ERRORS) ctx.add(`generate (relationship ${index})`, read.problem, read.fix);
    index++;
  }
  if (errors > LISTED_GENERATED_ERRORS) {
    ctx.add('generate', `${errors - LISTED_GENERATED_ERRORS} more of its ${index} relationships cannot be written (the first ${LISTED_GENERATED_ERRORS} are listed)`, 'fix the generator');
  }
}

function readRequest(raw: Raw, model: Model | undefined, ctx: Context, at: string): CheckRequest | undefined {
  const request = toRequest(raw);
  if (!request) {
    ctx.add(at, 'cannot read the check request', "give subject 'type:id', action 'name', resource 'type:id' (or AuthZEN objects)");
    return undefined;
  }
  if (model) {
    const type = model.types.get(request.resource.type);
    if (!type)
      ctx.add(
        joinPath(at, 'resource'),
        `unknown resource type '${request.resource.type}'`,
        `${didYouMean(request.resource.type, model.types.keys())}use one of ${[...model.types.keys()].join(', ')}`,
      );
    else if (!type.relations.has(request.action.name) && !type.permissions.has(request.action.name)) {
      const names = [...type.relations.keys(), ...type.permissions.keys()];
      ctx.add(joinPath(at, 'action'), `'${type.name}' has no relation or permission '${request.action.name}'`, `${didYouMean(request.action.name, names)}use one of ${names.join(', ')}`);
    }
  }
  return request;
}

const SEARCH_KINDS = ['searchResources', 'searchSubjects', 'searchActions'] as const;
const STEP_KINDS = ['check', 'batch', 'write', 'delete', 'updateModel', 'revocation', 'expectLog', ...SEARCH_KINDS] as const;

/** A type the model declares, or a located error with the ones it does. */
function checkType(type: string, model: Model | undefined, ctx: Context, at: string): boolean {
  if (!model || model.types.has(type)) return true;
  ctx.add(at, `unknown type '${type}'`, `use one of ${[...model.types.keys()].join(', ')}`);
  return false;
}

/** An AuthZEN search (§8): the searched-for part is `{type}` only, the others are as in a check. */
function readSearch(kind: (typeof SEARCH_KINDS)[number], raw: Raw, model: Model | undefined, ctx: Context, at: string): SearchQuery | undefined {
  const typeOnly = (value: unknown, key: string): string | undefined => {
    const type = value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw).type : undefined;
    if (typeof type === 'string' && Object.keys(value as Raw).every((k) => k === 'type')) return checkType(type, model, ctx, joinPath(at, key)) ? type : undefined;
    ctx.add(joinPath(at, key), `found ${describeValue(value)}, expected {type: <type>} (the ${key} being searched for)`, `e.g. ${key}: {type: ${key === 'resource' ? 'document' : 'user'}}`);
    return undefined;
  };
  const context = raw.context && typeof raw.context === 'object' ? { context: raw.context as Properties } : {};
  switch (kind) {
    case 'searchResources': {
      const resourceType = typeOnly(raw.resource, 'resource');
      if (!resourceType) return undefined;
      const request = readRequest({ ...raw, resource: `${resourceType}:_` }, model, ctx, at);
      return request && { kind: 'resources', subject: request.subject, action: request.action, resourceType, ...context };
    }
    case 'searchSubjects': {
      const subjectType = typeOnly(raw.subject, 'subject');
      if (!subjectType) return undefined;
      const request = readRequest({ ...raw, subject: `${subjectType}:_` }, model, ctx, at);
      return request && { kind: 'subjects', resource: request.resource, action: request.action, subjectType, ...context };
    }
    case 'searchActions': {
      const request = readRequest({ ...raw, action: '_' }, undefined, ctx, at);
      if (request) checkType(request.resource.type, model, ctx, joinPath(at, 'resource'));
      return request && { kind: 'actions', subject: request.subject, resource: request.resource, ...context };
    }
  }
}

function readStep(raw: Raw, index: number, at: string, model: Model | undefined, ctx: Context): Step | undefined {
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  const base = { index, ...(name ? { name } : {}) };
  const kinds = [...STEP_KINDS].filter((k) => k in raw);
  if (kinds.length !== 1) {
    ctx.add(at, kinds.length === 0 ? 'the step does nothing' : `the step has ${kinds.join(' and ')}`, `give exactly one of ${STEP_KINDS.join(', ')}`);
    return undefined;
  }
  const expects = 'check' in raw || SEARCH_KINDS.some((k) => k in raw);
  if ('expect' in raw && !expects) ctx.add(joinPath(at, 'expect'), "'expect' belongs to a check or search step", "move it beside 'check' or the search");
  const kind = kinds[0]!;
  switch (kind) {
    case 'check': {
      const request = readRequest(raw.check as Raw, model, ctx, joinPath(at, 'check'));
      if (raw.expect !== 'allow' && raw.expect !== 'deny') {
        ctx.add(joinPath(at, 'expect'), `found ${describeValue(raw.expect)}, expected one of allow, deny`, 'use allow or deny');
        return undefined;
      }
      return request && { ...base, kind, request, expect: raw.expect };
    }
    case 'batch': {
      const batch = raw.batch as { defaults?: Raw; checks: Raw[] };
      const requests: CheckRequest[] = [];
      const expect: Expectation[] = [];
      batch.checks.forEach((c, i) => {
        const p = joinPath(joinPath(joinPath(at, 'batch'), 'checks'), i);
        const { expect: e, ...rest } = c;
        if (e !== 'allow' && e !== 'deny') ctx.add(joinPath(p, 'expect'), `found ${describeValue(e)}, expected one of allow, deny`, 'use allow or deny');
        const merged = { ...batch.defaults, ...rest };
        const request = readRequest(merged, model, ctx, p);
        if (request) {
          requests.push(request);
          expect.push(e as Expectation);
        }
      });
      return { ...base, kind, requests, expect };
    }
    case 'write':
    case 'delete': {
      const check = checkerFor(model, kind);
      const relationships = (raw[kind] as unknown[]).map((r, i) => readRelationship(r, check, ctx, joinPath(joinPath(at, kind), i))).filter((r): r is Relationship => !!r);
      return { ...base, kind, relationships };
    }
    case 'updateModel': {
      const updated = parseModelAt(raw.updateModel, ctx, joinPath(at, 'updateModel'));
      return updated && { ...base, kind, model: updated };
    }
    case 'revocation': {
      const r = raw.revocation as { path: string; check: Raw; revoke: Raw; timeoutMs?: number; intervalMs?: number; newEnemy?: boolean; pollers?: number; load?: Raw; content?: Raw };
      const p = joinPath(at, 'revocation');
      const request = readRequest(r.check, model, ctx, joinPath(p, 'check'));
      const revokeModel = r.revoke.model ? parseModelAt(r.revoke.model, ctx, joinPath(joinPath(p, 'revoke'), 'model')) : undefined;
      const rels = (key: 'delete' | 'write') =>
        r.revoke[key]
          ? (r.revoke[key] as unknown[])
              .map((x, i) => readRelationship(x, checkerFor(revokeModel ?? model, key), ctx, joinPath(joinPath(joinPath(p, 'revoke'), key), i)))
              .filter((x): x is Relationship => !!x)
          : undefined;
      const deletes = rels('delete');
      const writes = rels('write');
      const revoke = { ...(deletes ? { delete: deletes } : {}), ...(writes ? { write: writes } : {}), ...(revokeModel ? { model: revokeModel } : {}) };
      const newEnemy = r.newEnemy === true;
      const content = r.content ? readContent(r.content, revokeModel ?? model, ctx, joinPath(p, 'content'), newEnemy) : undefined;
      if (r.load && newEnemy)
        ctx.add(joinPath(p, 'load'), 'a new-enemy step makes one check at a token, there is no timeline to load', 'drop load here, or newEnemy for a timeline under load');
      const load = r.load ? readRevocationLoad(r.load) : undefined;
      return (
        request && {
          ...base,
          kind,
          request,
          revoke,
          path: r.path,
          timeoutMs: r.timeoutMs ?? 10_000,
          intervalMs: r.intervalMs ?? 5,
          newEnemy,
          pollers: r.pollers ?? 1,
          ...(load ? { load } : {}),
          ...(content ? { content } : {}),
        }
      );
    }
    case 'searchResources':
    case 'searchSubjects':
    case 'searchActions': {
      const query = readSearch(kind, raw[kind] as Raw, model, ctx, joinPath(at, kind));
      const expect = raw.expect;
      if (!Array.isArray(expect) || !expect.every((e) => typeof e === 'string')) {
        ctx.add(
          joinPath(at, 'expect'),
          `found ${describeValue(expect)}, expected the complete list of ids`,
          kind === 'searchActions' ? 'e.g. expect: [view, edit] (or [] for none)' : 'e.g. expect: [d1, d2] (ids only, or [] for none)',
        );
        return undefined;
      }
      const duplicates = [...new Set((expect as string[]).filter((id, i, all) => all.indexOf(id) !== i))];
      if (duplicates.length > 0) ctx.add(joinPath(at, 'expect'), `ids listed twice: ${duplicates.slice(0, 5).join(', ')}`, 'list each id once');
      const searched = query?.kind === 'resources' ? query.resourceType : query?.kind === 'subjects' ? query.subjectType : undefined;
      const typed = searched === undefined ? undefined : (expect as string[]).find((id) => id.startsWith(`${searched}:`));
      if (typed) ctx.add(joinPath(at, 'expect'), `'${typed}' names the type: the answer of a ${searched} search is ids`, `write '${typed.slice(searched!.length + 1)}'`);
      if (query?.kind === 'actions' && model?.types.has(query.resource.type)) {
        const type = model.types.get(query.resource.type)!;
        const names = [...type.relations.keys(), ...type.permissions.keys()];
        const unknown = (expect as string[]).find((n) => !names.includes(n));
        if (unknown) ctx.add(joinPath(at, 'expect'), `'${type.name}' has no relation or permission '${unknown}'`, `use some of ${names.join(', ')}`);
      }
      if (query && 'subject' in query && query.subject.id === '*')
        ctx.add(joinPath(joinPath(at, kind), 'subject'), 'a wildcard subject searches for nothing in particular', 'search for one subject, or search subjects with subject: {type}');
      return query && { ...base, kind: 'search', query, expect: expect as string[] };
    }
    case 'expectLog': {
      const l = (raw.expectLog ?? {}) as { fields?: LogField[]; timeoutMs?: number };
      return { ...base, kind, fields: l.fields ?? ['subject', 'action', 'resource', 'context', 'allowed'], timeoutMs: l.timeoutMs ?? 10_000 };
    }
  }
  return undefined;
}

/** Every scenario file under scenarios/ (recursively), sorted by path. */
export async function bundledScenarioFiles(dir = SCENARIOS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return (
    entries
      // `<id>.native/` folders hold a scenario's native policies and data, not scenarios.
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !/\.native(\/|$)/.test(path.relative(dir, e.parentPath)))
      .map((e) => path.join(e.parentPath, e.name))
      .sort()
  );
}

/** Loads bundled scenarios; `filter` keeps those whose id or a tag is listed. */
/** A revocation's background load, defaults filled (the schema has checked the types and ranges). */
function readRevocationLoad(raw: Raw): RevocationLoad {
  const l = raw as Partial<RevocationLoad>;
  return {
    ...(l.rate !== undefined ? { rate: l.rate } : {}),
    connections: l.connections ?? 4,
    writeRate: l.writeRate ?? 20,
    writers: l.writers ?? 1,
    warmupMs: l.warmupMs ?? 300,
    windowMs: l.windowMs ?? 500,
  };
}

/** A new-enemy step's content: relationships written after the revocation and the check on them. */
function readContent(raw: Raw, model: Model | undefined, ctx: Context, at: string, newEnemy: boolean): RevocationStep['content'] {
  if (!newEnemy) {
    ctx.add(at, 'content belongs to a new-enemy step (checked once at the content write token)', 'add newEnemy: true, or move the writes to a write step');
    return undefined;
  }
  const check = checkerFor(model, 'write');
  const write = (raw.write as unknown[]).map((x, i) => readRelationship(x, check, ctx, joinPath(joinPath(at, 'write'), i))).filter((x): x is Relationship => !!x);
  const request = readRequest(raw.check as Raw, model, ctx, joinPath(at, 'check'));
  return request && { write, request };
}

export async function loadBundledScenarios(filter?: string[]): Promise<Scenario[]> {
  const scenarios = await Promise.all((await bundledScenarioFiles()).map((f) => loadScenarioFile(f)));
  if (!filter || filter.length === 0) return scenarios;
  const selected = scenarios.filter((s) => filter.includes(s.id) || s.tags.some((t) => filter.includes(t)));
  const unknown = filter.filter((f) => !scenarios.some((s) => s.id === f || s.tags.includes(f)));
  if (unknown.length > 0) {
    const names = [...scenarios.map((s) => s.id), ...scenarios.flatMap((s) => s.tags)];
    const hints = unknown.map((u) => didYouMean(u, names)).join('');
    throw new InputError(
      '--scenario',
      unknown.join(', '),
      'no bundled scenario has this id or tag',
      `${hints}run 'authz-bench list scenarios'; known ids: ${scenarios.map((s) => s.id).join(', ')}`,
    );
  }
  return selected;
}

export { PROJECT_ROOT };
