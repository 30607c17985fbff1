/**
 * The plugin platform's numbers (issue 13), as the reports read them from a Results
 * object: warm per-request latency of every variant against its target's default
 * variant, density (what each more live instance costs, instances per GiB) and burst
 * (K simultaneous cold starts), plus one quotable sentence per result. Everything
 * here reads what results.json records — labels, classes, `defaultVariant`, variant
 * names — and names no target. Pure.
 */
import type { BurstResult, BurstStep, DensityResult, Results, TargetClass, VariantKey } from '../model.js';
import { keyOf, multiWorkload, okTargets, workloadName, type OkTarget } from './data.js';
import { bytes, duration, grouped, sig3 } from './format.js';

export const GIB = 1024 ** 3;

/** A latency that may be well under a millisecond: `45.0 µs`, `0.520 ms` from 1 ms is `1.20 ms`, `2.30 s`. */
export function latency(x: number): string {
  if (!Number.isFinite(x)) return '–';
  return Math.abs(x) < 1 && x !== 0 ? `${sig3(x * 1000)} µs` : duration(x);
}

/** A rate or count read as "about": 2 significant digits, thousands grouped (`4,900`, `540`, `14`, `0.52`). */
export function about(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const v = Number(x.toPrecision(2));
  return Math.abs(v) >= 1000 ? grouped(v) : String(v);
}

/** A rate with 3 significant digits, whole from 100 up, thousands grouped: `780`, `14.2`, `1,234`. */
export function rate(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return grouped(Math.round(x));
  return String(Number(x.toPrecision(3)));
}

/** r² rounded down to 3 decimals, so a fit short of perfect never reads as 1: `0.99`, `0.998`, `1`. */
export function r2Text(r2: number): string {
  if (!Number.isFinite(r2)) return '–';
  return String(Math.floor(r2 * 1000 + 1e-9) / 1000);
}

// ---- warm ------------------------------------------------------------------

export type WarmOk = Extract<OkTarget['warm'], { status: 'ok' }>;

/** A variant with a warm loop, and its target's default variant in the same workload (when that has one too). */
export interface WarmRow {
  row: OkTarget;
  warm: WarmOk;
  /** The default variant of the same target and workload, with a warm loop; undefined when there is none. */
  def: { row: OkTarget; warm: WarmOk } | undefined;
  /** This median over the default variant's; 1 for the default itself; null without a default. */
  ratio: number | null;
}

const warmOf = (t: OkTarget): WarmOk | undefined => (t.warm.status === 'ok' ? t.warm : undefined);

/** Every variant with a warm loop, ordered by workload (run order) and then results order. */
export function warmRows(r: Results): WarmRow[] {
  const rows = okTargets(r).filter((t) => warmOf(t));
  const out = rows.map((t): WarmRow => {
    const warm = warmOf(t)!;
    const d = rows.find((x) => x.defaultVariant && x.id === t.id && workloadName(r, x) === workloadName(r, t));
    const def = d ? { row: d, warm: warmOf(d)! } : undefined;
    return { row: t, warm, def, ratio: def && def.warm.stats.median > 0 ? warm.stats.median / def.warm.stats.median : null };
  });
  return byWorkload(r, out, (x) => x.row);
}

/** Rows grouped by workload in run order, stable within one. */
export function byWorkload<T>(r: Results, rows: readonly T[], ref: (x: T) => { workload?: string }): T[] {
  const order = (x: T) => {
    const i = r.workloads.findIndex((w) => w.name === workloadName(r, ref(x)));
    return i < 0 ? r.workloads.length : i;
  };
  return rows.map((x, i) => ({ x, i })).sort((a, b) => order(a.x) - order(b.x) || a.i - b.i).map((y) => y.x);
}

// ---- density ---------------------------------------------------------------

export type DensityOk = Extract<DensityResult, { status: 'ok' }>;

/** The density rows of a run; null when the run has none (an older results file, or the step did not run). */
export function densityRows(r: Results): DensityResult[] | null {
  return Array.isArray(r.density) ? byWorkload(r, r.density, (d) => d) : null;
}

/** Whether a density row projects a count per GiB: ok, with a positive slope and a finite, positive projection. */
export function projects(d: DensityResult): boolean {
  return d.status === 'ok' && d.fit.bytesPerInstance > 0 && Number.isFinite(d.perGiB) && d.perGiB > 0;
}

/** What one more of these is, for a sentence: a container, a process, an instance. */
export function instanceNoun(c: TargetClass): string {
  return c === 'container' ? 'container' : c === 'wasm' ? 'instance' : 'process';
}

// ---- burst -----------------------------------------------------------------

/** The burst rows of a run; null when the run has none. */
export function burstRows(r: Results): BurstResult[] | null {
  return Array.isArray(r.burst) ? byWorkload(r, r.burst, (b) => b) : null;
}

