import { UserError } from '../targets/types.js';
import { compareRuns, hasRegression, renderCompare, type CompareResult } from '../report/compare.js';
import { readFile } from 'node:fs/promises';
import { resultsPath } from './report.js';

async function readJson(file: string, label: 'OLD' | 'NEW'): Promise<unknown> {
  const p = await resultsPath(file);
  const fix = `pass the results.json of a run as --${label.toLowerCase()} (e.g. results/<run-id>/results.json, written by \`wvc bench\`)`;
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${label} results file ${p} not found — ${fix}` : `cannot read ${label} results file ${p}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${label} results file ${p} is not valid JSON (${(e as Error).message}) — ${fix}`);
  }
}

/**
 * `wvc compare --old A --new B [--threshold 0.1]`: compares two runs' cold
 * starts (see harness/report/compare.ts) and returns the markdown and whether
 * anything regressed. Missing files, bad JSON or an unsupported schema are
 * UserErrors naming the file.
 */
export async function compare(opts: { old: string; new: string; threshold?: number; seed?: number }): Promise<{ markdown: string; regression: boolean; result: CompareResult }> {
  if (!opts.old || !opts.new) throw new UserError('compare needs --old and --new, each a results.json (or a run directory)');
  if (opts.threshold !== undefined && !(Number.isFinite(opts.threshold) && opts.threshold >= 0)) {
    throw new UserError(`--threshold must be a number ≥ 0 (0.1 = 10%), got ${opts.threshold}`);
  }
  const [o, n] = await Promise.all([readJson(opts.old, 'OLD'), readJson(opts.new, 'NEW')]);
  let result: CompareResult;
  try {
    result = compareRuns(o, n, { threshold: opts.threshold, seed: opts.seed });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  return { markdown: renderCompare(result), regression: hasRegression(result), result };
}
