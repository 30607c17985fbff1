/**
 * Statistics for cold-start samples (durations in ms, in run order). Pure
 * functions: no I/O, no clock, no global randomness — every random choice comes
 * from a seeded PRNG ({@link createRng}), so the same samples and seed give the
 * same numbers on every run and platform.
 *
 * Conventions (one for the whole module):
 * - Percentiles and medians: linear interpolation between order statistics,
 *   Hyndman & Fan (1996) type 7 — the default of R's `quantile()` and of
 *   `numpy.percentile`. For sorted x₀ ≤ … ≤ x₍ₙ₋₁₎ and p ∈ [0, 1]:
 *   h = (n − 1)·p, Q(p) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). Computed with
 *   simple-statistics `quantileSorted`, which implements exactly this in 7.12.
 *   The median is Q(0.5): the mean of the two middle values for even n.
 * - sd: sample standard deviation (divisor n − 1); 0 for n = 1.
 * - mad: the raw median absolute deviation, median(|xᵢ − median(x)|), NOT scaled
 *   by 1.4826 to estimate σ. The modified z-score applies its own 0.6745.
 * - ci95 and the bootstrap functions: percentile bootstrap. Each of B resamples
 *   draws n indices uniformly with replacement (index = ⌊rng()·n⌋); the interval
 *   is the type-7 quantiles at (1 − level)/2 and (1 + level)/2 of the B
 *   resampled statistics.
 */
import { mean as ssMean, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { assertSeed, createRng, type Rng } from '../util/rng.js';

export type { Stats } from '../model.js';
import type { Stats, Warning } from '../model.js';

/** Options for the bootstrap: `seed` is a uint32; `resamples` defaults to 2000; `level` to 0.95. */
export interface BootstrapOptions {
  seed: number;
  resamples?: number;
  level?: number;
}

/** Default number of bootstrap resamples. */
export const DEFAULT_RESAMPLES = 2000;

/** Modified z-score above which (in absolute value) a sample is an outlier (Iglewicz & Hoaglin's 3.5). */
export const DEFAULT_OUTLIER_THRESHOLD = 3.5;

/** Fraction of outliers above which {@link statWarnings} emits an `outliers` warning. */
export const OUTLIER_FRACTION_WARNING = 0.05;

/** Sample count below which {@link statWarnings} emits a `few-samples` warning. */
export const MIN_SAMPLES = 5;

function assertFinite(fn: string, samples: readonly number[], what = 'samples'): void {
  if (!Array.isArray(samples)) throw new Error(`${fn}: ${what} must be an array of numbers`);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new Error(`${fn}: ${what}[${i}] is ${String(x)}; every sample must be a finite number`);
    }
  }
}

function assertNonEmptyFinite(fn: string, samples: readonly number[], what = 'samples'): void {
  assertFinite(fn, samples, what);
  if (samples.length === 0) throw new Error(`${fn}: ${what} is empty; at least one sample is needed`);
}

function sortedCopy(samples: readonly number[]): number[] {
  return samples.slice().sort((a, b) => a - b);
}

/** Type-7 median of an ascending array (same arithmetic as quantileSorted(x, 0.5)). */
function medianOfSorted(sorted: ArrayLike<number>): number {
  const h = (sorted.length - 1) / 2;
  const lo = Math.floor(h);
  return h === lo ? sorted[lo] : sorted[lo] + 0.5 * (sorted[lo + 1] - sorted[lo]);
}

/** Median (R-7: the mean of the two middle values for an even count). Throws nothing; NaN for []. */
export function medianOf(samples: readonly number[]): number {
  return medianOfSorted(sortedCopy(samples));
}

function resolveBootstrap(fn: string, opts: BootstrapOptions): { rng: Rng; resamples: number; level: number } {
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: options with a seed are required`);
  const { seed, resamples = DEFAULT_RESAMPLES, level = 0.95 } = opts;
  try {
    assertSeed(seed);
  } catch (e) {
    throw new Error(`${fn}: ${(e as Error).message}`);
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`${fn}: resamples must be a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`${fn}: level must be in (0, 1), got ${level}`);
  return { rng: createRng(seed), resamples, level };
}

/** Median of one bootstrap resample of `samples`, using `buf` (length n) as scratch. */
function resampleMedian(samples: readonly number[], buf: Float64Array, rng: Rng): number {
  const n = samples.length;
  for (let i = 0; i < n; i++) buf[i] = samples[Math.floor(rng() * n)];
  buf.sort(); // Float64Array sorts numerically
  return medianOfSorted(buf);
}

