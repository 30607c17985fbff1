import type { Invocation } from '../model.js';
import type { BurstAnswer, BurstRequest, BurstRun, RunRequest, RunResult } from '../targets/types.js';

/**
 * A burst served by calling `run` K times at once (a container engine's API, say),
 * timed on the harness's clock from the first call to each answer. For process
 * targets use {@link processBurst}, which the spawner times.
 */
export async function concurrentBurst(run: (req: RunRequest) => Promise<RunResult>, req: BurstRequest, mode: string): Promise<BurstRun> {
  const t0 = performance.now();
  const answers = await Promise.all(
    Array.from({ length: req.concurrency }, async (): Promise<BurstAnswer> => {
      try {
        const r = await run({ args: req.args, timeoutMs: req.timeoutMs });
        const latencyMs = r.timedOut ? null : performance.now() - t0;
        return { latencyMs, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, signal: r.signal ?? null, ...(r.timedOut ? { timedOut: true } : {}) };
      } catch (e) {
        return { latencyMs: null, stdout: '', stderr: `harness error: ${e instanceof Error ? e.message : String(e)}`, exitCode: null };
      }
    }),
  );
  return { mode, clock: 'harness', answers, wallMs: performance.now() - t0 };
}

/**
 * K processes of `invocation` launched at once. Until the spawner's burst mode
 * (harness/hosts/spawner/spawn.c) serves it, this is K concurrent spawns on the harness's clock.
 */
export async function processBurst(invocation: Invocation & { kind: 'process' }, req: BurstRequest, run: (req: RunRequest) => Promise<RunResult>): Promise<BurstRun> {
  void invocation;
  return concurrentBurst(run, req, `${req.concurrency} processes spawned at once`);
}
