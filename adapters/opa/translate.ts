// Neutral model -> Rego v1 policy, and relationships -> the data document OPA holds.
//
// Data layout (pushed under `data.authzbench`, see adapters/opa/README.md):
//   rels[type][id][relation][subjectType | "subjectType#relation"][subjectId] = {} | {c: condition, p: {params}}
//   g["type:id#name"] = ["type:id#name", ...]   (unconditional userset / tuple-to-userset edges)
// A check of `name` on `type:id` for subject S walks `g` with graph.reachable (cycle safe, no
// depth limit), then looks up S among the direct relationships of every node reached. Rego
// rules cannot recurse, so the parts that graph reachability cannot express (intersection,
// exclusion, conditional userset/tupleset relationships) are unrolled over `levels` levels.

import type { ASTNode } from '@marcbachmann/cel-js';
import type { Relationship } from '../../src/core/relationship.ts';
import { CelTranslationError, isBooleanOperator, literalCode, parseCelAst, sourceText } from '../../src/model/cel-ast.ts';
import { type Closure, ClosureIndex, closureOf, hasName, names, tuplesetTypes } from '../../src/model/closure.ts';
import type { ConditionDefinition, Model, ParameterType, Rewrite } from '../../src/model/types.ts';

// The union closure lives in src/model/closure.ts (Cedar uses it too); re-exported for data.ts and tests.
export { ClosureIndex, closureOf };

export const PACKAGE = 'authzbench';
export const DATA_ROOT = 'authzbench';
/** Default number of unrolled levels for intersection/exclusion/conditional edges. */
export const DEFAULT_LEVELS = 50;

// ---------------------------------------------------------------------------------------
// Data: relationship index and reachability graph

export const nodeKey = (type: string, id: string, name: string): string => `${type}:${id}#${name}`;

export function relValue(rel: Relationship): Record<string, unknown> {
  return rel.condition ? { c: rel.condition.name, ...(rel.condition.parameters ? { p: rel.condition.parameters } : {}) } : {};
}

export function subjectKey(rel: Relationship): string {
  return rel.subject.relation ? `${rel.subject.type}#${rel.subject.relation}` : rel.subject.type;
}

/**
 * The unconditional graph edges one relationship contributes: `from` node -> `to` node.
 * A userset subject `G#m` on relation r feeds every name whose closure holds r directly; an
 * object subject P on tupleset t feeds every name whose closure has `t->v` (edge to P#v).
 * `indirect`: the edge skips nodes of other relations (a name reaching r or `t->v` through
 * another name), so a cycle through it runs through two relations (docs/model.md, Cycles).
 */
export function edgesOf(model: Model, rel: Relationship, closures: ClosureIndex): [string, string, boolean][] {
  if (rel.condition || rel.subject.id === '*') return [];
  const edges: [string, string, boolean][] = [];
  const type = rel.resource.type;
  for (const name of names(model, type)) {
    const closure = closures.get(type, name);
    if (rel.subject.relation) {
      if (closure.direct.includes(rel.relation) && hasName(model, rel.subject.type, rel.subject.relation)) {
        edges.push([nodeKey(type, rel.resource.id, name), nodeKey(rel.subject.type, rel.subject.id, rel.subject.relation), name !== rel.relation]);
      }
    } else {
      for (const t of closure.ttu) {
        if (t.tupleset === rel.relation && hasName(model, rel.subject.type, t.computed)) {
          const own = closure.ownTtu.some((o) => o.tupleset === t.tupleset && o.computed === t.computed);
          edges.push([nodeKey(type, rel.resource.id, name), nodeKey(rel.subject.type, rel.subject.id, t.computed), !own]);
        }
      }
    }
  }
  return edges;
}

// ---------------------------------------------------------------------------------------
// CEL subset -> Rego

type CelType = 'timestamp' | 'duration' | 'number' | 'string' | 'bool' | 'list' | 'map' | 'null' | 'unknown';

interface Compiled {
  code: string;
  type: CelType;
}

function paramCelType(type: ParameterType | undefined): CelType {
  if (!type) return 'unknown';
  switch (type.kind) {
    case 'timestamp':
    case 'duration':
    case 'string':
    case 'bool':
    case 'list':
    case 'map':
      return type.kind;
    case 'int':
    case 'uint':
    case 'double':
      return 'number';
    case 'ipaddress':
      return 'string';
    default:
      return 'unknown';
  }
}

/**
 * Compiles one condition to Rego functions: `<prefix>(p)` holds when the CEL expression is
 * true, `<prefix>_false(p)` when it is false; neither when it cannot be decided (a missing
 * field, a value of the wrong type), so the caller can tell undecided from false. Each side
 * is translated on its own (`!a` true is `a` false), so `!has(x.f)` and
 * `!(has(x.f) && x.f == 1)` hold on a missing field, as in CEL.
 */
