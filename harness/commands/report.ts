import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { evaluateCriteria, loadCriteria, type CriteriaResult } from '../report/criteria.js';
import { REPORT_FORMAT_NAMES, renderAll, reportFormat } from '../report/index.js';
import { assertResults } from '../report/load.js';
import { writeReports } from '../report/writer.js';
import type { Results } from '../model.js';

export interface ReportCommandOptions {
  /** A results.json, or a run directory holding one. */
  file: string;
  /** A criteria file (see examples/criteria.tax-calculator.json): adds the decision record. */
  criteria?: string;
  /** Where to write the reports (default: next to the results.json). */
  out?: string;
  /** Also print this format to stdout: github-action-benchmark, bencher, markdown, html or json. */
  format?: string;
  /** Where --format output goes (default: stdout). */
  print?: (text: string) => void;
}

/** Reads a file the user named, turning the usual failures into one-line UserErrors. */
export async function readUserFile(file: string, what: string, fix: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${what} ${file} not found — ${fix}`);
    if (code === 'EISDIR') throw new UserError(`${what} ${file} is a directory — ${fix}`);
    throw new UserError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

/** A results.json named directly or through its run directory. */
export async function resultsPath(file: string): Promise<string> {
  const p = path.resolve(file);
  try {
    if ((await stat(p)).isDirectory()) return path.join(p, 'results.json');
  } catch {
    // not there: readUserFile reports it with the fix
  }
  return p;
}

/** Reads and checks a results.json; every failure is a UserError naming the file and the fix. */
export async function readResults(file: string, label = 'results file'): Promise<Results> {
  const p = await resultsPath(file);
  const fix = 'pass the results.json of a run (e.g. results/latest/results.json), written by `wvc bench`';
  const text = await readUserFile(p, label, fix);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${label} ${p} is not valid JSON (${(e as Error).message}) — ${fix}`);
  }
  try {
    return assertResults(doc, p);
  } catch (e) {
    throw new UserError(`${(e as Error).message} — ${fix}`);
  }
}

/** Reads a criteria file and evaluates it against a run; every failure is a UserError naming the file. */
export async function readCriteria(results: Results, file: string): Promise<CriteriaResult> {
  const cpath = path.resolve(file);
  const text = await readUserFile(cpath, 'criteria file', 'pass a criteria JSON file, e.g. examples/criteria.tax-calculator.json');
  try {
    return evaluateCriteria(results, loadCriteria(text));
  } catch (e) {
    throw new UserError(`${cpath}: ${(e as Error).message}`);
  }
}

/**
 * `wvc report`: re-renders report.md and report.html (and, into another
 * directory, results.json and samples.csv) from a results.json, optionally
 * with a criteria file's decision record; `--format` also prints one format
 * (the github-action-benchmark or Bencher export, or a report) to stdout.
 * @returns the directory written and whether any criterion failed.
 */
export async function report(opts: ReportCommandOptions): Promise<{ dir: string; criteriaFailed: boolean; files: string[] }> {
  const format = opts.format !== undefined ? reportFormat(opts.format) : undefined;
  if (opts.format !== undefined && !format) throw new UserError(`--format must be one of ${REPORT_FORMAT_NAMES.join(', ')}, got '${opts.format}'`);
  const src = await resultsPath(opts.file);
  const results = await readResults(src);
  const criteria = opts.criteria ? await readCriteria(results, opts.criteria) : undefined;
  const srcDir = path.dirname(src);
  const dir = opts.out ? path.resolve(opts.out) : srcDir;
  const files = renderAll(results, criteria ? { criteria } : {});
  if (dir === srcDir) {
    // Never rewrite the input, nor the samples it was written with.
    delete files['results.json'];
    delete files['samples.csv'];
  } else {
    // The input as it was saved (an older schemaVersion stays that version), not its in-memory upgrade.
    files['results.json'] = await readFile(src, 'utf8');
  }
  const written = await writeReports(dir, files);
  if (format) {
    const print = opts.print ?? ((t: string) => void process.stdout.write(t));
    print(format.render(results, criteria ? { criteria } : {}));
  }
  return { dir, criteriaFailed: criteria ? !criteria.passed : false, files: written };
}
