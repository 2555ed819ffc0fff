import { describe, expect, it } from 'vitest';
import { InputError, InputErrors } from '../../src/core/errors.ts';
import { checkConditionSyntax, compileCondition, conditionInputs } from '../../src/model/conditions.ts';
import { formatRewrite, parseRewrite } from '../../src/model/expression.ts';
import { modelFeatures } from '../../src/model/types.ts';
import { SCENARIOS_DIR } from '../../src/core/paths.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';
import { foldersYaml, model as parseModelYaml } from '../helpers/model.ts';

const model = (yaml: string) => parseModelYaml(yaml, 'm.yaml');

function errorsOf(yaml: string): InputError[] {
  try {
    model(yaml);
  } catch (error) {
    if (error instanceof InputErrors) return error.errors;
    if (error instanceof InputError) return [error];
    throw error;
  }
  throw new Error('expected the model to be rejected');
}

const GOOD = foldersYaml();

describe('model parsing', () => {
  it('parses types, relations, allowed subjects, permissions and conditions', () => {
    const m = model(GOOD);
    expect([...m.types.keys()]).toEqual(['user', 'group', 'folder']);
    const folder = m.types.get('folder')!;
    expect(folder.relations.get('viewer')!.allowed).toEqual([
      { type: 'user' },
      { type: 'user', wildcard: true },
      { type: 'group', relation: 'member' },
      { type: 'user', condition: 'not_expired' },
    ]);
    expect(folder.permissions.get('view')!.rewrite).toEqual({
      kind: 'union',
      children: [
        { kind: 'computed', relation: 'owner' },
        { kind: 'computed', relation: 'viewer' },
        { kind: 'tupleToUserset', tupleset: 'parent', computed: 'view' },
      ],
    });
    expect(folder.permissions.get('edit')!.rewrite.kind).toBe('intersection');
    expect(folder.permissions.get('read')!.rewrite.kind).toBe('exclusion');
    expect(m.conditions.get('not_expired')!.parameters.get('now')).toEqual({ kind: 'timestamp' });
    expect([...modelFeatures(m)].sort()).toEqual(['conditions', 'exclusion', 'intersection', 'tupleToUserset', 'union', 'usersets', 'wildcards']);
  });

  it('round-trips expressions with parentheses', () => {
    for (const text of ['a | b | c', 'a & (b | c)', '(a | b) - c', 'parent->view', 'a - (b & c)']) {
      expect(formatRewrite(parseRewrite(text))).toBe(text);
    }
  });

  it('names the path of a bad permission expression', () => {
    const errors = errorsOf(`
types:
  user: {}
  doc:
    relations:
      owner: [user]
      viewer: [user]
    permissions:
      view: owner | viewer & owner
`);
    expect(errors.map((e) => e.path)).toEqual(['model.types.doc.permissions.view']);
    expect(errors[0]!.problem).toMatch(/parentheses/);
  });

  it('reports unknown names with their paths, all at once', () => {
    const errors = errorsOf(`
types:
  user: {}
  doc:
    relations:
      owner: [user, team#member, user with nope]
      parent: [user]
    permissions:
      view: owner | editor
      up: parent->view
`);
    const paths = errors.map((e) => e.path);
    expect(paths).toContain('model.types.doc.relations.owner[1]');
    expect(paths).toContain('model.types.doc.relations.owner[2]');
    expect(paths).toContain('model.types.doc.permissions.view');
    expect(paths).toContain('model.types.doc.permissions.up');
    expect(errors.find((e) => e.path === 'model.types.doc.permissions.view')!.problem).toMatch(/'editor'/);
  });

  it('rejects a missing types block, bad parameter types and empty expressions', () => {
    expect(errorsOf('conditions: {}').map((e) => e.path)).toEqual(['model.types']);
    const errors = errorsOf(`
types:
  user: {}
conditions:
  c:
    parameters: {x: integer}
    expression: x > 1
  d:
    parameters: {}
    expression: ''
`);
    expect(errors.map((e) => e.path).sort()).toEqual(['model.conditions.c.parameters.x', 'model.conditions.d.expression']);
  });

  it('rejects a permission that shadows a relation', () => {
    const errors = errorsOf(`
types:
  user: {}
  doc:
    relations:
      view: [user]
    permissions:
      view: view
`);
    expect(errors[0]!.path).toBe('model.types.doc.permissions.view');
  });

  const TENANTS = `
types:
  user: {}
  tenant:
    relations: {member: [user]}
  document:
    relations: {tenant: [tenant]}
    permissions: {view: tenant->member}
`;

  it('reads the tenant type from tenancy; a model without it has none', () => {
    expect(model(`${TENANTS}tenancy: {type: tenant}\n`).tenancy).toEqual({ type: 'tenant' });
    expect(model(TENANTS).tenancy).toBeUndefined();
    expect('tenancy' in model(TENANTS)).toBe(false);
  });

  it('locates a tenancy that names an undeclared type or is malformed', () => {
    const [unknown] = errorsOf(`${TENANTS}tenancy: {type: org}\n`);
    expect(unknown).toMatchObject({ file: 'm.yaml', path: 'model.tenancy.type', problem: "unknown type 'org'" });
    expect(unknown!.fix).toMatch(/declare it under types, or use one of user, tenant, document/);
    expect(errorsOf(`${TENANTS}tenancy: tenant\n`).map((e) => [e.path, e.problem])).toEqual([['model.tenancy', 'expected a mapping with \'type\', found string "tenant"']]);
    expect(errorsOf(`${TENANTS}tenancy: {type: [tenant], scope: x}\n`).map((e) => [e.path, e.problem])).toEqual([
      ['model.tenancy.scope', "unknown key 'scope'"],
      ['model.tenancy.type', 'expected a type name, found a list'],
    ]);
    const [misspelt] = errorsOf(`${TENANTS}tenants: {type: tenant}\n`);
    expect(misspelt).toMatchObject({ path: 'model.tenants', problem: "unknown key 'tenants'", fix: "use 'types', 'conditions' or 'tenancy'" });
  });

  it('passes the scenario schema, and the loader names the line of a bad tenancy', async () => {
    const bundled = await loadScenarioFile(`${SCENARIOS_DIR}/multi-tenancy/multi-tenancy-same-ids.yaml`);
    expect(bundled.model.tenancy).toEqual({ type: 'tenant' });
    const text = (tenancy: string) => `id: t\ntitle: T\nmodel:\n  types:\n    user: {}\n    tenant: {}\n  tenancy: ${tenancy}\nsteps: []\n`;
    const rejected = async (tenancy: string) =>
      loadScenarioText(text(tenancy), 't.yaml').then(
        () => undefined,
        (error: InputError) => error,
      );
    expect(await rejected('{type: org}')).toMatchObject({ path: 'model.tenancy.type (line 7)', problem: "unknown type 'org'" });
    expect(await rejected('{}')).toMatchObject({ path: 'model.tenancy (line 7)', problem: "'type' is missing" });
  });
});