class ConditionCompiler {
  private helpers: string[] = [];
  private counter = 0;
  constructor(
    private readonly condition: ConditionDefinition,
    private readonly prefix: string,
  ) {}

  compile(): string[] {
    const ast = parseCelAst(this.condition.expression);
    const whenTrue = this.logic(ast, true);
    const whenFalse = this.logic(ast, false);
    return [`${this.prefix}(p) if {\n${indent(whenTrue)}\n}`, `${this.prefix}_false(p) if {\n${indent(whenFalse)}\n}`, ...this.helpers];
  }

  private fail(node: ASTNode, what: string): never {
    const text = sourceText(node);
    throw new CelTranslationError(`${what}${text ? ` in '${text}'` : ''}`);
  }

  private helper(bodies: string[][]): string {
    const name = `${this.prefix}_h${this.counter++}`;
    for (const body of bodies) this.helpers.push(`${name}(p) if {\n${indent(body)}\n}`);
    return `${name}(p)`;
  }

  /** A fresh local variable name. */
  private local(): string {
    return `v${this.counter++}`;
  }

  /** Rego body lines that hold exactly when the CEL boolean expression is `positive` (true or false); none hold on an error. */
  logic(node: ASTNode, positive: boolean): string[] {
    switch (node.op) {
      case '&&':
      case '||': {
        // CEL's && and || absorb an error on one side when the other decides: false && error is false.
        const all = (node.op === '&&') === positive;
        const [a, b] = [this.logic(node.args[0], positive), this.logic(node.args[1], positive)];
        return all ? [...a, ...b] : [this.helper([a, b])];
      }
      case '!_':
        return this.logic(node.args, !positive);
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const [a, b] = this.coerce(this.value(node.args[0]), this.value(node.args[1]));
        const typed = (t: Compiled) => t.type !== 'unknown' && t.type !== 'null';
        if ((node.op === '==' || node.op === '!=') && ((a.type === 'null' && typed(b)) || (b.type === 'null' && typed(a)))) {
          // A typed value is never null (Rego would reject comparing a number with null): only whether it is there.
          const present = a.type === 'null' ? b : a;
          return (node.op === '!=') === positive ? [`_ = ${present.code}`] : ['false'];
        }
        const [x, y] = [this.local(), this.local()];
        const bind = [`${x} := ${a.code}`, `${y} := ${b.code}`];
        const op = positive ? node.op : NEGATED[node.op]!;
        if (node.op === '==' || node.op === '!=') return [...bind, `${x} ${op} ${y}`];
        // Rego orders values of different types (a string is greater than any number); CEL has no such order: undecided.
        return [...bind, `same_order_type(${x}, ${y})`, `${x} ${op} ${y}`];
      }
      case 'in': {
        const element = this.value(node.args[0]);
        const container = this.value(node.args[1]);
        const [e, c] = [this.local(), this.local()];
        return [`${e} := ${element.code}`, `${c} := ${container.code}`, positive ? `cel_in(${e}, ${c})` : `cel_not_in(${e}, ${c})`];
      }
      case 'value':
        if (typeof node.args === 'boolean') return [String(node.args === positive)];
        return this.fail(node, 'a non-boolean literal used as a condition');
      case 'call':
      case 'rcall':
        return this.boolCall(node, positive);
      case 'id':
      case '.':
      case '[]': {
        const value = this.value(node);
        return [`${value.code} == ${positive}`];
      }
      default:
        return this.fail(node, `operator '${node.op}' is not translated to Rego`);
    }
  }

  private boolCall(node: ASTNode & { op: 'call' | 'rcall' }, positive: boolean): string[] {
    if (node.op === 'call') {
      const [fn, args] = node.args;
      if (fn === 'has' && args.length === 1) {
        const field = args[0]!;
        if (field.op !== '.') return this.fail(node, 'has() of something other than a field');
        const [target, name] = field.args;
        if (positive) return [`_ = ${this.value(field).code}`];
        // False: the object is there and has no such key (an absent object is an error in CEL too).
        const o = this.local();
        return [`${o} := ${this.value(target).code}`, `is_object(${o})`, `not ${JSON.stringify(name)} in object.keys(${o})`];
      }
      return this.fail(node, `function '${fn}' is not translated to Rego`);
    }
    const [fn, target, args] = node.args;
    const map: Record<string, string> = { startsWith: 'startswith', endsWith: 'endswith', contains: 'contains' };
    if (fn === 'in_cidr' && args.length === 1) {
      const [ip, range] = [this.local(), this.local()];
      const call = `net.cidr_contains(${range}, ${ip})`;
      return [`${ip} := ${this.value(target).code}`, `${range} := ${this.value(args[0]!).code}`, `net.cidr_is_valid(${range})`, positive ? call : `not ${call}`];
    }
    if ((map[fn] || fn === 'matches') && args.length === 1) {
      const [s, a] = [this.local(), this.local()];
      const call = fn === 'matches' ? `regex.match(${a}, ${s})` : `${map[fn]}(${s}, ${a})`;
      return [`${s} := ${this.value(target).code}`, `${a} := ${this.value(args[0]!).code}`, `is_string(${s})`, `is_string(${a})`, positive ? call : `not ${call}`];
    }
    return this.fail(node, `function '${fn}' is not translated to Rego`);
  }

  private coerce(a: Compiled, b: Compiled): [Compiled, Compiled] {
    const to = (c: Compiled, type: 'timestamp' | 'duration'): Compiled => {
      if (c.type !== 'unknown' && c.type !== 'string') return c;
      return { code: type === 'timestamp' ? `time.parse_rfc3339_ns(${c.code})` : `time.parse_duration_ns(${c.code})`, type };
    };
    for (const t of ['timestamp', 'duration'] as const) {
      if (a.type === t) return [a, to(b, t)];
      if (b.type === t) return [to(a, t), b];
    }
    return [a, b];
  }

  /** A Rego term for a CEL value expression. Timestamps and durations become nanoseconds. */
  value(node: ASTNode): Compiled {
    switch (node.op) {
      case 'value': {
        const literal = literalCode(node.args, 'null');
        if ('error' in literal) return this.fail(node, literal.error);
        return { code: literal.code, type: literal.kind === 'int' || literal.kind === 'double' ? 'number' : literal.kind };
      }
      case 'id': {
        const declared = this.condition.parameters.get(node.args);
        if (!declared) return this.fail(node, `identifier '${node.args}' is not a declared parameter`);
        const type = paramCelType(declared);
        const code = `p[${JSON.stringify(node.args)}]`;
        if (type === 'timestamp') return { code: `time.parse_rfc3339_ns(${code})`, type };
        if (type === 'duration') return { code: `time.parse_duration_ns(${code})`, type };
        return { code, type };
      }
      case '.':
        return { code: `${this.value(node.args[0]).code}[${JSON.stringify(node.args[1])}]`, type: 'unknown' };
      case '[]':
        return { code: `${this.value(node.args[0]).code}[${this.value(node.args[1]).code}]`, type: 'unknown' };
      case 'list':
        return { code: `[${node.args.map((a) => this.value(a).code).join(', ')}]`, type: 'list' };
      case 'map':
        return { code: `{${node.args.map(([k, v]) => `${this.value(k).code}: ${this.value(v).code}`).join(', ')}}`, type: 'map' };
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        let [a, b] = this.coerce(this.value(node.args[0]), this.value(node.args[1]));
        if (node.op === '+' && a.type === 'string' && b.type === 'string') return { code: `concat("", [${a.code}, ${b.code}])`, type: 'string' };
        if (a.type === 'string' || b.type === 'string' || a.type === 'list' || b.type === 'list') {
          return this.fail(node, `'${node.op}' on strings or lists is not translated to Rego`);
        }
        if (a.type === 'timestamp' && b.type === 'unknown') b = { code: `time.parse_duration_ns(${b.code})`, type: 'duration' };
        const type: CelType = a.type === 'timestamp' || b.type === 'timestamp' ? (a.type === b.type ? 'duration' : 'timestamp') : a.type === 'duration' ? 'duration' : 'number';
        return { code: `(${a.code} ${node.op} ${b.code})`, type };
      }
      case '-_':
        return { code: `(0 - ${this.value(node.args).code})`, type: 'number' };
      case 'call': {
        const [fn, args] = node.args;
        if (fn === 'timestamp' && args.length === 1) {
          const arg = this.value(args[0]!);
          return { code: arg.type === 'timestamp' ? arg.code : `time.parse_rfc3339_ns(${arg.code})`, type: 'timestamp' };
        }
        if (fn === 'duration' && args.length === 1) {
          const arg = this.value(args[0]!);
          return { code: arg.type === 'duration' ? arg.code : `time.parse_duration_ns(${arg.code})`, type: 'duration' };
        }
        if (fn === 'size' && args.length === 1) return { code: `count(${this.value(args[0]!).code})`, type: 'number' };
        if ((fn === 'int' || fn === 'double') && args.length === 1) {
          const arg = this.value(args[0]!);
          return { code: arg.type === 'number' || arg.type === 'timestamp' ? arg.code : `to_number(${arg.code})`, type: 'number' };
        }
        if (fn === 'string' && args.length === 1) return { code: `format_int(${this.value(args[0]!).code}, 10)`, type: 'string' };
        return this.fail(node, `function '${fn}' is not translated to Rego`);
      }
      case 'rcall': {
        const [fn, target, args] = node.args;
        if (fn === 'size' && args.length === 0) return { code: `count(${this.value(target).code})`, type: 'number' };
        if ((fn === 'lowerAscii' || fn === 'upperAscii') && args.length === 0) {
          return { code: `${fn === 'lowerAscii' ? 'lower' : 'upper'}(${this.value(target).code})`, type: 'string' };
        }
        return this.fail(node, `function '${fn}' is not translated to Rego`);
      }
      default:
        if (isBooleanOperator(node.op)) return this.fail(node, 'a boolean sub-expression used as a value');
        return this.fail(node, `operator '${node.op}' is not translated to Rego`);
    }
  }
}

