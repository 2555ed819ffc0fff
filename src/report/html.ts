// HTML report: one self-contained file (no network when viewed). Chart.js's UMD build is
// inlined from node_modules; chart data goes in as JSON in a <script type="application/json">
// block. Every string from the results file is HTML-escaped, and a Content-Security-Policy
// allows only the two inline scripts (by hash), so even a missed escape could not run code.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchSection, CaseResult, Interval, RunResults } from '../results/types.ts';
import { auditRows, describeMachine, engineIds, factorToFastest, formatMs, formatCurvePoint, matrixCell, OPEN_LOOP_NOTE, revocationRows, type MatrixCell } from './summarise.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe to put inside a <script> element: no `<`, `>` or `&` can close or confuse it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

let chartJsSource: string | undefined;
function chartJs(): string {
  if (chartJsSource === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js'); // …/chart.js/dist/chart.cjs
    chartJsSource = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return chartJsSource;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

// Symbols every common font has (no colour emoji needed), so a bare Linux browser shows them too.
const STATUS_LABEL = { pass: '✓ pass', fail: '✗ fail', error: '⚠ error', unsupported: '– unsupported', 'not run': '· not run' } as const;
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

const h = escapeHtml;
const tag = (name: string, content: string, attrs = '') => `<${name}${attrs ? ` ${attrs}` : ''}>${content}</${name}>`;
const tr = (cells: string[], cellTag = 'td') => tag('tr', cells.map((c) => tag(cellTag, c)).join(''));
/** A table from already-escaped cell HTML. */
function table(head: string[], rows: string[][], cls = ''): string {
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}><thead>${tr(head.map(h), 'th')}</thead><tbody>${rows.map((r) => tr(r)).join('')}</tbody></table></div>`;
}
const where = (c: CaseResult) => `steps[${c.step}]${c.item !== undefined ? `[${c.item}]` : ''}`;

function failureDetails(cell: MatrixCell): string {
  if (cell.status === 'unsupported') return cell.message ? `<details><summary>why</summary><p>${h(cell.message)}</p></details>` : '';
  const parts: string[] = [];
  if (cell.failures.length > 0) {
    const items = cell.failures.map((f) => {
      const fields: [string, string | undefined][] = [
        ['step', `${where(f)} ${f.kind}${f.name ? ` ${f.name}` : ''}`],
        ['request', f.request],
        ['expected', f.expected],
        ['actual', f.actual],
        ['message', f.message],
      ];
      return `<li class="st-${h(f.status)}"><dl>${fields
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => `<dt>${k}</dt><dd>${k === 'step' ? h(v) : `<code>${h(v)}</code>`}</dd>`)
        .join('')}</dl></li>`;
    });
    parts.push(`<details><summary>${cell.failures.length} failing</summary><ul class="failures">${items.join('')}</ul></details>`);
  }
  if (cell.message) parts.push(`<details><summary>partly unsupported</summary><p>${h(cell.message)}</p></details>`);
  return parts.join('');
}

function conformance(results: RunResults, engines: string[]): string {
  const rows = results.scenarios.map((s) => [
    `<span class="scenario-title">${h(s.title)}</span><br><code class="muted">${h(s.id)}</code>${s.tags.length ? ` <span class="tags">${s.tags.map((t) => `<span class="tag">${h(t)}</span>`).join(' ')}</span>` : ''}`,
    ...engines.map((e) => {
      const c = matrixCell(results, s.id, e);
      const count = c.status === 'unsupported' || c.status === 'not run' ? '' : ` <span class="count">${c.pass}/${c.total}</span>`;
      return `<div class="cell st-${h(c.status.replace(' ', '-'))}"><span class="badge">${STATUS_LABEL[c.status]}</span>${count}${failureDetails(c)}</div>`;
    }),
  ]);
  return `<table id="matrix" class="matrix"><thead>${tr(['scenario', ...engines].map(h), 'th')}</thead><tbody>${rows.map((r) => tr(r)).join('')}</tbody></table>`;
}

function factorClass(f: number): string {
  if (f <= 1.0001) return 'f-best';
  if (f < 2) return 'f-near';
  if (f < 10) return 'f-slow';
  return 'f-slowest';
}

function latency(results: RunResults): string {
  const rows = results.scenarios.flatMap((s) => {
    const factors = factorToFastest(results, s.id);
    return results.performance
      .filter((p) => p.scenario === s.id)
      .map((p) => {
        const f = factors.get(p.engine) ?? 1;
        const l = p.latency;
        return [
          h(s.id),
          h(p.engine),
          `${h(formatMs(l.p50))}`,
          `${h(formatMs(l.p99))}`,
          `${h(formatMs(l.mean))} <span class="muted">± ${l.rme.toFixed(1)}%</span>`,
          p.clientSide ? `${h(p.clientSide.label)}: ${h(formatMs(p.clientSide.meanMs))} <span class="muted">(engine ≈ ${h(formatMs(l.mean - p.clientSide.meanMs))})</span>` : '–',
          `<span class="factor ${factorClass(f)}">${f.toFixed(2)}×</span>`,
          `${l.samples}`,
          `${Math.round(l.throughput).toLocaleString('en')}/s`,
          p.errors > 0 ? `<span class="bad">${p.errors}</span>` : '0',
        ];
      });
  });
  const method = results.performance[0]?.method;
  return (
    (method ? `<p>Method: ${h(method)}. ± is the 95% relative margin of error of the mean. Factor is p50 over the fastest engine's p50 in the same scenario: <span class="factor f-best">fastest</span> <span class="factor f-near">&lt; 2×</span> <span class="factor f-slow">&lt; 10×</span> <span class="factor f-slowest">≥ 10×</span>.</p>` : '') +
    table(['scenario', 'engine', 'p50', 'p99', 'mean ± rme', 'of which client-side', 'factor', 'samples', 'throughput', 'errors'], rows, 'numbers')
  );
}

