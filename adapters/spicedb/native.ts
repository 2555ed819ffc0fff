// Native mode for SpiceDB: a scenario's own schema and relationships (its `native.spicedb`
// block) instead of the translation of the neutral model.
//
//   native:
//     spicedb: {schema: x.native/spicedb/schema.zed, relationships: x.native/spicedb/relationships.yaml}
//
// `schema` is a SpiceDB schema file (`.zed`). `relationships` (optional) is a YAML file holding
// relationships in SpiceDB's text form (relationship-syntax.ts): a block of lines, a list of
// lines, or a validation file's mapping with them under `relationships` (what `zed validate`
// reads). Checks address the schema's own names; ids are encoded as for the translation
// (names.ts), so ids in the file are written as SpiceDB stores them. The files are read and
// checked here; SpiceDB's own validation errors name the file (adapter.ts).

import { parse as parseYaml } from 'yaml';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import { REQUEST_PARAMETERS } from '../../src/model/request-context.ts';
import { nativePath, readNativeFile } from '../../src/scenario/native-files.ts';
import { parseRelationshipBlock, type ParsedRelationship } from './relationship-syntax.ts';
import { SchemaNames, toStruct, type SpiceDbRelationship } from './translate.ts';

export interface NativeSpiceDb {
  schema: string;
  schemaFile: string;
  relationships: SpiceDbRelationship[];
  relationshipsFile?: string;
  names: SchemaNames;
  requestParams: Set<string>;
}

const AT = 'native.spicedb';
const SPEC_KEYS = new Set(['schema', 'relationships']);

export async function readNativeSpiceDb(native: NativeSpec): Promise<NativeSpiceDb> {
  for (const key of Object.keys(native.spec)) {
    if (!SPEC_KEYS.has(key)) throw new InputError(native.file, `${AT}.${key}`, `unknown key '${key}'`, 'use schema (a .zed file) and relationships (a YAML file)');
  }
  const schemaFile = nativePath(native, 'spicedb', 'schema', true, 'name the SpiceDB schema file (.zed), relative to the scenario file')!;
  const relationshipsFile = nativePath(native, 'spicedb', 'relationships', false, '');
  const schema = await readNativeFile(native, 'spicedb', 'schema', schemaFile);
  if (!/\bdefinition\s+[a-z]/.test(schema)) throw new InputError(schemaFile, '', 'no definition found: expected a SpiceDB schema', 'write e.g. definition user {}');
  const relationships = relationshipsFile ? parseRelationshipsFile(await readNativeFile(native, 'spicedb', 'relationships', relationshipsFile), relationshipsFile) : [];
  return {
    schema,
    schemaFile,
    relationships: relationships.map(toSpiceDbRelationship),
    ...(relationshipsFile ? { relationshipsFile } : {}),
    names: new SchemaNames(),
    requestParams: caveatRequestParameters(schema),
  };
}

/** A relationships file: a block of lines, a list of lines, or a mapping with them under `relationships`. */
export function parseRelationshipsFile(text: string, file: string): ParsedRelationship[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InputError(file, '', `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  let at = '';
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'relationships' in raw) {
    raw = (raw as Record<string, unknown>).relationships;
    at = 'relationships';
  }
  raw ??= '';
  if (typeof raw === 'string') return parseRelationshipBlock(raw, file, at || '(block)');
  if (Array.isArray(raw)) {
    return raw.flatMap((line, i) => {
      if (typeof line !== 'string') throw new InputError(file, `${at}[${i}]`, `expected a relationship line, got ${JSON.stringify(line)}`, 'write e.g. document:readme#reader@user:anne');
      return parseRelationshipBlock(line, file, `${at}[${i}]`);
    });
  }
  throw new InputError(file, at, 'expected relationship lines (a block, a list, or a mapping with relationships)', 'write e.g. relationships: "document:readme#reader@user:anne"');
}

function toSpiceDbRelationship(r: ParsedRelationship): SpiceDbRelationship {
  return {
    resource: { objectType: r.resourceType, objectId: r.resourceId },
    relation: r.relation,
    subject: { object: { objectType: r.subjectType, objectId: r.subjectId }, optionalRelation: r.subjectRelation ?? '' },
    ...(r.caveat ? { optionalCaveat: { caveatName: r.caveat.name, ...(r.caveat.context ? { context: toStruct(r.caveat.context) } : {}) } } : {}),
  };
}

/** Which of `subject`, `resource`, `context` some caveat of the schema takes as a parameter. */
export function caveatRequestParameters(schema: string): Set<string> {
  const names = new Set<string>();
  for (const [, parameters] of schema.matchAll(/\bcaveat\s+[a-z0-9_/]+\s*\(([^)]*)\)/g)) {
    for (const parameter of parameters!.split(',')) {
      const name = parameter.trim().split(/\s+/)[0];
      if ((REQUEST_PARAMETERS as readonly string[]).includes(name ?? '')) names.add(name!);
    }
  }
  return names;
}
