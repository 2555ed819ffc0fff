// Cerbos adapter: translation and resolver unit tests, `cerbos compile` on the generated
// policies, then the real Cerbos PDP (never a mock) in both configurations: hand-made checks,
// and in the admin configuration every bundled scenario (the contract test, test/engines/contract.test.ts,
// runs them and the random graphs on the default configuration).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CerbosAdapter, decisionId, parseAuditLog, writePolicyDir } from './adapter.ts';
import definition from './index.ts';
import { Resolver } from './resolver.ts';
import { conditionCel, lookupReasons, PROBE_ROLE, replaceIdentifiers, resolverPlan, translateModel, unsupportedReasons } from './translate.ts';
import { unfold } from './unfold.ts';
import { MAX_LEVELS } from './unfolded-policy.ts';
import { LANGUAGE_FEATURES } from '../../test/helpers/language-features.ts';
import { FULL_LANGUAGE_YAML } from '../../test/helpers/random-graphs.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { knownIds } from '../../src/core/search.ts';
import { binaryPath } from '../../src/engines/paths.ts';
import type { Model } from '../../src/model/types.ts';
import { engineLogFile } from '../../src/runner/engine-session.ts';
import { scenarioModels } from '../../src/runner/run-scenario.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { startInstance } from '../../test/helpers/engines.ts';
import { KNOWN_UNSUPPORTED } from '../../test/helpers/known-unsupported.ts';
import { scenarioOutcome } from '../../test/helpers/scenario-check.ts';
import { foldersYaml, model, rel, req } from '../../test/helpers/model.ts';

const FOLDERS = model(
  foldersYaml({
    permissions: ['deep: (viewer | parent->deep) - blocked'],
    types: `  doc:
    relations:
      parent: [folder]
      owner: [user]
    permissions:
      view: owner | parent->view
`,
  }),
);

