// A cost curve keeps every engine asked for: one that cannot express the curve's model has its
// curve with the reason at each size (it was left out without a word).
import { describe, expect, it } from 'vitest';
import { measureCurve } from '../../src/bench/curves.ts';
import { startEngine } from '../helpers/engines.ts';

describe('cost curves', () => {
  it('an engine that cannot express the model keeps its curve, with the reason', async () => {
    const [reference, cedar] = [await startEngine('reference'), await startEngine('cedar')];
    const logged: string[] = [];
    try {
      const curves = await measureCurve(
        { dimension: 'relationships', aliases: [], scenario: 'scale-agent-fleet', param: 'relationships', fixed: { checks: 50 }, sizes: [2000] },
        [reference, cedar],
        { maxSize: 10_000, trials: 1, durationMs: 50, warmupMs: 0, budget: { timeMs: 60_000, memoryMiB: 4096 }, memory: false, log: (m) => logged.push(m) },
      );
      expect(curves.find((c) => c.engine === 'reference')!.points).toHaveLength(1);
      const cedarCurve = curves.find((c) => c.engine === 'cedar')!;
      expect(cedarCurve.points).toEqual([]);
      expect(cedarCurve.didNotLoad![0]!.reason).toMatch(/^cannot express the model: conditions: task\.reader allows 'agent#session with not_expired'/);
      expect(logged.some((m) => /relationships \d+ cedar: not measured: cannot express the model/.test(m))).toBe(true);
    } finally {
      await Promise.all([reference.stop(), cedar.stop()]);
    }
  });
});
