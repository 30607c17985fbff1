/**
 * Derived views of a Results object that several reports share: the rows of a
 * workload, the artifact a row runs, the floors, the stored cross-workload
 * ratios, gzip sizes from the footprint and the capability matrix as cells.
 * Everything here reads what results.json records; nothing names a target. Pure.
 */
import type { ArtifactRecord, CrossRatio, Ratio, Results, TargetClass, TargetResult, WorkloadRecord } from '../model.js';
import { artifactId, splitArtifactId } from '../model.js';

export type { TargetClass } from '../model.js';

/** A target variant that was measured. */
export type OkTarget = Extract<TargetResult, { status: 'ok' }>;

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

/**
 * Whether each class runs the workload with no sandbox: a native binary, or a script on
 * its interpreter. Those rows are the floor of their language. A Record, so a new class
 * must say which it is.
 */
const FLOOR_CLASS: Readonly<Record<TargetClass, boolean>> = { native: true, script: true, wasm: false, container: false };

/** The classes that are floors, in declaration order (for legends). */
export const FLOOR_CLASSES: readonly TargetClass[] = (Object.keys(FLOOR_CLASS) as TargetClass[]).filter((c) => FLOOR_CLASS[c]);

/** Whether a row runs the workload with no sandbox (class native or script): the floor of its language. */
export const isFloor = (t: { class: TargetClass }): boolean => FLOOR_CLASS[t.class];

/**
 * Gzip size of an artifact when the run measured it: from `footprint.artifacts[].gzipBytes`
 * (gzip -9 of the file, or of a deterministic tar of a directory), for an image from
 * `footprint.images[].saveGzipBytes` (gzip -9 of its `docker save` tar, about what a
 * registry transfer moves).
 */
export function gzipBytesOf(r: Results, a: ArtifactRecord | undefined): number | null {
  if (!a || !r.footprint) return null;
  if (a.kind === 'image') return r.footprint.images.find((x) => x.id === a.id)?.saveGzipBytes ?? null;
  return r.footprint.artifacts.find((x) => x.id === a.id)?.gzipBytes ?? null;
}

/**
 * The stored cold-start ratio of row `a` over row `b` of another workload
 * (`Results.crossRatios`, bootstrapped at bench time), or null when the run has none.
 * The run stores each pair once, the later workload's row over the earlier one's;
 * asked the other way round, the stored ratio and its CI bounds are inverted
 * (a percentile CI maps through 1/x with its ends swapped), not recomputed.
 */
export function crossRatioOf(r: Results, a: RowRef, b: RowRef): Ratio | null {
  const same = (x: CrossRatio['a'], t: RowRef) => x.workload === workloadName(r, t) && x.id === t.id && x.variant === t.variant;
  const direct = r.crossRatios.find((x) => same(x.a, a) && same(x.b, b));
  if (direct) return { ratio: direct.ratio, ci95: direct.ci95 };
  const reverse = r.crossRatios.find((x) => same(x.a, b) && same(x.b, a));
  return reverse ? { ratio: 1 / reverse.ratio, ci95: [1 / reverse.ci95[1], 1 / reverse.ci95[0]] } : null;
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
  /** The workload whose configuration was probed; absent from producers that predate workloads. */
  workload?: string;
  target: string;
  variant: string;
  /** Which program ran the probe (absent: the workload's own probe mode). */
  guest?: 'probe-guest' | 'workload';
  probe: string;
  /** `denied`, `allowed`, or whatever other outcome the probe recorded. */
  outcome: string;
}

/**
 * Every cell of the capability matrix (`results.capabilities`), or none when the run has no
 * matrix: one per workload, target variant and probe (a matrix that lists a row twice is
 * counted once, the first time: the probe guest's row, which the bench lists before the workload's own).
 */
