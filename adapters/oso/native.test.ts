// Oso native mode: the bundled native-documents scenario with its own Polar policy and facts
// (scenarios/native/native-documents.native/oso/) on the real embedded engine, and clear
// errors for bad native files.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OsoAdapter } from './adapter.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { EngineAdapter, NativeSpec } from '../../src/core/adapter.ts';
import { startInstance } from '../../test/helpers/engines.ts';
import definition from './index.ts';
import { rel, req } from '../../test/helpers/model.ts';

const SCENARIO = path.resolve(import.meta.dirname, '../../scenarios/native/native-documents.yaml');

describe('oso native mode', () => {
  let adapter: OsoAdapter;
  let engine: EngineAdapter;
  const dir = mkdtempSync(path.join(tmpdir(), 'oso-native-'));
  const spec = (s: Record<string, unknown>): NativeSpec => ({ spec: s, baseDir: dir, file: path.join(dir, 'scenario.yaml') });

  beforeAll(async () => {
    adapter = new OsoAdapter(definition);
    engine = await startInstance('oso', adapter, { resultsDir: dir });
  });
  afterAll(async () => {
    await engine.stop();
  });

  it('runs native-documents from its own Polar policy and facts: all 8 cases pass', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    expect(scenario.native.oso?.spec).toEqual({ policy: 'native-documents.native/oso/policy.polar', facts: 'native-documents.native/oso/facts.yaml' });
    const run = await runScenario(scenario, engine);
    expect(run.native).toBe(true);
    expect(run.cases).toHaveLength(8);
    expect(run.cases.map((c) => [c.step, c.status, c.message])).toEqual(run.cases.map((c) => [c.step, 'pass', c.message]));
    // The native policy was loaded, not a translation of the neutral model.
    expect(adapter.policy).toContain('resource Document {');
  });

  it('writes and deletes after loadNative reach the native policy', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    await adapter.loadNative(scenario.native.oso!);
    expect((await adapter.check(req('user:vera', 'view', 'document:d1'))).allowed).toBe(true);
    await adapter.delete([rel('document:d1#parent@folder:f1')]);
    expect((await adapter.check(req('user:vera', 'view', 'document:d1'))).allowed).toBe(false);
    await adapter.write([rel('document:d3#editor@user:vera')]);
    expect((await adapter.check(req('user:vera', 'view', 'document:d3'))).allowed).toBe(true);
  });

  it('reports a Polar syntax error with the file, line and column', async () => {
    writeFileSync(path.join(dir, 'bad.polar'), 'allow(actor, action, resource) if\n  actor = resource and and;\n');
    await expect(adapter.loadNative(spec({ policy: 'bad.polar' }))).rejects.toThrow(
      `${path.join(dir, 'bad.polar')}: Oso rejected the policy: did not expect to find the token 'and' at line 2, column 24 of file ${path.join(dir, 'bad.polar')}`,
    );
  });

  it('reports a missing file, an unregistered class and a bad fact clearly', async () => {
    await expect(adapter.loadNative(spec({ policy: 'nope.polar' }))).rejects.toThrow(`native.oso.policy: file not found: ${path.join(dir, 'nope.polar')}`);
    await expect(adapter.loadNative(spec({ facts: 'facts.yaml' }))).rejects.toThrow("native.oso.policy: missing 'policy'");
    writeFileSync(path.join(dir, 'actor.polar'), 'actor Person {}\nallow(_a, _b, _c) if false;\n');
    await expect(adapter.loadNative(spec({ policy: 'actor.polar' }))).rejects.toThrow(/Unregistered class: Person at line 1, column 1.*classes/);
    writeFileSync(path.join(dir, 'facts.yaml'), 'facts:\n  - doc:1#viewer\n');
    await expect(adapter.loadNative(spec({ policy: 'actor.polar', facts: 'facts.yaml' }))).rejects.toThrow(`${path.join(dir, 'facts.yaml')} at facts[0]: cannot read fact "doc:1#viewer"`);
  });

  it('runs a scenario with a broken native policy as a setup error naming the file', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    writeFileSync(path.join(dir, 'bad.polar'), 'allow(actor, action, resource) if\n  actor = resource and and;\n');
    const broken = { ...scenario, native: { oso: spec({ policy: 'bad.polar' }) } };
    const run = await runScenario(broken, engine);
    expect(run.cases).toHaveLength(1);
    expect(run.cases[0]!.status).toBe('error');
    expect(run.cases[0]!.message).toContain(`setup failed: ${path.join(dir, 'bad.polar')}: Oso rejected the policy`);
  });
});