interface ChartData {
  latency: { canvas: string; scenario: string; labels: string[]; datasets: { label: string; data: number[]; color: string }[] }[];
  revocation?: { labels: string[]; timeToFirstDeny: (number | null)[]; staleAllows: number[] };
  audit?: { labels: string[]; share: number[]; colors: string[] };
}

/** Log-spaced histogram of every engine's samples in a scenario, as the share of samples per bin. */
function latencyHistogram(samplesByEngine: [string, number[]][], bins = 30): { labels: string[]; shares: number[][] } {
  const all = samplesByEngine.flatMap(([, s]) => s).filter((x) => x > 0 && Number.isFinite(x));
  if (all.length === 0) return { labels: [], shares: samplesByEngine.map(() => []) };
  let lo = Math.log10(Math.min(...all));
  let hi = Math.log10(Math.max(...all));
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const labels = Array.from({ length: bins }, (_, i) => formatMs(10 ** (lo + (i + 0.5) * width)));
  const shares = samplesByEngine.map(([, samples]) => {
    const counts = new Array<number>(bins).fill(0);
    const valid = samples.filter((x) => x > 0 && Number.isFinite(x));
    for (const x of valid) counts[Math.min(bins - 1, Math.max(0, Math.floor((Math.log10(x) - lo) / width)))]!++;
    return counts.map((c) => (valid.length ? +((c / valid.length) * 100).toFixed(2) : 0));
  });
  return { labels, shares };
}

