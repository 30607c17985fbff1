/** Helpers shared by the targets' variants (their `probe()` closures, for the capability probes of harness/measure/capabilities.ts, and the Node targets' footprint). */
import type { ProbeLimits, RuntimeFiles } from './types.js';

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
export function nodeHeapFlags(limits: Pick<ProbeLimits, 'memoryBytes'> | undefined): string[] {
  return limits?.memoryBytes ? [`--max-old-space-size=${Math.max(1, Math.floor(limits.memoryBytes / 2 ** 20))}`] : [];
}

/**
 * The runtime files of every target that runs on the harness's Node (node, node-wasi,
 * jco): one group of the same name, which the footprint merges into one.
 */
export function nodeRuntimeFiles(): RuntimeFiles {
  return { name: 'node', files: [{ label: 'node', candidates: [process.execPath] }] };
}
