// The harness under engine faults: a hang, malformed answers, an engine that dies. The
// faulty engines are the reference engine wrapped to misbehave at a chosen call, so
// every other answer stays a real one.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import reference from '../../adapters/reference/index.ts';
import { defineAdapter, type EngineDefinition } from '../../src/core/adapter.ts';
import { createEngine, type EngineSpec } from '../../src/engines/registry.ts';
import { runAll } from '../../src/runner/run.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { exitCodeFor } from '../../src/results/exit-code.ts';

const SCENARIO = `
id: faults
title: Faults
model:
  types:
    user: {}
    doc:
      relations:
        viewer: [user]
relationships: [doc:1#viewer@user:anne]
steps:
${Array.from({ length: 6 }, (_, i) => `  - check: {subject: user:anne, action: viewer, resource: doc:${i % 2 ? 2 : 1}}\n    expect: ${i % 2 ? 'deny' : 'allow'}`).join('\n')}
`;

type Fault = 'hang' | 'malformed' | 'die';

function faulty(fault: Fault, atCheck: number): EngineDefinition {
  return {
    ...reference,
    id: `faulty-${fault}`,
    first: false,
    description: 'reference engine that misbehaves',
    create() {
      const inner = reference.create(undefined);
      let checks = 0;
      let dead = false;
      return defineAdapter({
        ...inner,
        loadModel: (m) => (dead ? Promise.reject(new Error('connection refused')) : inner.loadModel(m)),
        checkBatch: (r) => inner.checkBatch(r),
        async check(request) {
          checks++;
          if (dead) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
          if (checks === atCheck) {
            if (fault === 'hang') return new Promise(() => {});
            if (fault === 'malformed') return { allowed: 'yes' } as never;
            dead = true;
            throw new Error('socket hang up');
          }
          return inner.check(request);
        },
        health: async () => (dead ? 'process exited with signal SIGKILL' : undefined),
      });
    },
  };
}

/** What the registry makes of `--engine <id>` for a definition. */
const spec = (definition: EngineDefinition): EngineSpec => ({ definition, id: definition.id, text: definition.id });

