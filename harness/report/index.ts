/**
 * Every output format of a run, in one table. Each is a pure function of a Results
 * object (plus the evaluated criteria, when given). The formats with a `file` are
 * what a run directory holds (`renderAll`, for `writeRun(outRoot, results, renderAll(results))`);
 * the trend exports have none and are only printed (`wvc report --format`).
 */
import type { Results } from '../model.js';
import { samplesCsv } from './csv.js';
import type { ReportOptions } from './document.js';
import { toBencherBmf, toGithubActionBenchmark } from './exports.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export type { ReportOptions } from './document.js';

/** One output format. */
export interface ReportFormat {
  /** What `wvc report --format` takes. */
  readonly name: string;
  /** The file a run directory holds it in; absent for a format that is only printed. */
  readonly file?: string;
  /** One line for the help text. */
  readonly description: string;
  /** The text of the format. Pure. */
  render(r: Results, opts?: ReportOptions): string;
}

const json = (x: unknown) => JSON.stringify(x, null, 2) + '\n';

/** Every format, in the order a run directory lists its files, then the exports. */
export const REPORT_FORMATS: readonly ReportFormat[] = [
  { name: 'markdown', file: 'report.md', description: 'the report as GitHub-flavoured markdown', render: (r, opts = {}) => renderMarkdown(r, opts) },
  { name: 'html', file: 'report.html', description: 'the report as one self-contained HTML page with charts', render: (r, opts = {}) => renderHtml(r, opts) },
  { name: 'json', file: 'results.json', description: 'results.json itself, as the bench writes it', render: (r) => renderJson(r) },
  { name: 'csv', file: 'samples.csv', description: 'every cold-start sample, one per line', render: (r) => samplesCsv(r) },
  { name: 'github-action-benchmark', description: "github-action-benchmark's customSmallerIsBetter JSON (printed only)", render: (r) => json(toGithubActionBenchmark(r)) },
  { name: 'bencher', description: 'Bencher Metric Format JSON (printed only)', render: (r) => json(toBencherBmf(r)) },
];

/** The format of that name, or undefined. */
export function reportFormat(name: string): ReportFormat | undefined {
  return REPORT_FORMATS.find((f) => f.name === name);
}

/** The names `--format` accepts, in table order. */
export const REPORT_FORMAT_NAMES: readonly string[] = REPORT_FORMATS.map((f) => f.name);

/** Every format that has a file, by file name (`report.md`, `report.html`, `results.json`, `samples.csv`). Pure. */
export function renderAll(r: Results, opts: ReportOptions = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of REPORT_FORMATS) if (f.file) out[f.file] = f.render(r, opts);
  return out;
}

