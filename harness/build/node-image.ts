import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Artifact } from '../targets/types.js';
import { connectDocker } from '../util/docker.js';
import { type BuildContext, type Skipped, sha256Of } from './common.js';
import { debianBase } from './debian-image.js';
import { buildImage, imageArtifact, inspectTag } from './image.js';

/** Artifact id of the Node base image, built here or named by $WVC_NODE_BASE. */
export const NODE_BASE_ID = 'image-node-base';

/**
 * Repository of the locally built base. The build tags it `<12 hex of inputsHash>`
 * like every image, and also `local`, the default BASE of images/tax-calculator-js,
 * so a hand-run `docker build` of an app image finds it.
 */
export const NODE_BASE_REPO = 'wvc/node-distroless';

/** The image named by $WVC_NODE_BASE, described as the base artifact; nothing is built or pulled. */
async function externalBase(ctx: BuildContext, docker: Docker, name: string): Promise<Artifact | Skipped> {
  const info = await inspectTag(docker, name);
  if (!info) {
    return { skipped: true, reason: `WVC_NODE_BASE=${name} is not in the Docker engine`, hint: `docker pull ${name}, or unset WVC_NODE_BASE to build the base from this host's node` };
  }
  ctx.log(`using ${NODE_BASE_ID}: ${name} (${info.Id.slice(7, 19)}, from WVC_NODE_BASE)`);
  return imageArtifact(NODE_BASE_ID, name, info, sha256Of(['WVC_NODE_BASE', name, info.Id]));
}

/**
 * The Node base for JavaScript app images: images/node-base, a distroless-style
 * image holding this host's `node` binary plus the libraries it links, taken
 * from the Debian bookworm minbase (or $WVC_DEBIAN_BASE). The image build fails
 * with the loader's message when that node does not run on the Debian base.
 *
 * $WVC_NODE_BASE names an existing image to use instead (e.g.
 * node:20-bookworm-slim); it must already be in the engine. Skipped with a hint
 * when no daemon answers or a base image is missing (nothing is pulled: there
 * may be no registry).
 */
export async function buildNodeBase(ctx: BuildContext): Promise<Artifact | Skipped> {
  const conn = await connectDocker();
  if (!conn.ok) return { skipped: true, reason: conn.reason, hint: conn.hint };
  const external = process.env.WVC_NODE_BASE;
  if (external) return externalBase(ctx, conn.docker, external);

  const debian = await debianBase();
  if ('skipped' in debian) return debian;
  const built = await buildImage(ctx, {
    id: NODE_BASE_ID,
    dockerfileDir: path.join(ctx.root, 'images', 'node-base'),
    files: { node: await realpath(process.execPath) },
    tagBase: NODE_BASE_REPO,
    buildArgs: { DEBIAN_BASE: debian.tag },
    extraInputs: [debian.imageId, `node ${process.version}`],
  });
  if (!('skipped' in built)) await conn.docker.getImage(built.imageId!).tag({ repo: NODE_BASE_REPO, tag: 'local' });
  return built;
}
