// Hostile inputs that are the user's files: each exits 2 with the file and the place, no
// stack trace, in bounded time (issue 23, break 5; break 8's deep nesting for the fuzzer
// is in fuzz.test.ts). The files are generated here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { loadScenarioText, MAX_NESTING } from '../../src/scenario/load.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');
const HEAD = 'id: deep\ntitle: Deep\nmodel:\n  types:\n    user: {}\n';

const nested: Record<string, (depth: number) => string> = {
  'block mappings': (depth) => `${HEAD}description:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`,
  'block sequences': (depth) => `${HEAD}steps:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(2 * i)}-`).join('\n')} x\n`,
  'compact sequences': (depth) => `${HEAD}steps:\n${'- '.repeat(depth)}x\n`,
  'flow sequences': (depth) => `${HEAD}steps: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
  'flow mappings': (depth) => `${HEAD}native: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`,
};

async function rejection(text: string): Promise<InputError> {
  try {
    await loadScenarioText(text, 'deep.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('deep YAML nesting', () => {
  it.each(Object.keys(nested))('%s, 150 and 2,500 levels: a located "nested too deeply", in bounded time', async (style) => {
    for (const depth of [150, 2500]) {
      const started = performance.now();
      const error = await rejection(nested[style]!(depth));
      expect(error.file).toBe('deep.yaml');
      expect(error.problem).toBe(`nested too deeply (more than ${MAX_NESTING} levels of lists and mappings)`);
      expect(error.path).toMatch(/line \d+/);
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });

  it('validate and run exit 2 naming the file and the line, without a stack', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-deep-'));
    const file = path.join(dir, 'deep.yaml');
    writeFileSync(file, nested['block mappings']!(3000));
    for (const args of [
      ['validate', file],
      ['run', '--file', file, '--out', path.join(dir, 'out')],
    ]) {
      const { status, stderr } = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(status).toBe(2);
      expect(stderr).toMatch(/deep\.yaml at .*line \d+.*: nested too deeply/);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stderr).not.toContain('internal error');
    }
  });
});

describe('generator params whose product is huge', () => {
  it('wide-tree with 10^6 subfolders of 1,000 documents: a located error before anything is generated', async () => {
    const text = `${HEAD}    folder:\n      relations:\n        parent: [folder]\n        viewer: [user]\n      permissions:\n        view: viewer | parent->view\n    document:\n      relations:\n        parent: [folder]\n        viewer: [user]\n      permissions:\n        view: viewer | parent->view\ngenerate: {name: wide-tree, params: {width: 1000000, docs: 1000}}\nsteps: []\n`;
    const started = performance.now();
    const error = await rejection(text);
    expect(error.path).toMatch(/^generate \(line \d+\)$/);
    expect(error.problem).toContain("generator 'wide-tree' would make about 1,001,000,040 relationships and steps");
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('a scenario file that is not a regular file', () => {
  it('/dev/zero: exit 2 at once instead of reading forever', () => {
    const started = Date.now();
    const { status, stderr } = spawnSync(process.execPath, [CLI, 'validate', '/dev/zero'], { encoding: 'utf8', timeout: 60_000 });
    expect(status).toBe(2);
    expect(stderr).toContain('/dev/zero: the file is not a regular file');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('a native block naming a file that is not there', () => {
  it('validate and run: exit 2 with the key and line, before any engine starts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'native-missing-'));
    const file = path.join(dir, 'missing.yaml');
    writeFileSync(
      file,
      `${HEAD}    doc:\n      relations: {viewer: [user]}\nnative:\n  opa: {policy: nowhere.rego}\n  cedar: {policies: gone.cedar}\nsteps:\n  - check: {subject: user:a, action: viewer, resource: doc:1}\n    expect: deny\n`,
    );
    for (const args of [
      ['validate', file],
      ['run', '--engine', 'reference', '--file', file, '--out', path.join(dir, 'out')],
    ]) {
      const { status, stderr } = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(status).toBe(2);
      expect(stderr).toMatch(/missing\.yaml at native\.opa\.policy \(line \d+\): file not found: \S*nowhere\.rego \(fix: paths are relative to the scenario file\)/);
      expect(stderr).toMatch(/at native\.cedar\.policies \(line \d+\): file not found/);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});

// An error quotes what it found, never all of it: a file of one long string (a password file
// named by mistake) and a 100,000-character id each made an error line of the whole text.
describe('an error never quotes a whole file or a huge id', () => {
  it('a file of one long string: the start of it, no more', async () => {
    const secretTail = 'TOPSECRET-'.repeat(50);
    const error = await rejection(`root:x:0:0:root:/root:/bin/bash daemon:x:1:1 ${secretTail}\n`);
    expect(error.message).toContain('found string "root:x:0:0:root:/root:/bin/bash daemon:… (fix: see docs/scenarios.md)');
    expect(error.message).not.toContain('TOPSECRET');
  });

  it('a 100,000-character id: one short line with its length, exit 2', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-long-id-'));
    const file = path.join(dir, 'long.yaml');
    writeFileSync(file, `${HEAD}    doc:\n      relations: {viewer: [user]}\nrelationships: ['doc:1#viewer@group:${'ü'.repeat(100_000)}']\nsteps: []\n`);
    const { status, stderr } = spawnSync(process.execPath, [CLI, 'validate', file], { encoding: 'utf8', timeout: 60_000 });
    expect(status).toBe(2);
    expect(stderr).toMatch(/long\.yaml at relationships\[0\] \(line \d+\): doc:1#viewer@group:ü+… \(100019 characters\): unknown subject type 'group'/);
    expect(stderr.length).toBeLessThan(600);
  });
});

// A generator parameter out of range was placed at `generate` with the fix "name a generator in
// scenarios/generators/ with valid params", whatever was wrong: now its key and its range.
describe('a generator parameter out of range', () => {
  const withParams = (params: string) =>
    `${HEAD}    folder:\n      relations: {parent: [folder], viewer: [user]}\n      permissions: {view: viewer | parent->view}\n    document:\n      relations: {parent: [folder], viewer: [user]}\n      permissions: {view: viewer | parent->view}\ngenerate: {name: deep-tree, params: {${params}}}\nsteps: []\n`;
  it.each([
    ['depth: 1000', /^generate\.params\.depth \(line \d+\)$/, /outside 1\.\.64/, /give depth a value in 1\.\.64 \(default 8\)/],
    ['depth: 2.5', /^generate\.params\.depth/, /not a whole number/, /give a whole number in 1\.\.64/],
    ['width: 3', /^generate\.params\.width/, /has no parameter 'width'/, /use one of depth, viewers/],
  ])('%s: the key, the problem and the range', async (params, place, problem, fix) => {
    const error = await rejection(withParams(params));
    expect(error.path).toMatch(place);
    expect(error.problem).toMatch(problem);
    expect(error.fix).toMatch(fix);
  });
});
