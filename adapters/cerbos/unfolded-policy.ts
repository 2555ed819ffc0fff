// The Cerbos policy of the unfolded translation (unfold.ts lays out each check's relationships;
// this CEL decides over them). CEL has no recursion, so the evaluation of the tree is one
// expression nested `levels` deep: level k evaluates a node and, inside one `exists` over its
// children, level k + 1. Each level names the node's operator from the model (the `ands` and
// `buts` tables: intersections and exclusions by position; everything else is a union), matches
// direct relationships against the principal (its key or its type's wildcard), evaluates every
// relationship condition, and turns a cycle cut into false (one relation) or undecided (several).
//
// Undecided is a CEL error: CEL's `&&`, `||`, `exists` and `all` are commutative over errors
// (false && error is false, true || error is true, !error and error != x are errors), which is
// the neutral semantics' rule for undecided (docs/model.md, Fail closed), and a rule whose
// condition ends in an error does not apply, so Cerbos denies.

import type { Model } from '../../src/model/types.ts';
import { conditionCel } from './translate.ts';
import { CUT, EDGE, operatorPositions } from './unfold.ts';

const P = 'P.attr';

/**
 * Nesting levels of the evaluation: each costs about three of the 250 recursion levels CEL's
 * parser allows, one copy of every condition (the expression may have 100 000 characters), and
 * compile time (`cerbos compile` takes about 0.03 s per level and type here).
 */
export const MAX_LEVELS = 16;
const MIN_LEVELS = 8;
const MAX_EXPRESSION = 90_000;

/** The variables of every type's policy: the operator tables and `allowed`, the check's answer. */
export function unfoldedVariables(model: Model, levels: number): Record<string, string> {
  const { and, but } = operatorPositions(model);
  return {
    ands: JSON.stringify([...and, ...but, EDGE, CUT]),
    buts: JSON.stringify(but),
    allowed: unfoldedCel(model, levels),
  };
}

/** How many levels fit, given the size of the model's conditions; at most MAX_LEVELS. */
export function unfoldedLevels(model: Model): number {
  const perLevel = level(model, 1, 'x').length;
  return Math.min(MAX_LEVELS, Math.floor(MAX_EXPRESSION / perLevel));
}

/** The answer for the unfolding's root (node 0). */
export function unfoldedCel(model: Model, levels: number): string {
  let inner = `c${levels - 1}.ch[size(c${levels - 1}.ch)].k == ""`; // past the last level: an error (the resolver refuses deeper unfoldings)
  for (let k = levels - 1; k >= 0; k--) inner = level(model, k, inner);
  return inner;
}

/** Level k: the node (the root, or c<k-1>) combined, by its operator, with its children evaluated by `inner` (each bound to c<k>). */
function level(model: Model, k: number, inner: string): string {
  const n = k === 0 ? 'R.attr.u' : `c${k - 1}`;
  const isAnd = `(${n}.k in V.ands)`;
  const subject = `(has(${n}.s) ? ${n}.s == ${P}.key || ${n}.s == ${P}.wild : ${isAnd})`;
  const condition = `(!has(${n}.c) || ${conditions(model, n)})`;
  // A cut: false for a cycle within one relation, else an error (undecided): an index past the end.
  const cycle = `(!has(${n}.y) || (${n}.y.all(r${k}, r${k} == ${n}.y[0]) ? false : ${n}.y[size(${n}.y)] == ""))`;
  // Its own term: a direct relationship's subject match; a relationship's condition; a cut; else neutral (false for or, true for and).
  const own = `(${subject} && ${condition} && ${cycle})`;
  const negated = `(${n}.k in V.buts && has(c${k}.i))`;
  // and: own && all(children); or: own || exists(children); the subtracted child of an exclusion negated.
  return `${isAnd} != ((${isAnd} != ${own}) || ${n}.ch.exists(c${k}, ${inner} != (${negated} != ${isAnd})))`;
}

/** The relationship condition of node `n` (`n.c`, its bound parameters `n.p`); an undefined one is undecided. */
function conditions(model: Model, n: string): string {
  let out = `${n}.y[0] == ""`; // no such key: undecided
  for (const def of [...model.conditions.values()].reverse()) out = `(${n}.c == ${JSON.stringify(def.name)} ? ${conditionCel(def, n)} : ${out})`;
  return out.replaceAll('request.resource.', 'R.');
}

/** Why the unfolded translation cannot take the model, if it cannot. */
export function unfoldedReasons(model: Model): string[] {
  const levels = unfoldedLevels(model);
  if (levels >= MIN_LEVELS) return [];
  return [
    `conditions: the model's conditions are too long for the unfolded evaluation: it nests one copy of them per level within CEL's expression size, leaving ${levels} levels (at least ${MIN_LEVELS} needed)`,
  ];
}
