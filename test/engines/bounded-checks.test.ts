// Every check is bounded by its deadline, and Ctrl-C is heard (issue 23, break 3): a complete
// digraph of folders (exponential paths for a denied check), CEL comprehensions nested over
// thousands of elements, a catastrophic regular expression, the same graph on Oso.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import oso from '../../adapters/oso/index.ts';
import reference from '../../adapters/reference/index.ts';
import { BudgetExceededError } from '../../src/reference/budget.ts';
import { ReferenceEngine } from '../../src/reference/engine.ts';
import { evaluateCheck } from '../../src/reference/evaluate.ts';
import { compileCondition } from '../../src/model/conditions.ts';
import { createEngine } from '../../src/engines/registry.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';

const CLI = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');

/** Every folder the parent of every other; anne is nobody's viewer, so the check is a deny after exploring every path. */
function digraphScenario(folders: number): string {
  const relationships: string[] = [];
  for (let i = 0; i < folders; i++) for (let j = 0; j < folders; j++) if (i !== j) relationships.push(`folder:f${i}#parent@folder:f${j}`);
  return [
    'id: digraph',
    'title: Complete digraph of folders',
    'model:',
    '  types:',
    '    user: {}',
    '    folder:',
    '      relations:',
    '        parent: [folder]',
    '        viewer: [user]',
    '      permissions:',
    '        view: viewer | parent->view',
    `relationships: [${relationships.join(', ')}]`,
    'steps:',
    '  - check: {subject: user:anne, action: view, resource: folder:f0}',
    '    expect: deny',
    '',
  ].join('\n');
}

describe('the reference engine bounds every check', () => {
  it('a complete digraph of 14 folders: an error at the 1 s deadline, not a pass minutes later', async () => {
    const scenario = await loadScenarioText(digraphScenario(14), 'digraph.yaml');
    const started = performance.now();
    const run = await runScenario(scenario, createEngine({ definition: reference, id: 'reference' }), { checkTimeoutMs: 1000 });
    const elapsed = performance.now() - started;
    expect(run.cases).toHaveLength(1);
    expect(run.cases[0]).toMatchObject({ status: 'error', actual: 'error' });
    expect(run.cases[0]!.message).toMatch(/check did not answer within 1000 ms \(gave up at folder:f\d+#view after \d+ steps\)/);
    expect(elapsed).toBeLessThan(3000);
  });

  it('without a deadline, the step limit ends it', async () => {
    const scenario = await loadScenarioText(digraphScenario(14), 'digraph.yaml');
    const engine = new ReferenceEngine(scenario.model);
    engine.write(scenario.relationships);
    const env = { model: scenario.model, store: engine.store, conditions: new Map(), limits: { maxSteps: 20_000 } };
    const request = { subject: { type: 'user', id: 'anne' }, action: { name: 'view' }, resource: { type: 'folder', id: 'f0' } };
    expect(() => evaluateCheck(env, request)).toThrow(BudgetExceededError);
    expect(() => evaluateCheck(env, request)).toThrow(/gave up after 20000 evaluation steps/);
  });

  it('CEL: all() nested over 3,000 elements stops at the cost limit, as an error, in well under the deadline', async () => {
    const xs = Array.from({ length: 3000 }, (_, i) => `v${i}`);
    const text = [
      'id: cel-cost',
      'title: Nested comprehensions',
      'model:',
      '  types:',
      '    user: {}',
      '    doc:',
      '      relations:',
      '        viewer: [user with distinct]',
      '  conditions:',
      '    distinct:',
      "      parameters: {xs: 'list<string>'}",
      '      expression: xs.all(x, xs.all(y, x == y || x != y))',
      'relationships: [{resource: doc:1, relation: viewer, subject: user:anne, condition: {name: distinct}}]',
      'steps:',
      `  - check: {subject: user:anne, action: viewer, resource: doc:1, context: {xs: ${JSON.stringify(xs)}}}`,
      '    expect: allow',
      '',
    ].join('\n');
    const scenario = await loadScenarioText(text, 'cel-cost.yaml');
    const started = performance.now();
    const run = await runScenario(scenario, createEngine({ definition: reference, id: 'reference' }), { checkTimeoutMs: 10_000 });
    expect(run.cases[0]).toMatchObject({ status: 'error' });
    expect(run.cases[0]!.message).toContain('condition cost limit exceeded: more than 1000000 comprehension iterations');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('CEL: a catastrophic regular expression is decided at once (linear-time fallback)', () => {
    const condition = compileCondition({ name: 'pattern', parameters: new Map([['s', { kind: 'string' }]]), expression: "s.matches('^(a+)+$')" });
    const started = performance.now();
    expect(condition.evaluate({ s: `${'a'.repeat(60)}!` })).toEqual({ ok: true, value: false });
    expect(condition.evaluate({ s: 'a'.repeat(60) })).toEqual({ ok: true, value: true });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('Oso honours the deadline', () => {
  it('the same digraph ends at the 1 s deadline (not Polar’s 30 s)', async () => {
    const scenario = await loadScenarioText(digraphScenario(14), 'digraph.yaml');
    const adapter = createEngine({ definition: oso, id: 'oso' });
    await adapter.start({ resultsDir: tmpdir(), logFile: () => path.join(tmpdir(), 'oso.log'), options: {}, launch: { strategy: 'auto' }, log: () => {} });
    try {
      const started = performance.now();
      const run = await runScenario(scenario, adapter, { checkTimeoutMs: 1000 });
      expect(run.cases[0]).toMatchObject({ status: 'error' });
      expect(run.cases[0]!.message).toContain('did not answer within 1000 ms');
      expect(performance.now() - started).toBeLessThan(4000);
    } finally {
      await adapter.stop();
    }
  });
});

describe('Ctrl-C during a long check (CLI)', () => {
  it('exits 130 by the check deadline, keeps results, and never says "all cases passed"', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authz-bench-sigint-check-'));
    const file = path.join(dir, 'digraph.yaml');
    writeFileSync(file, digraphScenario(14));
    const out = path.join(dir, 'out');
    const cli = spawn(process.execPath, [CLI, 'run', '--file', file, '--out', out, '--check-timeout', '3000', '--bench-time', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!/engine reference: /.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const sent = performance.now();
    cli.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(performance.now() - sent).toBeLessThan(6000);
    expect(stderr).toContain('SIGINT: stopping engines');
    expect(stderr).not.toContain('all cases passed');
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.engines[0].id).toBe('reference');
  }, 60_000);
});
