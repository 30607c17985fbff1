import { createRng, shuffle } from '../util/rng.js';
import type { RunResult } from '../targets/types.js';
import { bootstrapMedianCI, medianOf } from './stats.js';

/** With the adaptive stop, a unit whose first warm-up takes longer than this gets no more warm-ups. */
export const SLOW_WARMUP_MS = 1_000;

/** The prime before a short unit's sample (ScheduleOptions.primeBelowMs) lasts about this long, in at most this many runs. */
export const PRIME_MS = 5;
export const PRIME_MAX_RUNS = 10;

import type { StopReason } from '../model.js';
export type { StopReason } from '../model.js';

/**
 * The adaptive stop: a unit stops once the 95% bootstrap CI of its median is within
 * ±`ciTarget` of the median with at least `minSamples` good samples, or once the time
 * it has taken (warm-ups included) reaches `budgetMs`; the schedule ends when every
 * unit has stopped or `runs` rounds have run.
 */
export interface Adaptive {
  ciTarget: number;
  minSamples: number;
  budgetMs: number;
  /** The budget stops a unit only once it has this many samples (a median of one is hardly a figure); default 1. */
  minBudgetSamples?: number;
  /** Which samples count towards the CI (the successful ones); default all. */
  good?: (r: RunResult) => boolean;
}

/** Whether a unit's samples are precise enough to stop: the CI's half-width within ±ciTarget of the median. Pure (seeded). */
export function precise(samples: readonly number[], a: Pick<Adaptive, 'ciTarget' | 'minSamples'>, seed: number): boolean {
  if (samples.length < a.minSamples) return false;
  const m = medianOf(samples);
  if (!(m > 0)) return false;
  // Fewer resamples than the reported CI: this only decides when to stop.
  const [lo, hi] = bootstrapMedianCI(samples, { seed, resamples: 500 });
  return m - lo <= a.ciTarget * m && hi - m <= a.ciTarget * m;
}

/** One thing to time: a target variant bound to the workload's input. */
export interface Unit {
  key: string;
  run(): Promise<RunResult>;
}

export interface ScheduleOptions {
  warmup: number;
  runs: number;
  seed: number;
  /** Called after every measured run (not warm-ups). */
  onSample?: (key: string, round: number, result: RunResult) => void;
  /** Called after every completed round with everything measured so far, e.g. to write partial results. */
  onRound?: (round: number, measured: Map<string, Measured[]>) => void | Promise<void>;
  /** Checked before every run; true stops the schedule (SIGINT). */
  shouldStop?: () => boolean;
  /** Stop each unit by precision or budget instead of running every round (see {@link Adaptive}). */
  adaptive?: Adaptive;
  /** Filled with why each unit stopped. */
  stops?: Map<string, StopReason>;
  /**
   * Before each measured run of a unit whose previous run took less than this (ms), untimed
   * runs of the same unit right before it: one, or as many as fit in about PRIME_MS (at most
   * PRIME_MAX_RUNS). A process started on a machine that has
   * just been idle, or busy with the harness's own bookkeeping, starts slower than one
   * started straight after another (hyperfine's consecutive runs): sub-millisecond on this
   * machine, so it matters only for short units, and only they pay for it.
   */
  primeBelowMs?: number;
  /** Called after every round with the units still sampling and the time spent so far, for an estimate of the time left. */
  onProgress?: (p: { round: number; active: number; elapsedMs: number; estimateLeftMs: number }) => void;
}

export interface Measured {
  round: number;
  /** The position of this unit within its round (0-based), after shuffling; -1 for a slow unit's warm-up kept as its round-0 sample. */
  slot: number;
  result: RunResult;
}

/**
 * Warms each unit up `warmup` times, then runs `runs` rounds; in each round every
 * unit runs once, in an order shuffled by a seeded generator, so that drift in
 * the machine spreads across units instead of landing on one (as sightglass does).
 * A run that throws is recorded as a failed result; the schedule goes on.
 */
