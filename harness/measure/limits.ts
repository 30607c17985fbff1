/**
 * The limits the capability matrix asks of every runtime that has them. A leaf:
 * targets declare their capability rows with these at load time.
 */
export const MEM_LIMIT_BYTES = 256 * 2 ** 20;
/** Enough fuel for every non-spinning probe; about a second of spinning in the JIT here. */
export const FUEL = 3_000_000_000;
/** Generous for a 2-core machine that other jobs share: a bomb that ends on its own does so in about 2 s. */
export const BOMB_BOUND_MS = 8_000;
