// The scenarios a command works on: bundled ones by id or tag, and files of the user's own.

import path from 'node:path';
import { InputError } from '../core/errors.ts';
import type { Scenario } from '../scenario/types.ts';

/**
 * Files alone when only files are given; otherwise the chosen (or all) bundled scenarios, then
 * the files. Results are keyed by scenario id, so two scenarios with one id are refused.
 */
export async function loadScenarios(ids: string[], files: string[], generateParams?: Record<string, number>): Promise<Scenario[]> {
  const { loadBundledScenarios, loadScenarioFile } = await import('../scenario/load.ts');
  const options = generateParams && Object.keys(generateParams).length > 0 ? { generateParams } : {};
  const fromFiles = await Promise.all(files.map((f) => loadScenarioFile(path.resolve(f), options)));
  const scenarios = files.length > 0 && ids.length === 0 ? fromFiles : [...(await loadBundledScenarios(ids, options)), ...fromFiles];
  if (options.generateParams && !scenarios.some((s) => s.generator)) {
    throw new InputError(
      '--param',
      Object.keys(options.generateParams).join(', '),
      'none of the chosen scenarios is generated (has a generate: block) to take it',
      "choose one that is, e.g. --scenario scale-drive ('authz-bench list scenarios' tags them 'generated')",
    );
  }
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
