import { spawn } from 'node:child_process';
import type { RunResult } from '../targets/types.js';

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Extra pipes beyond stdio, e.g. fd 3 as a side channel for phase timings. */
  sideChannel?: boolean;
}

export interface SpawnResult extends RunResult {
  /** Whatever the child wrote to fd 3 when `sideChannel` is set. */
  side?: string;
}

/**
 * Spawns a command without a shell and times it from spawn to exit with the
 * monotonic clock. Resolves for any exit status; rejects only when the
 * command cannot be started (ENOENT, EACCES).
 */
export function run(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<SpawnResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe'];
    if (opts.sideChannel) stdio.push('pipe');
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: opts.env ?? {}, cwd: opts.cwd, stdio });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const side: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (opts.sideChannel) (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => side.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close' (not 'exit') so that all output has been read.
    child.on('close', (code, signal) => {
      const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
        signal,
        durationMs,
        timedOut,
        side: opts.sideChannel ? Buffer.concat(side).toString('utf8') : undefined,
      });
    });
  });
}
