// What the SpiceDB test files share: the comparison of a scenario run with the reference's.

import { expect } from 'vitest';
import type { ScenarioRun } from '../../src/runner/run-scenario.ts';
import type { Scenario } from '../../src/scenario/types.ts';

/** Reasons a bundled scenario may be unsupported on SpiceDB; each is listed in adapters/spicedb/README.md. */
const KNOWN_UNSUPPORTED = /SpiceDB rejects wildcards on the left of an arrow|SpiceDB allows only relations on the left of an arrow|SpiceDB's arrow follows a userset subject's object/;

/**
 * Same decisions as the reference; every case passes, but the decision-log steps where the
 * engine keeps no log (embedded) and, on the server, the request log's missing reason.
 */
export function compareWithReference(scenario: Scenario, actual: ScenarioRun, expected: ScenarioRun): void {
  const unsupported = actual.cases.filter((c) => c.status === 'unsupported');
  for (const c of unsupported) expect(c.message).toMatch(c.kind === 'expectLog' ? /keeps no decision log/ : KNOWN_UNSUPPORTED);
  if (unsupported.length && actual.cases.length === 1) return;
  const decisions = (run: ScenarioRun) => run.cases.filter((c) => c.kind === 'check' || c.kind === 'batch').map((c) => `${c.step}.${c.item ?? 0} ${c.request}: ${c.actual}`);
  expect(decisions(actual)).toEqual(decisions(expected));
  const notPassing = actual.cases.filter((c) => c.status !== 'pass' && c.kind !== 'expectLog');
  expect(notPassing.map((c) => `${c.step} ${c.kind}: ${c.status} ${c.message ?? ''}`)).toEqual([]);
  if (scenario.id === 'authzen-todo') {
    expect(actual.cases.filter((c) => (c.kind === 'check' || c.kind === 'batch') && c.status === 'pass').length).toBe(43);
  }
}

