// SpiceDB as a real server (`spicedb[server]`: the pinned binary as a local process, memory
// datastore; `spicedb[postgres]`: on a private local PostgreSQL): its flags, the preshared key,
// request ids as decision ids, the request log, and every bundled scenario and the random
// graphs against the reference engine (the contract test runs the embedded configuration).

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import definition from './index.ts';
import { parseRequestLog, structValue } from './decision-log.ts';
import { PRESHARED_KEY_ENV, serverSettings, spiceDbBinary, spiceDbServeArgs, spiceDbServer } from './launcher.ts';
import { SchemaNames } from './translate.ts';
import { findPostgresBinDir } from '../../src/engines/postgres.ts';
import { engineLogFile } from '../../src/runner/engine-session.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { withReference } from '../../test/helpers/conformance.ts';
import { useEngine } from '../../test/helpers/engines.ts';
import { FOLDER_CHECKS, writeFolderRelationships } from '../../test/helpers/folder-checks.ts';
import { foldersYaml, model, rel, req as request } from '../../test/helpers/model.ts';
import { randomGraphMismatches, withoutCycles } from '../../test/helpers/random-graphs.ts';
import { scenarioOutcome } from '../../test/helpers/scenario-check.ts';

const FOLDERS = model(foldersYaml({ permissions: ['deep: (viewer | parent->deep) - blocked'] }));
const installed = existsSync(spiceDbBinary());

describe('SpiceDB server flags and request log (pure)', () => {
  it('listens on loopback only, telemetry, metrics and the release check off, requests and responses logged as JSON', () => {
    const args = spiceDbServeArgs(serverSettings('server'), { host: '127.0.0.1', grpcPort: 50051, httpPort: 8443 });
    expect(args).toEqual([
      'serve',
      '--grpc-addr=127.0.0.1:50051',
      '--http-enabled',
      '--http-addr=127.0.0.1:8443',
      '--metrics-enabled=false',
      '--telemetry-endpoint=',
      '--skip-release-check',
      '--dispatch-cluster-enabled=false',
      '--datastore-engine=memory',
      '--datastore-revision-quantization-interval=5s',
      '--dispatch-max-depth=50',
      '--log-format=json',
      '--grpc-log-requests-enabled',
      '--grpc-log-responses-enabled',
    ]);
    // The key travels in the environment, never on the command line (ps would show it).
    expect(args.join(' ')).not.toMatch(/preshared/);
    expect(PRESHARED_KEY_ENV).toBe('SPICEDB_GRPC_PRESHARED_KEY');
    expect(() => spiceDbServeArgs(serverSettings('postgres'), { host: '127.0.0.1', grpcPort: 1, httpPort: 2 })).toThrow(/needs a datastore URI/);
  });

  it('in a container: the pinned image, health on the HTTP gateway; the postgres datastore runs locally only', () => {
    const recipe = spiceDbServer(definition, serverSettings('server'), { key: 'k' });
    expect(definition.image).toBe('authzed/spicedb:v1.56.2');
    expect(Object.keys(recipe.ports)).toEqual(['http', 'grpc']);
    expect(recipe.health.path).toBe('/healthz');
    expect(recipe.env).toEqual({ [PRESHARED_KEY_ENV]: 'k' });
    expect(spiceDbServer(definition, serverSettings('postgres'), { key: 'k', datastoreUri: 'postgres://x' }).containerUnsupported).toMatch(/--launch local only/);
  });

  it('reads CheckPermission and CheckBulkPermissions pairs, with neutral names and ids, from the request log', () => {
    const names = new SchemaNames(
      model(`
types:
  user: {}
  tool:
    relations: {assignee: [user]}
    permissions: {tools/call: assignee}
`),
    );
    const lines = [
      {
        message: 'request received',
        'grpc.method': 'CheckPermission',
        requestID: 'r1',
        'grpc.request.content': {
          resource: { object_type: 'tool', object_id: 'a=2eb' },
          permission: 'tools_call',
          subject: { object: { object_type: 'user', object_id: 'rick=40x' } },
          context: { fields: { now: { Kind: { StringValue: '2026-01-01T00:00:00Z' } } } },
        },
      },
      { message: 'response sent', 'grpc.method': 'CheckPermission', requestID: 'r1', time: '2026-11-30T04:44:24Z', 'grpc.response.content': { permissionship: 2 } },
      { message: 'request received', 'grpc.method': 'WriteRelationships', requestID: 'r2' },
      {
        message: 'request received',
        'grpc.method': 'CheckBulkPermissions',
        requestID: 'r3',
        'grpc.request.content': {
          items: [
            { resource: { object_type: 'tool', object_id: 'b' }, permission: 'assignee', subject: { object: { object_type: 'user', object_id: 'u' } } },
            { resource: { object_type: 'tool', object_id: 'c' }, permission: 'nosuch', subject: { object: { object_type: 'user', object_id: 'u' } } },
          ],
        },
      },
      {
        message: 'response sent',
        'grpc.method': 'CheckBulkPermissions',
        requestID: 'r3',
        'grpc.response.content': { pairs: [{ item: { permissionship: 1 } }, { error: { message: 'not found' } }] },
      },
    ];
    const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"message":"response se`;
    expect(parseRequestLog(text, names)).toEqual([
      {
        decisionId: 'r1',
        time: '2026-11-30T04:44:24Z',
        subject: 'user:rick@x',
        action: 'tools/call',
        resource: 'tool:a.b',
        context: { now: '2026-01-01T00:00:00Z' },
        allowed: true,
        missing: ['reason'],
      },
      { decisionId: 'r3/0', subject: 'user:u', action: 'assignee', resource: 'tool:b', allowed: false, missing: ['reason'] },
      { decisionId: 'r3/1', subject: 'user:u', action: 'nosuch', resource: 'tool:c', missing: ['reason', 'allowed'] },
    ]);
    expect(
      structValue({ fields: { l: { Kind: { ListValue: { values: [{ Kind: { NumberValue: 1 } }] } } }, m: { Kind: { StructValue: { fields: { b: { Kind: { BoolValue: true } } } } } } } }),
    ).toEqual({ l: [1], m: { b: true } });
  });
});

