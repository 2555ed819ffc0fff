// OpenFGA native mode: the bundled native-documents scenario with its own DSL model and tuples
// (scenarios/native/native-documents.native/openfga/) on the real OpenFGA server, and clear
// errors for bad native files.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFgaAdapter } from './adapter.ts';
import definition from './index.ts';
import { parseTuples, readNativeOpenFga } from './native.ts';
import type { EngineAdapter, NativeSpec } from '../../src/core/adapter.ts';
import { startInstance } from '../../test/helpers/engines.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { rel, req } from '../../test/helpers/model.ts';

const SCENARIO = path.resolve(import.meta.dirname, '../../scenarios/native/native-documents.yaml');
const GOOD_MODEL = 'model\n  schema 1.1\n\ntype user\n\ntype doc\n  relations\n    define viewer: [user]\n';

describe('openfga native mode: reading the files (no server)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'openfga-native-read-'));
  const spec = (s: Record<string, unknown>): NativeSpec => ({ spec: s, baseDir: dir, file: path.join(dir, 'scenario.yaml') });

  it('reads the bundled model and tuples', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    const files = await readNativeOpenFga(scenario.native.openfga!);
    expect(files.model.type_definitions.map((t) => t.type)).toEqual(['user', 'folder', 'document']);
    expect(files.tuples).toHaveLength(5);
    expect(files.tuples[1]).toEqual({ user: 'folder:f1', relation: 'parent', object: 'document:d1' });
  });

  it('names the file, line and column of a DSL syntax error', async () => {
    const file = path.join(dir, 'bad.fga');
    writeFileSync(file, 'model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user] orr\n');
    await expect(readNativeOpenFga(spec({ model: 'bad.fga' }))).rejects.toThrow(`${file}: not a valid OpenFGA model: line 6, column 26: mismatched input`);
  });

  it('reports missing keys and files, unknown keys and bad tuples', async () => {
    await expect(readNativeOpenFga(spec({ model: 'nope.fga' }))).rejects.toThrow(`native.openfga.model: file not found: ${path.join(dir, 'nope.fga')}`);
    await expect(readNativeOpenFga(spec({ tuples: 't.yaml' }))).rejects.toThrow("native.openfga.model: missing 'model'");
    await expect(readNativeOpenFga(spec({ model: 'm.fga', policy: 'x' }))).rejects.toThrow("native.openfga.policy: unknown key 'policy'");
    expect(() => parseTuples('- {user: "user:a", relation: viewer}\n', 't.yaml')).toThrow('t.yaml at [0].object: missing or not a string: undefined');
    expect(() => parseTuples('- "doc:1#viewer@user:a"\n', 't.yaml')).toThrow('t.yaml at [0]: expected a tuple');
    expect(parseTuples('tuples:\n  - {user: "user:a", relation: viewer, object: "doc:1", condition: {name: c, context: {x: 1}}}\n', 's.fga.yaml')).toEqual([
      { user: 'user:a', relation: 'viewer', object: 'doc:1', condition: { name: 'c', context: { x: 1 } } },
    ]);
  });
});

describe('openfga native mode on the real server', () => {
  let adapter: OpenFgaAdapter;
  let engine: EngineAdapter;
  const dir = mkdtempSync(path.join(tmpdir(), 'openfga-native-'));
  const spec = (s: Record<string, unknown>): NativeSpec => ({ spec: s, baseDir: dir, file: path.join(dir, 'scenario.yaml') });

  beforeAll(async () => {
    adapter = new OpenFgaAdapter(definition);
    engine = await startInstance('openfga', adapter, { resultsDir: dir });
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
  }, 30_000);

  it('runs native-documents from its own DSL model and tuples: all 8 cases pass', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    expect(scenario.native.openfga?.spec).toEqual({ model: 'native-documents.native/openfga/model.fga', tuples: 'native-documents.native/openfga/tuples.yaml' });
    const run = await runScenario(scenario, engine);
    expect(run.native).toBe(true);
    expect(run.cases).toHaveLength(8);
    expect(run.cases.map((c) => [c.step, c.status, c.message])).toEqual(run.cases.map((c) => [c.step, 'pass', c.message]));
  });

  it('writes and deletes after loadNative reach the native store', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    await adapter.loadNative(scenario.native.openfga!);
    expect((await adapter.check(req('user:vera', 'view', 'document:d1'))).allowed).toBe(true);
    await adapter.delete([rel('document:d1#parent@folder:f1')]);
    expect((await adapter.check(req('user:vera', 'view', 'document:d1'))).allowed).toBe(false);
    await adapter.write([rel('document:d3#editor@user:vera')]);
    expect((await adapter.check(req('user:vera', 'view', 'document:d3'))).allowed).toBe(true);
  });

  it("reports OpenFGA's rejection of a model or a tuple, naming the file", async () => {
    const model = path.join(dir, 'undefined-relation.fga');
    writeFileSync(model, 'model\n  schema 1.1\n\ntype user\n\ntype doc\n  relations\n    define viewer: [user] or ownr\n');
    await expect(adapter.loadNative(spec({ model: 'undefined-relation.fga' }))).rejects.toThrow(new RegExp(`^${escapeRegExp(model)}: OpenFGA rejected the model: .*ownr`));

    writeFileSync(path.join(dir, 'good.fga'), GOOD_MODEL);
    const tuples = path.join(dir, 'tuples.yaml');
    writeFileSync(tuples, '- {user: "user:a", relation: viewer, object: "doc:1"}\n- {user: "user:a", relation: editor, object: "doc:1"}\n');
    await expect(adapter.loadNative(spec({ model: 'good.fga', tuples: 'tuples.yaml' }))).rejects.toThrow(
      new RegExp(`^${escapeRegExp(tuples)} at \\[0\\.\\.1\\]: OpenFGA rejected the tuples: .*editor`),
    );
  });

  it('runs a scenario with a broken native model as a setup error naming the file', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    writeFileSync(path.join(dir, 'bad.fga'), 'model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user] orr\n');
    const run = await runScenario({ ...scenario, native: { openfga: spec({ model: 'bad.fga' }) } }, engine);
    expect(run.cases).toHaveLength(1);
    expect(run.cases[0]!.status).toBe('error');
    expect(run.cases[0]!.message).toContain(`setup failed: ${path.join(dir, 'bad.fga')}: not a valid OpenFGA model: line 6`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
