/** The adaptive stop, with mock units: precision, budget, the round cap, and the slow warm-up. */
import { describe, expect, it } from 'vitest';
import { precise, runSchedule, type StopReason, type Unit } from '../harness/measure/schedule.js';
import type { RunResult } from '../harness/targets/types.js';

const result = (ms: number): RunResult => ({ stdout: 'ok\n', stderr: '', exitCode: 0, durationMs: ms });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A unit returning scripted durations in turn; `waitMs` makes each run take that long (for the budget). */
function unit(key: string, durations: number[], waitMs = 0): Unit & { calls: number } {
  const u = {
    key,
    calls: 0,
    async run() {
      const d = durations[u.calls++ % durations.length]!;
      if (waitMs) await sleep(waitMs);
      return result(d);
    },
  };
  return u;
}

describe('precise()', () => {
  it('needs the minimum sample count', () => {
    expect(precise([10, 10, 10], { ciTarget: 0.03, minSamples: 5 }, 1)).toBe(false);
    expect(precise([10, 10, 10, 10, 10], { ciTarget: 0.03, minSamples: 5 }, 1)).toBe(true);
  });
  it('is false while the CI of the median is wider than ±ciTarget', () => {
    const noisy = [5, 15, 8, 12, 20, 3, 10, 18, 6, 14];
    expect(precise(noisy, { ciTarget: 0.03, minSamples: 5 }, 1)).toBe(false);
    expect(precise(noisy, { ciTarget: 2, minSamples: 5 }, 1)).toBe(true);
  });
});

describe('runSchedule with the adaptive stop', () => {
  it('stops a steady unit at the minimum sample count and runs a noisy one to the round cap', async () => {
    const steady = unit('steady', [10]);
    const noisy = unit('noisy', [5, 15, 8, 12, 20, 3, 10, 18, 6, 14]);
    const stops = new Map<string, StopReason>();
    const out = await runSchedule([steady, noisy], { warmup: 0, runs: 25, seed: 3, stops, adaptive: { ciTarget: 0.03, minSamples: 10, budgetMs: 60_000 } });
    expect(out.get('steady')).toHaveLength(10);
    expect(stops.get('steady')).toBe('precision');
    expect(out.get('noisy')).toHaveLength(25);
    expect(stops.get('noisy')).toBe('rounds');
  });

  it('stops a unit whose time runs out, counting its warm-ups', async () => {
    const slow = unit('slow', [5, 15, 8, 12, 20], 15);
    const stops = new Map<string, StopReason>();
    const out = await runSchedule([slow], { warmup: 2, runs: 50, seed: 3, stops, adaptive: { ciTarget: 0.03, minSamples: 10, budgetMs: 60 } });
    expect(stops.get('slow')).toBe('budget');
    // Two warm-ups of at least 15 ms, then rounds until the 60 ms budget is spent: far fewer than 50.
    expect(out.get('slow')!.length).toBeGreaterThanOrEqual(1);
    expect(out.get('slow')!.length).toBeLessThan(10);
  });

  it('counts only the samples `good` accepts towards the CI', async () => {
    const u = unit('u', [10]);
    const stops = new Map<string, StopReason>();
    const out = await runSchedule([u], { warmup: 0, runs: 12, seed: 3, stops, adaptive: { ciTarget: 0.03, minSamples: 10, budgetMs: 60_000, good: () => false } });
    expect(out.get('u')).toHaveLength(12);
    expect(stops.get('u')).toBe('rounds');
  });

  it('gives a unit whose first warm-up takes over a second no more warm-ups, and keeps that run as its round-0 sample', async () => {
    const slow = unit('slow', [1_050, 1_060, 1_070], 1_050);
    const fast = unit('fast', [10]);
    const out = await runSchedule([slow, fast], { warmup: 3, runs: 2, seed: 3, adaptive: { ciTarget: 0.03, minSamples: 10, budgetMs: 60_000 } });
    // One warm-up that is the round-0 sample, then round 1: two runs in all.
    expect(slow.calls).toBe(2);
    expect(out.get('slow')!.map((m) => [m.round, m.result.durationMs])).toEqual([[0, 1_050], [1, 1_060]]);
    // A fast unit keeps its three warm-ups, none of them recorded.
    expect(fast.calls).toBe(5);
    expect(out.get('fast')!.map((m) => m.round)).toEqual([0, 1]);
  });

  it('stops a slow unit after its warm-up sample when that already meets the budget', async () => {
    const slow = unit('slow', [1_050], 1_050);
    const stops = new Map<string, StopReason>();
    const out = await runSchedule([slow, unit('fast', [10])], { warmup: 1, runs: 5, seed: 3, stops, adaptive: { ciTarget: 0.03, minSamples: 10, budgetMs: 500, minBudgetSamples: 1 } });
    expect(slow.calls).toBe(1);
    expect(out.get('slow')).toHaveLength(1);
    expect(stops.get('slow')).toBe('budget');
  });

  it('without it, every unit runs every round (--runs)', async () => {
    const steady = unit('steady', [10]);
    const stops = new Map<string, StopReason>();
    const out = await runSchedule([steady], { warmup: 1, runs: 15, seed: 3, stops });
    expect(out.get('steady')).toHaveLength(15);
    expect(stops.get('steady')).toBe('rounds');
  });
});
