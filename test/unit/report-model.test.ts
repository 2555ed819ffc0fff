// Engine ids below name the engines of the fixture results file (test/fixtures/results-small.json) on purpose.
// One table model, two printers: every table of summarise() appears in the Markdown and in
// the HTML with the same columns and cells; the scorecard comes first and says what a
// reader needs to decide; text from the results file never becomes markup.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chartSpecs } from '../../src/report/charts.ts';
import { escapeHtml, printHtml, renderHtml } from '../../src/report/html.ts';
import { codeSpan, markdownText, printMarkdown, renderMarkdown } from '../../src/report/markdown.ts';
import { summarise } from '../../src/report/summarise.ts';
import { rows, type Cell, type Table } from '../../src/report/table.ts';
import type { BenchSection, RunResults } from '../../src/results/types.ts';

const load = () => JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')) as RunResults;
const interval = (mean: number, margin = mean / 10) => ({ mean, low: mean - margin, high: mean + margin, margin, n: 3 });

/** A bench section with one of everything, as `authz-bench bench` writes it. */
function withBench(r: RunResults): RunResults {
  const micro = { ...r.performance[0]!, method: 'tinybench, rme < 2%' };
  const bench: BenchSection = {
    settings: { trials: 3, durationMs: 1000 },
    micro: [micro],
    load: [
      {
        engine: 'openfga',
        scenario: 'load-mix',
        mode: 'open',
        concurrency: 16,
        targetRate: 500,
        throughput: interval(498),
        p50: interval(0.9),
        p90: interval(1.4),
        p99: interval(3.2),
        p999: interval(7.5),
        max: 12.25,
        errors: 0,
        serviceP99: interval(2.1),
        trials: 3,
        method: 'open loop, 3 trials',
      } as BenchSection['load'][number],
    ],
    slo: [
      {
        engine: 'openfga',
        scenario: 'load-mix',
        thresholdMs: 50,
        targetRate: 500,
        p99: interval(3.2),
        pass: true,
        highestPassingRate: 2000,
        ramp: [
          { rate: 1000, p99: 4.5, throughput: 990, pass: true },
          { rate: 4000, p99: 88.25, throughput: 3100, pass: false },
        ],
        method: 'open-loop ramp',
      },
    ],
    overhead: { checksPerSecond: interval(90000), p50: interval(0.004), p99: interval(0.02), openLoopP99: interval(0.35), method: 'no-op engine' },
    curves: [{ engine: 'openfga', dimension: 'relationships', scenario: 'load-mix', points: [{ size: 100, p50: 0.8, p99: 2, setupMs: 120, memoryMiB: 41 }], method: 'sizes' }],
  };
  return { ...r, bench };
}

/** Markdown of a cell as the printer writes it, and the HTML text content. */
const mdText = (c: Cell) => (c.code ? codeSpan(c.text, true) : markdownText(c.text));
const htmlText = (c: Cell) => escapeHtml(c.text);
const tableHtml = (html: string, id: string) => new RegExp(`<table id="${id}"[^>]*>([^]*?)</table>`).exec(html)?.[1]?.replace(/<wbr>/g, '');

