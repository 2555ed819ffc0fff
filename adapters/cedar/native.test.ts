// Cedar native mode: the bundled native-documents scenario with its own Cedar policies,
// entities and schema (scenarios/native/native-documents.native/cedar/) on the real embedded
// engine, and clear errors for bad native files.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineAdapter, NativeSpec } from '../../src/core/adapter.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { startInstance } from '../../test/helpers/engines.ts';
import { rel, req } from '../../test/helpers/model.ts';
import { CedarAdapter } from './adapter.ts';
import definition from './index.ts';

const SCENARIO = path.resolve(import.meta.dirname, '../../scenarios/native/native-documents.yaml');

describe('cedar native mode', () => {
  let adapter: CedarAdapter;
  let engine: EngineAdapter;
  const dir = mkdtempSync(path.join(tmpdir(), 'cedar-native-'));
  const spec = (s: Record<string, unknown>): NativeSpec => ({ spec: s, baseDir: dir, file: path.join(dir, 'scenario.yaml') });
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  beforeAll(async () => {
    adapter = new CedarAdapter(definition);
    engine = await startInstance('cedar', adapter, { resultsDir: dir });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('runs native-documents from its own Cedar policies, entities and schema: all 8 cases pass', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    expect(scenario.native.cedar?.spec).toEqual({
      policies: 'native-documents.native/cedar/policies.cedar',
      entities: 'native-documents.native/cedar/entities.json',
      schema: 'native-documents.native/cedar/schema.cedarschema',
    });
    const run = await runScenario(scenario, engine);
    expect(run.native).toBe(true);
    expect(run.cases).toHaveLength(8);
    expect(run.cases.map((c) => [c.step, c.status, c.message])).toEqual(run.cases.map((c) => [c.step, 'pass', c.message]));
    // The native schema was loaded, not a translation of the neutral model; the reason names the user's policy.
    expect(adapter.schema).toContain('entity document in [folder]');
    expect((await adapter.check(req('user:vera', 'view', 'document:d1'))).reason).toBe("cedar: allow, determined by 'view through the folder'");
  });

  it('says that relationship writes do not reach native entities', async () => {
    await expect(adapter.write([rel('document:d1#viewer@user:vic')])).rejects.toThrow(/native mode: the entities come from the native entities file/);
  });

  it('reports a Cedar syntax error, a schema violation, bad entities and a missing file clearly', async () => {
    write('bad.cedar', 'permit(principal, action, resource) when { principal == };');
    await expect(adapter.loadNative(spec({ policies: 'bad.cedar' }))).rejects.toThrow(
      `${path.join(dir, 'bad.cedar')}: Cedar rejected the policies: failed to parse policies from string: unexpected token \`}\``,
    );
    write('ok.cedar', 'permit(principal, action == Action::"view", resource) when { resource.owner == principal };');
    write('schema.cedarschema', 'entity user; entity doc; action "view" appliesTo { principal: [user], resource: [doc] };');
    await expect(adapter.loadNative(spec({ policies: 'ok.cedar', schema: 'schema.cedarschema' }))).rejects.toThrow(
      new RegExp(`^${path.join(dir, 'ok.cedar')}: the policies do not validate against ${path.join(dir, 'schema.cedarschema')}: policy policy0: .*owner`),
    );
    write('entities.json', '{"uid": 1}');
    await expect(adapter.loadNative(spec({ policies: 'ok.cedar', entities: 'entities.json' }))).rejects.toThrow(`${path.join(dir, 'entities.json')}: expected a JSON list of Cedar entities`);
    await expect(adapter.loadNative(spec({ policies: 'nope.cedar' }))).rejects.toThrow(`native.cedar.policies: file not found: ${path.join(dir, 'nope.cedar')}`);
    await expect(adapter.loadNative(spec({ policy: 'ok.cedar' }))).rejects.toThrow("native.cedar.policy: unknown key 'policy'");
  });

  it('survives a trap inside cedar-wasm: a policy nested too deep is a bad input, and a fresh instance answers afterwards', async () => {
    const depth = 100_000;
    write('deep.cedar', `permit(principal, action, resource) when { ${'('.repeat(depth)}true${')'.repeat(depth)} };`);
    await expect(adapter.loadNative(spec({ policies: 'deep.cedar' }))).rejects.toThrow(
      `${path.join(dir, 'deep.cedar')}: Cedar could not read it: cedar-wasm trapped (Maximum call stack size exceeded); a fresh WebAssembly instance was loaded`,
    );
    // Without the fresh instance, every later call fails with "memory access out of bounds".
    const run = await runScenario(await loadScenarioFile(SCENARIO), engine);
    expect(run.cases.map((c) => c.status)).toEqual(Array(8).fill('pass'));
  });
});
