import { connectDocker } from '../util/docker.js';
import type { Skipped } from './common.js';

/** The typical base: built locally by scripts/make-debian-base.sh, or any image named by $WVC_DEBIAN_BASE. */
export const DEFAULT_DEBIAN_BASE = 'wvc/debian-bookworm-minbase:local';

/** A base image that is in the engine: its tag and id (the id goes into the inputs hash, so a new base rebuilds). */
export interface BaseImage {
  tag: string;
  imageId: string;
}

/**
 * The Debian bookworm minbase that "typical image" rows build on. Skipped with a
 * hint when the base is not in the engine: nothing is pulled, since there may be
 * no registry.
 */
export async function debianBase(): Promise<BaseImage | Skipped> {
  const base = process.env.WVC_DEBIAN_BASE || DEFAULT_DEBIAN_BASE;
  const conn = await connectDocker();
  if (!conn.ok) return { skipped: true, reason: conn.reason, hint: conn.hint };
  try {
    return { tag: base, imageId: (await conn.docker.getImage(base).inspect()).Id };
  } catch {
    return {
      skipped: true,
      reason: `base image ${base} is not in the Docker engine`,
      hint: base === DEFAULT_DEBIAN_BASE ? 'sudo bash scripts/make-debian-base.sh (scripts/setup.sh runs it)' : `docker pull ${base}, or unset WVC_DEBIAN_BASE`,
    };
  }
}