describe('one table model, two printers', () => {
  const results = withBench(load());
  const model = summarise(results);
  const md = printMarkdown(model);
  const html = printHtml(model, chartSpecs(results), results);
  const tables = model.sections.flatMap((s) => s.tables);

  it('starts with the scorecard in both formats', () => {
    expect(model.sections[0]!.id).toBe('scorecard');
    expect(md.indexOf('## Scorecard')).toBeLessThan(md.indexOf('## Conformance'));
    expect(html.indexOf('<section id="scorecard">')).toBeLessThan(html.indexOf('<section id="conformance">'));
    expect(html.indexOf('<section id="scorecard">')).toBeGreaterThan(0);
  });

  it('prints every table with the same columns and every cell in both formats', () => {
    expect(tables.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'scorecard-table',
        'matrix',
        'failures',
        'latency-table',
        'revocation-table',
        'audit-table',
        'micro-table',
        'load-table',
        'slo-table',
        'curves-table',
        'engines-table',
      ]),
    );
    for (const t of tables) {
      const grouped = t.groups.some((g) => g.label !== undefined);
      const header = `| ${[...(grouped ? [t.groupHeader ?? ''] : []), ...t.columns.map((c) => c.header)].map(markdownText).join(' | ')} |`;
      expect(md, t.id).toContain(header);
      const body = tableHtml(html, t.id);
      expect(body, t.id).toBeDefined();
      expect(body!.match(/<th[ >]/g)?.length, t.id).toBe(t.columns.length + t.groups.filter((g) => g.label !== undefined).length);
      expect(body!.match(/<tr[ >]/g)?.length, t.id).toBe(1 + rows(t).length + t.groups.filter((g) => g.label !== undefined).length);
      for (const r of rows(t)) {
        for (const c of r.cells) {
          expect(md, `${t.id}: ${c.text}`).toContain(mdText(c));
          expect(body, `${t.id}: ${c.text}`).toContain(htmlText(c));
          if (c.note) {
            expect(md).toContain(`(${markdownText(c.note)})`);
            expect(body).toContain(`<span class="note">${escapeHtml(c.note)}</span>`);
          }
        }
      }
    }
  });

  it('shows the bench figures that had drifted: scenario of a load row, ramp, open-loop floor', () => {
    const loadTable = tables.find((t) => t.id === 'load-table')!;
    expect(loadTable.columns.map((c) => c.header)).toContain('scenario');
    expect(md).toMatch(/\| `openfga` \| load-mix \| open \|/);
    expect(tableHtml(html, 'load-table')).toContain('load-mix');
    for (const text of ['1000/s: 4.50; 4000/s: 88.25 ✗', "no-op engine's p99 is 350 µs ± 35 µs"]) {
      expect(md).toContain(text);
      expect(html).toContain(escapeHtml(text));
    }
  });

  it('aligns figures right in both formats', () => {
    const scorecard = tables.find((t) => t.id === 'scorecard-table')!;
    const p50 = scorecard.columns.findIndex((c) => c.header === 'p50');
    expect(scorecard.columns[p50]!.align).toBe('right');
    expect(md).toMatch(/\| engine \| conformance \| revocation \| audit \| p50 \|[^\n]*\n\| --- \| --- \| --- \| --- \| ---: \|/);
    expect(tableHtml(html, 'scorecard-table')).toMatch(/<th class="num"[^>]*>p50<\/th>/);
  });
});

describe('the scorecard', () => {
  const results = load();
  const table = summarise(results).sections[0]!.tables[0]!;
  const row = (engine: string) => {
    const r = rows(table).find((x) => x.engine === engine)!;
    return Object.fromEntries(table.columns.map((c, i) => [c.header, r.cells[i]!]));
  };

  it('has one row per engine configuration', () => {
    expect(rows(table).map((r) => r.engine)).toEqual(results.engines.map((e) => e.id));
  });

  it('says conformance, revocation and audit per engine, with the status as tone', () => {
    expect(row('reference').conformance).toMatchObject({ text: '2 pass', tone: 'pass' });
    // folders has a wrong decision, revoke an incomplete log.
    expect(row('openfga').conformance).toMatchObject({ text: '0 pass · 2 fail', tone: 'fail', note: '2 failing cases' });
    expect(row('oso').conformance).toMatchObject({ text: 'did not run', tone: 'error' });
    expect(row('cerbos').revocation).toMatchObject({ text: 'never denied on 1 of 2 paths', tone: 'fail', note: '60 stale allows' });
    expect(row('openfga').revocation).toMatchObject({ text: '≤ 18.75 ms to deny', tone: 'pass', note: '5 stale allows' });
    expect(row('openfga').audit).toMatchObject({ text: '70%', tone: 'fail', note: '14/20 in its request log' });
    expect(row('reference').audit).toMatchObject({ text: '100%', tone: 'pass' });
  });

  it('gives p50 and p99 with an interval, and compares engines of one kind only', () => {
    const cerbos = results.performance.filter((p) => p.engine === 'cerbos');
    expect(row('cerbos').p50!.text).toMatch(/^\d+ µs$/);
    expect(row('cerbos').p50!.note).toMatch(/^\d+–\d+ µs$/);
    expect(cerbos.length).toBe(2);
    // cerbos is the fastest server engine; the embedded reference does not make it red.
    expect(row('cerbos')['p50 × fastest of kind']).toMatchObject({ text: '1.00×', tone: 'best' });
    expect(row('openfga')['p50 × fastest of kind']!.text).toBe('2.00×');
    expect(row('openfga')['p50 × fastest of kind']!.tone).not.toBe('slowest');
    expect(row('reference')['p50 × fastest of kind']).toMatchObject({ text: '1.00×', tone: 'best' });
    expect(row('oso').p50).toMatchObject({ text: '–' });
  });

  it('adds the SLO, memory and start-up columns only when the file has them', () => {
    expect(table.columns.map((c) => c.header)).not.toContain('highest rate within SLO');
    const r = withBench(load());
    r.engines[0]!.startMs = 1.5;
    const t = summarise(r).sections[0]!.tables[0]!;
    expect(t.columns.map((c) => c.header)).toEqual(expect.arrayContaining(['highest rate within SLO', 'memory', 'start']));
    const openfga = rows(t).find((x) => x.engine === 'openfga')!;
    const at = (h: string) => openfga.cells[t.columns.findIndex((c) => c.header === h)]!;
    expect(at('highest rate within SLO')).toMatchObject({ text: '2,000/s', note: 'p99 ≤ 50 ms' });
    expect(at('memory').text).toBe('41 MiB');
  });
});