const NEGATED: Record<string, string> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

function indent(lines: string[]): string {
  return lines.map((l) => `  ${l}`).join('\n');
}

export function conditionFunctionName(index: number): string {
  return `cond_${index}`;
}

/** Translates every condition; returns Rego code and per-condition failures. */
export function translateConditions(model: Model): { code: string[]; errors: Map<string, string> } {
  const code: string[] = [];
  const errors = new Map<string, string>();
  let index = 0;
  for (const condition of model.conditions.values()) {
    const fn = conditionFunctionName(index++);
    let functions: string[];
    try {
      functions = new ConditionCompiler(condition, fn).compile();
    } catch (error) {
      if (!(error instanceof CelTranslationError)) throw error;
      errors.set(condition.name, error.message);
      continue;
    }
    // Only the parameters the expression reads must have a value, each of its declared type (else undecided).
    const used = usedParameters(condition);
    const params = used.map((name) => `${JSON.stringify(name)}: typed(${paramLookup(name)}, ${JSON.stringify(typeGuardName(condition.parameters.get(name)!))})`);
    for (const [rule, entry] of [
      ['cond_ok', fn],
      ['cond_false', `${fn}_false`],
    ]) {
      code.push(`${rule}(x) if {\n  x.c == ${JSON.stringify(condition.name)}\n  p := {${params.join(', ')}}\n  ${entry}(p)\n}`);
    }
    code.push(...functions);
  }
  return { code, errors };
}

