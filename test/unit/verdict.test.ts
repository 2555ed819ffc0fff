// Verdicts: which findings a run's cases are, the totals block, and --fail-on's exit codes.
// Cases are built as the runner writes them; the last test reads a real run's results.json.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { closest } from '../../src/core/suggest.ts';
import { SCHEMA_VERSION, type CaseResult, type RunResults } from '../../src/results/types.ts';
import { parseFailOn, totalsOf, verdictOf } from '../../src/results/verdict.ts';

function results(cases: Partial<CaseResult>[], engines = ['reference', 'openfga', 'oso']): RunResults {
  return {
    schemaVersion: SCHEMA_VERSION,
    run: { id: 't', startedAt: '', command: '', node: '', platform: '', cpu: '', cpus: 1, memoryGiB: 1, settings: { benchTimeMs: 0, warmupMs: 0, checkTimeoutMs: 0 } },
    engines: engines.map((id) => ({ id, name: id, version: '1', launch: 'embedded', settings: {}, decisionLog: 'none' }) as unknown as RunResults['engines'][number]),
    scenarios: [
      { id: 'todo', title: '', tags: ['conformance'], file: '' },
      { id: 'grant-delete', title: '', tags: ['revocation'], file: '' },
      { id: 'audit', title: '', tags: ['audit'], file: '' },
    ],
    cases: cases.map((c) => ({ engine: 'reference', scenario: 'todo', step: 0, kind: 'check', status: 'pass', ...c }) as CaseResult),
    performance: [],
  };
}

const bundledLike = results([
  { engine: 'reference', kind: 'check', expected: 'allow', actual: 'allow' },
  { engine: 'reference', kind: 'batch', expected: 'allow,deny,deny', actual: 'allow,deny,deny' },
  { engine: 'openfga', scenario: 'audit', kind: 'expectLog', status: 'fail' },
  { engine: 'oso', scenario: 'audit', kind: 'expectLog', status: 'fail' },
  { engine: 'openfga', scenario: 'grant-delete', kind: 'check', status: 'fail', expected: 'allow', actual: 'deny' },
  { engine: 'openfga', scenario: 'grant-delete', kind: 'revocation', status: 'fail' },
]);

