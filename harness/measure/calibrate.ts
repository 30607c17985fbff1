import type { Results } from '../model.js';
import { run } from '../util/spawn.js';
import { computeStats } from './stats.js';

/**
 * The calibrate step: the median time to spawn and reap a static no-op program
 * through the same spawner the process targets use. Shown next to every run,
 * never subtracted.
 */
export async function calibrate(opts: { noop: string | undefined; spawner: boolean; warmup: number; runs: number; seed: number; shouldStop: () => boolean }): Promise<Results['calibration']> {
  if (!opts.noop) return { spawnOverheadMs: null, samples: [], stats: null, note: 'not measured: the no-op program was not built' };
  const cal: number[] = [];
  for (let i = 0; i < opts.warmup + Math.max(opts.runs, 10) && !opts.shouldStop(); i++) {
    const r = await run(opts.noop, []);
    if (i >= opts.warmup && r.exitCode === 0) cal.push(r.durationMs);
  }
  if (!cal.length) return { spawnOverheadMs: null, samples: [], stats: null, note: 'not measured: the no-op program did not run' };
  const stats = computeStats(cal, { seed: opts.seed });
  return { spawnOverheadMs: stats.median, samples: cal, stats, note: `median time to spawn and reap a static no-op program through the same spawner${opts.spawner ? ' (wvc-spawn, for ru_maxrss)' : ''}; shown, never subtracted` };
}
