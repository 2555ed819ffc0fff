// OpenFGA adapter: translation unit tests, then the real OpenFGA server (never a mock):
// hand-made checks, BatchCheck, policy update, the request log, the check query cache, store
// per tenant, and every bundled scenario on PostgreSQL. The contract test
// (test/engines/contract.test.ts) runs every bundled scenario and the random graphs on the default configuration.

import { listObjectsLimits, listObjectsTruncation } from './list-limits.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { OpenFgaClient } from '@openfga/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import definition from './index.ts';
import { parseRequestLog } from './decision-log.ts';
import { importOpenFgaStore, toFgaDsl } from './import.ts';
import { DEFAULT_OPENFGA_SETTINGS, openFgaRunArgs, openFgaServer } from './launcher.ts';
import { isImplicit, OpenFgaAdapter, serverSettings } from './adapter.ts';
import { SHARED_STORE, TenantRouter } from './tenant-stores.ts';
import { requestParameters, toCheck, toTupleKey, translateModel, unsupportedReasons } from './translate.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { PROJECT_ROOT, SCENARIOS_DIR } from '../../src/core/paths.ts';
import { formatRelationship, type Relationship } from '../../src/core/relationship.ts';
import { runScenario, type ScenarioRun } from '../../src/runner/run-scenario.ts';
import { loadBundledScenarios, loadScenarioFile } from '../../src/scenario/load.ts';
import { findPostgresBinDir } from '../../src/engines/postgres.ts';
import { startEngine, startInstance, useEngine } from '../../test/helpers/engines.ts';
import { KNOWN_UNSUPPORTED } from '../../test/helpers/known-unsupported.ts';
import { scenarioOutcome } from '../../test/helpers/scenario-check.ts';
import { foldersYaml, model, rel, req as request } from '../../test/helpers/model.ts';
import { expectRevocationByPolicyUpdate, FOLDER_CHECKS, writeFolderRelationships } from '../../test/helpers/folder-checks.ts';

const FOLDERS = model(foldersYaml({ permissions: ['deep: (viewer | parent->deep) - blocked'] }));

