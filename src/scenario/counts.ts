// The one vocabulary for a scenario's size, used by list, validate, run and the reports:
// - a step is one entry of the file's `steps` (writes and deletes included);
// - a case is a graded step: a check, a batch, a search, a revocation timeline or a log check; a run
//   reports each case pass, fail, error or unsupported ("43/43 cases passed");
// - a decision is one allow/deny answer a case expects: a check is one, a batch of n is n
//   (a search answers with a set, not a decision).

import type { Scenario } from './types.ts';

export interface ScenarioCounts {
  steps: number;
  cases: number;
  decisions: number;
}

export function scenarioCounts(scenario: Pick<Scenario, 'steps'>): ScenarioCounts {
  let cases = 0;
  let decisions = 0;
  for (const step of scenario.steps) {
    if (step.kind === 'check') {
      cases++;
      decisions++;
    } else if (step.kind === 'batch') {
      cases++;
      decisions += step.requests.length;
    } else if (step.kind === 'revocation' || step.kind === 'expectLog' || step.kind === 'search') cases++;
  }
  return { steps: scenario.steps.length, cases, decisions };
}

/** `43 cases (46 decisions)`. */
export function formatScenarioCounts(counts: ScenarioCounts): string {
  return `${counts.cases} case${counts.cases === 1 ? '' : 's'} (${counts.decisions} decision${counts.decisions === 1 ? '' : 's'})`;
}
