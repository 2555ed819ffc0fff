// CEL (the subset the neutral model's conditions use) -> a Polar expression over `p`, the
// dictionary of the condition's parameters. Oso itself evaluates the translated expression;
// the host only converts typed values before Polar sees them:
//   - timestamp parameters and `timestamp("...")` literals become epoch milliseconds (numbers),
//   - duration parameters and `duration("...")` literals become milliseconds,
// so comparisons and arithmetic on time are plain Polar number operations. Where CEL needs a
// function Polar lacks (map key membership, `has()`, `size()`, parsing a timestamp held in an
// untyped map), the policy calls a small registered host class `Cel` (see facts.ts), as an
// Oso application would call a host library. Anything else is reported untranslatable.

import type { ASTNode } from '@marcbachmann/cel-js';
import { CelTranslationError, isBooleanOperator, literalCode, parseCelAst, sourceText } from '../../src/model/cel-ast.ts';
import { parseDuration, parseTimestamp } from '../../src/model/conditions.ts';
import type { ConditionDefinition, ParameterType } from '../../src/model/types.ts';

export { CelTranslationError };

type ValueType = 'timestamp' | 'duration' | 'int' | 'double' | 'string' | 'bool' | 'ipaddress' | 'list' | 'map' | 'null' | 'unknown';

interface Term {
  code: string;
  type: ValueType;
}

export interface TranslatedCondition {
  /** A Polar expression, true exactly when the condition holds, over the dictionary `p`. */
  body: string;
  /** Parameters the expression reads: only these must be present (else: fail closed). */
  used: string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Polar keywords that cannot be used as a bare field name after `.`. */
const POLAR_KEYWORDS = new Set(['and', 'or', 'not', 'if', 'in', 'matches', 'new', 'cut', 'debug', 'print', 'forall', 'nil', 'true', 'false', 'mod', 'rem', 'isa']);

const NEGATED: Record<string, string> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

function typeOf(type: ParameterType | undefined): ValueType {
  if (!type) return 'unknown';
  if (type.kind === 'uint') return 'int';
  return type.kind === 'any' ? 'unknown' : type.kind;
}

/** A CEL duration such as `1h30m`, `90s`, `1.5h`, `250ms` in milliseconds (src/model/conditions.ts parses it). */
export function parseDurationMs(text: string): number {
  return Number(parseDuration(text));
}

/** An RFC 3339 timestamp in epoch milliseconds (sub-millisecond digits are dropped). */
export function parseTimestampMs(text: string): number {
  return parseTimestamp(text).getTime();
}

class Translator {
  readonly used = new Set<string>();
  constructor(private readonly condition: ConditionDefinition) {}

  fail(node: ASTNode, what: string): never {
    const text = sourceText(node);
    throw new CelTranslationError(`${what}${text ? ` (at '${text}')` : ''}`);
  }