export function capabilityCells(r: Results): CapabilityCell[] {
  const seen = new Set<string>();
  return (r.capabilities?.rows ?? []).flatMap((row) =>
    row.cells.flatMap((c) => {
      const k = JSON.stringify([workloadName(r, row), row.target, row.variant, c.probe]);
      if (seen.has(k)) return [];
      seen.add(k);
      return [{ ...(row.workload ? { workload: row.workload } : {}), target: row.target, variant: row.variant, ...(row.guest ? { guest: row.guest } : {}), probe: c.probe, outcome: c.outcome }];
    }),
  );
}

/** What marks a capability cell or row the probe guest ran, after its target/variant (a target variant can have a row of each guest). */
export const guestMark = (c: { guest?: string }): string => (c.guest === 'probe-guest' ? ' · probe guest' : '');

/** A capability cell's or row's key: {@link keyOf} and its {@link guestMark}. */
export function capabilityKey(r: Results, c: { workload?: string; target: string; variant: string; guest?: string }): string {
  return keyOf(r, cellRef(c)) + guestMark(c);
}

/** Which program ran a capability row's probes, as the reports name it. */
export function probedBy(row: { guest?: string; measuredOn?: string }): string {
  if (row.guest !== 'probe-guest') return "the workload's own probe mode";
  return row.measuredOn ? `probe guest (measured on ${row.measuredOn}: the same grants)` : 'probe guest';
}

/** A capability cell as a row reference (`id` is the cell's target), for {@link keyOf}. */
export const cellRef = (c: { workload?: string; target: string; variant: string }): RowRef => ({ workload: c.workload, id: c.target, variant: c.variant });

/**
 * Outcomes where the sandbox held: `denied`, `absent` (the interface has no
 * such capability at all) and `contained` (a resource bomb stopped within the
 * limits). Everything else (`allowed`, `uncontained`, `error`) did not. An `error`
 * cell says nothing about the sandbox: the claims, the `probes-denied` criterion and
 * the summary's probe counts leave it out before asking (Warnings names it).
 */
export const HELD_OUTCOMES: readonly string[] = ['denied', 'absent', 'contained'];

/**
 * A capability row as `<workload>:<row id>` (the row id alone when the run recorded
 * no workload), the name the claims and the warnings give its errored cells.
 */
export function capabilityRowName(r: Results, row: { workload?: string; id?: string; target: string; guest?: string }): string {
  const w = workloadName(r, row);
  const id = (row.id ?? row.target) + (row.guest === 'probe-guest' ? ' (probe guest)' : '');
  return w ? `${w}:${id}` : id;
}

/** Whether a probe outcome means the sandbox held. */
export const held = (outcome: string): boolean => HELD_OUTCOMES.includes(outcome);

/** Probes held (see {@link HELD_OUTCOMES}) and tried on one target variant of one workload, or null when none were tried. */
export function probeCounts(r: Results, cells: readonly CapabilityCell[], t: RowRef): { denied: number; tried: number; errored: number } | null {
  const key = keyOf(r, t);
  const mine = cells.filter((c) => keyOf(r, cellRef(c)) === key);
  if (!mine.length) return null;
  // An errored probe ran to no outcome: it is counted apart, never as "not denied".
  const judged = mine.filter((c) => c.outcome !== 'error');
  return { denied: judged.filter((c) => held(c.outcome)).length, tried: judged.length, errored: mine.length - judged.length };
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

/** The mark a median carries wherever it is shown when some of its variant's samples failed (see {@link failedNote}). */
export const FAIL_MARK = ' ⚠';
export function failMark(t: { coldStart?: { failures: number } | null }): string {
  return t.coldStart?.failures ? FAIL_MARK : '';
}

/** The note that explains {@link FAIL_MARK}, naming each flagged variant with its count; null when no sample failed. */
export function failedNote(r: Results): string | null {
  const flagged = okTargets(r).filter((t) => t.coldStart.failures);
  if (!flagged.length) return null;
  return `⚠ Some samples failed: ${flagged.map((t) => `${keyOf(r, t)} ${t.coldStart.failures} of ${t.coldStart.samples.length}`).join(', ')}. Its median stands on the successful samples only. A variant is errored instead when more than half its samples failed or its runtime stopped answering (README, "Faults").`;
}