function chartData(results: RunResults, engines: string[]): ChartData {
  const color = (engine: string) => PALETTE[Math.max(0, engines.indexOf(engine)) % PALETTE.length]!;
  const data: ChartData = { latency: [] };
  results.scenarios.forEach((s, i) => {
    const perf = results.performance.filter((p) => p.scenario === s.id && p.samples.length > 0);
    if (perf.length === 0) return;
    const { labels, shares } = latencyHistogram(perf.map((p) => [p.engine, p.samples]));
    data.latency.push({ canvas: `chart-latency-${i}`, scenario: s.id, labels, datasets: perf.map((p, j) => ({ label: p.engine, data: shares[j]!, color: color(p.engine) })) });
  });
  const revocations = revocationRows(results).filter((c) => c.revocation);
  if (revocations.length > 0) {
    data.revocation = {
      labels: revocations.map((c) => `${c.scenario} · ${c.engine} · ${c.revocation!.path}${c.revocation!.timeToFirstDenyMs === undefined ? ' (never denied)' : ''}`),
      timeToFirstDeny: revocations.map((c) => c.revocation!.timeToFirstDenyMs ?? null),
      staleAllows: revocations.map((c) => c.revocation!.staleAllows),
    };
  }
  const audits = auditRows(results).filter((c) => c.audit);
  if (audits.length > 0) {
    data.audit = {
      labels: audits.map((c) => `${c.scenario} · ${c.engine}`),
      share: audits.map((c) => +(c.audit!.share * 100).toFixed(2)),
      colors: audits.map((c) => color(c.engine)),
    };
  }
  return data;
}

function revocationTable(results: RunResults): string {
  return table(
    ['scenario', 'engine', 'path', 'time to first deny', 'stale allows', 'polls', 'at once', 'status'],
    revocationRows(results).map((c) => [
      h(c.scenario),
      h(c.engine),
      h(c.revocation?.path),
      c.revocation?.timeToFirstDenyMs === undefined ? '<span class="bad">never</span>' : h(formatMs(c.revocation.timeToFirstDenyMs)),
      String(c.revocation?.staleAllows ?? '–'),
      String(c.revocation?.polls ?? '–'),
      c.revocation?.immediate ? 'yes' : 'no',
      `<span class="st-${h(c.status)}">${STATUS_LABEL[c.status]}</span>${c.message ? ` <span class="muted">${h(c.message)}</span>` : ''}`,
    ]),
    'numbers',
  );
}

function auditTable(results: RunResults): string {
  return table(
    ['scenario', 'engine', 'log', 'found', 'fields missing', 'delivery', 'status'],
    auditRows(results).map((c) => [
      h(c.scenario),
      h(c.engine),
      c.audit ? h(c.audit.logKind === 'request' ? 'request log, not a decision log' : c.audit.logKind) : 'none',
      c.audit ? `${c.audit.found}/${c.audit.checks} (${(c.audit.share * 100).toFixed(1)}%)` : '–',
      c.audit ? h(Object.entries(c.audit.missingFields).map(([f, n]) => `${f}: ${n}`).join(', ') || 'none') : '–',
      h(formatMs(c.audit?.deliveryMs)),
      `<span class="st-${h(c.status)}">${c.status === 'unsupported' ? '– not provided by the engine' : STATUS_LABEL[c.status]}</span>`,
    ]),
  );
}

const settingsText = (settings: Record<string, unknown>) => Object.entries(settings).map(([k, v]) => `${k}=${String(v)}`).join(', ');

function enginesTable(results: RunResults): string {
  return table(
    ['engine', 'name', 'version', 'launch', 'decision log', 'settings', 'note'],
    results.engines.map((e) => [
      `<code>${h(e.id)}</code>`,
      h(e.name),
      h(e.version),
      h(e.launch),
      h(e.decisionLog === 'request' ? 'request log, not a decision log' : e.decisionLog),
      Object.keys(e.settings).length ? `<code>${h(settingsText(e.settings))}</code>` : '<span class="muted">none</span>',
      e.skipped ? `<span class="bad">skipped: ${h(e.skipped)}</span>` : '',
    ]),
  );
}

const ci = (i: Interval, digits = 3) => h(i.n > 1 ? `${i.mean.toFixed(digits)} ± ${i.margin.toFixed(digits)}` : i.mean.toFixed(digits));

