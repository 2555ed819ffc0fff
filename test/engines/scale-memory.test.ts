// The scale section's memory figure says what it leaves out: Cerbos's relationships live in the
// harness's attribute resolver, so its server's RSS is not the engine's whole footprint.
import { describe, expect, it } from 'vitest';
import { measurePoint } from '../../src/bench/scale.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { findScenarioFile } from '../../src/bench/curves.ts';
import { startEngine } from '../helpers/engines.ts';

describe('scale memory', () => {
  it('Cerbos: server RSS, with the note that the relationships are in the harness', async () => {
    const cerbos = await startEngine('cerbos');
    try {
      const params = { relationships: 1000, checks: 20 };
      const scenario = await loadScenarioFile((await findScenarioFile('scale-drive'))!, { generateParams: params });
      const [point] = await measurePoint([cerbos], { scenario, params }, () => async () => true, {
        trials: 1,
        durationMs: 20,
        warmupMs: 0,
        budget: { timeMs: 60_000, memoryMiB: 4096 },
        memory: true,
        log: () => undefined,
      });
      expect(point!.didNotLoad).toBeUndefined();
      expect(point!.memoryMethod).toMatch(/^server RSS/);
      expect(point!.memoryMiB).toBeGreaterThan(1);
      expect(point!.memoryNote).toBe("the relationships live in the harness's attribute resolver, not in the server: not counted");
    } finally {
      await cerbos.stop();
    }
  });
});
