// Markdown report (terminals, CI job summaries): prints the table model of summarise().
//
// Text from a results file is data, never markup: Markdown renderers (GitHub, GitLab) pass
// raw HTML through, so `<` and `>` are written as entities outside code spans, and code
// spans are fenced so that no backtick inside can close them.

import type { RunResults } from '../results/types.ts';
import { summarise } from './summarise.ts';
import type { Cell, Inline, Paragraph, ReportModel, Table, Tone } from './table.ts';

const SYMBOL: Partial<Record<Tone, string>> = { pass: '✅', fail: '❌', error: '⚠️', unsupported: '➖', 'not-run': '·' };

/** Plain text safe in Markdown: no raw HTML, no link syntax, no table breaks. */
export function markdownText(value: string): string {
  return value
    .replace(/\r?\n/g, ' ')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\]\(/g, ']\\(')
    .replace(/\|/g, '\\|');
}

/** A code span holding `value` literally, whatever backticks it contains (in a table cell, `|` is escaped as GFM asks). */
export function codeSpan(value: string, inTable = false): string {
  if (value === '') return '';
  const oneLine = value.replace(/\r?\n/g, ' ');
  const flat = inTable ? oneLine.replace(/\|/g, '\\|') : oneLine;
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || longest > 0 ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const inline = (part: Inline) => (typeof part === 'string' ? markdownText(part) : 'code' in part ? codeSpan(part.code) : `**${markdownText(part.strong)}**`);
const paragraph = (p: Paragraph) => p.map(inline).join('');

function printCell(c: Cell): string {
  const symbol = c.tone ? SYMBOL[c.tone] : undefined;
  const main = c.code ? codeSpan(c.text, true) : markdownText(c.text);
  return [symbol, main, c.note ? `(${markdownText(c.note)})` : undefined].filter((x) => x !== undefined && x !== '').join(' ');
}

function printTable(t: Table): string {
  const grouped = t.groups.some((g) => g.label !== undefined);
  const head = [...(grouped ? [t.groupHeader ?? ''] : []), ...t.columns.map((c) => c.header)];
  const align = [...(grouped ? ['---'] : []), ...t.columns.map((c) => (c.align === 'right' ? '---:' : '---'))];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const body = t.groups.flatMap((g) => g.rows.map((r, i) => line([...(grouped ? [i === 0 && g.label !== undefined ? `**${markdownText(g.label)}**` : ''] : []), ...r.cells.map(printCell)])));
  return [line(head.map(markdownText)), line(align), ...body, ...t.notes.flatMap((n) => ['', paragraph(n)])].join('\n');
}

export function printMarkdown(model: ReportModel): string {
  const out: string[] = [`# ${paragraph(model.title)}`, ''];
  for (const p of model.subtitle) out.push(paragraph(p), '');
  for (const s of model.sections) {
    out.push(`${'#'.repeat(s.level)} ${markdownText(s.title)}`, '');
    for (const p of s.intro) out.push(paragraph(p), '');
    for (const t of s.tables) out.push(printTable(t), '');
  }
  out.push('---', ...model.footer.map(paragraph), '');
  return out.join('\n');
}

export function renderMarkdown(results: RunResults): string {
  return printMarkdown(summarise(results));
}