describe('OpenFGA translation (pure)', () => {
  it('writes relations as `this` with type restrictions and permissions as rewrites', () => {
    const json = translateModel(FOLDERS);
    expect(json.schema_version).toBe('1.1');
    expect(json.type_definitions.find((t) => t.type === 'user')).toEqual({ type: 'user' });
    const folder = json.type_definitions.find((t) => t.type === 'folder')!;
    expect(folder.relations!.viewer).toEqual({ this: {} });
    expect(folder.metadata!.relations.viewer!.directly_related_user_types).toEqual([
      { type: 'user' },
      { type: 'user', wildcard: {} },
      { type: 'group', relation: 'member' },
      { type: 'user', condition: 'not_expired' },
    ]);
    expect(folder.relations!.view).toEqual({
      union: {
        child: [
          { computedUserset: { relation: 'owner' } },
          { computedUserset: { relation: 'viewer' } },
          { tupleToUserset: { tupleset: { relation: 'parent' }, computedUserset: { relation: 'view' } } },
        ],
      },
    });
    expect(folder.relations!.edit).toEqual({ intersection: { child: [{ computedUserset: { relation: 'owner' } }, { computedUserset: { relation: 'editor' } }] } });
    expect(folder.relations!.read).toEqual({ difference: { base: { computedUserset: { relation: 'view' } }, subtract: { computedUserset: { relation: 'blocked' } } } });
    expect(folder.metadata!.relations.view).toBeUndefined();
    expect(json.conditions).toEqual({
      not_expired: {
        name: 'not_expired',
        expression: 'now < expires_at',
        parameters: { now: { type_name: 'TYPE_NAME_TIMESTAMP' }, expires_at: { type_name: 'TYPE_NAME_TIMESTAMP' } },
      },
    });
  });

  it('maps generic parameter types and fills subject/resource/context parameters from the request', () => {
    const m = model(`
types:
  user: {}
  doc:
    relations:
      viewer: [user with attrs]
conditions:
  attrs:
    parameters: {subject: "map<any>", resource: "map<any>", tags: "list<string>", d: duration}
    expression: 'subject.dept == resource.dept && "x" in tags'
`);
    expect(translateModel(m).conditions!.attrs!.parameters).toEqual({
      subject: { type_name: 'TYPE_NAME_MAP', generic_types: [{ type_name: 'TYPE_NAME_ANY' }] },
      resource: { type_name: 'TYPE_NAME_MAP', generic_types: [{ type_name: 'TYPE_NAME_ANY' }] },
      tags: { type_name: 'TYPE_NAME_LIST', generic_types: [{ type_name: 'TYPE_NAME_STRING' }] },
      d: { type_name: 'TYPE_NAME_DURATION' },
    });
    const params = requestParameters(m);
    expect([...params].sort()).toEqual(['resource', 'subject']);
    const check = toCheck(
      {
        subject: { type: 'user', id: 'anne', properties: { dept: 'eng' } },
        action: { name: 'viewer' },
        resource: { type: 'doc', id: '1', properties: { dept: 'ops' } },
        context: { tags: ['x'] },
      },
      params,
    );
    expect(check).toEqual({ user: 'user:anne', relation: 'viewer', object: 'doc:1', context: { tags: ['x'], subject: { dept: 'eng' }, resource: { dept: 'ops' } } });
    expect(toCheck(request('user:a', 'view', 'doc:1'), new Set())).toEqual({ user: 'user:a', relation: 'view', object: 'doc:1' });
  });

  it('turns relationships into tuples with condition context', () => {
    expect(toTupleKey(rel('doc:1#viewer@group:eng#member'))).toEqual({ user: 'group:eng#member', relation: 'viewer', object: 'doc:1' });
    expect(toTupleKey(rel('doc:1#viewer@user:*'))).toEqual({ user: 'user:*', relation: 'viewer', object: 'doc:1' });
    expect(toTupleKey({ ...rel('doc:1#viewer@user:a'), condition: { name: 'c', parameters: { x: 1 } } })).toEqual({
      user: 'user:a',
      relation: 'viewer',
      object: 'doc:1',
      condition: { name: 'c', context: { x: 1 } },
    });
  });

  it('leaves out self-referential userset tuples, which OpenFGA refuses as implicit', () => {
    expect(isImplicit(rel('group:g#member@group:g#member'))).toBe(true);
    expect(isImplicit(rel('group:g#member@group:h#member'))).toBe(false);
    expect(isImplicit(rel('group:g#owner@group:g#member'))).toBe(false);
  });

  it('reports tuplesets OpenFGA rejects as unsupported, with the reason', () => {
    expect(unsupportedReasons(FOLDERS)).toEqual([]);
    const m = model(`
types:
  user: {}
  group:
    relations: {member: [user]}
  folder:
    relations:
      parent: [folder, group#member]
      viewer: [user]
      owner: [folder, "user:*"]
    permissions:
      view: viewer | parent->view | owner->view
`);
    expect(unsupportedReasons(m)).toEqual([
      "tupleToUserset: tupleset relation 'folder.parent' allows group#member; OpenFGA rejects usersets and wildcards on a tupleset relation",
      "tupleToUserset: tupleset relation 'folder.owner' allows user:*; OpenFGA rejects usersets and wildcards on a tupleset relation",
    ]);
  });

  it('starts the server with explicit settings, bound to 127.0.0.1', () => {
    const listen = { host: '127.0.0.1', httpPort: 8080, grpcPort: 8081 };
    const plain = openFgaRunArgs({ ...serverSettings(), logLevel: 'info' }, listen);
    expect(plain).toContain('--http-addr=127.0.0.1:8080');
    expect(plain).toContain('--grpc-addr=127.0.0.1:8081');
    expect(plain).toContain('--log-format=json');
    expect(plain).toContain('--resolve-node-limit=50');
    expect(plain).toContain('--check-query-cache-enabled=false');
    const cached = openFgaRunArgs({ ...serverSettings('cache'), logLevel: 'info' }, listen);
    expect(cached).toContain('--check-query-cache-enabled=true');
    expect(cached).toContain('--check-query-cache-ttl=10s');
  });

  it('reads Check and BatchCheck lines of one store from the JSON request log', () => {
    const lines = [
      {
        msg: 'grpc_req_complete',
        timestamp: 1795922558.27,
        grpc_method: 'Check',
        store_id: 'S',
        request_id: 'r1',
        raw_request: { tuple_key: { user: 'user:a', relation: 'view', object: 'doc:1' }, context: { now: 'x' } },
        raw_response: { allowed: true },
      },
      {
        msg: 'grpc_req_complete',
        grpc_method: 'Check',
        store_id: 'OTHER',
        request_id: 'r2',
        raw_request: { tuple_key: { user: 'user:a', relation: 'view', object: 'doc:1' } },
        raw_response: { allowed: true },
      },
      { msg: 'grpc_req_complete', grpc_method: 'Write', store_id: 'S', request_id: 'r3' },
      {
        msg: 'grpc_req_complete',
        grpc_method: 'BatchCheck',
        store_id: 'S',
        request_id: 'r4',
        raw_request: {
          checks: [
            { tuple_key: { user: 'user:b', relation: 'view', object: 'doc:2' }, correlation_id: 'c1' },
            { tuple_key: { user: 'user:c', relation: 'x', object: 'doc:2' }, correlation_id: 'c2' },
          ],
        },
        raw_response: { result: { c1: { allowed: false }, c2: { error: { message: 'nope' } } } },
      },
    ];
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"msg":"grpc_req_comp';
    // A scenario's stores: several with store per tenant.
    expect(parseRequestLog(text, new Set(['S', 'OTHER'])).map((e) => e.decisionId)).toEqual(['r1', 'r2', 'c1', 'c2']);
    const entries = parseRequestLog(text, new Set(['S']));
    expect(entries).toEqual([
      { decisionId: 'r1', time: new Date(1795922558270).toISOString(), subject: 'user:a', action: 'view', resource: 'doc:1', context: { now: 'x' }, allowed: true, missing: ['reason'] },
      { decisionId: 'c1', subject: 'user:b', action: 'view', resource: 'doc:2', allowed: false, missing: ['reason'] },
      { decisionId: 'c2', subject: 'user:c', action: 'x', resource: 'doc:2', missing: ['reason', 'allowed'] },
    ]);
  });
});

// ---------------------------------------------------------------------------------------
// Store per tenant: the routing rule (pure)

