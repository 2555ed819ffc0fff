// Oso adapter: translation output and the real embedded engine on hand-written models.
// Every bundled scenario and the random graphs run in the contract test (test/engines/contract.test.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../../src/model/parse.ts';
import { OsoAdapter } from './adapter.ts';
import { parseDurationMs, translateCondition } from './cel.ts';
import oso from './index.ts';
import { translateModel, unsupportedReasons } from './translate.ts';
import { foldersYaml, model, rel, req } from '../../test/helpers/model.ts';

const FOLDERS = model(foldersYaml(), 'folders');

describe('oso translation', () => {
  it('emits has_relation rules per kind of subject and one rule per union branch', () => {
    const { polar, classNames } = translateModel(FOLDERS);
    expect(classNames.get('folder')).toBe('folder');
    expect(polar).toContain('allow(actor, action: String, resource) if has(actor, action, resource, [], "strict");');
    expect(polar).toContain('has_relation(actor, "viewer", obj: folder, _seen, mode) if\n  fact in obj.direct("viewer", actor) and\n  holds(fact, actor, mode);');
    expect(polar).toContain('has_relation(actor, "member", obj: group, seen, mode) if\n  fact in obj.usersets("member")');
    expect(polar.match(/grants_permission\(actor, "view", obj: folder, seen, mode\) if/g)).toHaveLength(3);
    expect(polar).toContain('(f0 in obj.objects("parent") and holds(f0, actor, mode) and has(actor, "view", f0.subject, seen, mode))');
    expect(polar).toContain('(has(actor, "owner", obj, seen, mode) and has(actor, "editor", obj, seen, mode))');
    expect(polar).toContain('(has(actor, "view", obj, seen, mode) and flip(mode, m0) and not has(actor, "blocked", obj, seen, m0))');
    expect(polar).toContain('fact.condition = "not_expired" and\n  p in actor.params(fact) and\n  (p.now < p.expires_at);');
  });

  it('renames types that clash with Polar names', () => {
    const model = parseModel({ types: { user: {}, resource: { relations: { viewer: ['user'] } } } }, 'm');
    const { polar, classNames } = translateModel(model);
    expect(classNames.get('resource')).toBe('T_resource');
    expect(polar).toContain('obj: T_resource');
  });

  it('translates the CEL subset to Polar with time as milliseconds', () => {
    const cond = (expression: string, parameters: Record<string, string>) =>
      translateCondition(parseModel({ types: { user: {} }, conditions: { c: { parameters, expression } } }, 'm').conditions.get('c')!);
    expect(cond('now < timestamp("2026-01-01T00:00:00Z") && !(level >= 3)', { now: 'timestamp', level: 'int' }).body).toBe(
      // `!(level >= 3)` is `level < 3`: Polar's `not` would turn a missing field into true.
      `((p.now < ${Date.parse('2026-01-01T00:00:00Z')}) and (p.level < 3))`,
    );
    expect(cond('now - granted < duration("1h30m")', { now: 'timestamp', granted: 'timestamp' }).body).toBe('((p.now - p.granted) < 5400000)');
    expect(cond('resource.owner == subject.id || "admin" in subject.roles', { resource: 'map<any>', subject: 'map<any>' }).body).toBe(
      '(Cel.equal(p.resource.owner, p.subject.id) = true or Cel.contains(p.subject.roles, "admin") = true)',
    );
    expect(cond('region in allowed', { region: 'string', allowed: 'list<string>' })).toEqual({ body: 'Cel.contains(p.allowed, p.region) = true', used: ['region', 'allowed'] });
    expect(cond('!(subject.role == "admin") && !has(subject.role)', { subject: 'map<any>' }).body).toBe(
      '(Cel.equal(p.subject.role, "admin") = false and Cel.has(p.subject, "role") = false)',
    );
    // CEL's equality of two kinds is false, Polar's `true == 1` true: a side of unknown type compares through the host.
    expect(cond('value == 1', { value: 'any' }).body).toBe('Cel.equal(p.value, 1) = true');
    expect(cond('subject.level >= 2', { subject: 'map<any>' }).body).toBe('(Cel.comparable(p.subject.level, 2) = true and p.subject.level >= 2)');
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('250ms')).toBe(250);
  });

  it('reports untranslatable CEL as unsupported, with the reason', () => {
    const model = parseModel(
      {
        types: { user: {}, doc: { relations: { viewer: ['user with c'] } } },
        conditions: { c: { parameters: { name: 'string' }, expression: 'name + "x" == "yx"' } },
      },
      'm',
    );
    const reasons = unsupportedReasons(model);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^conditions: CEL expression 'name \+ "x" == "yx"' \(condition c\) cannot be translated to Polar: '\+' on non-numeric operands/);
    expect(unsupportedReasons(FOLDERS)).toEqual([]);
  });
});

