// SpiceDB native mode (the bundled native-documents scenario from its own schema and
// relationships) and `import spicedb` (zed validation files -> neutral scenarios): the files'
// syntax, clear errors, and the results on the real embedded engine and the reference.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importSpiceDbValidationFile } from './import.ts';
import { caveatRequestParameters, parseRelationshipsFile, readNativeSpiceDb } from './native.ts';
import { parseRelationship } from './relationship-syntax.ts';
import { parseSchema } from './schema-parser.ts';
import { translateModel } from './translate.ts';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';
import { withReference } from '../../test/helpers/conformance.ts';
import { useEngine } from '../../test/helpers/engines.ts';
import { foldersYaml, model, rel, req } from '../../test/helpers/model.ts';

const SCENARIO = path.join(PROJECT_ROOT, 'scenarios/native/native-documents.yaml');
const EXAMPLE = path.join(PROJECT_ROOT, 'adapters/spicedb/examples/docs.validation.yaml');
const dir = mkdtempSync(path.join(tmpdir(), 'spicedb-native-'));
const spec = (s: Record<string, unknown>): NativeSpec => ({ spec: s, baseDir: dir, file: path.join(dir, 'scenario.yaml') });

describe('SpiceDB text forms (pure)', () => {
  it('reads relationships with userset subjects, wildcards and caveat contexts, and refuses expiration', () => {
    expect(parseRelationship('document:d1#reader@group:eng#member', 'f', 'x')).toMatchObject({
      resourceType: 'document',
      resourceId: 'd1',
      relation: 'reader',
      subjectType: 'group',
      subjectId: 'eng',
      subjectRelation: 'member',
    });
    expect(parseRelationship('document:d1#reader@user:*', 'f', 'x')).toMatchObject({ subjectId: '*' });
    expect(parseRelationship('document:d1#reader@user:tim[not_expired:{"expires_at":"2030-01-01T00:00:00Z"}]', 'f', 'x').caveat).toEqual({
      name: 'not_expired',
      context: { expires_at: '2030-01-01T00:00:00Z' },
    });
    expect(() => parseRelationship('document:d1#reader@user:tim[expiration:2030-01-01T00:00:00Z]', 'r.yaml', 'relationships line 3')).toThrow(
      "r.yaml at relationships line 3: 'document:d1#reader@user:tim[expiration:2030-01-01T00:00:00Z]' has an expiration, which has no neutral form",
    );
    expect(() => parseRelationship('document:d1 reader user:tim', 'r.yaml', 'line 1')).toThrow(/is not a SpiceDB relationship/);
    expect(parseRelationshipsFile('- folder:f1#viewer@user:vera\n- document:d1#parent@folder:f1\n', 'r.yaml')).toHaveLength(2);
    expect(caveatRequestParameters('caveat same_dept(subject map<any>, resource map<any>, now timestamp) { subject.dept == resource.dept }')).toEqual(new Set(['subject', 'resource']));
  });

  it('reads a schema with SpiceDB precedence (arrow, -, &, +), comments, .any() arrows and caveat bodies with braces', () => {
    const { model: m } = parseSchema(
      `/** docs */
definition user {}
// a comment
definition doc {
    relation parent: doc
    relation owner: user | user:* with cond
    relation banned: user
    permission p1 = owner + parent->p1 & banned - owner
    permission p2 = (owner + banned) - parent.any(p2)
    permission p3 = owner - banned - parent->p3
}
caveat cond(m map<any>, l list<string>, n uint) {
    {"a": 1}["a"] == 1 && "}" in l && m.x == n
}`,
      'schema.zed',
    );
    expect(m).toEqual({
      types: {
        user: {},
        doc: {
          relations: { parent: ['doc'], owner: ['user', 'user:* with cond'], banned: ['user'] },
          permissions: { p1: 'owner | (parent->p1 & (banned - owner))', p2: '(owner | banned) - parent->p2', p3: '(owner - banned) - parent->p3' },
        },
      },
      conditions: { cond: { parameters: { m: 'map<any>', l: 'list<string>', n: 'int' }, expression: '{"a": 1}["a"] == 1 && "}" in l && m.x == n' } },
    });
  });

  it('reads back what the translation writes: the same neutral model', () => {
    const folders = model(foldersYaml({ permissions: ['deep: (viewer | parent->deep) - blocked'] }));
    const back = model(JSON.stringify(parseSchema(translateModel(folders).text, 'x.zed').model));
    expect(back).toEqual(folders);
  });

  it('names the line of what has no neutral form', () => {
    const bad = (text: string) => () => parseSchema(`definition user {}\n${text}`, 's.zed');
    expect(bad('definition doc {\n  relation r: user\n  permission p = r.all(x)\n}')).toThrow("s.zed at line 4: 'r.all(x)' (an intersection arrow) has no neutral form");
    expect(bad('definition doc {\n  permission p = nil\n}')).toThrow("s.zed at line 3: 'nil' has no neutral form");
    expect(bad('use expiration')).toThrow("s.zed at line 2: 'use expiration' has no neutral form");
    expect(bad('definition doc {\n  relation r: user with expiration\n}')).toThrow('s.zed at line 3: relationship expiration has no neutral form');
    expect(bad('caveat c(ip ipaddress) { ip.in_cidr("1.2.3.0/24") }')).toThrow("s.zed at line 2: caveat parameter type 'ipaddress' has no neutral form");
    expect(bad('definition doc {\n  relation r user\n}')).toThrow("s.zed at line 3: expected ':', found 'user'");
  });
});

