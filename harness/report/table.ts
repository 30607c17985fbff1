/**
 * One table builder for every markup report, in the style of hyperfine's
 * markup exporters: the table (header, alignment, rows, spans) is built once,
 * and each format supplies only its syntax — how a row, the header divider and
 * inline text are written, and how text is escaped.
 */

/** A run of inline text: plain, code, strong or emphasised. Plain text is escaped by the format. */
export type Inline = string | { code: string } | { strong: string } | { em: string };

/** Inline text: one run or a sequence of runs. */
export type Rich = Inline | readonly Inline[];

/** A table cell that spans several columns (HTML colspan; markdown pads with empty cells). */
export interface SpanCell {
  text: Rich;
  span: number;
}

export type Cell = Rich | SpanCell;

export type Align = 'left' | 'right';

/** A table: header labels, per-column alignment (default left), rows of cells. */
export interface Table {
  head: readonly string[];
  align?: readonly Align[];
  rows: readonly (readonly Cell[])[];
}

/** The syntax of one markup format. */
export interface MarkupSyntax {
  /** Escapes plain text; `inTable` when inside a table cell (markdown must escape `|` there). */
  escape(text: string, inTable: boolean): string;
  code(text: string, inTable: boolean): string;
  strong(inner: string): string;
  em(inner: string): string;
  /** Lines before the header row. */
  tableStart(): string[];
  /** One row of already-rendered cells. */
  row(cells: readonly { html: string; span: number }[], align: readonly Align[], header: boolean): string;
  /** The line between header and body. */
  divider(align: readonly Align[]): string[];
  /** Lines after the last row. */
  tableEnd(): string[];
}

const isSpan = (c: Cell): c is SpanCell => typeof c === 'object' && c !== null && !Array.isArray(c) && 'span' in c;

/** Renders inline text in a format. */
export function renderInline(text: Rich, syntax: MarkupSyntax, inTable = false): string {
  const runs: readonly Inline[] = Array.isArray(text) ? (text as readonly Inline[]) : [text as Inline];
  return runs
    .map((run) => {
      if (typeof run === 'string') return syntax.escape(run, inTable);
      if ('code' in run) return syntax.code(run.code, inTable);
      if ('strong' in run) return syntax.strong(syntax.escape(run.strong, inTable));
      return syntax.em(syntax.escape(run.em, inTable));
    })
    .join('');
}

/** Plain text of inline runs, with no markup (for titles and tests). */
export function plainText(text: Rich): string {
  const runs: readonly Inline[] = Array.isArray(text) ? (text as readonly Inline[]) : [text as Inline];
  return runs.map((r) => (typeof r === 'string' ? r : 'code' in r ? r.code : 'strong' in r ? r.strong : r.em)).join('');
}

/** Renders a table in a format; rows shorter than the header are padded with empty cells. */
export function renderTable(t: Table, syntax: MarkupSyntax): string {
  const n = t.head.length;
  const align = Array.from({ length: n }, (_, i) => t.align?.[i] ?? 'left');
  const lines = [...syntax.tableStart()];
  lines.push(syntax.row(t.head.map((h) => ({ html: syntax.escape(h, true), span: 1 })), align, true));
  lines.push(...syntax.divider(align));
  for (const row of t.rows) {
    const cells: { html: string; span: number }[] = [];
    let used = 0;
    for (const c of row) {
      const span = isSpan(c) ? Math.max(1, Math.min(c.span, n - used)) : 1;
      cells.push({ html: renderInline(isSpan(c) ? c.text : c, syntax, true), span });
      used += span;
      if (used >= n) break;
    }
    for (; used < n; used++) cells.push({ html: '', span: 1 });
    lines.push(syntax.row(cells, align, false));
  }
  lines.push(...syntax.tableEnd());
  return lines.join('\n');
}
