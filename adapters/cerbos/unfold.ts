// The unfolding of one check, for models whose recursion a lookup cannot flatten (permission
// usersets, conditional memberships, conditional or userset tuplesets, recursion through several
// relations): the relationships the check can reach, laid out as a tree (a DAG: shared subtrees
// are listed once) in the order the neutral semantics walks them (docs/model.md, Semantics).
//
// It is the policy information point's part of such a check, and it decides nothing: every node
// is a place in the model (a relation, a rewrite node, a relationship to follow, a direct
// relationship, a cycle cut) with the relationship facts found there (subject key, condition name,
// bound parameters). It is the same for every principal and every request context, so it never
// reads either; Cerbos's policy (unfolded-policy.ts) evaluates it: which relationship grants
// the principal, every condition, union, intersection and exclusion, and what a cycle cut means.
//
// A node met again on the current path is cut (the cycle's relations are recorded so that the
// policy can tell a cycle within one relation, which grants nothing, from one through several,
// which is undecided); a subtree without a cut is shared wherever it is met again, as the
// reference engine memoises it.

import type { Model, Rewrite } from '../../src/model/types.ts';

/** One relationship of an object's relation: subject key (`user:anne`, `user:*`, `group:eng#member`), condition name and bound parameters. */
export interface TupleEntry {
  s: string;
  c?: string;
  p?: Record<string, unknown>;
}

/** A node of the unfolding as laid out: `ch` are indexes into the node list (the root is index 0). */
interface LaidNode {
  /** Where in the model: `type#relation`, a rewrite position `type#permission/1/0`, or EDGE, TUPLE, CUT, NOTHING. */
  k: string;
  ch: number[];
  /** A direct relationship's subject key (TUPLE). */
  s?: string;
  /** A relationship's condition name and bound parameters (TUPLE, EDGE). */
  c?: string;
  p?: Record<string, unknown>;
  /** CUT: the `type#name` of every node on the cycle, from the node met again. */
  y?: string[];
}

/** A node of the unfolding as Cerbos gets it: its children inline; `i: 1` marks the subtracted operand of an exclusion. */
export type UnfoldedNode = Omit<LaidNode, 'ch'> & { ch: UnfoldedNode[]; i?: 1 };

/** Node kinds that are not a place in the model. */
export const EDGE = '@edge';
export const TUPLE = '@tuple';
export const CUT = '@cut';
export const NOTHING = '@nothing';

/** The position key of a permission's rewrite root and of its children (`folder#read/0`). */
export function positionKey(type: string, name: string, path: readonly number[] = []): string {
  return [`${type}#${name}`, ...path].join('/');
}

export class UnfoldingLimitError extends Error {}

interface Laid {
  index: number;
  cut: boolean;
}

