// The scale section of a bench report (`bench --scale`): every engine at each dataset size,
// p50/p99 with their intervals, the ratio to the fastest engine at that size, setup time and
// the engine's own memory; an engine that did not load keeps its row with the reason.

import type { BenchSection, ScaleRecord } from '../results/types.ts';
import { formatCount, formatFactor, msWithCi } from './format.ts';
import { cell, num, type Paragraph, type RowGroup, type Section, text } from './table.ts';
import { factorTone, ratioToFastest } from './views.ts';

const sizeLabel = (n: number) => (Number.isInteger(Math.log10(n)) ? `10^${Math.log10(n)} relationships` : `${formatCount(n)} relationships`);

function sizeGroup(records: ScaleRecord[]): RowGroup {
  const ratios = ratioToFastest(new Map(records.map((r) => [r.engine, r.p50?.mean])));
  return {
    label: sizeLabel(records[0]!.relationships),
    rows: records.map((r) => {
      const ratio = ratios.get(r.engine);
      return {
        engine: r.engine,
        cells: [
          cell(r.engine, { code: true }),
          cell(msWithCi(r.p50)),
          cell(msWithCi(r.p99)),
          cell(ratio === undefined ? undefined : formatFactor(ratio), ratio === undefined ? {} : { tone: factorTone(ratio) }),
          cell(r.setupMs === undefined ? undefined : `${(r.setupMs / 1000).toFixed(1)} s`),
          cell(
            r.memoryMiB === undefined ? undefined : `${r.memoryMiB.toFixed(0)} MiB`,
            r.memoryMethod ? { note: [r.memoryMethod.split(':')[0]!, r.memoryNote].filter(Boolean).join('; ') } : {},
          ),
          cell(r.checks === undefined ? undefined : formatCount(r.checks)),
          cell(r.didNotLoad ? `did not load: ${r.didNotLoad}` : 'loaded', { tone: r.didNotLoad ? 'fail' : 'pass' }),
        ],
      };
    }),
  };
}

export function scaleSection(bench: BenchSection): Section | undefined {
  const records = bench.scale ?? [];
  if (records.length === 0) return undefined;
  const sizes = [...new Set(records.map((r) => r.relationships))].sort((a, b) => a - b);
  const notes: Paragraph[] = [
    [`Method: ${records[0]!.method}.`],
    [
      'Memory is the engine’s own: for a server engine the resident memory of its process (VmRSS), for an embedded engine the heap (and WebAssembly) memory it holds in a fresh Node process with only that dataset loaded. Setup is loading the model and every relationship through the engine’s bulk path, in the harness. × fastest is the p50 over the fastest p50 at that size; a server engine’s latency includes the loopback hop and its client library.',
    ],
  ];
  return {
    id: 'load-scale',
    nav: 'Scale',
    title: `Scale: the Drive-like dataset at ${sizes.map(sizeLabel).join(' and ')}`,
    level: 3,
    intro: [],
    tables: [
      {
        id: 'scale-table',
        columns: [text('engine'), num('p50'), num('p99'), num('× fastest'), num('setup'), num('memory'), num('checks'), text('status')],
        groups: sizes.map((size) => sizeGroup(records.filter((r) => r.relationships === size))),
        groupHeader: 'size',
        notes,
        engineFilter: true,
      },
    ],
  };
}
