/**
 * Derived views of a Results object that several reports share: which class
 * a target belongs to, the artifact it runs, and tolerant readers for data
 * that later issues add (gzip sizes, capability probes, footprint). Pure.
 */
import type { ArtifactRecord, Results, TargetResult, WorkloadRecord } from '../model.js';
import { artifactId, splitArtifactId } from '../model.js';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A target variant that was measured. */
export type OkTarget = Extract<TargetResult, { status: 'ok' }>;

/** What a target is, for the seed-claim comparisons. */
export type TargetClass = 'native' | 'wasm' | 'container';

/** Anything that names a target variant of a workload: a result row, a capability row or cell. */
export interface RowRef {
  /** Absent on rows of producers that predate workloads: those belong to the primary workload. */
  workload?: string;
  id: string;
  variant: string;
}

/** The primary workload's name: the first one measured (the C tax calculator by default). */
export function primaryWorkload(r: Results): string | undefined {
  return r.workloads[0]?.name;
}

/** The workload a row ran, the primary one when the row does not say. */
export function workloadName(r: Results, t: { workload?: string }): string | undefined {
  return t.workload ?? primaryWorkload(r);
}

/** Whether a row belongs to the primary workload. */
export function isPrimary(r: Results, t: { workload?: string }): boolean {
  return workloadName(r, t) === primaryWorkload(r);
}

/**
 * The key every report, criteria subject and export uses: `target/variant` for
 * the primary workload (so single-workload reports read as they always did),
 * `<workload>:target/variant` for every other workload.
 */
export function keyOf(r: Results, t: RowRef): string {
  const w = workloadName(r, t);
  return !w || w === primaryWorkload(r) ? `${t.id}/${t.variant}` : `${w}:${t.id}/${t.variant}`;
}

/** The workload record a row ran, if the run recorded it. */
export function workloadOf(r: Results, t: { workload?: string }): WorkloadRecord | undefined {
  const w = workloadName(r, t);
  return r.workloads.find((x) => x.name === w);
}

/** True when the run measured more than one workload: tables then get a workload column. */
export function multiWorkload(r: Results): boolean {
  return r.workloads.length > 1 || new Set(r.targets.map((t) => t.workload)).size > 1;
}

/** The measured target variants, in results order. */
export function okTargets(r: Results): OkTarget[] {
  return r.targets.filter((t): t is OkTarget => t.status === 'ok');
}

/** The artifact record a target runs, if the run recorded it. */
export function artifactOf(r: Results, t: TargetResult): ArtifactRecord | undefined {
  return t.artifact ? r.artifacts.find((a) => a.id === t.artifact!.id) : undefined;
}

/** Targets that run the workload as a plain process with no sandbox: the floor of each language. */
export const FLOOR_TARGETS: readonly string[] = ['native', 'node'];

/**
 * `container` when the target runs an image artifact (or is `docker`),
 * `native` for the floors (`native` for C, `node` for a script), `wasm` for
 * every WebAssembly runtime.
 */
export function targetClass(r: Results, t: TargetResult): TargetClass {
  if (t.id === 'docker' || artifactOf(r, t)?.kind === 'image') return 'container';
  if (FLOOR_TARGETS.includes(t.id)) return 'native';
  return 'wasm';
}

/**
 * Gzip size of an artifact when the run recorded one: from `footprint.artifacts[].gzipBytes`
 * (gzip -9 of the file, or of a deterministic tar of a directory), for an image from
 * `footprint.images[].saveGzipBytes` (gzip -9 of its `docker save` tar, about what a
 * registry transfer moves), or from a `gzipBytes` field on the artifact record itself.
 */
export function gzipBytesOf(r: Results, a: ArtifactRecord | undefined): number | null {
  if (!a) return null;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const own = num((a as ArtifactRecord & { gzipBytes?: unknown }).gzipBytes);
  if (own !== null) return own;
  const fp = footprintOf(r);
  if (!isObj(fp)) return null;
  const list = a.kind === 'image' ? fp.images : fp.artifacts;
  if (!Array.isArray(list)) return null;
  const hit = list.find((x): x is Record<string, unknown> => isObj(x) && x.id === a.id);
  return hit ? num(a.kind === 'image' ? hit.saveGzipBytes : hit.gzipBytes) : null;
}

