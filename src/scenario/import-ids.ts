// Scenario ids for files imported from an engine's own test files (`authz-bench import`): one
// per file, unique within one import, since the output folder holds `<id>.yaml` files.

import path from 'node:path';

const kebab = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'imported';

/** A file's own id: its name before the first dot (`store.fga.yaml` -> `store`). */
export function scenarioIdOf(file: string): string {
  return kebab(path.basename(file).split('.')[0] ?? '');
}

/**
 * Ids for many files imported into one folder: each file's own id, and where several share
 * one (OpenFGA's sample stores are all `store.fga.yaml`), the folder name before it
 * (`github-store`), then a number.
 */
export function uniqueScenarioIds(files: string[]): string[] {
  const own = files.map(scenarioIdOf);
  const taken = new Set<string>();
  return files.map((file, i) => {
    const shared = own.filter((id) => id === own[i]).length > 1;
    const base = shared ? kebab(`${path.basename(path.dirname(path.resolve(file)))}-${own[i]}`) : own[i]!;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}
