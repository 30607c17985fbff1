import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { execa } from 'execa';
import tar from 'tar-stream';
import type { Artifact, FootprintContext, RuntimeFiles, TargetDefinition } from '../targets/types.js';
import { listFiles } from '../build/common.js';
import { BUILD_DIR } from '../paths.js';
import { medianOf } from './stats.js';
import { mapLimit } from '../util/pool.js';
import { onPath } from '../targets/common.js';


/** Above this size brotli runs at quality 6 instead of 11 (quality 11 moves about 1 MB/s); the quality used is recorded. */
const BROTLI_Q11_LIMIT = 32 << 20;

export type { ArtifactFootprint, Footprint, ImageFootprint, RolloutCost, RuntimeFootprint } from '../model.js';
import type { ArtifactFootprint, Footprint, ImageFootprint, RolloutCost, RuntimeFootprint } from '../model.js';
import { harnessTempDir } from '../util/leftovers.js';

/** The compressors, run asynchronously on libuv's thread pool. */
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
const brotliQualityFor = (bytes: number) => (bytes > BROTLI_Q11_LIMIT ? 6 : 11);

/**
 * Compressed sizes by content: a compressed size is a function of the bytes alone, so it is
 * computed once per sha256 and compressor and kept in build/cache (brotli at quality 11 moves
 * about 1 MB/s: 37 s for the 14 MB JavaScript component). A hit is noted in the footprint.
 */
export interface SizeCache {
  get(sha256: string, what: string): number | undefined;
  set(sha256: string, what: string, bytes: number): void;
  /** The ids whose sizes came from the cache in this run. */
  hits: Set<string>;
  save(): Promise<void>;
}

export const SIZE_CACHE_PATH = path.join(BUILD_DIR, 'cache', 'compressed-sizes.json');

/** Opens the cache at `file` (a missing or unreadable file is an empty cache); null file: a cache that keeps nothing. */
export async function openSizeCache(file: string | null = SIZE_CACHE_PATH): Promise<SizeCache> {
  let map: Record<string, number> = {};
  if (file) {
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { sizes?: Record<string, number> };
      if (doc && typeof doc.sizes === 'object') map = { ...doc.sizes };
    } catch {
      // no cache yet
    }
  }
  let dirty = false;
  return {
    get: (sha, what) => (Number.isInteger(map[`${sha}:${what}`]) ? map[`${sha}:${what}`] : undefined),
    set: (sha, what, bytes) => {
      map[`${sha}:${what}`] = bytes;
      dirty = true;
    },
    hits: new Set(),
    async save() {
      if (!file || !dirty) return;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify({ note: 'compressed sizes by sha256 of the bytes (wvc bench footprint); safe to delete', sizes: map }, null, 1) + '\n');
    },
  };
}