describe('oso engine (embedded oso 0.27.3)', () => {
  const adapter = oso.create(undefined);
  beforeAll(async () => {
    await adapter.loadModel(FOLDERS);
    await adapter.write([
      rel('group:eng#member@user:anne'),
      rel('group:all#member@group:eng#member'),
      rel('group:eng#member@group:all#member'), // a cycle
      rel('folder:root#viewer@group:all#member'),
      rel('folder:a#parent@folder:root'),
      rel('folder:a#owner@user:bob'),
      rel('folder:a#editor@user:bob'),
      rel('folder:a#blocked@user:anne'),
      rel('folder:pub#viewer@user:*'),
      { ...rel('folder:t#viewer@user:tim'), condition: { name: 'not_expired', parameters: { expires_at: '2026-01-01T00:00:00Z' } } },
    ]);
  });
  afterAll(() => adapter.stop());

  it('describes itself honestly', () => {
    expect(adapter.info().settings.library).toBe('oso 0.27.3 (open-source, embedded, deprecated upstream)');
    expect(adapter).toMatchObject({ embedded: true, decisionLog: 'none' });
    expect(adapter.updateModel).toBeTypeOf('function');
    expect(adapter.readDecisionLog).toBeUndefined();
  });

  it.each([
    ['user:anne', 'view', 'folder:a', true], // nested groups through a cycle, then parent->view
    ['user:anne', 'read', 'folder:a', false], // exclusion
    ['user:bob', 'read', 'folder:a', true],
    ['user:bob', 'edit', 'folder:a', true], // intersection
    ['user:anne', 'edit', 'folder:a', false],
    ['user:zed', 'view', 'folder:pub', true], // wildcard
    ['user:zed', 'view', 'folder:a', false],
    ['user:anne', 'nonsense', 'folder:a', false],
  ])('%s %s %s -> %s', async (subject, action, resource, allowed) => {
    const decision = await adapter.check(req(subject, action, resource));
    expect(decision.error).toBeUndefined();
    expect(decision.allowed).toBe(allowed);
  });

  it('evaluates conditions in Polar, failing closed on a missing parameter', async () => {
    expect((await adapter.check(req('user:tim', 'view', 'folder:t', { now: '2025-06-01T00:00:00Z' }))).allowed).toBe(true);
    expect((await adapter.check(req('user:tim', 'view', 'folder:t', { now: '2026-06-01T00:00:00Z' }))).allowed).toBe(false);
    const missing = await adapter.check(req('user:tim', 'view', 'folder:t'));
    expect(missing).toMatchObject({ allowed: false });
    expect(missing.reason).toContain("missing parameter 'now'");
  });

  it('denies when an excluded grant is undecided (missing parameter), like the reference engine', async () => {
    const model = parseModel(
      {
        types: { user: {}, doc: { relations: { viewer: ['user'], banned: ['user with not_expired'] }, permissions: { view: 'viewer - banned' } } },
        conditions: { not_expired: { parameters: { now: 'timestamp', expires_at: 'timestamp' }, expression: 'now < expires_at' } },
      },
      'm',
    );
    const engine = new OsoAdapter(oso);
    await engine.loadModel(model);
    await engine.write([rel('doc:1#viewer@user:ann'), { ...rel('doc:1#banned@user:ann'), condition: { name: 'not_expired', parameters: { expires_at: '2026-01-01T00:00:00Z' } } }]);
    expect((await engine.check(req('user:ann', 'view', 'doc:1', { now: '2025-01-01T00:00:00Z' }))).allowed).toBe(false); // banned
    expect((await engine.check(req('user:ann', 'view', 'doc:1', { now: '2027-01-01T00:00:00Z' }))).allowed).toBe(true); // ban expired
    const undecided = await engine.check(req('user:ann', 'view', 'doc:1'));
    expect(undecided.allowed).toBe(false);
    expect(undecided.reason).toContain("missing parameter 'now'");
    await engine.stop();
  });

  it('revokes at once and keeps relationships across a policy update', async () => {
    await adapter.delete([rel('folder:a#owner@user:bob')]);
    expect((await adapter.check(req('user:bob', 'edit', 'folder:a'))).allowed).toBe(false);
    await adapter.write([rel('folder:a#owner@user:bob')]);
    const tighter = parseModel(
      {
        types: {
          user: {},
          group: { relations: { member: ['user', 'group#member'] } },
          folder: { relations: { parent: ['folder'], owner: ['user'], editor: ['user'], blocked: ['user'], viewer: ['user'] }, permissions: { edit: 'editor' } },
        },
      },
      'tighter',
    );
    await adapter.updateModel!(tighter);
    expect((await adapter.check(req('user:bob', 'edit', 'folder:a'))).allowed).toBe(true);
    expect((await adapter.check(req('user:bob', 'view', 'folder:a'))).allowed).toBe(false);
    await adapter.updateModel!(FOLDERS);
    expect((await adapter.check(req('user:bob', 'view', 'folder:a'))).allowed).toBe(true);
  });

  it('gives a clear error past the depth limit', async () => {
    const deep = new OsoAdapter(oso, { maxDepth: 5 });
    const model = parseModel({ types: { user: {}, group: { relations: { member: ['user', 'group#member'] } } } }, 'm');
    await deep.loadModel(model);
    const chain = Array.from({ length: 8 }, (_, i) => rel(`group:g${i}#member@group:g${i + 1}#member`));
    await deep.write([...chain, rel('group:g8#member@user:u'), rel('group:g2#member@user:near')]);
    expect((await deep.check(req('user:near', 'member', 'group:g0'))).allowed).toBe(true);
    const far = await deep.check(req('user:u', 'member', 'group:g0'));
    expect(far.allowed).toBe(false);
    expect(far.error).toMatch(/depth limit 5 exceeded/);
    await deep.stop();
  });
});
