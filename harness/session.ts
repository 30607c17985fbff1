import { BUILD_DIR, ROOT } from './paths.js';
import { readManifest } from './manifest.js';
import { registry as defaultRegistry, idsOf } from './targets/index.js';
import type { Manifest, PreparedVariant, PrepareContext, Registry, RuntimeInfo, SkippedArtifact, TargetDefinition, TargetId } from './targets/types.js';
import { sha256File } from './build/common.js';
import { splitArtifactId } from './model.js';
import { UserError, errorLine } from './errors.js';
import { buildCommand } from './targets/common.js';
import type { Workload } from './workload.js';

/**
 * A target after prepare() for one workload: ready (with each variant's own
 * status), skipped (runtime or artifact missing), errored (runtime broken) or
 * n/a (the workload has nothing it runs).
 */
export type PreparedTarget =
  | { id: TargetId; def: TargetDefinition; status: 'ok'; runtime: RuntimeInfo; variants: PreparedVariant[]; dispose?: () => Promise<void> }
  | { id: TargetId; def: TargetDefinition; status: 'skipped'; reason: string; hint: string }
  | { id: TargetId; def: TargetDefinition; status: 'errored'; error: string }
  | { id: TargetId; def: TargetDefinition; status: 'n/a'; reason: string };

export type ReadyTarget = Extract<PreparedTarget, { status: 'ok' }>;
export type ReadyVariant = Extract<PreparedVariant, { status: 'ok' }>;

/** The ready variants of a prepared target that are measured (probe-only configurations left out). */
export function measuredVariants(p: PreparedTarget): ReadyVariant[] {
  return p.status === 'ok' ? p.variants.filter((v): v is ReadyVariant => v.status === 'ok' && !v.spec.probeOnly) : [];
}

/** Parses a comma-separated list of target ids; unknown names are a user error listing the valid ones. */
export function parseTargetList(spec: string | undefined, what: string, registry: Registry = defaultRegistry): TargetId[] {
  if (!spec) return [];
  const ids = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!Object.hasOwn(registry, id)) throw new UserError(`${what}: unknown target '${id}' — choose from ${idsOf(registry).join(', ')}`);
  }
  return ids;
}

/** Targets that must not be skipped: --require, else $BENCH_REQUIRE. */
export function requiredTargets(flag: string | undefined, registry: Registry = defaultRegistry): TargetId[] {
  return flag !== undefined ? parseTargetList(flag, '--require', registry) : parseTargetList(process.env.BENCH_REQUIRE, 'BENCH_REQUIRE', registry);
}

/** The context every target is prepared with for one workload; a missing build is a user error. */
export async function prepareContext(workload: Workload, opts: { unbuilt?: 'throw' | 'empty' } = {}): Promise<PrepareContext> {
  // `empty`: before any build, every target is prepared against an empty manifest, so each skips with its own hint.
  const manifest = (await readManifest()) ?? (opts.unbuilt === 'empty' ? { schemaVersion: 1 as const, builtAt: '', artifacts: [], skipped: [] } : null);
  if (!manifest) throw new UserError(`nothing is built yet — run \`${buildCommand(workload)}\` first`);
  return { manifest: await refuseStale(manifest, workload), workload, root: ROOT, buildDir: BUILD_DIR };
}

/**
 * The manifest with every derived artifact of this workload whose input file has changed
 * since it was made (a prebuilt component replaced at the same path, say) moved to
 * `skipped`, with the build command as the fix: no command runs a stale .cwasm or bundle.
 * Derived artifacts from manifests that did not record their input are kept as they are.
 */
export async function refuseStale(manifest: Manifest, workload: Workload): Promise<Manifest> {
  const byId = new Map(manifest.artifacts.map((a) => [a.id, a]));
  const now = new Map<string, Promise<string | null>>();
  const current = (file: string) => {
    if (!now.has(file)) now.set(file, sha256File(file).catch(() => null));
    return now.get(file)!;
  };
  const stale: SkippedArtifact[] = [];
  for (const a of manifest.artifacts) {
    if (!a.from || splitArtifactId(a.id)?.workload !== workload.name) continue;
    const input = byId.get(a.from.id);
    if (input?.kind !== 'file' || !input.path) continue;
    const sha = await current(input.path);
    if (sha === a.from.sha256) continue;
    const what = sha === null ? `${input.path} is gone` : `${a.from.id} (${input.path}) has changed since ${a.id} was made from it (sha256 ${sha.slice(0, 12)}…, was ${a.from.sha256.slice(0, 12)}…)`;
    stale.push({ id: a.id, reason: `stale: ${what}`, hint: `run \`${buildCommand(workload)}\`, which remakes it` });
  }
  if (!stale.length) return manifest;
  const gone = new Set(stale.map((s) => s.id));
  return { ...manifest, artifacts: manifest.artifacts.filter((a) => !gone.has(a.id)), skipped: [...(manifest.skipped ?? []).filter((s) => !gone.has(s.id)), ...stale] };
}

/** Prepares each target in turn; a throw becomes an errored entry, never an abort. */
export async function prepareTargets(ids: readonly TargetId[], ctx: PrepareContext, registry: Registry = defaultRegistry): Promise<PreparedTarget[]> {
  const out: PreparedTarget[] = [];
  for (const id of ids) {
    const def = registry[id];
    if (!def) throw new UserError(`unknown target '${id}' — choose from ${idsOf(registry).join(', ')}`);
    try {
      const a = await def.prepare(ctx);
      if (a.status === 'ok') out.push({ id, def, status: 'ok', runtime: a.runtime, variants: a.variants, ...(a.dispose ? { dispose: a.dispose } : {}) });
      else if (a.status === 'skipped') out.push({ id, def, status: 'skipped', reason: a.reason, hint: a.hint });
      else out.push({ id, def, status: 'n/a', reason: a.reason });
    } catch (e) {
      out.push({ id, def, status: 'errored', error: errorLine(e) });
    }
  }
  return out;
}

/**
 * Required targets that are not ready, as one line each naming the fix. A target
 * that does not apply to a workload (n/a) is not missing; one that applies to none
 * of the run's workloads is.
 */
export function missingRequired(prepared: readonly PreparedTarget[], required: readonly TargetId[], workload?: string): string[] {
  const lines: string[] = [];
  const where = workload ? ` (workload ${workload})` : '';
  for (const id of required) {
    const p = prepared.find((x) => x.id === id);
    if (!p) lines.push(`${id}: required but not selected (--targets)`);
    else if (p.status === 'skipped') lines.push(`${id}: required but skipped${where} — ${p.reason} — ${p.hint}`);
    else if (p.status === 'errored') lines.push(`${id}: required but errored${where} — ${p.error}`);
  }
  return lines;
}

/** Required targets that ran on none of the workloads (n/a everywhere). */
export function requiredNowhere(perWorkload: readonly (readonly PreparedTarget[])[], required: readonly TargetId[]): string[] {
  return required
    .filter((id) => perWorkload.every((ps) => ps.find((p) => p.id === id)?.status === 'n/a'))
    .map((id) => `${id}: required but applies to none of the selected workloads — add a workload that declares what it runs`);
}

/** Calls dispose() on every prepared target, ignoring failures. */
export async function disposeAll(prepared: readonly PreparedTarget[]): Promise<void> {
  await Promise.all(prepared.map((p) => (p.status === 'ok' ? p.dispose?.().catch(() => undefined) : undefined)));
}
