// `bench` ends with the embedded engines side by side: micro p50s as ratios to the reference engine's.

import { describe, expect, it } from 'vitest';
import type { PerformanceResult } from '../../src/results/types.ts';
import { sideBySideLines } from '../../src/bench/side-by-side.ts';
import { ratioToReference } from '../../src/report/views.ts';

const micro = (engine: string, p50: number, clientSide?: number): PerformanceResult => ({
  engine,
  scenario: 'load-mix',
  kind: 'check',
  unit: 'ms',
  latency: { p50, p99: p50 * 4 } as PerformanceResult['latency'],
  errors: 0,
  method: 'tinybench',
  samples: [],
  ...(clientSide === undefined ? {} : { clientSide: { label: 'entity slice building', meanMs: clientSide } }),
});

describe('embedded engines side by side', () => {
  it('gives each p50 and p99 with its ratio to the fastest and to the reference p50, with the client-side part', () => {
    const results = [micro('reference', 0.002), micro('cedar', 0.14, 0.03), micro('oso', 5)];
    expect(ratioToReference(results)).toEqual(
      new Map([
        ['reference', 1],
        ['cedar', 70],
        ['oso', 2500],
      ]),
    );
    expect(sideBySideLines(results)).toEqual([
      'reference         p50    2.0 µs  p99    8.0 µs  1.00× fastest, 1.00× reference',
      'cedar             p50    140 µs  p99    560 µs  70.0× fastest, 70.0× reference, of which entity slice building 30 µs (mean)',
      'oso               p50   5.00 ms  p99  20.00 ms  2500.0× fastest, 2500.0× reference',
    ]);
  });

  it('has no ratio without a reference figure', () => {
    expect(ratioToReference([micro('cedar', 0.14)]).get('cedar')).toBeUndefined();
  });
});
