// Engine ids below name the engines of the fixture results file (test/fixtures/results-small.json) on purpose.
// Opens the rendered HTML report in Debian's chromium (playwright-core, no browser download)
// and checks what a reader sees: no console errors or network requests, every chart drawn,
// each chart's labels the ones of its table (each audit bar labelled with its row, with the
// row's value), every table within a 1,152 px page, the engine filter, and a scenario title
// holding <script> shown as text without running. Runs on the small fixture and on the
// published runs (the main one and every folder below it) and long unbroken values.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.ts';
import type { RunResults } from '../../src/results/types.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PAGE_WIDTH = 1152;

// Locally a missing chromium skips; in CI (.ci/run installs it) it must be there.
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);

const read = (url: URL) => JSON.parse(readFileSync(url, 'utf8')) as RunResults;
const INPUTS = [
  // `everySection`: the run has conformance, latency, revocation and audit, so every chart and label is checked.
  { name: 'fixture', everySection: true, results: () => read(new URL('../fixtures/results-small.json', import.meta.url)), screenshot: '/tmp/authz-bench-report.png' },
  { name: 'published', everySection: true, results: () => read(new URL('../../results/published/results.json', import.meta.url)), screenshot: '/tmp/authz-bench-report-published.png' },
  {
    name: 'long values',
    everySection: true,
    results: (): RunResults => withLongValues(read(new URL('../fixtures/results-small.json', import.meta.url))),
    screenshot: '/tmp/authz-bench-report-long.png',
  },
  ...publishedFolders().map((folder) => ({
    name: `published ${folder}`,
    everySection: false,
    results: () => read(new URL(`../../results/published/${folder}/results.json`, import.meta.url)),
    screenshot: `/tmp/authz-bench-report-${folder.replaceAll('/', '-')}.png`,
  })),
];

/** Every published results file below the main one (revocation/, search/, scale/1e6/, …): each is rendered for readers too. */
function publishedFolders(): string[] {
  const root = fileURLToPath(new URL('../../results/published/', import.meta.url));
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('/results.json'))
    .map((f) => f.slice(0, -'/results.json'.length))
    .sort();
}

/** The fixture with every case's request, answers and message one long unbroken token: a published run failed CI on "allow,deny,deny,…". */
function withLongValues(results: RunResults): RunResults {
  const token = (seed: string) => `${seed}${',deny'.repeat(60)}`;
  for (const c of results.cases) {
    c.status = 'fail';
    c.request = token(`user:${'x'.repeat(120)}#member`);
    c.expected = token('allow');
    c.actual = token('deny');
    c.message = token('got');
  }
  return results;
}

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

