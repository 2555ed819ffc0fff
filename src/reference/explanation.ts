// A reference decision's explanation (its grant chain, its reason text), rebuilt from the
// numbers taken when it was decided. Both the decision (CheckOutcome, evaluate.ts) and the
// decision log (decision-log.ts) keep only these numbers: building a chain of ten relationships
// and its text took as long as deciding, and a benchmark reads neither.

import { type BoundCondition, formatRelationship, formatSubject, type Relationship } from '../core/relationship.ts';
import type { CheckRequest } from '../core/request.ts';
import type { RelationshipStore } from './store.ts';

/** A decision's answer, as the evaluator's State numbers it (0 is a deny). */
export const ANSWER_ALLOW = 1;
export const ANSWER_UNKNOWN = 2;

/** A node and a name id (or a subject relation + 1) in one exact double: nodes are below 2^31 and names far below NAMES. */
const NAMES = 2 ** 21;
export const packLink = (node: number, name: number): number => node * NAMES + name;
const linkNode = (packed: number) => Math.floor(packed / NAMES);
const linkName = (packed: number, node: number) => packed - node * NAMES;

/** What explains a decision, as numbers (and the rare texts and conditions). */
export interface DecisionParts {
  /** 0 (deny), ANSWER_ALLOW or ANSWER_UNKNOWN. */
  state: number;
  /** The store's epoch when decided: node numbers mean the same objects while it holds. */
  epoch: number;
  /** For deny/unknown: why (missing parameters, condition errors, exclusions). */
  notes: readonly string[] | undefined;
  /** Per link of the grant chain (resource first), two numbers: packLink(resource node, relation), packLink(subject node, subject relation + 1). */
  links: ArrayLike<number> | undefined;
  /** Per link, its condition (only when the store has conditions). */
  conditions: readonly (BoundCondition | undefined)[] | undefined;
}

/** For an allow: the relationships that granted it, from the resource down to the subject (none once the store was reset). */
export function grantChain(store: RelationshipStore, parts: DecisionParts): Relationship[] {
  const chain: Relationship[] = [];
  const links = parts.links;
  if (!links || parts.epoch !== store.epoch) return chain;
  for (let i = 0; i < links.length; i += 2) {
    const resource = linkNode(links[i]!);
    const subject = linkNode(links[i + 1]!);
    const subjectRelation = linkName(links[i + 1]!, subject) - 1;
    chain.push(store.relationshipOf(resource, linkName(links[i]!, resource), subject, subjectRelation, parts.conditions?.[i / 2]));
  }
  return chain;
}

/** The grant chain as text, or why the request was denied. `chain`: grantChain's, when already built. */
export function explainDecision(store: RelationshipStore, request: CheckRequest, parts: DecisionParts, chain?: Relationship[]): string {
  const target = `${request.resource.type}:${request.resource.id}#${request.action.name}`;
  if (parts.state === ANSWER_ALLOW) {
    if (parts.epoch !== store.epoch) return `${target} granted (the grant chain is gone: the engine was reset after this check)`;
    return `${target} granted by ${(chain ?? grantChain(store, parts)).map(formatRelationship).join(' -> ')}`;
  }
  const who = formatSubject(request.subject);
  const notes = parts.notes ? [...new Set(parts.notes)] : [];
  if (parts.state === ANSWER_UNKNOWN) return `${target} undecided for ${who}, failing closed: ${notes.join('; ')}`;
  // A deny with notes was not for want of a relationship: one was excluded, or its condition is false.
  if (notes.length) return `${who} is denied ${target}: ${notes.join('; ')}`;
  return `no relationship grants ${who} ${target}`;
}
