// Parser for permission expressions (grammar in docs/model.md):
//   expr := term ( ("|" term)+ | ("&" term)+ | "-" term )?
//   term := "(" expr ")" | name "->" name | name
// Mixing operators needs parentheses, so every expression reads one way only.

import type { Rewrite } from './types.ts';

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

type Token = { kind: 'name'; text: string; column: number } | { kind: 'op'; text: string; column: number };

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      i++;
      continue;
    }
    if (source.startsWith('->', i)) {
      tokens.push({ kind: 'op', text: '->', column: i + 1 });
      i += 2;
      continue;
    }
    if ('|&-()'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch, column: i + 1 });
      i++;
      continue;
    }
    NAME.lastIndex = i;
    const match = NAME.exec(source);
    if (!match) throw new ExpressionError(`unexpected character '${ch}'`, i + 1);
    tokens.push({ kind: 'name', text: match[0], column: i + 1 });
    i += match[0].length;
  }
  return tokens;
}

export function parseRewrite(source: string): Rewrite {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (message: string): never => {
    throw new ExpressionError(message, peek()?.column ?? source.length + 1);
  };
  const expectName = (): string => {
    const token = peek();
    if (token?.kind !== 'name') return fail(`expected a relation name, found ${token ? `'${token.text}'` : 'the end'}`);
    pos++;
    return token.text;
  };

  const term = (): Rewrite => {
    const token = peek();
    if (token?.kind === 'op' && token.text === '(') {
      pos++;
      const inner = expr();
      if (peek()?.text !== ')') fail("expected ')'");
      pos++;
      return inner;
    }
    const name = expectName();
    if (peek()?.text === '->') {
      pos++;
      return { kind: 'tupleToUserset', tupleset: name, computed: expectName() };
    }
    return { kind: 'computed', relation: name };
  };

  const expr = (): Rewrite => {
    const first = term();
    const op = peek();
    if (op?.kind !== 'op' || !['|', '&', '-'].includes(op.text)) return first;
    if (op.text === '-') {
      pos++;
      const subtract = term();
      if (['|', '&', '-'].includes(peek()?.text ?? '')) fail("use parentheses to combine '-' with another operator");
      return { kind: 'exclusion', base: first, subtract };
    }
    const children = [first];
    while (peek()?.text === op.text) {
      pos++;
      children.push(term());
    }
    const next = peek();
    if (next?.kind === 'op' && ['|', '&', '-'].includes(next.text)) {
      fail(`use parentheses to combine '${op.text}' with '${next.text}'`);
    }
    return { kind: op.text === '|' ? 'union' : 'intersection', children };
  };

  if (tokens.length === 0) throw new ExpressionError('the expression is empty', 1);
  const rewrite = expr();
  if (pos < tokens.length) fail(`unexpected '${peek()!.text}'`);
  return rewrite;
}

export function formatRewrite(rewrite: Rewrite): string {
  switch (rewrite.kind) {
    case 'computed':
      return rewrite.relation;
    case 'tupleToUserset':
      return `${rewrite.tupleset}->${rewrite.computed}`;
    case 'union':
    case 'intersection': {
      const op = rewrite.kind === 'union' ? ' | ' : ' & ';
      return rewrite.children.map((c) => (isCompound(c) ? `(${formatRewrite(c)})` : formatRewrite(c))).join(op);
    }
    case 'exclusion': {
      const side = (r: Rewrite) => (isCompound(r) ? `(${formatRewrite(r)})` : formatRewrite(r));
      return `${side(rewrite.base)} - ${side(rewrite.subtract)}`;
    }
  }
}

function isCompound(rewrite: Rewrite): boolean {
  return rewrite.kind === 'union' || rewrite.kind === 'intersection' || rewrite.kind === 'exclusion';
}
