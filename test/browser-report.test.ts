// Opens the rendered HTML report in Debian's chromium (playwright-core, no browser download)
// and checks that it works: no console errors, the matrix and every chart drawn, and a
// scenario title holding <script> shown as text without running.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.ts';
import type { RunResults } from '../src/results/types.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = '/tmp/authz-bench-report.png';

// Locally a missing chromium skips; in CI (.ci/run installs it) it must be there.
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);

describe.skipIf(!available)('HTML report in a browser', () => {
  const results = JSON.parse(readFileSync(new URL('./fixtures/results-small.json', import.meta.url), 'utf8')) as RunResults;
  const title = results.scenarios[0]!.title;
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

  it('renders the matrix and every chart without errors, and shows <script> as text', async () => {
    expect(title).toContain('<script>');
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(results));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });

    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });

    // The conformance matrix: one row per scenario, one column per engine.
    expect(await page.locator('#matrix tbody tr').count()).toBe(results.scenarios.length);
    expect(await page.locator('#matrix thead th').count()).toBe(results.engines.length + 1);

    // Every chart canvas is present, owned by a Chart and has pixels drawn on it.
    const canvases = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((c) => {
        const ctx = c.getContext('2d')!;
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(c);
        return { id: c.id, width: c.width, height: c.height, painted, chart: chart !== undefined };
      }),
    );
    expect(canvases.map((c) => c.id).sort()).toEqual(['chart-audit', 'chart-latency-0', 'chart-latency-1', 'chart-revocation']);
    for (const c of canvases) {
      expect(c.chart, c.id).toBe(true);
      expect(c.width, c.id).toBeGreaterThan(100);
      expect(c.painted, c.id).toBeGreaterThan(1000);
    }
    expect(await page.getAttribute('body', 'data-charts')).toBe('4');

    // The hostile title is text, and did not run.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.scenario-title').first().textContent()).toBe(title);
    expect(await page.locator('script').count()).toBe(3);

    // A failing case's expected and actual are in the cell's details.
    const details = page.locator('#matrix details').first();
    await details.locator('summary').click();
    expect(await details.textContent()).toContain('expected');

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
