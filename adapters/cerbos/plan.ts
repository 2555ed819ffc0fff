// A Cerbos query plan (PlanResources' CONDITIONAL condition: an expression tree of operators,
// values and variables) applied by the harness to one candidate resource's attributes, as an
// application applies it to its rows. Only the operators below are applied; any other stops
// the search with the operator named (UnsupportedPlanOperator), never a silent guess.
// Errors follow CEL: a missing key or a type mismatch is an error, absorbed by `||` next to a
// true operand and by `&&` next to a false one; an error at the top denies the candidate, as
// a condition error denies a check.

import type { PlanExpressionOperand, Value } from '@cerbos/core';

export class UnsupportedPlanOperator extends Error {
  constructor(readonly operator: string) {
    super(`the harness cannot apply plan operator '${operator}'`);
  }
}

/** A CEL evaluation error inside the plan (a missing key, a type mismatch). */
class PlanEvaluationError extends Error {}

type Scope = ReadonlyMap<string, Value>;

export interface PlanResource {
  kind: string;
  id: string;
  attr: Record<string, unknown>;
}

/** Whether the plan's condition holds for `resource`: an evaluation error denies (fail closed). */
export function planAllows(condition: PlanExpressionOperand, resource: PlanResource): boolean {
  try {
    return evaluate(condition, resource, new Map()) === true;
  } catch (error) {
    if (error instanceof PlanEvaluationError) return false;
    throw error;
  }
}

/** Every operator of a plan the harness cannot apply (checked once, before any candidate). */
export function unsupportedOperators(condition: PlanExpressionOperand): string[] {
  if (!('operator' in condition)) return [];
  const own = condition.operator in OPERATORS || condition.operator === 'lambda' ? [] : [condition.operator];
  return [...new Set([...own, ...condition.operands.flatMap(unsupportedOperators)])];
}

const fail = (message: string): never => {
  throw new PlanEvaluationError(message);
};

function evaluate(node: PlanExpressionOperand, resource: PlanResource, scope: Scope): Value {
  if ('value' in node) return node.value;
  if ('name' in node) return variable(node.name, resource, scope);
  const apply = OPERATORS[node.operator];
  if (!apply) throw new UnsupportedPlanOperator(node.operator);
  return apply(node.operands, (n, s = scope) => evaluate(n, resource, s), scope);
}

/** `request.resource.attr.x.y`, `R.attr.x`, `request.resource.id`, or a lambda variable with a field path (`e.s`). */
function variable(name: string, resource: PlanResource, scope: Scope): Value {
  const [head, ...path] = name.split('.');
  if (scope.has(head!)) return path.reduce(field, scope.get(head!)!);
  const root = name.replace(/^R\./, 'request.resource.');
  const resourceValue: Record<string, Value> = { id: resource.id, kind: resource.kind, attr: resource.attr as Record<string, Value> };
  if (!root.startsWith('request.resource.')) throw new UnsupportedPlanOperator(`variable ${name}`);
  return root
    .slice('request.resource.'.length)
    .split('.')
    .reduce(field, resourceValue as Value);
}

function field(value: Value, name: string): Value {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !(name in value)) return fail(`no such key: ${name}`);
  return value[name]!;
}

type Evaluate = (node: PlanExpressionOperand, scope?: Scope) => Value;
type Operator = (operands: PlanExpressionOperand[], evaluate: Evaluate, scope: Scope) => Value;

const bool = (value: Value): boolean => (typeof value === 'boolean' ? value : fail(`not a boolean: ${JSON.stringify(value)}`));
const text = (value: Value): string => (typeof value === 'string' ? value : fail(`not a string: ${JSON.stringify(value)}`));

/** CEL's short-circuit with error absorption: `stop` (true for ||, false for &&) wins over an error. */
const logical =
  (stop: boolean): Operator =>
  (operands, evaluate) => {
    let error: unknown;
    for (const operand of operands) {
      try {
        if (bool(evaluate(operand)) === stop) return stop;
      } catch (e) {
        if (!(e instanceof PlanEvaluationError)) throw e;
        error = e;
      }
    }
    if (error) throw error;
    return !stop;
  };

const equal = (a: Value, b: Value): boolean =>
  a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime()) || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

/** A CEL timestamp is held as a Date (not JSON: it never leaves the evaluator); compared by its time. */
const comparable = (value: Value): Value => (value instanceof Date ? value.getTime() : value);

