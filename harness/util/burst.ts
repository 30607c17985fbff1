import type { Invocation } from '../model.js';
import { currentSpawner, spawnerBurst } from './spawn.js';
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
 * K processes of `invocation` launched at once. With the spawner set (util/spawn.ts
 * useSpawner, the bench's way), wvc-spawn --burst spawns them back to back and times
 * each from the burst's start to its own reap on CLOCK_MONOTONIC (`clock: 'runtime'`);
 * the spawner is killed after `req.timeoutMs`, and a child it had to kill (or never
 * started) is a timed-out answer. Without the spawner this is K concurrent `run`
 * calls on the harness's clock ({@link concurrentBurst}).
 */
export async function processBurst(invocation: Invocation & { kind: 'process' }, req: BurstRequest, run: (req: RunRequest) => Promise<RunResult>): Promise<BurstRun> {
  const spawner = currentSpawner();
  if (spawner === null) return concurrentBurst(run, req, `${req.concurrency} processes spawned at once by Node (no spawner)`);
  const [cmd, ...args] = invocation.argv;
  const r = await spawnerBurst(spawner, cmd!, args, req.concurrency, { env: invocation.env, timeoutMs: req.timeoutMs });
  if (!r.timedOut && r.children.length === 0) throw new Error(`wvc-spawn --burst failed (exit ${r.exitCode}): ${r.stderr.trim().slice(0, 300)}`);
  const answers = Array.from({ length: req.concurrency }, (_, i): BurstAnswer => {
    const c = r.children.find((x) => x.i === i);
    if (!c) return { latencyMs: null, stdout: '', stderr: 'no report: the spawner was killed before it reported this request', exitCode: null, timedOut: true };
    const notStarted = c.exit === 127 && /^wvc-spawn: not started/.test(c.stderr);
    const killed = r.timedOut && (c.signal === 9 || notStarted);
    if (killed) return { latencyMs: null, stdout: c.stdout, stderr: c.stderr, exitCode: null, signal: c.signal ? `signal ${c.signal}` : null, timedOut: true };
    return { latencyMs: c.end_ms, stdout: c.stdout, stderr: c.stderr, exitCode: c.signal ? null : c.exit, signal: c.signal ? `signal ${c.signal}` : null };
  });
  return {
    mode: `${req.concurrency} processes spawned back to back by wvc-spawn (posix_spawnp), each timed to its reap`,
    clock: 'runtime',
    answers,
    wallMs: r.wallMs ?? req.timeoutMs,
  };
}
