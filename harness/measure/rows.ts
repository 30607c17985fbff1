/**
 * Turns prepared targets and their measured samples into the rows of results.json:
 * every declared variant becomes an ok, skipped or errored row carrying what its
 * target declares about it (class, baseline, phase source, cache state, exit-code
 * fidelity, notes); n/a variants are recorded on the workload instead. Ratios to
 * the declared baselines and across workloads are bootstrapped here, at bench
 * time, so the reports do no statistics of their own. Pure apart from describe().
 */
import path from 'node:path';
import type { CrossRatio, Invocation, Results, Sample, StopReason, TargetInfo, TargetResult, Warm, WorkloadRecord } from '../model.js';
import { invocationLine } from '../util/shell.js';
import type { Artifact, TargetDefinition, VariantDescription, VariantSpec } from '../targets/types.js';
import type { PreparedTarget } from '../session.js';
import type { Workload } from '../workload.js';
import type { Measured } from './schedule.js';
import { samplesOf, summarizeColdStart, summarizeMemory, summarizePhases, unreached, unreachedWhy } from './cold-start.js';
import { bootstrapRatioCI } from './stats.js';

/** The row key of one variant of one workload, as the schedule and the progress line use it. */
export const unitKey = (workload: string, id: string, variant: string) => `${workload}:${id}/${variant}`;

/** What every row records about its variant, from the spec and (when prepared) its description. */
function rowBase(w: Workload, id: string, spec: VariantSpec, d: VariantDescription | null, artifacts: ReadonlyMap<string, Artifact>, inv: Invocation | null = null) {
  const a = d ? artifacts.get(d.artifact) : undefined;
  return {
    workload: w.name,
    id,
    variant: spec.name,
    label: spec.label,
    class: spec.class,
    defaultVariant: false,
    baseline: spec.baseline ?? null,
    phaseSource: spec.phaseSource,
    cacheState: spec.cacheState,
    exitCodes: spec.exitCodes,
    notes: [...(spec.notes ?? []), ...(d?.notes ?? [])],
    ...(spec.layer ? { layer: { ...spec.layer } } : {}),
    runtime: d?.runtime ?? null,
    command: inv ? invocationLine(inv) + (d?.how ? `  (${d.how})` : '') : null,
    invocation: inv,
    grants: d?.grants ?? [],
    artifact: a ? { id: a.id, sha256: a.sha256 } : null,
  };
}

/**
 * The rule that turns a variant's failed samples into an errored row (README, "Faults"):
 * the runtime disappeared — sampling stopped because its last runs could not reach it, or
 * every sample after the last good one did not run — or more than half the samples failed.
 * Otherwise the row stays ok and its failures are counted (and flagged) next to its median.
 * @returns the one-line reason, or null.
 */
export function failureVerdict(target: string, samples: readonly Sample[], stop?: StopReason): string | null {
  const n = samples.length;
  const failed = samples.filter((x) => !x.ok).length;
  if (!n || !failed) return null;
  const lastOk = samples.map((x) => x.ok).lastIndexOf(true);
  const tail = samples.slice(lastOk + 1);
  // It answered before (a good sample), every run since could not reach it, and the schedule gave up on it or it happened twice.
  if (lastOk >= 0 && tail.length && tail.every(unreached) && (stop === 'vanished' || tail.length >= 2)) {
    const at = tail[0]!;
    return `${target}: stopped answering at round ${at.round + 1} (${unreachedWhy(at)}); ${failed} of ${n} samples failed`;
  }
  if (failed === n) return `every sample failed; first: ${samples[0]!.error}`;
  if (failed * 2 > n) return `${failed} of ${n} samples failed (more than half); first: ${samples.find((x) => !x.ok)!.error}`;
  return null;
}

/** The declared variants that are measured (not probe-only). */
const measurable = (def: TargetDefinition) => def.variants.filter((v) => !v.probeOnly);

