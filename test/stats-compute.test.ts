import { describe, expect, it } from 'vitest';
import { bootstrapMedianCI, computeStats } from '../harness/measure/stats.js';

// Hand-checked values. Percentiles are type-7 (linear interpolation between
// order statistics, h = (n−1)·p), the R/numpy default.
describe('computeStats', () => {
  it('summarises [1, 2, 3, 4, 100]', () => {
    const s = computeStats([1, 2, 3, 4, 100], { seed: 42 });
    expect(s.n).toBe(5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.median).toBe(3);
    expect(s.mean).toBe(22);
    // deviations −21, −20, −19, −18, 78 → Σd² = 441+400+361+324+6084 = 7610; /(n−1) = 1902.5
    expect(s.sd).toBe(Math.sqrt(1902.5));
    expect(s.sd).toBeCloseTo(43.617656975128774, 12);
    // p95: h = 4·0.95 = 3.8 → 4 + 0.8·(100 − 4) = 80.8 (80.79999999999998 in floating point)
    expect(s.p95).toBeCloseTo(80.8, 12);
    // p99: h = 3.96 → 4 + 0.96·96 = 96.16
    expect(s.p99).toBe(96.16);
    // |x − 3| = 2, 1, 0, 1, 97 → sorted 0, 1, 1, 2, 97 → MAD 1 (raw, unscaled)
    expect(s.mad).toBe(1);
    // Bootstrap medians of 5 values: 100 is the median of a resample ~5.8% of the time,
    // so the 97.5% point is 100; 1 likewise at the bottom.
    expect(s.ci95).toEqual([1, 100]);
  });

  it('does not depend on the input order and leaves the input alone', () => {
    const input = Object.freeze([100, 3, 1, 4, 2]);
    const s = computeStats(input, { seed: 42 });
    expect([s.min, s.median, s.max, s.mean, s.mad]).toEqual([1, 3, 100, 22, 1]);
    expect(input).toEqual([100, 3, 1, 4, 2]);
  });

  it('interpolates the median and percentiles for even n: [10, 20, 30, 40]', () => {
    const s = computeStats([40, 10, 30, 20], { seed: 1 });
    expect(s.median).toBe(25);
    expect(s.mean).toBe(25);
    // Σd² = 225+25+25+225 = 500; /3 → sd = √(500/3)
    expect(s.sd).toBeCloseTo(Math.sqrt(500 / 3), 12);
    expect(s.sd).toBeCloseTo(12.909944487358056, 12);
    // p95: h = 3·0.95 = 2.85 → 30 + 0.85·10 = 38.5; p99: h = 2.97 → 39.7
    expect(s.p95).toBe(38.5);
    expect(s.p99).toBeCloseTo(39.7, 12);
    // |x − 25| = 15, 5, 5, 15 → MAD = (5 + 15)/2 = 10
    expect(s.mad).toBe(10);
  });

  it('handles n = 1: sd 0, MAD 0, ci95 [x, x]', () => {
    expect(computeStats([7.5], { seed: 3 })).toEqual({
      n: 1, min: 7.5, max: 7.5, median: 7.5, mean: 7.5, sd: 0, p95: 7.5, p99: 7.5, mad: 0, ci95: [7.5, 7.5],
    });
  });

  it('summarises a realistic cold-start sample (20 runs, ms)', () => {
    const cold = [41.2, 39.8, 40.5, 43.1, 40.0, 39.5, 41.8, 40.9, 42.3, 39.9, 40.4, 41.1, 40.7, 44.6, 40.2, 39.7, 41.5, 40.8, 40.1, 40.6];
    const s = computeStats(cold, { seed: 42 });
    expect(s.n).toBe(20);
    expect([s.min, s.max]).toEqual([39.5, 44.6]);
    expect(s.median).toBeCloseTo(40.65, 12); // (40.6 + 40.7)/2
    expect(s.mean).toBeCloseTo(40.935, 12); // 818.7 / 20
    expect(s.sd).toBeCloseTo(1.2537417680896779, 12);
    expect(s.p95).toBeCloseTo(43.175, 12); // h = 18.05 → 43.1 + 0.05·1.5
    expect(s.p99).toBeCloseTo(44.315, 12); // h = 18.81 → 43.1 + 0.81·1.5
    expect(s.mad).toBeCloseTo(0.6, 12);
    // From an independent Python port of the bootstrap (Mulberry32, 2000 resamples).
    expect(s.ci95[0]).toBeCloseTo(40.15, 12);
    expect(s.ci95[1]).toBeCloseTo(41.15, 12);
    expect(s.ci95[0]).toBeLessThanOrEqual(s.median);
    expect(s.ci95[1]).toBeGreaterThanOrEqual(s.median);
  });

  it('uses bootstrapMedianCI with the seed and 2000 resamples by default', () => {
    const xs = [3, 9, 4, 8, 5, 7, 6, 12, 2, 10, 11];
    expect(computeStats(xs, { seed: 11 }).ci95).toEqual(bootstrapMedianCI(xs, { seed: 11, resamples: 2000, level: 0.95 }));
    expect(computeStats(xs, { seed: 11, resamples: 25 }).ci95).toEqual(bootstrapMedianCI(xs, { seed: 11, resamples: 25 }));
  });

  it('throws a clear error for an empty array or non-finite values', () => {
    expect(() => computeStats([], { seed: 1 })).toThrow('computeStats: samples is empty; at least one sample is needed');
    expect(() => computeStats([1, Number.NaN], { seed: 1 })).toThrow('computeStats: samples[1] is NaN; every sample must be a finite number');
    expect(() => computeStats([Infinity], { seed: 1 })).toThrow(/samples\[0\] is Infinity/);
    expect(() => computeStats([1, -Infinity], { seed: 1 })).toThrow(/samples\[1\] is -Infinity/);
  });

  it('rejects a seed that is not a uint32 and invalid resamples', () => {
    expect(() => computeStats([1, 2], { seed: -1 })).toThrow(/seed must be an integer in \[0, 4294967295\]/);
    expect(() => computeStats([1, 2], { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => computeStats([1, 2], { seed: 1, resamples: 0 })).toThrow(/resamples must be a positive integer, got 0/);
  });
});