describe.skipIf(!installed)('SpiceDB server (configuration `server`)', () => {
  const resultsDir = mkdtempSync(path.join(tmpdir(), 'authz-bench-spicedb-server-'));
  const server = useEngine('spicedb[server]', { resultsDir });

  it('reports the pinned version, local launch, memory datastore and its request log', () => {
    expect(server.engine.info()).toMatchObject({ id: 'spicedb[server]', version: '1.56.2', launch: 'local', settings: { consistency: 'at_least_as_fresh', datastore: 'memory' } });
    expect(server.engine).toMatchObject({ embedded: false, decisionLog: 'request' });
  });

  it('answers the folder checks as the embedded engine does, with request ids as decision ids', async () => {
    await server.engine.loadModel(FOLDERS);
    await writeFolderRelationships(server.engine);
    const batch = await server.engine.checkBatch(FOLDER_CHECKS.map(([r]) => r));
    const single = await Promise.all(FOLDER_CHECKS.map(([r]) => server.engine.check(r)));
    for (const answers of [batch, single]) {
      // [4] walks the group cycle: SpiceDB's max-depth error (README, "Recursive data").
      expect(answers.map((d, i) => (i === 4 ? /max depth exceeded/.test(d.error ?? '') : d.allowed))).toEqual(FOLDER_CHECKS.map(([, allowed], i) => (i === 4 ? true : allowed)));
    }
    expect(single.every((d) => /^[a-z0-9]{20}$/.test(d.decisionId ?? ''))).toBe(true);
    expect(batch.map((d) => d.decisionId)).toEqual(batch.map((_, i) => `${batch[0]!.decisionId!.split('/')[0]}/${i}`));
  });

  it("reads the server's request log (not a decision log) and matches it by request id", async () => {
    await server.engine.loadModel(FOLDERS);
    await server.engine.write([rel('folder:log#owner@user:lea')]);
    const single = await server.engine.check(request('user:lea', 'view', 'folder:log', { now: '2026-01-01T00:00:00Z' }));
    const batch = await server.engine.checkBatch([request('user:max', 'view', 'folder:log'), request('user:lea', 'edit', 'folder:log')]);
    const entries = await server.engine.readDecisionLog!();
    expect(entries).toHaveLength(3);
    expect(entries.find((e) => e.decisionId === single.decisionId)).toMatchObject({
      subject: 'user:lea',
      action: 'view',
      resource: 'folder:log',
      allowed: true,
      context: { now: '2026-01-01T00:00:00Z' },
      missing: ['reason'],
    });
    expect(entries.find((e) => e.decisionId === batch[0]!.decisionId)).toMatchObject({ subject: 'user:max', allowed: false });
    expect(entries.find((e) => e.decisionId === batch[1]!.decisionId)).toMatchObject({ subject: 'user:lea', action: 'edit', allowed: false });
    // A new scenario starts a new log; the key never reaches it.
    await server.engine.loadModel(FOLDERS);
    expect(await server.engine.readDecisionLog!()).toEqual([]);
    const log = readFileSync(engineLogFile(resultsDir, 'spicedb[server]'), 'utf8');
    expect(log).toMatch(/"PresharedSecureKey":"\(sensitive\)"/);
  });

  it('reports health and memory', async () => {
    expect(await server.engine.health!()).toBeUndefined();
    expect(await server.engine.memoryBytes!()).toBeGreaterThan(10_000_000);
  });
});

/** Every bundled scenario passes (or is unsupported with a listed reason), AuthZEN Todo 43/43. */
async function expectBundledScenarios(engine: Parameters<typeof scenarioOutcome>[1]): Promise<void> {
  const wrong: string[] = [];
  for (const scenario of await loadBundledScenarios()) {
    const outcome = await scenarioOutcome(scenario, engine);
    wrong.push(...outcome.unsupported, ...outcome.wrong);
    if (scenario.id === 'authzen-todo') expect(outcome.passed).toBe(43);
  }
  expect(wrong).toEqual([]);
}

describe.skipIf(!installed)('spicedb[server]: bundled scenarios and random graphs', () => {
  const engines = withReference('spicedb[server]');

  it('passes every bundled scenario case, the audit steps included (the request log holds every check)', async () => {
    await expectBundledScenarios(engines.engine);
  }, 600_000);

  it('agrees on every check of the 15 random graphs without their cycle-closing relationships', async () => {
    expect(await randomGraphMismatches('spicedb[server]', engines, FOLDERS, 7, 15, withoutCycles)).toEqual([]);
  }, 180_000);
});

describe.skipIf(!installed || 'missing' in findPostgresBinDir())('SpiceDB on PostgreSQL (configuration `postgres`)', () => {
  const server = useEngine('spicedb[postgres]');

  it('records the datastore and its version', () => {
    expect(server.engine.info()).toMatchObject({
      id: 'spicedb[postgres]',
      settings: { datastore: expect.stringMatching(/^postgres \(PostgreSQL \d+\.\d+, local, default server settings\)$/) },
    });
  });

  it('passes every bundled scenario case', async () => {
    await expectBundledScenarios(server.engine);
  }, 600_000);
});
