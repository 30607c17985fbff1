import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip, brotliCompressSync, gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import type { Artifact, FootprintContext, RuntimeFiles, TargetDefinition } from '../targets/types.js';
import { listFiles } from '../build/common.js';
import { medianOf } from './stats.js';

const exec = promisify(execFile);

/** Above this size brotli runs at quality 6 instead of 11 (quality 11 moves about 1 MB/s); the quality used is recorded. */
const BROTLI_Q11_LIMIT = 32 << 20;

export type { ArtifactFootprint, Footprint, ImageFootprint, RolloutCost, RuntimeFootprint } from '../model.js';
import type { ArtifactFootprint, Footprint, ImageFootprint, RolloutCost, RuntimeFootprint } from '../model.js';

function compressedSizes(buf: Buffer): { gzipBytes: number; brotliBytes: number; brotliQuality: number } {
  const brotliQuality = buf.length > BROTLI_Q11_LIMIT ? 6 : 11;
  return {
    gzipBytes: gzipSync(buf, { level: 9 }).length,
    brotliBytes: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
    brotliQuality,
  };
}

/** A deterministic tar of a directory (sorted names, fixed metadata), so its compressed size is reproducible. */
async function dirTar(dir: string): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const f of await listFiles(dir)) {
    pack.entry({ name: path.relative(dir, f), mtime: new Date(0), mode: 0o644, uid: 0, gid: 0 }, await readFile(f));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Raw, gzip -9 and brotli bytes and sha256 of every file or directory artifact. */
export async function measureArtifacts(artifacts: readonly Artifact[]): Promise<ArtifactFootprint[]> {
  const out: ArtifactFootprint[] = [];
  for (const a of artifacts) {
    if (a.kind === 'image' || !a.path) continue;
    const buf = a.kind === 'directory' ? await dirTar(a.path) : await readFile(a.path);
    out.push({ id: a.id, kind: a.kind, bytes: a.bytes, sha256: a.sha256, ...compressedSizes(buf), ...(a.kind === 'directory' ? { note: 'compressed as a deterministic tar of its files' } : {}) });
  }
  return out;
}

/** Counts bytes passing through. */
function counter(): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      t.bytes += chunk.length;
      cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** Bytes of `file` after a compression stream; the compressed bytes themselves are dropped. */
async function compressedBytes(file: string, compressor: Transform): Promise<number> {
  const n = counter();
  await pipeline(createReadStream(file), compressor, n, async function* (src) {
    for await (const _ of src) {
      // counted by `n`
    }
  });
  return n.bytes;
}

/** Saves an image to `file` and returns the tar's bytes and its gzip -9 and brotli bytes. */
async function saveImage(docker: Docker, ref: string, file: string): Promise<{ tarBytes: number; gzipBytes: number; brotliBytes: number; brotliQuality: number }> {
  const raw = counter();
  await pipeline(await docker.getImage(ref).get(), raw, createWriteStream(file));
  const brotliQuality = raw.bytes > BROTLI_Q11_LIMIT ? 6 : 11;
  return {
    tarBytes: raw.bytes,
    gzipBytes: await compressedBytes(file, createGzip({ level: 9 })),
    brotliBytes: await compressedBytes(file, createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: raw.bytes } })),
    brotliQuality,
  };
}

async function loadImage(docker: Docker, file: string): Promise<void> {
  const stream = await docker.loadImage(file);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
    const failed = out?.find((o) => o.error);
    if (err || failed) reject(err ?? new Error(`docker load failed: ${failed!.error}`));
    else resolve();
  }));
}

/**
 * Image sizes, and the rollout cost of an image: `docker load` of its saved tar
 * into an engine that does not have it. Before each load the image is removed,
 * and for a layered image its base too, so every layer really is loaded; the base
 * is restored afterwards from its own saved tar (not timed).
 */
export async function measureImages(docker: Docker, images: readonly Artifact[], runs: number, workDir: string): Promise<{ images: ImageFootprint[]; rollout: RolloutCost[] }> {
  const out: ImageFootprint[] = [];
  const rollout: RolloutCost[] = [];
  for (const a of images) {
    if (a.kind !== 'image' || !a.imageId || !a.tag) continue;
    const info = await docker.getImage(a.imageId).inspect();
    const file = path.join(workDir, `${a.id.replace(/\//g, '--')}.tar`);
    const { tarBytes, gzipBytes, brotliBytes, brotliQuality } = await saveImage(docker, a.tag, file);
    out.push({ id: a.id, tag: a.tag, imageBytes: info.Size, saveTarBytes: tarBytes, saveGzipBytes: gzipBytes, saveBrotliBytes: brotliBytes, brotliQuality, layers: info.RootFS?.Layers?.length ?? 0 });

    // Bases the image was built FROM (other tags whose layers it shares) go too, or `load` would only add the top layer.
    const bases: { tag: string; file: string }[] = [];
    if (a.base) {
      const base = a.base;
      const bfile = path.join(workDir, 'base.tar');
      await saveImage(docker, base, bfile);
      bases.push({ tag: base, file: bfile });
    }
    const samples: number[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        await docker.getImage(a.imageId).remove({ force: true });
        for (const b of bases) await docker.getImage(b.tag).remove({ force: true }).catch(() => undefined);
        const t0 = process.hrtime.bigint();
        await loadImage(docker, file);
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    } finally {
      for (const b of bases) await loadImage(docker, b.file);
    }
    rollout.push({
      id: `docker-load:${a.id}`,
      label: `docker load ${a.tag}`,
      what: `docker load of the saved image (${tarBytes} B tar) into an engine without it${bases.length ? ' or its base' : ''}; no registry transfer`,
      unit: 'ms',
      samples,
      median: medianOf(samples),
    });
  }
  return { images: out, rollout };
}

