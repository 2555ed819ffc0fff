// CEL (the subset conditions use) -> a Cedar expression. Cedar decides the condition: a
// relationship's bound parameters become literals in its grant policy, the others are read
// from `context` (guarded by `context has`, so a missing one makes the grant not apply: fail
// closed). Timestamps are Cedar `datetime`, durations `duration` (both extensions of Cedar
// 4), lists are sets. What has no Cedar form throws CelTranslationError with the reason.

import type { ASTNode } from '@marcbachmann/cel-js';
import { CelTranslationError, literalCode, parseCelAst, sourceText } from '../../src/model/cel-ast.ts';
import { parseDuration, parseTimestamp } from '../../src/model/conditions.ts';
import { formatParameterType, type ConditionDefinition, type ParameterType } from '../../src/model/types.ts';

export { CelTranslationError };

export type CedarType = 'String' | 'Long' | 'Bool' | 'datetime' | 'duration' | 'Set<String>' | 'Set<Long>' | 'Set<Bool>';

interface Term {
  code: string;
  type: CedarType | 'unknown';
}

/** Where a parameter's value comes from in one grant policy: a literal (bound) or `context`. */
type ParameterSource = (name: string) => { literal: string } | 'context';

export interface TranslatedCondition {
  definition: ConditionDefinition;
  /** Declared parameters the expression reads, with their Cedar types. */
  used: Map<string, CedarType>;
  /** The Cedar expression for one grant: bound parameters inlined, the rest from context. */
  render(source: ParameterSource): string;
}

/** The Cedar type of a declared parameter type; throws when Cedar has no exact counterpart. */
function cedarType(type: ParameterType): CedarType {
  switch (type.kind) {
    case 'string':
      return 'String';
    case 'int':
      return 'Long';
    case 'bool':
      return 'Bool';
    case 'timestamp':
      return 'datetime';
    case 'duration':
      return 'duration';
    case 'list':
      if (type.element.kind === 'string') return 'Set<String>';
      if (type.element.kind === 'int') return 'Set<Long>';
      if (type.element.kind === 'bool') return 'Set<Bool>';
      break;
    default:
      break;
  }
  throw new CelTranslationError(`a ${formatParameterType(type)} parameter has no exact Cedar type (Cedar has no floating point, and records need a declared shape)`);
}

/** A Cedar string literal (Cedar escapes differ from JSON's `\uXXXX`). */
export function cedarString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A `datetime("...")` argument: ISO 8601 in UTC with milliseconds (Cedar takes no `+hh:mm`). */
function cedarDatetimeText(value: unknown): string {
  return parseTimestamp(value).toISOString();
}

