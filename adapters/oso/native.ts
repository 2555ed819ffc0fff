// Native mode for Oso: a scenario's own Polar policy and facts (its `native.oso` block)
// instead of the translation of the neutral model.
//
//   native:
//     oso: {policy: x.native/oso/policy.polar, facts: x.native/oso/facts.yaml}
//
// `policy` is a Polar file (any number of rules, resource blocks...), loaded into a fresh Oso
// instance. `facts` (optional) is a YAML file:
//   classes: {user: User, document: Document}    # request type -> registered Polar class name
//   facts:                                       # relationships, compact or object form
//     - document:d1#owner@user:olga
//     - {resource: document:d1, relation: parent, subject: folder:f1}
// Every type named in `classes` (or, by its own name, used in a fact) becomes a registered
// class whose instances answer the same host look-ups as the translated policy's classes
// (facts.ts: `direct`, `usersets`, `objects`), read from the adapter's relationship store, so
// later write/delete steps reach the native policy too. Checks query `allow(actor, action,
// resource)`, as for the translated policy.

import { Oso } from 'oso';
import { parse as parseYaml } from 'yaml';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import { nativePath, readNativeFile } from '../../src/scenario/native-files.ts';
import { parseObject, parseRelationship, parseSubject, type Relationship } from '../../src/core/relationship.ts';
import { Cel, makeClass, type ObjectClass } from './facts.ts';

/** What loadNative installs: the Oso instance, the classes per request type, and the facts. */
export interface NativeOso {
  oso: Oso;
  classes: Map<string, ObjectClass>;
  relationships: Relationship[];
  /** The policy text, for debugging and tests. */
  polar: string;
}

const SPEC_KEYS = new Set(['policy', 'facts']);
const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names Polar already uses for built-in classes or that resource blocks reserve. */
const RESERVED = new Set(['Boolean', 'Integer', 'Float', 'String', 'List', 'Dictionary', 'Actor', 'Resource', 'Cel']);

/** Reads and checks the native files and loads the policy into a fresh Oso instance. */
export async function loadNativeOso(native: NativeSpec): Promise<NativeOso> {
  const at = 'native.oso';
  const { spec } = native;
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key)) throw new InputError(native.file, `${at}.${key}`, `unknown key '${key}'`, 'use policy (a .polar file) and facts (a YAML file)');
  }
  const policyPath = nativePath(native, 'oso', 'policy', true, 'name the Polar policy file, relative to the scenario file')!;
  const factsPath = nativePath(native, 'oso', 'facts', false, '');

  const polar = await readNativeFile(native, 'oso', 'policy', policyPath);
  const { classNames, relationships } = factsPath
    ? parseFacts(await readNativeFile(native, 'oso', 'facts', factsPath), factsPath)
    : { classNames: new Map<string, string>(), relationships: [] };

  // Types used in facts but not named in `classes` are registered under their own name.
  for (const rel of relationships) {
    for (const type of [rel.resource.type, rel.subject.type]) {
      if (!classNames.has(type) && CLASS_NAME.test(type) && !RESERVED.has(type)) classNames.set(type, type);
    }
  }

  const oso = new Oso();
  const classes = new Map<string, ObjectClass>();
  try {
    for (const [type, className] of classNames) {
      const cls = makeClass(className);
      classes.set(type, cls);
      oso.registerClass(cls, { name: className });
    }
    oso.registerClass(Cel, { name: 'Cel' });
    await oso.loadStr(polar, policyPath);
  } catch (error) {
    oso.free();
    const message = osoError(error);
    const fix = /Unregistered class/.test(message) ? "map a request type to that class in the facts file's `classes`, e.g. {user: User}" : undefined;
    throw new InputError(policyPath, '', `Oso rejected the policy: ${message}`, fix);
  }
  return { oso, classes, relationships, polar };
}

/** The `classes` map and the relationships of a facts file. */
export function parseFacts(text: string, file: string): { classNames: Map<string, string>; relationships: Relationship[] } {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InputError(file, '', `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  raw ??= {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(file, '', 'expected a mapping with `classes` and `facts`');
  const doc = raw as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (key !== 'classes' && key !== 'facts') throw new InputError(file, key, `unknown key '${key}'`, 'use classes and facts');
  }

  const classNames = new Map<string, string>();
  const classes = doc.classes ?? {};
  if (typeof classes !== 'object' || classes === null || Array.isArray(classes))
    throw new InputError(file, 'classes', 'expected a mapping of request type to Polar class name', 'e.g. {user: User}');
  for (const [type, name] of Object.entries(classes)) {
    if (typeof name !== 'string' || !CLASS_NAME.test(name)) throw new InputError(file, `classes.${type}`, `class name must be an identifier, got ${JSON.stringify(name)}`);
    if (RESERVED.has(name)) throw new InputError(file, `classes.${type}`, `'${name}' is a Polar built-in or reserved name`, 'choose another class name');
    classNames.set(type, name);
  }

  const facts = doc.facts ?? [];
  if (!Array.isArray(facts)) throw new InputError(file, 'facts', 'expected a list of relationships');
  const relationships = facts.map((entry, i) => readFact(entry, file, `facts[${i}]`));
  return { classNames, relationships };
}

function readFact(entry: unknown, file: string, at: string): Relationship {
  const fix = "write 'type:id#relation@type:id' or {resource: type:id, relation: r, subject: type:id}";
  if (typeof entry === 'string') {
    const rel = parseRelationship(entry);
    if (!rel) throw new InputError(file, at, `cannot read fact ${JSON.stringify(entry)}`, fix);
    return rel;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new InputError(file, at, `cannot read fact ${JSON.stringify(entry)}`, fix);
  const { resource, relation, subject, condition } = entry as Record<string, unknown>;
  const resourceRef = typeof resource === 'string' ? parseObject(resource) : undefined;
  const subjectRef = typeof subject === 'string' ? parseSubject(subject) : undefined;
  if (!resourceRef || typeof relation !== 'string' || !relation || !subjectRef) throw new InputError(file, at, `cannot read fact ${JSON.stringify(entry)}`, fix);
  const rel: Relationship = { resource: resourceRef, relation, subject: subjectRef };
  if (condition !== undefined) {
    const c = condition as Record<string, unknown>;
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string') throw new InputError(file, `${at}.condition`, 'expected {name, parameters}');
    rel.condition = { name: c.name, ...(c.parameters ? { parameters: c.parameters as Record<string, unknown> } : {}) };
  }
  return rel;
}

/** The first line of an Oso load error: what is wrong and where (line, column, file). */
function osoError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.trim().replace(/:$/, '');
}