describe('engine faults', () => {
  it('a hung check becomes an error case after the deadline; the next checks still run', async () => {
    const scenario = await loadScenarioText(SCENARIO, 'faults.yaml');
    const run = await runScenario(scenario, createEngine(spec(faulty('hang', 2))), { checkTimeoutMs: 200 });
    expect(run.cases.map((c) => c.status)).toEqual(['pass', 'error', 'pass', 'pass', 'pass', 'pass']);
    expect(run.cases[1]!.message).toContain('did not answer within 200 ms');
  });

  it('a malformed answer is an error, never a deny', async () => {
    const scenario = await loadScenarioText(SCENARIO, 'faults.yaml');
    const run = await runScenario(scenario, createEngine(spec(faulty('malformed', 2))));
    expect(run.cases[1]).toMatchObject({ status: 'error', actual: 'error' });
    expect(run.cases[1]!.message).toContain('malformed answer');
  });

  it('an engine that dies: its remaining cases are marked with the reason, the other engines run, nothing finished is lost', async () => {
    const scenario = await loadScenarioText(SCENARIO, 'faults.yaml');
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-faults-'));
    const specs: EngineSpec[] = [spec(faulty('die', 3)), spec(reference)];
    const { results } = await runAll(specs, [scenario, { ...scenario, id: 'faults-again' }], {
      outDir: out,
      benchTimeMs: 0,
      warmupMs: 0,
      checkTimeoutMs: 1000,
      command: 'test',
      log: () => {},
    });
    const died = results.cases.filter((c) => c.engine === 'faulty-die');
    expect(died.slice(0, 2).map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(died.slice(3).every((c) => c.status === 'error' && /engine failed/.test(c.message ?? ''))).toBe(true);
    expect(died.some((c) => c.scenario === 'faults-again' && c.message?.includes('SIGKILL'))).toBe(true);
    expect(results.cases.filter((c) => c.engine === 'reference').every((c) => c.status === 'pass')).toBe(true);
    expect(exitCodeFor(results)).toBe(3);
    // Every case is on disk, line by line, and in the summary.
    const lines = readFileSync(path.join(out, 'cases.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(results.cases.length);
    expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).cases).toHaveLength(results.cases.length);
  });

  it('--resume keeps finished pairs and runs the rest', async () => {
    const scenario = await loadScenarioText(SCENARIO, 'faults.yaml');
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-resume-'));
    const opts = { outDir: out, benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 1000, command: 'test', log: () => {} };
    await runAll([spec(reference)], [scenario], opts);
    const second = await runAll([spec(reference)], [scenario, { ...scenario, id: 'faults-b' }], { ...opts, resume: true });
    expect(second.results.cases.filter((c) => c.scenario === 'faults')).toHaveLength(6);
    expect(second.results.cases.filter((c) => c.scenario === 'faults-b')).toHaveLength(6);
    expect(readFileSync(path.join(out, 'cases.jsonl'), 'utf8').trim().split('\n')).toHaveLength(12);
  });

  // progress.jsonl said both pairs were done, so a resume over a cases.jsonl cut short kept 5 of
  // 12 cases and reported 5/5 passed: a pair is kept only with every case it recorded.
  it('--resume runs again a pair marked done whose cases are missing from cases.jsonl', async () => {
    const scenario = await loadScenarioText(SCENARIO, 'faults.yaml');
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-resume-cut-'));
    const opts = { outDir: out, benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 1000, command: 'test', log: () => {} };
    const scenarios = [scenario, { ...scenario, id: 'faults-b' }];
    await runAll([spec(reference)], scenarios, opts);
    const casesFile = path.join(out, 'cases.jsonl');
    const lines = readFileSync(casesFile, 'utf8').trim().split('\n');
    writeFileSync(casesFile, `${lines.slice(0, 8).join('\n')}\n`);
    const logged: string[] = [];
    const second = await runAll([spec(reference)], scenarios, { ...opts, resume: true, log: (line: string) => logged.push(line) });
    expect(logged).toContain('resuming: 1 engine × scenario pair(s) already done; 1 marked done but with cases missing from cases.jsonl, run again');
    expect(second.results.cases.filter((c) => c.scenario === 'faults')).toHaveLength(6);
    expect(second.results.cases.filter((c) => c.scenario === 'faults-b')).toHaveLength(6);
    expect(readFileSync(casesFile, 'utf8').trim().split('\n')).toHaveLength(12);
  });
});

// A refused --set value left an empty results folder (results/runs/<time>) behind each time.
describe('a run refused for a bad --set value', () => {
  it('makes no results folder', async () => {
    const scenario = await loadScenarioText(SCENARIO, 'faults.yaml');
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'authz-bench-bad-set-')), 'run');
    const opts = { outDir: out, benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 1000, command: 'test', log: () => {}, engineOptions: { nonsense: '1' } };
    await expect(runAll([spec(reference)], [scenario], opts)).rejects.toThrow(/no chosen engine has this option/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('an engine whose writes become visible late (a stale read snapshot)', () => {
  /** The reference engine with every write and delete applied `lagMs` after it is acknowledged. */
  function lagging(lagMs: number) {
    const inner = createEngine(spec(reference));
    return Object.assign(Object.create(inner) as typeof inner, {
      write: async (rels: Parameters<typeof inner.write>[0]) => void setTimeout(() => void inner.write(rels), lagMs),
      delete: async (rels: Parameters<typeof inner.delete>[0]) => void setTimeout(() => void inner.delete(rels), lagMs),
    });
  }

  it('a revocation step waits for its grant to be visible, records how long, then times the revocation', async () => {
    const scenario = await loadScenarioText(
      `id: lag\ntitle: Lag\nmodel:\n  types:\n    user: {}\n    doc:\n      relations: {viewer: [user]}\nsteps:\n  - write: [doc:1#viewer@user:anne]\n  - revocation:\n      path: relationship\n      check: {subject: user:anne, action: viewer, resource: doc:1}\n      revoke: {delete: [doc:1#viewer@user:anne]}\n      timeoutMs: 5000\n      intervalMs: 5\n`,
      'lag.yaml',
    );
    const engine = lagging(150);
    await engine.start({} as never);
    const run = await runScenario(scenario, engine);
    const step = run.cases.find((c) => c.kind === 'revocation')!;
    expect(step.status).toBe('pass');
    expect(step.revocation!.grantVisibleAfterMs).toBeGreaterThan(100);
    expect(step.revocation!.timeToFirstDenyMs).toBeGreaterThan(100);
    expect(step.revocation!.staleAllows).toBeGreaterThan(0);
    expect(step.message).toMatch(/^the grant was in effect only \d+ ms after the step began; time to first deny/);
  });
});