describe('verdicts', () => {
  it('counts cases and decisions: a batch of 3 is one case and 3 decisions', () => {
    const totals = totalsOf(bundledLike);
    expect(totals.cases).toEqual({ pass: 2, fail: 4, unsupported: 0, error: 0, total: 6 });
    expect(totals.decisions).toEqual({ total: 5, correct: 4, wrong: 1, errors: 0 });
    expect(totals.findings).toEqual({ wrong: 0, error: 0, revocation: 2, audit: 2, slo: 0, unsupported: 0 });
    expect(totals.engines.map((e) => [e.engine, e.findings.audit])).toEqual([
      ['reference', 0],
      ['openfga', 1],
      ['oso', 1],
    ]);
  });

  it('counts the wrong items of a batch, not the whole batch', () => {
    const totals = totalsOf(results([{ kind: 'batch', status: 'fail', expected: 'allow,deny,deny', actual: 'allow,allow,deny' }]));
    expect(totals.decisions).toEqual({ total: 3, correct: 2, wrong: 1, errors: 0 });
    expect(totals.findings.wrong).toBe(1);
  });

  it('exits 0 by default on audit and revocation findings, 1 with --fail-on audit naming the engines', () => {
    expect(verdictOf(bundledLike).exitCode).toBe(0);
    const audit = verdictOf(bundledLike, parseFailOn(['audit']));
    expect(audit.exitCode).toBe(1);
    expect(audit.failOn).toEqual(['wrong', 'error', 'audit']);
    expect(audit.failing).toEqual(['audit: openfga (1 case), oso (1 case)']);
    expect(verdictOf(bundledLike, parseFailOn(['revocation'])).failing).toEqual(['revocation: openfga (2 cases)']);
  });

  it('exits 1 on a wrong answer, 3 on engine errors only, unless --fail-on none', () => {
    const wrong = results([{ kind: 'check', status: 'fail', expected: 'allow', actual: 'deny' }]);
    expect(verdictOf(wrong).exitCode).toBe(1);
    expect(verdictOf(wrong, parseFailOn(['none'])).exitCode).toBe(0);
    const errored = results([{ kind: 'check', status: 'error', expected: 'allow', actual: 'error' }]);
    expect(verdictOf(errored)).toMatchObject({ exitCode: 3, failing: ['error: reference (1 case)'] });
    expect(totalsOf(errored).decisions).toEqual({ total: 1, correct: 0, wrong: 0, errors: 1 });
  });

  it('counts a skipped engine as an error and unsupported cases only when asked', () => {
    const skipped = results([{ kind: 'scenario', status: 'unsupported', step: -1 }]);
    skipped.engines[1]!.skipped = 'not installed';
    expect(verdictOf(skipped)).toMatchObject({ exitCode: 3, failing: ['error: openfga (not run)'] });
    expect(verdictOf(skipped, parseFailOn(['unsupported'])).exitCode).toBe(1);
  });

  it('counts missed SLOs from a bench section', () => {
    const bench = results([]);
    bench.bench = {
      settings: {},
      micro: [],
      load: [],
      curves: [],
      slo: [{ engine: 'openfga', scenario: 'todo', thresholdMs: 5, targetRate: 10, p99: { value: 9, low: 8, high: 10 } as never, pass: false, ramp: [], method: '' }],
    };
    expect(totalsOf(bench).findings.slo).toBe(1);
    expect(verdictOf(bench, parseFailOn(['slo'])).failing).toEqual(['slo: openfga (1 SLO)']);
  });

  it('refuses an unknown --fail-on name with the list', () => {
    expect(() => parseFailOn(['audits'])).toThrow(InputError);
    expect(() => parseFailOn(['audits'])).toThrow(/wrong, error, revocation, audit, slo, unsupported/);
    expect(parseFailOn([])).toEqual(['wrong', 'error']);
    expect(parseFailOn(['all'])).toHaveLength(6);
    // Names add to the default; `none` clears what came before it.
    expect(parseFailOn(['audit', 'slo'])).toEqual(['wrong', 'error', 'audit', 'slo']);
    expect(parseFailOn(['none,audit'])).toEqual(['audit']);
    expect(parseFailOn(['none'])).toEqual([]);
  });

  it('suggests the closest names only', () => {
    expect(closest('veiwer', ['viewer', 'editor', 'owner'])).toEqual(['viewer']);
    expect(closest('revokation', ['revocation', 'delegation', 'hierarchy'])).toEqual(['revocation']);
    expect(closest('opx', ['opa', 'oso', 'openfga', 'cerbos'])).toEqual(['opa']);
    expect(closest('cerbo', ['opa', 'cerbos', 'cerbos[admin]'])).toEqual(['cerbos', 'cerbos[admin]']);
    expect(closest('zzzzzz', ['viewer'])).toEqual([]);
  });

  it('a real run writes the totals and the verdict; missing decision logs are audit findings', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'authz-bench-verdict-'));
    const cli = path.resolve(import.meta.dirname, '../../bin/authz-bench.js');
    const error = await promisify(execFile)(
      process.execPath,
      [cli, 'run', '-e', 'reference', '-e', 'oso', '-s', 'audit-decision-log', '--bench-time', '0', '--out', out, '--fail-on', 'audit', '-q'],
      { timeout: 120_000 },
    ).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr.trim()).toBe('exit 1: audit: oso (1 case)');
    const written = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResults;
    expect(written.schemaVersion).toBe(1);
    expect(written.totals?.findings.audit).toBe(1);
    expect(written.verdict).toEqual({ failOn: ['wrong', 'error', 'audit'], exitCode: 1, failing: ['audit: oso (1 case)'] });
    const log = written.cases.find((c) => c.engine === 'oso' && c.kind === 'expectLog');
    expect(log).toMatchObject({ status: 'fail', actual: '0/7 found (no decision log)', audit: { logKind: 'none', found: 0, share: 0 } });
  }, 150_000);
});
