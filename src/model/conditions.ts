// Conditions: CEL expressions over typed parameters, compiled once with @marcbachmann/cel-js
// (a type-checked Environment per condition) and evaluated on the hot path. Values arrive as
// JSON (relationship parameters, request context) and are converted by the declared type.
// Any adapter that evaluates conditions host-side may reuse this module.

import { setFlagsFromString } from 'node:v8';
import { Environment } from '@marcbachmann/cel-js';
import { checkDeadline } from '../core/deadline.ts';
import type { CheckRequest } from '../core/request.ts';
import { inCidr, IpAddress, parseIpAddress } from './ip.ts';
import { formatParameterType, type ConditionDefinition, type ParameterType } from './types.ts';

// CEL's `matches` runs a JavaScript RegExp, whose backtracking engine takes exponential time
// on patterns such as `^(a+)+$`. RE2 (what CEL specifies) is linear; V8's linear-time engine
// takes over from the backtracking one after this many backtracks, with the same answers.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--regexp-backtracks-before-fallback=50000');

/**
 * Where a condition's evaluation spends its work: one unit per element a comprehension
 * (`all`, `exists`, `exists_one`, `map`, `filter`) ranges over. May throw to stop it.
 */
export interface EvaluationBudget {
  spend(units: number, where: string): void;
}

/** Comprehension elements one evaluation may range over when no budget is given (OpenFGA caps CEL cost too). */
export const MAX_CEL_ITERATIONS = 1_000_000;

/** A condition stopped by its cost limit or deadline: an error of the check, never a quiet false. */
export class ConditionCostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionCostError';
  }
}

/** One evaluation's cost limit (MAX_CEL_ITERATIONS), charged to `parent` too, else watching the engine call's deadline. */
function evaluationBudget(parent: EvaluationBudget | undefined): EvaluationBudget {
  let spent = 0;
  return {
    spend(units, where) {
      spent += units;
      if (spent > MAX_CEL_ITERATIONS) throw new ConditionCostError(`condition cost limit exceeded: more than ${MAX_CEL_ITERATIONS} comprehension iterations (${where})`);
      if (parent) parent.spend(units, where);
      else checkDeadline();
    },
  };
}

/** The budget of the evaluation in progress (evaluation is synchronous), and the error that stopped it. */
let activeBudget: EvaluationBudget | undefined;
let budgetFailure: unknown;

function iterationCount(items: unknown): number {
  if (Array.isArray(items)) return items.length;
  if (items instanceof Map || items instanceof Set) return items.size;
  if (items && typeof items === 'object' && !(items instanceof Promise)) return Object.keys(items).length;
  return 1;
}

type Handle = (items: unknown, args: unknown, ev: unknown, ctx: unknown) => unknown;
interface CelNode {
  op?: string;
  args?: unknown;
  handle?: Handle;
  meta?: { alternate?: unknown; macro?: { args?: unknown } };
}

/**
 * Makes every comprehension of a type-checked AST charge the active budget for the elements
 * it ranges over before it starts (nested comprehensions charge on each entry, so the total
 * is the true iteration count). cel-js has no cost hook; its comprehension node calls
 * `handle(items, ...)`, set by the type check, so wrapping it counts without changing results.
 */
function meterComprehensions(root: unknown, condition: string): void {
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    const node = value as CelNode;
    if (node.op === 'comprehension' && typeof node.handle === 'function') {
      const original = node.handle;
      const where = `a comprehension in condition '${condition}'`;
      node.handle = (items, args, ev, ctx) => {
        if (activeBudget) {
          try {
            activeBudget.spend(iterationCount(items), where);
          } catch (error) {
            budgetFailure ??= error;
            throw error;
          }
        }
        return original(items, args, ev, ctx);
      };
    }
    if (node.meta) {
      visit(node.meta.alternate);
      visit(node.meta.macro?.args);
    }
    if (node.args && typeof node.args === 'object') {
      if (Array.isArray(node.args)) node.args.forEach(visit);
      else Object.values(node.args).forEach(visit);
    }
  };
  visit(root);
}

export type ConditionResult =
  | { ok: true; value: boolean }
  /** Not decided: `missing` names absent parameters; `error` says what else went wrong. */
  | { ok: false; missing?: string[]; error?: string };

export interface CompiledCondition {
  readonly definition: ConditionDefinition;
  /** Parameters the expression actually refers to; only these must have values. */
  readonly used: readonly string[];
  /**
   * `values` are JSON-shaped; they are converted by the declared parameter types. `budget`
   * (default: MAX_CEL_ITERATIONS and the call's deadline) may throw to stop the evaluation:
   * that error is rethrown, never turned into a result.
   */
  evaluate(values: Record<string, unknown>, budget?: EvaluationBudget): ConditionResult;
}

/** The parameter names filled from the request rather than from context keys. */
export const REQUEST_PARAMETERS = ['subject', 'resource', 'action', 'context'] as const;

type Program = (values: Record<string, unknown>) => unknown;