/** A `duration("...")` argument in milliseconds (Cedar takes no fractional units like `1.5h`). */
export function cedarDurationText(value: unknown): string {
  const duration = parseDuration(value) as { seconds: bigint; nanos: number };
  const ms = BigInt(duration.seconds) * 1000n + BigInt(Math.trunc(Number(duration.nanos) / 1_000_000));
  return `${ms}ms`;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A parameter value as a Cedar literal of its declared type; throws with the reason when invalid. */
export function cedarLiteral(value: unknown, type: CedarType): string {
  switch (type) {
    case 'String':
      if (typeof value === 'string') return cedarString(value);
      break;
    case 'Bool':
      if (typeof value === 'boolean') return String(value);
      break;
    case 'Long': {
      const n = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
      if (n !== undefined && n >= LONG_MIN && n <= LONG_MAX) return n.toString();
      break;
    }
    case 'datetime':
      return `datetime(${cedarString(cedarDatetimeText(value))})`;
    case 'duration':
      return `duration(${cedarString(cedarDurationText(value))})`;
    default: {
      if (!Array.isArray(value)) break;
      const element = type.slice(4, -1) as CedarType;
      return `[${value.map((v) => cedarLiteral(v, element)).join(', ')}]`;
    }
  }
  throw new Error(`expected a ${type}, got ${JSON.stringify(value)}`);
}

/** A request value as Cedar context JSON of its declared type; throws with the reason when invalid. */
export function cedarContextValue(value: unknown, type: CedarType): unknown {
  switch (type) {
    case 'datetime':
      return { __extn: { fn: 'datetime', arg: cedarDatetimeText(value) } };
    case 'duration':
      return { __extn: { fn: 'duration', arg: cedarDurationText(value) } };
    case 'Long':
      cedarLiteral(value, type);
      return typeof value === 'bigint' ? Number(value) : value;
    case 'String':
    case 'Bool':
      cedarLiteral(value, type);
      return value;
    default:
      cedarLiteral(value, type);
      return value;
  }
}

/** Compiles a condition once; `render` then writes it for each grant. */
export function translateCondition(condition: ConditionDefinition): TranslatedCondition {
  const used = new Map<string, CedarType>();
  // Type-check and collect parameters once with every parameter read from context.
  const ast = parseCelAst(condition.expression);
  const writer = (source: ParameterSource) => new Writer(condition, used, source);
  writer(() => 'context').bool(ast);
  return {
    definition: condition,
    used,
    render(source) {
      const body = writer(source).bool(ast);
      const guards = [...used.keys()].filter((name) => source(name) === 'context').map((name) => `context has ${cedarString(name)}`);
      return guards.length ? `(${[...guards, body].join(' && ')})` : body;
    },
  };
}

class Writer {
  constructor(
    private readonly condition: ConditionDefinition,
    private readonly used: Map<string, CedarType>,
    private readonly source: ParameterSource,
  ) {}

  private fail(node: ASTNode, what: string): never {
    const text = sourceText(node);
    throw new CelTranslationError(`${what}${text ? ` (at '${text}')` : ''}`);
  }

  bool(node: ASTNode): string {
    switch (node.op) {
      case '&&':
        return `(${this.bool(node.args[0])} && ${this.bool(node.args[1])})`;
      case '||':
        return `(${this.bool(node.args[0])} || ${this.bool(node.args[1])})`;
      case '!_':
        return `!(${this.bool(node.args)})`;
      case '?:':
        return `(if ${this.bool(node.args[0])} then ${this.bool(node.args[1])} else ${this.bool(node.args[2])})`;
      case 'value':
        if (typeof node.args === 'boolean') return String(node.args);
        return this.fail(node, 'a non-boolean literal used as a condition');
      case 'id': {
        const term = this.value(node);
        if (term.type !== 'Bool') return this.fail(node, `a ${term.type} used as a condition`);
        return term.code;
      }
      case '==':
      case '!=':
        return `(${this.value(node.args[0]).code} ${node.op} ${this.value(node.args[1]).code})`;
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const a = this.value(node.args[0]);
        const b = this.value(node.args[1]);
        const ordered = ['Long', 'datetime', 'duration'];
        if (a.type !== b.type || !ordered.includes(a.type)) return this.fail(node, `'${node.op}' on ${a.type} and ${b.type} (Cedar orders only Long, datetime and duration)`);
        return `(${a.code} ${node.op} ${b.code})`;
      }
      case 'in': {
        const element = this.value(node.args[0]);
        const container = this.value(node.args[1]);
        if (!container.type.startsWith('Set<')) return this.fail(node, `'in' on a ${container.type} (only lists translate, to Cedar sets)`);
        return `${container.code}.contains(${element.code})`;
      }
      case 'rcall': {
        const [fn, target, args] = node.args;
        const arg = args[0];
        if (['startsWith', 'endsWith', 'contains'].includes(fn) && args.length === 1 && arg?.op === 'value' && typeof arg.args === 'string') {
          const subject = this.value(target);
          if (subject.type !== 'String') return this.fail(node, `'${fn}' on a ${subject.type}`);
          // Cedar's `like` pattern: `*` is the wildcard, a literal star is `\*`.
          const literal = cedarString(arg.args).slice(1, -1).replace(/\*/g, '\\*');
          const pattern = fn === 'startsWith' ? `${literal}*` : fn === 'endsWith' ? `*${literal}` : `*${literal}*`;
          return `(${subject.code} like "${pattern}")`;
        }
        return this.fail(node, `method '${fn}' has no Cedar translation (only startsWith/endsWith/contains with a literal string)`);
      }
      default:
        return this.fail(node, `operator '${node.op}' has no Cedar translation as a condition`);
    }
  }

  value(node: ASTNode): Term {
    switch (node.op) {
      case 'value': {
        const literal = literalCode(node.args, 'null');
        if ('error' in literal) return this.fail(node, literal.error);
        if (literal.kind === 'int') return { code: literal.code, type: 'Long' };
        if (literal.kind === 'string') return { code: cedarString(node.args as string), type: 'String' };
        if (literal.kind === 'bool') return { code: literal.code, type: 'Bool' };
        return this.fail(node, literal.kind === 'double' ? 'a floating-point literal (Cedar has none)' : 'null (Cedar has none)');
      }
      case 'id': {
        const declared = this.condition.parameters.get(node.args);
        if (!declared) return this.fail(node, `'${node.args}' is not a declared parameter`);
        let type: CedarType;
        try {
          type = cedarType(declared);
        } catch (error) {
          return this.fail(node, `parameter '${node.args}': ${(error as Error).message}`);
        }
        this.used.set(node.args, type);
        const source = this.source(node.args);
        return { code: source === 'context' ? `context[${cedarString(node.args)}]` : source.literal, type };
      }
      case 'list': {
        const items = (node.args as ASTNode[]).map((a) => this.value(a));
        const type = items[0]?.type;
        if (!type || items.some((i) => i.type !== type) || !['String', 'Long', 'Bool'].includes(type)) {
          return this.fail(node, 'a list literal that is empty or not all strings, ints or bools');
        }
        return { code: `[${items.map((i) => i.code).join(', ')}]`, type: `Set<${type}>` as CedarType };
      }
      case '+':
      case '-':
      case '*': {
        const a = this.value(node.args[0]);
        const b = this.value(node.args[1]);
        if (a.type === 'Long' && b.type === 'Long') return { code: `(${a.code} ${node.op} ${b.code})`, type: 'Long' };
        if (node.op === '+' && a.type === 'datetime' && b.type === 'duration') return { code: `${a.code}.offset(${b.code})`, type: 'datetime' };
        if (node.op === '-' && a.type === 'datetime' && b.type === 'datetime') return { code: `${a.code}.durationSince(${b.code})`, type: 'duration' };
        return this.fail(node, `'${node.op}' on ${a.type} and ${b.type} has no Cedar translation`);
      }
      case '-_': {
        const a = this.value(node.args);
        if (a.type !== 'Long') return this.fail(node, `negation of a ${a.type}`);
        return { code: `(-${a.code})`, type: 'Long' };
      }
      case 'call': {
        const [fn, args] = node.args;
        const arg = args[0];
        if ((fn === 'timestamp' || fn === 'duration') && args.length === 1 && arg?.op === 'value' && typeof arg.args === 'string') {
          try {
            return fn === 'timestamp'
              ? { code: `datetime(${cedarString(cedarDatetimeText(arg.args))})`, type: 'datetime' }
              : { code: `duration(${cedarString(cedarDurationText(arg.args))})`, type: 'duration' };
          } catch (error) {
            return this.fail(node, (error as Error).message);
          }
        }
        return this.fail(node, `function '${fn}' has no Cedar translation (only timestamp() and duration() of a literal)`);
      }
      default:
        return this.fail(node, `operator '${node.op}' has no Cedar translation as a value`);
    }
  }
}
