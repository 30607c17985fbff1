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

/** For targets without a filesystem namespace: rewrites a guest `--target-path=/rules...` to the host grant directory. */
export function mapProbeArgs(args: readonly string[], hostGrantDir: string): string[] {
  return args.map((a) => {
    if (!a.startsWith('--target-path=')) return a;
    const p = a.slice('--target-path='.length);
    return p === '/rules' || p.startsWith('/rules/') ? `--target-path=${hostGrantDir}${p.slice('/rules'.length)}` : a;
  });
}
