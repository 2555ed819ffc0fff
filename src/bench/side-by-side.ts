// The end of `authz-bench bench`: the embedded engines' micro benchmarks side by side, each
// p50 and p99 with its ratio to the fastest engine and to the reference engine's p50 (the
// in-process speed bar), with the client-side part where the adapter reports one (Cedar's
// entity slice).

import { formatFactor, formatMs } from '../report/format.ts';
import { ratioToFastest, ratioToReference } from '../report/views.ts';
import type { PerformanceResult } from '../results/types.ts';

/** One line per engine: p50, p99, the ratios to the fastest and to the reference, and the client-side part. */
export function sideBySideLines(micro: PerformanceResult[]): string[] {
  const ratios = ratioToReference(micro);
  const fastest = ratioToFastest(new Map(micro.map((m) => [m.engine, m.latency.p50])));
  return micro.map((m) => {
    const ratio = ratios.get(m.engine);
    const clientSide = m.clientSide ? `, of which ${m.clientSide.label} ${formatMs(m.clientSide.meanMs)} (mean)` : '';
    return `${m.engine.padEnd(17)} p50 ${formatMs(m.latency.p50).padStart(9)}  p99 ${formatMs(m.latency.p99).padStart(9)}  ${formatFactor(fastest.get(m.engine)!)} fastest${ratio === undefined ? '' : `, ${formatFactor(ratio)} reference`}${clientSide}`;
  });
}
