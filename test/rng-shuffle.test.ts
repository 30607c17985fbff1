import { describe, expect, it } from 'vitest';
import { createRng, randomSeed, shuffle } from '../harness/util/rng.js';

// Expected values come from an independent Python port of Mulberry32
// (integer arithmetic masked to 32 bits), not from this implementation.
describe('createRng (Mulberry32)', () => {
  it('pins the first outputs for seed 42', () => {
    const rng = createRng(42);
    expect([rng(), rng(), rng(), rng(), rng()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423,
    ]);
  });

  it('pins the edges of the seed range', () => {
    const zero = createRng(0);
    expect([zero(), zero()]).toEqual([0.26642920868471265, 0.0003297457005828619]);
    const max = createRng(0xffff_ffff);
    expect([max(), max()]).toEqual([0.8964226141106337, 0.189478256739676]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = createRng(123), b = createRng(123), c = createRng(124);
    const xa = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(xa);
    expect(Array.from({ length: 100 }, c)).not.toEqual(xa);
  });

  it('yields numbers in [0, 1) that are multiples of 2^-32', () => {
    const rng = createRng(9);
    for (let i = 0; i < 10_000; i++) {
      const x = rng();
      expect(x >= 0 && x < 1).toBe(true);
      expect(Number.isInteger(x * 2 ** 32)).toBe(true);
    }
  });

  it('rejects seeds that are not uint32', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, Infinity]) {
      expect(() => createRng(bad)).toThrow(/seed must be an integer in \[0, 4294967295\]/);
    }
  });
});

describe('shuffle (Fisher–Yates)', () => {
  it('pins the order for seed 42', () => {
    expect(shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], createRng(42))).toEqual([1, 8, 4, 6, 3, 2, 9, 10, 5, 7]);
    expect(shuffle(['a', 'b', 'c', 'd', 'e'], createRng(42))).toEqual(['a', 'e', 'c', 'b', 'd']);
    expect(shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], createRng(7))).toEqual([7, 6, 9, 2, 3, 4, 5, 8, 10, 1]);
  });

  it('returns a new array that is a permutation, leaving the input alone', () => {
    const input = Object.freeze(Array.from({ length: 50 }, (_, i) => i));
    const out = shuffle(input, createRng(1));
    expect(out).not.toBe(input);
    expect([...out].sort((x, y) => x - y)).toEqual([...input]);
    expect(input[0]).toBe(0);
  });

  it('is deterministic per seed', () => {
    const items = Array.from({ length: 30 }, (_, i) => i);
    expect(shuffle(items, createRng(5))).toEqual(shuffle(items, createRng(5)));
  });

  it('handles empty and single-item arrays without drawing', () => {
    let calls = 0;
    const rng = () => { calls++; return 0.5; };
    expect(shuffle([], rng)).toEqual([]);
    expect(shuffle(['x'], rng)).toEqual(['x']);
    expect(calls).toBe(0);
  });

  it('reaches all 6 orders of 3 items about equally often', () => {
    const rng = createRng(2024);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = shuffle([1, 2, 3], rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(c).toBeGreaterThan(850); // expected 1000, sd ≈ 29
  });
});

describe('randomSeed', () => {
  it('returns a uint32 accepted by createRng', () => {
    for (let i = 0; i < 20; i++) {
      const s = randomSeed();
      expect(Number.isInteger(s) && s >= 0 && s <= 0xffff_ffff).toBe(true);
      expect(() => createRng(s)).not.toThrow();
    }
  });
});
