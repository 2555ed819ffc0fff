// cerbos[authzen]: Cerbos's AuthZEN API against its gRPC API on the same policies and
// resolved attributes (test/helpers/authzen-layer.ts), and on the wire: one Cerbos, one HTTP
// client, its native JSON API (`POST /api/check/resources`) against `POST /access/v1/evaluation`.

import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTiming, interleave, scenarioRequests } from '../../src/authzen/layer-cost.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { exchange } from '../../src/engines/http-exchange.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import { resolveRelationships } from '../../src/runner/now.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { loadScenario } from '../../src/serve/command.ts';
import { describeNativeVsAuthzen } from '../../test/helpers/authzen-layer.ts';
import { startInstance } from '../../test/helpers/engines.ts';
import { model, rel, req } from '../../test/helpers/model.ts';
import { CerbosAdapter } from './adapter.ts';
import { toAuthzenRequest } from './authzen.ts';
import definition from './index.ts';
import { Resolver } from './resolver.ts';
import { translateModel } from './translate.ts';

await describeNativeVsAuthzen('cerbos', 'cerbos[authzen]', 20);

describe.skipIf(!isInstalled(definition))('Cerbos 0.55.0: the AuthZEN layer on the wire', () => {
  const adapter = new CerbosAdapter(definition, 'disk', 'authzen');
  let engine: EngineAdapter;
  let todo: Scenario;
  beforeAll(async () => {
    engine = await startInstance('cerbos[authzen]', adapter);
    [todo] = (await loadBundledScenarios(['authzen-todo'])) as [Scenario];
    await loadScenario(engine, todo);
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  });

  it('one server, one HTTP client: POST /api/check/resources against POST /access/v1/evaluation, interleaved', async () => {
    const { url, policyVersion } = adapter.servedAt();
    // The attributes the adapter sends, from the same resolver over the same relationships.
    const resolver = new Resolver(translateModel(todo.model, policyVersion).plan);
    resolver.write(resolveRelationships(todo.relationships));
    const pool = new Pool(url!, { connections: 1, pipelining: 1 });
    const post = async (path: string, body: unknown) => {
      const answer = await exchange(pool, { path, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (answer.status !== 200) throw new Error(`${path}: HTTP ${answer.status}: ${answer.text}`);
      return JSON.parse(answer.text) as { decision?: boolean; results?: { actions: Record<string, string> }[] };
    };
    const nativeCheck = async (r: CheckRequest) => {
      const { principal, resource } = resolver.resolve(r);
      const answer = await post('/api/check/resources', {
        requestId: 'wire',
        principal: { id: principal.id, roles: principal.roles, attr: principal.attr, policyVersion },
        resources: [{ actions: [r.action.name], resource: { kind: resource.kind, id: resource.id, attr: resource.attr, policyVersion } }],
      });
      return answer.results?.[0]?.actions[r.action.name] === 'EFFECT_ALLOW';
    };
    const authzenCheck = async (r: CheckRequest) => (await post('/access/v1/evaluation', toAuthzenRequest(resolver.resolve(r), r.action.name, { policyVersion }, r.subject.type))).decision;
    const requests = scenarioRequests(todo);
    try {
      for (const r of requests) expect(await authzenCheck(r), JSON.stringify(r)).toBe(await nativeCheck(r));
      const timing = await interleave(nativeCheck, authzenCheck, requests, 20);
      console.log(`Cerbos wire: ${formatTiming(timing, 'POST /api/check/resources', 'POST /access/v1/evaluation')}`);
      expect(timing.nativeLatency.count).toBe(20 * requests.length);
    } finally {
      await pool.close();
    }
  }, 120_000);
});

describe.skipIf(!isInstalled(definition))('Cerbos 0.55.0: AuthZEN batches that name one resource twice', () => {
  let engine: EngineAdapter;
  beforeAll(async () => {
    engine = await startInstance('cerbos[authzen]', new CerbosAdapter(definition, 'disk', 'authzen'));
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  });

  // Cerbos answers the items of one evaluations call that name the same resource with the
  // properties of one of them: a batch with two contexts (or two actions, whose unfoldings
  // differ) for one document got one answer for both until the adapter split such calls.
  it('each item is decided with its own context and action', async () => {
    await engine.loadModel(
      model(`
types:
  user: {}
  doc:
    relations: {viewer: [user with not_expired], parent: [doc], restricted: [user, doc#view]}
    permissions: {view: viewer - restricted, up: viewer | parent->up}
conditions:
  not_expired:
    parameters: {now: timestamp, expires_at: timestamp}
    expression: now < expires_at
`),
    );
    await engine.write([{ ...rel('doc:1#viewer@user:anne'), condition: { name: 'not_expired', parameters: { expires_at: '2030-01-01T00:00:00Z' } } }]);
    const decisions = await engine.checkBatch([
      req('user:anne', 'view', 'doc:1', { now: '2029-01-01T00:00:00Z' }),
      req('user:anne', 'view', 'doc:1', { now: '2031-01-01T00:00:00Z' }),
      req('user:anne', 'restricted', 'doc:1', { now: '2029-01-01T00:00:00Z' }),
      req('user:anne', 'up', 'doc:1', { now: '2029-01-01T00:00:00Z' }),
    ]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, false, false, true]);
  }, 120_000);
});