/** Declared parameters the expression refers to, in declaration order. */
function usedParameters(condition: ConditionDefinition): string[] {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as { op?: unknown; args?: unknown };
    if (n.op === 'id' && typeof n.args === 'string') ids.add(n.args);
    else visit(n.args);
  };
  visit(parseCelAst(condition.expression));
  return [...condition.parameters.keys()].filter((name) => ids.has(name));
}

/** The `typed(v, kind)` guard for a declared type: lists and maps by their element type, one level deep. */
function typeGuardName(type: ParameterType): string {
  if (type.kind === 'list' || type.kind === 'map') return type.element.kind === 'list' || type.element.kind === 'map' ? type.kind : `${type.kind}<${type.element.kind}>`;
  return type.kind;
}

/** Rego helpers for conditions: declared-type guards, CEL's `in`, same-type ordering. */
const CONDITION_HELPERS = `typed(v, kind) := typed_scalar(v, kind)
typed(v, "list") := v if is_array(v)
typed(v, "map") := v if is_object(v)
typed(v, kind) := v if {
  startswith(kind, "list<")
  is_array(v)
  element := trim_suffix(trim_prefix(kind, "list<"), ">")
  every e in v { typed_scalar(e, element) == e }
}
typed(v, kind) := v if {
  startswith(kind, "map<")
  is_object(v)
  element := trim_suffix(trim_prefix(kind, "map<"), ">")
  every _, e in v { typed_scalar(e, element) == e }
}

typed_scalar(v, "any") := v
typed_scalar(v, "string") := v if is_string(v)
typed_scalar(v, "bool") := v if is_boolean(v)
typed_scalar(v, "double") := v if is_number(v)
typed_scalar(v, "int") := v if {
  is_number(v)
  v == round(v)
}
typed_scalar(v, "int") := to_number(v) if {
  is_string(v)
  regex.match(\`^-?[0-9]+$\`, v)
}
typed_scalar(v, "uint") := v if {
  is_number(v)
  v == round(v)
  v >= 0
}
typed_scalar(v, "uint") := to_number(v) if {
  is_string(v)
  regex.match(\`^[0-9]+$\`, v)
}
typed_scalar(v, "ipaddress") := v if {
  is_string(v)
  net.cidr_is_valid(concat("/", [v, "32"]))
}
typed_scalar(v, "ipaddress") := v if {
  is_string(v)
  contains(v, ":")
  net.cidr_is_valid(concat("/", [v, "128"]))
}
typed_scalar(v, "timestamp") := v if {
  is_string(v)
  time.parse_rfc3339_ns(v)
}
typed_scalar(v, "duration") := v if {
  is_string(v)
  time.parse_duration_ns(v)
}

same_order_type(a, b) if {
  is_number(a)
  is_number(b)
}
same_order_type(a, b) if {
  is_string(a)
  is_string(b)
}
same_order_type(a, b) if {
  is_boolean(a)
  is_boolean(b)
}

cel_in(e, c) if {
  is_array(c)
  e in c
}
cel_in(e, c) if {
  is_set(c)
  e in c
}
cel_in(e, c) if {
  is_object(c)
  _ = c[e]
}
cel_not_in(e, c) if {
  is_array(c)
  not e in c
}
cel_not_in(e, c) if {
  is_object(c)
  not e in object.keys(c)
}
`;