describe('SpiceDB native mode: reading the files (no engine)', () => {
  it('reads the bundled schema and relationships', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    const files = await readNativeSpiceDb(scenario.native.spicedb!);
    expect(files.schema).toContain('permission view = edit + viewer + parent->view');
    expect(files.relationships).toHaveLength(5);
    expect(files.relationships[1]).toEqual({
      resource: { objectType: 'document', objectId: 'd1' },
      relation: 'parent',
      subject: { object: { objectType: 'folder', objectId: 'f1' }, optionalRelation: '' },
    });
  });

  it('reports missing keys and files, unknown keys and bad relationship lines', async () => {
    await expect(readNativeSpiceDb(spec({ schema: 'nope.zed' }))).rejects.toThrow(`native.spicedb.schema: file not found: ${path.join(dir, 'nope.zed')}`);
    await expect(readNativeSpiceDb(spec({ relationships: 'r.yaml' }))).rejects.toThrow("native.spicedb.schema: missing 'schema'");
    await expect(readNativeSpiceDb(spec({ schema: 's.zed', tuples: 'x' }))).rejects.toThrow("native.spicedb.tuples: unknown key 'tuples'");
    writeFileSync(path.join(dir, 's.zed'), 'definition user {}\ndefinition doc {\n  relation viewer: user\n}\n');
    writeFileSync(path.join(dir, 'r.yaml'), 'relationships: |-\n  doc:1#viewer@user:anne\n  doc:2 viewer anne\n');
    await expect(readNativeSpiceDb(spec({ schema: 's.zed', relationships: 'r.yaml' }))).rejects.toThrow(
      `${path.join(dir, 'r.yaml')} at relationships line 2: 'doc:2 viewer anne' is not a SpiceDB relationship`,
    );
  });
});

describe('SpiceDB native mode and imports on the embedded engine', () => {
  const holder = useEngine('spicedb');

  it('runs native-documents from its own schema and relationships: all 8 cases pass', async () => {
    const run = await runScenario(await loadScenarioFile(SCENARIO), holder.engine);
    expect(run.native).toBe(true);
    expect(run.cases.map((c) => `${c.step} ${c.status}`)).toEqual(run.cases.map((c) => `${c.step} pass`));
    expect(run.cases).toHaveLength(8);
  });

  it('writes and deletes after loadNative reach the native schema', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    await holder.engine.loadNative!(scenario.native.spicedb!);
    expect((await holder.engine.check(req('user:vera', 'view', 'document:d1'))).allowed).toBe(true);
    await holder.engine.delete([rel('document:d1#parent@folder:f1')]);
    expect((await holder.engine.check(req('user:vera', 'view', 'document:d1'))).allowed).toBe(false);
  });

  it('names the schema file when SpiceDB rejects it', async () => {
    writeFileSync(path.join(dir, 'bad.zed'), 'definition user {}\ndefinition doc {\n  permission view = nosuch\n}\n');
    await expect(holder.engine.loadNative!(spec({ schema: 'bad.zed' }))).rejects.toThrow(`SpiceDB rejected the schema in ${path.join(dir, 'bad.zed')}`);
  });
});

describe('import spicedb: a zed validation file becomes a neutral scenario', () => {
  const engines = withReference('spicedb');

  it('maps schema, relationships, assertions and expected relations, and notes what it leaves out', () => {
    const text = importSpiceDbValidationFile(EXAMPLE);
    expect(text).toMatch(/^# Expected relations: each listed subject is checked/);
    expect(text).toContain('# Not imported (no single-check form): validation folder:root#view: group:eng#member');
    const scenario = parse(text);
    expect(scenario.model.types.folder.permissions).toEqual({ view: 'owner | viewer | parent->view', can_read: 'view - blocked', audit: 'owner & parent->view' });
    expect(scenario.relationships[6]).toEqual({
      resource: 'folder:docs',
      relation: 'viewer',
      subject: 'user:tim',
      condition: { name: 'not_expired', parameters: { expires_at: '2030-01-01T00:00:00Z' } },
    });
    expect(scenario.steps.map((s: { name: string; expect: string }) => `${s.name}: ${s.expect}`)).toEqual([
      ...Array(4).fill('assertTrue: allow'),
      ...Array(4).fill('assertFalse: deny'),
      'assertCaveated (condition not decided: denied, fail closed): deny',
      'expected relations of folder:root#view: allow',
    ]);
  });

  it('runs the imported scenario: every assertion passes on SpiceDB and on the reference engine', async () => {
    const scenario = await loadScenarioText(importSpiceDbValidationFile(EXAMPLE), 'docs-validation.yaml');
    for (const engine of [engines.engine, engines.reference]) {
      const run = await runScenario(scenario, engine);
      expect(run.cases.filter((c) => c.status !== 'pass').map((c) => `${c.step} ${c.status} ${c.message ?? ''}`)).toEqual([]);
      expect(run.cases).toHaveLength(10);
    }
  });

  it('refuses a file without a schema or without anything to check, naming the place', () => {
    const file = path.join(dir, 'v.yaml');
    writeFileSync(file, 'relationships: "doc:1#viewer@user:a"\n');
    expect(() => importSpiceDbValidationFile(file)).toThrow(`${file} at schema: no schema`);
    writeFileSync(file, 'schema: "definition user {}"\n');
    expect(() => importSpiceDbValidationFile(file)).toThrow(`${file} at assertions: nothing to check`);
    writeFileSync(file, 'schema: "definition user {}"\nassertions:\n  assertTrue: ["doc:1#view@group:g#member"]\n');
    expect(() => importSpiceDbValidationFile(file)).toThrow(`${file} at assertions.assertTrue[0]: 'doc:1#view@group:g#member': the subject is not a single object`);
  });
});