describe('OpenFGA store per tenant: routing (pure)', () => {
  const rels = (...texts: string[]) => texts.map(rel);
  const byStoreText = (byStore: Map<string, Relationship[]>) => Object.fromEntries([...byStore].map(([store, list]) => [store, list.map(formatRelationship)]));

  it("sends a tenant's objects to its store only, shared objects to every store, and checks to the resource's tenant", () => {
    const router = new TenantRouter('tenant');
    const plan = router.planWrite(
      rels(
        'tenant:acme#member@user:alice',
        'document:acme/1#tenant@tenant:acme',
        'document:acme/1#owner@user:gina',
        'tenant:globex#admin@user:ben',
        'document:globex/1#tenant@tenant:globex',
        'group:eng#member@user:gus',
        'document:shared/1#viewer@tenant:acme#member',
      ),
    );
    expect(plan.newTenants).toEqual(['tenant:acme', 'tenant:globex']);
    expect(byStoreText(plan.byStore)).toEqual({
      'tenant:acme': [
        'tenant:acme#member@user:alice',
        'document:acme/1#tenant@tenant:acme',
        'document:acme/1#owner@user:gina',
        'group:eng#member@user:gus',
        'document:shared/1#viewer@tenant:acme#member',
      ],
      'tenant:globex': ['tenant:globex#admin@user:ben', 'document:globex/1#tenant@tenant:globex', 'group:eng#member@user:gus', 'document:shared/1#viewer@tenant:acme#member'],
      [SHARED_STORE]: ['group:eng#member@user:gus', 'document:shared/1#viewer@tenant:acme#member'],
    });
    const storeOf = (object: string) => router.storeFor(rel(`${object}#x@user:u`).resource);
    expect(['document:acme/1', 'tenant:globex', 'document:globex/1', 'group:eng', 'document:shared/1', 'document:nobody', 'tenant:initech'].map(storeOf)).toEqual([
      'tenant:acme',
      'tenant:globex',
      'tenant:globex',
      SHARED_STORE,
      SHARED_STORE, // a userset subject of the tenant type claims nothing
      SHARED_STORE,
      SHARED_STORE, // a tenant with no store yet
    ]);
    expect(router.allStores()).toEqual([SHARED_STORE, 'tenant:acme', 'tenant:globex']);
  });

  it('assigns tenants from the whole batch first: the tenant relationship may come last', () => {
    const router = new TenantRouter('tenant');
    const plan = router.planWrite(rels('document:acme/2#owner@user:amy', 'document:acme/2#guest@user:bob', 'document:acme/2#tenant@tenant:acme'));
    expect(plan.newTenants).toEqual(['tenant:acme']);
    expect(byStoreText(plan.byStore)).toEqual({ 'tenant:acme': ['document:acme/2#owner@user:amy', 'document:acme/2#guest@user:bob', 'document:acme/2#tenant@tenant:acme'] });
  });

  it('writes the shared relationships into a store created later, and deletes them from every store', () => {
    const router = new TenantRouter('tenant');
    router.planWrite(rels('group:eng#member@user:gus', 'document:acme/1#tenant@tenant:acme'));
    const later = router.planWrite(rels('document:globex/1#tenant@tenant:globex', 'document:globex/1#viewer@group:eng#member'));
    expect(later.newTenants).toEqual(['tenant:globex']);
    expect(byStoreText(later.byStore)).toEqual({ 'tenant:globex': ['group:eng#member@user:gus', 'document:globex/1#tenant@tenant:globex', 'document:globex/1#viewer@group:eng#member'] });

    const deletes = router.planDelete(rels('group:eng#member@user:gus', 'document:acme/1#tenant@tenant:acme', 'document:nobody#owner@user:x'));
    expect(byStoreText(deletes)).toEqual({
      [SHARED_STORE]: ['group:eng#member@user:gus', 'document:nobody#owner@user:x'],
      'tenant:acme': ['group:eng#member@user:gus', 'document:acme/1#tenant@tenant:acme'],
      'tenant:globex': ['group:eng#member@user:gus'],
    });
    // Deleted, so no longer replicated; and a deleted tenant relationship keeps the object in its tenant.
    expect(byStoreText(router.planWrite(rels('tenant:initech#member@user:ian')).byStore)).toEqual({ 'tenant:initech': ['tenant:initech#member@user:ian'] });
    expect(router.storeFor(rel('document:acme/1#x@user:u').resource)).toBe('tenant:acme');
  });

  it('refuses an object claimed by two tenants, naming both, and changes nothing', () => {
    const router = new TenantRouter('tenant');
    expect(() => router.planWrite(rels('tenant:acme#member@user:a', 'document:x/1#tenant@tenant:acme', 'document:x/1#tenant@tenant:globex'))).toThrow(
      'store per tenant cannot represent document:x/1: it belongs to tenant tenant:acme (document:x/1#tenant@tenant:acme) and to tenant tenant:globex (document:x/1#tenant@tenant:globex); each object must belong to one tenant',
    );
    expect(router.tenantStores()).toEqual([]);
    router.planWrite(rels('document:x/1#tenant@tenant:acme'));
    expect(() => router.planWrite(rels('document:x/1#parent@tenant:globex'))).toThrow(/document:x\/1: it belongs to tenant tenant:acme \(an earlier write\) and to tenant tenant:globex/);
    expect(() => router.planWrite(rels('tenant:acme#parent@tenant:globex'))).toThrow(/tenant:acme: it belongs to tenant tenant:acme \(it is a tenant\) and to tenant tenant:globex/);
    expect(router.tenantStores()).toEqual(['tenant:acme']);
  });
});

// ---------------------------------------------------------------------------------------
// Real OpenFGA

