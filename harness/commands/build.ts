import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact } from '../targets/types.js';
import type { BuildContext } from '../build/common.js';
import { buildNative } from '../build/native.js';
import { buildComponent, buildCoreModule, transpileComponent } from '../build/wasm.js';
import { buildEmbedHost, precompileComponent } from '../build/embed-host.js';
import { buildImage } from '../build/image.js';
import { buildDebianImage } from '../build/debian-image.js';
import { type BuildManifest, type SkippedArtifact, readManifest } from '../manifest.js';
import { BUILD_DIR, MANIFEST_PATH, ROOT, WORKLOAD_DIR } from '../paths.js';

export interface BuildOptions {
  log?: (line: string) => void;
}

type Skipped = { skipped: true; reason: string; hint: string };
const isSkipped = (x: Artifact | Skipped): x is Skipped => 'skipped' in x;

/**
 * `wvc build`: builds every artifact that its inputs changed for, and writes
 * build/manifest.json (id, kind, path or image id, bytes, sha256). An artifact
 * whose toolchain is missing (libwasmtime, a Docker daemon) is recorded as
 * skipped with a hint; anything else that fails throws.
 */
export async function build(opts: BuildOptions = {}): Promise<BuildManifest> {
  const log = opts.log ?? ((line: string) => console.error(line));
  await mkdir(BUILD_DIR, { recursive: true });
  const ctx: BuildContext = { root: ROOT, buildDir: BUILD_DIR, previous: await readManifest(), built: new Map(), log };
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
  add(await buildNative(ctx, 'spawner', path.join(spawnerDir, 'spawn.c'), path.join(BUILD_DIR, 'native', 'wvc-spawn'), { glibc: true }), 'spawner');
  add(await buildNative(ctx, 'noop', path.join(spawnerDir, 'noop.c'), path.join(BUILD_DIR, 'native', 'noop')), 'noop');

  const source = path.join(WORKLOAD_DIR, 'src', 'tax.c');
  const nativeBin = add(await buildNative(ctx, 'native-bin', source, path.join(BUILD_DIR, 'native', 'tax')), 'native-bin')!;
  const core = add(await buildCoreModule(ctx, 'core-wasm', source, path.join(BUILD_DIR, 'wasm', 'tax.core.wasm')), 'core-wasm')!;
  const component = add(await buildComponent(ctx, 'component-wasm', core, path.join(BUILD_DIR, 'wasm', 'tax.component.wasm')), 'component-wasm')!;
  add(await transpileComponent(ctx, 'jco-bundle', component, path.join(BUILD_DIR, 'jco'), 'tax'), 'jco-bundle');
  const host = add(await buildEmbedHost(ctx), 'wasmtime-embed-host');
  if (host) add(await precompileComponent(ctx, host.path!, component), 'component-cwasm');
  else skipped.push({ id: 'component-cwasm', reason: 'needs the wasmtime-embed host', hint: 'pip install wasmtime' });
  add(
    await buildImage(ctx, {
      id: 'image-scratch',
      dockerfileDir: path.join(ROOT, 'images', 'tax-calculator'),
      files: { tax: nativeBin.path! },
      tagBase: 'wvc/tax-calculator',
    }),
    'image-scratch',
  );
  add(await buildDebianImage(ctx, nativeBin), 'image-debian');

  const manifest: BuildManifest = { schemaVersion: 1, builtAt: new Date().toISOString(), artifacts: [...ctx.built.values()], skipped };
  // Write-then-rename, so an interrupted build never leaves a torn manifest.
  await writeFile(MANIFEST_PATH + '.tmp', JSON.stringify(manifest, null, 2) + '\n');
  await rename(MANIFEST_PATH + '.tmp', MANIFEST_PATH);
  return manifest;
}
