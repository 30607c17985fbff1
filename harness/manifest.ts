import { readFile } from 'node:fs/promises';
import type { Manifest, SkippedArtifact } from './targets/types.js';
import { MANIFEST_PATH } from './paths.js';

export type { SkippedArtifact } from './targets/types.js';

/** The build manifest on disk, with the artifacts a build could not make. */
export interface BuildManifest extends Manifest {
  skipped: SkippedArtifact[];
}

/** Reads build/manifest.json; null when there has been no build yet. */
export async function readManifest(file = MANIFEST_PATH): Promise<BuildManifest | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BuildManifest;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${file}: ${(e as Error).message} — delete it and run \`npm run build\``);
  }
}