describe('OpenFGA server recipe', () => {
  it('flags bind every listener to the given host and turn extras off', () => {
    const args = openFgaRunArgs({ ...DEFAULT_OPENFGA_SETTINGS, checkQueryCache: true, checkQueryCacheTtl: '5s' }, { host: '127.0.0.1', httpPort: 1, grpcPort: 2 });
    expect(args).toEqual(
      expect.arrayContaining([
        '--http-addr=127.0.0.1:1',
        '--grpc-addr=127.0.0.1:2',
        '--playground-enabled=false',
        '--metrics-enabled=false',
        '--datastore-engine=memory',
        '--log-format=json',
        '--check-query-cache-enabled=true',
        '--check-query-cache-ttl=5s',
      ]),
    );
  });

  it('in a container: listens on all interfaces inside, pinned image; the postgres datastore runs locally only', () => {
    const inContainer = {
      host: '0.0.0.0',
      port: (n: string) => (n === 'http' ? 8080 : 8081),
      address: (n: string) => `0.0.0.0:${n === 'http' ? 8080 : 8081}`,
      file: (n: string) => `/config/${n}`,
      container: true,
    };
    const recipe = openFgaServer(definition, DEFAULT_OPENFGA_SETTINGS);
    expect(recipe.ports).toEqual({ http: { container: 8080 }, grpc: { container: 8081 } });
    expect(recipe.args(inContainer)).toEqual(
      expect.arrayContaining(['run', '--http-addr=0.0.0.0:8080', '--grpc-addr=0.0.0.0:8081', '--playground-enabled=false', '--datastore-engine=memory']),
    );
    expect(definition.image).toBe('openfga/openfga:v1.22.1');
    expect(openFgaServer(definition, serverSettings('postgres'), { datastoreUri: 'postgres://x' }).containerUnsupported).toMatch(/--launch local only/);
  });

  it('settings are frozen per configuration', () => {
    expect(serverSettings('postgres')).toEqual({ ...serverSettings(), datastore: 'postgres' });
    expect(serverSettings('cache').checkQueryCache).toBe(true);
    expect(serverSettings('cache-consistent').checkQueryCache).toBe(true);
    expect(Object.isFrozen(serverSettings())).toBe(true);
  });
});

