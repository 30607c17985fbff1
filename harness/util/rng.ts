/**
 * Seeded pseudo-random numbers for the benchmark: bootstrap resampling and the
 * order in which targets are run. Same seed ⇒ same sequence, on every platform
 * and Node version, because the generator uses only 32-bit integer arithmetic
 * (`Math.imul`, shifts, xor) and one exact division by 2^32.
 *
 * Algorithm: Mulberry32 (Tommy Ettinger, 2017; public domain), a 32-bit-state
 * generator with period 2^32. It is not cryptographic; it is fast and good
 * enough for resampling and shuffling. One step, on uint32 state `s`:
 *
 *   s = (s + 0x6D2B79F5) mod 2^32
 *   t = imul(s ^ (s >>> 15), s | 1)
 *   t = (t + imul(t ^ (t >>> 7), t | 61)) ^ t
 *   out = ((t ^ (t >>> 14)) >>> 0) / 2^32        // uniform in [0, 1)
 */
import { randomBytes } from 'node:crypto';

/** A source of uniform numbers in [0, 1), e.g. from {@link createRng}. */
export type Rng = () => number;

const UINT32_MAX = 0xffff_ffff;

/** Throws unless `seed` is an integer in [0, 2^32 − 1]. */
export function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > UINT32_MAX) {
    throw new Error(`seed must be an integer in [0, ${UINT32_MAX}] (a uint32), got ${seed}`);
  }
}

/**
 * Creates a Mulberry32 generator seeded with `seed` (a uint32). Each call of the
 * returned function yields the next number, uniform in [0, 1), a multiple of 2^−32.
 * @throws Error if `seed` is not an integer in [0, 2^32 − 1].
 */
export function createRng(seed: number): Rng {
  assertSeed(seed);
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Returns a new array with the items of `items` in a random order (Fisher–Yates:
 * for i from n−1 down to 1, swap item i with item j = ⌊rng()·(i+1)⌋). Does not
 * modify `items`. With a seeded `rng` the order is deterministic.
 */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/** A fresh uint32 seed from the OS CSPRNG (node:crypto), for runs without --seed. */
export function randomSeed(): number {
  return randomBytes(4).readUInt32BE(0);
}