  /**
   * A Polar goal that holds exactly when the CEL expression is `positive` (true or false), and
   * neither when it cannot be decided (a missing field fails the lookup). Each side is
   * translated on its own (`!a` true is `a` false), never with Polar's `not`, which would turn a
   * missing field into true.
   */
  logic(node: ASTNode, positive: boolean): string {
    switch (node.op) {
      case '&&':
      case '||': {
        // CEL's && and || absorb an error on one side when the other decides: false && error is false.
        const all = (node.op === '&&') === positive;
        return `(${this.logic(node.args[0], positive)} ${all ? 'and' : 'or'} ${this.logic(node.args[1], positive)})`;
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
        // CEL's equality of values of two kinds is false (`true == 1`, `"abc" == 1`); Polar's is true or an error.
        if ((node.op === '==' || node.op === '!=') && (a.type === 'unknown' || b.type === 'unknown')) {
          return `Cel.equal(${a.code}, ${b.code}) = ${(node.op === '==') === positive}`;
        }
        const op = positive ? node.op : NEGATED[node.op]!;
        // Polar raises an error when it orders values of two kinds; in CEL the comparison is undecided.
        const guard = node.op === '==' || node.op === '!=' || (a.type !== 'unknown' && b.type !== 'unknown') ? '' : `Cel.comparable(${a.code}, ${b.code}) = true and `;
        return `(${guard}${a.code} ${op} ${b.code})`;
      }
      case 'in': {
        const element = this.value(node.args[0]);
        const container = this.value(node.args[1]);
        return `Cel.contains(${container.code}, ${element.code}) = ${positive}`;
      }
      case 'value':
        if (typeof node.args === 'boolean') return String(node.args === positive);
        return this.fail(node, 'a non-boolean literal used as a condition');
      case 'call': {
        const [fn, args] = node.args;
        if (fn === 'has' && args.length === 1 && args[0]!.op === '.') {
          const [target, field] = args[0]!.args as [ASTNode, string];
          return `Cel.has(${this.value(target).code}, ${JSON.stringify(field)}) = ${positive}`;
        }
        return this.fail(node, `function '${fn}' has no Polar translation`);
      }
      case 'rcall': {
        const [fn, target, args] = node.args;
        if (fn === 'in_cidr' && args.length === 1) return `Cel.inCidr(${this.value(target).code}, ${this.value(args[0]!).code}) = ${positive}`;
        if (['startsWith', 'endsWith', 'contains'].includes(fn) && args.length === 1) {
          // Polar hands method calls on strings to the host (JavaScript String methods).
          const method = fn === 'contains' ? 'includes' : fn;
          return `${this.value(target).code}.${method}(${this.value(args[0]!).code}) = ${positive}`;
        }
        return this.fail(node, `method '${fn}' has no Polar translation`);
      }
      case 'id':
      case '.':
      case '[]':
        return `(${this.value(node).code} = ${positive})`;
      case '?:': {
        const [c, t, f] = node.args;
        return `((${this.logic(c, true)} and ${this.logic(t, positive)}) or (${this.logic(c, false)} and ${this.logic(f, positive)}))`;
      }
      default:
        return this.fail(node, `operator '${node.op}' has no Polar translation`);
    }
  }

  /** Makes both sides of a comparison the same kind when one side is a time value. */
  private coerce(a: Term, b: Term): [Term, Term] {
    // `t != null`: a time value against null is compared as it is (never equal).
    if (a.type === 'null' || b.type === 'null') return [a, b];
    for (const kind of ['timestamp', 'duration'] as const) {
      const wrap = (t: Term): Term => {
        if (t.type === kind) return t;
        if (t.type === 'unknown' || t.type === 'string') return { code: `Cel.${kind}(${t.code})`, type: kind };
        throw new CelTranslationError(`comparison of a ${kind} with a ${t.type}`);
      };
      if (a.type === kind) return [a, wrap(b)];
      if (b.type === kind) return [wrap(a), b];
    }
    return [a, b];
  }