describe('OpenFGA server', () => {
  const server = useEngine('openfga');
  let fga: EngineAdapter;
  beforeAll(() => {
    fga = server.engine;
  });

  it('reports its settings', () => {
    const info = fga.info();
    expect(info.id).toBe('openfga');
    expect(info.settings).toMatchObject({ consistency: 'MINIMIZE_LATENCY', checkQueryCache: false, datastore: 'memory', tenancy: 'tenant type in one store' });
    expect(Object.keys(definition.configurations ?? {})).toEqual(['cache', 'cache-consistent', 'store-per-tenant', 'postgres', 'authzen']);
  });

  it('ids longer than OpenFGA stores: the scenario is unsupported with the limit, and an object at the limit works', async () => {
    const { loadScenarioText } = await import('../../src/scenario/load.ts');
    const scenarioWith = (id: string, subject: string) =>
      loadScenarioText(
        `id: long-ids\ntitle: Long ids\nmodel:\n  types:\n    user: {}\n    doc:\n      relations: {viewer: [user]}\nrelationships: ['doc:${id}#viewer@user:${subject}']\nsteps:\n  - check: {subject: 'user:${subject}', action: viewer, resource: 'doc:${id}'}\n    expect: allow\n`,
        'long-ids.yaml',
      );
    // 'doc:' + 252 = 256 characters (the object limit); 'user:' + 507 = 512 (the user limit).
    const atLimit = await runScenario(await scenarioWith('d'.repeat(252), 'u'.repeat(507)), fga);
    expect(atLimit.cases.map((c) => c.status)).toEqual(['pass']);
    const over = await runScenario(await scenarioWith('d'.repeat(253), 'u'.repeat(508)), fga);
    expect(over.cases.map((c) => [c.status, c.message])).toEqual([
      [
        'unsupported',
        `object doc:${'d'.repeat(36)}… (257 characters): OpenFGA takes a tuple's object 'type:id' of at most 256 characters (its API's validation pattern); object user:${'u'.repeat(35)}… (513 characters): OpenFGA takes a tuple's user 'type:id' of at most 512 characters (its API's validation pattern)`,
      ],
    ]);
  });

  // OpenFGA refuses ':', '#', a space or a control character in an id (its tuple validation):
  // the scenario is unsupported with the character, not an error in setup; '@' and unicode pass.
  it('ids with a character OpenFGA refuses: the scenario is unsupported naming it', async () => {
    const { loadScenarioText } = await import('../../src/scenario/load.ts');
    const scenarioWith = (id: string) =>
      loadScenarioText(
        `id: odd-ids\ntitle: Odd ids\nmodel:\n  types:\n    user: {}\n    doc:\n      relations: {viewer: [user]}\nrelationships: [{resource: ${JSON.stringify(`doc:${id}`)}, relation: viewer, subject: user:anne}]\nsteps:\n  - check: {subject: user:anne, action: viewer, resource: {type: doc, id: ${JSON.stringify(id)}}}\n    expect: allow\n`,
        'odd-ids.yaml',
      );
    const outcome = async (id: string) => (await runScenario(await scenarioWith(id), fga)).cases.map((c) => [c.status, c.message ?? '']);
    expect(await outcome('a b')).toEqual([['unsupported', expect.stringContaining('"doc:a b": OpenFGA takes no space in an id')]]);
    expect(await outcome('a:b')).toEqual([['unsupported', expect.stringContaining("OpenFGA takes no ':' in an id")]]);
    expect(await outcome('a#b')).toEqual([['unsupported', expect.stringContaining("OpenFGA takes no '#' in an id")]]);
    expect(await outcome('tab\there')).toEqual([['unsupported', expect.stringContaining('OpenFGA takes no control character U+0009 in an id')]]);
    expect(await outcome('x@y.ünï')).toEqual([['pass', expect.any(String)]]);
  });

  it('answers rewrites, nested groups with cycles, wildcards, conditions and deletes', async () => {
    await fga.loadModel(FOLDERS);
    await writeFolderRelationships(fga);
    const cases = FOLDER_CHECKS;
    const batch = await fga.checkBatch(cases.map(([r]) => r));
    expect(batch.map((d) => d.error)).toEqual(cases.map(() => undefined));
    expect(batch.map((d) => d.allowed)).toEqual(cases.map(([, allowed]) => allowed));
    expect(batch[10]!.reason).toMatch(/missing context parameters/);
    expect(batch[11]!.reason).toMatch(/not in the model/);
    const single = await Promise.all(cases.map(([r]) => fga.check(r)));
    expect(single.map((d) => d.error)).toEqual(cases.map(() => undefined));
    expect(single.map((d) => d.allowed)).toEqual(cases.map(([, allowed]) => allowed));
    expect(single.every((d) => typeof d.decisionId === 'string')).toBe(true);

    await fga.delete([rel('group:b#member@group:c#member')]);
    expect((await fga.check(request('user:carl', 'view', 'folder:z'))).allowed).toBe(false);
    // Writing a tuple twice, deleting a missing one: no error.
    await fga.write([rel('folder:z#owner@user:olga'), rel('group:a#member@group:a#member')]);
    await fga.delete([rel('folder:none#owner@user:olga'), rel('group:a#member@group:a#member')]);
  });

  it('writes and batch-checks past the server limits (100 tuples per write, 50 checks per batch)', async () => {
    await fga.loadModel(FOLDERS);
    await fga.write(Array.from({ length: 250 }, (_, i) => rel(`folder:f${i}#owner@user:u${i}`)));
    const requests = Array.from({ length: 120 }, (_, i) => request(`user:u${i}`, 'view', `folder:f${i % 2 === 0 ? i : i + 1}`));
    const decisions = await fga.checkBatch(requests);
    expect(decisions.map((d) => d.allowed)).toEqual(requests.map((_, i) => i % 2 === 0));
  });

  it('revokes by policy update and keeps the relationships', async () => {
    await expectRevocationByPolicyUpdate(fga, FOLDERS);
  });

  it('passes subject and resource properties to conditions', async () => {
    await fga.loadModel(
      model(`
types:
  user: {}
  doc:
    relations:
      viewer: [user with same_dept]
conditions:
  same_dept:
    parameters: {subject: "map<any>", resource: "map<any>"}
    expression: subject.dept == resource.dept
`),
    );
    await fga.write([{ ...rel('doc:1#viewer@user:anne'), condition: { name: 'same_dept' } }]);
    const ask = (a: string, b: string) =>
      fga.check({ subject: { type: 'user', id: 'anne', properties: { dept: a } }, action: { name: 'viewer' }, resource: { type: 'doc', id: '1', properties: { dept: b } } });
    expect((await ask('eng', 'eng')).allowed).toBe(true);
    expect((await ask('eng', 'ops')).allowed).toBe(false);
  });

  it("reads OpenFGA's request log (not a decision log) and matches it by request id", async () => {
    expect(fga.decisionLog).toBe('request');
    await fga.loadModel(FOLDERS);
    await fga.write([rel('folder:log#owner@user:lea')]);
    const single = await fga.check(request('user:lea', 'view', 'folder:log', { now: '2026-01-01T00:00:00Z' }));
    const batch = await fga.checkBatch([request('user:max', 'view', 'folder:log'), request('user:lea', 'edit', 'folder:log')]);
    const entries = await fga.readDecisionLog!();
    expect(entries).toHaveLength(3);
    const lea = entries.find((e) => e.decisionId === single.decisionId)!;
    expect(lea).toMatchObject({ subject: 'user:lea', action: 'view', resource: 'folder:log', allowed: true, context: { now: '2026-01-01T00:00:00Z' } });
    expect(lea.missing).toEqual(['reason']);
    expect(entries.find((e) => e.decisionId === batch[0]!.decisionId)).toMatchObject({ subject: 'user:max', allowed: false });
    expect(entries.find((e) => e.decisionId === batch[1]!.decisionId)).toMatchObject({ subject: 'user:lea', action: 'edit', allowed: false });
    // A new store starts a new log.
    await fga.loadModel(FOLDERS);
    expect(await fga.readDecisionLog!()).toEqual([]);
  });

  it('reports health and memory', async () => {
    expect(await fga.health!()).toBeUndefined();
    expect(await fga.memoryBytes!()).toBeGreaterThan(1_000_000);
  });
});

