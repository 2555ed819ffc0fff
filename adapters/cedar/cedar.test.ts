// Cedar adapter: the translation (validated by Cedar's own validator against the generated
// schema), the real embedded engine (cedar-wasm) on hand-written models, the `entities`
// setting. Every bundled scenario and the random graphs run in the contract test
// (test/contract.test.ts); the random graphs also run here with `entities=all`.

import { validate } from '@cedar-policy/cedar-wasm/nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import type { Relationship } from '../../src/core/relationship.ts';
import { parseModel } from '../../src/model/parse.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { withReference } from '../../test/helpers/conformance.ts';
import { startEngine } from '../../test/helpers/engines.ts';
import { foldersYaml, model, rel, req } from '../../test/helpers/model.ts';
import { lcg, randomGraphMismatches } from '../../test/helpers/random-graphs.ts';
import { CedarAdapter } from './adapter.ts';
import { cedarDurationText, translateCondition } from './cel.ts';
import definition from './index.ts';
import { type CedarTranslation, translateModel } from './translate.ts';

const FOLDERS = model(foldersYaml());
const DEEP = model(foldersYaml({ permissions: ['deep: (viewer | parent->deep) - blocked'] }));

/** Cedar's validator on the generated schema and policies (grants included): the list of errors. */
function validationErrors(translation: CedarTranslation, policies: Map<string, string> = translation.policies): string[] {
  const answer = validate({ schema: translation.schema, policies: { staticPolicies: Object.fromEntries(policies) } });
  if (answer.type === 'failure') return answer.errors.map((e) => e.message);
  return answer.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`);
}

describe('cedar translation', () => {
  it('makes union-only names nodes (one permit over `in`), intersection `&&` and exclusion `unless`', () => {
    const t = translateModel(FOLDERS);
    expect(t.unsupported).toEqual([]);
    expect(t.policies.get('folder.view')).toBe('permit(principal, action == Action::"view", resource is folder) when { principal in resource["view"] };');
    expect(t.policies.get('folder.edit')).toBe(
      'permit(principal, action == Action::"edit", resource is folder) when { (principal in resource["owner"] && principal in resource["editor"]) };',
    );
    expect(t.policies.get('folder.read')).toBe(
      'permit(principal, action == Action::"read", resource is folder) when { principal in resource["view"] } unless { principal in resource["blocked"] };',
    );
    // The union structure is in the schema's parents: viewer and owner nodes, and parents' view nodes, are in view.
    expect(t.schema).toContain('entity viewer in [folder::view];');
    expect(t.schema).toContain('entity view in [folder::view];');
    expect(t.schema).toContain('entity member in [group::member, folder::viewer];');
    expect(t.schema).toContain('entity Wildcard in [folder::viewer];');
  });

  it('generates policies that Cedar validates against the generated schema, for every bundled scenario it supports', async () => {
    const scenarios = await loadBundledScenarios();
    let validated = 0;
    for (const scenario of [...scenarios.map((s) => ({ id: s.id, model: s.model })), { id: 'folders', model: FOLDERS }]) {
      const t = translateModel(scenario.model);
      if (t.unsupported.length > 0) continue;
      expect(validationErrors(t), scenario.id).toEqual([]);
      validated++;
    }
    expect(validated).toBeGreaterThan(10);
  });

  it('validates grant policies too (a conditional relationship is a permit with a `when` on context)', async () => {
    const adapter = new CedarAdapter(definition);
    await adapter.loadModel(FOLDERS);
    await adapter.write([{ ...rel('folder:t#viewer@user:tim'), condition: { name: 'not_expired', parameters: { expires_at: '2026-01-01T00:00:00+02:00' } } }]);
    await adapter.check(req('user:tim', 'view', 'folder:t'));
    const grant = adapter.policies.get('grant folder:t#viewer@user:tim folder.view');
    expect(grant).toBe(
      'permit(principal == user::"tim", action == Action::"view", resource is folder) when { folder::viewer::"t" in resource["view"] && (context has "now" && (context["now"] < datetime("2025-12-31T22:00:00.000Z"))) };',
    );
    expect(adapter.policies.has('grant folder:t#viewer@user:tim folder.read')).toBe(true);
    expect(validationErrors(translateModel(FOLDERS), adapter.policies)).toEqual([]);
  });

  it('reports what has no exact Cedar form, with the reason', () => {
    const reasons = translateModel(DEEP).unsupported;
    expect(reasons).toEqual([expect.stringMatching(/^folder: 'parent->deep' reaches folder\.deep, an intersection or exclusion, on related objects: Cedar's only recursion is `in`/)]);
    const conditionalUserset = parseModel(
      {
        types: { user: {}, group: { relations: { member: ['user'] } }, doc: { relations: { viewer: ['group#member with c'] } } },
        conditions: { c: { parameters: { x: 'int' }, expression: 'x > 1' } },
      },
      'm',
    );
    expect(translateModel(conditionalUserset).unsupported).toEqual([expect.stringMatching(/^conditions: doc\.viewer allows 'group#member with c', a conditional userset/)]);
    const negatedGrant = parseModel(
      {
        types: { user: {}, doc: { relations: { viewer: ['user'], banned: ['user with c'] }, permissions: { view: 'viewer - banned' } } },
        conditions: { c: { parameters: { x: 'int' }, expression: 'x > 1' } },
      },
      'm',
    );
    expect(translateModel(negatedGrant).unsupported).toEqual([expect.stringMatching(/^conditions: doc\.view subtracts or negates a relation that conditional relationships can grant/)]);
  });

  it('translates the CEL subset to Cedar, datetime and duration included', () => {
    const cond = (expression: string, parameters: Record<string, string>) =>
      translateCondition(parseModel({ types: { user: {} }, conditions: { c: { parameters, expression } } }, 'm').conditions.get('c')!);
    const expiry = cond('now < timestamp("2026-01-01T00:00:00Z") && !(level >= 3)', { now: 'timestamp', level: 'int' });
    expect(expiry.render(() => 'context')).toBe('(context has "now" && context has "level" && ((context["now"] < datetime("2026-01-01T00:00:00.000Z")) && !((context["level"] >= 3))))');
    expect(
      cond('now - granted < duration("1h30m")', { now: 'timestamp', granted: 'timestamp' }).render((n) =>
        n === 'granted' ? { literal: 'datetime("2026-01-01T00:00:00.000Z")' } : 'context',
      ),
    ).toBe('(context has "now" && (context["now"].durationSince(datetime("2026-01-01T00:00:00.000Z")) < duration("5400000ms")))');
    expect(cond('region in allowed && name.startsWith("a*")', { region: 'string', allowed: 'list<string>', name: 'string' }).render(() => 'context')).toContain(
      'context["allowed"].contains(context["region"]) && (context["name"] like "a\\**")',
    );
    expect(cedarDurationText('1.5h')).toBe('5400000ms');
    expect(() => cond('ratio > 0.5', { ratio: 'double' })).toThrow(/no exact Cedar type/);
    expect(() => cond('name + "x" == "yx"', { name: 'string' })).toThrow(/'\+' on String and String has no Cedar translation/);
  });
});

describe('cedar engine (embedded cedar-wasm 4.13.0)', () => {
  let adapter: EngineAdapter;
  beforeAll(async () => {
    adapter = await startEngine('cedar');
    await adapter.loadModel(FOLDERS);
    await adapter.write([
      rel('group:eng#member@user:anne'),
      rel('group:all#member@group:eng#member'),
      rel('group:eng#member@group:all#member'), // a cycle: Cedar rejects cyclic parents, the slice collapses it
      rel('folder:root#viewer@group:all#member'),
      rel('folder:a#parent@folder:root'),
      rel('folder:root#parent@folder:a'), // another cycle
      rel('folder:a#owner@user:bob'),
      rel('folder:a#editor@user:bob'),
      rel('folder:a#blocked@user:anne'),
      rel('folder:pub#viewer@user:*'),
      { ...rel('folder:t#viewer@user:tim'), condition: { name: 'not_expired', parameters: { expires_at: '2026-01-01T00:00:00Z' } } },
    ]);
  });
  afterAll(() => adapter.stop());

  it('describes itself honestly', () => {
    const info = adapter.info();
    expect(info.version).toBe('4.13.0');
    expect(info.settings.library).toBe('@cedar-policy/cedar-wasm 4.13.0 (Cedar on WebAssembly, in process)');
    expect(info.settings.entities).toMatch(/^slice: per request/);
    expect(adapter.readDecisionLog).toBeUndefined();
  });

  it.each([
    ['user:anne', 'view', 'folder:a', true], // nested groups through a cycle, then parent->view through another
    ['user:anne', 'read', 'folder:a', false], // exclusion
    ['user:bob', 'read', 'folder:a', true],
    ['user:bob', 'edit', 'folder:a', true], // intersection
    ['user:anne', 'edit', 'folder:a', false],
    ['user:zed', 'view', 'folder:pub', true], // wildcard
    ['user:zed', 'view', 'folder:a', false],
    ['user:anne', 'member', 'group:all', true],
    ['user:anne', 'nonsense', 'folder:a', false],
  ])('%s %s %s -> %s', async (subject, action, resource, allowed) => {
    const decision = await adapter.check(req(subject, action, resource));
    expect(decision.error).toBeUndefined();
    expect(decision.allowed).toBe(allowed);
  });

  it("keeps Cedar's determining policies as the reason", async () => {
    expect((await adapter.check(req('user:bob', 'edit', 'folder:a'))).reason).toBe("cedar: allow, determined by 'folder.edit'");
    expect((await adapter.check(req('user:anne', 'read', 'folder:a'))).reason).toBe('cedar: deny, no permit policy satisfied for user:anne read folder:a');
  });

  it('evaluates conditions in Cedar, failing closed on a missing parameter', async () => {
    const before = await adapter.check(req('user:tim', 'view', 'folder:t', { now: '2025-06-01T00:00:00Z' }));
    expect(before).toMatchObject({ allowed: true, reason: "cedar: allow, determined by 'grant folder:t#viewer@user:tim folder.view'" });
    expect((await adapter.check(req('user:tim', 'view', 'folder:t', { now: '2026-06-01T00:00:00Z' }))).allowed).toBe(false);
    expect((await adapter.check(req('user:tim', 'view', 'folder:t'))).allowed).toBe(false);
    const invalid = await adapter.check(req('user:tim', 'view', 'folder:t', { now: 'yesterday' }));
    expect(invalid.allowed).toBe(false);
    expect(invalid.reason).toContain("context 'now': expected an RFC 3339 timestamp");
  });

  it('reports the slice building time apart, and gives the same answers with every entity', async () => {
    adapter.resetClientSideCost?.();
    await adapter.check(req('user:anne', 'view', 'folder:a'));
    const cost = adapter.clientSideCost!();
    expect(cost.label).toBe('entity slice building and context conversion');
    expect(cost.count).toBe(1);
    expect(cost.totalMs).toBeGreaterThan(0);
    const all = await startEngine('cedar', { settings: { entities: 'all' } });
    await all.loadModel(FOLDERS);
    await all.write([rel('group:eng#member@user:anne'), rel('folder:root#viewer@group:eng#member'), rel('folder:a#parent@folder:root'), rel('folder:root#parent@folder:a')]);
    expect(all.info().settings.entities).toMatch(/^all:/);
    expect((await all.check(req('user:anne', 'view', 'folder:a'))).allowed).toBe(true);
    expect((await all.check(req('user:bob', 'view', 'folder:a'))).allowed).toBe(false);
    await all.stop();
    await expect(startEngine('cedar', { settings: { entities: 'some' } })).rejects.toThrow(/entities/);
  });

  it('preparses grants per principal: 100 principals with a grant each, through a pool of 64 sets, answer right twice over', async () => {
    const grants = await startEngine('cedar');
    await grants.loadModel(FOLDERS);
    const until = (year: number) => ({ name: 'not_expired', parameters: { expires_at: `${year}-01-01T00:00:00Z` } });
    await grants.write(Array.from({ length: 100 }, (_, i) => ({ ...rel(`folder:f${i}#viewer@user:u${i}`), condition: until(i % 2 ? 2030 : 2020) })));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 100; i++) {
        const decision = await grants.check(req(`user:u${i}`, 'view', `folder:f${i}`, { now: '2026-01-01T00:00:00Z' }));
        expect(decision.allowed, `u${i}`).toBe(i % 2 === 1);
      }
    }
    expect((await grants.check(req('user:u1', 'view', 'folder:f3', { now: '2026-01-01T00:00:00Z' }))).allowed).toBe(false);
    await grants.delete([rel('folder:f1#viewer@user:u1')]);
    expect((await grants.check(req('user:u1', 'view', 'folder:f1', { now: '2026-01-01T00:00:00Z' }))).allowed).toBe(false);
    await grants.stop();
  });

  it('revokes at once (entity change and grant policy) and keeps relationships across a policy update', async () => {
    await adapter.delete([rel('folder:a#owner@user:bob')]);
    expect((await adapter.check(req('user:bob', 'edit', 'folder:a'))).allowed).toBe(false);
    await adapter.write([rel('folder:a#owner@user:bob')]);
    expect((await adapter.check(req('user:bob', 'edit', 'folder:a'))).allowed).toBe(true);
    await adapter.delete([rel('folder:t#viewer@user:tim')]);
    expect((await adapter.check(req('user:tim', 'view', 'folder:t', { now: '2025-06-01T00:00:00Z' }))).allowed).toBe(false);
    const tighter = model(`
types:
  user: {}
  group:
    relations:
      member: [user, group#member]
  folder:
    relations:
      parent: [folder]
      owner: [user]
      editor: [user]
      blocked: [user]
      viewer: [user]
    permissions:
      edit: editor
`);
    await adapter.updateModel!(tighter);
    expect((await adapter.check(req('user:bob', 'edit', 'folder:a'))).allowed).toBe(true);
    expect((await adapter.check(req('user:bob', 'view', 'folder:a'))).allowed).toBe(false);
    await adapter.updateModel!(FOLDERS);
    expect((await adapter.check(req('user:bob', 'view', 'folder:a'))).allowed).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// The naive way must answer as the slice does: random graphs with every entity passed.

describe('random graphs with entities=all: cedar agrees with the reference engine', () => {
  const engines = withReference('cedar', { settings: { entities: 'all' } });
  it('on the folder model (cycles, nested groups, wildcards, conditional grants, intersection, exclusion): 0 disagreements', async () => {
    expect(await randomGraphMismatches('cedar[entities=all]', engines, FOLDERS, 5, 5)).toEqual([]);
  }, 120_000);
});

// A richer model than the shared folders: tuple-to-userset terms inside an intersection and
// beside an exclusion, a userset naming a permission (team#staff), wildcards inside groups,
// conditional owner grants inside an intersection, cycles through parents and groups.
const RICH = model(`
types:
  user: {}
  group:
    relations:
      member: [user, 'user:*', group#member]
  team:
    relations:
      member: [user, group#member]
      lead: [user]
    permissions:
      staff: member | lead
  folder:
    relations:
      parent: [folder]
      team: [team]
      owner: [user, user with not_expired]
      viewer: [user, group#member, team#staff, 'user:*']
      banned: [user, group#member]
    permissions:
      view: owner | viewer | parent->view | team->staff
      edit: (viewer | team->lead) & owner
      read: (view - banned) | team->lead
      strict: view & viewer & team->member
conditions:
  not_expired:
    parameters: {now: timestamp, expires_at: timestamp}
    expression: now < expires_at
`);

function richGraph(random: (n: number) => number): Relationship[] {
  const users = ['u0', 'u1', 'u2', 'u3', 'u4'];
  const rels = new Map<string, Relationship>();
  const add = (r: Relationship) => rels.set(JSON.stringify([r.resource, r.relation, r.subject]), r);
  for (let i = 0; i < 30; i++) {
    const f = `folder:f${random(5)}`;
    const user = `user:${users[random(5)]}`;
    switch (random(11)) {
      case 0:
        add(rel(`group:g${random(3)}#member@${user}`));
        break;
      case 1:
        add(rel(`group:g${random(3)}#member@group:g${random(3)}#member`));
        break;
      case 2:
        add(rel(random(6) === 0 ? `group:g${random(3)}#member@user:*` : `team:t${random(3)}#member@group:g${random(3)}#member`));
        break;
      case 3:
        add(rel(`team:t${random(3)}#${random(2) ? 'member' : 'lead'}@${user}`));
        break;
      case 4:
        add(rel(`${f}#parent@folder:f${random(5)}`));
        break;
      case 5:
        add(rel(`${f}#team@team:t${random(3)}`));
        break;
      case 6:
        add(rel(`${f}#owner@${user}`));
        break;
      case 7:
        add({ ...rel(`${f}#owner@${user}`), condition: { name: 'not_expired', parameters: { expires_at: random(2) ? '2030-01-01T00:00:00Z' : '2020-01-01T00:00:00Z' } } });
        break;
      case 8:
        add(rel(`${f}#viewer@${[user, `group:g${random(3)}#member`, `team:t${random(3)}#staff`, 'user:*'][random(4)]}`));
        break;
      case 9:
        add(rel(`${f}#banned@${random(2) ? user : `group:g${random(3)}#member`}`));
        break;
      default:
        add(rel(`${f}#viewer@${user}`));
    }
  }
  return [...rels.values()];
}

describe('random graphs on a richer model: cedar agrees with the reference engine', () => {
  const engines = withReference('cedar');
  it('is supported, and 20 graphs x 150 checks give 0 disagreements', async () => {
    expect(translateModel(RICH).unsupported).toEqual([]);
    const random = lcg(104_729);
    const mismatches: string[] = [];
    let allowed = 0;
    for (let round = 0; round < 20; round++) {
      const relationships = richGraph(random);
      for (const engine of [engines.engine, engines.reference]) {
        await engine.loadModel(RICH);
        await engine.write(relationships);
      }
      for (const user of ['u0', 'u1', 'u2', 'u3', 'u4']) {
        for (let f = 0; f < 5; f++) {
          for (const action of ['view', 'edit', 'read', 'strict', 'owner', 'viewer']) {
            const request = req(`user:${user}`, action, `folder:f${f}`, random(4) ? { now: '2026-01-01T00:00:00Z' } : undefined);
            const [ours, theirs] = [await engines.engine.check(request), await engines.reference.check(request)];
            if (theirs.allowed) allowed++;
            if (ours.allowed !== theirs.allowed || ours.error)
              mismatches.push(`round ${round}: ${user} ${action} f${f}: cedar ${ours.allowed} ${ours.error ?? ''} reference ${theirs.allowed}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(allowed).toBeGreaterThan(500); // the graphs grant enough for the comparison to mean something
  }, 120_000);
});

// Found from outside: a negation rendered `!principal in resource[...]` negated the principal
// (Cedar's `!` binds tighter than `in`): every permission naming an exclusion failed with a type error.
describe('negations inside permissions that other permissions name', () => {
  const engines = withReference('cedar');
  it('decides as the reference engine', async () => {
    const m = model(`
types:
  user: {}
  doc:
    relations: {viewer: [user], blocked: [user], editor: [user], a: [user], b: [user]}
    permissions:
      view: viewer - blocked
      edit: view
      edit2: view | blocked
      edit3: editor & view
      edit4: editor & (a - b)
`);
    const rels = ['doc:1#viewer@user:anne', 'doc:1#editor@user:anne', 'doc:1#a@user:anne', 'doc:1#viewer@user:bob', 'doc:1#blocked@user:bob'].map(rel);
    const requests = ['anne', 'bob'].flatMap((u) => ['view', 'edit', 'edit2', 'edit3', 'edit4'].map((a) => req(`user:${u}`, a, 'doc:1')));
    for (const engine of [engines.engine, engines.reference]) {
      await engine.loadModel(m);
      await engine.write(rels);
    }
    const [got, want] = [await engines.engine.checkBatch(requests), await engines.reference.checkBatch(requests)];
    expect(got.map((d) => d.error)).toEqual(requests.map(() => undefined));
    expect(got.map((d) => d.allowed)).toEqual(want.map((d) => d.allowed));
    expect(want.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, true, false, false]);
  });
});
