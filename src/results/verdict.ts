// Verdicts: what a run found, by kind, and which kinds fail it (`--fail-on`, like k6
// thresholds). Wrong decisions and engine errors fail a run by default; stale answers
// after a revocation, incomplete decision logs, missed SLOs and unsupported features are
// reported always and fail the run only when asked for.

import { InputError } from '../core/errors.ts';
import type { CaseResult, CaseStatus, RunResults } from './types.ts';

export const FINDINGS = ['wrong', 'error', 'revocation', 'audit', 'slo', 'unsupported'] as const;
export type Finding = (typeof FINDINGS)[number];

export const DEFAULT_FAIL_ON: readonly Finding[] = ['wrong', 'error'];

export const FINDING_MEANING: Readonly<Record<Finding, string>> = {
  wrong: 'an engine answered a check wrong',
  error: 'an engine failed to answer (error, crash, hang, not installed)',
  revocation: 'an engine kept allowing after a revocation, or answered stale right after a write in a revocation scenario',
  audit: "an engine's own decision log is missing, sampled or lacks fields",
  slo: 'an engine missed the latency SLO (bench)',
  unsupported: 'an engine cannot run a scenario or step (feature it lacks)',
};

/** Counts of the run's vocabulary: a case is a graded step, a decision one allow/deny answer. */
export interface Tally {
  cases: Record<CaseStatus, number> & { total: number };
  /** A check is one decision, a batch of n checks n decisions; revocation polls are not counted. */
  decisions: { total: number; correct: number; wrong: number; errors: number };
  findings: Record<Finding, number>;
}

export interface EngineTally extends Tally {
  engine: string;
}

export interface RunTotals extends Tally {
  engines: EngineTally[];
}

export interface RunVerdict {
  failOn: Finding[];
  exitCode: number;
  /** One line per engine and finding that fails the run, e.g. `audit: openfga (2 cases)`. */
  failing: string[];
}

/** The finding a case is, if any. */
export function findingOf(c: CaseResult, revocationScenarios: ReadonlySet<string>): Finding | undefined {
  switch (c.status) {
    case 'pass':
      return undefined;
    case 'unsupported':
      return 'unsupported';
    case 'error':
      return 'error';
    case 'fail':
      if (c.kind === 'revocation') return 'revocation';
      if (c.kind === 'expectLog') return 'audit';
      // A revocation scenario checks answers right after writes and deletes: a wrong answer
      // there is a stale one (a cache, eventual consistency), so it counts as revocation.
      if (revocationScenarios.has(c.scenario)) return 'revocation';
      return 'wrong';
  }
}

function emptyTally(): Tally {
  return {
    cases: { pass: 0, fail: 0, unsupported: 0, error: 0, total: 0 },
    decisions: { total: 0, correct: 0, wrong: 0, errors: 0 },
    findings: Object.fromEntries(FINDINGS.map((f) => [f, 0])) as Record<Finding, number>,
  };
}

/** Decisions in a case: the answers a check or a batch expects, and how many came out wrong. */
function decisionsOf(c: CaseResult): { total: number; wrong: number; errors: number } {
  if (c.kind !== 'check' && c.kind !== 'batch') return { total: 0, wrong: 0, errors: 0 };
  const expected = (c.expected ?? '').split(',').filter(Boolean);
  const total = Math.max(1, expected.length);
  if (c.status === 'error') return { total, wrong: 0, errors: total };
  if (c.status !== 'fail') return { total, wrong: 0, errors: 0 };
  const actual = (c.actual ?? '').split(',');
  const wrong = expected.filter((e, i) => actual[i] !== e).length;
  return { total, wrong: Math.max(1, wrong), errors: 0 };
}

function add(tally: Tally, c: CaseResult, finding: Finding | undefined): void {
  tally.cases[c.status]++;
  tally.cases.total++;
  const d = decisionsOf(c);
  tally.decisions.total += d.total;
  tally.decisions.wrong += d.wrong;
  tally.decisions.errors += d.errors;
  tally.decisions.correct += d.total - d.wrong - d.errors;
  if (finding) tally.findings[finding]++;
}

/** The run's totals and each engine's, in the order the engines ran. */
export function totalsOf(results: RunResults): RunTotals {
  const revocationScenarios = new Set(results.scenarios.filter((s) => s.tags.includes('revocation')).map((s) => s.id));
  const total = emptyTally();
  const perEngine = new Map<string, EngineTally>(results.engines.map((e) => [e.id, { engine: e.id, ...emptyTally() }]));
  for (const c of results.cases) {
    const finding = findingOf(c, revocationScenarios);
    add(total, c, finding);
    let engine = perEngine.get(c.engine);
    if (!engine) {
      engine = { engine: c.engine, ...emptyTally() };
      perEngine.set(c.engine, engine);
    }
    add(engine, c, finding);
  }
  for (const slo of results.bench?.slo ?? []) {
    if (slo.pass) continue;
    total.findings.slo++;
    const engine = perEngine.get(slo.engine);
    if (engine) engine.findings.slo++;
  }
  return { ...total, engines: [...perEngine.values()] };
}

/**
 * `--fail-on audit,revocation` (comma-separated or repeated). Names add to the default
 * (wrong, error), so asking for audit findings never stops wrong answers from failing a run;
 * `none` clears what came before it (`none,audit`: audit findings only), `all` adds every one.
 */
export function parseFailOn(values: readonly string[]): Finding[] {
  const chosen = new Set<Finding>(DEFAULT_FAIL_ON);
  for (const value of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)) {
    if (value === 'all') FINDINGS.forEach((f) => chosen.add(f));
    else if (value === 'none') chosen.clear();
    else if (value === 'default') DEFAULT_FAIL_ON.forEach((f) => chosen.add(f));
    else if ((FINDINGS as readonly string[]).includes(value)) chosen.add(value as Finding);
    else
      throw new InputError(
        '--fail-on',
        value,
        'unknown finding',
        `use one or more of: ${FINDINGS.join(', ')}, all, none (e.g. --fail-on audit; --fail-on none,audit for audit findings only)`,
      );
  }
  return FINDINGS.filter((f) => chosen.has(f));
}

/**
 * The run's exit code under `failOn`: 1 when a chosen finding other than an engine error
 * is present, 3 when only engine errors are, else 0 (see the CLI's exit codes).
 */
export function verdictOf(results: RunResults, failOn: readonly Finding[] = DEFAULT_FAIL_ON): RunVerdict {
  const totals = totalsOf(results);
  const failing: string[] = [];
  for (const finding of failOn) {
    const engines = totals.engines.filter((e) => e.findings[finding] > 0);
    if (engines.length === 0) continue;
    const unit = finding === 'slo' ? 'SLO' : 'case';
    failing.push(`${finding}: ${engines.map((e) => `${e.engine} (${e.findings[finding]} ${unit}${e.findings[finding] === 1 ? '' : 's'})`).join(', ')}`);
  }
  const skipped = failOn.includes('error') ? results.engines.filter((e) => e.skipped && !totals.engines.some((t) => t.engine === e.id && t.findings.error > 0)) : [];
  if (skipped.length > 0) failing.push(`error: ${skipped.map((e) => `${e.id} (not run)`).join(', ')}`);
  const beyondErrors = failOn.some((f) => f !== 'error' && totals.findings[f] > 0);
  const errors = failOn.includes('error') && (totals.findings.error > 0 || skipped.length > 0);
  return { failOn: [...failOn], exitCode: beyondErrors ? 1 : errors ? 3 : 0, failing };
}
