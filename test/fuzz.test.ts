// A sample of the fuzzing that `authz-bench fuzz --count 10000` does: generated scenario
// files must load or be rejected with an error naming the file and the problem.
import { describe, expect, it } from 'vitest';
import { fuzzLoader } from '../src/fuzz/scenario-fuzz.ts';

describe('scenario loader fuzzing', () => {
  it('500 generated files: no crash, no hang, every rejection located', async () => {
    const report = await fuzzLoader(500, 7);
    expect(report.crashes).toEqual([]);
    expect(report.inputs).toBe(500);
    expect(report.rejected).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });
});
