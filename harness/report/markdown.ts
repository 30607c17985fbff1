/**
 * The markdown report: for decision records and the GitHub step summary
 * (GitHub-flavoured tables). Pure function of a Results object.
 */
import type { Results } from '../model.js';
import { buildReport, type Block, type ReportOptions } from './document.js';
import { renderInline, renderTable, type Align, type MarkupSyntax } from './table.js';

/** GitHub-flavoured markdown syntax for the shared table builder. */
export const markdownSyntax: MarkupSyntax = {
  escape(text, inTable) {
    // `<` would open raw HTML on GitHub (e.g. "<args>"); `|` ends a table cell.
    let s = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    if (inTable) s = s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
    return s;
  },
  code(text, inTable) {
    let s = inTable ? text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') : text.replace(/\r?\n/g, ' ');
    const fence = s.includes('`') ? '``' : '`';
    if (fence === '``') s = ` ${s} `;
    return `${fence}${s}${fence}`;
  },
  strong: (inner) => `**${inner}**`,
  em: (inner) => `*${inner}*`,
  tableStart: () => [],
  row(cells) {
    const out: string[] = [];
    for (const c of cells) {
      out.push(c.html);
      for (let i = 1; i < c.span; i++) out.push('');
    }
    return `| ${out.join(' | ')} |`.replace(/ {2,}\|/g, ' |');
  },
  divider: (align: readonly Align[]) => [`|${align.map((a) => (a === 'right' ? '---:' : '---')).join('|')}|`],
  tableEnd: () => [],
};

function block(b: Block): string | null {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${markdownSyntax.escape(b.text, false)}`;
    case 'paragraph':
      return renderInline(b.text, markdownSyntax);
    case 'notice':
      return `> ${renderInline(b.text, markdownSyntax)}`;
    case 'list':
      return b.items.map((i) => `- ${renderInline(i, markdownSyntax)}`).join('\n');
    case 'table':
      return renderTable(b.table, markdownSyntax);
    case 'chart':
      return null; // charts are HTML-only; every chart's numbers are in a table here
  }
}

/**
 * Renders the markdown report: the answer (answer.ts), the summary (a cold-start and a
 * footprint table), the run details (run, machine, versions, artifacts with sha256), optional
 * decision record, the common claims about Wasm vs measured, phases, warm latency, the plugin
 * platform (warm latency against each target's default variant, density, burst), memory,
 * footprint, capabilities, observability,
 * warnings and methodology. Deterministic: same Results, same text.
 */
export function renderMarkdown(r: Results, opts: ReportOptions = {}): string {
  return (
    buildReport(r, opts)
      .map(block)
      .filter((s): s is string => s !== null)
      .join('\n\n') + '\n'
  );
}