/**
 * Phases that run inside other phases and so must not be stacked or summed:
 * the engine's own StartedAt→FinishedAt of the container lies within the
 * `start` and `wait` API calls.
 */
export const NESTED_PHASES: Readonly<Record<string, string>> = { container_process: 'start and wait' };

/** Phases that are the workload itself rather than runtime overhead. */
export const WORKLOAD_PHASES: readonly string[] = ['run', 'container_process'];

/** One capability probe on one target variant. */
export interface CapabilityCell {
  /** The workload whose probe mode ran; absent from producers that predate workloads. */
  workload?: string;
  target: string;
  variant: string;
  probe: string;
  /** `denied`, `allowed`, or whatever other outcome the probe recorded. */
  outcome: string;
}

function outcomeOf(v: unknown): string | null {
  if (typeof v === 'boolean') return v ? 'denied' : 'allowed';
  if (typeof v !== 'string' || !v) return null;
  const s = v.toLowerCase();
  if (['denied', 'blocked', 'refused', 'deny'].includes(s)) return 'denied';
  if (['allowed', 'granted', 'escaped', 'succeeded', 'allow'].includes(s)) return 'allowed';
  return s;
}

function cellOutcome(o: Record<string, unknown>): string | null {
  return outcomeOf(o.denied) ?? outcomeOf(o.outcome) ?? outcomeOf(o.result) ?? outcomeOf(o.status);
}

