// `authz-bench import spicedb FILE.yaml`: a `zed validate` file (the playground's format:
// schema or schemaFile, relationships, assertions, validation) as a neutral scenario.
//
// - `schema` -> the neutral model (schema-parser.ts);
// - `relationships` -> relationships; a caveat with context becomes a condition with parameters;
// - `assertions.assertTrue` / `assertFalse` -> checks expecting allow / deny; a ` with {...}`
//   context becomes the check's context;
// - `assertions.assertCaveated` -> checks expecting deny: the neutral model decides a check
//   whose condition lacks parameters as a deny (fail closed, docs/model.md);
// - `validation` (expected relations) -> a check expecting allow for every plain subject
//   listed; wildcard and userset subjects, and caveated ones, have no single-check form and
//   are noted in a comment at the top of the output, as is the fact that expected relations
//   are exhaustive in zed but only their listed subjects are checked here.
// What has no neutral form is an InputError naming the place.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { InputError } from '../../src/core/errors.ts';
import { parseRelationshipBlock, type ParsedRelationship } from './relationship-syntax.ts';
import { parseSchema } from './schema-parser.ts';

type Raw = Record<string, unknown>;

const neutral = (name: string) => name.replace(/\//g, '_');

function relationship(r: ParsedRelationship): unknown {
  const subject = `${neutral(r.subjectType)}:${r.subjectId}${r.subjectRelation ? `#${r.subjectRelation}` : ''}`;
  const resource = `${neutral(r.resourceType)}:${r.resourceId}`;
  if (!r.caveat) return `${resource}#${r.relation}@${subject}`;
  return { resource, relation: r.relation, subject, condition: { name: neutral(r.caveat.name), ...(r.caveat.context ? { parameters: r.caveat.context } : {}) } };
}

/** `document:1#view@user:anne` or `document:1#view@user:anne with {"now": "..."}`. */
const ASSERTION = /^\s*([a-z][a-z0-9_/]*):([^#\s]+)#([a-z][a-z0-9_]*)@([a-z][a-z0-9_/]*):([^#\s]+)(#\S+)?(?:\s+with\s+(\{.*\}))?\s*$/;

function check(text: unknown, file: string, at: string): Raw {
  const m = typeof text === 'string' ? ASSERTION.exec(text) : null;
  if (!m) throw new InputError(file, at, `${JSON.stringify(text)} is not an assertion`, 'write resource:id#permission@subject:id, optionally with {"param": value}');
  const [, resourceType, resourceId, permission, subjectType, subjectId, subjectRelation, context] = m;
  if (subjectRelation || subjectId === '*') throw new InputError(file, at, `'${text as string}': the subject is not a single object`, 'AuthZEN checks need a subject such as user:anne');
  const out: Raw = { subject: `${neutral(subjectType!)}:${subjectId}`, action: permission, resource: `${neutral(resourceType!)}:${resourceId}` };
  if (context) {
    try {
      out.context = JSON.parse(context) as unknown;
    } catch (error) {
      throw new InputError(file, at, `the context of '${text as string}' is not JSON (${(error as Error).message})`);
    }
  }
  return out;
}

const kebab = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'spicedb-validation';

/** A zed validation file as the YAML text of a neutral scenario (id `id`, by default from the file name). */
export function importSpiceDbValidationFile(file: string, id?: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, '', 'file not found or not readable', 'give the path of a zed validation file (.yaml)');
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new InputError(file, '', `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, '', 'expected a zed validation file (schema, relationships, assertions, validation)');
  const doc = raw as Raw;
  let schema: string;
  let schemaFile = file;
  if (typeof doc.schema === 'string') schema = doc.schema;
  else if (typeof doc.schemaFile === 'string') {
    schemaFile = path.resolve(path.dirname(file), doc.schemaFile);
    try {
      schema = readFileSync(schemaFile, 'utf8');
    } catch {
      throw new InputError(file, 'schemaFile', `file not found: ${schemaFile}`, 'paths are relative to the validation file');
    }
  } else throw new InputError(file, 'schema', 'no schema', "add 'schema' (the schema text) or 'schemaFile'");
  const { model, renamed } = parseSchema(schema, schemaFile);
  const relationships = typeof doc.relationships === 'string' ? parseRelationshipBlock(doc.relationships, file, 'relationships') : [];

  const steps: Raw[] = [];
  const notes: string[] = [];
  const assertions = (doc.assertions ?? {}) as Raw;
  const known = new Set(['assertTrue', 'assertFalse', 'assertCaveated']);
  for (const key of Object.keys(assertions))
    if (!known.has(key)) throw new InputError(file, `assertions.${key}`, `unknown assertion list '${key}'`, 'use assertTrue, assertFalse or assertCaveated');
  for (const [key, expect, name] of [
    ['assertTrue', 'allow', 'assertTrue'],
    ['assertFalse', 'deny', 'assertFalse'],
    ['assertCaveated', 'deny', 'assertCaveated (condition not decided: denied, fail closed)'],
  ] as const) {
    const list = assertions[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new InputError(file, `assertions.${key}`, 'expected a list of assertions');
    list.forEach((text, i) => steps.push({ name, check: check(text, file, `assertions.${key}[${i}]`), expect }));
  }

  const validation = (doc.validation ?? {}) as Raw;
  for (const [key, subjects] of Object.entries(validation)) {
    const m = /^([a-z][a-z0-9_/]*):([^#\s]+)#([a-z][a-z0-9_]*)$/.exec(key);
    if (!m) throw new InputError(file, `validation.${key}`, `'${key}' is not resource:id#permission`);
    if (!Array.isArray(subjects)) throw new InputError(file, `validation.${key}`, 'expected a list of "[subject] is <...>" lines');
    subjects.forEach((line, i) => {
      const s = typeof line === 'string' ? /^\[([^\]]+?)(\[[^\]]*\])?\]/.exec(line.trim()) : null;
      if (!s) throw new InputError(file, `validation.${key}[${i}]`, `${JSON.stringify(line)} is not an expected relation`, 'write "[user:anne] is <document:1#viewer>"');
      const subject = s[1]!;
      if (s[2] || subject.includes('#') || subject.endsWith(':*')) {
        notes.push(`validation ${key}: ${subject}${s[2] ?? ''} (not a single unconditional subject)`);
        return;
      }
      const [type, id] = [subject.slice(0, subject.indexOf(':')), subject.slice(subject.indexOf(':') + 1)];
      steps.push({ name: `expected relations of ${key}`, check: { subject: `${neutral(type)}:${id}`, action: m[3], resource: `${neutral(m[1]!)}:${m[2]}` }, expect: 'allow' });
    });
  }
  if (steps.length === 0) throw new InputError(file, 'assertions', 'nothing to check', 'add assertions (assertTrue, assertFalse) or validation');

  const base = path.basename(file).replace(/\.ya?ml$/, '');
  const scenario: Raw = {
    id: id ?? kebab(base),
    title: base,
    description: `Imported from the SpiceDB validation file ${path.basename(file)}.`,
    tags: ['spicedb-import'],
    model,
    ...(relationships.length > 0 ? { relationships: relationships.map(relationship) } : {}),
    steps,
  };
  const header = [
    ...(renamed.length > 0 ? [`# Renamed (the neutral model has no prefixes): ${renamed.join(', ')}`] : []),
    ...(Object.keys(validation).length > 0
      ? ['# Expected relations: each listed subject is checked; zed also checks that no other subject has the permission, which a check step cannot.']
      : []),
    ...(notes.length > 0 ? [`# Not imported (no single-check form): ${notes.join('; ')}`] : []),
  ];
  return (header.length > 0 ? `${header.join('\n')}\n` : '') + stringify(scenario, { lineWidth: 0 });
}