/** Bound parameter first, then the request: `subject`/`resource` properties, `context`, or context[name]. */
function paramLookup(name: string): string {
  const n = JSON.stringify(name);
  if (name === 'subject') return `param_or(x, ${n}, object.get(input.subject, "properties", {}))`;
  if (name === 'resource') return `param_or(x, ${n}, object.get(input.resource, "properties", {}))`;
  if (name === 'action') return `param_or(x, ${n}, object.get(input.action, "properties", {}))`;
  if (name === 'context') return `param_or(x, ${n}, object.get(input, "context", {}))`;
  return `param(x, ${n})`;
}

// ---------------------------------------------------------------------------------------
// Policy

export interface TranslateOptions {
  levels?: number;
}

/** Reasons the model cannot be translated; empty when it can. */
export function unsupportedReasons(model: Model): string[] {
  const { errors } = translateConditions(model);
  return [...errors].map(([name, message]) => {
    const expression = model.conditions.get(name)?.expression ?? '';
    return `conditions: CEL expression '${expression}' of condition '${name}' cannot be translated to Rego: ${message}`;
  });
}

export function translateModel(model: Model, options: TranslateOptions = {}): string {
  const limit = options.levels ?? DEFAULT_LEVELS;
  const needed = requiredLevels(model);
  const levels = Math.min(limit, needed);
  const closures = new ClosureIndex(model);
  const out: string[] = [];
  const R = `data.${DATA_ROOT}`;
  out.push(`# Generated by authz-bench (adapters/opa/translate.ts) from the neutral model. Rego v1.`);
  out.push(`package ${PACKAGE}`, '');
  out.push(`default allow := false`, '');
  out.push(`allow if check_${levels}(input.resource.type, input.resource.id, input.action.name, input.subject.type, input.subject.id, [])`, '');
  // Search (AuthZEN 1.0 §8) as enumerating rules: every candidate the data holds, decided by
  // the same check. Candidates: resources of the type that some relationship names; subjects
  // of the type that some relationship names, and `*` when the wildcard is granted; where it is,
  // a subject is listed only when granted by name too (`*` stands for the subjects reached only
  // through it); every relation and permission of the resource's type. The subject rule's one
  // home is src/core/search.ts (`listSubjects`); this Rego is its engine-native copy, so OPA
  // searches in one query.
  const actions = Object.fromEntries([...model.types.keys()].map((type) => [type, names(model, type)]));
  out.push(
    `search_actions_by_type := ${JSON.stringify(actions)}`,
    '',
    'search_resources contains id if {',
    `  some id, _ in ${R}.rels[input.resource.type]`,
    `  check_${levels}(input.resource.type, id, input.action.name, input.subject.type, input.subject.id, [])`,
    '}',
    '',
    'search_subject_candidates contains id if {',
    `  some t, _ in ${R}.rels`,
    `  some o, _ in ${R}.rels[t]`,
    `  some r, _ in ${R}.rels[t][o]`,
    `  some id, _ in ${R}.rels[t][o][r][input.subject.type]`,
    '}',
    '',
    `search_wildcard_granted if check_${levels}(input.resource.type, input.resource.id, input.action.name, input.subject.type, "*", [])`,
    '',
    'search_subjects contains "*" if search_wildcard_granted',
    '',
    '# Where `*` is granted, a subject is listed only when granted by name too (also with the wildcard ignored).',
    'search_subjects contains id if {',
    '  search_wildcard_granted',
    '  some id in search_subject_candidates',
    '  id != "*"',
    `  check_${levels}(input.resource.type, input.resource.id, input.action.name, input.subject.type, id, [])`,
    `  check_${levels}(input.resource.type, input.resource.id, input.action.name, input.subject.type, id, []) with input.subject_alone as true`,
    '}',
    '',
    'search_subjects contains id if {',
    '  not search_wildcard_granted',
    '  some id in search_subject_candidates',
    '  id != "*"',
    `  check_${levels}(input.resource.type, input.resource.id, input.action.name, input.subject.type, id, [])`,
    '}',
    '',
    'search_actions contains name if {',
    '  some name in search_actions_by_type[input.resource.type]',
    `  check_${levels}(input.resource.type, input.resource.id, name, input.subject.type, input.subject.id, [])`,
    '}',
    '',
  );

  // Static closure tables.
  const directTable: Record<string, Record<string, string[]>> = {};
  const edgeTable: Record<string, Record<string, { rel: string; key: string; type: string; target: string }[]>> = {};
  for (const type of model.types.keys()) {
    directTable[type] = {};
    edgeTable[type] = {};
    for (const name of names(model, type)) {
      const closure = closures.get(type, name);
      directTable[type]![name] = closure.direct;
      const edges: EdgeTerm[] = [];
      edges.push(...conditionalEdges(model, type, closure));
      edgeTable[type]![name] = dedupe(edges);
    }
  }
  out.push(`direct_names := ${JSON.stringify(directTable)}`, '');
  out.push(`# Conditional userset/tupleset relationships cannot be graph edges: followed level by level.`);
  out.push(`conditional_edges := ${JSON.stringify(edgeTable)}`, '');

  out.push(`reach(start) := nodes if {
  r := graph.reachable(${R}.g, {start})
  nodes := ({start} | r) | {n | some m in r; some n in ${R}.g[m]}
}

node_parts(n) := [t, id, name] if {
  i := indexof(n, ":")
  hashes := indexof_n(n, "#")
  j := hashes[count(hashes) - 1]
  t := substring(n, 0, i)
  id := substring(n, i + 1, (j - i) - 1)
  name := substring(n, j + 1, -1)
}

direct(t, id, r, st, sid) if {
  x := ${R}.rels[t][id][r][st][sid]
  cond_ok(x)
}

# A wildcard grants every subject of its type, except when a subject search asks how a subject is reached alone (search_subjects).
direct(t, id, r, st, sid) if {
  not input.subject_alone
  x := ${R}.rels[t][id][r][st]["*"]
  cond_ok(x)
}

# Possibly direct: the relationship is there and its condition is not decidedly false.
direct_maybe(t, id, r, st, sid) if {
  x := ${R}.rels[t][id][r][st][sid]
  cond_maybe(x)
}

direct_maybe(t, id, r, st, sid) if {
  not input.subject_alone
  x := ${R}.rels[t][id][r][st]["*"]
  cond_maybe(x)
}

cond_ok(x) if not x.c

cond_maybe(x) if not cond_false(x)

# Defined for models without conditions; each condition adds its own clauses.
cond_false(_) if false

param(x, name) := v if {
  v := x.p[name]
} else := v if {
  v := input.context[name]
}

param_or(x, name, fallback) := v if {
  v := x.p[name]
} else := fallback

node_relation(n) := concat("#", [t, name]) if [t, _, name] := node_parts(n)

# Cycles (docs/model.md): a node met again grants nothing; the cycle leaves the check
# undecided when it runs through two or more relations. \`path\` is the chain of nodes so far.
undecided_cycle(node, path) if {
  some i, p in path
  p == node
  some j, q in path
  j > i
  node_relation(q) != node_relation(node)
}

# A cycle within the nodes graph reachability walks (unconditional edges): undecided when it
# holds two relations, or an edge that passes through another relation (\`gi\`).
reach_undecided(start) if {
  some m in reach(start)
  after := graph.reachable(${R}.g, object.get(${R}.g, m, []))
  m in after
  mixed_cycle(m, after)
}

mixed_cycle(m, after) if {
  some x in after
  node_relation(x) != node_relation(m)
  m in graph.reachable(${R}.g, {x})
}

mixed_cycle(m, after) if {
  some a in after
  some b in object.get(${R}.gi, a, [])
  m in graph.reachable(${R}.g, {b})
}
`);
  out.push(CONDITION_HELPERS);

  out.push(...translateConditions(model).code, '');

  // Levels. check_k: decidedly allowed; maybe_k: allowed or undecided (a condition that cannot
  // be decided, a cycle through several relations). An exclusion allows when its base is
  // allowed and its subtracted side is not even possibly allowed: undecided fails closed.
  let helperCounter = 0;
  for (let k = 0; k <= levels; k++) {
    out.push(`# ---- level ${k}`);
    out.push(`check_${k}(t, id, name, st, sid, path) if {
  start := concat("", [t, ":", id, "#", name])
  not start in path
  some n in reach(start)
  not n in path
  [nt, nid, nname] := node_parts(n)
  local_${k}(nt, nid, nname, st, sid, array.concat(path, [start, n]))
}

local_${k}(t, id, name, st, sid, path) if {
  some r in direct_names[t][name]
  direct(t, id, r, st, sid)
}

maybe_${k}(t, id, name, st, sid, path) if {
  start := concat("", [t, ":", id, "#", name])
  start in path
  undecided_cycle(start, path)
}

maybe_${k}(t, id, name, st, sid, path) if {
  start := concat("", [t, ":", id, "#", name])
  not start in path
  some n in reach(start)
  n in path
  undecided_cycle(n, array.concat(path, [start]))
}

maybe_${k}(t, id, name, st, sid, path) if {
  start := concat("", [t, ":", id, "#", name])
  not start in path
  reach_undecided(start)
}

maybe_${k}(t, id, name, st, sid, path) if {
  start := concat("", [t, ":", id, "#", name])
  not start in path
  some n in reach(start)
  not n in path
  [nt, nid, nname] := node_parts(n)
  local_maybe_${k}(nt, nid, nname, st, sid, array.concat(path, [start, n]))
}

local_maybe_${k}(t, id, name, st, sid, path) if {
  some r in direct_names[t][name]
  direct_maybe(t, id, r, st, sid)
}
`);
    if (k === 0) {
      if (needed > limit) out.push(...depthLimitClauses(model, closures, R));
      continue;
    }
    for (const [local, cond, lower] of [
      [`local_${k}`, 'cond_ok', `check_${k - 1}`],
      [`local_maybe_${k}`, 'cond_maybe', `maybe_${k - 1}`],
    ] as const) {
      out.push(`${local}(t, id, name, st, sid, path) if {
  some e in conditional_edges[t][name]
  some tid, x in ${R}.rels[t][id][e.rel][e.key]
  x.c
  ${cond}(x)
  ${lower}(e.type, tid, e.target, st, sid, path)
}
`);
    }
    for (const [type] of model.types) {
      for (const name of names(model, type)) {
        for (const opaque of closures.get(type, name).opaque) {
          for (const maybe of [false, true]) {
            const helpers: string[] = [];
            const expr = (rewrite: Rewrite, possibly: boolean): string => {
              const lower = possibly ? `maybe_${k - 1}` : `check_${k - 1}`;
              const helper = (bodies: string[][]): string => {
                const fn = `h${helperCounter++}_${k}`;
                for (const body of bodies) helpers.push(`${fn}(id, st, sid, path) if {\n${indent(body)}\n}`);
                return `${fn}(id, st, sid, path)`;
              };
              switch (rewrite.kind) {
                case 'computed':
                  return `${lower}(${JSON.stringify(type)}, id, ${JSON.stringify(rewrite.relation)}, st, sid, path)`;
                case 'tupleToUserset': {
                  const bodies = tuplesetTypes(model, type, rewrite.tupleset)
                    .filter((target) => hasName(model, target, rewrite.computed))
                    .map((target) => [
                      `some pid, x in ${R}.rels[${JSON.stringify(type)}][id][${JSON.stringify(rewrite.tupleset)}][${JSON.stringify(target)}]`,
                      possibly ? `cond_maybe(x)` : `cond_ok(x)`,
                      `${lower}(${JSON.stringify(target)}, pid, ${JSON.stringify(rewrite.computed)}, st, sid, path)`,
                    ]);
                  return bodies.length ? helper(bodies) : 'false';
                }
                case 'union':
                  return helper(rewrite.children.map((c) => [expr(c, possibly)]));
                case 'intersection':
                  return helper([rewrite.children.map((c) => expr(c, possibly))]);
                case 'exclusion':
                  return helper([[expr(rewrite.base, possibly), `not ${expr(rewrite.subtract, !possibly)}`]]);
              }
            };
            const call = expr(opaque, maybe);
            out.push(...helpers);
            out.push(`${maybe ? `local_maybe_${k}` : `local_${k}`}(t, id, name, st, sid, path) if {
  t == ${JSON.stringify(type)}
  name == ${JSON.stringify(name)}
  ${call}
}
`);
          }
        }
      }
    }
  }
  return out.join('\n') + '\n';
}

