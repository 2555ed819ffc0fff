// Whether a relationship may be written to, or deleted from, a store under a model. One
// rule for the scenario loader (which rejects the file before any engine runs) and the
// reference engine (which rejects the write at run time), so a file the loader accepts is
// one the oracle accepts too. The rule is OpenFGA's:
// - a write must name a declared type, one of its relations (not a permission), and a
//   subject of a shape the relation allows (`user`, `user:*`, `group#member`), with a
//   condition exactly when that entry has one;
// - a delete matches stored relationships by identity, whatever their condition, so it only
//   needs a declared type, relation and subject type: a relationship the model has stopped
//   allowing (after a policy update) can still be deleted.

import type { Relationship } from '../core/relationship.ts';
import { didYouMean } from '../core/suggest.ts';
import type { AllowedSubject, Model } from './types.ts';

export interface RelationshipProblem {
  /** What is wrong, without the relationship itself (callers prefix it). */
  problem: string;
  fix: string;
}

export type RelationshipChange = 'write' | 'delete';

/** `user`, `user:*`, `group#member`, `user with cond`: as the model's YAML writes it. */
function formatAllowedSubject(allowed: AllowedSubject): string {
  return `${allowed.type}${allowed.wildcard ? ':*' : ''}${allowed.relation ? `#${allowed.relation}` : ''}${allowed.condition ? ` with ${allowed.condition}` : ''}`;
}

/** Why `rel` cannot be written (or deleted) under `model`, or undefined when it can. */
export function relationshipProblem(model: Model, rel: Relationship, change: RelationshipChange = 'write'): RelationshipProblem | undefined {
  const type = model.types.get(rel.resource.type);
  if (!type) return { problem: `unknown type '${rel.resource.type}'`, fix: `${didYouMean(rel.resource.type, model.types.keys())}use one of ${[...model.types.keys()].join(', ')}` };
  const relation = type.relations.get(rel.relation);
  if (!relation) {
    return {
      problem: type.permissions.has(rel.relation)
        ? `'${rel.relation}' is a permission of '${type.name}', which is computed, not written`
        : `'${type.name}' has no relation '${rel.relation}'`,
      fix: `${type.permissions.has(rel.relation) ? '' : didYouMean(rel.relation, type.relations.keys())}use one of its relations: ${[...type.relations.keys()].join(', ') || '(none)'}`,
    };
  }
  if (!model.types.has(rel.subject.type)) return { problem: `unknown subject type '${rel.subject.type}'`, fix: `use one of ${[...model.types.keys()].join(', ')}` };
  const wildcard = rel.subject.id === '*';
  if (wildcard && rel.subject.relation) return { problem: 'a wildcard subject cannot have a relation', fix: `write '${rel.subject.type}:*'` };
  if (change === 'delete') return undefined;

  // The common case, a valid write, allocates nothing (a bulk load checks every relationship).
  const condition = rel.condition?.name;
  let sameShape = false;
  for (const a of relation.allowed) {
    if (a.type !== rel.subject.type || !!a.wildcard !== wildcard || a.relation !== rel.subject.relation) continue;
    if (a.condition === condition) return undefined;
    sameShape = true;
  }
  const allowed = relation.allowed.map(formatAllowedSubject).join(', ');
  if (!sameShape) return { problem: `subject not allowed: ${type.name}#${relation.name} allows only [${allowed}]`, fix: 'write a subject of one of these forms' };
  const allowedText = `${type.name}#${relation.name} allows [${allowed}]`;
  return condition
    ? { problem: `condition '${condition}' is not allowed here`, fix: `${allowedText}; remove the condition or declare it on the relation` }
    : { problem: 'a condition is required', fix: `${allowedText}; add condition: {name: ...}` };
}

/**
 * `relationshipProblem` for many relationships under one model, asked once per shape: the
 * answer depends only on the resource type, relation, subject type, subject relation, wildcard
 * and condition name, and 10^6 generated relationships have a few dozen shapes. A shape is
 * found by comparing those names with the shapes seen first (a relationship's names are fresh
 * strings: comparing a few is cheaper than hashing them), then by Map lookups on them, with no
 * key text built per relationship.
 */
export function relationshipChecker(model: Model, change: RelationshipChange = 'write'): (rel: Relationship) => RelationshipProblem | undefined {
  const first: Shape[] = [];
  // resource type -> relation -> subject type -> the shapes seen with these three (every shape, the first ones too)
  const shapes = new Map<string, Map<string, Map<string, Shape[]>>>();
  // The shape of the previous relationship, asked first: generated and exported stores come in runs of one shape.
  let last: Shape | undefined;
  const find = (rel: Relationship, wildcard: boolean, condition: string | undefined): Shape => {
    for (const shape of first) if (sameShape(shape, rel, wildcard, condition)) return shape;
    if (first.length < SCANNED_SHAPES) {
      const shape = shapeOf(model, rel, change, wildcard, condition);
      first.push(shape);
      seenWith(shapes, rel).push(shape);
      return shape;
    }
    const seen = seenWith(shapes, rel);
    for (const shape of seen) if (sameShape(shape, rel, wildcard, condition)) return shape;
    const shape = shapeOf(model, rel, change, wildcard, condition);
    seen.push(shape);
    return shape;
  };
  return (rel) => {
    const wildcard = rel.subject.id === '*';
    const condition = rel.condition?.name;
    if (last === undefined || !sameShape(last, rel, wildcard, condition)) last = find(rel, wildcard, condition);
    return last.problem;
  };
}

/** Shapes compared one by one before the Maps are asked. */
const SCANNED_SHAPES = 32;

interface Shape {
  resourceType: string;
  relation: string;
  subjectType: string;
  subjectRelation: string | undefined;
  wildcard: boolean;
  condition: string | undefined;
  problem: RelationshipProblem | undefined;
}

function sameShape(shape: Shape, rel: Relationship, wildcard: boolean, condition: string | undefined): boolean {
  // Types first: they differ in length more often than relation names, and unequal lengths compare at once.
  return (
    shape.resourceType === rel.resource.type &&
    shape.subjectType === rel.subject.type &&
    shape.subjectRelation === rel.subject.relation &&
    shape.relation === rel.relation &&
    shape.wildcard === wildcard &&
    shape.condition === condition
  );
}

function shapeOf(model: Model, rel: Relationship, change: RelationshipChange, wildcard: boolean, condition: string | undefined): Shape {
  const { resource, subject } = rel;
  const problem = relationshipProblem(model, rel, change);
  return { resourceType: resource.type, relation: rel.relation, subjectType: subject.type, subjectRelation: subject.relation, wildcard, condition, problem };
}

/** The list of shapes seen with the relationship's resource type, relation and subject type (made when new). */
function seenWith(shapes: Map<string, Map<string, Map<string, Shape[]>>>, rel: Relationship): Shape[] {
  let relations = shapes.get(rel.resource.type);
  if (!relations) {
    relations = new Map();
    shapes.set(rel.resource.type, relations);
  }
  let subjectTypes = relations.get(rel.relation);
  if (!subjectTypes) {
    subjectTypes = new Map();
    relations.set(rel.relation, subjectTypes);
  }
  let seen = subjectTypes.get(rel.subject.type);
  if (!seen) {
    seen = [];
    subjectTypes.set(rel.subject.type, seen);
  }
  return seen;
}