/** `3 of 32 failed: <first failure's detail>`, or `none`. */
export function failuresText(s: BurstStep, withDetail = true): string {
  if (!s.failures.length) return 'none';
  const first = s.failures[0];
  return `${s.failures.length} of ${s.k} failed${withDetail ? `; first (#${first.index}): ${first.detail.split('\n')[0].trim()}` : ''}`;
}

// ---- which rows a sentence sets side by side -------------------------------

/**
 * The rows a sentence compares, from candidates of one workload with a figure each
 * (better = `better(a, b) < 0`): the best Wasm row and the best container row; with
 * neither class, the best row of any class.
 */
function pickPair<T extends { key: VariantKey }>(xs: readonly T[], better: (a: T, b: T) => number): T[] {
  const best = (cls: TargetClass | null) => [...xs].filter((x) => cls === null || x.key.class === cls).sort(better)[0];
  const pair = [best('wasm'), best('container')].filter((x): x is T => !!x);
  return pair.length ? pair : [best(null)].filter((x): x is T => !!x);
}

/** The workloads of a run in order, with what rows name them in sentences (empty with one workload). */
function workloadsOf(r: Results): { name: string | undefined; tag: string }[] {
  const names = r.workloads.length ? r.workloads.map((w) => w.name) : [undefined];
  const multi = multiWorkload(r);
  return names.map((name) => {
    const w = r.workloads.find((x) => x.name === name);
    return { name, tag: multi && w ? ` (${w.name}, ${w.language})` : '' };
  });
}

// ---- quotable sentences ----------------------------------------------------

export interface PlatformSentence {
  kind: 'warm' | 'density' | 'burst';
  workload: string | undefined;
  text: string;
}

function warmSentence(r: Results, workload: string | undefined, tag: string): string | null {
  const rows = warmRows(r).filter((x) => workloadName(r, x.row) === workload && x.warm.stats.median > 0);
  if (!rows.length) return null;
  const best = rows.reduce((a, b) => (b.warm.stats.median < a.warm.stats.median ? b : a));
  const w = best.warm;
  const split = [w.instantiateMedianMs !== undefined ? `instantiate ${latency(w.instantiateMedianMs)}` : '', w.runMedianMs !== undefined ? `run ${latency(w.runMedianMs)}` : ''].filter(Boolean).join(', ');
  let s = `Per request${tag}: ${best.row.label} serves each request on a fresh instance in ${latency(w.stats.median)} (median${split ? `; ${split}` : ''})`;
  if (best.def && best.def.row !== best.row && best.ratio !== null && best.ratio > 0) {
    s += `, ${sig3(1 / best.ratio)}× faster than its target's default configuration, ${best.def.row.label}, at ${latency(best.def.warm.stats.median)}`;
  }
  return `${s}.`;
}

function densitySentence(r: Results, workload: string | undefined, tag: string): string | null {
  const rows = (densityRows(r) ?? []).filter((d): d is DensityOk => workloadName(r, d) === workload && projects(d));
  const pair = pickPair(rows.map((d) => ({ key: d as VariantKey, d })), (a, b) => b.d.perGiB - a.d.perGiB);
  if (!pair.length) return null;
  const one = ({ d }: (typeof pair)[number]) =>
    `${d.label} costs ${bytes(d.fit.bytesPerInstance)} per parked ${instanceNoun(d.class)} (r² ${r2Text(d.fit.r2)}, ${d.fit.points} step${d.fit.points === 1 ? '' : 's'}), about ${about(d.perGiB)} per GiB`;
  let s = `Density${tag}: ${pair.map(one).join('; ')}`;
  if (pair.length === 2) {
    const f = pair[0].d.perGiB / pair[1].d.perGiB;
    s += f >= 1 ? ` — ${about(f)}× denser` : ` — ${about(1 / f)}× less dense`;
  }
  return `${s}.`;
}

/**
 * The burst a surge sentence quotes: the largest K at which the best Wasm row and the best
 * container row both answered (so the two are set side by side at the same K), else the
 * largest K any ok row answered at; with each row's step at that K.
 */
function surgeAt(r: Results, workload: string | undefined): { k: number; pair: { key: VariantKey; s: BurstStep }[] } | null {
  const rows = (burstRows(r) ?? []).filter((b) => workloadName(r, b) === workload && b.status === 'ok');
  const answered = rows.flatMap((b) => b.steps.filter((s) => s.p99Ms !== null).map((s) => ({ key: b as VariantKey, s })));
  if (!answered.length) return null;
  const ks = [...new Set(answered.map((x) => x.s.k))].sort((a, b) => b - a);
  const at = (k: number) => pickPair(answered.filter((x) => x.s.k === k), (a, b) => a.s.p99Ms! - b.s.p99Ms!);
  const both = ks.find((k) => at(k).length === 2);
  const k = both ?? ks[0];
  return { k, pair: at(k) };
}

function burstSentence(r: Results, workload: string | undefined, tag: string): string | null {
  const at = surgeAt(r, workload);
  if (!at) return null;
  const pair = at.pair;
  const one = ({ key, s }: (typeof pair)[number]) => `on ${key.label}: p99 ${latency(s.p99Ms!)}, ${rate(s.startsPerSec)} starts/s${s.failures.length ? `, ${s.failures.length} of ${s.k} failed` : ''}`;
  return `Surge${tag}: ${at.k} simultaneous cold start${at.k === 1 ? '' : 's'} ${pair.map(one).join('; ')}.`;
}

/**
 * One sentence an architect can quote per result and workload — the per-request cost, the
 * density, the surge — each with its numbers, in that order; a sentence whose numbers the
 * run does not have is left out.
 */
export function platformSentences(r: Results): PlatformSentence[] {
  const out: PlatformSentence[] = [];
  for (const [kind, make] of [['warm', warmSentence], ['density', densitySentence], ['burst', burstSentence]] as const) {
    for (const w of workloadsOf(r)) {
      const text = make(r, w.name, w.tag);
      if (text) out.push({ kind, workload: w.name, text });
    }
  }
  return out;
}

/** Whether the run measured the plugin platform's own steps: density or burst rows, or a warm loop that times instantiate and run apart. */
export function platformMeasured(r: Results): boolean {
  return densityRows(r) !== null || burstRows(r) !== null || warmRows(r).some((x) => x.warm.instantiateMedianMs !== undefined || x.warm.runMedianMs !== undefined);
}

/** `target/variant` (or `<workload>:target/variant`) of a plugin-platform row. */
export const platformKey = (r: Results, k: VariantKey): string => keyOf(r, k);
