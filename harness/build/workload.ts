import path from 'node:path';
import type { Artifact, Registry } from '../targets/types.js';
import { UserError } from '../errors.js';
import { connectDocker } from '../util/docker.js';
import { type Role, type Workload, manifestLabel } from '../workload.js';
import { artifactId } from '../model.js';
import { type BuildContext, type Skipped, dirArtifact, fileArtifact } from './common.js';
import { buildNative } from './native.js';
import { buildComponent, buildCoreModule } from './wasm.js';
import { buildJsComponent } from './componentize.js';
import { buildImage, imageArtifact, inspectTag } from './image.js';
import { type BaseImage, debianBase } from './debian-image.js';

export const isSkipped = (x: Artifact | Skipped | BaseImage): x is Skipped => 'skipped' in x;

/** What the per-workload steps share with the rest of the build. */
export interface WorkloadBuildDeps {
  /** The targets whose derived artifacts are built from the workload's. */
  registry: Registry;
  /** The locally built Node base, made on first use. */
  nodeBase: () => Promise<Artifact | Skipped>;
  /** Records an artifact or a skip under its id. */
  add: (a: Artifact | Skipped, id: string) => Artifact | undefined;
}

/** A prebuilt file named by the manifest, recorded with its own hash (nothing is built). */
async function prebuilt(id: string, file: string): Promise<Artifact> {
  const a = await fileArtifact(id, file, 'prebuilt');
  return { ...a, inputsHash: `prebuilt:${a.sha256}` };
}

/** An image named by tag in the manifest: it must already be in the engine. */
async function taggedImage(w: Workload, role: Role, tag: string): Promise<Artifact | Skipped> {
  const conn = await connectDocker();
  if (!conn.ok) return { skipped: true, reason: conn.reason, hint: conn.hint };
  const info = await inspectTag(conn.docker, tag);
  if (!info) throw new UserError(`${manifestLabel(w)}: artifacts.${role}.tag: image ${tag} is not in the Docker engine — build or load it first (docker images lists what is there)`);
  return imageArtifact(artifactId(w.name, role), tag, info, `prebuilt:${info.Id}`);
}

/**
 * Builds (or records, when prebuilt) every artifact a workload declares, plus
 * what each target derives from them (its `derived` list: a transpiled bundle,
 * a precompiled .cwasm). Ids are `<workload>/<role>`.
 */
export async function buildWorkload(ctx: BuildContext, w: Workload, deps: WorkloadBuildDeps): Promise<void> {
  const out = path.join(ctx.buildDir, 'workloads', w.name);
  const id = (role: string) => artifactId(w.name, role);
  const a = w.artifacts;
  const built: Partial<Record<Role, Artifact>> = {};

  if (a.native) {
    const s = a.native;
    const r = s.kind === 'path' ? await prebuilt(id('native'), s.path) : s.kind === 'cc' ? await buildNative(ctx, id('native'), s, path.join(out, 'native', w.argv0)) : null;
    if (r) built.native = deps.add(r, id('native'));
  }
  if (a.core) {
    const s = a.core;
    const r = s.kind === 'path' ? await prebuilt(id('core'), s.path) : s.kind === 'wasi-clang' ? await buildCoreModule(ctx, id('core'), s, path.join(out, 'wasm', `${w.argv0}.core.wasm`)) : null;
    if (r) built.core = deps.add(r, id('core'));
  }
  if (a.component) {
    const s = a.component;
    const file = path.join(out, 'wasm', `${w.argv0}.component.wasm`);
    let r: Artifact | null = null;
    if (s.kind === 'path') r = await prebuilt(id('component'), s.path);
    else if (s.kind === 'jco-new' && built.core) r = await buildComponent(ctx, id('component'), built.core, file);
    else if (s.kind === 'componentize-js') r = await buildJsComponent(ctx, id('component'), { source: s.source, wit: s.wit, world: s.world }, file);
    const comp = r ? deps.add(r, id('component')) : undefined;
    if (comp) built.component = comp;
  }
  if (a.script) {
    // The script's whole directory is the artifact (an entry usually imports its neighbours); `path` is the entry.
    const dir = await dirArtifact(id('script'), path.dirname(a.script.path), 'source');
    deps.add({ ...dir, inputsHash: `source:${dir.sha256}`, entry: a.script.path }, id('script'));
  }
  // What the targets derive from the workload's artifacts, in registry order.
  for (const def of Object.values(deps.registry)) {
    for (const d of def.derived ?? []) {
      const input = built[d.from];
      if (!input || (d.when && !d.when(w))) continue;
      const made = await d.build({ build: ctx, workload: w, input, id: id(d.role), outDir: out, harnessArtifact: (hid) => ctx.built.get(hid) });
      // What it was made from, so that a command which does not build can tell when it is stale.
      deps.add(isSkipped(made) ? made : { ...made, from: { id: input.id, sha256: input.sha256 } }, id(d.role));
    }
  }
  for (const role of ['image', 'imageDebian'] as const) {
    const s = a[role];
    if (!s) continue;
    if (s.kind === 'tag') {
      deps.add(await taggedImage(w, role, s.tag), id(role));
      continue;
    }
    if (s.kind !== 'docker') continue;
    const files: Record<string, string> = {};
    const missing = Object.entries(s.files).find(([, ref]) => 'role' in ref && !built[ref.role]);
    if (missing) {
      deps.add({ skipped: true, reason: `needs ${id((missing[1] as { role: Role }).role)}, which was not built`, hint: 'see the build log above' }, id(role));
      continue;
    }
    for (const [name, ref] of Object.entries(s.files)) files[name] = 'role' in ref ? built[ref.role]!.path! : ref.path;
    let base: BaseImage | Skipped | null = null;
    if (s.base === 'debian') base = await debianBase();
    else if (s.base === 'node') {
      const nb = await deps.nodeBase();
      base = isSkipped(nb) ? nb : { tag: nb.tag!, imageId: nb.imageId! };
    }
    if (base && isSkipped(base)) {
      deps.add(base, id(role));
      continue;
    }
    const image = await buildImage(ctx, {
      id: id(role),
      dockerfileDir: s.dockerfile,
      files,
      tagBase: `wvc/${w.name}${role === 'imageDebian' ? '-debian' : ''}`,
      ...(base ? { buildArgs: { BASE: base.tag }, extraInputs: [base.imageId] } : {}),
    });
    deps.add(base && !isSkipped(image) ? { ...image, base: base.tag } : image, id(role));
  }
}