/** The wasm rollout: copy the component to the node, then AOT-compile it with the Wasmtime host. */
export async function measureWasmRollout(host: string, component: Artifact, runs: number, by = 'the embedding host'): Promise<RolloutCost> {
  const samples: number[] = [];
  const copy: number[] = [];
  const compile: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-node-'));
    try {
      const t0 = process.hrtime.bigint();
      const dst = path.join(dir, 'tax.component.wasm');
      await copyFile(component.path!, dst);
      const t1 = process.hrtime.bigint();
      await exec(host, ['compile', dst, path.join(dir, 'tax.cwasm')], { env: {} });
      const t2 = process.hrtime.bigint();
      copy.push(Number(t1 - t0) / 1e6);
      compile.push(Number(t2 - t1) / 1e6);
      samples.push(Number(t2 - t0) / 1e6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return {
    id: `wasm-aot:${component.id}`,
    label: `copy ${component.id} + AOT compile (${by})`,
    what: `copy the component .wasm to a new directory and precompile it to .cwasm with ${by}`,
    unit: 'ms',
    samples,
    median: medianOf(samples),
    steps: { copy: medianOf(copy), compile: medianOf(compile) },
  };
}

async function sizeOf(name: string, candidates: string[]): Promise<{ path: string; bytes: number } | null> {
  for (const c of candidates) {
    try {
      const p = c.includes('/') ? c : (await exec('sh', ['-c', `command -v ${c}`])).stdout.trim();
      if (!p) continue;
      return { path: p, bytes: (await stat(p)).size };
    } catch {
      // try the next candidate
    }
  }
  return null;
}

/**
 * What each runtime needs installed on a node, measured from disk: the targets'
 * declared groups, merged by name (node-wasi and jco both need `node`).
 */
export async function measureRuntimes(groups: readonly { target: string; group: RuntimeFiles }[]): Promise<RuntimeFootprint[]> {
  const merged = new Map<string, { users: string[]; files: RuntimeFiles['files'] }>();
  for (const { target, group } of groups) {
    const m = merged.get(group.name) ?? { users: [], files: [] };
    if (!m.users.includes(target)) m.users.push(target);
    for (const f of group.files) if (!m.files.some((x) => x.label === f.label)) m.files.push(f);
    merged.set(group.name, m);
  }
  const out: RuntimeFootprint[] = [];
  for (const [name, m] of merged) {
    const files: { path: string; bytes: number }[] = [];
    const missing: string[] = [];
    for (const f of m.files) {
      const hit = await sizeOf(f.label, f.candidates);
      if (hit) files.push(hit);
      else missing.push(f.label);
    }
    out.push({ name: m.users.length > 1 || m.users[0] !== name ? `${name} (${m.users.join(', ')})` : name, files, totalBytes: files.reduce((s, f) => s + f.bytes, 0), missing });
  }
  return out;
}

/**
 * The footprint step: raw, gzip and brotli bytes of every artifact, then what each
 * selected target that was ready for some workload measures itself (image sizes
 * and docker load, the AOT rollout), then the runtime files each needs on a node. A failure is a note, never an abort.
 */
export async function measureFootprint(defs: readonly TargetDefinition[], ctx: FootprintContext, ready: (id: string) => boolean): Promise<Footprint> {
  const fp: Footprint = { artifacts: await measureArtifacts(ctx.artifacts), images: [], rollout: [], runtimes: [], notes: [] };
  const groups: { target: string; group: RuntimeFiles }[] = [];
  for (const d of defs) {
    try {
      if (d.footprint && ready(d.id)) {
        const t = await d.footprint(ctx);
        fp.images.push(...t.images);
        fp.rollout.push(...t.rollout);
        fp.notes.push(...t.notes);
      }
      for (const group of (await d.runtimeFiles?.(ctx)) ?? []) groups.push({ target: d.id, group });
    } catch (e) {
      fp.notes.push(`${d.id} footprint failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  fp.runtimes = await measureRuntimes(groups);
  return fp;
}
