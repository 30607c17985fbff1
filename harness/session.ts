import { BUILD_DIR, RULES_DIR, ROOT } from './paths.js';
import { readManifest } from './manifest.js';
import { TARGET_IDS, type TargetId, isTargetId, targets } from './targets/index.js';
import type { Availability, PrepareContext, Target } from './targets/types.js';
import { UserError } from './targets/types.js';

/** A target after prepare(): ready, skipped (runtime missing) or errored (runtime broken). */
export type PreparedTarget =
  | { id: TargetId; target: Target; status: 'ok'; runtime: Extract<Availability, { status: 'ok' }>['runtime'] }
  | { id: TargetId; target: Target; status: 'skipped'; reason: string; hint: string }
  | { id: TargetId; target: Target; status: 'errored'; error: string };

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

/** The context every target is prepared with; a missing build is a user error. */
export async function prepareContext(): Promise<PrepareContext> {
  const manifest = await readManifest();
  if (!manifest) throw new UserError('nothing is built yet — run `npm run build` first');
  return { manifest, rulesDir: RULES_DIR, root: ROOT, buildDir: BUILD_DIR };
}

/** Prepares each target in turn; a throw becomes an errored entry, never an abort. */
export async function prepareTargets(ids: readonly TargetId[], ctx: PrepareContext): Promise<PreparedTarget[]> {
  const out: PreparedTarget[] = [];
  for (const id of ids) {
    const target: Target = targets[id];
    try {
      const a = await target.prepare(ctx);
      out.push(a.status === 'ok' ? { id, target, status: 'ok', runtime: a.runtime } : { id, target, status: 'skipped', reason: a.reason, hint: a.hint });
    } catch (e) {
      out.push({ id, target, status: 'errored', error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** Required targets that are not ready, as one line each naming the fix. */
export function missingRequired(prepared: readonly PreparedTarget[], required: readonly TargetId[]): string[] {
  const lines: string[] = [];
  for (const id of required) {
    const p = prepared.find((x) => x.id === id);
    if (!p) lines.push(`${id}: required but not selected (--targets)`);
    else if (p.status === 'skipped') lines.push(`${id}: required but skipped — ${p.reason} — ${p.hint}`);
    else if (p.status === 'errored') lines.push(`${id}: required but errored — ${p.error}`);
  }
  return lines;
}

/** Calls dispose() on every prepared target, ignoring failures. */
export async function disposeAll(prepared: readonly PreparedTarget[]): Promise<void> {
  await Promise.all(prepared.map((p) => p.target.dispose?.().catch(() => undefined)));
}
