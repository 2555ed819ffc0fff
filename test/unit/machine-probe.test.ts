// The machine probe recorded with every bench run: a pointer chase for memory latency, PSI for CPU contention.
import { describe, expect, it } from 'vitest';
import { memoryLatencyNs, parseCpuPressure, probeMachine } from '../../src/runner/machine-probe.ts';
import { machineStateText } from '../../src/report/format.ts';

describe('machine probe', () => {
  it('times dependent reads: a buffer far larger than the caches reads slower per step than one that fits in L1', () => {
    const small = memoryLatencyNs(16 * 1024, 200_000, 3);
    const large = memoryLatencyNs(64 * 2 ** 20, 200_000, 3);
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(small * 2);
  });

  it("reads Linux's CPU pressure (some, avg60) and nothing from text without it", () => {
    const psi = 'some avg10=9.12 avg60=13.08 avg300=10.88 total=22533758418\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
    expect(parseCpuPressure(psi)).toBe(13.08);
    expect(parseCpuPressure('')).toBeUndefined();
  });

  it('says what it measured, and "not probed" for runs from before the probe', () => {
    const probe = probeMachine();
    expect(probe.memoryLatencyNs).toBeGreaterThan(0);
    expect(machineStateText(probe)).toMatch(/^memory latency \d+ ns \(random reads of 64 MiB\)/);
    expect(machineStateText({})).toBe('not probed');
  });
});
