// OPA native mode against the real OPA server: the bundled native-documents scenario run from
// its own Rego policy and JSON data, clear errors for bad native files, and a switch back to
// the translated neutral model.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioFile, PROJECT_ROOT } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { withReference } from '../../test/helpers/conformance.ts';
import { rel, req } from '../../test/helpers/model.ts';

const SCENARIO_FILE = path.join(PROJECT_ROOT, 'scenarios/native/native-documents.yaml');

/** A NativeSpec over files written into a fresh folder. */
function nativeIn(files: Record<string, string>, spec: Record<string, unknown>): NativeSpec {
  const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-opa-native-files-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return { spec, baseDir: dir, file: path.join(dir, 'scenario.yaml') };
}

const GOOD_POLICY = 'package authzbench\n\ndefault allow := false\n\nallow if input.subject.id in data.native.users\n';

describe('OPA native mode (real OPA)', () => {
  const engines = withReference('opa');
  let scenario: Scenario;

  it('runs the bundled native-documents scenario from its Rego policy and JSON data: 8/8 pass', async () => {
    scenario = await loadScenarioFile(SCENARIO_FILE);
    expect(scenario.native.opa?.spec).toMatchObject({ policy: expect.stringContaining('opa/policy.rego'), data: expect.stringContaining('opa/data.json') });
    const run = await runScenario(scenario, engines.engine);
    expect(run.native).toBe(true);
    const checks = run.cases.filter((c) => c.kind === 'check');
    expect(checks).toHaveLength(8);
    expect(checks.map((c) => `${c.step}:${c.status}${c.message ? ` ${c.message}` : ''}`)).toEqual(checks.map((c) => `${c.step}:pass`));
    expect(run.cases).toHaveLength(8);
    // Same answers as the reference engine on the neutral model.
    const reference = await runScenario(scenario, engines.reference);
    expect(reference.cases.map((c) => c.status)).toEqual(run.cases.map((c) => c.status));
  }, 60_000);

  it('keeps decision logs: every native check reaches the collector', async () => {
    const engine = engines.engine;
    await engine.loadNative!(scenario.native.opa!);
    const decision = await engine.check(req('user:vera', 'view', 'document:d1'));
    expect(decision.allowed).toBe(true);
    expect(decision.decisionId).toBeTruthy();
    let entries = await engine.readDecisionLog!();
    for (let i = 0; i < 50 && !entries.some((e) => e.decisionId === decision.decisionId); i++) {
      await new Promise((r) => setTimeout(r, 100));
      entries = await engine.readDecisionLog!();
    }
    expect(entries.find((e) => e.decisionId === decision.decisionId)).toMatchObject({ subject: 'user:vera', action: 'view', resource: 'document:d1', allowed: true });
  }, 30_000);

  it('refuses writes in native mode with a clear error, and switches back to the neutral model', async () => {
    const engine = engines.engine;
    await engine.loadNative!(scenario.native.opa!);
    await expect(engine.write([rel('document:d2#viewer@user:ed')])).rejects.toThrow(/native mode: relationships cannot be written/);
    await engine.loadModel(scenario.model);
    await engine.write(scenario.relationships);
    expect((await engine.check(req('user:vera', 'view', 'document:d1'))).allowed).toBe(true);
    expect((await engine.check(req('user:vera', 'edit', 'document:d1'))).allowed).toBe(false);
    // And native again after the model (the translated data is cleared, no conflicts).
    await engine.loadNative!(scenario.native.opa!);
    expect((await engine.check(req('user:ed', 'edit', 'document:d1'))).allowed).toBe(true);
  }, 30_000);

  it('a Rego syntax error names the file, line and what is wrong', async () => {
    const native = nativeIn({ 'bad.rego': 'package authzbench\n\nallow if {\n  input.x ==\n}\n' }, { policy: 'bad.rego' });
    const error = await engines.engine.loadNative!(native).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/native opa policy .*bad\.rego: OPA rejected it: .*bad\.rego:5:1: rego_parse_error: unexpected } token/);
  });

  it('a type error (undefined function) is reported with its place in the file', async () => {
    const native = nativeIn({ 'p.rego': 'package authzbench\n\nallow if {\n  nope(1)\n}\n' }, { policy: 'p.rego' });
    await expect(engines.engine.loadNative!(native)).rejects.toThrow(/p\.rego:4:3: rego_type_error: undefined function nope/);
  });

  it('a missing file, bad JSON, wrong package, no allow rule or unknown key are clear errors', async () => {
    const engine = engines.engine;
    await expect(engine.loadNative!(nativeIn({}, { policy: 'missing.rego' }))).rejects.toThrow(/native\.opa\.policy: file not found: .*missing\.rego/);
    await expect(engine.loadNative!(nativeIn({ 'p.rego': GOOD_POLICY, 'd.json': '{"users": [' }, { policy: 'p.rego', data: 'd.json' }))).rejects.toThrow(
      /native\.opa\.data: .*d\.json is not valid JSON/,
    );
    await expect(engine.loadNative!(nativeIn({ 'p.rego': 'package other\n\nallow := true\n' }, { policy: 'p.rego' }))).rejects.toThrow(
      /native opa policy .*p\.rego: its package is 'other'.*write 'package authzbench'/,
    );
    await expect(engine.loadNative!(nativeIn({ 'p.rego': 'package authzbench\n\npermit := true\n' }, { policy: 'p.rego' }))).rejects.toThrow(/defines no rule 'allow'/);
    await expect(engine.loadNative!(nativeIn({ 'p.rego': GOOD_POLICY }, { policy: 'p.rego', rules: 'x' }))).rejects.toThrow(/unknown key\(s\) rules/);
  });

  it('loads a policy with data at a custom dataPath', async () => {
    const engine = engines.engine;
    const policy = 'package authzbench\n\ndefault allow := false\n\nallow if input.subject.id in data.acme.facts.users\n';
    await engine.loadNative!(nativeIn({ 'p.rego': policy, 'd.json': '{"users": ["ann"]}' }, { policy: 'p.rego', data: 'd.json', dataPath: 'acme.facts' }));
    expect((await engine.check(req('user:ann', 'view', 'doc:1'))).allowed).toBe(true);
    expect((await engine.check(req('user:bob', 'view', 'doc:1'))).allowed).toBe(false);
  });

  it('runScenario reports a bad native file as a setup error naming the file', async () => {
    const native = nativeIn({ 'bad.rego': 'package authzbench\nallow if {\n' }, { policy: 'bad.rego' });
    const run = await runScenario({ ...scenario, native: { opa: native } }, engines.engine);
    expect(run.native).toBeUndefined();
    expect(run.cases).toHaveLength(1);
    expect(run.cases[0]).toMatchObject({
      kind: 'scenario',
      status: 'error',
      message: expect.stringMatching(/setup failed: native opa policy .*bad\.rego: OPA rejected it: .*bad\.rego:\d+:\d+: rego_parse_error/),
    });
  });
});

describe('opa[bundle] and a native scenario (real OPA)', () => {
  const engines = withReference('opa[bundle]');

  it('runs the neutral model, as an engine without a native entry does (its bundle carries the translated model): 8/8 pass', async () => {
    const scenario = await loadScenarioFile(SCENARIO_FILE);
    expect(engines.engine.loadNative).toBeUndefined();
    const run = await runScenario(scenario, engines.engine);
    expect(run.native).toBeFalsy();
    expect(run.cases.map((c) => `${c.step}:${c.status}`)).toEqual(run.cases.map((c) => `${c.step}:pass`));
    expect(run.cases).toHaveLength(8);
    const reference = await runScenario(scenario, engines.reference);
    expect(reference.cases.map((c) => c.status)).toEqual(run.cases.map((c) => c.status));
  }, 60_000);
});
