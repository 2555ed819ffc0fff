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

// The union closure moved to src/model/closure.ts (Cedar uses it too); re-exported for data.ts and tests.
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
 */
export function edgesOf(model: Model, rel: Relationship, closures: ClosureIndex): [string, string][] {
  if (rel.condition || rel.subject.id === '*') return [];
  const edges: [string, string][] = [];
  const type = rel.resource.type;
  for (const name of names(model, type)) {
    const closure = closures.get(type, name);
    if (rel.subject.relation) {
      if (closure.direct.includes(rel.relation) && hasName(model, rel.subject.type, rel.subject.relation)) {
        edges.push([nodeKey(type, rel.resource.id, name), nodeKey(rel.subject.type, rel.subject.id, rel.subject.relation)]);
      }
    } else {
      for (const t of closure.ttu) {
        if (t.tupleset === rel.relation && hasName(model, rel.subject.type, t.computed)) {
          edges.push([nodeKey(type, rel.resource.id, name), nodeKey(rel.subject.type, rel.subject.id, t.computed)]);
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
    case 'double':
      return 'number';
    default:
      return 'unknown';
  }
}

/** Compiles one condition to Rego functions; the entry function is `cond_<index>(p)`. */
class ConditionCompiler {
  private helpers: string[] = [];
  private counter = 0;
  constructor(
    private readonly condition: ConditionDefinition,
    private readonly prefix: string,
  ) {}

  compile(): string[] {
    const body = this.bool(parseCelAst(this.condition.expression));
    return [`${this.prefix}(p) if {\n${indent(body)}\n}`, ...this.helpers];
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

  /** Rego body lines that hold exactly when the CEL boolean expression is true. */
  bool(node: ASTNode): string[] {
    switch (node.op) {
      case '&&':
        return [...this.bool(node.args[0]), ...this.bool(node.args[1])];
      case '||':
        return [this.helper([this.bool(node.args[0]), this.bool(node.args[1])])];
      case '!_':
        // CEL fails on a missing field; `not` in Rego would turn that into true: guard first.
        return [...this.definedGuards(node.args), `not ${this.helper([this.bool(node.args)])}`];
      case '==':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const [a, b] = this.coerce(this.value(node.args[0]), this.value(node.args[1]));
        return [`${a.code} ${node.op} ${b.code}`];
      }
      case 'in': {
        const element = this.value(node.args[0]);
        const container = this.value(node.args[1]);
        if (container.type === 'list') return [`${element.code} in ${container.code}`];
        if (container.type === 'map') return [`_ = ${container.code}[${element.code}]`];
        return [`cel_in(${element.code}, ${container.code})`];
      }
      case 'value':
        if (node.args === true) return ['true'];
        if (node.args === false) return ['false'];
        return this.fail(node, 'a non-boolean literal used as a condition');
      case 'call':
      case 'rcall':
        return this.boolCall(node);
      case 'id':
      case '.':
      case '[]': {
        const value = this.value(node);
        return [`${value.code} == true`];
      }
      default:
        return this.fail(node, `operator '${node.op}' is not translated to Rego`);
    }
  }

  /** `_ = ref` for every field or index access in the expression, so a missing one fails closed. */
  private definedGuards(node: ASTNode): string[] {
    const guards: string[] = [];
    const visit = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n)) {
        n.forEach(visit);
        return;
      }
      const a = n as ASTNode;
      if (a.op === '.' || a.op === '[]' || a.op === 'id') {
        guards.push(`_ = ${this.value(a).code}`);
        return;
      }
      if ('args' in a) visit(a.args);
    };
    visit(node);
    return [...new Set(guards)];
  }

  private boolCall(node: ASTNode & { op: 'call' | 'rcall' }): string[] {
    if (node.op === 'call') {
      const [fn, args] = node.args;
      if (fn === 'has' && args.length === 1) return [`_ = ${this.value(args[0]!).code}`];
      return this.fail(node, `function '${fn}' is not translated to Rego`);
    }
    const [fn, target, args] = node.args;
    const self = this.value(target).code;
    const map: Record<string, string> = { startsWith: 'startswith', endsWith: 'endswith', contains: 'contains' };
    if (map[fn] && args.length === 1) return [`${map[fn]}(${self}, ${this.value(args[0]!).code})`];
    if (fn === 'matches' && args.length === 1) return [`regex.match(${this.value(args[0]!).code}, ${self})`];
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
    const params = [...condition.parameters.keys()].map((name) => `${JSON.stringify(name)}: ${paramLookup(name)}`);
    code.push(`cond_ok(x) if {\n  x.c == ${JSON.stringify(condition.name)}\n  p := {${params.join(', ')}}\n  ${fn}(p)\n}`);
    code.push(...functions);
  }
  return { code, errors };
}