function benchSection(bench: BenchSection): string {
  const out: string[] = [`<section id="load"><h2>Load</h2><p>Settings: <code>${h(settingsText(bench.settings))}</code>. Intervals are 95% confidence intervals over independent trials.</p>`];
  if (bench.overhead) {
    const o = bench.overhead;
    out.push(`<p><strong>Harness overhead</strong> (${h(o.method)}): ${ci(o.checksPerSecond, 0)} checks/s, p50 ${ci(o.p50, 4)} ms, p99 ${ci(o.p99, 4)} ms.</p>`);
  }
  if (bench.micro.length > 0) {
    out.push('<h3>In-process micro benchmarks</h3>', table(['engine', 'p50', 'p99', 'mean ± rme', 'samples', 'method'], bench.micro.map((m) => [h(m.engine), h(formatMs(m.latency.p50)), h(formatMs(m.latency.p99)), `${h(formatMs(m.latency.mean))} ± ${m.latency.rme.toFixed(2)}%`, String(m.latency.samples), h(m.method)]), 'numbers'));
  }
  if (bench.load.length > 0) {
    out.push(
      '<h3>Closed and open loop (ms)</h3>',
      table(
        ['engine', 'scenario', 'mode', 'clients', 'rate', 'throughput/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors', 'p99 from send'],
        bench.load.map((l) => [h(l.engine), h(l.scenario), h(l.mode), String(l.concurrency), h(l.targetRate ?? 'max'), ci(l.throughput, 0), ci(l.p50), ci(l.p90), ci(l.p99), ci(l.p999), l.max.toFixed(3), String(l.errors), l.serviceP99 ? ci(l.serviceP99) : '–']),
        'numbers',
      ),
      `<p>${h(OPEN_LOOP_NOTE)}</p>`,
    );
  }
  if (bench.slo.length > 0) {
    out.push(
      '<h3>SLO verdict</h3>',
      table(
        ['engine', 'p99 threshold', 'target rate', 'p99 at target', 'verdict', 'highest rate that holds'],
        bench.slo.map((v) => [h(v.engine), `${v.thresholdMs} ms`, `${v.targetRate}/s`, `${ci(v.p99)} ms`, v.pass ? `<span class="st-pass">${STATUS_LABEL.pass}</span>` : `<span class="st-fail">${STATUS_LABEL.fail}</span>`, v.highestPassingRate ? `${v.highestPassingRate}/s` : 'none']),
      ),
    );
  }
  if (bench.curves.length > 0) {
    out.push(
      '<h3>Cost curves</h3>',
      table(
        ['engine', 'dimension', 'points (size: p50 ms (setup, memory))', 'growth'],
        bench.curves.map((c) => [h(c.engine), h(c.dimension), h(c.points.map(formatCurvePoint).join(', ')), c.fit ? h(`${c.fit.label}, r² ${c.fit.r2.toFixed(2)}`) : '–']),
      ),
    );
  }
  out.push('</section>');
  return out.join('\n');
}

function summaryLine(results: RunResults, engines: string[]): string {
  const items = engines.map((e) => {
    const cases = results.cases.filter((c) => c.engine === e);
    const n = (s: string) => cases.filter((c) => c.status === s).length;
    const skipped = results.engines.find((x) => x.id === e)?.skipped;
    const worst = n('fail') ? 'fail' : n('error') ? 'error' : skipped ? 'error' : 'pass';
    return `<li class="st-${worst}"><strong>${h(e)}</strong>: ${n('pass')} pass, ${n('fail')} fail, ${n('error')} error, ${n('unsupported')} unsupported${skipped ? ' (skipped)' : ''}</li>`;
  });
  return `<ul class="summary">${items.join('')}</ul>`;
}

