import { describe, expect, it } from 'vitest';
import { PRIME_MAX_RUNS, runSchedule, type Unit } from '../harness/measure/schedule.js';
import { createMockTarget } from '../harness/targets/mock.js';
import { samplesOf, summarizeColdStart } from '../harness/measure/cold-start.js';

const unitOf = (id: string, durations: number[], extra: { failEvery?: number } = {}) => {
  const t = createMockTarget(id, { durations, stdout: 'ok\n', ...extra });
  const order: string[] = [];
  const u: Unit = { key: id, run: () => t.run({ args: [id] }) };
  return { t, u, order };
};

describe('round scheduler with a mock target', () => {
  it('warms each unit up W times, then runs every unit once per round for R rounds', async () => {
    const a = unitOf('a', [1]);
    const b = unitOf('b', [2]);
    const out = await runSchedule([a.u, b.u], { warmup: 3, runs: 7, seed: 1 });
    expect(a.t.calls.length).toBe(10);
    expect(b.t.calls.length).toBe(10);
    expect(out.get('a')!.map((m) => m.round)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out.get('b')!.every((m) => m.result.durationMs === 2)).toBe(true);
  });

  it('primes a unit shorter than primeBelowMs with one untimed run before each sample, and only that unit', async () => {
    const fast = unitOf('fast', [1]);
    const slow = unitOf('slow', [80]);
    const out = await runSchedule([fast.u, slow.u], { warmup: 1, runs: 5, seed: 1, primeBelowMs: 50 });
    // 1 warm-up + 5 samples + 1 to PRIME_MAX_RUNS primes before each (the warm-up told the scheduler it is short).
    expect(fast.t.calls.length).toBeGreaterThanOrEqual(1 + 5 + 5);
    expect(fast.t.calls.length).toBeLessThanOrEqual(1 + 5 + 5 * PRIME_MAX_RUNS);
    expect(slow.t.calls.length).toBe(6);
    expect(out.get('fast')!.length).toBe(5);
    // Without the option nothing is primed.
    const plain = unitOf('plain', [1]);
    await runSchedule([plain.u], { warmup: 1, runs: 5, seed: 1 });
    expect(plain.t.calls.length).toBe(6);
  });

  it('shuffles the order within rounds, reproducibly for a seed', async () => {
    const slots = async (seed: number) => {
      const units = ['a', 'b', 'c', 'd'].map((id) => unitOf(id, [1]).u);
      const out = await runSchedule(units, { warmup: 0, runs: 20, seed });
      return ['a', 'b', 'c', 'd'].map((id) => out.get(id)!.map((m) => m.slot).join(''));
    };
    const first = await slots(42);
    expect(await slots(42)).toEqual(first);
    expect(await slots(43)).not.toEqual(first);
    // Not a fixed order: 'a' lands in more than one slot across 20 rounds.
    expect(new Set(first[0]).size).toBeGreaterThan(1);
  });

  it('stops before the next run when asked, keeping what was measured', async () => {
    const a = unitOf('a', [1]);
    let n = 0;
    const out = await runSchedule([a.u], { warmup: 0, runs: 100, seed: 1, shouldStop: () => n >= 5, onSample: () => n++ });
    expect(out.get('a')!.length).toBe(5);
  });

  it('counts failed samples and keeps their stderr, computing stats over the good ones', async () => {
    const a = unitOf('a', [10, 20, 30, 40], { failEvery: 4 });
    const out = await runSchedule([a.u], { warmup: 0, runs: 8, seed: 7 });
    const samples = samplesOf(out.get('a')!, 'ok\n');
    const cs = summarizeColdStart(samples, 7);
    expect(cs.failures).toBe(2);
    expect(samples.filter((s) => !s.ok).map((s) => s.ms)).toEqual([40, 40]);
    expect(samples.find((s) => !s.ok)!.error).toMatch(/^exit 1; stderr: \{"error":"mock"/);
    expect(cs.stats!.n).toBe(6);
    expect(cs.stats!.median).toBe(20);
    expect(cs.warnings.map((w) => w.kind)).toContain('failed-samples');
  });

  it('records a wrong answer as a failed sample', async () => {
    const t = createMockTarget('w', { durations: [5], stdout: 'wrong\n' });
    const out = await runSchedule([{ key: 'w', run: () => t.run({ args: [] }) }], { warmup: 0, runs: 2, seed: 1 });
    const samples = samplesOf(out.get('w')!, 'ok\n');
    expect(samples.map((s) => s.ok)).toEqual([false, false]);
    expect(samples[0].error).toBe('wrong answer "wrong\\n"; stderr: ');
  });

  it('turns a throwing run into a failed sample instead of aborting', async () => {
    const boom: Unit = { key: 'x', run: async () => { throw new Error('daemon went away'); } };
    const out = await runSchedule([boom], { warmup: 1, runs: 2, seed: 1 });
    const samples = samplesOf(out.get('x')!, 'ok\n');
    expect(samples.map((s) => s.ok)).toEqual([false, false]);
    expect(samples[0].error).toBe('did not run; stderr: harness error: daemon went away');
  });
});
