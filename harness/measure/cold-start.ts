import type { ColdStart, Memory, Phases, Sample, StopReason } from '../model.js';
import type { RunResult } from '../targets/types.js';
import { computeStats, detectOutliers, medianOf, statWarnings } from './stats.js';
import { HARNESS_ERROR, type Measured } from './schedule.js';

/**
 * Turns one run into a sample, checking the workload's answer: stdout must be
 * exactly `expectedStdout` and the exit code 0. Anything else is a failed
 * sample that keeps its stderr.
 */
export function toSample(round: number, r: RunResult, expectedStdout: string): Sample {
  const ok = !r.timedOut && r.exitCode === 0 && r.stdout === expectedStdout && Number.isFinite(r.durationMs);
  const s: Sample = { round, ms: r.durationMs, ok, exitCode: r.exitCode };
  if (r.outerMs !== undefined && r.outerMs !== r.durationMs) s.outerMs = r.outerMs;
  if (!ok) {
    const why = r.timedOut
      ? 'timed out'
      : r.exitCode === null
        ? r.signal ? `killed by ${r.signal}` : 'did not run'
        : r.exitCode !== 0 ? `exit ${r.exitCode}` : `wrong answer ${JSON.stringify(r.stdout.slice(0, 200))}`;
    s.error = `${why}; stderr: ${r.stderr.trim().slice(0, 500)}`;
  }
  if (r.phases) s.phases = r.phases;
  if (r.memory) s.peakMemoryBytes = r.memory.peakBytes;
  return s;
}

/** How toSample() records a run that threw before its runtime answered (schedule.ts's harness error). */
const UNREACHED = `did not run; stderr: ${HARNESS_ERROR}`;
/** A failed sample whose run could not reach the runtime (a daemon gone, a binary removed). */
export const unreached = (s: Sample): boolean => !s.ok && (s.error ?? '').startsWith(UNREACHED);
/** Why it could not, in one line. */
export const unreachedWhy = (s: Sample): string => (s.error ?? '').slice(UNREACHED.length).split('\n')[0]!.slice(0, 200);

/** Cold-start statistics over the successful samples, with failures counted and outliers flagged. */
export function summarizeColdStart(samples: Sample[], seed: number, stop?: StopReason): ColdStart {
  const good = samples.filter((s) => s.ok).map((s) => s.ms);
  const failures = samples.length - good.length;
  const outliers = good.length ? detectOutliers(good) : { count: 0, indices: [], fraction: 0 };
  return {
    unit: 'ms',
    samples,
    failures,
    outliers,
    stats: good.length ? computeStats(good, { seed }) : null,
    warnings: statWarnings(good, { failures }),
    ...(stop ? { stop } : {}),
  };
}

/** Median of each phase over the successful samples that reported phases. */
export function summarizePhases(samples: Sample[], source: string): Phases | null {
  const byKey = new Map<string, number[]>();
  for (const s of samples) {
    if (!s.ok || !s.phases) continue;
    for (const [k, v] of Object.entries(s.phases)) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  if (!byKey.size) return null;
  return { unit: 'ms', source, medians: Object.fromEntries([...byKey].map(([k, v]) => [k, medianOf(v)])) };
}

/** Median and max peak memory over the samples that measured it. */
export function summarizeMemory(samples: Sample[], covers: string | undefined): Memory | null {
  const xs = samples.filter((s) => s.ok && s.peakMemoryBytes !== undefined).map((s) => s.peakMemoryBytes!);
  if (!xs.length || !covers) return null;
  return { unit: 'bytes', covers, median: medianOf(xs), max: Math.max(...xs) };
}

/** Samples of one unit from a schedule. */
export function samplesOf(measured: Measured[], expectedStdout: string): Sample[] {
  return measured.map((m) => toSample(m.round, m.result, expectedStdout));
}