/** Lays out the unfolding of `type:id#name` over the relationships `entries` returns. */
export function unfold(
  model: Model,
  entries: (object: string, relation: string) => Iterable<TupleEntry>,
  root: { type: string; id: string; name: string },
  limits: { depth: number; nodes: number; levels: number },
): UnfoldedNode {
  const nodes: LaidNode[] = [];
  const exclusions = new Set<LaidNode>();
  const memo = new Map<string, number>();
  const path: string[] = [];
  const pathRelations: string[] = [];

  const emit = (node: LaidNode): number => {
    nodes.push(node);
    return nodes.length - 1;
  };

  const resolve = (type: string, id: string, name: string, depth: number): Laid => {
    const key = `${type}:${id}#${name}`;
    const onPath = path.lastIndexOf(key);
    if (onPath >= 0) return { index: emit({ k: CUT, ch: [], y: pathRelations.slice(onPath) }), cut: true };
    const known = memo.get(key);
    if (known !== undefined) return { index: known, cut: false };
    if (depth > limits.depth) throw new UnfoldingLimitError(`depth limit ${limits.depth} exceeded at ${key}`);
    const def = model.types.get(type);
    const index = emit({ k: NOTHING, ch: [] });
    path.push(key);
    pathRelations.push(`${type}#${name}`);
    let laid: { node: LaidNode; cut: boolean };
    try {
      if (def?.relations.has(name)) laid = direct(type, id, name, depth);
      else {
        const permission = def?.permissions.get(name);
        laid = permission ? rewrite(permission.rewrite, type, id, depth, positionKey(type, name)) : { node: { k: NOTHING, ch: [] }, cut: false };
      }
    } finally {
      path.pop();
      pathRelations.pop();
    }
    nodes[index] = laid.node;
    if (!laid.cut) memo.set(key, index);
    return { index, cut: laid.cut };
  };

  /** Follows a relationship to `relation` on its subject object: through its condition when it has one. */
  const follow = (entry: TupleEntry, relation: string, depth: number): Laid => {
    // A userset key is `type:id#relation`, and an id may hold '#' (`group:a#b#member`): the relation follows the last one.
    const hash = entry.s.lastIndexOf('#');
    const object = hash < 0 ? entry.s : entry.s.slice(0, hash);
    const colon = object.indexOf(':');
    const inner = resolve(object.slice(0, colon), object.slice(colon + 1), relation, depth + 1);
    if (!entry.c) return inner;
    return { index: emit({ k: EDGE, ch: [inner.index], c: entry.c, p: entry.p ?? {} }), cut: inner.cut };
  };

  const direct = (type: string, id: string, name: string, depth: number): { node: LaidNode; cut: boolean } => {
    const ch: number[] = [];
    let cut = false;
    for (const entry of entries(`${type}:${id}`, name)) {
      const hash = entry.s.lastIndexOf('#');
      if (hash < 0) {
        ch.push(emit({ k: TUPLE, ch: [], s: entry.s, ...(entry.c ? { c: entry.c, p: entry.p ?? {} } : {}) }));
        continue;
      }
      const laid = follow(entry, entry.s.slice(hash + 1), depth);
      ch.push(laid.index);
      cut ||= laid.cut;
    }
    return { node: { k: `${type}#${name}`, ch }, cut };
  };

  const rewrite = (rw: Rewrite, type: string, id: string, depth: number, at: string): { node: LaidNode; cut: boolean } => {
    const children = (list: Rewrite[]) => {
      let cut = false;
      const ch = list.map((child, i) => {
        const laid = layRewrite(child, type, id, depth, `${at}/${i}`);
        cut ||= laid.cut;
        return laid.index;
      });
      return { ch, cut };
    };
    switch (rw.kind) {
      case 'computed': {
        // A permission that is just another name: a node of its own, so the path sees it.
        const laid = resolve(type, id, rw.relation, depth + 1);
        return { node: { k: at, ch: [laid.index] }, cut: laid.cut };
      }
      case 'tupleToUserset': {
        const ch: number[] = [];
        let cut = false;
        for (const entry of entries(`${type}:${id}`, rw.tupleset)) {
          // Wildcard and userset subjects of a tupleset are ignored, and so are objects whose type has no such relation.
          if (entry.s.includes('#') || entry.s.endsWith(':*')) continue;
          const target = model.types.get(entry.s.slice(0, entry.s.indexOf(':')));
          if (!target || !(target.relations.has(rw.computed) || target.permissions.has(rw.computed))) continue;
          const laid = follow(entry, rw.computed, depth);
          ch.push(laid.index);
          cut ||= laid.cut;
        }
        return { node: { k: at, ch }, cut };
      }
      case 'union':
      case 'intersection': {
        const { ch, cut } = children(rw.children);
        return { node: { k: at, ch }, cut };
      }
      case 'exclusion': {
        const { ch, cut } = children([rw.base, rw.subtract]);
        const node = { k: at, ch };
        exclusions.add(node);
        return { node, cut };
      }
    }
  };

  /** A rewrite inside a permission: computed names resolve (depth + 1); operators and tuple-to-usersets get a node. */
  const layRewrite = (rw: Rewrite, type: string, id: string, depth: number, at: string): Laid => {
    if (rw.kind === 'computed') return resolve(type, id, rw.relation, depth + 1);
    const index = emit({ k: NOTHING, ch: [] });
    const laid = rewrite(rw, type, id, depth, at);
    nodes[index] = laid.node;
    return { index, cut: laid.cut };
  };

  resolve(root.type, root.id, root.name, 0);
  const what = `the unfolding of ${root.type}:${root.id}#${root.name}`;
  const size = treeSize(nodes);
  if (size > limits.nodes) throw new UnfoldingLimitError(`${what} has ${size} nodes, more than ${limits.nodes}`);
  const tree = inline(nodes, exclusions, operatorPositions(model));
  const levels = treeLevels(tree);
  if (levels > limits.levels) throw new UnfoldingLimitError(`${what} is ${levels} levels deep; the Cerbos policy evaluates ${limits.levels}`);
  return tree;
}

