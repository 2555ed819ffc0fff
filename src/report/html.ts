// HTML report: one self-contained file (no network when viewed) that prints the table model
// of summarise() and draws the charts of charts.ts. Chart.js's UMD build, the stylesheet
// (assets/report.css) and the browser script (assets/report.js) are inlined; chart data goes
// in as JSON in a <script type="application/json"> block. Every string from the results file
// is HTML-escaped, and a Content-Security-Policy allows only the two inline scripts (by
// hash), so even a missed escape could not run code.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RunResults } from '../results/types.ts';
import { chartSpecs, type ChartSpec } from './charts.ts';
import { describeMachine, settingsText } from './format.ts';
import { summarise } from './summarise.ts';
import { rows, type Cell, type Inline, type Paragraph, type ReportModel, type Section, type Table, type Tone } from './table.ts';
import { engineFamily } from './views.ts';

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

const assets = new Map<string, string>();
/** A file inlined into the page, read once; `</script` cannot occur in it. */
function asset(key: string, read: () => string): string {
  let text = assets.get(key);
  if (text === undefined) {
    text = read().replace(/<\/script/gi, '<\\/script');
    assets.set(key, text);
  }
  return text;
}
const chartJs = () => asset('chart.js', () => readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js'), 'utf8'));
const ownAsset = (name: string) => asset(name, () => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8'));

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

// Symbols every common font has (no colour emoji needed), so a bare Linux browser shows them too.
const SYMBOL: Partial<Record<Tone, string>> = { pass: '✓', fail: '✗', error: '⚠', unsupported: '–', 'not-run': '·' };

const h = escapeHtml;
const inline = (part: Inline) => (typeof part === 'string' ? h(part) : 'code' in part ? `<code>${h(part.code)}</code>` : `<strong>${h(part.strong)}</strong>`);
const paragraph = (p: Paragraph) => p.map(inline).join('');
/** Engine ids break after `[` so narrow columns wrap `openfga[store-per-tenant]` there. */
const breakable = (text: string) => h(text).replace(/\[/g, '<wbr>[');

function details(c: Cell): string {
  return (c.details ?? [])
    .map((d) => {
      const items = d.items
        ? `<ul class="failures">${d.items.map((item) => `<li class="t-${h(item.tone)}"><dl>${item.fields.map(([k, v]) => `<dt>${h(k)}</dt><dd>${k === 'step' ? h(v) : `<code>${h(v)}</code>`}</dd>`).join('')}</dl></li>`).join('')}</ul>`
        : '';
      const body = items + (d.text !== undefined ? `<p>${h(d.text)}</p>` : '');
      return `<details><summary>${h(d.summary)}</summary>${body}</details>`;
    })
    .join('');
}

function printCell(c: Cell, align: 'left' | 'right' | undefined): string {
  const classes = [align === 'right' ? 'num' : '', c.tone ? `t-${c.tone}` : ''].filter(Boolean).join(' ');
  const symbol = c.tone && SYMBOL[c.tone] ? `<span class="symbol">${SYMBOL[c.tone]}</span>` : '';
  const main = c.code ? `<code>${breakable(c.text)}</code>` : h(c.text);
  const note = c.note ? `<span class="note">${h(c.note)}</span>` : '';
  return `<td${classes ? ` class="${classes}"` : ''}>${symbol}${main}${note}${details(c)}</td>`;
}

function printTableHtml(t: Table): string {
  const head = t.columns.map((c) => `<th${c.align === 'right' ? ' class="num"' : ''}${c.title ? ` title="${h(c.title)}"` : ''}>${breakable(c.header)}</th>`).join('');
  const body = t.groups
    .map((g) => {
      const scenario = g.scenario !== undefined ? ` data-scenario="${h(g.scenario)}"` : '';
      const label = g.label !== undefined ? `<tr class="group"${scenario}><th colspan="${t.columns.length}">${h(g.label)}</th></tr>` : '';
      return (
        label +
        g.rows.map((r) => `<tr${r.engine !== undefined ? ` data-engine="${h(r.engine)}"` : ''}${scenario}>${r.cells.map((c, i) => printCell(c, t.columns[i]?.align)).join('')}</tr>`).join('')
      );
    })
    .join('');
  const cls = t.engineFilter ? ' class="filterable"' : '';
  const notes = t.notes.map((n) => `<p class="muted">${paragraph(n)}</p>`).join('');
  return `<div class="scroll"><table id="${h(t.id)}"${cls}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${notes}`;
}

/** Checkboxes per engine configuration, grouped by family, and a scenario choice, for every filterable table and chart. */
function engineFilter(model: ReportModel): string {
  const filterable = model.sections.flatMap((s) => s.tables.filter((t) => t.engineFilter));
  const engines = [...new Set(filterable.flatMap((t) => rows(t).map((r) => r.engine)).filter((e): e is string => e !== undefined))];
  const scenarios = [...new Set(filterable.flatMap((t) => t.groups.map((g) => g.scenario)).filter((s): s is string => s !== undefined))];
  const scenarioChoice =
    scenarios.length > 1
      ? `<label><strong>Scenario:</strong> <select id="scenario-filter"><option value="">all</option>${scenarios.map((s) => `<option value="${h(s)}">${h(s)}</option>`).join('')}</select></label>`
      : '';
  if (engines.length < 2) return scenarioChoice ? `<div id="engine-filter">${scenarioChoice}</div>` : '';
  const families = [...new Set(engines.map(engineFamily))];
  const boxes = families
    .map(
      (f) =>
        `<fieldset><legend><button type="button" data-family="${h(f)}" title="show only ${h(f)}">${h(f)}</button></legend>${engines
          .filter((e) => engineFamily(e) === f)
          .map((e) => `<label><input type="checkbox" value="${h(e)}" data-family="${h(f)}" checked> ${h(e === f ? 'default' : e.slice(f.length))}</label>`)
          .join(' ')}</fieldset>`,
    )
    .join('');
  return `<div id="engine-filter" role="group" aria-label="engines and scenarios shown in the tables and charts below"><strong>Engines shown below:</strong> <button type="button" data-family="*">all</button>${boxes}${scenarioChoice}</div>`;
}

function figures(charts: ChartSpec[]): string {
  if (charts.length === 0) return '';
  const wide = charts.some((c) => c.kind !== 'distribution');
  const items = charts.map(
    (c) =>
      `<figure${c.scenario !== undefined ? ` data-scenario="${h(c.scenario)}"` : ''}><figcaption>${h(c.caption)}</figcaption><div class="chart-box" style="height:${c.height}px"><canvas id="${h(c.id)}" role="img" aria-label="${h(c.caption)}"></canvas></div></figure>`,
  );
  return `<div class="charts${wide ? ' wide' : ''}">${items.join('')}</div>`;
}

/** `filter` is printed before the section's tables: given to the first section with a filterable table. */
function printSection(s: Section, charts: ChartSpec[], filter: string): string {
  const heading = `<h${s.level}>${h(s.title)}</h${s.level}>`;
  const intro = s.intro.map((p) => `<p>${paragraph(p)}</p>`).join('');
  const own = charts.filter((c) => c.section === s.id);
  return `<section id="${h(s.id)}">${heading}${intro}${filter}${s.tables.map(printTableHtml).join('')}${figures(own)}</section>`;
}

export function printHtml(model: ReportModel, charts: ChartSpec[], results: RunResults): string {
  const dataJson = scriptJson({ charts });
  const lib = chartJs();
  const app = ownAsset('report.js');
  const csp = `default-src 'none'; script-src ${sha256(lib)} ${sha256(app)}; style-src 'unsafe-inline'; img-src data:; font-src data:`;
  const filter = engineFilter(model);
  const firstFiltered = model.sections.find((s) => s.tables.some((t) => t.engineFilter))?.id;
  const nav = model.sections.filter((s) => s.nav).map((s) => `<a href="#${h(s.id)}">${h(s.nav)}</a>`);
  const titleText = model.title.map((p) => (typeof p === 'string' ? p : 'code' in p ? p.code : p.strong)).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<title>${h(titleText)}</title>
<style>${ownAsset('report.css')}</style>
</head>
<body>
<header>
<h1>${paragraph(model.title)}</h1>
${model.subtitle.map((p) => `<p class="muted">${paragraph(p)}</p>`).join('\n')}
<nav>${nav.join('')}</nav>
</header>
<main>
${model.sections.map((s) => printSection(s, charts, s.id === firstFiltered ? filter : '')).join('\n')}
</main>
<footer>
${model.footer.map((p) => `<p>${paragraph(p)}</p>`).join('\n')}
<p>Machine: ${h(describeMachine(results))}. Engines: ${results.engines.map((e) => `<code>${h(e.id)}</code> ${h(e.version)} (${h(settingsText(e.settings)) || 'default settings'})`).join('; ')}.</p>
<p>Charts drawn with Chart.js, inlined: this file needs no network.</p>
</footer>
<script type="application/json" id="chart-data">${dataJson}</script>
<script>${lib}</script>
<script>${app}</script>
</body>
</html>
`;
}

export function renderHtml(results: RunResults): string {
  return printHtml(summarise(results), chartSpecs(results), results);
}