  value(node: ASTNode): Term {
    switch (node.op) {
      case 'value': {
        const literal = literalCode(node.args, 'nil', (v) => (Number.isInteger(v) ? `${v}.0` : String(v)));
        if ('error' in literal) return this.fail(node, literal.error);
        return { code: literal.code, type: literal.kind };
      }
      case 'id': {
        const declared = this.condition.parameters.get(node.args);
        if (!declared) return this.fail(node, `'${node.args}' is not a declared parameter`);
        this.used.add(node.args);
        return { code: this.field('p', node.args), type: typeOf(declared) };
      }
      case '.':
        return { code: this.field(this.value(node.args[0]).code, node.args[1]), type: 'unknown' };
      case '[]': {
        const key = node.args[1];
        const target = this.value(node.args[0]).code;
        if (key.op === 'value' && typeof key.args === 'string') return { code: this.field(target, key.args), type: 'unknown' };
        return { code: `Cel.index(${target}, ${this.value(key).code})`, type: 'unknown' };
      }
      case 'list':
        return { code: `[${node.args.map((a) => this.value(a).code).join(', ')}]`, type: 'list' };
      case '+':
      case '-':
      case '*':
      case '%': {
        const a = this.value(node.args[0]);
        const b = this.value(node.args[1]);
        const time = (t: Term) => t.type === 'timestamp' || t.type === 'duration';
        const numeric = (t: Term) => ['int', 'double', 'unknown'].includes(t.type);
        if (!time(a) && !time(b) && !(numeric(a) && numeric(b))) {
          // Polar has no string or list concatenation.
          return this.fail(node, `'${node.op}' on non-numeric operands (${a.type}, ${b.type})`);
        }
        if (node.op === '%') return { code: `(${a.code} rem ${b.code})`, type: a.type };
        const type: ValueType =
          a.type === 'timestamp' && b.type === 'timestamp' ? 'duration' : a.type === 'timestamp' || b.type === 'timestamp' ? 'timestamp' : a.type === 'unknown' ? b.type : a.type;
        const [x, y] = time(a) && !time(b) ? [a, this.coerceTo(b, 'duration')] : time(b) && !time(a) ? [this.coerceTo(a, 'duration'), b] : [a, b];
        return { code: `(${x.code} ${node.op} ${y.code})`, type };
      }
      case '/': {
        const a = this.value(node.args[0]);
        const b = this.value(node.args[1]);
        if (a.type === 'double' && b.type === 'double') return { code: `(${a.code} / ${b.code})`, type: 'double' };
        return this.fail(node, "'/' other than on doubles (Polar's '/' does not truncate like CEL integer division)");
      }
      case '-_': {
        const a = this.value(node.args);
        return { code: `(0 - ${a.code})`, type: a.type };
      }
      case 'call': {
        const [fn, args] = node.args;
        const arg = args[0];
        if ((fn === 'timestamp' || fn === 'duration') && args.length === 1 && arg) {
          if (arg.op === 'value' && typeof arg.args === 'string') {
            try {
              const ms = fn === 'timestamp' ? parseTimestampMs(arg.args) : parseDurationMs(arg.args);
              return { code: String(ms), type: fn };
            } catch (error) {
              return this.fail(node, (error as Error).message);
            }
          }
          return this.coerceTo(this.value(arg), fn);
        }
        if (fn === 'size' && args.length === 1 && arg) return { code: `Cel.size(${this.value(arg).code})`, type: 'int' };
        return this.fail(node, `function '${fn}' has no Polar translation`);
      }
      case 'rcall': {
        const [fn, target, args] = node.args;
        if (fn === 'size' && args.length === 0) return { code: `Cel.size(${this.value(target).code})`, type: 'int' };
        return this.fail(node, `method '${fn}' has no Polar translation`);
      }
      default:
        // A boolean used as a value (e.g. `(a < b) == true`): Polar has no boolean-valued expressions.
        if (isBooleanOperator(node.op)) return this.fail(node, 'a boolean sub-expression used as a value');
        return this.fail(node, `operator '${node.op}' has no Polar translation`);
    }
  }

  private coerceTo(term: Term, kind: 'timestamp' | 'duration'): Term {
    if (term.type === kind) return term;
    if (term.type === 'unknown' || term.type === 'string') return { code: `Cel.${kind}(${term.code})`, type: kind };
    throw new CelTranslationError(`a ${term.type} used as a ${kind}`);
  }

  private field(target: string, name: string): string {
    if (IDENT.test(name) && !POLAR_KEYWORDS.has(name)) return `${target}.${name}`;
    return `Cel.index(${target}, ${JSON.stringify(name)})`;
  }
}

/** Translates one condition; throws CelTranslationError with the reason when it cannot. */
export function translateCondition(condition: ConditionDefinition): TranslatedCondition {
  const translator = new Translator(condition);
  const body = translator.logic(parseCelAst(condition.expression), true);
  return { body, used: [...translator.used] };
}
