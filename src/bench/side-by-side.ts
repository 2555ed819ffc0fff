// The end of `authz-bench bench`: the embedded engines' micro benchmarks side by side, each
// p50 as a ratio to the reference engine's (the in-process speed bar), with the client-side
// part where the adapter reports one (Cedar's entity slice).

import { formatFactor, formatMs } from '../report/format.ts';
import { ratioToReference } from '../report/views.ts';
import type { PerformanceResult } from '../results/types.ts';

/** One line per engine: p50, the ratio to the reference, and the client-side part. */
export function sideBySideLines(micro: PerformanceResult[]): string[] {
  const ratios = ratioToReference(micro);
  return micro.map((m) => {
    const ratio = ratios.get(m.engine);
    const clientSide = m.clientSide ? `, of which ${m.clientSide.label} ${formatMs(m.clientSide.meanMs)} (mean)` : '';
    return `${m.engine.padEnd(12)} p50 ${formatMs(m.latency.p50).padStart(9)}  ${ratio === undefined ? '' : `${formatFactor(ratio)} reference`}${clientSide}`;
  });
}
