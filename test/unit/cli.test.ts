// End to end: spawn the CLI as a user would and read what it writes.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_TEMPLATE } from '../../src/cli/commands/init.ts';
import type { RunResults } from '../../src/results/types.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');

async function cli(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 120_000, ...(cwd ? { cwd } : {}) });
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
    expect(stderr).toContain('43/43 cases passed');
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
    writeFileSync(
      file,
      'id: wrong-expect\ntitle: x\nmodel:\n  types:\n    user: {}\n    doc:\n      relations:\n        viewer: [user]\nsteps:\n  - check: {subject: user:a, action: viewer, resource: doc:1}\n    expect: yes-please\n',
    );
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
    expect(stderr).toContain('unknown engine');
    expect(stderr).toContain('reference');
  });

  // Every command and subcommand, not only the top level: a usage error is bad input (2), never a finding (1).
  it.each([
    [['run', '--nonsense'], "unknown option '--nonsense'"],
    [['report', 'a.json', 'b.json'], "too many arguments for 'report'"],
    [['bench', 'extra'], "too many arguments for 'bench'"],
    [['engines', 'install', '--bogus'], "unknown option '--bogus'"],
    [['engines', 'status', 'extra'], "too many arguments for 'status'"],
    [['nonsense'], "unknown command 'nonsense'"],
  ])('a usage error %j exits 2 with the message', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for a zero deadline, naming the option and its unit, before running anything', async () => {
    const { code, stderr } = await cli(['run', '--check-timeout', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: --check-timeout at 0: expected milliseconds as a whole number, 1 or more');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('lists the bundled scenarios with tags', async () => {
    const { code, stdout } = await cli(['list', 'scenarios']);
    expect(code).toBe(0);
    expect(stdout).toContain('authzen-todo');
    expect(stdout).toMatch(/\[hierarchy/);
  });

  it('prints its version, and help with exit codes, outputs and examples per command', async () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect((await cli(['--version'])).stdout.trim()).toBe(pkg.version);
    const help = await cli(['run', '--help']);
    expect(help.code).toBe(0);
    for (const part of ['Outputs:', 'Exit codes:', 'Examples:', '--fail-on', 'results.json']) expect(help.stdout).toContain(part);
    expect(help.stdout).not.toContain('(default: [])');
  });

  it('bare list shows engines and scenarios in one vocabulary (cases, decisions)', async () => {
    const { code, stdout } = await cli(['list']);
    expect(code).toBe(0);
    expect(stdout).toContain('Engines (--engine):');
    expect(stdout).toMatch(/authzen-todo\s+43 cases \(46 decisions\)/);
    const validated = await cli(['validate', path.resolve(import.meta.dirname, '../../scenarios/conformance/authzen-todo.yaml')]);
    expect(validated.stdout).toContain('43 cases (46 decisions) in 43 steps');
  });

  it('ends quietly when its reader closes standard output (report | head -1)', async () => {
    // The published run's results (4 MB) outgrow the pipe's buffer, so the write meets the closed pipe.
    const published = path.resolve(import.meta.dirname, '../../results/published/results.json');
    const { stdout, stderr } = await promisify(execFile)('sh', ['-c', `"${process.execPath}" "${CLI}" report "${published}" --format json | head -1`]);
    expect(stdout).toBe('{\n');
    expect(stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
  });

  it('says "not a results file" for a file that is not one', async () => {
    const { code, stderr } = await cli(['report', path.resolve(import.meta.dirname, '../../package.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('not a results file');
    expect(stderr).not.toContain('rerun');
  });

  it('suggests the closest engine, scenario and relation', async () => {
    expect((await cli(['run', '-e', 'opx'])).stderr).toContain("did you mean 'opa'?");
    expect((await cli(['run', '-s', 'revokation'])).stderr).toContain("did you mean 'revocation'?");
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-suggest-'));
    const file = path.join(dir, 'typo.yaml');
    writeFileSync(file, 'id: typo\ntitle: x\nmodel:\n  types:\n    user: {}\n    doc:\n      relations:\n        viewer: [user]\nrelationships:\n  - doc:1#veiwer@user:a\nsteps: []\n');
    const { code, stderr } = await cli(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toContain("did you mean 'viewer'?");
  });

  it('init scaffolds a scenario (and a workflow) that validates and runs; a copy of a bundled scenario validates too; results go to the current folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-init-'));
    const init = await cli(['init', 'docs-shared', '--ci'], dir);
    expect(init.code).toBe(0);
    expect(readFileSync(path.join(dir, '.github/workflows/authz-bench.yml'), 'utf8')).toContain('SCENARIOS: authz/*.yaml');
    // The header's commands name the file where init wrote it (they said docs-shared.yaml, not found from here).
    expect(readFileSync(path.join(dir, 'authz/docs-shared.yaml'), 'utf8')).toContain('#   authz-bench validate authz/docs-shared.yaml\n#   authz-bench run --file authz/docs-shared.yaml');
    cpSync(path.resolve(import.meta.dirname, '../../scenarios/revocation/revocation-grant-delete.yaml'), path.join(dir, 'authz/my-copy.yaml'));
    const validated = await cli(['validate', 'authz/docs-shared.yaml', 'authz/my-copy.yaml'], dir);
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
    const again = await cli(['init', 'docs-shared'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const ran = await cli(['run', '-f', 'authz/docs-shared.yaml', '--bench-time', '0', '--json', '-q'], dir);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe('');
    const summary = JSON.parse(ran.stdout) as { results: string; totals: { cases: { pass: number; total: number } }; verdict: { exitCode: number } };
    expect(summary.results.startsWith(path.join(dir, 'results', 'runs'))).toBe(true);
    expect(existsSync(summary.results)).toBe(true);
    expect(summary.totals.cases).toMatchObject({ pass: 4, total: 4 });
    // Two scenarios with one id in one run: refused, naming both files.
    const twice = await cli(['run', '-s', 'revocation-grant-delete', '-f', 'authz/my-copy.yaml', '--bench-time', '0'], dir);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("id 'revocation-grant-delete' is also the id of");
  });

  it('a run where nothing was judged says so (exit 0 by default, 1 with --fail-on unsupported)', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-cli-'));
    const args = ['run', '--engine', 'noop', '--scenario', 'search-todo', '--out', out, '--bench-time', '0'];
    const quiet = await cli(args);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toContain('exit 0, but NOTHING WAS JUDGED: none of the 1 case(s) ran on an engine that could decide it');
    const strict = await cli([...args, '--fail-on', 'unsupported']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).not.toContain('NOTHING WAS JUDGED');
  });

  it('docs/ci.md shows the workflow init --ci writes, word for word', () => {
    const workflow = readFileSync(WORKFLOW_TEMPLATE, 'utf8');
    expect(readFileSync(path.resolve(import.meta.dirname, '../../docs/ci.md'), 'utf8')).toContain(`\`\`\`yaml\n${workflow}\`\`\``);
  });
  it.each([
    [['--rate', '5000', '--max-rate', '100'], /--max-rate.*100.*--rate/],
    [['--scale', '5'], /^error: --scale at 5: .*1000\.\.2000000/m],
    [['--curve', 'rels', '--max-curve-size', '100'], /^error: --max-curve-size at 100: .*relationships curve.*1000/m],
    // Seconds past a day overflow Node's timers (a budget would fire at once); a count with no bound is a typo.
    [['--scale', '100000', '--load-budget', '99999999999'], /^error: --load-budget at 99999999999: expected seconds as a whole number, at most 86400/m],
    [['--concurrency', '1,99999'], /^error: --concurrency at 99999: .*at most 10000/m],
    [['--param', '100000'], /^error: --param at 100000: expected key=whole number/m],
    // Out of the generator's range: the command line's value, not the bundled file, is named.
    [['--param', 'relationships=5'], /^error: --param at relationships=5: .*outside 1000\.\.2000000 \(fix: give relationships a value in 1000\.\.2000000/m],
  ])('bench refuses %j before measuring, exit 2', async (args, message) => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-bench-'));
    const { code, stderr } = await cli(['bench', '-e', 'reference', '--duration', '10', '--warmup', '0', '--trials', '1', '-o', out, ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
  it('bench with a refused --set value makes no results folder', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'authz-bench-bench-set-')), 'out');
    const { code, stderr } = await cli(['bench', '-e', 'reference', '--set', 'nonsense=1', '--duration', '10', '--trials', '1', '-o', out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: --set at nonsense=1: no chosen engine has this option/m);
    expect(existsSync(out)).toBe(false);
  });

  it('run --param sizes the generated scenarios chosen; a scenario without a generator refuses it, exit 2', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-param-'));
    const sized = await cli(['run', '-s', 'scale-drive', '--param', 'relationships=2000', '--param', 'checks=40', '--bench-time', '0', '--out', out]);
    expect(sized.stderr).toContain('40/40 cases passed');
    expect(sized.code).toBe(0);
    // Each generator takes the params it has: `checks` sizes scale-drive, the deep tree (no `checks`) keeps its own steps.
    const mixed = await cli(['run', '-s', 'scale-drive', '-s', 'hierarchy-depth-sweep', '--param', 'checks=30', '--param', 'relationships=2000', '--bench-time', '0', '--out', out]);
    expect(mixed.code, mixed.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResults;
    expect(results.cases.filter((c) => c.scenario === 'scale-drive')).toHaveLength(30);
    expect(results.cases.filter((c) => c.scenario === 'hierarchy-depth-sweep').length).toBeGreaterThan(0);
    const unknown = await cli(['run', '-s', 'scale-drive', '-s', 'hierarchy-depth-sweep', '--param', 'nosuch=1', '--bench-time', '0', '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: --param at nosuch: no generator of the chosen scenarios takes it (fix: use one they take (');
    expect(unknown.stderr).toContain('drive: relationships, depth, groupDepth, memberships, checks');
    const refused = await cli(['run', '-s', 'load-mix', '--param', 'relationships=2000', '--bench-time', '0', '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      "error: --param at relationships: none of the chosen scenarios is generated (has a generate: block) to take it (fix: choose one that is, e.g. --scenario scale-drive ('authz-bench list scenarios' tags them 'generated'))",
    );
  });

  it('run with a refused --set value says only that (no run header first), exit 2', async () => {
    const { code, stderr } = await cli(['run', '-e', 'reference', '--set', 'nonsense=1', '-s', 'authzen-todo']);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^error: --set at nonsense=1: no chosen engine has this option/);
  });

  // A team's own scenario as the load: bench took bundled ids only (--scenario), no file.
  it('bench --file: a scenario file of your own is the load', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-bench-file-'));
    const file = path.join(dir, 'mine.yaml');
    writeFileSync(
      file,
      'id: mine\ntitle: Mine\nmodel:\n  types:\n    user: {}\n    doc:\n      relations: {viewer: [user]}\nrelationships: [doc:1#viewer@user:anne]\nsteps:\n  - check: {subject: user:anne, action: viewer, resource: doc:1}\n    expect: allow\n',
    );
    const out = path.join(dir, 'out');
    const { code, stderr } = await cli([
      'bench',
      '-e',
      'reference',
      '--file',
      file,
      '--duration',
      '20',
      '--warmup',
      '0',
      '--trials',
      '1',
      '--concurrency',
      '1',
      '--max-rate',
      '1000',
      '-o',
      out,
    ]);
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.scenarios.map((s: { id: string }) => s.id)).toEqual(['mine']);
    expect(results.cases.filter((c: { engine: string }) => c.engine === 'reference').map((c: { status: string }) => c.status)).toEqual(['pass']);
  }, 60_000);
});