/** The cel-js type name for a declared parameter type. */
export function celTypeName(type: ParameterType): string {
  switch (type.kind) {
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    case 'any':
      return 'dyn';
    case 'list':
      return `list<${celTypeName(type.element)}>`;
    case 'map':
      return `map<string, ${celTypeName(type.element)}>`;
    default:
      return type.kind;
  }
}

class ConditionCompileError extends Error {}

/** First line of a cel-js error plus the column, so messages stay on one line. */
function oneLine(error: unknown): string {
  const e = error as { message?: string; range?: { start?: number } };
  const first = String(e?.message ?? error)
    .split('\n')[0]!
    .trim();
  return typeof e?.range?.start === 'number' ? `${first} (at column ${e.range.start + 1})` : first;
}

/** Whether the expression compares parameter `name` with null (`t != null`), which cel-js does not type for timestamps and durations. */
function comparedWithNull(expression: string, name: string): boolean {
  return new RegExp(`\\b${name}\\s*[!=]=\\s*null\\b|\\bnull\\s*[!=]=\\s*${name}\\b`).test(expression);
}

function buildEnvironment(def: ConditionDefinition): Environment {
  const env = new Environment();
  // OpenFGA's ipaddress type and its in_cidr() function.
  env.registerType('ipaddress', IpAddress);
  env.registerFunction('ipaddress.in_cidr(string): bool', (ip: IpAddress, cidr: string) => inCidr(ip, cidr));
  for (const [name, type] of def.parameters) {
    // cel-js has no `!=`/`==` between a timestamp or duration and null (CEL has): such a
    // parameter is typed dyn; its value is still converted to a timestamp or duration.
    const loose = (type.kind === 'timestamp' || type.kind === 'duration') && comparedWithNull(def.expression, name);
    try {
      env.registerVariable(name, loose ? 'dyn' : celTypeName(type));
    } catch (error) {
      throw new ConditionCompileError(`parameter '${name}' of type ${formatParameterType(type)}: ${oneLine(error)}`);
    }
  }
  return env;
}

function usedParameters(ast: unknown, declared: ReadonlyMap<string, ParameterType>): string[] {
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as { op?: unknown; args?: unknown };
    if (n.op === 'id' && typeof n.args === 'string') {
      if (declared.has(n.args)) used.add(n.args);
      return;
    }
    visit(n.args);
  };
  visit(ast);
  return [...used];
}

function compileProgram(def: ConditionDefinition): { program: Program; used: string[] } {
  const env = buildEnvironment(def);
  let program: Program & { ast?: unknown };
  try {
    program = env.parse(def.expression) as Program & { ast?: unknown };
  } catch (error) {
    throw new ConditionCompileError(`cannot parse '${def.expression}': ${oneLine(error)}`);
  }
  const checked = env.check(def.expression) as { valid: boolean; type?: string; error?: unknown };
  if (!checked.valid) throw new ConditionCompileError(`type error in '${def.expression}': ${oneLine(checked.error)}`);
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new ConditionCompileError(`'${def.expression}' returns ${checked.type}, a condition must return bool`);
  }
  // Type-check the program's own AST now (it is what runs), then meter its comprehensions.
  (program as Program & { check?: () => unknown }).check?.();
  meterComprehensions(program.ast, def.name);
  return { program, used: usedParameters(program.ast, def.parameters) };
}

/** The CEL problem with a condition (parse or type error), or undefined when it compiles. */
export function checkConditionSyntax(def: ConditionDefinition): string | undefined {
  try {
    compileCondition(def);
    return undefined;
  } catch (error) {
    if (error instanceof ConditionCompileError) return error.message;
    throw error;
  }
}

// Compiling builds an Environment, the expensive part; scenarios reload the same models often.
const cache = new Map<string, CompiledCondition>();

function cacheKey(def: ConditionDefinition): string {
  const params = [...def.parameters].map(([n, t]) => `${n}:${formatParameterType(t)}`).join(',');
  return `${params}|${def.expression}`;
}

/** Compiles a condition; throws an Error naming the CEL problem when it does not type-check. */
export function compileCondition(def: ConditionDefinition): CompiledCondition {
  const key = cacheKey(def);
  const cached = cache.get(key);
  if (cached && cached.definition.name === def.name) return cached;
  const { program, used } = compileProgram(def);
  const types = def.parameters;
  const compiled: CompiledCondition = {
    definition: def,
    used,
    evaluate(values, budget) {
      const input: Record<string, unknown> = {};
      let missing: string[] | undefined;
      for (const name of used) {
        const value = values[name];
        if (value === undefined || value === null) {
          missing ??= [];
          missing.push(name);
          continue;
        }
        try {
          input[name] = toCel(value, types.get(name)!);
        } catch (error) {
          return { ok: false, error: `parameter '${name}': ${(error as Error).message}` };
        }
      }
      if (missing) return { ok: false, missing };
      let result: unknown;
      const outer = activeBudget;
      const outerFailure = budgetFailure;
      activeBudget = evaluationBudget(budget);
      budgetFailure = undefined;
      try {
        result = program(input);
      } catch (error) {
        if (budgetFailure === undefined) return { ok: false, error: oneLine(error) };
      } finally {
        activeBudget = outer;
      }
      // A quantifier may have absorbed the budget's error (CEL's error semantics): it still stops the check.
      const failure = budgetFailure;
      budgetFailure = outerFailure;
      if (failure !== undefined) throw failure;
      if (typeof result !== 'boolean') return { ok: false, error: `the expression returned ${typeof result}, not bool` };
      return { ok: true, value: result };
    },
  };
  cache.set(key, compiled);
  return compiled;
}

