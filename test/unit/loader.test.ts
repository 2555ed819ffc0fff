import { describe, expect, it } from 'vitest';
import { InputError, InputErrors } from '../../src/core/errors.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { toRelationship } from '../../src/scenario/requests.ts';

const MODEL = `
model:
  types:
    user: {}
    group:
      relations:
        member: [user, group#member]
    doc:
      relations:
        viewer: [user, user:*, group#member]
        blocked: [user]
      permissions:
        view: viewer - blocked
`;

const scenario = (steps: string, extra = '') => `id: t\ntitle: T\n${MODEL}${extra}\nsteps:\n${steps}`;

async function loadError(text: string): Promise<InputError[]> {
  try {
    await loadScenarioText(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof InputErrors) return error.errors;
    if (error instanceof InputError) return [error];
    throw error;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario loader', () => {
  it("an object written 'type:' with no id is refused as such, with a named object as the fix", async () => {
    const [error] = await loadError(scenario('  - check: {subject: "user:", action: view, resource: doc:1}\n    expect: deny'));
    expect(error!.message).toBe(`bad.yaml at steps[0].check.subject (line 18): found string "user:": the id after 'user:' is empty (fix: name the object, e.g. user:1)`);
  });

  it("an object written 'type:id' with white space is refused with the mapping form to write; that form loads", async () => {
    const [error] = await loadError(scenario('  - check: {subject: "user:anne smith", action: view, resource: doc:1}\n    expect: deny'));
    expect(error!.message).toBe(`bad.yaml at steps[0].check.subject (line 18): found string "user:anne smith": 'type:id' takes no white space (fix: write {type: user, id: 'anne smith'})`);
    const s = await loadScenarioText(scenario('  - check: {subject: {type: user, id: anne smith}, action: view, resource: doc:1}\n    expect: deny'), 'ok.yaml');
    expect(s.benchmark[0]!.subject).toEqual({ type: 'user', id: 'anne smith' });
  });

  it('loads checks, batches, writes and deletes', async () => {
    const s = await loadScenarioText(
      scenario(
        `  - check: {subject: user:anne, action: view, resource: doc:1}
    expect: allow
  - batch:
      defaults: {subject: user:anne, action: view}
      checks:
        - {resource: doc:1, expect: allow}
        - {resource: {type: doc, id: "2", properties: {a: 1}}, expect: deny}
  - write: [doc:1#viewer@group:eng#member]
  - delete: [doc:1#viewer@user:*]`,
        '\nrelationships:\n  - doc:1#viewer@user:anne\n',
      ),
      'ok.yaml',
    );
    expect(s.steps.map((x) => x.kind)).toEqual(['check', 'batch', 'write', 'delete']);
    expect(s.relationships).toHaveLength(1);
    expect(s.benchmark).toHaveLength(3);
    const batch = s.steps[1]!;
    expect(batch.kind === 'batch' && batch.requests[1]!.resource).toEqual({ type: 'doc', id: '2', properties: { a: 1 } });
  });

  it('reads a revocation under load with its defaults, pollers and a new-enemy content step', async () => {
    const s = await loadScenarioText(
      scenario(
        `  - revocation:
      path: relationship
      pollers: 4
      load: {rate: 200}
      check: {subject: user:anne, action: view, resource: doc:1}
      revoke: {delete: [doc:1#viewer@user:anne]}
  - revocation:
      path: relationship
      newEnemy: true
      check: {subject: user:bob, action: view, resource: doc:2}
      revoke: {delete: [doc:2#viewer@user:bob]}
      content: {write: [doc:3#viewer@group:eng#member], check: {subject: user:bob, action: view, resource: doc:3}}`,
        '\ncoldStart: true\n',
      ),
      'ok.yaml',
    );
    const [loaded, enemy] = s.steps;
    expect(loaded).toMatchObject({ kind: 'revocation', pollers: 4, load: { rate: 200, connections: 4, writeRate: 20, writers: 1, warmupMs: 300, windowMs: 500 } });
    expect(enemy).toMatchObject({ kind: 'revocation', newEnemy: true, pollers: 1, content: { request: { resource: { type: 'doc', id: '3' } } } });
    expect(s.coldStart).toBe(true);
  });

  it('locates what a revocation under load cannot have', async () => {
    const errors = await loadError(
      scenario(
        `  - revocation:
      path: relationship
      pollers: 0
      load: {rate: fast}
      check: {subject: user:anne, action: view, resource: doc:1}
      revoke: {delete: [doc:1#viewer@user:anne]}`,
      ),
    );
    const paths = errors.map((e) => e.path);
    expect(paths.some((p) => p.startsWith('steps[0].revocation.pollers'))).toBe(true);
    expect(paths.some((p) => p.startsWith('steps[0].revocation.load.rate'))).toBe(true);
  });

  it('refuses rates and durations a timer cannot keep (a huge load rate hung the run)', async () => {
    const errors = await loadError(
      scenario(
        `  - revocation:
      path: relationship
      timeoutMs: 1e15
      intervalMs: 1e12
      load: {rate: 1e12, writeRate: 1e12}
      check: {subject: user:anne, action: view, resource: doc:1}
      revoke: {delete: [doc:1#viewer@user:anne]}`,
      ),
    );
    const paths = errors.map((e) => e.path);
    for (const key of ['timeoutMs', 'intervalMs', 'load.rate', 'load.writeRate']) expect(paths.some((p) => p.startsWith(`steps[0].revocation.${key}`))).toBe(true);
  });

  it('locates model-aware revocation mistakes once the schema holds', async () => {
    const errors = await loadError(
      scenario(
        `  - revocation:
      path: relationship
      newEnemy: true
      load: {}
      check: {subject: user:anne, action: view, resource: doc:1}
      revoke: {delete: [doc:1#viewer@user:anne]}
  - revocation:
      path: relationship
      check: {subject: user:anne, action: view, resource: doc:1}
      revoke: {delete: [doc:1#viewer@user:anne]}
      content: {write: [doc:3#viewer@user:anne], check: {subject: user:anne, action: view, resource: doc:3}}`,
      ),
    );
    expect(errors.find((e) => e.path.startsWith('steps[0].revocation.load'))?.problem).toMatch(/no timeline to load/);
    expect(errors.find((e) => e.path.startsWith('steps[1].revocation.content'))?.problem).toMatch(/belongs to a new-enemy step/);
  });

  it('names the file, the path and the line of a wrong expect value', async () => {
    const errors = await loadError(scenario(`  - check: {subject: user:anne, action: view, resource: doc:1}\n    expect: maybe`));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('bad.yaml');
    expect(errors[0]!.path).toMatch(/^steps\[0\]\.expect \(line \d+\)$/);
    expect(errors[0]!.message).toContain('allow');
  });

  it('rejects an unknown action with the known ones as the fix', async () => {
    const errors = await loadError(scenario(`  - check: {subject: user:anne, action: edit, resource: doc:1}\n    expect: allow`));
    expect(errors[0]!.path).toContain('steps[0].check.action');
    expect(errors[0]!.fix).toContain('viewer');
  });

  it('rejects a relationship the model does not allow', async () => {
    const errors = await loadError(scenario(`  - write: [doc:1#blocked@group:eng#member]`));
    expect(errors[0]!.path).toContain('steps[0].write[0]');
    expect(errors[0]!.problem).toContain('not allowed');
  });

  it('rejects a step with two kinds and an unknown key', async () => {
    const errors = await loadError(scenario(`  - write: [doc:1#viewer@user:a]\n    delete: [doc:1#viewer@user:a]\n  - chek: {}`));
    expect(errors.map((e) => e.path).join(' ')).toContain('steps[1].chek');
  });

  it('reports YAML syntax errors with a line', async () => {
    const errors = await loadError('id: t\n  title: [unclosed');
    expect(errors[0]!.message).toMatch(/bad\.yaml at line \d+/);
  });

  it('reports model errors with their path', async () => {
    const errors = await loadError(`id: t\ntitle: T\nmodel:\n  types:\n    doc:\n      permissions:\n        view: owner | | x\nsteps: []`);
    expect(errors[0]!.path).toContain('model.types.doc.permissions.view');
  });
});