/** Name of the function whose conflicting outputs raise OPA's eval_conflict_error: the depth-limit signal. */
export const DEPTH_LIMIT_FUNCTION = 'depth_limit_exceeded';

/**
 * For a model cut at `levels` (a cycle through intersection/exclusion/conditional edges): at
 * level 0, a node that would need one more level raises an error instead of answering, so a
 * cut path is an error, never a silent deny (or, under an exclusion, a wrong allow).
 * Rego has no `error()`: a function with two conflicting outputs is OPA's way to fail.
 */
function depthLimitClauses(model: Model, closures: ClosureIndex, R: string): string[] {
  const out = [`${DEPTH_LIMIT_FUNCTION}(x) := 1 if x`, `${DEPTH_LIMIT_FUNCTION}(x) := 2 if x`, ''];
  for (const local of ['local_0', 'local_maybe_0']) {
    out.push(`${local}(t, id, name, st, sid, path) if {
  some e in conditional_edges[t][name]
  some _, x in ${R}.rels[t][id][e.rel][e.key]
  x.c
  ${local === 'local_0' ? 'cond_ok' : 'cond_maybe'}(x)
  ${DEPTH_LIMIT_FUNCTION}(true)
}
`);
    for (const type of model.types.keys()) {
      for (const name of names(model, type)) {
        if (closures.get(type, name).opaque.length === 0) continue;
        out.push(`${local}(t, id, name, st, sid, path) if {
  t == ${JSON.stringify(type)}
  name == ${JSON.stringify(name)}
  ${DEPTH_LIMIT_FUNCTION}(true)
}
`);
      }
    }
  }
  return out;
}

