// The scenarios a command works on: bundled ones by id or tag, and files of the user's own.

import path from 'node:path';
import { InputError } from '../core/errors.ts';
import type { Scenario } from '../scenario/types.ts';

/**
 * Files alone when only files are given; otherwise the chosen (or all) bundled scenarios, then
 * the files. Results are keyed by scenario id, so two scenarios with one id are refused.
 */
export async function loadScenarios(ids: string[], files: string[]): Promise<Scenario[]> {
  const { loadBundledScenarios, loadScenarioFile } = await import('../scenario/load.ts');
  const fromFiles = await Promise.all(files.map((f) => loadScenarioFile(path.resolve(f))));
  const scenarios = files.length > 0 && ids.length === 0 ? fromFiles : [...(await loadBundledScenarios(ids)), ...fromFiles];
  const byId = new Map<string, Scenario>();
  for (const scenario of scenarios) {
    const first = byId.get(scenario.id);
    if (first) {
      const shown = (s: Scenario) => path.relative(process.cwd(), s.file) || s.file;
      throw new InputError(
        shown(scenario),
        'id',
        `id '${scenario.id}' is also the id of ${shown(first)}; results are kept per scenario id`,
        `give the copy its own id (e.g. id: ${scenario.id}-copy), or leave out --scenario ${scenario.id}`,
      );
    }
    byId.set(scenario.id, scenario);
  }
  return scenarios;
}