describe('OpenFGA search', () => {
  const server = useEngine('openfga');
  const raised = useEngine('openfga', { settings: { listObjectsMaxResults: '5000', listObjectsDeadline: '30s' } });
  // agent:broad holds all 3 top folders of 10 subfolders x 40 documents: 1,200 documents, past OpenFGA's default --listObjects-max-results (1000).
  const corpus = () => loadScenarioFile(path.join(SCENARIOS_DIR, 'search/search-agent-retrieval.yaml'), { generateParams: { roots: 3, subfolders: 10, docs: 40, broadRoots: 3 } });

  it('a ListObjects answer at its result limit is reported truncated, never passed', async () => {
    const run = await runScenario(await corpus(), server.engine);
    const broad = run.cases.find((c) => c.kind === 'search' && c.name?.startsWith('agent:broad'))!;
    expect(broad).toMatchObject({ status: 'fail', message: expect.stringContaining('truncated: 1000 of 1200') });
    expect(run.cases.filter((c) => c !== broad).every((c) => c.status === 'pass')).toBe(true);
  }, 120_000);

  it('with the limit raised by --set (recorded with the run), the same answer is complete', async () => {
    expect(raised.engine.info().settings).toMatchObject({ listObjectsMaxResults: 5000, listObjectsDeadline: '30s' });
    const run = await runScenario(await corpus(), raised.engine);
    expect(run.cases.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(run.cases.find((c) => c.name?.startsWith('agent:broad'))).toMatchObject({ status: 'pass', expected: expect.stringContaining('and 1150 more') });
  }, 120_000);

  it('refuses a bad limit or deadline with the setting named', () => {
    expect(() => listObjectsLimits({ listObjectsMaxResults: '-1' })).toThrow(/listObjectsMaxResults=-1.*whole number/);
    expect(listObjectsTruncation(listObjectsLimits({ listObjectsMaxResults: '0' }), 100_000, 5)).toBeUndefined();
    expect(() => listObjectsLimits({ listObjectsDeadline: '3 seconds' })).toThrow(/listObjectsDeadline=3 seconds.*duration/);
    expect(listObjectsTruncation(listObjectsLimits({ listObjectsDeadline: '2s' }), 10, 1990)).toMatch(/deadline/);
    expect(listObjectsTruncation(listObjectsLimits({}), 10, 5)).toBeUndefined();
  });
});

describe('OpenFGA with the check query cache (configuration `cache`)', () => {
  const server = useEngine('openfga[cache]');

  it('answers from the cache after a revocation: stale allows are a finding', async () => {
    const fga = server.engine;
    expect(fga.info()).toMatchObject({ id: 'openfga[cache]', settings: { checkQueryCache: true, checkQueryCacheTtl: '10s', tenancy: 'tenant type in one store' } });
    await fga.loadModel(FOLDERS);
    await fga.write([rel('folder:c#viewer@user:cat')]);
    expect((await fga.check(request('user:cat', 'view', 'folder:c'))).allowed).toBe(true);
    await fga.delete([rel('folder:c#viewer@user:cat')]);
    expect((await fga.check(request('user:cat', 'view', 'folder:c'))).allowed).toBe(true);
  });
});

describe('OpenFGA with the cache on and HIGHER_CONSISTENCY checks (configuration `cache-consistent`)', () => {
  const server = useEngine('openfga[cache-consistent]');

  it('skips the cache: the check after a delete denies, as the documentation promises', async () => {
    const fga = server.engine;
    expect(fga.info()).toMatchObject({ id: 'openfga[cache-consistent]', settings: { consistency: 'HIGHER_CONSISTENCY', checkQueryCache: true } });
    expect(fga.info().consistency?.quote).toMatch(/skip the cache/);
    await fga.loadModel(FOLDERS);
    await fga.write([rel('folder:c#viewer@user:cat')]);
    expect((await fga.check(request('user:cat', 'view', 'folder:c'))).allowed).toBe(true);
    await fga.delete([rel('folder:c#viewer@user:cat')]);
    expect((await fga.check(request('user:cat', 'view', 'folder:c'))).allowed).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// Store per tenant on the real server: answers as the reference, and the stores really apart

const TENANT_DOCS_SOURCE = `
types:
  user: {}
  group:
    relations: {member: [user]}
  tenant:
    relations: {member: [user]}
  document:
    relations: {tenant: [tenant], viewer: [user, group#member]}
    permissions: {view: viewer | tenant->member}
tenancy: {type: tenant}
`;
const TENANT_DOCS = model(TENANT_DOCS_SOURCE);

describe('OpenFGA store per tenant (configuration `store-per-tenant`)', () => {
  let fga: EngineAdapter;
  let reference: EngineAdapter;
  let client: OpenFgaClient;
  beforeAll(async () => {
    // The adapter as definition.create('store-per-tenant') builds it, kept to look into the server's stores.
    const raw = new OpenFgaAdapter(definition, { configuration: 'store-per-tenant' });
    fga = await startInstance('openfga[store-per-tenant]', raw);
    client = new OpenFgaClient({ apiUrl: raw.serverUrl()! });
    reference = await startEngine('reference');
  }, 60_000);
  afterAll(async () => {
    await fga?.stop();
    await reference?.stop();
  }, 30_000);

  /** The stores on the server by name (each scenario's: `authz-bench-<time>`, then `authz-bench-<time> tenant/X`). */
  async function storesByName(): Promise<Map<string, string>> {
    const stores = new Map<string, string>();
    let continuationToken: string | undefined;
    do {
      const page = await client.listStores({ pageSize: 100, ...(continuationToken ? { continuationToken } : {}) });
      for (const store of page.stores) stores.set(store.name, store.id);
      continuationToken = page.continuation_token || undefined;
    } while (continuationToken);
    return stores;
  }

  /** Every tuple of one store, as `object#relation@user`, sorted. */
  async function tuplesOf(storeId: string): Promise<string[]> {
    const tuples: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await client.read({}, { storeId, pageSize: 100, ...(continuationToken ? { continuationToken } : {}) });
      for (const { key } of page.tuples) tuples.push(`${key.object}#${key.relation}@${key.user}`);
      continuationToken = page.continuation_token || undefined;
    } while (continuationToken);
    return tuples.sort();
  }

  /** The scenario's stores (the previous scenario's are deleted): `shared` and each tenant (`tenant:X`), to their tuples. */
  async function tuplesByStore(): Promise<Record<string, string[]>> {
    const stores = await storesByName();
    const prefix = [...stores.keys()].find((name) => !name.includes(' '))!;
    const out: Record<string, string[]> = {};
    for (const [name, id] of stores) {
      expect(name.startsWith(prefix)).toBe(true);
      out[name === prefix ? SHARED_STORE : name.slice(prefix.length + 1).replace('/', ':')] = await tuplesOf(id);
    }
    return out;
  }

  const decisions = (run: ScenarioRun) => run.cases.filter((c) => c.kind === 'check' || c.kind === 'batch').map((c) => `${c.step}.${c.item ?? 0} ${c.request}: ${c.actual}`);
  async function runBoth(file: string): Promise<ScenarioRun> {
    const scenario = await loadScenarioFile(path.join(SCENARIOS_DIR, file));
    const actual = await runScenario(scenario, fga);
    const expected = await runScenario(scenario, reference);
    expect(decisions(actual)).toEqual(decisions(expected));
    expect(actual.cases.filter((c) => c.status !== 'pass').map((c) => `${c.step} ${c.kind}: ${c.status} ${c.message ?? ''}`)).toEqual([]);
    return actual;
  }

  it('reports the tenancy design; the server runs with the default settings', () => {
    expect(fga.info()).toMatchObject({
      id: 'openfga[store-per-tenant]',
      settings: { tenancy: 'store per tenant (scenarios that declare tenancy; others one store)', checkQueryCache: false },
    });
    expect(serverSettings('store-per-tenant')).toEqual(serverSettings());
  });

  it('keeps each tenant in its own store, replicates shared relationships (also into a store created later), deletes them everywhere', async () => {
    await fga.loadModel(TENANT_DOCS);
    await fga.write(['document:acme/1#viewer@group:eng#member', 'document:acme/1#tenant@tenant:acme', 'tenant:acme#member@user:alice', 'group:eng#member@user:gus'].map(rel));
    await fga.write(['document:globex/1#tenant@tenant:globex', 'document:globex/1#viewer@group:eng#member', 'tenant:globex#member@user:bob'].map(rel));
    expect(await tuplesByStore()).toEqual({
      [SHARED_STORE]: ['group:eng#member@user:gus'],
      'tenant:acme': ['document:acme/1#tenant@tenant:acme', 'document:acme/1#viewer@group:eng#member', 'group:eng#member@user:gus', 'tenant:acme#member@user:alice'],
      'tenant:globex': ['document:globex/1#tenant@tenant:globex', 'document:globex/1#viewer@group:eng#member', 'group:eng#member@user:gus', 'tenant:globex#member@user:bob'],
    });

    const asked = [
      request('user:gus', 'view', 'document:acme/1'),
      request('user:alice', 'view', 'document:globex/1'),
      request('user:gus', 'view', 'document:globex/1'), // the group reached globex's store, created after it was written
      request('user:alice', 'view', 'document:acme/1'),
      request('user:bob', 'view', 'document:acme/1'),
      request('user:gus', 'member', 'group:eng'),
    ];
    const batch = await fga.checkBatch(asked);
    expect(batch.map((d) => d.allowed)).toEqual([true, false, true, true, false, true]);
    expect((await Promise.all(asked.map((r) => fga.check(r)))).map((d) => d.allowed)).toEqual([true, false, true, true, false, true]);
    // The request log is read across the scenario's stores: every batch item is there.
    const logged = new Set((await fga.readDecisionLog!()).map((e) => e.decisionId));
    expect(batch.filter((d) => !logged.has(d.decisionId))).toEqual([]);

    await fga.delete([rel('group:eng#member@user:gus')]);
    expect((await fga.checkBatch(asked.slice(0, 3))).map((d) => d.allowed)).toEqual([false, false, false]);
    expect(Object.values(await tuplesByStore()).flat()).not.toContain('group:eng#member@user:gus');

    await expect(fga.write([rel('document:acme/1#tenant@tenant:globex')])).rejects.toThrow(
      /cannot represent document:acme\/1: it belongs to tenant tenant:acme .* and to tenant tenant:globex/,
    );
  }, 60_000);

  it('writes a policy update to every store, and the new model to stores created after it', async () => {
    await fga.loadModel(TENANT_DOCS);
    await fga.write(['document:acme/1#tenant@tenant:acme', 'tenant:acme#member@user:alice'].map(rel));
    expect((await fga.check(request('user:alice', 'view', 'document:acme/1'))).allowed).toBe(true);
    // The same model without the tenant path: membership stops granting view.
    await fga.updateModel!(model(TENANT_DOCS_SOURCE.replace('view: viewer | tenant->member', 'view: viewer')));
    await fga.write(['document:initech/1#tenant@tenant:initech', 'tenant:initech#member@user:ian'].map(rel));
    expect((await fga.checkBatch([request('user:alice', 'view', 'document:acme/1'), request('user:ian', 'view', 'document:initech/1')])).map((d) => d.allowed)).toEqual([false, false]);
    expect(Object.keys(await tuplesByStore()).sort()).toEqual([SHARED_STORE, 'tenant:acme', 'tenant:initech']);
  }, 60_000);

  it('passes multi-tenancy-same-ids as the reference does, acme and globex in separate stores', async () => {
    await runBoth('multi-tenancy/multi-tenancy-same-ids.yaml');
    const stores = await tuplesByStore();
    expect(Object.keys(stores).sort()).toEqual([SHARED_STORE, 'tenant:acme', 'tenant:globex']);
    expect(stores[SHARED_STORE]).toEqual([]);
    expect(stores['tenant:acme']!.filter((t) => t.includes('globex'))).toEqual([]);
    expect(stores['tenant:globex']!.filter((t) => t.includes('acme'))).toEqual([]);
    expect(stores['tenant:globex']).toContain('document:globex/2#owner@user:gina');
  }, 120_000);

  it('passes multi-tenancy-many-tenants (bundled params: 10 tenants) as the reference does, one store per tenant', async () => {
    const run = await runBoth('multi-tenancy/multi-tenancy-many-tenants.yaml');
    expect(run.cases.filter((c) => c.status === 'pass').length).toBeGreaterThan(40);
    const stores = await tuplesByStore();
    const tenants = Array.from({ length: 10 }, (_, t) => `tenant:t${t}`);
    expect(Object.keys(stores).sort()).toEqual([SHARED_STORE, ...tenants].sort());
    for (const tenant of tenants) {
      const id = tenant.slice('tenant:'.length);
      // Every tuple in a tenant's store is on that tenant or one of its documents.
      expect(stores[tenant]!.filter((t) => !t.startsWith(`${tenant}#`) && !t.startsWith(`document:${id}/`))).toEqual([]);
      expect(stores[tenant]!.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it('runs a scenario without tenancy in one store: authzen-todo 43/43', async () => {
    const run = await runBoth('conformance/authzen-todo.yaml');
    expect(run.cases.filter((c) => (c.kind === 'check' || c.kind === 'batch') && c.status === 'pass').length).toBe(43);
    expect(Object.keys(await tuplesByStore())).toEqual([SHARED_STORE]);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------
// Native mode: the model in OpenFGA's DSL, and `import openfga STORE.fga.yaml`

describe('OpenFGA native mode and store import', () => {
  it('prints the translated model in the OpenFGA DSL', () => {
    const dsl = toFgaDsl(FOLDERS);
    expect(dsl).toContain('define viewer: [user, user:*, group#member, user with not_expired]');
    expect(dsl).toContain('define view: owner or viewer or view from parent');
    expect(dsl).toContain('define read: view but not blocked');
    expect(dsl).toContain('condition not_expired(');
  });

  const storeFile = path.join(PROJECT_ROOT, 'adapters/openfga/examples/docs.fga.yaml');

  it('imports a store file: mixed direct/computed relations split, test tuples written and removed', async () => {
    const scenario = parse(await importOpenFgaStore(storeFile));
    expect(scenario.id).toBe('docs');
    expect(scenario.model.types.folder.relations.viewer_direct).toEqual(['user', 'user:*', 'group#member', 'user with not_expired']);
    expect(scenario.model.types.folder.permissions).toEqual({ viewer: 'viewer_direct | owner | parent->viewer', can_read: 'viewer - blocked' });
    expect(scenario.relationships[0]).toBe('folder:root#viewer_direct@group:eng#member');
    expect(scenario.relationships[3]).toEqual({
      resource: 'folder:docs',
      relation: 'viewer_direct',
      subject: 'user:tim',
      condition: { name: 'not_expired', parameters: { expires_at: '2030-01-01T00:00:00Z' } },
    });
    const kinds = scenario.steps.map((s: Record<string, unknown>) => Object.keys(s).find((k) => k !== 'name' && k !== 'expect'));
    expect(kinds).toEqual(['check', 'check', 'check', 'write', 'check', 'check', 'delete', 'check', 'check', 'check']);
    expect(await importOpenFgaStore(storeFile)).toMatch(/^# Not imported \(no neutral step\): blocked: list_objects/);
  });

  const hasLoader = existsSync(path.join(PROJECT_ROOT, 'src/model/conditions.ts'));
  it.skipIf(!hasLoader)(
    'runs the imported scenario on OpenFGA: every assertion passes',
    async () => {
      const { loadScenarioText } = await import('../../src/scenario/load.ts');
      const { runScenario } = await import('../../src/runner/run-scenario.ts');
      const scenario = await loadScenarioText(await importOpenFgaStore(storeFile), 'docs.yaml');
      const fga = await startEngine('openfga');
      try {
        const run = await runScenario(scenario, fga);
        expect(run.cases.map((c) => `${c.step} ${c.status} ${c.message ?? ''}`).filter((c) => !c.includes(' pass '))).toEqual([]);
        expect(run.cases.filter((c) => c.kind === 'check').length).toBe(8);
      } finally {
        await fga.stop();
      }
    },
    60_000,
  );
});

// ---------------------------------------------------------------------------------------
// With the PostgreSQL datastore (a local PostgreSQL started for the server), where the machine has one

describe.skipIf('missing' in findPostgresBinDir())('OpenFGA on PostgreSQL (configuration `postgres`)', () => {
  const server = useEngine('openfga[postgres]');

  it('records the datastore and its version', () => {
    expect(server.engine.info()).toMatchObject({
      id: 'openfga[postgres]',
      settings: { datastore: expect.stringMatching(/^postgres \(PostgreSQL \d+\.\d+, local, default server settings\)$/) },
    });
  });

  it('passes every bundled scenario case (the request log aside: sampled, README)', async () => {
    const wrong: string[] = [];
    for (const scenario of await loadBundledScenarios()) {
      const outcome = await scenarioOutcome(scenario, server.engine);
      const known = KNOWN_UNSUPPORTED[definition.id]?.[scenario.id];
      wrong.push(...outcome.unsupported.filter((u) => u !== known), ...outcome.wrong.filter((w) => !/ expectLog fail/.test(w)));
      if (scenario.id === 'authzen-todo') expect(outcome.passed).toBe(43);
    }
    expect(wrong).toEqual([]);
  }, 600_000);
});