describe('failing cases', () => {
  it('lists ten per engine and scenario and counts the rest, in the table and in the matrix cell', () => {
    const r = load();
    const template = r.cases.find((c) => c.engine === 'openfga' && c.scenario === 'folders')!;
    r.cases = r.cases.filter((c) => !(c.engine === 'openfga' && c.scenario === 'folders'));
    for (let i = 0; i < 25; i++) r.cases.push({ ...template, step: i, status: 'fail', request: `user:u${i} view folder:a`, expected: 'allow', actual: 'deny' });
    const model = summarise(r);
    const failures = model.sections.flatMap((s) => s.tables).find((t) => t.id === 'failures')!;
    const listed = rows(failures).filter((row) => row.cells[0]!.text === 'folders' && row.cells[1]!.text === 'openfga');
    expect(listed.map((row) => row.cells[3]!.text)).toEqual([...Array.from({ length: 10 }, (_, i) => `user:u${i} view folder:a`), '']);
    expect(listed.at(-1)!.cells[6]!.text).toBe('15 more failing cases of this engine in this scenario are not listed here: results.json has every case.');
    const matrix = model.sections.flatMap((s) => s.tables).find((t) => t.id === 'matrix')!;
    const engineColumn = matrix.columns.findIndex((c) => c.header === 'openfga');
    const cellOf = rows(matrix).find((row) => row.cells[0]!.text === 'folders')!.cells[engineColumn]!;
    expect(cellOf.text).toBe('0/25');
    expect(cellOf.details![0]!.items).toHaveLength(10);
    expect(cellOf.details![0]!.text).toContain('15 more');
    expect(renderHtml(r)).toContain('15 more failing cases');
  });
});

describe('latency factors', () => {
  it('colours the factor within the engine kind, and gives the overall factor uncoloured', () => {
    const t = summarise(load())
      .sections.flatMap((s) => s.tables)
      .find((x) => x.id === 'latency-table')!;
    const kindAt = t.columns.findIndex((c) => c.header === '× of kind');
    const overallAt = t.columns.findIndex((c) => c.header === '× overall');
    const openfga = t.groups.find((g) => g.label === 'folders')!.rows.find((r) => r.engine === 'openfga')!;
    expect(openfga.cells[kindAt]).toMatchObject({ text: '2.02×', tone: 'slow' });
    expect(openfga.cells[overallAt]).toEqual({ text: '76.2×' });
  });
});

