import type { BurstResult, BurstStep, VariantKey } from '../model.js';
import type { PreparedTarget } from '../session.js';
import type { BurstRun, VariantSpec } from '../targets/types.js';
import { percentileNearestRank } from './stats.js';

/** K simultaneous cold starts, by default; --burst K1,K2,... sets them. */
export const BURST_KS: readonly number[] = [1, 8, 32];
/** On this 2-core machine no burst launches more than this many at once. */
export const MAX_BURST = 64;
/** The time limit of one burst: what has not answered by then is killed and counted as timed out. */
export const BURST_TIMEOUT_MS = 30_000;
/**
 * With the default K values, the time a variant's bursts may take in all: the first K always
 * runs, a larger one only when its wall time, projected from the K before it (per request),
 * fits in what is left. K values given with --burst all run (each within the time limit).
 */
export const BURST_BUDGET_MS = 4_000;

export interface BurstOptions {
  workload: string;
  args: string[];
  expectedStdout: string;
  ks?: readonly number[];
  timeoutMs?: number;
  /** See BURST_BUDGET_MS; Infinity: every K (what --burst K1,K2,... asks for). */
  budgetMs?: number;
  shouldStop: () => boolean;
  log: (line: string) => void;
}

const keyOf = (workload: string, id: string, spec: VariantSpec): VariantKey => ({ workload, id, variant: spec.name, label: spec.label, class: spec.class });

/**
 * The burst step (a surge): for every variant, K cold starts launched at once as
 * the runtime serves them (harness/targets/types.ts burst()), for each K. Every
 * answer is checked; the correct ones' latencies give p50, p99 and max, the rest
 * are kept as failures with why. A larger K is not launched when the one before
 * it already took over half the time limit.
 */
export async function measureBurst(prepared: readonly PreparedTarget[], opts: BurstOptions): Promise<BurstResult[]> {
  const ks = opts.ks ?? BURST_KS;
  const timeoutMs = opts.timeoutMs ?? BURST_TIMEOUT_MS;
  const budgetMs = opts.budgetMs ?? BURST_BUDGET_MS;
  const rows: BurstResult[] = [];
  for (const p of prepared) {
    if (p.status === 'skipped') rows.push({ ...keyOf(opts.workload, p.id, p.def.variants[0]!), status: 'skipped', reason: `${p.reason} — ${p.hint}`, steps: [] });
    else if (p.status === 'errored') rows.push({ ...keyOf(opts.workload, p.id, p.def.variants[0]!), status: 'errored', reason: p.error, steps: [] });
    if (p.status !== 'ok') continue;
    for (const v of p.variants) {
      if (v.spec.probeOnly) continue;
      if (opts.shouldStop()) return rows;
      const key = keyOf(opts.workload, p.id, v.spec);
      if (v.status === 'skipped') rows.push({ ...key, status: 'skipped', reason: `${v.reason} — ${v.hint}`, steps: [] });
      if (v.status !== 'ok') continue;
      if (!v.burst) {
        rows.push({ ...key, status: 'n/a', reason: 'the target serves no burst for this variant', steps: [] });
        continue;
      }
      const steps: BurstStep[] = [];
      let stoppedBy: string | undefined;
      try {
        for (const k of ks) {
          if (opts.shouldStop()) {
            stoppedBy = 'interrupted';
            break;
          }
          const last = steps[steps.length - 1];
          if (last && last.wallMs > timeoutMs / 2) {
            stoppedBy = `K=${k} not launched: K=${last.k} already took ${(last.wallMs / 1000).toFixed(1)} s (limit ${timeoutMs / 1000} s per burst)`;
            break;
          }
          const spent = steps.reduce((t, s) => t + s.wallMs, 0);
          const projected = last ? (last.wallMs / last.k) * k : 0;
          if (last && spent + projected > budgetMs) {
            stoppedBy = `K=${k} not launched: projected ${(projected / 1000).toFixed(1)} s after ${(spent / 1000).toFixed(1)} s of bursts (budget ${budgetMs / 1000} s per variant; --burst ${ks.join(',')} runs every K)`;
            break;
          }
          const run = await v.burst({ args: opts.args, concurrency: k, timeoutMs });
          const step = burstStep(k, run, opts.expectedStdout);
          steps.push(step);
          opts.log(`burst ${opts.workload}:${p.id}/${v.spec.name} K=${k}: p50 ${fmt(step.p50Ms)} p99 ${fmt(step.p99Ms)} max ${fmt(step.maxMs)} ms, ${step.startsPerSec.toFixed(1)} starts/s${step.failures.length ? `, ${step.failures.length} failed (${step.failures[0]!.detail})` : ''}`);
        }
      } catch (e) {
        rows.push({ ...key, status: 'errored', reason: `burst failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 400), steps });
        continue;
      }
      rows.push({ ...key, status: 'ok', steps, ...(stoppedBy ? { stoppedBy } : {}) });
    }
  }
  return rows;
}

/** One burst's figures from its raw answers: every answer checked, failures kept with why. */
export function burstStep(k: number, run: BurstRun, expectedStdout: string): BurstStep {
  const latencies: number[] = [];
  const failures: BurstStep['failures'] = [];
  if (run.answers.length !== k) failures.push({ index: -1, detail: `${run.answers.length} answers to ${k} requests` });
  run.answers.forEach((a, index) => {
    let detail: string | null = null;
    if (a.timedOut || a.latencyMs === null) detail = 'no answer within the time limit (killed)';
    else if (a.exitCode !== 0) detail = `exit ${a.exitCode ?? a.signal ?? 'unknown'}${a.stderr.trim() ? `: ${a.stderr.trim().slice(0, 160)}` : ''}`;
    else if (a.stdout !== expectedStdout) detail = `wrong answer: ${JSON.stringify(a.stdout.slice(0, 120))}`;
    if (detail) failures.push({ index, detail });
    else latencies.push(a.latencyMs!);
  });
  const any = latencies.length > 0;
  return {
    k,
    mode: run.mode,
    clock: run.clock,
    latenciesMs: latencies,
    failures,
    p50Ms: any ? percentileNearestRank(latencies, 50) : null,
    p99Ms: any ? percentileNearestRank(latencies, 99) : null,
    maxMs: any ? Math.max(...latencies) : null,
    wallMs: run.wallMs,
    startsPerSec: run.wallMs > 0 ? latencies.length / (run.wallMs / 1000) : 0,
  };
}

const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(1));
