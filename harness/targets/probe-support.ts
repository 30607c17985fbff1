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
