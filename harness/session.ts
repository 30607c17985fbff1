import { BUILD_DIR, ROOT } from './paths.js';
import { readManifest } from './manifest.js';
import { TARGET_IDS, type TargetId, isTargetId, targets } from './targets/index.js';
import type { Availability, PrepareContext, Target } from './targets/types.js';
import { UserError } from './targets/types.js';
import type { Workload } from './workload.js';

/**
 * A target after prepare() for one workload: ready, skipped (runtime or artifact
 * missing), errored (runtime broken) or n/a (the workload has nothing it runs).
 */
export type PreparedTarget =
  | { id: TargetId; target: Target; status: 'ok'; runtime: Extract<Availability, { status: 'ok' }>['runtime'] }
  | { id: TargetId; target: Target; status: 'skipped'; reason: string; hint: string }
  | { id: TargetId; target: Target; status: 'errored'; error: string }
  | { id: TargetId; target: Target; status: 'n/a'; reason: string };

/** Parses a comma-separated list of target ids; unknown names are a user error listing the valid ones. */
export function parseTargetList(spec: string | undefined, what: string): TargetId[] {
  if (!spec) return [];
  const ids = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!isTargetId(id)) throw new UserError(`${what}: unknown target '${id}' — choose from ${TARGET_IDS.join(', ')}`);
  }
  return ids as TargetId[];
}

/** Targets that must not be skipped: --require, else $BENCH_REQUIRE. */
export function requiredTargets(flag: string | undefined): TargetId[] {
  return flag !== undefined ? parseTargetList(flag, '--require') : parseTargetList(process.env.BENCH_REQUIRE, 'BENCH_REQUIRE');
}

/** The context every target is prepared with for one workload; a missing build is a user error. */
export async function prepareContext(workload: Workload): Promise<PrepareContext> {
  const manifest = await readManifest();
  if (!manifest) throw new UserError('nothing is built yet — run `npm run build` first');
  return { manifest, workload, root: ROOT, buildDir: BUILD_DIR };
}

/** Prepares each target in turn; a throw becomes an errored entry, never an abort. */
export async function prepareTargets(ids: readonly TargetId[], ctx: PrepareContext): Promise<PreparedTarget[]> {
  const out: PreparedTarget[] = [];
  for (const id of ids) {
    const target: Target = targets[id];
    try {
      const a = await target.prepare(ctx);
      if (a.status === 'ok') out.push({ id, target, status: 'ok', runtime: a.runtime });
      else if (a.status === 'skipped') out.push({ id, target, status: 'skipped', reason: a.reason, hint: a.hint });
      else out.push({ id, target, status: 'n/a', reason: a.reason });
    } catch (e) {
      out.push({ id, target, status: 'errored', error: e instanceof Error ? e.message : String(e) });
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
  await Promise.all(prepared.map((p) => p.target.dispose?.().catch(() => undefined)));
}
