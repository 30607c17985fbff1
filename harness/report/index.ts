/**
 * Every report format, by name. Each is a pure function of a Results object
 * (plus the evaluated criteria, when given); `renderAll` produces the files a
 * run directory holds, for `writeRun(outRoot, results, renderAll(results))`.
 */
import type { Results } from '../model.js';
import type { ReportOptions } from './document.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export type { ReportOptions } from './document.js';

/** The report formats: the file each is written to and its renderer. */
export const reporters = {
  markdown: { file: 'report.md', render: (r: Results, opts: ReportOptions = {}) => renderMarkdown(r, opts) },
  html: { file: 'report.html', render: (r: Results, opts: ReportOptions = {}) => renderHtml(r, opts) },
  json: { file: 'results.json', render: (r: Results, _opts: ReportOptions = {}) => renderJson(r) },
} as const;

/** A report format name: `markdown`, `html` or `json`. */
export type ReporterName = keyof typeof reporters;

/** Every report of a run, by file name (`report.md`, `report.html`, `results.json`). Pure. */
export function renderAll(r: Results, opts: ReportOptions = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rep of Object.values(reporters)) out[rep.file] = rep.render(r, opts);
  return out;
}