// Runs in the browser: draws every chart from the JSON block, without animation so a
// screenshot or a test sees the final picture, then marks the document as ready.
const APP_SCRIPT = `(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('chart-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  let drawn = 0;
  const make = (id, config) => { const canvas = document.getElementById(id); if (canvas) { new Chart(canvas, config); drawn++; } };
  for (const l of data.latency) {
    make(l.canvas, {
      type: 'line',
      data: { labels: l.labels, datasets: l.datasets.map((d) => ({ label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color + '33', fill: true, tension: 0.25, pointRadius: 0, borderWidth: 2 })) },
      options: { interaction: { mode: 'index', intersect: false }, scales: { x: { title: { display: true, text: 'latency of one check (log-spaced bins)' } }, y: { beginAtZero: true, title: { display: true, text: '% of samples' } } } },
    });
  }
  if (data.revocation) {
    const r = data.revocation;
    make('chart-revocation', {
      type: 'bar',
      data: { labels: r.labels, datasets: [
        { label: 'time to first deny (ms)', data: r.timeToFirstDeny, backgroundColor: '#2563eb', yAxisID: 'y' },
        { label: 'stale allows', data: r.staleAllows, backgroundColor: '#dc2626', yAxisID: 'y1' },
      ] },
      options: { scales: { y: { beginAtZero: true, position: 'left', title: { display: true, text: 'ms' } }, y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'stale allows' } } } },
    });
  }
  if (data.audit) {
    const a = data.audit;
    make('chart-audit', {
      type: 'bar',
      data: { labels: a.labels, datasets: [{ label: '% of checks found in the engine log', data: a.share, backgroundColor: a.colors }] },
      options: { indexAxis: 'y', scales: { x: { min: 0, max: 100, title: { display: true, text: '% found' } } }, plugins: { legend: { display: false } } },
    });
  }
  document.body.dataset.charts = String(drawn);
  document.body.dataset.ready = 'true';
})();`;

const STYLE = `
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --alt: #f9fafb;
  --pass: #dcfce7; --pass-fg: #166534; --fail: #fee2e2; --fail-fg: #991b1b; --error: #fef3c7; --error-fg: #92400e;
  --unsup: #f3f4f6; --unsup-fg: #4b5563; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; margin: 20px 0 6px; }
nav a { margin-right: 14px; color: #2563eb; text-decoration: none; } nav { padding: 8px 0 12px; }
code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: var(--alt); padding: 1px 4px; border-radius: 3px; word-break: break-word; }
.muted { color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--alt); font-weight: 600; }
table.numbers td { font-variant-numeric: tabular-nums; }
.matrix td:first-child { min-width: 200px; }
.cell { border-radius: 4px; padding: 4px 6px; }
.cell.st-pass, li.st-pass { background: var(--pass); color: var(--pass-fg); }
.cell.st-fail, li.st-fail { background: var(--fail); color: var(--fail-fg); }
.cell.st-error, li.st-error { background: var(--error); color: var(--error-fg); }
.cell.st-unsupported, .cell.st-not-run { background: var(--unsup); color: var(--unsup-fg); }
span.st-pass { color: var(--pass-fg); } span.st-fail { color: var(--fail-fg); } span.st-error { color: var(--error-fg); } span.st-unsupported { color: var(--unsup-fg); }
.badge { font-weight: 600; } .count { font-variant-numeric: tabular-nums; }
details { margin-top: 4px; color: var(--fg); } summary { cursor: pointer; color: var(--muted); }
ul.failures { list-style: none; padding: 0; margin: 4px 0; }
ul.failures li { background: #fff !important; color: var(--fg) !important; border-left: 3px solid var(--fail-fg); padding: 4px 6px; margin: 4px 0; }
ul.failures li.st-error { border-left-color: var(--error-fg); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 0; } dt { color: var(--muted); } dd { margin: 0; }
.tag { display: inline-block; font-size: 11px; background: #e0e7ff; color: #3730a3; border-radius: 8px; padding: 0 6px; }
.factor { display: inline-block; border-radius: 4px; padding: 0 6px; font-weight: 600; font-variant-numeric: tabular-nums; }
.f-best { background: var(--pass); color: var(--pass-fg); } .f-near { background: #ecfccb; color: #3f6212; }
.f-slow { background: var(--error); color: var(--error-fg); } .f-slowest { background: var(--fail); color: var(--fail-fg); }
td:first-child code { white-space: nowrap; word-break: normal; }
.bad { color: var(--fail-fg); font-weight: 600; }
ul.summary { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; }
ul.summary li { border-radius: 4px; padding: 4px 10px; }
ul.summary li.st-pass { background: var(--pass); } ul.summary li.st-fail { background: var(--fail); } ul.summary li.st-error { background: var(--error); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.chart-box { position: relative; height: 280px; }
footer { margin-top: 40px; padding-top: 12px; padding-bottom: 32px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
`;

