/** Helpers shared by the targets' `probe()` methods (capability probes, harness/measure/capabilities.ts). */

/**
 * The environment a probed runtime process gets: the harness's own, as a deployed
 * runtime would inherit it (the harness plants WVC_SECRET there), minus NODE_OPTIONS,
 * which would change how the Node hosts themselves start.
 */
export function probeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Node's only memory flag for a probe's memory limit: --max-old-space-size bounds the
 * JS heap, not ArrayBuffers or wasm linear memory (the capability matrix measures what it does).
 */
export function nodeHeapFlags(limits: { memoryBytes?: number } | undefined): string[] {
  return limits?.memoryBytes ? [`--max-old-space-size=${Math.max(1, Math.floor(limits.memoryBytes / 2 ** 20))}`] : [];
}
