// Shared by the adapters that translate condition CEL into another language (OPA's Rego,
// Oso's Polar): parsing to the cel-js AST, the source text of a node for messages, which
// operators are boolean, and what a literal node holds.

import { parse as parseCel } from '@marcbachmann/cel-js';
import type { ASTNode } from '@marcbachmann/cel-js';

/** A condition (or part of one) the target language cannot express; the message says why. */
export class CelTranslationError extends Error {}

/** The AST of a condition expression; a syntax error becomes a CelTranslationError. */
export function parseCelAst(expression: string): ASTNode {
  try {
    return parseCel(expression).ast as ASTNode;
  } catch (error) {
    throw new CelTranslationError(`cannot parse: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The source text a node was parsed from ('' when unknown), for error messages. */
export function sourceText(node: ASTNode): string {
  return node.input?.slice(node.range?.start ?? 0, node.range?.end ?? undefined) ?? '';
}

const BOOLEAN_OPERATORS = new Set(['&&', '||', '!_', '==', '!=', '<', '<=', '>', '>=', 'in']);

/** Operators whose result is a boolean (logic, comparison, membership). */
export function isBooleanOperator(op: string): boolean {
  return BOOLEAN_OPERATORS.has(op);
}

export type LiteralKind = 'int' | 'double' | 'string' | 'bool' | 'null';

/**
 * A `value` node's literal as code: ints (unsigned ones too) in decimal, strings as JSON,
 * booleans as `true`/`false`; the caller spells null and doubles. Else why it cannot be.
 */
export function literalCode(value: unknown, nullCode: string, doubleCode: (v: number) => string = String): { code: string; kind: LiteralKind } | { error: string } {
  if (typeof value === 'bigint') return { code: value.toString(), kind: 'int' };
  if (typeof value === 'number') return Number.isFinite(value) ? { code: doubleCode(value), kind: 'double' } : { error: 'a non-finite number' };
  if (typeof value === 'string') return { code: JSON.stringify(value), kind: 'string' };
  if (typeof value === 'boolean') return { code: String(value), kind: 'bool' };
  if (value === null) return { code: nullCode, kind: 'null' };
  if (typeof value === 'object' && 'value' in value) return { code: String((value as { value: unknown }).value), kind: 'int' };
  return { error: 'a literal of an unsupported type' };
}
