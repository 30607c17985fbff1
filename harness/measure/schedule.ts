import { createRng, shuffle } from '../util/rng.js';
import type { RunResult } from '../targets/types.js';

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
}

export interface Measured {
  round: number;
  /** The position of this unit within its round (0-based), after shuffling. */
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
  const rng = createRng(opts.seed);
  for (const u of units) {
    for (let i = 0; i < opts.warmup; i++) {
      if (opts.shouldStop?.()) return out;
      await safeRun(u);
    }
  }
  for (let round = 0; round < opts.runs; round++) {
    const order = shuffle(units, rng);
    for (let slot = 0; slot < order.length; slot++) {
      if (opts.shouldStop?.()) return out;
      const u = order[slot];
      const result = await safeRun(u);
      out.get(u.key)!.push({ round, slot, result });
      opts.onSample?.(u.key, round, result);
    }
    await opts.onRound?.(round, out);
  }
  return out;
}

async function safeRun(u: Unit): Promise<RunResult> {
  try {
    return await u.run();
  } catch (e) {
    return { stdout: '', stderr: `harness error: ${e instanceof Error ? e.message : String(e)}`, exitCode: null, durationMs: NaN };
  }
}
