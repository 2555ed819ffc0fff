// The scenarios a command works on: bundled ones by id or tag, and files of the user's own.

import path from 'node:path';
import { InputError } from '../core/errors.ts';
import type { Scenario } from '../scenario/types.ts';

/**
 * Files alone when only files are given; otherwise the chosen (or all) bundled scenarios, then
 * the files. Results are keyed by scenario id, so two scenarios with one id are refused.
 */
export async function loadScenarios(ids: string[], files: string[], generateParams: Record<string, number> = {}): Promise<Scenario[]> {
  const { loadBundledScenarios, loadScenarioFile } = await import('../scenario/load.ts');
  const fromFiles = await Promise.all(files.map((f) => loadScenarioFile(path.resolve(f))));
  const chosen = files.length > 0 && ids.length === 0 ? fromFiles : [...(await loadBundledScenarios(ids)), ...fromFiles];
  const scenarios = Object.keys(generateParams).length > 0 ? await regenerated(chosen, generateParams) : chosen;
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

/**
 * The chosen scenarios, each generated one made again with the params its generator takes (a
 * `checks` for one generator is not an error for another that has none); a param no chosen
 * generator takes is refused, naming the option.
 */
async function regenerated(chosen: Scenario[], params: Record<string, number>): Promise<Scenario[]> {
  const [{ loadScenarioFile }, { loadGenerator }] = await Promise.all([import('../scenario/load.ts'), import('../scenario/generators.ts')]);
  const generated = chosen.filter((s) => s.generator !== undefined);
  if (generated.length === 0) {
    throw new InputError(
      '--param',
      Object.keys(params).join(', '),
      'none of the chosen scenarios is generated (has a generate: block) to take it',
      "choose one that is, e.g. --scenario scale-drive ('authz-bench list scenarios' tags them 'generated')",
    );
  }
  const takes = new Map<string, string[]>();
  for (const name of new Set(generated.map((s) => s.generator!))) takes.set(name, Object.keys((await loadGenerator(name)).params));
  const unknown = Object.keys(params).filter((key) => ![...takes.values()].some((keys) => keys.includes(key)));
  if (unknown.length > 0) {
    const offered = [...takes].map(([name, keys]) => `${name}: ${keys.join(', ')}`).join('; ');
    throw new InputError('--param', unknown.join(', '), 'no generator of the chosen scenarios takes it', `use one they take (${offered})`);
  }
  return Promise.all(
    chosen.map((s) => {
      const own = Object.fromEntries(Object.entries(params).filter(([key]) => s.generator !== undefined && takes.get(s.generator)!.includes(key)));
      return Object.keys(own).length > 0 ? loadScenarioFile(s.file, { generateParams: own }) : s;
    }),
  );
}
