import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import type { Artifact } from '../targets/types.js';
import { connectDocker } from '../util/docker.js';
import { type BuildContext, type Skipped, sha256Of } from './common.js';

/** What `buildImage` builds: a Dockerfile directory plus named files for the build context. */
export interface ImageSpec {
  /** Artifact id, e.g. `image-scratch`. */
  id: string;
  /** Directory holding the `Dockerfile`; only the Dockerfile is taken from it. */
  dockerfileDir: string;
  /** Build context files: name in the context → host path. */
  files: Record<string, string>;
  /** Repository part of the tag; the tag is `<tagBase>:<first 12 hex of inputsHash>`. */
  tagBase: string;
  /** Dockerfile ARGs (e.g. the base image); part of the inputs hash. */
  buildArgs?: Record<string, string>;
  /** More inputs for the hash, e.g. the base image's id, so a new base rebuilds the image. */
  extraInputs?: string[];
}

/** Label carrying the full inputs hash, so an image can be matched to its inputs without the manifest. */
export const INPUTS_LABEL = 'wvc.inputs-hash';

// Bumped when the way the context or the build options are made changes.
const RECIPE = 'wvc-image v1';

/** Fixed metadata for every tar entry, so the same inputs always give the same context bytes. */
const EPOCH = new Date(0);

/**
 * The build context as an in-memory tar: the Dockerfile and the files, sorted by
 * name, with mtime 0, uid/gid 0, and mode 0755 for executables, else 0644.
 */
export async function buildContextTar(dockerfileDir: string, files: Record<string, string>): Promise<Buffer> {
  const entries: { name: string; data: Buffer; mode: number }[] = [
    { name: 'Dockerfile', data: await readFile(path.join(dockerfileDir, 'Dockerfile')), mode: 0o644 },
  ];
  for (const [name, hostPath] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (name === 'Dockerfile') throw new Error(`image context file may not be named Dockerfile (from ${hostPath})`);
    const s = await stat(hostPath);
    entries.push({ name, data: await readFile(hostPath), mode: s.mode & 0o111 ? 0o755 : 0o644 });
  }
  const pack = tar.pack();
  for (const e of entries) {
    pack.entry({ name: e.name, size: e.data.length, mode: e.mode, mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '', type: 'file' }, e.data);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The image behind a tag, or null when the engine has no such tag. */
export async function inspectTag(docker: Docker, tag: string): Promise<Docker.ImageInspectInfo | null> {
  try {
    return await docker.getImage(tag).inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return null;
    throw e;
  }
}

/** Describes an image in the engine as an Artifact. */
export function imageArtifact(id: string, tag: string, info: Docker.ImageInspectInfo, inputs: string): Artifact {
  return { id, kind: 'image', imageId: info.Id, tag, bytes: info.Size, sha256: info.Id.replace(/^sha256:/, ''), inputsHash: inputs };
}

/** Sends the context to the engine's builder and waits for it to finish; a build error becomes a thrown Error. */
async function runBuild(docker: Docker, id: string, context: Buffer, tag: string, inputs: string, buildArgs: Record<string, string> = {}): Promise<void> {
  const stream = await docker.buildImage(Readable.from([context]), {
    t: tag,
    buildargs: buildArgs,
    labels: { [INPUTS_LABEL]: inputs },
    rm: true,
    forcerm: true,
    // FROM scratch or a local base: nothing to pull, and there may be no registry to pull from.
    pull: false,
  });
  const output = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out as Record<string, unknown>[])));
  });
  const failed = output.find((o) => o.error || o.errorDetail);
  if (failed) {
    const detail = failed.errorDetail as { message?: string } | undefined;
    const log = output
      .map((o) => (typeof o.stream === 'string' ? o.stream.trim() : ''))
      .filter(Boolean)
      .slice(-10)
      .join('\n  ');
    throw new Error(`docker build of ${id} failed: ${String(detail?.message ?? failed.error).trim()}${log ? `\n  ${log}` : ''}`);
  }
}

/**
 * Builds a Docker image through the Engine API from an in-memory, deterministic
 * tar context (the Dockerfile plus `files`), tagged `<tagBase>:<12 hex of inputsHash>`.
 *
 * Content-addressed: the inputs hash covers the exact context bytes, so when the
 * engine already has that tag for the same inputs (recorded in the previous
 * manifest, or in the image's `wvc.inputs-hash` label) the image is reused and
 * nothing is sent to the builder; `ctx.log` then says `reused <id>`.
 *
 * Returns `skipped` with a hint when no daemon answers; throws with the daemon's
 * message when the build itself fails.
 */
export async function buildImage(ctx: BuildContext, opts: ImageSpec): Promise<Artifact | Skipped> {
  const context = await buildContextTar(opts.dockerfileDir, opts.files);
  const args = Object.entries(opts.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  const inputs = sha256Of([RECIPE, opts.tagBase, context, ...args, ...(opts.extraInputs ?? [])]);
  const tag = `${opts.tagBase}:${inputs.slice(0, 12)}`;

  const conn = await connectDocker();
  if (!conn.ok) return { skipped: true, reason: conn.reason, hint: conn.hint };
  const { docker } = conn;

  const prev = ctx.previous?.artifacts.find((a) => a.id === opts.id && a.kind === 'image');
  const existing = await inspectTag(docker, tag);
  if (existing) {
    const sameAsManifest = prev?.inputsHash === inputs && prev.imageId === existing.Id;
    const sameLabel = existing.Config?.Labels?.[INPUTS_LABEL] === inputs;
    if (sameAsManifest || sameLabel) {
      ctx.log(`reused ${opts.id}: ${tag} (${existing.Id.slice(7, 19)})`);
      return imageArtifact(opts.id, tag, existing, inputs);
    }
  }

  ctx.log(`building ${opts.id} as ${tag}`);
  const dangling = async () => new Set((await docker.listImages({ filters: { dangling: ['true'] } })).map((i) => i.Id));
  const before = await dangling();
  await runBuild(docker, opts.id, context, tag, inputs, opts.buildArgs);
  // A multi-stage build leaves its earlier stages behind as untagged images. Those would keep a
  // base's layers in the engine, and the `docker load` rollout cost would then skip them.
  for (const id of await dangling()) if (!before.has(id)) await docker.getImage(id).remove().catch(() => undefined);
  const info = await inspectTag(docker, tag);
  if (!info) throw new Error(`docker build of ${opts.id} reported success but the engine has no ${tag}`);
  ctx.log(`built ${opts.id}: ${tag} (${info.Id.slice(7, 19)}, ${info.Size} bytes)`);
  return imageArtifact(opts.id, tag, info, inputs);
}
