import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Results } from '../model.js';
import { samplesCsv } from './csv.js';

/** Files rendered from a results model, by file name. */
export type Rendered = Record<string, string>;

/**
 * The one place that writes run output. Writes results.json and samples.csv
 * (plus any rendered reports) into `<outRoot>/<runId>/`, each through a
 * temp file and a rename so a crash mid-write never leaves a torn file, and
 * points `<outRoot>/latest` at the run. Called after every round, so nothing
 * measured is lost if a later target fails or the run is interrupted.
 */
export async function writeRun(outRoot: string, results: Results, extra: Rendered = {}): Promise<string> {
  const dir = path.join(outRoot, results.runId);
  await mkdir(dir, { recursive: true });
  const files: Rendered = { 'results.json': JSON.stringify(results, null, 2) + '\n', 'samples.csv': samplesCsv(results), ...extra };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await writeFile(file + '.tmp', text);
    await rename(file + '.tmp', file);
  }
  const latest = path.join(outRoot, 'latest');
  await rm(latest, { force: true });
  await symlink(results.runId, latest);
  return dir;
}