/** Percentile interval of the bootstrap distribution `stats` (sorted in place). */
function percentileInterval(stats: Float64Array, level: number): [number, number] {
  stats.sort();
  const sorted = Array.from(stats);
  const alpha = (1 - level) / 2;
  return [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
}

/**
 * Percentile-bootstrap confidence interval of the median of `samples`.
 * Draws `resamples` (default 2000) resamples of size n with replacement from a
 * Mulberry32 stream seeded with `seed`, takes each resample's type-7 median, and
 * returns the type-7 quantiles at (1 − level)/2 and (1 + level)/2 (level
 * defaults to 0.95). Deterministic for a given samples/seed/resamples/level;
 * a constant sample gives [c, c].
 * @throws Error for an empty array, a non-finite sample, a seed that is not a
 *   uint32, a non-positive or fractional `resamples`, or `level` outside (0, 1).
 */
export function bootstrapMedianCI(samples: readonly number[], opts: BootstrapOptions): [number, number] {
  assertNonEmptyFinite('bootstrapMedianCI', samples);
  const { rng, resamples, level } = resolveBootstrap('bootstrapMedianCI', opts);
  const buf = new Float64Array(samples.length);
  const medians = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) medians[b] = resampleMedian(samples, buf, rng);
  return percentileInterval(medians, level);
}

/**
 * Ratio of medians, median(num) / median(den), with a percentile-bootstrap
 * confidence interval: each of `resamples` (default 2000) rounds resamples `num`
 * and then `den` independently, with replacement, from one Mulberry32 stream
 * seeded with `seed`, and records median(num*) / median(den*); the interval is
 * the type-7 quantiles at (1 − level)/2 and (1 + level)/2 (level defaults to
 * 0.95). Use it for "× native floor", "× docker" and run-to-run comparison.
 * @returns `ratio` (the point estimate from the full samples) and `ci95` (at
 *   `level`, named for the default).
 * @throws Error if either array is empty or has a non-finite value, if any `den`
 *   value is ≤ 0 (durations are positive; a zero median would make the ratio
 *   infinite), or for invalid bootstrap options (see {@link bootstrapMedianCI}).
 */
export function bootstrapRatioCI(
  num: readonly number[],
  den: readonly number[],
  opts: BootstrapOptions,
): { ratio: number; ci95: [number, number] } {
  assertNonEmptyFinite('bootstrapRatioCI', num, 'num');
  assertNonEmptyFinite('bootstrapRatioCI', den, 'den');
  const bad = den.findIndex((x) => x <= 0);
  if (bad >= 0) throw new Error(`bootstrapRatioCI: den[${bad}] is ${den[bad]}; denominator samples must be > 0`);
  const { rng, resamples, level } = resolveBootstrap('bootstrapRatioCI', opts);
  const ratio = medianOf(num) / medianOf(den);
  const numBuf = new Float64Array(num.length);
  const denBuf = new Float64Array(den.length);
  const ratios = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    const m = resampleMedian(num, numBuf, rng);
    ratios[b] = m / resampleMedian(den, denBuf, rng);
  }
  return { ratio, ci95: percentileInterval(ratios, level) };
}

/**
 * Summary statistics of `samples` (see {@link Stats} and the module comment for
 * the conventions). `ci95` is {@link bootstrapMedianCI} at level 0.95 with
 * `opts.seed` and `opts.resamples` (default 2000).
 * @throws Error for an empty array, a non-finite sample, or invalid options.
 */
export function computeStats(samples: readonly number[], opts: { seed: number; resamples?: number }): Stats {
  assertNonEmptyFinite('computeStats', samples);
  const sorted = sortedCopy(samples);
  const n = sorted.length;
  const median = quantileSorted(sorted, 0.5);
  return {
    n,
    min: sorted[0],
    max: sorted[n - 1],
    median,
    mean: ssMean(sorted),
    sd: n < 2 ? 0 : sampleStandardDeviation(sorted),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    mad: medianOf(samples.map((x) => Math.abs(x - median))),
    ci95: bootstrapMedianCI(samples, { seed: opts?.seed, resamples: opts?.resamples, level: 0.95 }),
  };
}

/**
 * Modified z-scores, in input order (signed: negative below the median).
 *
 * Mᵢ = 0.6745 · (xᵢ − median) / MAD, with MAD the raw median absolute deviation —
 * Iglewicz, B. & Hoaglin, D. C. (1993), "How to Detect and Handle Outliers",
 * ASQC Basic References in Quality Control, vol. 16, ASQC Quality Press. 0.6745
 * is the 0.75 quantile of the standard normal, so MAD/0.6745 estimates σ.
 *
 * When MAD = 0 (more than half the samples equal the median — common with a
 * coarse timer), the formula is undefined; we then use the mean absolute
 * deviation around the median, as IBM documents for its modified z-score
 * (Cognos Analytics 11.1, "Modified z score"): Mᵢ = (xᵢ − median) /
 * (1.253314 · MeanAD), 1.253314 ≈ √(π/2) making 1.253314·MeanAD estimate σ.
 * If MeanAD is 0 too, every sample equals the median and every score is 0.
 * An empty array gives [].
 * @throws Error for a non-finite sample.
 */