/** The baseline variant of a workload (`floor` or `container`) among the ready rows, as `id/variant`. */
function baselineOf(prepared: readonly PreparedTarget[], which: 'floor' | 'container'): { id: string; variant: string } | null {
  for (const p of prepared) {
    if (p.status !== 'ok') continue;
    const v = p.variants.find((x) => x.status === 'ok' && !x.spec.probeOnly && x.spec.baseline === which);
    if (v) return { id: p.id, variant: v.spec.name };
  }
  return null;
}

/** The workload as recorded with the run. */
export function workloadRecord(w: Workload, prepared: readonly PreparedTarget[], root: string): WorkloadRecord {
  const rel = path.relative(root, w.manifestPath);
  const key = (b: { id: string; variant: string } | null) => (b ? `${b.id}/${b.variant}` : null);
  return {
    name: w.name,
    language: w.language,
    ...(w.interpreted !== undefined ? { interpreted: w.interpreted } : {}),
    ...(w.task !== undefined ? { task: w.task } : {}),
    description: w.description,
    manifest: rel.startsWith('..') ? w.manifestPath : rel,
    manifestSha256: w.manifestSha256,
    args: w.sample.args,
    expectedStdout: w.sample.stdout,
    notApplicable: prepared.flatMap((p) =>
      p.status === 'n/a'
        ? [{ target: p.id, reason: p.reason }]
        : p.status === 'ok'
          ? p.variants.flatMap((v) => (v.status === 'n/a' && !v.spec.probeOnly ? [{ target: `${p.id}/${v.spec.name}`, reason: v.reason }] : []))
          : [],
    ),
    baselines: { floor: key(baselineOf(prepared, 'floor')), container: key(baselineOf(prepared, 'container')) },
  };
}

/** The rows of one workload, from what its schedule measured so far. */
export function assembleRows(
  w: Workload,
  prepared: readonly PreparedTarget[],
  measured: ReadonlyMap<string, Measured[]>,
  memCovers: ReadonlyMap<string, string>,
  warm: ReadonlyMap<string, Warm>,
  seed: number,
  artifacts: ReadonlyMap<string, Artifact>,
  stops: ReadonlyMap<string, StopReason> = new Map(),
): TargetResult[] {
  const samples = (id: string, variant: string): Sample[] => samplesOf(measured.get(unitKey(w.name, id, variant)) ?? [], w.sample.stdout);
  const okMs = (s: readonly Sample[]) => s.filter((x) => x.ok).map((x) => x.ms);
  const floor = baselineOf(prepared, 'floor');
  const container = baselineOf(prepared, 'container');
  const floorMs = floor ? okMs(samples(floor.id, floor.variant)) : [];
  const containerMs = container ? okMs(samples(container.id, container.variant)) : [];
  const ratio = (num: number[], den: number[]) => (num.length && den.length ? bootstrapRatioCI(num, den, { seed }) : null);
  const out: TargetResult[] = [];
  for (const p of prepared) {
    if (p.status === 'n/a') continue; // recorded on the workload, not as a row
    const specs = measurable(p.def);
    if (p.status === 'skipped' || p.status === 'errored') {
      const first = specs[0];
      if (!first) continue;
      const base = { ...rowBase(w, p.id, first, null, artifacts), variant: specs.map((s) => s.name).join(','), defaultVariant: true };
      out.push(p.status === 'skipped' ? { ...base, status: 'skipped', reason: p.reason, hint: p.hint } : { ...base, status: 'errored', reason: p.error });
      continue;
    }
    for (const v of p.variants) {
      if (v.spec.probeOnly || v.status === 'n/a') continue;
      const isDefault = v.spec.name === specs[0]?.name;
      if (v.status === 'skipped') {
        out.push({ ...rowBase(w, p.id, v.spec, null, artifacts), defaultVariant: isDefault, status: 'skipped', reason: v.reason, hint: v.hint });
        continue;
      }
      const base = { ...rowBase(w, p.id, v.spec, v.describe(), artifacts, v.invocation({ args: w.sample.args })), defaultVariant: isDefault };
      const key = unitKey(w.name, p.id, v.spec.name);
      const s = samples(p.id, v.spec.name);
      const coldStart = summarizeColdStart(s, seed, stops.get(key));
      const good = okMs(s);
      const failed = failureVerdict(p.id, s, stops.get(key));
      if (failed) {
        out.push({ ...base, status: 'errored', reason: failed, coldStart });
        continue;
      }
      out.push({
        ...base,
        status: 'ok',
        reason: null,
        coldStart,
        phases: v.spec.phaseSource ? summarizePhases(s, v.spec.phaseSource) : null,
        warm: warm.get(key) ?? { status: 'n/a', note: 'not measured (run interrupted)' },
        memory: summarizeMemory(s, memCovers.get(key)),
        vsNative: ratio(good, floorMs),
        vsDocker: ratio(good, containerMs),
      });
    }
  }
  return withBestContainer(out, seed);
}

