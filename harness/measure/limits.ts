/**
 * The limits the capability matrix asks of every runtime that has them. A leaf:
 * targets declare their capability rows with these at load time.
 */
export const MEM_LIMIT_BYTES = 256 * 2 ** 20;
/** Enough fuel for every non-spinning probe; about a second of spinning in the JIT here. */
export const FUEL = 3_000_000_000;
/** The CPU-time limit (RLIMIT_CPU, seconds) the hardened container rows ask: the only container-side limit that ends a spinning process. */
export const CPU_LIMIT_SECONDS = 2;
/**
 * How long a bomb may run after the row's start-up before the harness kills it and calls it
 * uncontained: 2.5× the CPU-time limit, so a limit that ends the spinner after 2 s of CPU
 * (about 2.2 s of wall time here) is seen even on a machine that is not quiet.
 */
export const BOMB_BOUND_MS = 2.5 * CPU_LIMIT_SECONDS * 1000;
