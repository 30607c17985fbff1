import { describe, expect, it } from 'vitest';
import { detectOutliers, modifiedZScores, statWarnings } from '../harness/measure/stats.js';

describe('modifiedZScores (Iglewicz & Hoaglin)', () => {
  it('scores [1, 2, 3, 4, 100]: median 3, MAD 1, M = 0.6745·(x − 3)', () => {
    const z = modifiedZScores([1, 2, 3, 4, 100]);
    [-1.349, -0.6745, 0, 0.6745, 65.4265].forEach((v, i) => expect(z[i]).toBeCloseTo(v, 12));
  });

  it('uses the type-7 median and raw MAD for even n', () => {
    // median 5.5; |x − 5.5| sorted 0.5,0.5,1.5,1.5,2.5,2.5,3.5,3.5,4.5,994.5 → MAD 2.5
    const z = modifiedZScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000]);
    expect(z[9]).toBeCloseTo(0.6745 * 994.5 / 2.5, 12); // 268.3161
    expect(z[9]).toBeCloseTo(268.3161, 10);
    expect(z[0]).toBeCloseTo(-0.6745 * 4.5 / 2.5, 12);
  });

  it('falls back to 1.253314·MeanAD when MAD is 0', () => {
    // median 5, MAD 0; MeanAD = 4/7 → M(9) = 4 / (1.253314·4/7) = 7 / 1.253314 ≈ 5.58519
    const z = modifiedZScores([5, 5, 5, 9, 5, 5, 5]);
    expect(z[3]).toBeCloseTo(7 / 1.253314, 12);
    expect(z[3]).toBeCloseTo(5.5851925375444615, 12);
    expect(z.filter((_, i) => i !== 3)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('gives all zeros for a constant sample and [] for an empty one', () => {
    expect(modifiedZScores([3, 3, 3])).toEqual([0, 0, 0]);
    expect(modifiedZScores([])).toEqual([]);
    expect(() => modifiedZScores([1, Number.NaN])).toThrow(/samples\[1\] is NaN/);
  });
});

describe('detectOutliers', () => {
  it('flags 100 in [1, 2, 3, 4, 100]', () => {
    expect(detectOutliers([1, 2, 3, 4, 100])).toEqual({ count: 1, indices: [4], fraction: 0.2 });
  });

  it('honours a custom threshold, in absolute value', () => {
    // |M| = 1.349, 0.6745, 0, 0.6745, 65.4265
    expect(detectOutliers([1, 2, 3, 4, 100], 1).indices).toEqual([0, 4]);
    expect(detectOutliers([1, 2, 3, 4, 100], 100).count).toBe(0);
    expect(() => detectOutliers([1], 0)).toThrow(/threshold must be a positive number/);
  });

  it('flags the lone distinct value when MAD is 0', () => {
    expect(detectOutliers([5, 5, 5, 9, 5, 5, 5])).toEqual({ count: 1, indices: [3], fraction: 1 / 7 });
  });

  it('finds nothing in constant, tiny or empty samples', () => {
    expect(detectOutliers([2, 2, 2, 2])).toEqual({ count: 0, indices: [], fraction: 0 });
    expect(detectOutliers([1, 1000])).toEqual({ count: 0, indices: [], fraction: 0 }); // |M| = 0.6745 each
    expect(detectOutliers([])).toEqual({ count: 0, indices: [], fraction: 0 });
  });
});

describe('statWarnings', () => {
  const clean = [41.2, 39.8, 40.5, 43.1, 40.0, 39.5, 41.8, 40.9, 42.3, 39.9, 40.4, 41.1, 40.7, 44.6, 40.2, 39.7, 41.5, 40.8, 40.1, 40.6];
  const oneLine = (w: { message: string; advice: string }) => !/\n/.test(w.message) && !/\n/.test(w.advice);

  it('gives no warnings for a clean sample', () => {
    expect(statWarnings([10, 11, 10, 12, 11, 10, 11, 12, 10, 11])).toEqual([]);
    // 44.6 is an outlier (|M| ≈ 4.44) but 1 in 20 is 5%, not more than 5%
    expect(detectOutliers(clean).indices).toEqual([13]);
    expect(statWarnings(clean)).toEqual([]);
    expect(statWarnings(clean, { failures: 0 })).toEqual([]);
  });

  it('warns about a first run that is an outlier, separately from the outlier share', () => {
    // median 11, MAD 1 → M(50) = 0.6745·39 = 26.3; 1 outlier in 20 = 5% → no `outliers` warning
    const samples = [50, 10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 11, 12, 10, 11, 10, 11, 12, 11];
    const w = statWarnings(samples);
    expect(w.map((x) => x.kind)).toEqual(['first-run-outlier']);
    expect(w[0].message).toBe('The first measured run was much slower than the rest (50 ms vs a median of 11 ms).');
    expect(w[0].advice).toMatch(/cache effect.*raise --warmup/);
  });

  it('warns when more than 5% of samples are outliers', () => {
    const samples = [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 11, 12, 10, 11, 10, 11, 12, 30, 31];
    const w = statWarnings(samples);
    expect(w.map((x) => x.kind)).toEqual(['outliers']);
    expect(w[0].message).toBe('Statistical outliers were detected: 2 of 20 samples (10.0%) have a modified z-score above 3.5.');
    expect(w[0].advice).toMatch(/more --runs.*quieter machine.*more --warmup/);
  });

  it('gives both outlier warnings when the first run is one of many outliers', () => {
    // n = 4: median 2.5, MAD 1 → M(100) = 0.6745·97.5 ≈ 65.8; 1 of 4 = 25%
    expect(statWarnings([100, 3, 2, 1]).map((x) => x.kind)).toEqual(['few-samples', 'outliers', 'first-run-outlier']);
    expect(statWarnings([100, 4, 3, 2, 1]).map((x) => x.kind)).toEqual(['outliers', 'first-run-outlier']);
  });

  it('warns about fewer than 5 samples', () => {
    const w = statWarnings([10, 11, 12, 11]);
    expect(w.map((x) => x.kind)).toEqual(['few-samples']);
    expect(w[0].message).toBe('Only 4 samples were measured; fewer than 5 make the median and its confidence interval unreliable.');
    expect(w[0].advice).toBe('Use more --runs (at least 5).');
    expect(statWarnings([10, 11, 12, 11, 10]).map((x) => x.kind)).toEqual([]);
    expect(statWarnings([7])[0].message).toMatch(/^Only 1 sample was measured;/);
  });

  it('warns about failed runs', () => {
    const w = statWarnings([10, 11, 10, 12, 11, 10, 11, 12], { failures: 2 });
    expect(w.map((x) => x.kind)).toEqual(['failed-samples']);
    expect(w[0].message).toBe('2 runs of 10 failed and are left out of these statistics.');
    expect(statWarnings([], { failures: 3 }).map((x) => x.kind)).toEqual(['failed-samples', 'few-samples']);
    expect(() => statWarnings([1], { failures: -1 })).toThrow(/failures must be a non-negative integer/);
  });

  it('writes every message and advice on one line', () => {
    const all = [
      ...statWarnings([50, 10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 11, 12, 10, 11, 10, 11, 12, 11]),
      ...statWarnings([100, 3, 2, 1], { failures: 1 }),
    ];
    expect(new Set(all.map((w) => w.kind))).toEqual(new Set(['first-run-outlier', 'outliers', 'few-samples', 'failed-samples']));
    expect(all.every(oneLine)).toBe(true);
  });
});