/** gzip -9 and brotli bytes of each buffer, from the cache or computed (two at a time on the thread pool). */
async function compressAll(items: { id: string; bytes: number; load: () => Promise<Buffer>; sha256: string }[], cache: SizeCache): Promise<Map<string, { gzipBytes: number; brotliBytes: number; brotliQuality: number }>> {
  const out = new Map<string, { gzipBytes: number; brotliBytes: number; brotliQuality: number }>();
  const jobs: { weight: number; run: () => Promise<void> }[] = [];
  for (const it of items) {
    const brotliQuality = brotliQualityFor(it.bytes);
    // Read once, only when a size is missing, and dropped when both are done.
    let buf: Promise<Buffer> | null = null;
    let pending = 0;
    const bytes = async () => (buf ??= it.load());
    const done = () => {
      if (--pending === 0) buf = null;
    };
    const r = { gzipBytes: cache.get(it.sha256, 'gzip-9') ?? -1, brotliBytes: cache.get(it.sha256, `brotli-${brotliQuality}`) ?? -1, brotliQuality };
    out.set(it.id, r);
    if (r.gzipBytes >= 0 && r.brotliBytes >= 0) cache.hits.add(it.id);
    if (r.gzipBytes < 0) {
      pending++;
      jobs.push({ weight: it.bytes, run: async () => {
        r.gzipBytes = (await gzipAsync(await bytes(), { level: 9 })).length;
        cache.set(it.sha256, 'gzip-9', r.gzipBytes);
        done();
      } });
    }
    if (r.brotliBytes < 0) {
      pending++;
      jobs.push({ weight: it.bytes * (brotliQuality === 11 ? 30 : 2), run: async () => {
        const b = await bytes();
        r.brotliBytes = (await brotliAsync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } })).length;
        cache.set(it.sha256, `brotli-${brotliQuality}`, r.brotliBytes);
        done();
      } });
    }
  }
  // Two at a time (the thread pool has 2 cores to share here), longest first.
  await mapLimit([...jobs].sort((x, y) => y.weight - x.weight), 2, (j) => j.run());
  return out;
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
export async function measureArtifacts(artifacts: readonly Artifact[], cache?: SizeCache): Promise<ArtifactFootprint[]> {
  const sizes = cache ?? (await openSizeCache(null));
  const items: { a: Artifact; id: string; bytes: number; load: () => Promise<Buffer>; sha256: string }[] = [];
  for (const a of artifacts) {
    if (a.kind === 'image' || !a.path) continue;
    const file = a.path;
    // A directory's sha256 is over its files' names and bytes, which fix its deterministic tar; its key says so.
    items.push(a.kind === 'directory'
      ? { a, id: a.id, bytes: a.bytes, load: () => dirTar(file), sha256: `dir-tar:${a.sha256}` }
      : { a, id: a.id, bytes: a.bytes, load: () => readFile(file), sha256: a.sha256 });
  }
  const c = await compressAll(items, sizes);
  return items.map(({ a }) => ({ id: a.id, kind: a.kind, bytes: a.bytes, sha256: a.sha256, ...c.get(a.id)!, ...(a.kind === 'directory' ? { note: 'compressed as a deterministic tar of its files' } : {}) }));
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

/** Saves an image to `file`; returns the tar's bytes and sha256. */
async function saveImage(docker: Docker, ref: string, file: string): Promise<{ tarBytes: number; sha256: string }> {
  const raw = counter();
  const h = createHash('sha256');
  raw.on('data', (c: Buffer) => h.update(c));
  await pipeline(await docker.getImage(ref).get(), raw, createWriteStream(file));
  return { tarBytes: raw.bytes, sha256: h.digest('hex') };
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
export async function measureImages(docker: Docker, images: readonly Artifact[], runs: number, workDir: string, cache?: SizeCache): Promise<{ images: ImageFootprint[]; rollout: RolloutCost[] }> {
  const sizes = cache ?? (await openSizeCache(null));
  const saved: { a: Artifact & { imageId: string; tag: string }; file: string; tarBytes: number; sha256: string; size: number; layers: number }[] = [];
  for (const a of images) {
    if (a.kind !== 'image' || !a.imageId || !a.tag) continue;
    const info = await docker.getImage(a.imageId).inspect();
    const file = path.join(workDir, `${a.id.replace(/\//g, '--')}.tar`);
    saved.push({ a: a as Artifact & { imageId: string; tag: string }, file, ...(await saveImage(docker, a.tag, file)), size: info.Size, layers: info.RootFS?.Layers?.length ?? 0 });
  }
  // Sizes first (compressing on both cores), then the timed loads on a machine that does nothing else.
  const c = await compressAll(saved.map((s) => ({ id: s.a.id, bytes: s.tarBytes, load: () => readFile(s.file), sha256: s.sha256 })), sizes);
  const out: ImageFootprint[] = saved.map((s) => {
    const z = c.get(s.a.id)!;
    return { id: s.a.id, tag: s.a.tag, imageBytes: s.size, saveTarBytes: s.tarBytes, saveGzipBytes: z.gzipBytes, saveBrotliBytes: z.brotliBytes, brotliQuality: z.brotliQuality, layers: s.layers };
  });
  const rollout: RolloutCost[] = [];
  for (const { a, file, tarBytes } of saved) {
    // Bases the image was built FROM (other tags whose layers it shares) go too, or `load` would only add the top layer.
    const bases: { tag: string; file: string }[] = [];
    if (a.base) {
      const bfile = path.join(workDir, 'base.tar');
      await saveImage(docker, a.base, bfile);
      bases.push({ tag: a.base, file: bfile });
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

/** How a wasm rollout names its files: the module copied to the node, and what the compiler makes of it (its extension can pick the format). */
export interface WasmRolloutFiles {
  input: string;
  output: string;
  /** What is copied and what the output is, for the description (`component`, `.cwasm`). */
  kind: 'component' | 'core module';
  produces: string;
}

const COMPONENT_TO_CWASM: WasmRolloutFiles = { input: 'tax.component.wasm', output: 'tax.cwasm', kind: 'component', produces: '.cwasm' };

/** The wasm rollout: copy the module to the node, then AOT-compile it with `<compiler> compile IN OUT` (by default the Wasmtime host, a component to .cwasm). */
export async function measureWasmRollout(host: string, component: Artifact, runs: number, by = 'the embedding host', files: WasmRolloutFiles = COMPONENT_TO_CWASM): Promise<RolloutCost> {
  const samples: number[] = [];
  const copy: number[] = [];
  const compile: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await harnessTempDir('jco-rollout');
    try {
      const t0 = process.hrtime.bigint();
      const dst = path.join(dir, files.input);
      await copyFile(component.path!, dst);
      const t1 = process.hrtime.bigint();
      await execa(host, ['compile', dst, path.join(dir, files.output)], { env: {}, extendEnv: false });
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
    what: `copy the ${files.kind} .wasm to a new directory and precompile it to ${files.produces} with ${by}`,
    unit: 'ms',
    samples,
    median: medianOf(samples),
    steps: { copy: medianOf(copy), compile: medianOf(compile) },
  };
}

async function sizeOf(name: string, candidates: string[]): Promise<{ path: string; bytes: number } | null> {
  for (const c of candidates) {
    try {
      const p = c.includes('/') ? c : await onPath(c);
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
  const cache = ctx.sizeCache ?? (await openSizeCache());
  const fp: Footprint = { artifacts: await measureArtifacts(ctx.artifacts, cache), images: [], rollout: [], runtimes: [], notes: [] };
  ctx = { ...ctx, sizeCache: cache };
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
  if (cache.hits.size) fp.notes.push(`gzip and brotli sizes of ${[...cache.hits].join(', ')} are those of the same bytes (same sha256) computed by an earlier run (build/cache/compressed-sizes.json): a compressed size depends on the bytes alone`);
  await cache.save().catch((e: Error) => fp.notes.push(`compressed sizes not cached: ${e.message}`));
  return fp;
}