export function modifiedZScores(samples: readonly number[]): number[] {
  assertFinite('modifiedZScores', samples);
  if (samples.length === 0) return [];
  const median = medianOf(samples);
  const absDev = samples.map((x) => Math.abs(x - median));
  const mad = medianOf(absDev);
  if (mad > 0) return samples.map((x) => (0.6745 * (x - median)) / mad);
  const meanAD = ssMean(absDev);
  if (meanAD > 0) return samples.map((x) => (x - median) / (1.253314 * meanAD));
  return samples.map(() => 0);
}

/**
 * Samples whose modified z-score ({@link modifiedZScores}) exceeds `threshold`
 * in absolute value (strictly; default 3.5, Iglewicz & Hoaglin's recommendation).
 * @returns `count` of outliers, their `indices` into `samples` (ascending), and
 *   `fraction` = count / n (0 for an empty array).
 * @throws Error for a non-finite sample or a threshold that is not a positive number.
 */
export function detectOutliers(
  samples: readonly number[],
  threshold = DEFAULT_OUTLIER_THRESHOLD,
): { count: number; indices: number[]; fraction: number } {
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    throw new Error(`detectOutliers: threshold must be a positive number, got ${threshold}`);
  }
  const z = modifiedZScores(samples);
  const indices: number[] = [];
  z.forEach((m, i) => {
    if (Math.abs(m) > threshold) indices.push(i);
  });
  return { count: indices.length, indices, fraction: samples.length === 0 ? 0 : indices.length / samples.length };
}

export type { Warning } from '../model.js';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function fmtMs(x: number): string {
  return `${Number(x.toPrecision(4))} ms`;
}

/**
 * Warnings about one target's samples, in this order when present:
 * - `failed-samples`: `opts.failures` > 0 (failed runs are not in `samples`);
 * - `few-samples`: fewer than 5 samples;
 * - `outliers`: more than 5% of samples have |modified z| > 3.5;
 * - `first-run-outlier`: the first sample (samples are in run order) is an
 *   outlier — a cold cache that the warmup did not fill.
 * A clean sample gives []. Outlier checks are skipped for an empty array.
 * @throws Error for a non-finite sample or a negative/fractional `failures`.
 */
export function statWarnings(samples: readonly number[], opts: { failures?: number } = {}): Warning[] {
  assertFinite('statWarnings', samples);
  const failures = opts.failures ?? 0;
  if (!Number.isInteger(failures) || failures < 0) {
    throw new Error(`statWarnings: failures must be a non-negative integer, got ${failures}`);
  }
  const n = samples.length;
  const out: Warning[] = [];
  if (failures > 0) {
    out.push({
      kind: 'failed-samples',
      message: `${plural(failures, 'run', 'runs')} of ${failures + n} failed and ${failures === 1 ? 'is' : 'are'} left out of these statistics.`,
      advice: 'Look at why the runs failed (e.g. `wvc verify`) before quoting these numbers.',
    });
  }
  if (n < MIN_SAMPLES) {
    out.push({
      kind: 'few-samples',
      message: `Only ${plural(n, 'sample was', 'samples were')} measured; fewer than ${MIN_SAMPLES} make the median and its confidence interval unreliable.`,
      advice: `Use more --runs (at least ${MIN_SAMPLES}).`,
    });
  }
  if (n === 0) return out;
  const { count, indices, fraction } = detectOutliers(samples);
  if (fraction > OUTLIER_FRACTION_WARNING) {
    out.push({
      kind: 'outliers',
      message: `Statistical outliers were detected: ${count} of ${n} samples (${(fraction * 100).toFixed(1)}%) have a modified z-score above ${DEFAULT_OUTLIER_THRESHOLD}.`,
      advice: 'Use more --runs, a quieter machine (close other programs, keep it on mains power), or more --warmup.',
    });
  }
  if (indices[0] === 0) {
    const median = medianOf(samples);
    const slower = samples[0] > median;
    out.push({
      kind: 'first-run-outlier',
      message: `The first measured run was much ${slower ? 'slower' : 'faster'} than the rest (${fmtMs(samples[0])} vs a median of ${fmtMs(median)}).`,
      advice: 'This points to a cache effect (disk, page cache, compiled-code cache) not filled by the warmup: raise --warmup.',
    });
  }
  return out;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples: the smallest sample with at least p% of the samples at or below it. */
export function percentileNearestRank(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Ordinary least squares y = a + b·x, with r². Needs two distinct x. */
export function linearFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  if (n < 2) throw new Error('a line needs two points');
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) throw new Error('a line needs two distinct x');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2 };
}
