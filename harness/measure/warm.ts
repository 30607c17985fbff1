import type { Warm } from '../model.js';
import type { ReadyVariant } from '../session.js';
import { computeStats, medianOf } from './stats.js';

/**
 * The warm step (the plugin model): per-request latency with the module already
 * compiled and a fresh instance per request, for every variant that declares a
 * warm mode. A variant that declares none is n/a with its own reason; a loop that
 * fails or answers wrongly is n/a with the failure.
 */
export async function measureWarm(
  units: readonly { key: string; v: ReadyVariant }[],
  opts: { args: string[]; expectedStdout: string; iterations: number; seed: number; shouldStop: () => boolean },
): Promise<Map<string, Warm>> {
  const warm = new Map<string, Warm>();
  for (const u of units) {
    if (opts.shouldStop()) break;
    const decl = u.v.spec.warm;
    if ('none' in decl) {
      warm.set(u.key, { status: 'n/a', note: decl.none });
      continue;
    }
    if (!u.v.warm) {
      warm.set(u.key, { status: 'n/a', note: `declares the warm mode "${decl.mode}" but prepared no warm loop` });
      continue;
    }
    try {
      const wr = await u.v.warm({ args: opts.args, iterations: opts.iterations });
      if (wr.stdout !== opts.expectedStdout) throw new Error(`wrong answer from the warm loop: ${JSON.stringify(wr.stdout)}`);
      // The instantiate/run split, when the host timed the phases of each request apart.
      const split = wr.split && wr.split.instantiate.length > 0 && wr.split.run.length > 0 ? { instantiateMedianMs: medianOf(wr.split.instantiate), runMedianMs: medianOf(wr.split.run) } : {};
      warm.set(u.key, { status: 'ok', unit: 'ms', mode: wr.mode, samples: wr.samples, stats: computeStats(wr.samples, { seed: opts.seed }), ...split, note: 'fresh instance per request, module already compiled' });
    } catch (e) {
      warm.set(u.key, { status: 'n/a', note: `warm loop failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return warm;
}