describe('Cerbos translation (pure)', () => {
  it('one resource policy per type, one rule per relation and permission, plus the load probe', () => {
    const { policies } = translateModel(FOLDERS, 'm1');
    expect([...policies.keys()].sort()).toEqual(['doc.yaml', 'folder.yaml', 'group.yaml']);
    const folder = policies.get('folder.yaml')!.resourcePolicy;
    expect(folder.resource).toBe('folder');
    expect(folder.version).toBe('m1');
    expect(folder.rules.map((r) => r.actions[0])).toEqual(['parent', 'owner', 'editor', 'blocked', 'viewer', 'view', 'edit', 'read', 'deep', '__authzbench_probe__']);
    const rule = (name: string) => folder.rules.find((r) => r.actions[0] === name)!.condition!.match.expr;
    // union with a self-recursive tuple-to-userset: the resolver's closure, evaluated in CEL
    expect(rule('view')).toMatch(/^\(\[request\.resource\.attr\.k\] \+ request\.resource\.attr\.n\[request\.resource\.attr\.k\]\.a\["parent"\]\)\.exists\(y\d+, /);
    // intersection and exclusion are CEL && and !
    expect(rule('edit')).toContain(') && (');
    expect(rule('read')).toContain(') && !(');
    // recursion under an exclusion: every path, the exclusion on every node of it
    expect(rule('deep')).toMatch(/\.p\["parent"\]\.exists\(path\d+, .*\.all\(z\d+, !\(/);
    // wildcard, userset membership, conditional tuple
    expect(rule('viewer')).toMatch(/(e\d+)\.s == request\.principal\.attr\.wild \|\| \1\.s in request\.principal\.attr\.m/);
    expect(rule('viewer')).toMatch(/e\d+\.c == "not_expired"/);
    // a non-recursive tuple-to-userset to another type, guarded by the type prefix
    const doc = policies.get('doc.yaml')!.resourcePolicy.rules.find((r) => r.actions[0] === 'view')!.condition!.match.expr;
    expect(doc).toMatch(/\.t\["parent"\]\.exists\(y\d+, \(y\d+\.startsWith\("folder:"\) && /);
  });

  it('plans what the resolver supplies: tuplesets, closures, paths, userset targets', () => {
    const plan = resolverPlan(FOLDERS);
    expect([...plan.tuplesets.get('folder')!]).toEqual(['parent']);
    expect([...plan.closures.get('folder')!]).toEqual(['parent']);
    expect([...plan.paths.get('folder')!]).toEqual(['parent']);
    expect([...plan.tuplesets.get('doc')!]).toEqual(['parent']);
    expect([...plan.closures.get('doc')!]).toEqual([]);
    expect([...plan.usersetTargets]).toEqual(['group#member']);
  });

  it('translates conditions: parameters from the relationship, then the context, typed, fail closed', () => {
    const cel = conditionCel(FOLDERS.conditions.get('not_expired')!, 'e');
    // A parameter missing from both is "no such key": an error, so undecided (no guard turns it into false).
    expect(cel).toBe(
      '((timestamp(("now" in e.p ? e.p["now"] : request.resource.attr.ctx["now"]))) < (timestamp(("expires_at" in e.p ? e.p["expires_at"] : request.resource.attr.ctx["expires_at"]))))',
    );
    expect(replaceIdentifiers('a.b + f(a) + "a" + x.size() + a', (id) => (id === 'a' ? 'A' : undefined))).toBe('A.b + f(A) + "a" + x.size() + A');
  });

  it('takes what lookups cannot flatten unfolded, and says why lookups cannot', () => {
    expect(unsupportedReasons(FOLDERS)).toEqual([]);
    expect(translateModel(FOLDERS, 'm1').plan.unfold).toBeUndefined();
    const mutual = model(`
types:
  user: {}
  a:
    relations: {r: [user], parent: [a]}
    permissions: {p: r | parent->q, q: parent->p}
`);
    expect(lookupReasons(mutual).join('\n')).toMatch(/recursion: a#p -> a#q -> a#p/);
    expect(unsupportedReasons(mutual)).toEqual([]);
    const unfolded = translateModel(mutual, 'm1');
    expect(unfolded.plan.unfold?.levels).toBe(MAX_LEVELS);
    const rule = unfolded.policies.get('a.yaml')!.resourcePolicy;
    expect(rule.rules.find((r) => r.actions[0] === 'p')!.condition!.match.expr).toBe('V.allowed');
    expect(rule.variables!.local.allowed).toMatch(/^\(R\.attr\.u\.k in V\.ands\) != /);
    // A userset naming a permission: fine when it is a union of relations over users, not when those relations hold usersets.
    const permissionUserset = (member: string) =>
      model(`
types:
  user: {}
  team:
    relations: {member: ${member}, lead: [user]}
    permissions: {everyone: member | lead}
  doc:
    relations: {viewer: [team#everyone]}
`);
    expect(lookupReasons(permissionUserset('[user, user:*]'))).toEqual([]);
    expect(lookupReasons(permissionUserset('[user, team#everyone]'))).toContainEqual(
      expect.stringMatching(
        /^usersets: doc#viewer allows team#everyone, a permission: .* \(its relation team#member allows the userset team#everyone, through which a cycle would be undecided\)$/,
      ),
    );
    const r = new Resolver(resolverPlan(permissionUserset('[user, user:*]')));
    r.write(['team:t#lead@user:anne', 'team:open#member@user:*', 'doc:1#viewer@team:t#everyone'].map(rel));
    expect((r.principal(req('user:anne', 'viewer', 'doc:1')).attr.m as string[]).sort()).toEqual(['team:open#everyone', 'team:open#member', 'team:t#everyone', 'team:t#lead']);
  });
});

describe('Cerbos resolver (lookups only)', () => {
  it('search candidates (its relationships) include subjects named only in conditional relationships', () => {
    const r = new Resolver(resolverPlan(FOLDERS));
    r.write([rel('folder:x#viewer@user:anne'), { resource: { type: 'folder', id: 'y' }, relation: 'viewer', subject: { type: 'user', id: 'dan' }, condition: { name: 'c' } }]);
    expect(knownIds(r.relationships(), 'user').sort()).toEqual(['anne', 'dan']);
  });

  it('memberships are transitive through nested groups and wildcards, and cycle-safe', () => {
    const r = new Resolver(resolverPlan(FOLDERS));
    r.write(['group:a#member@user:anne', 'group:b#member@group:a#member', 'group:a#member@group:b#member', 'group:c#member@user:*', 'folder:x#viewer@user:anne'].map(rel));
    const p = r.principal(req('user:anne', 'view', 'folder:x'));
    expect((p.attr.m as string[]).sort()).toEqual(['group:a#member', 'group:b#member', 'group:c#member']);
    r.delete([rel('group:a#member@user:anne')]);
    expect(r.principal(req('user:anne', 'view', 'folder:x')).attr.m).toEqual(['group:c#member']);
  });

  it('the node table holds every object on the tupleset chains, with closures and paths', () => {
    const r = new Resolver(resolverPlan(FOLDERS));
    r.write(['folder:f2#parent@folder:f1', 'folder:f3#parent@folder:f2', 'folder:f1#parent@folder:f3', 'doc:d#parent@folder:f3', 'folder:f1#owner@user:o'].map(rel));
    const res = r.resolve(req('user:o', 'view', 'doc:d'));
    const nodes = res.resource.attr.n as Record<string, { a: Record<string, string[]>; p: Record<string, string[][]>; t: Record<string, string[]>; r: Record<string, unknown[]> }>;
    expect(Object.keys(nodes).sort()).toEqual(['doc:d', 'folder:f1', 'folder:f2', 'folder:f3']);
    expect(nodes['doc:d']!.t.parent).toEqual(['folder:f3']);
    expect(nodes['folder:f3']!.a.parent!.sort()).toEqual(['folder:f1', 'folder:f2', 'folder:f3']);
    expect(nodes['folder:f3']!.p.parent).toEqual([['folder:f3'], ['folder:f3', 'folder:f2'], ['folder:f3', 'folder:f2', 'folder:f1']]);
    expect(nodes['folder:f1']!.r.owner).toEqual([{ s: 'user:o' }]);
    expect(r.stats().count).toBe(1);
  });

  it('parses the file audit log, one entry per resource and action, batch items apart', () => {
    const line = JSON.stringify({
      callId: 'C1',
      timestamp: '2026-01-01T00:00:00Z',
      checkResources: {
        inputs: [
          { principal: { id: 'anne', roles: ['user'] }, resource: { kind: 'doc', id: '1', attr: { ctx: { ip: 'x' } } }, actions: ['view'] },
          { principal: { id: 'anne', roles: ['user'] }, resource: { kind: 'doc', id: '2', attr: { ctx: {} } }, actions: ['view'] },
        ],
        outputs: [{ actions: { view: { effect: 'EFFECT_ALLOW', policy: 'resource.doc.vm1' } } }, { actions: { view: { effect: 'EFFECT_DENY', policy: 'resource.doc.vm1' } } }],
      },
    });
    const entries = parseAuditLog(`${line}\n`);
    expect(entries).toEqual([
      {
        decisionId: decisionId('C1', 0, 2),
        time: '2026-01-01T00:00:00Z',
        subject: 'user:anne',
        action: 'view',
        resource: 'doc:1',
        context: { ip: 'x' },
        allowed: true,
        reason: 'resource.doc.vm1',
      },
      { decisionId: 'C1/1', time: '2026-01-01T00:00:00Z', subject: 'user:anne', action: 'view', resource: 'doc:2', context: {}, allowed: false, reason: 'resource.doc.vm1' },
    ]);
  });
});

describe('Cerbos unfolding (relationships laid out for the unfolded policy)', () => {
  const CYCLE = model(`
types:
  user: {}
  doc:
    relations: {restricted: [user, doc#viewer], viewer_direct: [user, user with c], parent: [doc]}
    permissions: {viewer: viewer_direct - restricted, up: viewer_direct | parent->up}
conditions:
  c: {parameters: {ok: bool}, expression: ok}
`);
  const lay = (relationships: string[], name: string) => {
    const index = new Map<string, { s: string }[]>();
    for (const r of relationships.map(rel)) {
      const key = `${r.resource.type}:${r.resource.id}#${r.relation}`;
      index.set(key, [...(index.get(key) ?? []), { s: `${r.subject.type}:${r.subject.id}${r.subject.relation ? `#${r.subject.relation}` : ''}` }]);
    }
    return unfold(CYCLE, (object, relation) => index.get(`${object}#${relation}`) ?? [], { type: 'doc', id: '1', name }, { depth: 50, nodes: 1000, levels: 16 });
  };

  it('a cycle through two relations is a cut naming both; the subtracted operand is marked', () => {
    const tree = lay(['doc:1#viewer_direct@user:jon', 'doc:1#restricted@doc:1#viewer'], 'viewer');
    expect(tree).toEqual({
      k: 'doc#viewer',
      ch: [
        { k: 'doc#viewer_direct', ch: [{ k: '@tuple', ch: [], s: 'user:jon' }] },
        { k: 'doc#restricted', ch: [{ k: '@cut', ch: [], y: ['doc#viewer', 'doc#restricted'] }], i: 1 },
      ],
    });
  });

  it('unions are flattened: a chain of parents is one level of cuts and relationships', () => {
    const tree = lay(['doc:1#parent@doc:2', 'doc:2#parent@doc:1', 'doc:2#viewer_direct@user:ann'], 'up');
    expect(tree).toEqual({
      k: 'doc#up',
      ch: [
        { k: '@tuple', ch: [], s: 'user:ann' },
        { k: '@cut', ch: [], y: ['doc#up', 'doc#up'] },
      ],
    });
  });

  it('refuses an unfolding deeper than the policy evaluates, with the reason', () => {
    const chain = Array.from({ length: 10 }, (_, i) => `doc:${i + 1}#restricted@doc:${i + 2}#viewer`);
    expect(() => lay([...chain, 'doc:1#viewer_direct@user:jon'], 'viewer')).toThrow(/is \d+ levels deep; the Cerbos policy evaluates 16/);
  });
});

describe('cerbos compile accepts the generated policies', () => {
  it('for the test model, the language features and every bundled scenario model', async () => {
    const models: [string, Model][] = [
      ['folders', FOLDERS],
      ['full-language', model(FULL_LANGUAGE_YAML)],
      ...Object.entries(LANGUAGE_FEATURES).map(([name, yaml]): [string, Model] => [name, model(yaml)]),
    ];
    for (const s of await loadBundledScenarios()) scenarioModels(s).forEach((m, i) => models.push([`${s.id}-${i}`, m]));
    for (const [name, m] of models) {
      if (unsupportedReasons(m).length > 0) continue;
      const dir = mkdtempSync(path.join(tmpdir(), `cerbos-compile-${name}-`));
      try {
        writePolicyDir(dir, translateModel(m, 'm1').policies, true);
        const out = spawnSync(binaryPath(definition), ['compile', dir], { encoding: 'utf8' });
        expect(out.status, `${name}: ${out.stdout}${out.stderr}`).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 300_000);
});

for (const configuration of ['cerbos', 'cerbos[admin]']) {
  describe(`Cerbos PDP ${configuration}`, () => {
    let raw: CerbosAdapter;
    let cerbos: EngineAdapter;
    const resultsDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-cerbos-'));
    beforeAll(async () => {
      raw = new CerbosAdapter(definition, configuration === 'cerbos[admin]' ? 'admin' : 'disk');
      cerbos = await startInstance(configuration, raw, { resultsDir });
    }, 60_000);
    afterAll(async () => {
      await cerbos?.stop();
      rmSync(resultsDir, { recursive: true, force: true });
    }, 30_000);

    it('answers hand-made checks, keeps cerbosCallId, times the resolver, logs decisions', async () => {
      await cerbos.loadModel(FOLDERS);
      await cerbos.write(['folder:f1#viewer@user:anne', 'folder:f2#parent@folder:f1', 'doc:d#parent@folder:f2', 'folder:f2#blocked@user:anne'].map(rel));
      await cerbos.write([{ ...rel('folder:f3#viewer@user:tim'), condition: { name: 'not_expired', parameters: { expires_at: '2030-01-01T00:00:00Z' } } }]);
      const decisions = await cerbos.checkBatch([
        req('user:anne', 'view', 'doc:d'),
        req('user:anne', 'deep', 'folder:f2'),
        req('user:anne', 'deep', 'folder:f1'),
        req('user:tim', 'viewer', 'folder:f3', { now: '2029-01-01T00:00:00Z' }),
        req('user:tim', 'viewer', 'folder:f3', { now: '2031-01-01T00:00:00Z' }),
        req('user:tim', 'viewer', 'folder:f3'),
      ]);
      expect(decisions.map((d) => d.allowed)).toEqual([true, false, true, true, false, false]);
      expect(decisions.every((d) => d.decisionId && !d.error)).toBe(true);
      expect(raw.resolverStats().count).toBeGreaterThanOrEqual(6);
      // Cerbos writes its audit log asynchronously: poll, as the runner's expectLog step does.
      const logged = async () => {
        const log = await cerbos.readDecisionLog!();
        return decisions.filter((d) => log.some((e) => e.decisionId === d.decisionId && e.allowed === d.allowed)).length;
      };
      const deadline = Date.now() + 10_000;
      while ((await logged()) < decisions.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await logged()).toBe(decisions.length);
    }, 60_000);

    it('settles a policy write with its probe, and a relationship write without a call to Cerbos (it lives in the resolver)', async () => {
      // The probes the adapter sent, as Cerbos's own audit log holds them (readDecisionLog leaves them out).
      const probes = () =>
        readFileSync(engineLogFile(resultsDir, configuration, 'audit'), 'utf8')
          .split('\n')
          .filter((line) => line && (JSON.parse(line) as { checkResources?: { inputs?: { principal?: { id?: string } }[] } }).checkResources?.inputs?.[0]?.principal?.id === PROBE_ROLE)
          .length;
      // A check logged after the settle: the audit log is written in order, so every probe sent before it is there too.
      const probesUntilChecked = async (subject: string, allowed: boolean) => {
        const decision = await cerbos.check(req(subject, 'viewer', 'folder:settle'));
        expect(decision.allowed).toBe(allowed);
        const deadline = Date.now() + 10_000;
        while (!(await cerbos.readDecisionLog!()).some((e) => e.decisionId === decision.decisionId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        return probes();
      };
      await cerbos.loadModel(FOLDERS);
      const loaded = await probesUntilChecked('user:sam', false);
      await cerbos.settleModel!();
      await cerbos.write([rel('folder:settle#viewer@user:sam')]);
      await cerbos.settleModel!();
      expect(await probesUntilChecked('user:sam', true), 'probes after loadModel and a relationship write').toBe(loaded);
      await cerbos.updateModel!(FOLDERS);
      await cerbos.settleModel!();
      expect(await probesUntilChecked('user:sam', true), 'probes after a policy update').toBeGreaterThan(loaded);
    }, 60_000);

    // The unfolded translation split a userset key at its first '#': group:a#b#member was read
    // as group:a with relation 'b#member', so anne, a member of group 'a#b', was denied.
    it('unfolded: a userset whose group id holds # or : grants its members', async () => {
      await cerbos.loadModel(
        model(`
types:
  user: {}
  group:
    relations: {direct: [user], banned: [user]}
    permissions: {member: direct - banned}
  doc:
    relations: {viewer: [user, group#member]}
    permissions: {view: viewer}
`),
      );
      await cerbos.write(['group:a#b#direct@user:anne', 'doc:1#viewer@group:a#b#member', 'group:a#direct@user:carl', 'group:c:d#direct@user:bob', 'doc:2#viewer@group:c:d#member'].map(rel));
      const decisions = await cerbos.checkBatch([req('user:anne', 'view', 'doc:1'), req('user:carl', 'view', 'doc:1'), req('user:bob', 'view', 'doc:2'), req('user:anne', 'view', 'doc:2')]);
      expect(decisions.map((d) => [d.allowed, d.error])).toEqual([
        [true, undefined],
        [false, undefined],
        [true, undefined],
        [false, undefined],
      ]);
    }, 60_000);

    it.runIf(configuration === 'cerbos[admin]')(
      'passes every bundled scenario case',
      async () => {
        const wrong: string[] = [];
        for (const scenario of await loadBundledScenarios()) {
          const outcome = await scenarioOutcome(scenario, cerbos);
          const known = KNOWN_UNSUPPORTED[definition.id]?.[scenario.id];
          wrong.push(...outcome.wrong, ...outcome.unsupported.filter((u) => u !== known));
          if (scenario.id === 'authzen-todo') expect(outcome.passed).toBe(43);
        }
        expect(wrong).toEqual([]);
      },
      600_000,
    );
  });
}
