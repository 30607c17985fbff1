/**
 * Exports for continuous-benchmarking services, so CI can publish a run:
 * github-action-benchmark's `customSmallerIsBetter` JSON and Bencher Metric
 * Format (BMF) JSON. Pure functions of a Results object.
 */
import type { Results } from '../model.js';
import { keyOf, okTargets } from './data.js';
import { ms, msRange, sig3 } from './format.js';
import { about, burstRows, densityRows, failuresText, r2Text, rate } from './platform.js';

/**
 * One entry of github-action-benchmark's custom JSON (`tool: customSmallerIsBetter`):
 * `name`, `unit` and `value` are required; `range` (the variation, as text)
 * and `extra` (tooltip text) are optional strings.
 */
export interface GabEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** `± half-width` of a CI, with 3 significant digits. */
function plusMinus(ci: readonly [number, number]): string {
  return `± ${sig3((ci[1] - ci[0]) / 2)}`;
}

/**
 * The run as github-action-benchmark `customSmallerIsBetter` entries (every
 * figure is smaller-is-better). Names carry `target/variant` for the primary
 * workload and `<workload>:target/variant` for the others, so a series keeps
 * its name when workloads are added. Per measured target variant its cold-start
 * median in ms (range: ± half the 95% CI of the median; extra: CI, p95, n,
 * failures), its warm per-request median where there is one, and its peak
 * memory in bytes where measured; plus the size in bytes of each artifact a
 * target runs; and, where the run measured the plugin platform, each variant's
 * PSS per more live instance (`density <key>`, bytes) and each burst's p99
 * (`burst p99 <key> K=<k>`, ms).
 */
export function toGithubActionBenchmark(r: Results): GabEntry[] {
  const out: GabEntry[] = [];
  for (const t of okTargets(r)) {
    const s = t.coldStart.stats!;
    out.push({
      name: `cold start ${keyOf(r, t)}`,
      unit: 'ms',
      value: s.median,
      range: plusMinus(s.ci95),
      extra: `95% CI ${msRange(s.ci95)} ms; p95 ${ms(s.p95)}; n ${s.n}; failures ${t.coldStart.failures}`,
    });
  }
  for (const t of okTargets(r)) {
    if (t.warm.status !== 'ok') continue;
    const s = t.warm.stats;
    out.push({ name: `warm request ${keyOf(r, t)}`, unit: 'ms', value: s.median, range: plusMinus(s.ci95), extra: `${t.warm.mode}; p95 ${ms(s.p95)}; n ${s.n}` });
  }
  for (const t of okTargets(r)) {
    if (!t.memory || t.memory.median <= 0) continue;
    out.push({ name: `peak memory ${keyOf(r, t)}`, unit: 'bytes', value: t.memory.median, extra: `${t.memory.covers}; max ${t.memory.max} bytes` });
  }
  for (const a of r.artifacts) {
    if (!r.targets.some((t) => t.artifact?.id === a.id)) continue;
    out.push({ name: `artifact size ${a.id}`, unit: 'bytes', value: a.bytes, extra: `${a.kind}, sha256 ${a.sha256}` });
  }
  for (const d of densityRows(r) ?? []) {
    if (d.status !== 'ok' || !Number.isFinite(d.fit.bytesPerInstance)) continue;
    out.push({ name: `density ${keyOf(r, d)}`, unit: 'bytes per instance', value: d.fit.bytesPerInstance, extra: `r² ${r2Text(d.fit.r2)}, ${d.fit.points} points; about ${about(d.perGiB)} per GiB; ${d.covers}` });
  }
  for (const b of burstRows(r) ?? []) {
    if (b.status !== 'ok') continue;
    for (const s of b.steps) {
      if (s.p99Ms === null) continue;
      out.push({ name: `burst p99 ${keyOf(r, b)} K=${s.k}`, unit: 'ms', value: s.p99Ms, extra: `p50 ${s.p50Ms === null ? '–' : ms(s.p50Ms)}; max ${s.maxMs === null ? '–' : ms(s.maxMs)}; wall ${ms(s.wallMs)}; ${rate(s.startsPerSec)} starts/s; failures: ${failuresText(s, false)}` });
    }
  }
  return out;
}

/** One Bencher metric: a value with optional lower and upper bounds. */
export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

/** Bencher Metric Format: benchmark name → measure slug → metric. */
export type Bmf = Record<string, Record<string, BmfMetric>>;

const NS_PER_MS = 1e6;
/** Milliseconds to whole nanoseconds (the harness clock has no finer resolution). */
const ns = (x: number) => Math.round(x * NS_PER_MS);

/**
 * The run as Bencher Metric Format JSON. Benchmarks `cold-start <key>` and
 * `warm-request <key>` (key as in toGithubActionBenchmark) carry the built-in `latency` measure, which
 * Bencher records in NANOSECONDS, so milliseconds are converted (value: median,
 * lower/upper: its 95% CI); cold-start benchmarks also carry `peak-memory`
 * (bytes) where measured. `artifact <id>` benchmarks carry the built-in
 * `file-size` measure in bytes. Where the run measured the plugin platform,
 * `density <key>` carries `bytes-per-instance` (PSS per more live instance; Bencher
 * creates a measure it does not know by its slug), and `burst <key> K=<k>` the
 * `latency` measure (value: p99, lower: p50, upper: max, in nanoseconds) and
 * `throughput` (correct answers per second of wall).
 */
export function toBencherBmf(r: Results): Bmf {
  const out: Bmf = {};
  for (const t of okTargets(r)) {
    const s = t.coldStart.stats!;
    const b: Record<string, BmfMetric> = {
      latency: { value: ns(s.median), lower_value: ns(s.ci95[0]), upper_value: ns(s.ci95[1]) },
    };
    if (t.memory && t.memory.median > 0) b['peak-memory'] = { value: t.memory.median, upper_value: t.memory.max };
    out[`cold-start ${keyOf(r, t)}`] = b;
    if (t.warm.status === 'ok') {
      const w = t.warm.stats;
      out[`warm-request ${keyOf(r, t)}`] = { latency: { value: ns(w.median), lower_value: ns(w.ci95[0]), upper_value: ns(w.ci95[1]) } };
    }
  }
  for (const a of r.artifacts) {
    if (r.targets.some((t) => t.artifact?.id === a.id)) out[`artifact ${a.id}`] = { 'file-size': { value: a.bytes } };
  }
  for (const d of densityRows(r) ?? []) {
    if (d.status === 'ok' && Number.isFinite(d.fit.bytesPerInstance)) out[`density ${keyOf(r, d)}`] = { 'bytes-per-instance': { value: d.fit.bytesPerInstance } };
  }
  for (const b of burstRows(r) ?? []) {
    if (b.status !== 'ok') continue;
    for (const s of b.steps) {
      if (s.p99Ms === null) continue;
      const latency: BmfMetric = { value: ns(s.p99Ms) };
      if (s.p50Ms !== null) latency.lower_value = ns(s.p50Ms);
      if (s.maxMs !== null) latency.upper_value = ns(s.maxMs);
      out[`burst ${keyOf(r, b)} K=${s.k}`] = { latency, throughput: { value: s.startsPerSec } };
    }
  }
  return out;
}
