import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Rendered } from './writer.js';

/**
 * Writes rendered reports into an existing run directory (or any directory),
 * for re-rendering a run: unlike `writeRun` it does not derive the directory
 * from the run id and does not touch `latest`. Each file goes through a temp
 * file and a rename, so a crash never leaves a torn report.
 * @returns the paths written, in `files` order.
 */
export async function writeReports(dir: string, files: Rendered): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    if (name !== path.basename(name)) throw new Error(`writeReports: ${JSON.stringify(name)} is not a plain file name`);
    const file = path.join(dir, name);
    await writeFile(file + '.tmp', text);
    await rename(file + '.tmp', file);
    written.push(file);
  }
  return written;
}
