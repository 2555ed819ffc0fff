// OPA adapter: translation unit tests, the server's arguments, then the real OPA server
// (never a mock): hand-made checks, revocation, decision logs, the level limit, opa[nolog].
// Every bundled scenario and the random graphs run in the contract test (test/engines/contract.test.ts).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import definition from './index.ts';
import { OpaData } from './data.ts';
import { opaDecisionLogConfig, opaRunArgs, opaServer } from './launcher.ts';
import { closureOf, requiredLevels, translateModel, unsupportedReasons } from './translate.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { startServer } from '../../src/engines/server-engine.ts';
import { benchmarkScenario } from '../../src/runner/benchmark.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';
import { findScenarioFile } from '../../src/bench/curves.ts';
import { loadWithinBudget } from '../../src/bench/scale-load.ts';
import { describeRequest } from '../../src/core/request.ts';
import { resolveRelationships, resolveRequest } from '../../src/runner/now.ts';
import { startEngine, useEngine } from '../../test/helpers/engines.ts';
import { foldersYaml, model, rel, req as request } from '../../test/helpers/model.ts';
import { expectRevocationByPolicyUpdate, FOLDER_CHECKS, writeFolderRelationships } from '../../test/helpers/folder-checks.ts';

const FOLDERS = model(foldersYaml({ permissions: ['deep: (viewer | parent->deep) - blocked'] }));