describe('generated relationships', () => {
  const SAAS_MODEL = (viewer: string) => `id: t
title: T
model:
  types:
    user: {}
    tenant: {relations: {admin: [user], member: [user]}}
    document:
      relations: {tenant: [tenant], owner: [user], editor: [user], viewer: ${viewer}}
      permissions: {manage: owner | tenant->admin, edit: editor | manage, view: viewer | edit}
generate: {name: saas, params: {relationships: 2000, checks: 50}}
steps: []
`;

  it('keeps a generator structured relationships as they are: one object per entity, shared', async () => {
    const s = await loadScenarioText(SAAS_MODEL('[user, tenant#member]'), 'ok.yaml');
    expect(s.relationships).toHaveLength(2000);
    const [tenantOf, ownerOf] = s.relationships.filter((r) => r.resource.type === 'document' && r.resource.id === 't0/doc0');
    expect([tenantOf!.relation, ownerOf!.relation]).toEqual(['tenant', 'owner']);
    expect(tenantOf!.resource).toBe(ownerOf!.resource);
  });

  it('relationships written as text share one object per subject', async () => {
    const s = await loadScenarioText(
      scenario(
        '  - check: {subject: user:anne, action: view, resource: doc:1}\n    expect: allow',
        '\nrelationships: [doc:1#viewer@user:anne, doc:2#viewer@user:anne, doc:2#blocked@user:bob]\n',
      ),
      'ok.yaml',
    );
    const [first, second, third] = s.relationships;
    expect(first!.subject).toBe(second!.subject);
    expect(first!.subject).toEqual({ type: 'user', id: 'anne' });
    expect(third!.subject).toEqual({ type: 'user', id: 'bob' });
    expect(second!.resource).toEqual({ type: 'doc', id: '2' });
  });

  it('reads a structured relationship as it is, and refuses one with an empty or misplaced part', () => {
    const rel = { resource: { type: 'doc', id: '1' }, relation: 'viewer', subject: { type: 'group', id: 'eng', relation: 'member' } };
    expect(toRelationship(rel)).toBe(rel);
    expect(toRelationship({ ...rel, subject: { type: 'user', id: '' } })).toBeUndefined();
    expect(toRelationship({ ...rel, resource: { type: 'doc', id: '1', relation: 'x' } })).toBeUndefined();
    expect(toRelationship({ ...rel, resource: 'doc:1' })).toEqual({ ...rel, resource: { type: 'doc', id: '1' } });
  });

  it('lists the first 20 relationships the model refuses, then counts the rest', async () => {
    const errors = await loadError(SAAS_MODEL('[user]'));
    expect(errors).toHaveLength(21);
    expect(errors[0]!.path).toMatch(/^generate \(relationship \d+\)$/);
    expect(errors[0]!.problem).toMatch(/^document:t\d+\/doc\d+#viewer@tenant:t\d+#member: subject not allowed/);
    expect(errors[20]!.path).toMatch(/^generate \(line \d+\)$/);
    expect(errors[20]!.problem).toMatch(/^\d+ more of its 2000 relationships cannot be written \(the first 20 are listed\)$/);
  });
});
