// openfga[authzen]: OpenFGA's experimental AuthZEN API against its native API on the same
// data (test/helpers/authzen-layer.ts), and the AuthZEN findings on OpenFGA 1.22.1 stated as
// tests, so that a fixed one shows up here (and in README.md, "AuthZEN").

import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthzenClient } from '../../src/authzen/client.ts';
import { formatTiming, interleave, scenarioRequests } from '../../src/authzen/layer-cost.ts';
import { toWire } from '../../src/authzen/wire.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { exchange } from '../../src/engines/http-exchange.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { isInstalled } from '../../src/engines/paths.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { loadScenario } from '../../src/serve/command.ts';
import { describeNativeVsAuthzen } from '../../test/helpers/authzen-layer.ts';
import { startInstance } from '../../test/helpers/engines.ts';
import { OpenFgaAdapter } from './adapter.ts';
import { encodeId, storeMetadataUrl, toAuthzenRequest } from './authzen.ts';
import { toCheck } from './translate.ts';
import definition from './index.ts';

await describeNativeVsAuthzen('openfga', 'openfga[authzen]', 20);

describe.skipIf(!isInstalled(definition))('OpenFGA 1.22.1 AuthZEN findings', () => {
  const adapter = new OpenFgaAdapter(definition, { configuration: 'authzen' });
  let engine: EngineAdapter;
  let url: string;
  let store: string;
  let todo: Scenario;
  beforeAll(async () => {
    engine = await startInstance('openfga[authzen]', adapter);
    [todo] = (await loadBundledScenarios(['authzen-todo'])) as [Scenario];
    await loadScenario(engine, todo);
    url = adapter.serverUrl()!;
    // the newest store is the scenario's
    const stores = (await (await fetch(`${url}/stores`)).json()) as { stores: { id: string; created_at: string }[] };
    store = stores.stores.sort((a, b) => b.created_at.localeCompare(a.created_at))[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  });

  it('refuses resource ids with @ over AuthZEN (the native API accepts them); the configuration encodes ids', async () => {
    const client = new AuthzenClient(`${url}/stores/${store}`);
    try {
      const rick = { type: 'user', id: 'CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs' };
      const raw = await client.evaluate({ subject: rick, action: { name: 'can_read_user' }, resource: { type: 'user', id: 'beth@the-smiths.com' } });
      expect(raw.error).toMatch(/HTTP 400.*invalid Resource\.Id: value does not match regex pattern/);
      const encoded = await client.evaluate({ subject: rick, action: { name: 'can_read_user' }, resource: { type: 'user', id: encodeId('beth@the-smiths.com') } });
      expect(encoded).toMatchObject({ allowed: true });
      expect(encodeId('beth@the-smiths.com')).toBe('beth%40the-smiths.com');
    } finally {
      await client.close();
    }
  });

  it('answers with its own X-Request-ID instead of echoing the one sent', async () => {
    const client = new AuthzenClient(`${url}/stores/${store}`);
    try {
      await client.evaluate({ subject: { type: 'user', id: 'x' }, action: { name: 'can_read_user' }, resource: { type: 'user', id: 'y' } });
      expect(client.observations()).toEqual({ requests: 1, requestIdNotEchoed: 1 });
    } finally {
      await client.close();
    }
  });

  it("publishes a store's metadata at /.well-known/authzen-configuration/<store>, not where RFC 8615 puts it for its identifier <server>/stores/<store>", async () => {
    const rfc = await fetch(`${url}/.well-known/authzen-configuration/stores/${store}`);
    expect(rfc.status).toBe(404);
    const actual = await fetch(storeMetadataUrl(url, store));
    expect(actual.status).toBe(200);
    expect(await actual.json()).toMatchObject({ policy_decision_point: `${url}/stores/${store}`, access_evaluation_endpoint: `${url}/stores/${store}/access/v1/evaluation` });
  });
});

describe.skipIf(!isInstalled(definition))('OpenFGA 1.22.1: the AuthZEN layer on the wire', () => {
  let engine: EngineAdapter;
  let url: string;
  let store: string;
  let todo: Scenario;
  const adapter = new OpenFgaAdapter(definition, { configuration: 'authzen' });
  beforeAll(async () => {
    engine = await startInstance('openfga[authzen]', adapter);
    [todo] = (await loadBundledScenarios(['authzen-todo'])) as [Scenario];
    await loadScenario(engine, todo);
    url = adapter.serverUrl()!;
    const stores = (await (await fetch(`${url}/stores`)).json()) as { stores: { id: string; created_at: string }[] };
    store = stores.stores.sort((a, b) => b.created_at.localeCompare(a.created_at))[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  });

  it('one server, one store, one HTTP client: POST /check against POST /access/v1/evaluation, interleaved', async () => {
    // The same client for both (undici, keep-alive), so that only the server's two APIs differ.
    const pool = new Pool(url, { connections: 1, pipelining: 1 });
    const post = async (path: string, body: unknown) => {
      const answer = await exchange(pool, { path, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (answer.status !== 200) throw new Error(`${path}: HTTP ${answer.status}: ${answer.text}`);
      return JSON.parse(answer.text) as { allowed?: boolean; decision?: boolean };
    };
    const encoded = scenarioRequests(todo).map((r) => toAuthzenRequest(r, new Set()));
    const nativeCheck = (r: CheckRequest) => {
      const { context, ...tupleKey } = toCheck(r, new Set());
      return post(`/stores/${store}/check`, { tuple_key: tupleKey, ...(context ? { context } : {}) });
    };
    const authzenCheck = (r: CheckRequest) => post(`/stores/${store}/access/v1/evaluation`, toWire(r));
    try {
      for (const r of encoded) expect((await authzenCheck(r)).decision, JSON.stringify(r)).toBe((await nativeCheck(r)).allowed);
      const timing = await interleave(nativeCheck, authzenCheck, encoded, 20);
      console.log(`OpenFGA wire: ${formatTiming(timing, 'POST /check', 'POST /access/v1/evaluation')}`);
      expect(timing.nativeLatency.count).toBe(20 * encoded.length);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