describe.skipIf(!available)('HTML report in a browser', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'authz-bench-report-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, results: RunResults): Promise<Opened> {
    const file = join(dir, `${name.replaceAll(/[^\w-]/g, '-')}.html`);
    writeFileSync(file, renderHtml(results));
    const page = await browser.newPage({ viewport: { width: PAGE_WIDTH, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return { page, errors, requests };
  }

  for (const input of INPUTS) {
    it(`${input.name}: draws every chart${input.everySection ? ', labels each audit bar as its table row' : ''}, fits the page`, async () => {
      const results = input.results();
      const { page, errors, requests } = await open(input.name, results);

      // The conformance matrix: one row per scenario, one column per engine.
      if (results.cases.length > 0) expect(await page.locator('#matrix tbody tr').count()).toBe(results.scenarios.length);
      if (results.cases.length > 0) expect(await page.locator('#matrix thead th').count()).toBe(results.engines.length + 1);
      // The scorecard comes first, one row per engine configuration.
      expect(await page.locator('main > section').first().getAttribute('id')).toBe('scorecard');
      expect(await page.locator('#scorecard-table tbody tr').count()).toBe(results.engines.length);

      // Every chart canvas is present, owned by a Chart and has pixels drawn on it.
      const canvases = await page.evaluate(() =>
        [...document.querySelectorAll('canvas')].map((c) => {
          const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
          const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(c);
          return { id: c.id, width: c.width, painted, chart: chart !== undefined };
        }),
      );
      if (input.everySection)
        expect(canvases.map((c) => c.id)).toEqual(expect.arrayContaining(['chart-latency-overview', 'chart-latency-0', 'chart-revocation-deny', 'chart-revocation-stale', 'chart-audit']));
      for (const c of canvases) {
        expect(c.chart, c.id).toBe(true);
        expect(c.width, c.id).toBeGreaterThan(100);
        expect(c.painted, c.id).toBeGreaterThan(1000);
      }
      expect(await page.getAttribute('body', 'data-charts')).toBe(String(canvases.length));

      if (input.everySection) {
        // What the charts label. Each audit bar: the category label drawn beside it, and its
        // value, against the audit table's row (scenario group, engine, found %).
        const audit = await page.evaluate(() => {
          type Scale = { getLabelItems(): { label: string | string[]; options: { translation: [number, number] } }[] };
          type Bar = { y: number; height: number };
          const chart = (
            window as unknown as {
              Chart: { getChart(c: HTMLElement): { data: { datasets: { data: number[] }[] }; getDatasetMeta(i: number): { data: Bar[] }; scales: Record<string, Scale> } };
            }
          ).Chart.getChart(document.getElementById('chart-audit')!)!;
          const drawn = chart.scales.y!.getLabelItems().map((item) => ({ label: String(item.label), y: item.options.translation[1] }));
          const bars = chart.getDatasetMeta(0).data.map((bar, i) => ({
            value: chart.data.datasets[0]!.data[i]!,
            labels: drawn.filter((d) => Math.abs(d.y - bar.y) < Math.max(bar.height, 4) / 2).map((d) => d.label),
          }));
          const table: Record<string, string> = {};
          let scenario = '';
          for (const tr of document.querySelectorAll('#audit-table tbody tr')) {
            const group = tr.querySelector('th');
            if (group) scenario = group.textContent ?? '';
            else {
              const found = tr.children[2]!;
              const share = found.firstChild?.textContent ?? '';
              if (share !== '–') table[`${(tr as HTMLElement).dataset.engine} · ${scenario}`] = share;
            }
          }
          return { bars, table };
        });
        expect(audit.bars.length).toBe(Object.keys(audit.table).length);
        for (const bar of audit.bars) {
          expect(bar.labels, JSON.stringify(bar)).toHaveLength(1);
          const label = bar.labels[0]!;
          expect(audit.table[label], label).toBe(`${bar.value.toFixed(1)}%`);
        }

        // Category charts draw every engine's label, and the distributions a legend entry per engine.
        const labels = await page.evaluate(() => {
          type Chart = { data: { labels?: string[]; datasets: unknown[] }; scales: Record<string, { getLabelItems(): unknown[] }>; legend: { legendItems: unknown[] } };
          const get = (id: string) => (window as unknown as { Chart: { getChart(c: HTMLElement): Chart } }).Chart.getChart(document.getElementById(id)!);
          const out: Record<string, [number, number]> = {};
          for (const [id, axis] of [
            ['chart-latency-overview', 'y'],
            ['chart-revocation-deny', 'x'],
            ['chart-revocation-stale', 'x'],
          ] as const) {
            const c = get(id);
            out[id] = [c.scales[axis]!.getLabelItems().length, c.data.labels!.length];
          }
          const d = get('chart-latency-0');
          out['chart-latency-0'] = [d.legend.legendItems.length, d.data.datasets.length];
          return out;
        });
        for (const [id, [drawn, expected]] of Object.entries(labels)) expect(drawn, id).toBe(expected);
      }

      // Every table fits the 1,152 px page: nothing scrolls sideways.
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        tables: [...document.querySelectorAll('table')].filter((t) => t.scrollWidth > t.parentElement!.clientWidth + 1).map((t) => `${t.id}: ${t.scrollWidth} px`),
      }));
      expect(overflow.tables).toEqual([]);
      expect(overflow.page).toBeLessThanOrEqual(PAGE_WIDTH);

      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.screenshot({ path: input.screenshot, fullPage: true });
      await page.close();
    });
  }

  it('filters latency rows and chart series by engine and scenario', async () => {
    const results = INPUTS[0]!.results();
    const { page, errors } = await open('filter', results);
    const visibleRows = () => page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#latency-table tr[data-engine]')].filter((r) => !r.hidden).map((r) => r.dataset.engine));
    const seriesShown = () =>
      page.evaluate(() => {
        const chart = (window as unknown as { Chart: { getChart(c: HTMLElement): { data: { datasets: { label: string }[] }; isDatasetVisible(i: number): boolean } } }).Chart.getChart(
          document.getElementById('chart-latency-0')!,
        );
        return chart.data.datasets.filter((_, i) => chart.isDatasetVisible(i)).map((d) => d.label);
      });
    expect(new Set(await visibleRows())).toEqual(new Set(['reference', 'openfga', 'cerbos']));
    await page.locator('#engine-filter input[value="openfga"]').uncheck();
    expect(await visibleRows()).not.toContain('openfga');
    expect(await seriesShown()).toEqual(['reference', 'cerbos']);
    await page.locator('#engine-filter button[data-family="cerbos"]').click();
    expect(new Set(await visibleRows())).toEqual(new Set(['cerbos']));
    await page.locator('#engine-filter button[data-family="*"]').click();
    expect(await seriesShown()).toEqual(['reference', 'openfga', 'cerbos']);
    // One scenario: its group and chart only.
    await page.locator('#scenario-filter').selectOption('revoke');
    const shownGroups = () =>
      page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#latency-table tr')].filter((r) => !r.hidden && r.dataset.scenario).map((r) => r.dataset.scenario));
    expect(new Set(await shownGroups())).toEqual(new Set(['revoke']));
    expect(await page.locator('figure:has(#chart-latency-0)').isHidden()).toBe(true);
    expect(await page.locator('figure:has(#chart-latency-1)').isVisible()).toBe(true);
    await page.locator('#scenario-filter').selectOption('');
    expect(new Set(await shownGroups())).toEqual(new Set(['folders', 'revoke']));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a hostile scenario title as text and runs only its own scripts', async () => {
    const results = INPUTS[0]!.results();
    const title = results.scenarios[0]!.title;
    expect(title).toContain('<script>');
    const { page, errors } = await open('hostile', results);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#matrix tbody tr').first().locator('td').first().locator('.note').textContent()).toBe(title);
    expect(await page.locator('script').count()).toBe(3);
    // A failing case's expected and actual are in the cell's details.
    const details = page.locator('#matrix details').first();
    await details.locator('summary').click();
    expect(await details.textContent()).toContain('expected');
    expect(errors).toEqual([]);
    await page.close();
  });
});
