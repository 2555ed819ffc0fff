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
