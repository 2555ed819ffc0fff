// SpiceDB's text form of a relationship, as `zed` and validation files write it:
//   document:readme#reader@user:anne
//   document:readme#reader@group:eng#member
//   document:readme#reader@user:*
//   document:readme#reader@user:tim[not_expired:{"expires_at":"2030-01-01T00:00:00Z"}]
//   document:readme#reader@user:tim[expiration:2030-01-01T00:00:00Z]   (refused: no neutral form)
// Used by native mode (relationships files) and the importer (validation files).

import { InputError } from '../../src/core/errors.ts';

export interface ParsedRelationship {
  resourceType: string;
  resourceId: string;
  relation: string;
  subjectType: string;
  subjectId: string;
  subjectRelation?: string;
  caveat?: { name: string; context?: Record<string, unknown> };
  /** The line as written, for messages. */
  text: string;
}

const RELATIONSHIP = /^([a-z][a-z0-9_/]*):([^#\s]+)#([a-z][a-z0-9_]*)@([a-z][a-z0-9_/]*):([^#\s[]+)(?:#([a-z][a-z0-9_.]*))?(?:\[(.*)\])?$/;
const FIX = 'write resource:id#relation@subject:id, optionally #relation after the subject and [caveat:{"param": value}]';

/** One relationship line; `file` and `at` name the place in errors. */
export function parseRelationship(line: string, file: string, at: string): ParsedRelationship {
  const text = line.trim();
  const m = RELATIONSHIP.exec(text);
  if (!m) throw new InputError(file, at, `'${text}' is not a SpiceDB relationship`, FIX);
  const [, resourceType, resourceId, relation, subjectType, subjectId, subjectRelation, bracket] = m;
  const out: ParsedRelationship = { resourceType: resourceType!, resourceId: resourceId!, relation: relation!, subjectType: subjectType!, subjectId: subjectId!, text };
  // `...` is SpiceDB's explicit "no relation" on a subject.
  if (subjectRelation && subjectRelation !== '...') out.subjectRelation = subjectRelation;
  if (bracket !== undefined) out.caveat = parseCaveat(bracket, text, file, at);
  return out;
}

function parseCaveat(bracket: string, text: string, file: string, at: string): NonNullable<ParsedRelationship['caveat']> {
  const colon = bracket.indexOf(':');
  const name = (colon < 0 ? bracket : bracket.slice(0, colon)).trim();
  if (name === 'expiration') throw new InputError(file, at, `'${text}' has an expiration, which has no neutral form`, 'write the expiry as a caveat over a timestamp parameter');
  if (!/^[a-z][a-z0-9_/]*$/.test(name)) throw new InputError(file, at, `'${text}': '${name}' is not a caveat name`, FIX);
  if (colon < 0) return { name };
  let context: unknown;
  try {
    context = JSON.parse(bracket.slice(colon + 1));
  } catch (error) {
    throw new InputError(file, at, `'${text}': the caveat context is not JSON (${(error as Error).message})`, FIX);
  }
  if (!context || typeof context !== 'object' || Array.isArray(context)) throw new InputError(file, at, `'${text}': the caveat context must be a JSON object`, FIX);
  return { name, context: context as Record<string, unknown> };
}

/** A block of relationships, one per line; blank lines and `//` comments are skipped. */
export function parseRelationshipBlock(block: string, file: string, at: string): ParsedRelationship[] {
  const out: ParsedRelationship[] = [];
  block.split('\n').forEach((line, i) => {
    const text = line.trim();
    if (text === '' || text.startsWith('//')) return;
    out.push(parseRelationship(text, file, `${at} line ${i + 1}`));
  });
  return out;
}
