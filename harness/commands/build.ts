import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact, Registry } from '../targets/types.js';
import { registry as defaultRegistry } from '../targets/index.js';
import type { BuildContext } from '../build/common.js';
import { buildNative } from '../build/native.js';
import { oneSource } from '../build/c-project.js';
import { buildNodeBase } from '../build/node-image.js';
import type { Skipped } from '../build/common.js';
import { buildWorkload, isSkipped } from '../build/workload.js';
import { type BuildManifest, type SkippedArtifact, readManifest } from '../manifest.js';
import { BUILD_DIR, MANIFEST_PATH, PROBE_GUEST_DIR, ROOT } from '../paths.js';
import { type Workload, loadWorkload } from '../workload.js';
import { splitArtifactId } from '../model.js';

export interface BuildOptions {
  /** The workloads to build (see harness/workload.ts). */
  workloads: readonly Workload[];
  /** The targets whose tools and derived artifacts are built (default: harness/targets/index.ts). */
  registry?: Registry;
  log?: (line: string) => void;
}

/**
 * `wvc build`: builds the harness's helpers and every workload's artifacts that
 * their inputs changed for, and writes build/manifest.json (id, kind, path or
 * image id, bytes, sha256). An artifact whose toolchain is missing (libwasmtime,
 * a Docker daemon, a base image) is recorded as skipped with a hint; anything
 * else that fails throws. Artifacts of workloads not built this time are kept
 * in the manifest, so building one workload does not forget another.
 */
export async function build(opts: BuildOptions): Promise<BuildManifest> {
  const log = opts.log ?? ((line: string) => console.error(line));
  await mkdir(BUILD_DIR, { recursive: true });
  const previous = await readManifest();
  const ctx: BuildContext = { root: ROOT, buildDir: BUILD_DIR, previous, built: new Map(), log };
  const skipped: SkippedArtifact[] = [];
  const add = (a: Artifact | Skipped, id: string): Artifact | undefined => {
    if (isSkipped(a)) {
      skipped.push({ id, reason: a.reason, hint: a.hint });
      log(`skipped ${id}: ${a.reason} — ${a.hint}`);
      return undefined;
    }
    ctx.built.set(a.id, a);
    return a;
  };

  // The harness's own helpers: the rusage spawner and the calibration no-op.
  const spawnerDir = path.join(ROOT, 'harness', 'hosts', 'spawner');
  // glibc for the spawner: built with musl, wait4 reported ru_maxrss 0 for every child on this kernel.
  add(await buildNative(ctx, 'spawner', oneSource(path.join(spawnerDir, 'spawn.c')), path.join(BUILD_DIR, 'tools', 'wvc-spawn'), { glibc: true }), 'spawner');
  add(await buildNative(ctx, 'noop', oneSource(path.join(spawnerDir, 'noop.c')), path.join(BUILD_DIR, 'tools', 'noop')), 'noop');
  const registry = opts.registry ?? defaultRegistry;
  // Each target's own programs (an embedding host), once per build.
  for (const def of Object.values(registry)) for (const t of def.tools ?? []) add(await t.build(ctx), t.id);
  let nodeBase: Promise<Artifact | Skipped> | null = null;
  const deps = {
    registry,
    add,
    // Built once, on first use by a workload's image.
    nodeBase: () => (nodeBase ??= buildNodeBase(ctx).then((a) => (add(a, 'image-node-base'), a))),
  };
  // The harness's probe guest is built with every build: the capability matrix runs it for every workload.
  const guest = await loadWorkload(PROBE_GUEST_DIR);
  const workloads = opts.workloads.some((w) => w.name === guest.name) ? opts.workloads : [guest, ...opts.workloads];
  for (const w of workloads) await buildWorkload(ctx, w, deps);

  const names = new Set(workloads.map((w) => w.name));
  const otherWorkload = (id: string) => {
    const w = splitArtifactId(id)?.workload;
    return w !== undefined && !names.has(w);
  };
  const manifest: BuildManifest = {
    schemaVersion: 1,
    builtAt: new Date().toISOString(),
    // Another workload's artifacts are kept while their files exist (a test's prebuilt ones in a temp dir go).
    // So are the harness's own tools this build did not make (a registry without their target, as a test injects),
    // unless this build found them missing.
    artifacts: [
      ...ctx.built.values(),
      ...(previous?.artifacts.filter((a) => (otherWorkload(a.id) || !splitArtifactId(a.id)) && !ctx.built.has(a.id) && !skipped.some((x) => x.id === a.id) && (!a.path || existsSync(a.path))) ?? []),
    ],
    skipped: [...skipped, ...(previous?.skipped?.filter((s) => otherWorkload(s.id)) ?? [])],
  };
  // Write-then-rename, so an interrupted build never leaves a torn manifest.
  const tmp = `${MANIFEST_PATH}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, MANIFEST_PATH);
  return manifest;
}

/**
 * What `wvc build` prints: one line per artifact of the harness's own tools (ids
 * without a workload) and of the workloads built, and one per skipped one. The
 * manifest keeps other workloads' artifacts too; they are not listed, only counted
 * in a last line. Pure.
 */
export function buildSummary(m: BuildManifest, workloads: readonly string[]): string[] {
  const names = new Set(workloads);
  const shown = (id: string) => {
    const w = splitArtifactId(id)?.workload;
    return w === undefined || names.has(w);
  };
  const lines = [
    ...m.artifacts.filter((a) => shown(a.id)).map((a) => `${a.id.padEnd(36)} ${String(a.bytes).padStart(10)} B  sha256:${a.sha256.slice(0, 16)}…  ${a.path ?? a.tag}`),
    ...m.skipped.filter((s) => shown(s.id)).map((s) => `${s.id.padEnd(36)} skipped: ${s.reason} — ${s.hint}`),
  ];
  const others = m.artifacts.filter((a) => !shown(a.id)).length;
  if (others) lines.push(`(${others} artifact${others === 1 ? '' : 's'} of other workloads kept in build/manifest.json, not listed)`);
  return lines;
}
