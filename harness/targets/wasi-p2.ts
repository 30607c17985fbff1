/** Facts shared by the targets that run WASI 0.2 components (jco, wasmtime-embed, wasmtime). */

/**
 * The methodology caveat every WASI 0.2 component target lists. One constant, so
 * the report's dedupe of identical caveats shows it once however many of them ran.
 */
export const WASI_P2_EXIT_CAVEAT =
  'WASI 0.2 components (jco, wasmtime-embed, wasmtime) report exit codes only as ok/err: the stable wasi:cli/exit takes a result, so every non-zero exit arrives as 1; the reason is on stderr.';
