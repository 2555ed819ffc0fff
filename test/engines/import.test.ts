// `authz-bench import openfga` (issue 22 item 7): modular models, tests whose tuples carry
// conditions, many store files of one name into one folder, and malformed input (exit 2 with
// the place). Imported scenarios run on the reference engine and on the real OpenFGA.

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOpenFgaStore } from '../../adapters/openfga/import.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { InputError, InputErrors } from '../../src/core/errors.ts';
import { uniqueScenarioIds } from '../../src/scenario/import-ids.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';
import { startEngine } from '../helpers/engines.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'openfga-import');
const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('import openfga: the store shapes OpenFGA documents', () => {
  const engines: EngineAdapter[] = [];
  beforeAll(async () => {
    for (const id of ['reference', 'openfga']) engines.push(await startEngine(id));
  }, 120_000);
  afterAll(async () => {
    for (const engine of engines) await engine.stop();
  }, 30_000);

  const passesEverywhere = async (file: string, id: string) => {
    const scenario = await loadScenarioText(await importOpenFgaStore(file, id), `${id}.yaml`);
    for (const engine of engines) {
      const run = await runScenario(scenario, engine);
      expect(run.cases.filter((c) => c.status !== 'pass').map((c) => `${engine.info().id} ${c.request ?? c.kind}: ${c.message}`)).toEqual([]);
    }
    return scenario;
  };

  it('a modular model (fga.mod and module files, `extend type`) is combined and passes on the reference and OpenFGA', async () => {
    const scenario = await passesEverywhere(path.join(FIXTURES, 'modular', 'store.fga.yaml'), 'modular');
    expect([...scenario.model.types.keys()].sort()).toEqual(['organization', 'project', 'user']);
    expect(scenario.model.types.get('organization')!.permissions.get('can_create_project')!.source).toBe('admin');
    expect(scenario.steps.filter((s) => s.kind === 'check')).toHaveLength(6);
  }, 120_000);

  it("a test's conditional tuples are deleted with their condition, and the imported scenario passes", async () => {
    const scenario = await passesEverywhere(path.join(FIXTURES, 'conditional', 'store.fga.yaml'), 'conditional');
    const deletion = scenario.steps.find((s) => s.kind === 'delete');
    expect(deletion?.kind === 'delete' && deletion.relationships[0]!.condition?.name).toBe('non_expired');
  }, 120_000);
});

describe('import openfga: many files, one folder', () => {
  it('gives store files of one name unique ids (their folder first), and the CLI writes them all', async () => {
    const files = ['github', 'slack'].map((d) => path.join(FIXTURES, 'same-name', d, 'store.fga.yaml'));
    expect(uniqueScenarioIds(files)).toEqual(['github-store', 'slack-store']);
    expect(uniqueScenarioIds([files[0]!, files[0]!])).toEqual(['github-store', 'github-store-2']);
    expect(uniqueScenarioIds([path.join(FIXTURES, 'modular', 'store.fga.yaml')])).toEqual(['store']);
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-import-out-'));
    const { code, stderr } = await cli(['import', 'openfga', ...files, '--out', out]);
    expect(stderr).toContain('github-store.yaml');
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['github-store.yaml', 'slack-store.yaml']);
    for (const file of readdirSync(out)) expect((await loadScenarioFile(path.join(out, file))).steps).toHaveLength(1);
  }, 60_000);
});

describe('import openfga: malformed input', () => {
  const expected: Record<string, RegExp> = {
    'bad-ref.fga.yaml': /at imported as bad-ref\.yaml, model\.types\.doc\.relations\.viewer\[1\].*unknown type 'group'/,
    'bad-tuple.fga.yaml': /at tuples\[0\]: a tuple needs 'relation'/,
    'check-no-object.fga.yaml': /at tests\[0\]\.check\[0\]\.object: expected an object such as doc:1/,
    'dsl-syntax.fga.yaml': /at model \(the DSL, line 7, column 1\): mismatched input/,
    'empty.fga.yaml': /expected an OpenFGA store file/,
    'list.fga.yaml': /expected an OpenFGA store file/,
    'missing-model.fga.yaml': /at model_file: cannot read '.*nope\.fga' \(ENOENT\)/,
    'missing-tuples.fga.yaml': /at tuple_file: cannot read '.*nope\.yaml' \(ENOENT\)/,
    'mod-missing.fga.yaml': /fga\.mod at contents \(line 4\): cannot read '.*gone\.fga' \(ENOENT\)/,
    'model-number.fga.yaml': /at model: no model/,
    'not-yaml.fga.yaml': /at line 2, column 1: not valid YAML/,
    'tests-number.fga.yaml': /at tests: expected a list of tests/,
  };
  const dir = path.join(FIXTURES, 'malformed');

  it('covers every malformed fixture', () => {
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.fga.yaml'))
        .sort(),
    ).toEqual(Object.keys(expected).sort());
  });

  for (const [file, message] of Object.entries(expected)) {
    it(`${file}: an input error naming the place`, async () => {
      const error = await importOpenFgaStore(path.join(dir, file)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error instanceof InputError || error instanceof InputErrors).toBe(true);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('the CLI exits 2 on them, with the message and no stack', async () => {
    for (const file of ['dsl-syntax.fga.yaml', 'missing-tuples.fga.yaml', 'not-yaml.fga.yaml', 'bad-tuple.fga.yaml']) {
      const { code, stderr } = await cli(['import', 'openfga', path.join(dir, file), '--out', mkdtempSync(path.join(tmpdir(), 'authz-bench-import-bad-'))]);
      expect({ file, code }).toEqual({ file, code: 2 });
      expect(stderr).toMatch(expected[file]!);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
