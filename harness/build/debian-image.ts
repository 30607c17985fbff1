import path from 'node:path';
import type { Artifact } from '../targets/types.js';
import { connectDocker } from '../util/docker.js';
import type { BuildContext } from './common.js';
import { buildImage } from './image.js';

/** The typical base: built locally by scripts/make-debian-base.sh, or any image named by $WVC_DEBIAN_BASE. */
export const DEFAULT_DEBIAN_BASE = 'wvc/debian-bookworm-minbase:local';

/**
 * The same static binary on a Debian bookworm minbase, for the "typical image"
 * rows of the footprint and cold start. Skipped with a hint when the base image
 * is not in the engine (nothing is pulled: there may be no registry).
 */
export async function buildDebianImage(ctx: BuildContext, nativeBin: Artifact): Promise<Artifact | { skipped: true; reason: string; hint: string }> {
  const base = process.env.WVC_DEBIAN_BASE || DEFAULT_DEBIAN_BASE;
  const conn = await connectDocker();
  if (!conn.ok) return { skipped: true, reason: conn.reason, hint: conn.hint };
  let baseId: string;
  try {
    baseId = (await conn.docker.getImage(base).inspect()).Id;
  } catch {
    return {
      skipped: true,
      reason: `base image ${base} is not in the Docker engine`,
      hint: base === DEFAULT_DEBIAN_BASE ? 'sudo bash scripts/make-debian-base.sh (scripts/setup.sh runs it)' : `docker pull ${base}, or unset WVC_DEBIAN_BASE`,
    };
  }
  return buildImage(ctx, {
    id: 'image-debian',
    dockerfileDir: path.join(ctx.root, 'images', 'tax-calculator-debian'),
    files: { tax: nativeBin.path! },
    tagBase: 'wvc/tax-calculator-debian',
    buildArgs: { BASE: base },
    extraInputs: [baseId],
  });
}