type EdgeTerm = { rel: string; key: string; type: string; target: string };

/** Userset/tupleset terms whose relationships may carry a condition: not graph edges. */
function conditionalEdges(model: Model, type: string, closure: Closure): EdgeTerm[] {
  const def = model.types.get(type)!;
  const edges: EdgeTerm[] = [];
  for (const relation of closure.direct) {
    for (const allowed of def.relations.get(relation)!.allowed) {
      if (allowed.relation && allowed.condition && hasName(model, allowed.type, allowed.relation)) {
        edges.push({ rel: relation, key: `${allowed.type}#${allowed.relation}`, type: allowed.type, target: allowed.relation });
      }
    }
  }
  for (const t of closure.ttu) {
    const allowedTypes = def.relations.get(t.tupleset)?.allowed.filter((a) => !a.relation && !a.wildcard && a.condition) ?? [];
    for (const target of new Set(allowedTypes.map((a) => a.type))) {
      if (hasName(model, target, t.computed)) edges.push({ rel: t.tupleset, key: target, type: target, target: t.computed });
    }
  }
  return dedupe(edges);
}

/** Names a rewrite checks at the level below: computed relations and tuple-to-userset targets. */
function rewriteRefs(model: Model, type: string, rewrite: Rewrite): [string, string][] {
  switch (rewrite.kind) {
    case 'computed':
      return [[type, rewrite.relation]];
    case 'tupleToUserset':
      return tuplesetTypes(model, type, rewrite.tupleset)
        .filter((target) => hasName(model, target, rewrite.computed))
        .map((target) => [target, rewrite.computed]);
    case 'union':
    case 'intersection':
      return rewrite.children.flatMap((c) => rewriteRefs(model, type, c));
    case 'exclusion':
      return [...rewriteRefs(model, type, rewrite.base), ...rewriteRefs(model, type, rewrite.subtract)];
  }
}

