import { UserError } from '../errors.js';
import { compareRuns, hasRegression, renderCompare, type CompareResult } from '../report/compare.js';
import { readFile } from 'node:fs/promises';
import { assertResults } from '../report/load.js';
import type { Results } from '../model.js';
import { resultsPath } from './report.js';

/**
 * Reads and checks the results.json given as --old or --new through the reports'
 * one validation path (`assertResults`: its schema, older schemaVersions upgraded);
 * every failure is a one-line UserError naming OLD or NEW, the file and the fix.
 */
async function readRun(file: string, label: 'OLD' | 'NEW'): Promise<Results> {
  const p = await resultsPath(file);
  const what = `${label} results file ${p}`;
  const fix = `pass the results.json of a run as --${label.toLowerCase()} (e.g. results/<run-id>/results.json, written by \`wvc bench\`)`;
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${what} not found — ${fix}` : `cannot read ${what}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${what} is not valid JSON (${(e as Error).message}) — ${fix}`);
  }
  try {
    return assertResults(doc, what);
  } catch (e) {
    throw new UserError(`${(e as Error).message} — ${fix}`);
  }
}

/**
 * `wvc compare --old A --new B [--threshold 0.1]`: compares two runs' cold
 * starts (see harness/report/compare.ts) and returns the markdown and whether
 * anything regressed. Missing files, bad JSON, an unsupported schemaVersion or
 * a document its schema rejects are UserErrors naming the file and the field.
 */
export async function compare(opts: { old: string; new: string; threshold?: number; seed?: number }): Promise<{ markdown: string; regression: boolean; result: CompareResult }> {
  if (!opts.old || !opts.new) throw new UserError('compare needs --old and --new, each a results.json (or a run directory)');
  if (opts.threshold !== undefined && !(Number.isFinite(opts.threshold) && opts.threshold >= 0)) {
    throw new UserError(`--threshold must be a number ≥ 0 (0.1 = 10%), got ${opts.threshold}`);
  }
  const [o, n] = await Promise.all([readRun(opts.old, 'OLD'), readRun(opts.new, 'NEW')]);
  let result: CompareResult;
  try {
    result = compareRuns(o, n, { threshold: opts.threshold, seed: opts.seed });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  return { markdown: renderCompare(result), regression: hasRegression(result), result };
}