const compare =
  (test: (order: number) => boolean): Operator =>
  ([a, b], evaluate) => {
    const x = comparable(evaluate(a!));
    const y = comparable(evaluate(b!));
    if (typeof x !== typeof y || (typeof x !== 'number' && typeof x !== 'string')) return fail('no matching overload for comparison');
    return test(x < y! ? -1 : x > y! ? 1 : 0);
  };

/** `exists`, `all`, `exists_one`, `filter`, `map` over a list (or a map's keys) with `lambda(body, variable)`. */
const comprehension =
  (finish: (items: Value[], results: Value[], errors: number) => Value): Operator =>
  ([collection, lambda], evaluate, scope) => {
    if (!lambda || !('operator' in lambda) || lambda.operator !== 'lambda') return fail('a comprehension without a lambda');
    const [body, bound] = lambda.operands;
    if (!body || !bound || !('name' in bound)) return fail('a lambda without its variable');
    const source = evaluate(collection!);
    const items = Array.isArray(source) ? source : source && typeof source === 'object' ? Object.keys(source) : fail('not a list or map');
    let errors = 0;
    const results = items.map((item) => {
      try {
        return evaluate(body, new Map([...scope, [bound.name, item]]));
      } catch (e) {
        if (!(e instanceof PlanEvaluationError)) throw e;
        errors++;
        return null;
      }
    });
    return finish(items, results, errors);
  };

const OPERATORS: Record<string, Operator> = {
  and: logical(false),
  or: logical(true),
  not: ([a], evaluate) => !bool(evaluate(a!)),
  eq: ([a, b], evaluate) => equal(evaluate(a!), evaluate(b!)),
  ne: ([a, b], evaluate) => !equal(evaluate(a!), evaluate(b!)),
  lt: compare((o) => o < 0),
  le: compare((o) => o <= 0),
  gt: compare((o) => o > 0),
  ge: compare((o) => o >= 0),
  in: ([a, b], evaluate) => {
    const item = evaluate(a!);
    const container = evaluate(b!);
    if (Array.isArray(container)) return container.some((x) => equal(x, item));
    if (container && typeof container === 'object') return typeof item === 'string' && item in container;
    return fail('no matching overload for in');
  },
  list: (operands, evaluate) => operands.map((o) => evaluate(o)),
  add: ([a, b], evaluate) => {
    const x = evaluate(a!);
    const y = evaluate(b!);
    if (Array.isArray(x) && Array.isArray(y)) return [...x, ...y];
    if (typeof x === 'string' && typeof y === 'string') return x + y;
    if (typeof x === 'number' && typeof y === 'number') return x + y;
    return fail('no matching overload for +');
  },
  index: ([a, b], evaluate) => {
    const container = evaluate(a!);
    const key = evaluate(b!);
    if (Array.isArray(container)) return typeof key === 'number' && key in container ? container[key]! : fail('index out of range');
    return field(container, text(key));
  },
  'get-field': ([a, b], evaluate) => {
    if (!b || !('name' in b)) return fail('get-field without a field name');
    return field(evaluate(a!), b.name);
  },
  size: ([a], evaluate) => {
    const value = evaluate(a!);
    if (typeof value === 'string' || Array.isArray(value)) return value.length;
    if (value && typeof value === 'object') return Object.keys(value).length;
    return fail('no matching overload for size');
  },
  if: ([condition, then, otherwise], evaluate) => (bool(evaluate(condition!)) ? evaluate(then!) : evaluate(otherwise!)),
  timestamp: ([a], evaluate) => {
    const time = Date.parse(text(evaluate(a!)));
    return Number.isNaN(time) ? fail('not an RFC 3339 timestamp') : (new Date(time) as unknown as Value);
  },
  startsWith: ([a, b], evaluate) => text(evaluate(a!)).startsWith(text(evaluate(b!))),
  endsWith: ([a, b], evaluate) => text(evaluate(a!)).endsWith(text(evaluate(b!))),
  contains: ([a, b], evaluate) => text(evaluate(a!)).includes(text(evaluate(b!))),
  exists: comprehension((_, results, errors) => results.some((r) => r === true) || (errors > 0 ? fail('error in exists') : false)),
  all: comprehension((_, results, errors) => !results.some((r) => r === false) && (errors > 0 ? fail('error in all') : true)),
  exists_one: comprehension((_, results, errors) => (errors > 0 ? fail('error in exists_one') : results.filter((r) => r === true).length === 1)),
  filter: comprehension((items, results, errors) => (errors > 0 ? fail('error in filter') : items.filter((_, i) => results[i] === true))),
  map: comprehension((_, results, errors) => (errors > 0 ? fail('error in map') : results)),
};