/** Bound parameter first, then the request: `subject`/`resource` properties, `context`, or context[name]. */
function paramLookup(name: string): string {
  const n = JSON.stringify(name);
  if (name === 'subject') return `param_or(x, ${n}, object.get(input.subject, "properties", {}))`;
  if (name === 'resource') return `param_or(x, ${n}, object.get(input.resource, "properties", {}))`;
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
  out.push(
    `allow if check_${levels}(input.resource.type, input.resource.id, input.action.name, input.subject.type, input.subject.id, set())`,
    '',
  );
  // Search (AuthZEN 1.0 §8) as enumerating rules: every candidate the data holds, decided by
  // the same check. Candidates: resources of the type that some relationship names; subjects
  // of the type that some relationship names (`*` where a wildcard is written); every relation
  // and permission of the resource's type.
  const actions = Object.fromEntries([...model.types.keys()].map((type) => [type, names(model, type)]));
  out.push(
    `search_actions_by_type := ${JSON.stringify(actions)}`,
    '',
    'search_resources contains id if {',
    `  some id, _ in ${R}.rels[input.resource.type]`,
    `  check_${levels}(input.resource.type, id, input.action.name, input.subject.type, input.subject.id, set())`,
    '}',
    '',
    'search_subjects contains id if {',
    `  some t, _ in ${R}.rels`,
    `  some o, _ in ${R}.rels[t]`,
    `  some r, _ in ${R}.rels[t][o]`,
    `  some id, _ in ${R}.rels[t][o][r][input.subject.type]`,
    `  check_${levels}(input.resource.type, input.resource.id, input.action.name, input.subject.type, id, set())`,
    '}',
    '',
    'search_actions contains name if {',
    '  some name in search_actions_by_type[input.resource.type]',
    `  check_${levels}(input.resource.type, input.resource.id, name, input.subject.type, input.subject.id, set())`,
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

direct(t, id, r, st, sid) if {
  x := ${R}.rels[t][id][r][st]["*"]
  cond_ok(x)
}

cond_ok(x) if not x.c

param(x, name) := v if {
  v := x.p[name]
} else := v if {
  v := input.context[name]
}

param_or(x, name, fallback) := v if {
  v := x.p[name]
} else := fallback

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
`);

  out.push(...translateConditions(model).code, '');

  // Levels.
  let helperCounter = 0;
  for (let k = 0; k <= levels; k++) {
    out.push(`# ---- level ${k}`);
    // `path`: the nodes on the current chain of level hops; one met again is a cycle: deny
    // (as the reference engine does), so only a long acyclic chain reaches the limit.
    out.push(`check_${k}(t, id, name, st, sid, path) if {
  start := concat("", [t, ":", id, "#", name])
  not path[start]
  some n in reach(start)
  [nt, nid, nname] := node_parts(n)
  local_${k}(nt, nid, nname, st, sid, path | {start, n})
}

local_${k}(t, id, name, st, sid, path) if {
  some r in direct_names[t][name]
  direct(t, id, r, st, sid)
}
`);
    if (k === 0) {
      if (needed > limit) out.push(...depthLimitClauses(model, closures, R));
      continue;
    }
    out.push(`local_${k}(t, id, name, st, sid, path) if {
  some e in conditional_edges[t][name]
  some tid, x in ${R}.rels[t][id][e.rel][e.key]
  x.c
  cond_ok(x)
  check_${k - 1}(e.type, tid, e.target, st, sid, path)
}
`);
    const lower = `check_${k - 1}`;
    for (const [type] of model.types) {
      for (const name of names(model, type)) {
        for (const opaque of closures.get(type, name).opaque) {
          const helpers: string[] = [];
          const expr = (rewrite: Rewrite): string => {
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
                    `cond_ok(x)`,
                    `${lower}(${JSON.stringify(target)}, pid, ${JSON.stringify(rewrite.computed)}, st, sid, path)`,
                  ]);
                return bodies.length ? helper(bodies) : 'false';
              }
              case 'union':
                return helper(rewrite.children.map((c) => [expr(c)]));
              case 'intersection':
                return helper([rewrite.children.map((c) => expr(c))]);
              case 'exclusion':
                return helper([[expr(rewrite.base), `not ${expr(rewrite.subtract)}`]]);
            }
          };
          const call = expr(opaque);
          out.push(...helpers);
          out.push(`local_${k}(t, id, name, st, sid, path) if {
  t == ${JSON.stringify(type)}
  name == ${JSON.stringify(name)}
  ${call}
}
`);
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
  const out = [
    `${DEPTH_LIMIT_FUNCTION}(x) := 1 if x`,
    `${DEPTH_LIMIT_FUNCTION}(x) := 2 if x`,
    '',
    `local_0(t, id, name, st, sid, path) if {
  some e in conditional_edges[t][name]
  some _, x in ${R}.rels[t][id][e.rel][e.key]
  x.c
  cond_ok(x)
  ${DEPTH_LIMIT_FUNCTION}(true)
}
`,
  ];
  for (const type of model.types.keys()) {
    for (const name of names(model, type)) {
      if (closures.get(type, name).opaque.length === 0) continue;
      out.push(`local_0(t, id, name, st, sid, path) if {
  t == ${JSON.stringify(type)}
  name == ${JSON.stringify(name)}
  ${DEPTH_LIMIT_FUNCTION}(true)
}
`);
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
      const below: [string, string][] = [
        ...closure.opaque.flatMap((o) => rewriteRefs(model, t, o)),
        ...conditionalEdges(model, t, closure).map((e): [string, string] => [e.type, e.target]),
      ];
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