function probeName(o: Record<string, unknown>): string | null {
  for (const k of ['probe', 'name', 'id']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  return null;
}

/**
 * Capability probe outcomes, when the run has them; until then this is empty
 * and the reports say "not measured in this run". Reads
 * `results.capabilities` as the capability matrix
 * (`{ probes, rows: [{ target, variant, skipped?, cells: [{ probe, outcome }] }], notes }`,
 * harness/measure/capabilities.ts), and, for other producers, an array of
 * `{ target, variant?, probe, denied: boolean | outcome: string }` (`target` may
 * be `id/variant`) there or as `target.capabilities`.
 */
export function capabilityCells(r: Results): CapabilityCell[] {
  const out: CapabilityCell[] = [];
  const push = (target: string, variant: string, c: unknown, workload?: unknown) => {
    if (!isObj(c)) return;
    const probe = probeName(c);
    const outcome = cellOutcome(c);
    if (probe && outcome) out.push({ ...(typeof workload === 'string' ? { workload } : {}), target, variant, probe, outcome });
  };
  const top = (r as Results & { capabilities?: unknown }).capabilities;
  if (isObj(top) && Array.isArray(top.rows)) {
    for (const row of top.rows) {
      if (!isObj(row) || typeof row.target !== 'string' || !Array.isArray(row.cells)) continue;
      const variant = typeof row.variant === 'string' ? row.variant : '';
      for (const c of row.cells) push(row.target, variant, c, row.workload);
    }
  }
  const list = Array.isArray(top) ? top : isObj(top) ? (Array.isArray(top.results) ? top.results : Array.isArray(top.cells) ? top.cells : []) : [];
  for (const c of list) {
    if (!isObj(c) || typeof c.target !== 'string') continue;
    const [id, v] = c.target.includes('/') && typeof c.variant !== 'string' ? c.target.split('/', 2) : [c.target, typeof c.variant === 'string' ? c.variant : ''];
    push(id, v, c, c.workload);
  }
  for (const t of r.targets) {
    const caps = (t as TargetResult & { capabilities?: unknown }).capabilities;
    if (Array.isArray(caps)) for (const c of caps) push(t.id, t.variant, c, t.workload);
    else if (isObj(caps)) {
      for (const [probe, v] of Object.entries(caps)) {
        const outcome = isObj(v) ? cellOutcome(v) : outcomeOf(v);
        if (outcome) out.push({ ...(t.workload ? { workload: t.workload } : {}), target: t.id, variant: t.variant, probe, outcome });
      }
    }
  }
  return out;
}

/** A capability cell as a row reference (`id` is the cell's target), for {@link keyOf}. */
export const cellRef = (c: { workload?: string; target: string; variant: string }): RowRef => ({ workload: c.workload, id: c.target, variant: c.variant });

/**
 * Outcomes where the sandbox held: `denied`, `absent` (the interface has no
 * such capability at all) and `contained` (a resource bomb stopped within the
 * limits). Everything else (`allowed`, `uncontained`, `error`) did not.
 */
export const HELD_OUTCOMES: readonly string[] = ['denied', 'absent', 'contained'];

/** Whether a probe outcome means the sandbox held. */
export const held = (outcome: string): boolean => HELD_OUTCOMES.includes(outcome);

/** Probes held (see {@link HELD_OUTCOMES}) and tried on one target variant of one workload, or null when none were tried. */
export function probeCounts(r: Results, cells: readonly CapabilityCell[], t: RowRef): { denied: number; tried: number } | null {
  const key = keyOf(r, t);
  const mine = cells.filter((c) => keyOf(r, cellRef(c)) === key);
  if (!mine.length) return null;
  return { denied: mine.filter((c) => held(c.outcome)).length, tried: mine.length };
}

/** The run's footprint / rollout-cost data (a later issue adds it), or null when absent. */
export function footprintOf(r: Results): unknown {
  const f = (r as Results & { footprint?: unknown }).footprint;
  return f === undefined || f === null ? null : f;
}

/** How much of the guest's exit code a target reports, when the run recorded it (`exact` or `ok-err`). */
export function exitCodesOf(t: TargetResult): string | null {
  const x = (t as TargetResult & { exitCodes?: unknown }).exitCodes;
  return typeof x === 'string' ? x : null;
}

/** Type-7 quantile of an ascending array (same convention as harness/measure/stats.ts). */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

/** The successful cold-start durations of a target, in run order. */
export function okMs(t: TargetResult): number[] {
  const cs = 'coldStart' in t ? t.coldStart : undefined;
  return cs ? cs.samples.filter((s) => s.ok && typeof s.ms === 'number' && Number.isFinite(s.ms)).map((s) => s.ms) : [];
}

/** Artifact ids of schemaVersion 1 runs (one workload) by the role that replaced them. */
export const LEGACY_ARTIFACT_IDS: Readonly<Record<string, string>> = {
  native: 'native-bin',
  core: 'core-wasm',
  component: 'component-wasm',
  'component-cwasm': 'component-cwasm',
  'jco-bundle': 'jco-bundle',
  image: 'image-scratch',
  imageDebian: 'image-debian',
};

/** A workload's artifact by role (`<workload>/<role>`), if the run recorded it. */
export function roleArtifact(r: Results, workload: string, role: string): ArtifactRecord | undefined {
  return r.artifacts.find((a) => a.id === artifactId(workload, role));
}

/**
 * The artifact an id names in this run. An id from the other schema is mapped for the
 * primary workload: `component-cwasm` in a run with workloads means
 * `<primary>/component-cwasm`, and `<primary>/image` in a schemaVersion 1 run means `image-scratch`.
 */
export function resolveArtifact(r: Results, id: string): ArtifactRecord | undefined {
  const exact = r.artifacts.find((a) => a.id === id);
  if (exact) return exact;
  const primary = primaryWorkload(r);
  if (!primary) return undefined;
  const role = Object.keys(LEGACY_ARTIFACT_IDS).find((k) => LEGACY_ARTIFACT_IDS[k] === id);
  if (role) return roleArtifact(r, primary, role);
  const split = splitArtifactId(id);
  if (split?.workload === primary) {
    const legacy = LEGACY_ARTIFACT_IDS[split.role];
    if (legacy) return r.artifacts.find((a) => a.id === legacy);
  }
  return undefined;
}
