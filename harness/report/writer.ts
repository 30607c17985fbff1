import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Results } from '../model.js';
import { samplesCsv } from './csv.js';
import { renderJson } from './json.js';

/** A run file that could not be written: the path, and why (ENOSPC, EROFS, EACCES…). */
export class WriteError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    super(`cannot write ${file}: ${code ? `${code} ` : ''}${cause instanceof Error ? cause.message.replace(/^\w+: /, '') : String(cause)}`, { cause });
    this.name = 'WriteError';
  }
}

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
  await writeReports(dir, { 'results.json': renderJson(results), 'samples.csv': samplesCsv(results), ...extra });
  const latest = path.join(outRoot, 'latest');
  try {
    await rm(latest, { force: true });
    await symlink(results.runId, latest);
  } catch (e) {
    throw new WriteError(latest, e);
  }
  return dir;
}

/**
 * Writes rendered files into a directory (a run directory, for re-rendering a run):
 * unlike `writeRun` it does not derive the directory from the run id and does not
 * touch `latest`. Each file goes through a temp file and a rename, so a crash never
 * leaves a torn file.
 * @returns the paths written, in `files` order.
 */
export async function writeReports(dir: string, files: Rendered): Promise<string[]> {
  await mkdir(dir, { recursive: true }).catch((e: unknown) => {
    throw new WriteError(dir, e);
  });
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    if (name !== path.basename(name)) throw new Error(`writeReports: ${JSON.stringify(name)} is not a plain file name`);
    const file = path.join(dir, name);
    try {
      await writeFile(file + '.tmp', text);
      await rename(file + '.tmp', file);
    } catch (e) {
      // A full disk or a read-only directory: the file as last written stays whole; no torn temp file is left.
      await rm(file + '.tmp', { force: true }).catch(() => undefined);
      throw new WriteError(file, e);
    }
    written.push(file);
  }
  return written;
}