/**
 * How many unrolled levels the model needs: a check of (type, name) evaluates, at every node
 * the graph may reach, the opaque terms and conditional edges there one level down. Without a
 * cycle through those, a finite height is enough; with one, the configured limit applies.
 */
export function requiredLevels(model: Model): number {
  const closures = new ClosureIndex(model);
  const key = (t: string, n: string) => `${t}#${n}`;
  // Static graph of unconditional edges between (type, name) nodes.
  const staticReach = (type: string, name: string): [string, string][] => {
    const seen = new Set<string>([key(type, name)]);
    const out: [string, string][] = [[type, name]];
    for (let i = 0; i < out.length; i++) {
      const [t, n] = out[i]!;
      const closure = closures.get(t, n);
      const def = model.types.get(t);
      const next: [string, string][] = [];
      for (const relation of closure.direct) {
        for (const allowed of def?.relations.get(relation)?.allowed ?? []) {
          if (allowed.relation && hasName(model, allowed.type, allowed.relation)) next.push([allowed.type, allowed.relation]);
        }
      }
      for (const ttu of closure.ttu) {
        for (const target of tuplesetTypes(model, t, ttu.tupleset)) if (hasName(model, target, ttu.computed)) next.push([target, ttu.computed]);
      }
      for (const [nt, nn] of next) {
        if (!seen.has(key(nt, nn))) {
          seen.add(key(nt, nn));
          out.push([nt, nn]);
        }
      }
    }
    return out;
  };
  const memo = new Map<string, number>();
  const onStack = new Set<string>();
  const level = (type: string, name: string): number => {
    const k = key(type, name);
    const known = memo.get(k);
    if (known !== undefined) return known;
    if (onStack.has(k)) return Infinity;
    onStack.add(k);
    let needed = 0;
    for (const [t, n] of staticReach(type, name)) {
      const closure = closures.get(t, n);
      const below: [string, string][] = [...closure.opaque.flatMap((o) => rewriteRefs(model, t, o)), ...conditionalEdges(model, t, closure).map((e): [string, string] => [e.type, e.target])];
      if (closure.opaque.length || below.length) needed = Math.max(needed, 1);
      for (const [bt, bn] of below) needed = Math.max(needed, 1 + level(bt, bn));
    }
    onStack.delete(k);
    memo.set(k, needed);
    return needed;
  };
  let max = 0;
  for (const type of model.types.keys()) for (const name of names(model, type)) max = Math.max(max, level(type, name));
  return max;
}

function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = JSON.stringify(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