export function renderHtml(results: RunResults): string {
  const engines = engineIds(results);
  const run = results.run;
  const data = chartData(results, engines);
  const dataJson = scriptJson(data);
  const lib = chartJs();
  const csp = `default-src 'none'; script-src ${sha256(lib)} ${sha256(APP_SCRIPT)}; style-src 'unsafe-inline'; img-src data:; font-src data:`;
  const revocations = revocationRows(results);
  const audits = auditRows(results);

  const figure = (id: string, caption: string) => `<figure><figcaption>${h(caption)}</figcaption><div class="chart-box"><canvas id="${h(id)}" role="img" aria-label="${h(caption)}"></canvas></div></figure>`;
  const sections: string[] = [];
  sections.push(`<section id="summary"><h2>Summary</h2>${summaryLine(results, engines)}</section>`);
  sections.push(
    `<section id="conformance"><h2>Conformance</h2><p>Each cell: cases passed of those judged. Open a cell's details for the failing cases' expected and actual answers.</p><div class="scroll">${conformance(results, engines)}</div></section>`,
  );
  if (results.performance.length > 0) {
    sections.push(`<section id="latency"><h2>Latency of one check</h2>${latency(results)}</section>`);
  }
  const charts: string[] = data.latency.map((l) => figure(l.canvas, `Latency distribution: ${l.scenario}`));
  if (data.revocation) charts.push(figure('chart-revocation', 'Revocation: time to first deny and stale allows'));
  if (data.audit) charts.push(figure('chart-audit', 'Audit completeness'));
  if (charts.length > 0) sections.push(`<section id="charts"><h2>Charts</h2><div class="charts">${charts.join('')}</div></section>`);
  if (revocations.length > 0) {
    sections.push(`<section id="revocation"><h2>Revocation</h2><p>Time from the revocation being acknowledged to the first deny, and the allows seen before it (stale allows).</p>${revocationTable(results)}</section>`);
  }
  if (audits.length > 0) {
    sections.push(`<section id="audit"><h2>Audit completeness</h2><p>Share of the harness's checks found in the engine's own log, with the fields asked for.</p>${auditTable(results)}</section>`);
  }
  if (results.bench) sections.push(benchSection(results.bench));
  sections.push(`<section id="engines"><h2>Engines and their settings</h2>${enginesTable(results)}</section>`);

  const nav = [['summary', 'Summary'], ['conformance', 'Conformance'], ...(results.performance.length ? [['latency', 'Latency']] : []), ...(charts.length ? [['charts', 'Charts']] : []), ...(revocations.length ? [['revocation', 'Revocation']] : []), ...(audits.length ? [['audit', 'Audit']] : []), ...(results.bench ? [['load', 'Load']] : []), ['engines', 'Engines']];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<title>authz-bench results: ${h(run.id)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>authz-bench results: <code>${h(run.id)}</code></h1>
<p class="muted">Run ${h(run.startedAt)}${run.finishedAt ? ` – ${h(run.finishedAt)}` : ''}${run.gitCommit ? ` at commit <code>${h(run.gitCommit)}</code>` : ''} with <code>${h(run.command)}</code>.</p>
<nav>${nav.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
</header>
<main>
${sections.join('\n')}
</main>
<footer>
<p>Machine: ${h(describeMachine(results))}.</p>
<p>Run settings: <code>${h(settingsText(run.settings))}</code>. Engines: ${results.engines.map((e) => `<code>${h(e.id)}</code> ${h(e.version)} (${h(settingsText(e.settings)) || 'default settings'})`).join('; ')}.</p>
<p>authz-bench results schema ${h(results.schemaVersion)}. Charts drawn with Chart.js, inlined: this file needs no network.</p>
</footer>
<script type="application/json" id="chart-data">${dataJson}</script>
<script>${lib}</script>
<script>${APP_SCRIPT}</script>
</body>
</html>
`;
}