// ---- JSON -> CEL values -------------------------------------------------------------

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const timestamps = new Map<string, Date>();

export function parseTimestamp(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const cached = timestamps.get(value);
    if (cached) return cached;
    if (RFC3339.test(value)) {
      const date = new Date(value);
      if (!Number.isNaN(date.getTime())) {
        if (timestamps.size < 10_000) timestamps.set(value, date);
        return date;
      }
    }
  }
  throw new Error(`expected an RFC 3339 timestamp such as "2026-01-01T00:00:00Z", got ${JSON.stringify(value)}`);
}

// cel-js does not export its UnsignedInt class: CEL's own uint() makes one.
const UintClass = ((new Environment().registerVariable('x', 'int').parse('uint(x)') as Program)({ x: 0n }) as object).constructor as new (value: bigint) => unknown;

// cel-js does not export its Duration class; CEL's own duration() parses the text.
const durationEnv = new Environment().registerVariable('text', 'string');
const durationProgram = durationEnv.parse('duration(text)') as Program;
const DurationClass = (durationProgram({ text: '0s' }) as object).constructor;
const durations = new Map<string, unknown>();

export function parseDuration(value: unknown): unknown {
  if (value instanceof DurationClass) return value;
  if (typeof value === 'string') {
    let duration = durations.get(value);
    if (duration === undefined) {
      try {
        duration = durationProgram({ text: value });
      } catch {
        throw new Error(`expected a duration such as "1h30m", got ${JSON.stringify(value)}`);
      }
      if (durations.size < 10_000) durations.set(value, duration);
    }
    return duration;
  }
  throw new Error(`expected a duration such as "1h30m", got ${JSON.stringify(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof DurationClass);
}

/** JSON value -> CEL value for an `any` (dyn) parameter: whole numbers become int. */
function dynToCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(dynToCel);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = dynToCel(v);
    return out;
  }
  return value;
}

/** Converts a JSON-shaped value to what cel-js expects for the declared type; throws when it cannot. */
export function toCel(value: unknown, type: ParameterType): unknown {
  const fail = (what: string): never => {
    throw new Error(`expected ${what}, got ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  };
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' ? value : fail('a string');
    case 'bool':
      return typeof value === 'boolean' ? value : fail('true or false');
    case 'int':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      return fail('an integer');
    case 'uint': {
      const whole =
        typeof value === 'bigint'
          ? value
          : typeof value === 'number' && Number.isSafeInteger(value)
            ? BigInt(value)
            : typeof value === 'string' && /^\d+$/.test(value)
              ? BigInt(value)
              : undefined;
      return whole !== undefined && whole >= 0n ? new UintClass(whole) : fail('a non-negative integer');
    }
    case 'ipaddress':
      return parseIpAddress(value);
    case 'double':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      return fail('a number');
    case 'timestamp':
      return parseTimestamp(value);
    case 'duration':
      return parseDuration(value);
    case 'any':
      return dynToCel(value);
    case 'list':
      if (!Array.isArray(value)) return fail('a list');
      return value.map((v) => toCel(v, type.element));
    case 'map': {
      if (!isPlainObject(value)) return fail('a map');
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = toCel(v, type.element);
      return out;
    }
  }
}

/**
 * The values a condition sees for one relationship and request: each parameter the
 * expression uses comes from the relationship's bound parameters first, then from the
 * request context by the same name; `subject`, `resource` and `action` (when not set either
 * way) are the request's subject, resource and action properties and `context` the whole context.
 * An absent parameter is left out, so the condition reports it missing (fail closed).
 */
export function conditionInputs(
  def: ConditionDefinition,
  bound: Record<string, unknown> | undefined,
  request: CheckRequest,
  names: Iterable<string> = def.parameters.keys(),
): Record<string, unknown> {
  const context = request.context ?? {};
  const values: Record<string, unknown> = {};
  for (const name of names) {
    let value: unknown;
    if (bound && Object.hasOwn(bound, name)) value = bound[name];
    else if (Object.hasOwn(context, name)) value = context[name];
    else if (name === 'subject') value = request.subject.properties ?? {};
    else if (name === 'resource') value = request.resource.properties ?? {};
    else if (name === 'action') value = request.action.properties ?? {};
    else if (name === 'context') value = context;
    if (value !== undefined) values[name] = value;
  }
  return values;
}