describe('OPA translation (pure)', () => {
  it('folds unions and computed relations into closures; keeps intersection/exclusion opaque', () => {
    expect(closureOf(FOLDERS, 'folder', 'view')).toEqual({
      direct: ['owner', 'viewer'],
      ttu: [{ kind: 'tupleToUserset', tupleset: 'parent', computed: 'view' }],
      opaque: [],
      ownTtu: [{ tupleset: 'parent', computed: 'view' }],
    });
    const read = closureOf(FOLDERS, 'folder', 'read');
    expect(read.direct).toEqual([]);
    expect(read.opaque.map((o) => o.kind)).toEqual(['exclusion']);
  });

  it('generates a Rego v1 module with graph reachability and timestamp conditions', () => {
    const rego = translateModel(FOLDERS, { levels: 5 });
    expect(rego).toContain('package authzbench');
    expect(rego).toContain('default allow := false');
    expect(rego).toContain('graph.reachable(data.authzbench.g, {start})');
    expect(rego).toContain('v0 := time.parse_rfc3339_ns(p["now"])\n  v1 := time.parse_rfc3339_ns(p["expires_at"])\n  same_order_type(v0, v1)\n  v0 < v1');
    // The false side of the condition, for undecided-versus-false under exclusion.
    expect(rego).toContain('v2 := time.parse_rfc3339_ns(p["now"])\n  v3 := time.parse_rfc3339_ns(p["expires_at"])\n  same_order_type(v2, v3)\n  v2 >= v3');
    // `deep` recurses through an exclusion: the configured limit applies.
    expect(rego).toContain('allow if check_5(');
  });

  it('computes the levels a model needs', () => {
    expect(requiredLevels(FOLDERS)).toBe(Infinity);
    const flat = model(`
types:
  user: {}
  doc:
    relations: {owner: [user], blocked: [user], viewer: [user]}
    permissions:
      view: owner | viewer
      read: view - blocked
`);
    expect(requiredLevels(flat)).toBe(1);
    expect(translateModel(flat)).toContain('allow if check_1(');
  });

  it('translates the CEL subset and reports the rest as unsupported with the reason', () => {
    const m = model(`
types:
  user: {}
  doc:
    relations:
      owner: [user with ok, user with bad, user with worse]
conditions:
  ok:
    parameters: {subject: "map<any>", n: int, d: duration, t: timestamp}
    expression: '("admin" in subject.roles || subject.id == "x") && !(n == 3) && t + d > timestamp("2020-01-01T00:00:00Z")'
  bad:
    parameters: {x: "list<int>"}
    expression: 'x.exists(i, i > 1)'
  worse:
    parameters: {x: int}
    expression: 'x > 1 ? true : false'
`);
    const reasons = unsupportedReasons(m);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/condition 'bad' cannot be translated to Rego: function 'exists'/);
    expect(reasons[1]).toMatch(/condition 'worse'.*'\?:'/);
    const rego = translateModel(m);
    expect(rego).toMatch(/v\d+ := "admin"\n\s+v\d+ := p\["subject"\]\["roles"\]\n\s+cel_in\(v\d+, v\d+\)/);
    // `!(n == 3)` is `n != 3`: translated on its own, with no guard that could fail on a missing field.
    expect(rego).toMatch(/v\d+ := p\["n"\]\n\s+v\d+ := 3\n\s+v\d+ != v\d+/);
    expect(rego).toContain('time.parse_duration_ns(p["d"])');
  });

  it('turns writes and deletes into minimal JSON Patches with escaped paths and graph edges', () => {
    const data = new OpaData(FOLDERS);
    const first = data.write([rel('folder:a/b#parent@folder:root'), rel('folder:a/b#owner@user:anne')]);
    expect(first[0]).toEqual({ op: 'add', path: '/rels/folder', value: { 'a/b': { parent: { folder: { root: {} } } } } });
    expect(first[1]).toEqual({ op: 'add', path: '/rels/folder/a~1b/owner', value: { user: { anne: {} } } });
    // parent->view and parent->deep give edges from view and deep (deep's TTU is inside an exclusion: not an edge).
    expect(first.filter((o) => o.path.startsWith('/g/'))).toEqual([{ op: 'add', path: '/g/folder:a~1b#view', value: ['folder:root#view'] }]);
    const second = data.write([rel('group:eng#member@group:ops#member'), rel('folder:x#viewer@group:eng#member')]);
    // folder:x#view reaches group:eng#member through viewer, another relation: that edge is also in `gi`.
    expect(second.map((o) => o.path)).toEqual(['/rels/group', '/rels/folder/x', '/g/group:eng#member', '/g/folder:x#viewer', '/g/folder:x#view', '/gi/folder:x#view']);
    const removed = data.delete([rel('folder:a/b#parent@folder:root'), rel('folder:nope#owner@user:anne')]);
    expect(removed).toEqual([
      { op: 'remove', path: '/rels/folder/a~1b/parent/folder/root' },
      { op: 'remove', path: '/g/folder:a~1b#view' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------
// The server as the server-engine helper starts it

describe('OPA server recipe', () => {
  it('runs a loopback server with the version check off and the decision-log config', () => {
    expect(opaRunArgs({ addr: '127.0.0.1:9', configFile: '/c.json' })).toEqual([
      'run',
      '--server',
      '--addr',
      '127.0.0.1:9',
      '--skip-version-check',
      '--log-format',
      'json',
      '--log-level',
      'error',
      '--config-file',
      '/c.json',
    ]);
    const recipe = opaServer(definition, opaDecisionLogConfig('http://host.testcontainers.internal:9'));
    const inContainer = { host: '0.0.0.0', port: () => 8181, address: () => '0.0.0.0:8181', file: (n: string) => `/config/${n}`, container: true };
    expect(recipe.args(inContainer)).toEqual(expect.arrayContaining(['--addr', '0.0.0.0:8181', '--config-file', '/config/config.json']));
    expect(JSON.parse(recipe.files!(inContainer)['config.json']!).services.decisionlogs.url).toBe('http://host.testcontainers.internal:9');
    expect(definition).toMatchObject({ image: 'openpolicyagent/opa:1.22.4', version: '1.22.4' });
  });

  it('one real decision over plain HTTP; the url strategy on the same server, token from the environment', async () => {
    const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'authz-bench-opa-')), 'opa.log');
    const opa = await startServer(opaServer(definition, {}), { launch: { strategy: 'local' }, logFile });
    try {
      const post = async (url: string, body: unknown) =>
        (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ result: unknown }>;
      const put = await fetch(`${opa.url}/v1/policies/t`, {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: 'package t\n\ndefault allow := false\n\nallow if input.user == "anne"\n',
      });
      expect(put.status).toBe(200);
      expect((await post(`${opa.url}/v1/data/t/allow`, { input: { user: 'anne' } })).result).toBe(true);
      expect((await post(`${opa.url}/v1/data/t/allow`, { input: { user: 'bob' } })).result).toBe(false);
      process.env.AUTHZ_BENCH_OPA_TOKEN = 'test-token';
      const remote = await startServer(opaServer(definition, {}), { launch: { strategy: 'url', url: opa.url }, logFile }).finally(() => delete process.env.AUTHZ_BENCH_OPA_TOKEN);
      // The server by URL tells its version (opa.runtime() through the query API).
      expect(remote).toMatchObject({ launch: 'url', version: definition.version, headers: { authorization: 'Bearer test-token' } });
      await remote.stop();
      expect(await fetch(`${opa.url}/health`).then((r) => r.status)).toBe(200);
    } finally {
      await opa.stop();
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------
// Real OPA

describe('OPA server', () => {
  const server = useEngine('opa');

  it('answers rewrites, nested groups with cycles, wildcards, conditions and deletes', async () => {
    const opa = server.engine;
    await opa.loadModel(FOLDERS);
    await writeFolderRelationships(opa);
    const cases = FOLDER_CHECKS;
    const decisions = await opa.checkBatch(cases.map(([r]) => r));
    expect(decisions.map((d) => d.error)).toEqual(cases.map(() => undefined));
    expect(decisions.map((d) => d.allowed)).toEqual(cases.map(([, allowed]) => allowed));
    expect(decisions.every((d) => typeof d.decisionId === 'string')).toBe(true);

    await opa.delete([rel('group:b#member@group:c#member')]);
    expect((await opa.check(request('user:carl', 'view', 'folder:z'))).allowed).toBe(false);
  });

  // OPA URL-decodes a patch path's segments before RFC 6901's `~` escapes (its
  // ParsePatchPathEscaped): an id holding `%2F` was stored as `/`, and `100%` refused.
  it('writes, checks and deletes ids holding % escapes, a lone % and ~1 literally', async () => {
    const opa = server.engine;
    await opa.loadModel(FOLDERS);
    const ids = ['per%2F', '100%', 'a~1b', '%25'];
    await opa.write(ids.map((id) => rel(`folder:${id}#owner@user:${id}`)));
    const granted = await opa.checkBatch(ids.map((id) => request(`user:${id}`, 'view', `folder:${id}`)));
    expect(granted.map((d) => [d.allowed, d.error])).toEqual(ids.map(() => [true, undefined]));
    await opa.delete(ids.map((id) => rel(`folder:${id}#owner@user:${id}`)));
    const revoked = await opa.checkBatch(ids.map((id) => request(`user:${id}`, 'view', `folder:${id}`)));
    expect(revoked.map((d) => d.allowed)).toEqual(ids.map(() => false));
  });

  it('revokes by policy update and keeps the relationships', async () => {
    await expectRevocationByPolicyUpdate(server.engine, FOLDERS);
  });

  it("reads OPA's own decision log, delivered to the collector", async () => {
    const opa = server.engine;
    await opa.loadModel(FOLDERS);
    await opa.write([rel('folder:log#owner@user:lea')]);
    const sent = [request('user:lea', 'view', 'folder:log', { now: '2026-01-01T00:00:00Z' }), request('user:max', 'view', 'folder:log')];
    const decisions = await opa.checkBatch(sent);
    let entries = await opa.readDecisionLog!();
    const deadline = Date.now() + 10_000;
    while (entries.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      entries = await opa.readDecisionLog!();
    }
    expect(entries.map((e) => e.decisionId).sort()).toEqual(decisions.map((d) => d.decisionId).sort());
    const lea = entries.find((e) => e.decisionId === decisions[0]!.decisionId)!;
    expect(lea).toMatchObject({ subject: 'user:lea', action: 'view', resource: 'folder:log', allowed: true, context: { now: '2026-01-01T00:00:00Z' } });
    expect(lea.missing).toEqual(['reason']);
  }, 20_000);
});

describe('OPA server with a low level limit (--set levels=3)', () => {
  it('answers within the limit and reports a depth-limit error past it, never a silent answer', async () => {
    const opa = await startEngine('opa', { settings: { levels: '3' } });
    try {
      await opa.loadModel(FOLDERS);
      const chain = Array.from({ length: 8 }, (_, i) => rel(`folder:c${i + 1}#parent@folder:c${i}`));
      await opa.write([...chain, rel('folder:c0#viewer@user:vic')]);
      expect(await opa.check(request('user:vic', 'deep', 'folder:c1'))).toMatchObject({ allowed: true });
      const deep = await opa.check(request('user:vic', 'deep', 'folder:c8'));
      expect(deep.error).toMatch(/depth limit exceeded: .* more than 3 /);
      // `view` is a pure union: graph reachability, no limit.
      expect(await opa.check(request('user:vic', 'view', 'folder:c8'))).toMatchObject({ allowed: true });
    } finally {
      await opa.stop();
    }
  }, 60_000);
});

describe('OPA server without decision logs (opa[nolog])', () => {
  it('answers without decision ids and declares no log', async () => {
    const opa = await startEngine('opa[nolog]');
    try {
      expect(opa.info().id).toBe('opa[nolog]');
      expect(opa.decisionLog).toBe('none');
      await opa.loadModel(FOLDERS);
      await opa.write([rel('folder:a#owner@user:anne')]);
      const decision = await opa.check(request('user:anne', 'view', 'folder:a'));
      expect(decision.allowed).toBe(true);
      expect(decision.decisionId).toBeUndefined();
      expect(decision.reason).toMatch(/^OPA: data\.authzbench\.allow is true; generated policy \S+authzbench\.rego/);
    } finally {
      await opa.stop();
    }
  }, 60_000);
});

describe('OPA serving a polled bundle (opa[bundle])', () => {
  it('applies writes and a policy update at its next poll, and settles on the newest revision', async () => {
    const opa = await startEngine('opa[bundle]');
    try {
      expect(opa.info().settings.data).toMatch(/^bundle .* polled every 1 s/);
      expect(opa.info().consistency?.source).toMatch(/management-bundles/);
      // loadModel returns once OPA activated the bundle: the model is in force.
      await opa.loadModel(FOLDERS);
      await opa.write([rel('folder:b#viewer@user:bea')]);
      const published = performance.now();
      // Published, not yet polled: the grant arrives within one polling interval (1 s, plus the download).
      let allowed = false;
      while (!allowed && performance.now() - published < 5000) {
        allowed = (await opa.check(request('user:bea', 'view', 'folder:b'))).allowed;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(allowed).toBe(true);
      await opa.delete([rel('folder:b#viewer@user:bea')]);
      await opa.settleModel!();
      expect((await opa.check(request('user:bea', 'view', 'folder:b'))).allowed).toBe(false);
      // A policy update is a new revision too: served once settled.
      await opa.write([rel('folder:b#owner@user:bo')]);
      await opa.settleModel!();
      expect((await opa.check(request('user:bo', 'view', 'folder:b'))).allowed).toBe(true);
      await opa.updateModel!(model(foldersYaml().replace('view: owner | viewer | parent->view', 'view: viewer | parent->view')));
      await opa.settleModel!();
      expect((await opa.check(request('user:bo', 'view', 'folder:b'))).allowed).toBe(false);
    } finally {
      await opa.stop();
    }
  }, 60_000);

  it("times the run's benchmark on the data OPA serves, not before the poll that brings the relationships", async () => {
    const opa = await startEngine('opa[bundle]');
    try {
      const scenario = await loadScenarioText(
        `id: bundle-benchmark
title: Benchmarked right after the relationships are published
tags: [conformance]
model: {types: {user: {}, doc: {relations: {viewer: [user]}}}}
relationships: [doc:1#viewer@user:anne]
steps: [{check: {subject: user:anne, action: viewer, resource: doc:1}, expect: allow}]
`,
        'bundle-benchmark.yaml',
      );
      // The real engine, with the answers it gave the timed checks kept: the benchmark counts errors, not wrong answers.
      const answers: boolean[] = [];
      const recording: EngineAdapter = {
        ...opa,
        check: async (checked) => {
          const decision = await opa.check(checked);
          answers.push(decision.allowed);
          return decision;
        },
      };
      const performance = await benchmarkScenario(scenario, recording, { timeMs: 50, warmupMs: 0 });
      expect(performance?.errors).toBe(0);
      expect(answers.length).toBeGreaterThan(0);
      // Without the settle, every check within the first polling interval (1 s) denied: OPA still served the empty data.
      expect(answers.filter((allowed) => !allowed).length, 'timed checks that OPA answered before it had the relationships').toBe(0);
      // Settled, nothing is pending: settleModel asks OPA nothing (it returns even with OPA stopped).
      await opa.stop();
      await expect(opa.settleModel!()).resolves.toBeUndefined();
    } finally {
      await opa.stop();
    }
  }, 60_000);

  it("loads a dataset through its bulk path at scale (the data API is the bundle's there: the relationships ride the next bundle)", async () => {
    const opa = await startEngine('opa[bundle]');
    try {
      const params = { relationships: 1000, checks: 50 };
      const scenario = await loadScenarioFile((await findScenarioFile('scale-drive'))!, { generateParams: params });
      const outcome = await loadWithinBudget(opa, scenario.model, resolveRelationships(scenario.relationships), { timeMs: 60_000, memoryMiB: 4096 });
      expect(outcome).toMatchObject({ loaded: true });
      const checks = scenario.steps.filter((s) => s.kind === 'check');
      expect(checks.length).toBe(50);
      for (const step of checks) {
        expect((await opa.check(resolveRequest(step.request))).allowed, describeRequest(step.request)).toBe(step.expect === 'allow');
      }
    } finally {
      await opa.stop();
    }
  }, 60_000);
});
