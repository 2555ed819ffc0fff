// SpiceDB's schema language -> the neutral `model:` block (for `authz-bench import spicedb`).
//
// Read: `definition`s with `relation r: t | t:* | t#r | t with caveat` and `permission p = e`,
// where e uses `+`, `&`, `-`, arrows `r->p` (and `r.any(p)`, the same) and parentheses, with
// SpiceDB's precedence (arrow, then `-`, then `&`, then `+`; left to right); `caveat`s with
// typed parameters and a CEL body; `//` and `/* */` comments. Every compound operand is
// parenthesised in the neutral expression, which allows no mixing without parentheses.
// What has no neutral form is an InputError naming the line: `.all()` arrows, `nil`,
// expiration (`use expiration`, `with expiration`), the `bytes` and `ipaddress` caveat types.
// Prefixed names (`org/user`) become `org_user`; `renamed` says which.

import { InputError } from '../../src/core/errors.ts';

type Raw = Record<string, unknown>;

interface Token {
  kind: 'word' | 'symbol' | 'body' | 'end';
  text: string;
  line: number;
}

const SYMBOLS = ['->', '{', '}', '(', ')', ':', '|', '#', '*', '=', '+', '&', '-', ',', '.', '<', '>', '@'];

/** A lazy lexer: tokens are read on demand, so a caveat's CEL body can be taken as raw text. */
class Scanner {
  private offset = 0;
  private line = 1;
  private lookahead: Token[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private skipSpaceAndComments(): void {
    const text = this.text;
    while (this.offset < text.length) {
      const c = text[this.offset]!;
      if (c === '\n') {
        this.line++;
        this.offset++;
      } else if (/\s/.test(c)) this.offset++;
      else if (text.startsWith('//', this.offset)) {
        const end = text.indexOf('\n', this.offset);
        this.offset = end < 0 ? text.length : end;
      } else if (text.startsWith('/*', this.offset)) {
        const end = text.indexOf('*/', this.offset + 2);
        if (end < 0) throw new InputError(this.file, `line ${this.line}`, 'unterminated /* comment');
        this.line += text.slice(this.offset, end).split('\n').length - 1;
        this.offset = end + 2;
      } else return;
    }
  }

  private read(): Token {
    this.skipSpaceAndComments();
    const line = this.line;
    if (this.offset >= this.text.length) return { kind: 'end', text: 'end of schema', line };
    const rest = this.text.slice(this.offset, this.offset + 200);
    const word = /^[a-zA-Z_][a-zA-Z0-9_/]*/.exec(rest);
    if (word) {
      this.offset += word[0].length;
      return { kind: 'word', text: word[0], line };
    }
    const symbol = SYMBOLS.find((x) => rest.startsWith(x));
    if (!symbol) throw new InputError(this.file, `line ${line}`, `unexpected '${rest[0]}' in the schema`);
    this.offset += symbol.length;
    return { kind: 'symbol', text: symbol, line };
  }

  peek(ahead = 0): Token {
    while (this.lookahead.length <= ahead) this.lookahead.push(this.read());
    return this.lookahead[ahead]!;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead.shift();
    return token;
  }

  is(text: string): boolean {
    return this.peek().text === text && this.peek().kind !== 'end';
  }

  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  expect(text: string, what = `'${text}'`): Token {
    const token = this.next();
    if (token.text !== text || token.kind === 'end') this.fail(token, `expected ${what}, found '${token.text}'`);
    return token;
  }

  word(what: string): Token {
    const token = this.next();
    if (token.kind !== 'word') this.fail(token, `expected ${what}, found '${token.text}'`);
    return token;
  }

  fail(token: Token, message: string, fix?: string): never {
    throw new InputError(this.file, `line ${token.line}`, message, fix);
  }

  /** Right after a `{` (no token looked ahead): the raw text up to its matching `}` (a caveat's CEL body), strings skipped. */
  block(open: Token): string {
    if (this.lookahead.length > 0) this.fail(open, 'internal: a caveat body was read ahead');
    let depth = 1;
    let quote: string | undefined;
    const start = this.offset;
    let i = start;
    for (; i < this.text.length && depth > 0; i++) {
      const c = this.text[i]!;
      if (c === '\n') this.line++;
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    if (depth > 0) this.fail(open, 'unterminated caveat body');
    this.offset = i;
    return this.text.slice(start, i - 1).trim();
  }
}

/** A neutral name for a SpiceDB name (prefixes `org/user` -> `org_user`). */
const neutralName = (name: string) => name.replace(/\//g, '_');

type Expression = { kind: 'name'; text: string } | { kind: 'arrow'; text: string } | { kind: 'op'; op: '|' | '&' | '-'; left: Expression; right: Expression };

function format(e: Expression): string {
  if (e.kind !== 'op') return e.text;
  const operand = (child: Expression) => (child.kind === 'op' && !(child.op === e.op && e.op !== '-' && child === e.left) ? `(${format(child)})` : format(child));
  return `${operand(e.left)} ${e.op} ${operand(e.right)}`;
}

/** Flattens same-operator chains so that `a + b + c` reads `a | b | c`, not `(a | b) | c`. */
function formatFlat(e: Expression): string {
  if (e.kind !== 'op' || e.op === '-') return format(e);
  const operands: Expression[] = [];
  const collect = (x: Expression): void => {
    if (x.kind === 'op' && x.op === e.op) {
      collect(x.left);
      collect(x.right);
    } else operands.push(x);
  };
  collect(e);
  return operands.map((x) => (x.kind === 'op' ? `(${formatFlat(x)})` : x.text)).join(` ${e.op} `);
}

function parsePermission(s: Scanner): Expression {
  const base = (): Expression => {
    if (s.accept('(')) {
      const inner = union();
      s.expect(')');
      return inner;
    }
    const token = s.word('a relation, a permission or (');
    if (token.text === 'nil') s.fail(token, "'nil' has no neutral form", 'leave the permission out, or give it a relation');
    if (s.accept('->')) return { kind: 'arrow', text: `${token.text}->${s.word('a permission after ->').text}` };
    if (s.is('.')) {
      s.next();
      const fn = s.word('any or all');
      s.expect('(');
      const target = s.word('a permission').text;
      s.expect(')');
      if (fn.text === 'all') s.fail(fn, `'${token.text}.all(${target})' (an intersection arrow) has no neutral form`);
      if (fn.text !== 'any') s.fail(fn, `unknown arrow function '${fn.text}'`);
      return { kind: 'arrow', text: `${token.text}->${target}` };
    }
    return { kind: 'name', text: token.text };
  };
  const level = (tighter: () => Expression, symbol: string, op: '|' | '&' | '-') => (): Expression => {
    let left = tighter();
    while (s.accept(symbol)) left = { kind: 'op', op, left, right: tighter() };
    return left;
  };
  const exclusion = level(base, '-', '-');
  const intersection = level(exclusion, '&', '&');
  const union = level(intersection, '+', '|');
  return union();
}

const CAVEAT_TYPES: Record<string, string> = { int: 'int', uint: 'int', double: 'double', bool: 'bool', string: 'string', timestamp: 'timestamp', duration: 'duration', any: 'any' };

function parameterType(s: Scanner): string {
  const token = s.word('a parameter type');
  if (token.text === 'list' || token.text === 'map') {
    s.expect('<');
    const inner = parameterType(s);
    s.expect('>');
    return `${token.text}<${inner}>`;
  }
  const neutral = CAVEAT_TYPES[token.text];
  if (!neutral) s.fail(token, `caveat parameter type '${token.text}' has no neutral form`, 'use string, int, uint, double, bool, timestamp, duration, any, list<T> or map<T>');
  return neutral;
}

export interface ImportedModel {
  /** The neutral `model:` block. */
  model: Raw;
  /** SpiceDB names that were changed (prefixes). */
  renamed: string[];
}

export function parseSchema(text: string, file: string): ImportedModel {
  const s = new Scanner(text, file);
  const types: Raw = {};
  const conditions: Raw = {};
  const renamed = new Set<string>();
  const name = (token: Token) => {
    const out = neutralName(token.text);
    if (out !== token.text) renamed.add(`${token.text} -> ${out}`);
    return out;
  };
  while (s.peek().kind !== 'end') {
    const keyword = s.word("'definition' or 'caveat'");
    if (keyword.text === 'use') s.fail(keyword, `'use ${s.peek().text}' has no neutral form`, 'remove it (expiration has no neutral equivalent)');
    if (keyword.text === 'definition') {
      const type = name(s.word('a definition name'));
      s.expect('{');
      const relations: Raw = {};
      const permissions: Raw = {};
      while (!s.accept('}')) {
        const member = s.word("'relation', 'permission' or '}'");
        if (member.text === 'relation') {
          const relation = s.word('a relation name').text;
          s.expect(':');
          const allowed: string[] = [];
          do {
            let subject = name(s.word('a subject type'));
            if (s.accept(':')) {
              s.expect('*', "'*' (a wildcard)");
              subject += ':*';
            } else if (s.accept('#')) subject += `#${s.word('a relation').text}`;
            if (s.accept('with')) {
              const caveat = s.word('a caveat name');
              if (caveat.text === 'expiration' || s.is('and')) s.fail(caveat, 'relationship expiration has no neutral form', 'model the expiry as a caveat over a timestamp');
              subject += ` with ${name(caveat)}`;
            }
            allowed.push(subject);
          } while (s.accept('|'));
          relations[relation] = allowed;
        } else if (member.text === 'permission') {
          const permission = s.word('a permission name').text;
          s.expect('=');
          permissions[permission] = formatFlat(parsePermission(s));
        } else s.fail(member, `expected 'relation', 'permission' or '}', found '${member.text}'`);
      }
      const body: Raw = {};
      if (Object.keys(relations).length > 0) body.relations = relations;
      if (Object.keys(permissions).length > 0) body.permissions = permissions;
      types[type] = body;
    } else if (keyword.text === 'caveat') {
      const caveat = name(s.word('a caveat name'));
      s.expect('(');
      const parameters: Raw = {};
      if (!s.is(')')) {
        do {
          const parameter = s.word('a parameter name').text;
          parameters[parameter] = parameterType(s);
        } while (s.accept(','));
      }
      s.expect(')');
      const open = s.expect('{');
      conditions[caveat] = { parameters, expression: s.block(open) };
    } else s.fail(keyword, `expected 'definition' or 'caveat', found '${keyword.text}'`);
  }
  const model: Raw = { types };
  if (Object.keys(conditions).length > 0) model.conditions = conditions;
  return { model, renamed: [...renamed] };
}
