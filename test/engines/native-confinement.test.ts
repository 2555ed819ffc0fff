// Files a scenario's native block names are confined to its folder (or --allow-path),
// regular and size-capped, and what they hold never reaches results: issue 23, break 1.
// The hostile files are made here: a "secret" outside the scenario folder, a link to it,
// /dev/zero, a sparse 17 MB file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNativeCerbos } from '../../adapters/cerbos/native.ts';
import { readNativeFiles } from '../../adapters/opa/native.ts';
import { readNativeOpenFga } from '../../adapters/openfga/native.ts';
import { loadNativeOso } from '../../adapters/oso/native.ts';
import type { NativeSpec } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import { allowNativePaths, clearAllowedNativePaths, MAX_NATIVE_FILE_BYTES } from '../../src/scenario/native-files.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');
const SECRET = 'root:$6$planted-shadow-hash';

/** A scenario folder, and beside it (outside) a folder holding a secret file. */
function layout(): { dir: string; scenarioFile: string; secret: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'authz-bench-confine-'));
  const dir = path.join(root, 'scenario');
  mkdirSync(dir);
  mkdirSync(path.join(root, 'etc'));
  const secret = path.join(root, 'etc', 'shadow');
  writeFileSync(secret, `${SECRET}:19000:0:99999:7:::\n`);
  return { dir, scenarioFile: path.join(dir, 'hostile.yaml'), secret };
}

function native(scenarioFile: string, spec: Record<string, unknown>): NativeSpec {
  return { spec, baseDir: path.dirname(scenarioFile), file: scenarioFile };
}

async function inputError(promise: Promise<unknown> | (() => unknown)): Promise<InputError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

afterEach(() => clearAllowedNativePaths());

describe('native files are confined to the scenario folder', () => {
  it('a ../ path out of the folder is refused for every engine, naming the key, never quoting the file', async () => {
    const { scenarioFile } = layout();
    const outside = '../etc/shadow';
    const errors = [
      await inputError(readNativeOpenFga(native(scenarioFile, { model: outside }))),
      await inputError(() => readNativeFiles(native(scenarioFile, { policy: outside }))),
      await inputError(loadNativeOso(native(scenarioFile, { policy: outside }))),
      await inputError(loadNativeCerbos(native(scenarioFile, { policies: '.', attributes: outside }), { cerbos: undefined as never, admin: false, load: 'm1', binary: '' })),
    ];
    expect(errors.map((e) => e.path)).toEqual(['native.openfga.model', 'native.opa.policy', 'native.oso.policy', 'native.cerbos.attributes']);
    for (const error of errors) {
      expect(error.file).toBe(scenarioFile);
      expect(error.problem).toContain("outside the scenario's folder");
      expect(error.message).not.toContain('planted');
      expect(error.fix).toContain('--allow-path');
    }
  });

  it('an absolute path and a link inside the folder that points out are refused too', async () => {
    const { dir, scenarioFile, secret } = layout();
    symlinkSync(secret, path.join(dir, 'innocent.fga'));
    const absolute = await inputError(readNativeOpenFga(native(scenarioFile, { model: secret })));
    const linked = await inputError(readNativeOpenFga(native(scenarioFile, { model: 'innocent.fga' })));
    expect(absolute.problem).toContain("outside the scenario's folder");
    expect(linked.problem).toMatch(/outside the scenario's folder \(it links to .*shadow\)/);
  });

  it('a Cerbos policies folder with a link out of it is refused before Cerbos reads it', async () => {
    const { dir, scenarioFile, secret } = layout();
    mkdirSync(path.join(dir, 'policies'));
    symlinkSync(secret, path.join(dir, 'policies', 'stolen.yaml'));
    const error = await inputError(loadNativeCerbos(native(scenarioFile, { policies: 'policies' }), { cerbos: undefined as never, admin: false, load: 'm1', binary: '' }));
    expect(error.path).toBe('native.cerbos.policies');
    expect(error.problem).toContain('outside');
  });

  it('--allow-path lets a file outside in; /dev/zero is still refused as not a regular file, at once', async () => {
    const { scenarioFile, secret } = layout();
    allowNativePaths([path.dirname(secret), '/dev']);
    // Allowed: the file is read (and fails as a model, located, without its content).
    const parsed = await inputError(readNativeOpenFga(native(scenarioFile, { model: secret })));
    expect(parsed.file).toBe(secret);
    const started = performance.now();
    const zero = await inputError(() => readNativeFiles(native(scenarioFile, { policy: '/dev/zero' })));
    expect(zero.problem).toContain('not a regular file');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a file over the size limit is refused without being read (a sparse 17 MB file)', async () => {
    const { dir, scenarioFile } = layout();
    const big = path.join(dir, 'big.rego');
    writeFileSync(big, '');
    truncateSync(big, MAX_NATIVE_FILE_BYTES + 1024 * 1024);
    const error = await inputError(() => readNativeFiles(native(scenarioFile, { policy: 'big.rego' })));
    expect(error.problem).toMatch(/over the limit of \d+ bytes/);
  });

  it('end to end (CLI, Oso): bad input before any engine starts (exit 2, located), and the secret is in no file and not on stderr', () => {
    const { dir, scenarioFile } = layout();
    writeFileSync(
      scenarioFile,
      [
        'id: hostile',
        'title: Native file outside the folder',
        'model:',
        '  types:',
        '    user: {}',
        '    doc:',
        '      relations:',
        '        viewer: [user]',
        'steps:',
        '  - check: {subject: user:anne, action: viewer, resource: doc:1}',
        '    expect: deny',
        'native:',
        '  oso: {policy: ../etc/shadow}',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    for (const args of [
      ['run', '--engine', 'oso', '--file', scenarioFile, '--out', out, '--bench-time', '0'],
      ['validate', scenarioFile],
    ]) {
      const cli = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(cli.status).toBe(2);
      expect(cli.stderr).toMatch(/hostile\.yaml at native\.oso\.policy \(line \d+\): \S*etc\/shadow is outside the scenario's folder/);
      expect(cli.stderr).not.toContain('planted');
      expect(cli.stderr).not.toMatch(/\n\s+at /);
    }
    mkdirSync(out, { recursive: true });
    for (const file of readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      expect(readFileSync(path.join(file.parentPath, file.name), 'utf8')).not.toContain('planted');
    }
  });
});