/**
 * The workload's fastest container variant at any layer (Docker, containerd, an OCI runtime, hardened
 * or not) by cold-start median, and every ok row's ratio to it: the honest best of the container side,
 * next to the × docker column.
 */
function withBestContainer(rows: TargetResult[], seed: number): TargetResult[] {
  type Ok = Extract<TargetResult, { status: 'ok' }>;
  const ok = rows.filter((t): t is Ok => t.status === 'ok' && !!t.coldStart.stats);
  const best = ok.filter((t) => t.class === 'container').sort((a, b) => a.coldStart.stats!.median - b.coldStart.stats!.median)[0];
  const ms = (t: Ok) => t.coldStart.samples.filter((s) => s.ok).map((s) => s.ms);
  return rows.map((t) => (t.status === 'ok' ? { ...t, vsBestContainer: best && t.coldStart.stats ? bootstrapRatioCI(ms(t), ms(best), { seed }) : null } : t));
}

/** The key (`id/variant`) of a workload's fastest container row, or null. */
export function bestContainerOf(rows: readonly TargetResult[], workload: string): string | null {
  const best = rows
    .filter((t): t is Extract<TargetResult, { status: 'ok' }> => t.workload === workload && t.status === 'ok' && t.class === 'container' && !!t.coldStart.stats)
    .sort((a, b) => a.coldStart.stats!.median - b.coldStart.stats!.median)[0];
  return best ? `${best.id}/${best.variant}` : null;
}

/**
 * Every later workload's ok row over every earlier workload's, as a ratio of
 * cold-start medians with a bootstrap CI of the samples behind them.
 */
export function crossRatios(r: Pick<Results, 'workloads' | 'targets' | 'seed'>): CrossRatio[] {
  const order = new Map(r.workloads.map((w, i) => [w.name, i]));
  const ok = r.targets.filter((t): t is Extract<TargetResult, { status: 'ok' }> => t.status === 'ok' && !!t.coldStart.stats);
  const ms = (t: (typeof ok)[number]) => t.coldStart.samples.filter((s) => s.ok).map((s) => s.ms);
  const out: CrossRatio[] = [];
  for (const a of ok) {
    for (const b of ok) {
      if ((order.get(a.workload) ?? -1) <= (order.get(b.workload) ?? -1)) continue;
      const { ratio, ci95 } = bootstrapRatioCI(ms(a), ms(b), { seed: r.seed });
      out.push({ a: { workload: a.workload, id: a.id, variant: a.variant }, b: { workload: b.workload, id: b.id, variant: b.variant }, ratio, ci95 });
    }
  }
  return out;
}

/** What each selected target says of itself, for the methodology. */
export function targetInfo(defs: readonly TargetDefinition[]): TargetInfo[] {
  return defs.map((d) => ({ id: d.id, summary: d.summary, caveats: [...(d.caveats ?? [])] }));
}
