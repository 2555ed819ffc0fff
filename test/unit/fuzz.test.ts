// A sample of the fuzzing that `authz-bench fuzz --count 10000` does: generated scenario
// files must load or be rejected with an error naming the file and the problem. The sample
// covers every generator, the hostile ones too (deep nesting, huge inputs, hostile ids).
import { describe, expect, it } from 'vitest';
import { fuzzLoader } from '../../src/fuzz/scenario-fuzz.ts';

describe('scenario loader fuzzing', () => {
  it('500 generated files: no crash, no hang, every rejection located, every generator used', async () => {
    const report = await fuzzLoader(500, 7);
    expect(report.crashes).toEqual([]);
    expect(report.inputs).toBe(500);
    expect(report.rejected).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
    for (const [kind, count] of Object.entries(report.byKind)) expect(count, kind).toBeGreaterThan(0);
  }, 120_000);
});