describe('conditions', () => {
  const m = model(`
types:
  user: {}
conditions:
  not_expired:
    parameters: {now: timestamp, expires_at: timestamp}
    expression: now < expires_at
  within:
    parameters: {now: timestamp, start: timestamp, grace: duration}
    expression: now < start + grace
  level:
    parameters: {subject: map<any>, min: int}
    expression: subject.level >= min
  tags:
    parameters: {tags: list<string>, tag: string, ratio: double, on: bool}
    expression: tag in tags && ratio > 0.5 && on
  bad_type:
    parameters: {n: int}
    expression: n + "x" == "y"
  bad_syntax:
    parameters: {n: int}
    expression: 'n <'
  not_bool:
    parameters: {n: int}
    expression: n + 1
`);
  const c = (name: string) => m.conditions.get(name)!;

  it('evaluates timestamps, durations, maps, lists and scalars', () => {
    const ne = compileCondition(c('not_expired'));
    expect(ne.evaluate({ now: '2025-01-01T00:00:00Z', expires_at: '2026-01-01T00:00:00Z' })).toEqual({ ok: true, value: true });
    expect(ne.evaluate({ now: '2027-01-01T00:00:00Z', expires_at: '2026-01-01T00:00:00Z' })).toEqual({ ok: true, value: false });
    const within = compileCondition(c('within'));
    expect(within.evaluate({ now: '2025-01-01T01:00:00Z', start: '2025-01-01T00:00:00Z', grace: '1h30m' })).toEqual({ ok: true, value: true });
    expect(within.evaluate({ now: '2025-01-01T02:00:00Z', start: '2025-01-01T00:00:00Z', grace: '1h30m' })).toEqual({ ok: true, value: false });
    const level = compileCondition(c('level'));
    expect(level.evaluate({ subject: { level: 3 }, min: 2 })).toEqual({ ok: true, value: true });
    expect(level.evaluate({ subject: { level: 1 }, min: 2 })).toEqual({ ok: true, value: false });
    const tags = compileCondition(c('tags'));
    expect(tags.evaluate({ tags: ['a', 'b'], tag: 'b', ratio: 0.7, on: true })).toEqual({ ok: true, value: true });
    expect(tags.evaluate({ tags: ['a'], tag: 'b', ratio: 0.7, on: true })).toEqual({ ok: true, value: false });
  });

  it('fails closed on a missing parameter, naming it', () => {
    expect(compileCondition(c('not_expired')).evaluate({ expires_at: '2026-01-01T00:00:00Z' })).toEqual({ ok: false, missing: ['now'] });
  });

  it('reports a value of the wrong type and an evaluation error', () => {
    const r = compileCondition(c('not_expired')).evaluate({ now: 'yesterday', expires_at: '2026-01-01T00:00:00Z' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/now.*RFC 3339/);
    const missingKey = compileCondition(c('level')).evaluate({ subject: {}, min: 1 });
    expect(missingKey.ok).toBe(false);
    expect(!missingKey.ok && missingKey.error).toBeTruthy();
  });

  it('rejects type errors, syntax errors and non-bool results at load time', () => {
    expect(checkConditionSyntax(c('not_expired'))).toBeUndefined();
    expect(checkConditionSyntax(c('bad_type'))).toMatch(/type error/);
    expect(checkConditionSyntax(c('bad_syntax'))).toMatch(/cannot parse/);
    expect(checkConditionSyntax(c('not_bool'))).toMatch(/must return bool/);
    expect(() => compileCondition(c('bad_type'))).toThrow(/no such overload/);
  });

  it('takes bound parameters first, then context, then the request subject/resource', () => {
    const request = {
      subject: { type: 'user', id: 'anne', properties: { level: 4 } },
      action: { name: 'view' },
      resource: { type: 'doc', id: '1', properties: { owner: 'anne' } },
      context: { now: 'ctx', expires_at: 'ctx', min: 9 },
    };
    const def = {
      name: 'x',
      parameters: new Map([
        ['now', { kind: 'string' as const }],
        ['expires_at', { kind: 'string' as const }],
        ['subject', { kind: 'any' as const }],
        ['resource', { kind: 'any' as const }],
        ['context', { kind: 'any' as const }],
        ['gone', { kind: 'string' as const }],
      ]),
      expression: 'true',
    };
    const values = conditionInputs(def, { expires_at: 'bound' }, request);
    expect(values).toEqual({ now: 'ctx', expires_at: 'bound', subject: { level: 4 }, resource: { owner: 'anne' }, context: request.context });
  });
});
