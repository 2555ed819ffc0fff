// End to end: spawn the CLI as a user would and read what it writes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../src/results/types.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../bin/authz-bench.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('authz-bench CLI', () => {
  it('runs the AuthZEN Todo suite on the reference engine: 43/43, results JSON and Markdown', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-cli-'));
    const { code, stderr } = await cli(['run', '--engine', 'reference', '--scenario', 'authzen-todo', '--out', out, '--bench-time', '50', '--warmup', '10']);
    expect(stderr).toContain('43/43 passed');
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.schemaVersion).toBe(1);
    expect(results.engines[0]!.id).toBe('reference');
    const cases = results.cases.filter((c) => c.scenario === 'authzen-todo');
    expect(cases).toHaveLength(43);
    expect(cases.every((c) => c.status === 'pass')).toBe(true);
    expect(results.performance[0]!.latency.samples).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'cases.jsonl'), 'utf8').trim().split('\n')).toHaveLength(43);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('✅ 43/43');
    const rendered = await cli(['report', path.join(out, 'results.json'), '--format', 'md']);
    expect(rendered.stdout).toContain('## Conformance');
  });

  it('validate exits 2 and names the file and path for a wrong expect', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-validate-'));
    const file = path.join(dir, 'wrong-expect.yaml');
    writeFileSync(file, 'id: wrong-expect\ntitle: x\nmodel:\n  types:\n    user: {}\n    doc:\n      relations:\n        viewer: [user]\nsteps:\n  - check: {subject: user:a, action: viewer, resource: doc:1}\n    expect: yes-please\n');
    const { code, stderr } = await cli(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('wrong-expect.yaml');
    expect(stderr).toContain('steps[0].expect');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('validate warns (exit 0) when a condition parameter can only come from the context by name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-validate-'));
    const file = path.join(dir, 'soft-delete.yaml');
    writeFileSync(
      file,
      [
        'id: soft-delete',
        'title: x',
        'model:',
        '  types:',
        '    user: {}',
        '    record: {relations: {deleter: [user with soft_only]}}',
        '  conditions:',
        '    soft_only: {parameters: {soft: bool}, expression: soft}',
        'relationships:',
        '  - {resource: "record:1", relation: deleter, subject: "user:anne", condition: {name: soft_only}}',
        'steps:',
        '  - {check: {subject: user:anne, action: {name: deleter, properties: {soft: true}}, resource: record:1}, expect: allow}',
        '',
      ].join('\n'),
    );
    const { code, stdout } = await cli(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toContain(`warn ${file} at model.conditions.soft_only.parameters.soft: no relationship binds 'soft' and no check's context has it`);
    expect(stdout).toContain('the checks carry it in action.properties: declare a parameter action: map<any> and read action.soft');
  });

  it('exits 2 with a clear message for an unknown engine', async () => {
    const { code, stderr } = await cli(['run', '--engine', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown engine");
    expect(stderr).toContain('reference');
  });

  it('lists the bundled scenarios with tags', async () => {
    const { code, stdout } = await cli(['list', 'scenarios']);
    expect(code).toBe(0);
    expect(stdout).toContain('authzen-todo');
    expect(stdout).toMatch(/\[hierarchy/);
  });
});
