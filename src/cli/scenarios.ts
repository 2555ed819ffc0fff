// The scenarios a command works on: bundled ones by id or tag, and files of the user's own.

import path from 'node:path';
import { loadBundledScenarios, loadScenarioFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';

/** Files alone when only files are given; otherwise the chosen (or all) bundled scenarios, then the files. */
export async function loadScenarios(ids: string[], files: string[]): Promise<Scenario[]> {
  const fromFiles = await Promise.all(files.map((f) => loadScenarioFile(path.resolve(f))));
  if (files.length > 0 && ids.length === 0) return fromFiles;
  return [...(await loadBundledScenarios(ids)), ...fromFiles];
}