describe('Markdown escapes raw HTML from the results', () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const r = load();
  r.run.id = `run ${hostile}`;
  r.engines[1]!.name = hostile;
  r.scenarios[0]!.title = `${hostile} [click](javascript:alert(1)) | pipe`;
  const failing = r.cases.find((c) => c.status === 'fail')!;
  failing.message = `boom ${hostile} &amp; &#60;`;
  failing.request = 'user:`x` view <b>';
  const md = renderMarkdown(r);
  /** The Markdown outside code spans: where a renderer would read HTML. */
  const outsideCode = md.replace(/(`+).*?\1/gs, '');

  it('leaves no tag or entity from the data outside code spans (inside them text is literal)', () => {
    expect(outsideCode).not.toMatch(/<[a-z/!]/i);
    expect(md).toContain('# authz-bench results: `run <img src=x onerror=alert(1)>`');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('boom &lt;img src=x onerror=alert(1)&gt; &amp;amp; &amp;#60;');
  });

  it('breaks link syntax and keeps pipes inside the cell', () => {
    expect(md).toContain('[click]\\(javascript:alert(1)) \\| pipe');
    const matrixRow = md.split('\n').find((l) => l.startsWith('| `folders`'))!;
    expect(matrixRow.split(/(?<!\\)\|/).length).toBe(2 + 1 + r.engines.length);
  });

  it('keeps code spans literal, whatever backticks they hold', () => {
    expect(md).toContain('`` user:`x` view <b> ``');
    expect(codeSpan('a|b', true)).toBe('`a\\|b`');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
  });

  it('escapes the HTML report the same data', () => {
    const html = renderHtml(r);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('charts come from the table rows', () => {
  it('labels each audit bar with the engine and scenario of its table row, with its value', () => {
    const r = load();
    const audit = chartSpecs(r).find((c) => c.id === 'chart-audit')!;
    const t = summarise(r)
      .sections.flatMap((s) => s.tables)
      .find((x) => x.id === 'audit-table') as Table;
    const found = t.columns.findIndex((c) => c.header === 'found');
    const tableBars = t.groups.flatMap((g) => g.rows.filter((row) => row.cells[found]!.text !== '–').map((row) => [`${row.engine} · ${g.label}`, row.cells[found]!.text]));
    expect(audit.labels.map((label, i) => [label, `${audit.series[0]!.values![i]!.toFixed(1)}%`])).toEqual(tableBars);
  });
});

describe('revocation under load in the report', () => {
  /** The fixture with one path timed idle and under load by four pollers, a promise and a cold start. */
  function withLoad(): RunResults {
    const r = load();
    const timeline = (allowedUntil: number) =>
      [0, 1, 2, 3].flatMap((poller) => [
        { poller, atMs: allowedUntil - 1, allowed: true },
        { poller, atMs: allowedUntil + poller, allowed: false },
      ]);
    const figures = { path: 'relationship', staleAllows: 4, polls: 16, immediate: false, pollers: 4 };
    r.cases.push(
      { engine: 'openfga', scenario: 'revoke', step: 5, kind: 'revocation', status: 'pass', revocation: { ...figures, timeToFirstDenyMs: 20, timeToAllDenyMs: 23, timeline: timeline(20) } },
      {
        engine: 'openfga',
        scenario: 'revoke',
        step: 6,
        kind: 'revocation',
        status: 'pass',
        revocation: {
          ...figures,
          timeToFirstDenyMs: 9000,
          timeToAllDenyMs: 9100,
          timeline: timeline(9000),
          load: {
            targetRate: 80,
            rateSource: '40% of 200/s',
            measuredMax: 200,
            connections: 4,
            throughput: 79.5,
            p50Ms: 4,
            p99Ms: 61,
            maxMs: 70,
            checks: 800,
            errors: 0,
            writes: 180,
            writeRate: 20,
            writeErrors: 0,
          },
        },
      },
    );
    r.engines.find((e) => e.id === 'openfga')!.consistency = { quote: 'OpenFGA will serve queries from the cache when possible', source: 'https://openfga.dev/docs/interacting/consistency' };
    r.coldStarts = [
      {
        engine: 'openfga',
        scenario: 'revoke',
        afterLoadMs: 12,
        afterRestartMs: 30,
        restartMs: 900,
        warmP50Ms: 3,
        warmP99Ms: 9,
        warmSamples: 200,
        restart: 'stop + start of the engine process',
        method: 'first check, then 200 more',
      },
    ];
    return r;
  }
  const table = (r: RunResults, id: string) =>
    summarise(r)
      .sections.flatMap((s) => s.tables)
      .find((t) => t.id === id);

  it('pairs each path idle and under load per engine, with the background load beside it', () => {
    const loadTable = table(withLoad(), 'revocation-load-table')!;
    const [row] = rows(loadTable);
    expect(loadTable.groups.map((g) => g.label)).toEqual(['revoke · relationship']);
    expect(row!.cells.map((c) => c.text)).toEqual(['openfga', '20.00 ms', '23.00 ms', '4', '9000 ms', '9100 ms', '4', '80/s', '61.00 ms', '180', 'pass']);
    expect(table(withLoad(), 'revocation-table')!.columns.map((c) => c.header)).toContain('phase');
  });

  it('quotes the engine’s promise and gives the cold and warm first checks', () => {
    expect(rows(table(withLoad(), 'revocation-promises')!)[0]!.cells.map((c) => c.text)).toEqual([
      'openfga',
      '“OpenFGA will serve queries from the cache when possible”',
      'https://openfga.dev/docs/interacting/consistency',
    ]);
    const cold = rows(table(withLoad(), 'cold-start-table')!)[0]!.cells.map((c) => c.text);
    expect(cold.slice(0, 6)).toEqual(['openfga', 'revoke', '12.00 ms', '4.00×', '30.00 ms', '10.0×']);
  });

  it('gives the cold start in the latency section, also for a run with no revocation step', () => {
    const noRevocation = withLoad();
    noRevocation.cases = noRevocation.cases.filter((c) => c.kind !== 'revocation');
    noRevocation.performance = [];
    const sections = summarise(noRevocation).sections;
    expect(sections.find((s) => s.id === 'revocation')).toBeUndefined();
    expect(sections.find((s) => s.id === 'latency')!.tables.map((t) => t.id)).toContain('cold-start-table');
  });

  it('draws one stale-allow window chart per engine that polled with several pollers', () => {
    const charts = chartSpecs(withLoad()).filter((c) => c.id.startsWith('chart-revocation-window-'));
    expect(charts).toHaveLength(1);
    expect(charts[0]!.labels).toEqual(['revoke · relationship', 'revoke · relationship · under load']);
    expect(charts[0]!.series.map((s) => s.values)).toEqual([
      [20, 9000],
      [23, 9100],
    ]);
    // Both printers show the new tables.
    expect(renderMarkdown(withLoad())).toContain('load: first deny');
    expect(renderHtml(withLoad())).toContain('chart-revocation-window-0');
  });
});
