import { expect, it } from 'vitest';
import { startEngine } from '../helpers/engines.ts';
import { model } from '../helpers/model.ts';
import { FULL_LANGUAGE_YAML, randomModelMismatches } from '../helpers/random-graphs.ts';
const FULL = model(FULL_LANGUAGE_YAML);
for (const id of ['opa', 'oso', 'openfga']) {
  it(`${id} more seeds`, async () => {
    const engine = await startEngine(id);
    const reference = await startEngine('reference');
    const all: string[] = [];
    let checks = 0;
    for (const seed of [1, 2, 3, 4, 5, 11, 12, 13]) {
      const r = await randomModelMismatches(id, { engine, reference }, FULL, seed, 5);
      all.push(...r.mismatches.map((m) => `seed ${seed} ${m}`));
      checks += r.checks;
    }
    await engine.stop(); await reference.stop();
    console.log(id, 'checks', checks, 'mismatches', all.length);
    expect(all.slice(0, 10)).toEqual([]);
  }, 900_000);
}
