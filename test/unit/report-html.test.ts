// Engine ids below name the engines of the fixture results file (test/fixtures/results-small.json) on purpose.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml, scriptJson } from '../../src/report/html.ts';
import type { RunResults } from '../../src/results/types.ts';

const load = () => JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')) as RunResults;

describe('HTML report', () => {
  const results = load();
  const html = renderHtml(results);

  it('has every section, the matrix and a canvas per chart', () => {
    for (const id of ['scorecard', 'conformance', 'latency', 'revocation', 'audit', 'engines']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toContain('<table id="matrix"');
    for (const id of ['chart-latency-overview', 'chart-latency-0', 'chart-latency-1', 'chart-revocation-deny', 'chart-revocation-stale', 'chart-audit'])
      expect(html).toContain(`<canvas id="${id}"`);
    // Failing cases' expected and actual sit in <details>.
    expect(html).toMatch(
      /<details><summary>1 failing<\/summary>.*<dt>expected<\/dt><dd><code>deny<\/code><\/dd><dt>actual<\/dt><dd><code>allow &lt;wrong&gt; &amp; &quot;odd&quot;<\/code>/s,
    );
    // Settings of each engine and the machine.
    expect(html).toContain('datastore=memory, consistency=HIGHER_CONSISTENCY, checkCache=false');
    expect(html).toMatch(/<footer>[\s\S]*Test CPU @ 2\.0GHz \(2 cores\)/);
    // Factor to the fastest engine of the same kind, coloured; the overall factor is not.
    expect(html).toContain('<td class="num t-best">1.00×</td>');
    expect(html).toContain('<td class="num">76.2×</td>');
    expect(html).not.toContain('class="num t-slowest"');
  });

  it('escapes every string from the results', () => {
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt; Folders &amp; &quot;groups&quot;');
    expect(html).toContain('skipped: oso: library failed to load &lt;libpolar.so&gt;');
    // Exactly three script elements: the JSON data, Chart.js and the drawing code.
    expect(html.match(/<script[\s>]/g)).toHaveLength(3);
  });

  it('puts chart data in a JSON block with < escaped, and parses back', () => {
    const r = load();
    r.engines[0]!.id = '</script><script>alert(1)</script>';
    for (const c of r.cases) if (c.engine === 'reference') c.engine = r.engines[0]!.id;
    for (const p of r.performance) if (p.engine === 'reference') p.engine = r.engines[0]!.id;
    const out = renderHtml(r);
    const block = /<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(out)![1]!;
    expect(block).not.toContain('<');
    expect(block).toContain('\\u003c/script\\u003e');
    const data = JSON.parse(block) as { charts: { id: string; labels: string[]; series: { label: string; values?: (number | null)[]; colors?: string[] }[] }[] };
    const chart = (id: string) => data.charts.find((c) => c.id === id)!;
    expect(chart('chart-latency-0').series[0]!.label).toBe('</script><script>alert(1)</script>');
    expect(data.charts.filter((c) => c.id.startsWith('chart-latency-')).map((c) => c.id)).toEqual(['chart-latency-overview', 'chart-latency-0', 'chart-latency-1']);
    expect(chart('chart-audit').labels).toContain('openfga · revoke');
    // Never denied: drawn red at the deadline, not left out.
    const direct = chart('chart-revocation-deny').series.find((s) => s.label === 'direct')!;
    expect(direct.colors![chart('chart-revocation-deny').labels.indexOf('cerbos')]).toBe('#dc2626');
  });

  it('is self-contained and allows only its own scripts', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    const scripts = [...html.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    for (const s of scripts) expect(csp).toContain(`'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
    expect(scripts[0]).toContain('Chart');
  });

  it('renders a run without performance, revocation or audit data', () => {
    const r = load();
    r.performance = [];
    r.cases = r.cases.filter((c) => c.kind !== 'revocation' && c.kind !== 'expectLog');
    const out = renderHtml(r);
    expect(out).toContain('<table id="matrix"');
    expect(out).not.toContain('<canvas');
    expect(out).not.toContain('<section id="latency">');
  });

  it('escapes text and script JSON helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(scriptJson({ s: '</script>&' })).toBe('{"s":"\\u003c/script\\u003e\\u0026"}');
    expect(JSON.parse(scriptJson({ s: '</script>&\u2028' })).s).toBe('</script>&\u2028');
  });
});
