import type { DensityResult, DensityStep, VariantKey } from '../model.js';
import type { PreparedTarget, ReadyVariant } from '../session.js';
import type { Parked, VariantSpec } from '../targets/types.js';
import { totalPss } from '../util/proc.js';
import { linearFit } from './stats.js';

const GIB = 2 ** 30;

export const DENSITY_STEPS: readonly number[] = [1, 8, 32, 128];
/** Hard cap: no step may bring the summed PSS past this (projected from the steps before it). */
export const DENSITY_CAP_BYTES = 4 * GIB;
/** Hard cap per variant: no step starts that would not end inside this (projected from the steps before it). */
export const DENSITY_CAP_MS = 60_000;
/**
 * The time a variant's steps after the first two may take in a default run (projected, park
 * to release): the first two steps always run (a slope needs two points, so the hard caps
 * alone bound them); a later one only when it is projected to end within this.
 */
export const DENSITY_BUDGET_MS = 4_000;
/** A parked guest sleeps this much longer than the variant's remaining time, so it outlives its step but not the harness by much. */
const PARK_SLACK_S = 15;

/** The ready line of the guest's park mode (`--probe=park`), as the C and JavaScript guests print it. */
const PARK_READY = /^\{"probe":"park","result":"ok"/;

export interface DensityOptions {
  workload: string;
  /** The workload's sample, which hosts that keep served instances alive run, and its answer. */
  sampleArgs: string[];
  /** The workload has the park mode (`--probe=park`; `"probes": true` in its manifest); default true. */
  parkMode?: boolean;
  expectedStdout: string;
  steps?: readonly number[];
  capBytes?: number;
  capMs?: number;
  /** See DENSITY_BUDGET_MS; Infinity: every step the hard caps allow. */
  budgetMs?: number;
  /** Sums the PSS of the given processes (default: util/proc.ts totalPss); tests inject a meter. */
  meter?: (pids: number[]) => Promise<{ bytes: number; unread: number[] }>;
  shouldStop: () => boolean;
  log: (line: string) => void;
}

/** Instances parked right now, by any density step: what a second Ctrl-C or a crash handler can still release. */
const live = new Set<Parked>();

/** Releases every instance a density step has parked and not yet released. */
export async function releaseAllParked(): Promise<void> {
  await Promise.all([...live].map((p) => p.release().catch(() => {})));
  live.clear();
}

const keyOf = (workload: string, id: string, v: { spec: VariantSpec }): VariantKey => ({ workload, id, variant: v.spec.name, label: v.spec.label, class: v.spec.class });

/**
 * The density step: for every variant that can park its instances, N live isolated
 * instances at once for N stepping up (1, 8, 32, 128), the summed PSS of every
 * process involved at each N, and the least-squares slope (bytes per more instance)
 * with instances per GiB. A step starts only when, projected from the steps before,
 * it stays under the memory cap and ends within the variant's time cap. Every
 * parked instance is released before the next step, and on a stop or a fault.
 * Targets that did not run become rows with their reason, never gaps.
 */
export async function measureDensity(prepared: readonly PreparedTarget[], opts: DensityOptions): Promise<DensityResult[]> {
  const rows: DensityResult[] = [];
  for (const p of prepared) {
    if (p.status === 'skipped') rows.push({ ...keyOfTarget(opts.workload, p), status: 'skipped', reason: `${p.reason} — ${p.hint}`, steps: [] });
    else if (p.status === 'errored') rows.push({ ...keyOfTarget(opts.workload, p), status: 'errored', reason: p.error, steps: [] });
    if (p.status !== 'ok') continue;
    for (const v of p.variants) {
      if (v.spec.probeOnly) continue;
      if (opts.shouldStop()) return rows;
      const key = keyOf(opts.workload, p.id, v);
      if (v.status === 'skipped') rows.push({ ...key, status: 'skipped', reason: `${v.reason} — ${v.hint}`, steps: [] });
      if (v.status !== 'ok') continue;
      if (!v.park) {
        rows.push({ ...key, status: 'n/a', reason: 'this variant parks no instances (the target declares no park mode for it)', steps: [] });
        continue;
      }
      if (opts.parkMode === false && !v.parksServed) {
        rows.push({ ...key, status: 'n/a', reason: `this variant parks each instance mid-request in the workload's park mode (--probe=park --seconds=S), and ${opts.workload} declares none ("probes": true in its manifest says it has one)`, steps: [] });
        continue;
      }
      rows.push(await densityOf(key, v, opts));
    }
  }
  return rows;
}

function keyOfTarget(workload: string, p: PreparedTarget): VariantKey {
  const spec = p.def.variants[0]!;
  return { workload, id: p.id, variant: spec.name, label: spec.label, class: spec.class };
}

async function densityOf(key: VariantKey, v: ReadyVariant, opts: DensityOptions): Promise<DensityResult> {
  const steps = opts.steps ?? DENSITY_STEPS;
  const capBytes = opts.capBytes ?? DENSITY_CAP_BYTES;
  const capMs = opts.capMs ?? DENSITY_CAP_MS;
  const budgetMs = opts.budgetMs ?? DENSITY_BUDGET_MS;
  /** Each step's time from its park to its release. */
  const took: number[] = [];
  const meter = opts.meter ?? totalPss;
  const name = `${opts.workload}:${key.id}/${key.variant}`;
  const done: DensityStep[] = [];
  const t0 = Date.now();
  let stoppedBy = `the last step (${steps[steps.length - 1]} instances)`;
  let covers = '';
  for (const n of steps) {
    if (opts.shouldStop()) {
      stoppedBy = 'interrupted';
      break;
    }
    const elapsed = Date.now() - t0;
    const last = done[done.length - 1];
    if (last) {
      // Projected from the step before: bytes and start-up time grow with N.
      const perInstance = last.pssBytes / last.instances;
      if (perInstance * n > capBytes) {
        stoppedBy = `the memory cap: ${n} instances would need about ${mib(perInstance * n)} MiB (cap ${mib(capBytes)} MiB)`;
        break;
      }
      const projectedMs = projectStepMs(done.map((d, i) => ({ instances: d.instances, ms: took[i]! })), n);
      // The second step is bounded by the cap itself (its park's time limit): one step cannot tell
      // a fixed cost (a JIT compile per host) from a cost per instance.
      if (done.length >= 2 && elapsed + projectedMs > capMs) {
        stoppedBy = `the time cap: ${n} instances would take about ${(projectedMs / 1000).toFixed(1)} s more (cap ${capMs / 1000} s per variant)`;
        break;
      }
      if (done.length >= 2 && elapsed + projectedMs > budgetMs) {
        stoppedBy = `the step budget: ${n} instances would take about ${(projectedMs / 1000).toFixed(1)} s (park to release) after ${(elapsed / 1000).toFixed(1)} s (budget ${budgetMs / 1000} s per variant)`;
        break;
      }
    }
    const remainingMs = Math.max(1_000, capMs - elapsed);
    const seconds = Math.ceil(remainingMs / 1000) + PARK_SLACK_S;
    const started = Date.now();
    let parked: Parked | undefined;
    try {
      parked = await v.park!({ args: ['--probe=park', `--seconds=${seconds}`], sampleArgs: opts.sampleArgs, instances: n, timeoutMs: remainingMs });
      live.add(parked);
      const readyMs = Date.now() - started;
      covers = parked.covers;
      const wrong = parked.ready.findIndex((line) => !(PARK_READY.test(line) || line === opts.expectedStdout));
      if (parked.ready.length !== n || wrong >= 0) {
        const detail = wrong >= 0 ? `instance ${wrong} answered ${JSON.stringify(parked.ready[wrong]!.slice(0, 120))}` : `${parked.ready.length} of ${n} instances answered`;
        return { ...key, status: 'errored', reason: `${n} parked instances: ${detail}`, steps: done };
      }
      const pids = await parked.pids();
      const { bytes, unread } = await meter(pids);
      if (unread.length) return { ...key, status: 'errored', reason: `cannot read the PSS of ${unread.length} of ${pids.length} processes (pids ${unread.slice(0, 5).join(', ')}): /proc/<pid>/smaps_rollup needs the same user or root`, steps: done };
      done.push({ instances: n, pssBytes: bytes, readyMs });
      opts.log(`density ${name}: ${n} parked, ${mib(bytes)} MiB PSS over ${pids.length} processes (ready in ${(readyMs / 1000).toFixed(1)} s)`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      // A guest without the park mode answers the park argv with its usage error.
      if (/"error":"usage"/.test(msg) && done.length === 0) return { ...key, status: 'n/a', reason: `the guest has no park mode (--probe=park --seconds=S): ${msg.slice(0, 200)}`, steps: done };
      return { ...key, status: 'errored', reason: `parking ${n} instances failed: ${msg.slice(0, 300)}`, steps: done };
    } finally {
      if (parked) {
        await parked.release();
        live.delete(parked);
      }
      took.push(Date.now() - started);
    }
  }
  return fitted(key, done, covers, stoppedBy);
}

/**
 * A step's time at `n` instances, projected from the steps before (park to release):
 * a line through the last two when there are two (a fixed cost, such as a JIT compile,
 * plus a cost per instance), else all of the one step's time counted per instance.
 */
export function projectStepMs(steps: readonly { instances: number; ms: number }[], n: number): number {
  const last = steps[steps.length - 1]!;
  if (steps.length < 2) return (last.ms / last.instances) * n;
  const prev = steps[steps.length - 2]!;
  const perInstance = Math.max(0, (last.ms - prev.ms) / (last.instances - prev.instances));
  return Math.max(last.ms, last.ms + perInstance * (n - last.instances));
}

/** The density row from its steps: the least-squares slope, or why there is none. */
export function fitted(key: VariantKey, steps: DensityStep[], covers: string, stoppedBy: string): DensityResult {
  if (steps.length < 2) return { ...key, status: 'errored', reason: `${steps.length} step${steps.length === 1 ? '' : 's'} measured (stopped by ${stoppedBy}): a slope needs two`, steps };
  const fit = linearFit(steps.map((s) => ({ x: s.instances, y: s.pssBytes })));
  if (!(fit.slope > 0)) return { ...key, status: 'errored', reason: `the summed PSS did not grow with the instances (slope ${Math.round(fit.slope)} B per instance)`, steps };
  return {
    ...key,
    status: 'ok',
    covers,
    steps,
    fit: { bytesPerInstance: fit.slope, interceptBytes: fit.intercept, r2: fit.r2, points: steps.length },
    perGiB: Math.floor(GIB / fit.slope),
    stoppedBy,
  };
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1);
