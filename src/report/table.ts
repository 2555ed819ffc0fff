// The report as data: sections of paragraphs and tables that both printers (Markdown and
// HTML) print, so the two formats cannot show different columns or figures. Text here is
// plain (never markup): each printer escapes it for its own format.

/** Colour of a cell: a case status, or how a latency factor compares with the fastest. */
export type Tone = 'pass' | 'fail' | 'error' | 'unsupported' | 'not-run' | 'best' | 'near' | 'slow' | 'slowest' | 'muted';

/** A run of text inside a paragraph or a cell. */
export type Inline = string | { code: string } | { strong: string };
export type Paragraph = Inline[];

export interface DetailItem {
  tone: Tone;
  /** Field name and value, e.g. ['expected', 'deny']; values print as code. */
  fields: [string, string][];
}

export interface Cell {
  text: string;
  /** Monospace (HTML `<code>`, Markdown code span). */
  code?: boolean;
  tone?: Tone;
  /** Secondary text printed after the main text (HTML: muted). */
  note?: string;
  /** HTML only: an expandable list (a cell's failing cases). The same cases are listed in a table of their own. */
  details?: { summary: string; items?: DetailItem[]; text?: string }[];
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** What the column means, for a header tooltip. */
  title?: string;
}

export interface Row {
  cells: Cell[];
  /** The engine configuration a row is about, for the HTML engine filter. */
  engine?: string;
}

export interface RowGroup {
  /** Printed as a heading row in HTML and in the first column of the group's first row in Markdown. */
  label?: string;
  /** The scenario the group is about, for the HTML scenario filter. */
  scenario?: string;
  rows: Row[];
}

export interface Table {
  id: string;
  columns: Column[];
  groups: RowGroup[];
  /** Header of the column that carries group labels in Markdown (e.g. `scenario`). */
  groupHeader?: string;
  /** Paragraphs printed under the table. */
  notes: Paragraph[];
  /** HTML: a filter of rows by engine configuration above the table. */
  engineFilter?: boolean;
}

export interface Section {
  id: string;
  title: string;
  /** 2 for a top-level section, 3 for a subsection. */
  level: 2 | 3;
  intro: Paragraph[];
  tables: Table[];
  /** Printed in the HTML navigation bar. */
  nav?: string;
}

export interface ReportModel {
  title: Inline[];
  /** Lines under the title: when, which commit, which command. */
  subtitle: Paragraph[];
  sections: Section[];
  footer: Paragraph[];
}

/** A cell; an absent value prints as a plain dash. */
export function cell(text: string | number | undefined, extra: Omit<Cell, 'text'> = {}): Cell {
  if (text === undefined) {
    const { code: _code, ...rest } = extra;
    return { text: '–', ...rest };
  }
  return { text: String(text), ...extra };
}
export const rows = (table: Table): Row[] => table.groups.flatMap((g) => g.rows);
/** A table without groups. */
export const plainTable = (id: string, columns: Column[], body: Row[], notes: Paragraph[] = []): Table => ({ id, columns, groups: [{ rows: body }], notes });
/** A column of right-aligned figures. */
export const num = (header: string, title?: string): Column => ({ header, align: 'right', ...(title ? { title } : {}) });
export const text = (header: string, title?: string): Column => ({ header, ...(title ? { title } : {}) });
