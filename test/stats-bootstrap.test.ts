import { describe, expect, it } from 'vitest';
import { bootstrapMedianCI, bootstrapRatioCI, DEFAULT_RESAMPLES } from '../harness/measure/stats.js';

const cold = [41.2, 39.8, 40.5, 43.1, 40.0, 39.5, 41.8, 40.9, 42.3, 39.9, 40.4, 41.1, 40.7, 44.6, 40.2, 39.7, 41.5, 40.8, 40.1, 40.6];
const docker = [612.0, 598.5, 640.2, 605.1, 620.7, 601.3, 633.9, 615.4, 609.8, 626.0];

describe('bootstrapMedianCI', () => {
  it('matches a hand computation: [1, 2], seed 42, 4 resamples, level 0.5', () => {
    // Mulberry32(42) gives 0.601, 0.448, 0.852, 0.670, 0.175, 0.527, 0.273, 0.625 → indices ⌊2r⌋ = 1,0 | 1,1 | 0,1 | 0,1
    // resamples [2,1] [2,2] [1,2] [1,2] → medians 1.5, 2, 1.5, 1.5 → sorted 1.5, 1.5, 1.5, 2
    // quantiles at 0.25 (h = 0.75 → 1.5) and 0.75 (h = 2.25 → 1.5 + 0.25·0.5 = 1.625)
    expect(bootstrapMedianCI([1, 2], { seed: 42, resamples: 4, level: 0.5 })).toEqual([1.5, 1.625]);
  });

  it('pins the 95% CI of a cold-start sample (independent Python port)', () => {
    const [lo, hi] = bootstrapMedianCI(cold, { seed: 42 });
    expect(lo).toBeCloseTo(40.15, 12);
    expect(hi).toBeCloseTo(41.15, 12);
    const [lo50, hi50] = bootstrapMedianCI(cold, { seed: 42, level: 0.5 });
    expect([lo50, hi50]).toEqual([40.5, 40.8]);
    const [lo99, hi99] = bootstrapMedianCI(cold, { seed: 42, level: 0.99 });
    expect(lo99).toBeCloseTo(40.04975, 12);
    expect(hi99).toBeCloseTo(41.35, 12);
    // 50 resamples, seed 43: the upper end falls between two resampled medians
    expect(bootstrapMedianCI(cold, { seed: 43, resamples: 50 })[1]).toBeCloseTo(41.13875, 12);
  });

  it('is deterministic for a seed', () => {
    expect(bootstrapMedianCI(cold, { seed: 99 })).toEqual(bootstrapMedianCI(cold, { seed: 99 }));
    expect(bootstrapMedianCI(cold, { seed: 42, resamples: 50 })).not.toEqual(bootstrapMedianCI(cold, { seed: 43, resamples: 50 }));
  });

  it('uses 2000 resamples by default', () => {
    expect(DEFAULT_RESAMPLES).toBe(2000);
    const xs = Array.from({ length: 15 }, (_, i) => (i * 37) % 23);
    expect(bootstrapMedianCI(xs, { seed: 5 })).toEqual(bootstrapMedianCI(xs, { seed: 5, resamples: 2000 }));
  });

  it('contains the sample median and widens with the level', () => {
    for (const seed of [1, 2, 3, 42, 4294967295]) {
      const [lo, hi] = bootstrapMedianCI(cold, { seed });
      expect(lo).toBeLessThanOrEqual(40.65);
      expect(hi).toBeGreaterThanOrEqual(40.65);
      const [lo80, hi80] = bootstrapMedianCI(cold, { seed, level: 0.8 });
      expect(lo).toBeLessThanOrEqual(lo80);
      expect(hi).toBeGreaterThanOrEqual(hi80);
    }
  });

  it('gives [c, c] for a constant sample and for n = 1', () => {
    expect(bootstrapMedianCI([4.2, 4.2, 4.2, 4.2], { seed: 8 })).toEqual([4.2, 4.2]);
    expect(bootstrapMedianCI([13], { seed: 8 })).toEqual([13, 13]);
  });

  it('does not modify its input', () => {
    const xs = [5, 1, 4, 2, 3];
    bootstrapMedianCI(xs, { seed: 1 });
    expect(xs).toEqual([5, 1, 4, 2, 3]);
  });

  it('rejects bad input and options', () => {
    expect(() => bootstrapMedianCI([], { seed: 1 })).toThrow(/samples is empty/);
    expect(() => bootstrapMedianCI([1, Number.NaN], { seed: 1 })).toThrow(/samples\[1\] is NaN/);
    expect(() => bootstrapMedianCI([1], { seed: 2 ** 32 })).toThrow(/seed must be an integer/);
    expect(() => bootstrapMedianCI([1], { seed: 1, resamples: 10.5 })).toThrow(/resamples must be a positive integer/);
    expect(() => bootstrapMedianCI([1], { seed: 1, level: 1 })).toThrow(/level must be in \(0, 1\), got 1/);
    expect(() => bootstrapMedianCI([1], { seed: 1, level: 0 })).toThrow(/level must be in \(0, 1\)/);
  });
});

describe('bootstrapRatioCI', () => {
  it('gives exactly 2 with CI [2, 2] for [2,2,2] over [1,1,1]', () => {
    expect(bootstrapRatioCI([2, 2, 2], [1, 1, 1], { seed: 42 })).toEqual({ ratio: 2, ci95: [2, 2] });
  });

  it('uses the ratio of medians, not of means', () => {
    // median(num) = 12, median(den) = 5 → 2.4 (the means would give (10+12+50)/3 / 5 = 4.8)
    expect(bootstrapRatioCI([10, 12, 50], [4, 5, 6], { seed: 1 }).ratio).toBe(12 / 5);
  });

  it('pins docker-over-native for the sample (independent Python port)', () => {
    const r = bootstrapRatioCI(docker, cold, { seed: 42 });
    // median(docker) = (612.0 + 615.4)/2 = 613.7; median(cold) = 40.65 → 15.0971709717…
    expect(r.ratio).toBeCloseTo(613.7 / 40.65, 12);
    expect(r.ratio).toBeCloseTo(15.097170971709716, 12);
    expect(r.ci95[0]).toBeCloseTo(14.820638820638822, 12);
    expect(r.ci95[1]).toBeCloseTo(15.467741935483872, 12);
    const r90 = bootstrapRatioCI(docker, cold, { seed: 1, resamples: 1000, level: 0.9 });
    expect(r90.ci95[0]).toBeCloseTo(14.854254397417334, 12);
    expect(r90.ci95[1]).toBeCloseTo(15.41871921182266, 12);
  });

  it('is deterministic for a seed and contains the ratio', () => {
    const a = bootstrapRatioCI(cold, docker, { seed: 77 });
    expect(bootstrapRatioCI(cold, docker, { seed: 77 })).toEqual(a);
    expect(a.ci95[0]).toBeLessThanOrEqual(a.ratio);
    expect(a.ci95[1]).toBeGreaterThanOrEqual(a.ratio);
  });

  it('rejects empty arrays, non-finite values and non-positive denominators', () => {
    expect(() => bootstrapRatioCI([], [1], { seed: 1 })).toThrow(/num is empty/);
    expect(() => bootstrapRatioCI([1], [], { seed: 1 })).toThrow(/den is empty/);
    expect(() => bootstrapRatioCI([1], [Infinity], { seed: 1 })).toThrow(/den\[0\] is Infinity/);
    expect(() => bootstrapRatioCI([1], [1, 0], { seed: 1 })).toThrow('bootstrapRatioCI: den[1] is 0; denominator samples must be > 0');
  });
});