export async function runSchedule(units: readonly Unit[], opts: ScheduleOptions): Promise<Map<string, Measured[]>> {
  const out = new Map<string, Measured[]>(units.map((u) => [u.key, []]));
  const spent = new Map<string, number>(units.map((u) => [u.key, 0]));
  const stops = opts.stops ?? new Map<string, StopReason>();
  const rng = createRng(opts.seed);
  const t0 = Date.now();
  const a = opts.adaptive;
  /** The duration of each unit's last run, for the prime. */
  const last = new Map<string, number>();
  const timed = async (u: Unit) => {
    const t = Date.now();
    const r = await safeRun(u);
    spent.set(u.key, spent.get(u.key)! + (Date.now() - t));
    if (Number.isFinite(r.durationMs)) last.set(u.key, r.durationMs);
    return r;
  };
  const prime = async (u: Unit) => {
    const p = opts.primeBelowMs;
    if (p === undefined || !((last.get(u.key) ?? Infinity) < p)) return;
    // At least one run; a sub-millisecond unit runs until about PRIME_MS have passed (at most PRIME_MAX_RUNS).
    const t = performance.now();
    for (let i = 0; i < PRIME_MAX_RUNS && (i === 0 || performance.now() - t < PRIME_MS); i++) await timed(u);
  };
  const interrupted = () => {
    for (const u of units) if (!stops.has(u.key)) stops.set(u.key, 'interrupted');
    return out;
  };
  /** Units whose round-0 sample is their one warm-up (see below). */
  const sampledInWarmup = new Set<string>();
  for (const u of units) {
    for (let i = 0; i < opts.warmup; i++) {
      if (opts.shouldStop?.()) return interrupted();
      const t = Date.now();
      const r = await timed(u);
      // Adaptive: a unit whose warm-up takes seconds (a JIT compiling megabytes of wasm) is
      // warm within that run (its files are read in its first milliseconds), so that run is
      // its round-0 sample rather than seconds thrown away; it gets no further warm-up.
      if (a && Date.now() - t > SLOW_WARMUP_MS) {
        if (opts.runs > 0) {
          out.get(u.key)!.push({ round: 0, slot: -1, result: r });
          opts.onSample?.(u.key, 0, r);
          sampledInWarmup.add(u.key);
        }
        break;
      }
    }
  }
  const active = (u: Unit) => !stops.has(u.key);
  for (let round = 0; round < opts.runs && units.some(active); round++) {
    const order = shuffle(units, rng).filter((u) => active(u) && !(round === 0 && sampledInWarmup.has(u.key)));
    for (let slot = 0; slot < order.length; slot++) {
      if (opts.shouldStop?.()) return interrupted();
      const u = order[slot];
      await prime(u);
      const result = await timed(u);
      out.get(u.key)!.push({ round, slot, result });
      opts.onSample?.(u.key, round, result);
      // A runtime that stopped answering (its last VANISHED_AFTER calls threw: a daemon gone, a binary
      // removed) is not asked again: its row is errored with the round it stopped at (rows.ts).
      if (out.get(u.key)!.slice(-VANISHED_AFTER).filter((m) => isHarnessError(m.result)).length === VANISHED_AFTER) stops.set(u.key, 'vanished');
    }
    if (a) {
      for (const u of units.filter(active)) {
        const good = out.get(u.key)!.filter((m) => (a.good ? a.good(m.result) : true)).map((m) => m.result.durationMs);
        if (precise(good, a, opts.seed)) stops.set(u.key, 'precision');
        else if (spent.get(u.key)! >= a.budgetMs && out.get(u.key)!.length >= (a.minBudgetSamples ?? 1)) stops.set(u.key, 'budget');
      }
    }
    await opts.onRound?.(round, out);
    if (opts.onProgress) {
      const left = units.filter(active);
      // Each active unit's mean time per sample, times the rounds it may still run (to its budget or the last round).
      const estimate = left.reduce((sum, u) => {
        const n = out.get(u.key)!.length;
        const per = n ? spent.get(u.key)! / (n + opts.warmup) : 0;
        const byRounds = (opts.runs - round - 1) * per;
        return sum + (a ? Math.min(byRounds, Math.max(0, a.budgetMs - spent.get(u.key)!)) : byRounds);
      }, 0);
      opts.onProgress({ round: round + 1, active: left.length, elapsedMs: Date.now() - t0, estimateLeftMs: estimate });
    }
  }
  for (const u of units) if (!stops.has(u.key)) stops.set(u.key, 'rounds');
  return out;
}
/** Consecutive samples whose run threw (the runtime did not answer) after which a unit stops sampling. */
export const VANISHED_AFTER = 3;
/** How a sample whose run threw starts its stderr. */
export const HARNESS_ERROR = 'harness error: ';
/** A sample whose run threw: the target could not reach its runtime, as opposed to a run that failed. */
export const isHarnessError = (r: RunResult): boolean => r.exitCode === null && !r.timedOut && r.stderr.startsWith(HARNESS_ERROR);

async function safeRun(u: Unit): Promise<RunResult> {
  try {
    return await u.run();
  } catch (e) {
    return { stdout: '', stderr: `${HARNESS_ERROR}${e instanceof Error ? e.message : String(e)}`, exitCode: null, durationMs: NaN };
  }
}