/** Nodes of the tree the DAG stands for (cuts are leaves, so it has no cycle). */
function treeSize(nodes: readonly LaidNode[]): number {
  const memo = new Map<number, number>();
  const of = (index: number): number => {
    let known = memo.get(index);
    if (known === undefined) {
      known = nodes[index]!.ch.reduce((sum, child) => sum + of(child), 1);
      memo.set(index, known);
    }
    return known;
  };
  return of(0);
}

/** Levels of the tree, the root counted. */
function treeLevels(root: UnfoldedNode): number {
  const memo = new Map<UnfoldedNode, number>();
  const of = (node: UnfoldedNode): number => {
    let known = memo.get(node);
    if (known === undefined) {
      known = 1 + Math.max(0, ...node.ch.map(of));
      memo.set(node, known);
    }
    return known;
  };
  return of(root);
}

/**
 * The tree with children inline (a shared subtree is one object, written out wherever it is
 * met). A union's operand that is itself a union without a term of its own (a relation, a
 * tuple-to-userset, a permission that is a union) is replaced by its operands, and an
 * intersection's or followed relationship's operand that is an intersection likewise: the same
 * answer (both operators are associative) in fewer levels of the policy's nested evaluation.
 */
function inline(nodes: readonly LaidNode[], exclusions: ReadonlySet<LaidNode>, operators: { and: string[]; but: string[] }): UnfoldedNode {
  const intersections = new Set(operators.and);
  const conjunctive = new Set([...operators.and, ...operators.but, EDGE, CUT]);
  const memo = new Map<number, UnfoldedNode>();
  const of = (index: number): UnfoldedNode => {
    let known = memo.get(index);
    if (!known) {
      const node = nodes[index]!;
      const ch = node.ch.map(of);
      if (exclusions.has(node)) {
        // The subtracted operand of an exclusion is marked on a copy (the same subtree may be a base elsewhere).
        ch[1] = { ...ch[1]!, i: 1 };
        known = { ...node, ch };
      } else {
        const and = conjunctive.has(node.k);
        const merges = (child: UnfoldedNode) => (and ? intersections.has(child.k) : !conjunctive.has(child.k) && !child.s && !child.c && !child.y);
        known = { ...node, ch: ch.flatMap((child) => (merges(child) ? child.ch : [child])) };
      }
      memo.set(index, known);
    }
    return known;
  };
  return of(0);
}

/** Positions (`type#name/...`) of the model's intersections and exclusions: the policy's table of operators. */
export function operatorPositions(model: Model): { and: string[]; but: string[] } {
  const and: string[] = [];
  const but: string[] = [];
  const visit = (rw: Rewrite, at: string): void => {
    if (rw.kind === 'intersection') and.push(at);
    if (rw.kind === 'exclusion') but.push(at);
    if (rw.kind === 'union' || rw.kind === 'intersection') rw.children.forEach((c, i) => visit(c, `${at}/${i}`));
    if (rw.kind === 'exclusion') [rw.base, rw.subtract].forEach((c, i) => visit(c, `${at}/${i}`));
  };
  for (const type of model.types.values()) for (const permission of type.permissions.values()) visit(permission.rewrite, positionKey(type.name, permission.name));
  return { and, but };
}
