// Cerbos native mode: the bundled native-documents scenario with its own hand-written Cerbos
// policies and attributes (scenarios/native/native-documents.native/cerbos/) on the real PDP, in
// both configurations (disk store with watch, Admin API), and clear errors for bad native files.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CerbosAdapter } from './adapter.ts';
import type { EngineAdapter, NativeSpec } from '../../src/core/adapter.ts';
import { startInstance } from '../../test/helpers/engines.ts';
import definition from './index.ts';
import { binaryPath } from '../../src/engines/paths.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { resolveRelationships } from '../../src/runner/now.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { allowNativePaths, clearAllowedNativePaths } from '../../src/scenario/native-files.ts';
import { rel, req } from '../../test/helpers/model.ts';

const SCENARIO = path.resolve(import.meta.dirname, '../../scenarios/native/native-documents.yaml');
const NATIVE = path.resolve(import.meta.dirname, '../../scenarios/native/native-documents.native/cerbos');

it('cerbos compile accepts the bundled native policies', () => {
  const out = spawnSync(binaryPath(definition), ['compile', path.join(NATIVE, 'policies')], { encoding: 'utf8' });
  expect(out.stdout + out.stderr).not.toMatch(/error/i);
  expect(out.status).toBe(0);
});

for (const mode of ['disk', 'admin'] as const) {
  describe(`cerbos native mode [${mode}]`, () => {
    let adapter: CerbosAdapter;
    let engine: EngineAdapter;
    const dir = mkdtempSync(path.join(tmpdir(), `cerbos-native-${mode}-`));
    const spec = (s: Record<string, unknown>): NativeSpec => ({ spec: s, baseDir: dir, file: path.join(dir, 'scenario.yaml') });
    /** A copy of the bundled native policies with one file replaced. */
    const broken = (name: string, file: string, text: string) => {
      const target = path.join(dir, name);
      cpSync(path.join(NATIVE, 'policies'), target, { recursive: true });
      writeFileSync(path.join(target, file), text);
      return target;
    };

    beforeAll(async () => {
      // The scenarios below live in a temporary folder and borrow the bundled files: allowed as with --allow-path.
      allowNativePaths([NATIVE]);
      adapter = new CerbosAdapter(definition, mode);
      engine = await startInstance(mode === 'admin' ? 'cerbos[admin]' : 'cerbos', adapter, { resultsDir: dir });
    }, 60_000);
    afterAll(async () => {
      clearAllowedNativePaths();
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs native-documents from its own Cerbos policies and attributes: all 8 cases pass', async () => {
      const scenario = await loadScenarioFile(SCENARIO);
      expect(scenario.native.cerbos?.spec).toEqual({ policies: 'native-documents.native/cerbos/policies', attributes: 'native-documents.native/cerbos/attributes.yaml' });
      const run = await runScenario(scenario, engine);
      expect(run.native).toBe(true);
      expect(run.cases).toHaveLength(8);
      expect(run.cases.map((c) => [c.step, c.status, c.message])).toEqual(run.cases.map((c) => [c.step, 'pass', c.message]));
      // The hand-written policy decided, not a translation of the neutral model.
      const decision = await adapter.check(req('user:vera', 'view', 'document:d1'));
      expect(decision).toMatchObject({ allowed: true, reason: 'a rule (policy resource.document.vdefault)' });
      expect(adapter.resolverStats().count).toBe(0);
    }, 60_000);

    it('refuses relationship writes in native mode and goes back to the neutral model on loadModel', async () => {
      const scenario = await loadScenarioFile(SCENARIO);
      await adapter.loadNative(scenario.native.cerbos!);
      await expect(adapter.write([rel('document:d2#editor@user:ed')])).rejects.toThrow(
        `Cerbos native mode: cannot write relationships; the facts are the static attributes of ${path.join(NATIVE, 'attributes.yaml')}`,
      );
      await adapter.loadModel(scenario.model);
      await adapter.write(resolveRelationships(scenario.relationships));
      await adapter.write([rel('document:d2#editor@user:ed')]);
      const decisions = await adapter.checkBatch([req('user:vera', 'view', 'document:d1'), req('user:ed', 'edit', 'document:d2'), req('user:vera', 'edit', 'document:d1')]);
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(decisions[0]!.reason).toMatch(/rule authzbench_view \(policy resource\.document\.vm\d+, generated policy \S+document\.yaml, rule authzbench_view at line \d+\)/);
    }, 60_000);

    it('reports a policy syntax error with the file, line and column', async () => {
      const folder = broken('syntax', 'folder.yaml', 'apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: folder\n  version: default\n  rules:\n    - actions: [view\n');
      await expect(adapter.loadNative(spec({ policies: 'syntax', attributes: path.join(NATIVE, 'attributes.yaml') }))).rejects.toThrow(
        new RegExp(`Cerbos rejected the native policies in ${folder}:\\n${path.join(folder, 'folder.yaml')}:6:\\d+: `),
      );
    });

    it('reports a policy compile error (unknown derived role) with the file and what is wrong', async () => {
      const text =
        'apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: document\n  version: default\n  importDerivedRoles: [document_roles]\n  rules:\n    - actions: [edit]\n      effect: EFFECT_ALLOW\n      derivedRoles: [boss]\n';
      const folder = broken('compile', 'document.yaml', text);
      await expect(adapter.loadNative(spec({ policies: 'compile' }))).rejects.toThrow(
        `${path.join(folder, 'document.yaml')}:9:22: unknown derived role: Derived role "boss" is not defined in any imports`,
      );
    });

    it('reports missing files and bad attributes clearly', async () => {
      await expect(adapter.loadNative(spec({ policies: 'nope' }))).rejects.toThrow(`native.cerbos.policies: file not found: ${path.join(dir, 'nope')}`);
      await expect(adapter.loadNative(spec({ attributes: 'a.yaml' }))).rejects.toThrow(`${path.join(dir, 'scenario.yaml')}: native.cerbos.policies: missing 'policies'`);
      await expect(adapter.loadNative(spec({ policies: NATIVE + '/policies', attributes: 'nope.yaml' }))).rejects.toThrow(
        `native.cerbos.attributes: file not found: ${path.join(dir, 'nope.yaml')}`,
      );
      writeFileSync(path.join(dir, 'attrs.yaml'), 'resources:\n  d1: {owner: olga}\n');
      await expect(adapter.loadNative(spec({ policies: NATIVE + '/policies', attributes: 'attrs.yaml' }))).rejects.toThrow(
        `${path.join(dir, 'attrs.yaml')} at resources.d1: expected a "type:id" key`,
      );
      writeFileSync(path.join(dir, 'attrs.yaml'), 'resources: {"document:d1": {owner: [olga}\n');
      await expect(adapter.loadNative(spec({ policies: NATIVE + '/policies', attributes: 'attrs.yaml' }))).rejects.toThrow(`${path.join(dir, 'attrs.yaml')}: not valid YAML`);
      mkdirSync(path.join(dir, 'empty'), { recursive: true });
      await expect(adapter.loadNative(spec({ policies: 'empty' }))).rejects.toThrow(`native.cerbos.policies: no resource policy (resourcePolicy) in ${path.join(dir, 'empty')}`);
    });

    it('runs a scenario with a broken native policy as a setup error naming the file', async () => {
      const scenario = await loadScenarioFile(SCENARIO);
      const folder = broken('setup', 'folder.yaml', 'apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: folder\n  rules: [\n');
      const run = await runScenario({ ...scenario, native: { cerbos: spec({ policies: 'setup' }) } }, engine);
      expect(run.cases).toHaveLength(1);
      expect(run.cases[0]!.status).toBe('error');
      expect(run.cases[0]!.message).toContain(`setup failed: Cerbos rejected the native policies in ${folder}:\n${path.join(folder, 'folder.yaml')}:`);
    });
  });
}
