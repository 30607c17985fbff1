import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';
import type { Invocation } from '../model.js';
import type { Parked, ParkRequest } from '../targets/types.js';
import { withDescendants } from './proc.js';

/** How a parked process ended: its exit code or signal, or the error it failed to start with. */
export type ParkExit = { how: number | string; startError: null } | { how: null; startError: Error };

/**
 * A process started for the density step's park. Not timed (the step measures its memory),
 * so it goes through execa rather than the spawner: unbuffered (the harness reads its
 * stdout as it comes), never rejecting, in exactly the environment given.
 */
export interface ParkedProcess {
  readonly pid: number | undefined;
  /** Date.now() just before it was started: readyLines() counts its time limit from here. */
  readonly startedAt: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves (never rejects) once it has exited, or failed to start, and its stdio has closed. */
  readonly exited: Promise<ParkExit>;
  /** It has not exited yet. */
  running(): boolean;
  /** SIGKILLs it, if it is still running. */
  kill(): void;
}

/** Starts `file args` for a park: `env` is its whole environment, stdout and stderr are pipes, stdin is `stdin`. */
export function startParked(file: string, args: readonly string[], env: Record<string, string>, stdin: 'ignore' | 'pipe' = 'ignore'): ParkedProcess {
  const startedAt = Date.now();
  const sub = execa(file, args, { env, extendEnv: false, stdin, stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false });
  let ended = false;
  const exited: Promise<ParkExit> = sub.then(
    (r): ParkExit => {
      const how = r.exitCode ?? r.signal;
      if (how !== undefined) return { how, startError: null };
      return { how: null, startError: r.cause instanceof Error ? r.cause : new Error(r.shortMessage ?? r.message) };
    },
    (e: unknown): ParkExit => ({ how: null, startError: e instanceof Error ? e : new Error(String(e)) }),
  ).finally(() => {
    ended = true;
  });
  const running = () => !ended && sub.exitCode === null && sub.signalCode === null;
  return {
    pid: sub.pid,
    startedAt,
    stdin: sub.stdin,
    stdout: sub.stdout,
    stderr: sub.stderr,
    exited,
    running,
    kill: () => {
      if (running()) sub.kill('SIGKILL');
    },
  };
}

/** What readyLines() rejects with: `got` is how many lines were out, `stderr` the process's stderr so far, trimmed. */
export interface NotReadyTexts {
  timeout(got: number, stderr: string): string;
  exited(how: number | string, got: number, stderr: string, stdout: string): string;
}

/**
 * Resolves with a process's first `n` stdout lines (each with its newline); rejects when it
 * exits, fails to start (with that error) or times out first, with the texts given. The time
 * limit counts from the process's start, and output that comes after it is a timeout too:
 * execa's own setup after the spawn takes milliseconds, in which the lines may already be
 * out, so a timer alone would let a short limit pass.
 */
export function readyLines(c: ParkedProcess, n: number, timeoutMs: number, texts: NotReadyTexts): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let done = false;
    const lines = (): string[] => out.split('\n').slice(0, -1).map((l) => `${l}\n`);
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
    };
    const deadline = c.startedAt + timeoutMs;
    const timedOut = () => finish(() => reject(new Error(texts.timeout(lines().length, err.trim()))));
    const timer = setTimeout(timedOut, Math.max(0, deadline - Date.now()));
    c.stdout.on('data', (b: Buffer | string) => {
      if (Date.now() >= deadline) return timedOut();
      out += b.toString();
      const got = lines();
      if (got.length >= n) finish(() => resolve(got.slice(0, n)));
    });
    c.stderr.on('data', (b: Buffer | string) => {
      if (err.length < 8192) err += b.toString();
    });
    void c.exited.then((x) => finish(() => reject(x.startError ?? new Error(texts.exited(x.how!, lines().length, err.trim(), out)))));
  });
}

/** `: <stderr's first max characters>`, or nothing when it is empty. */
export const stderrTail = (stderr: string, max: number): string => (stderr ? `: ${stderr.slice(0, max)}` : '');

/** Resolves with a process's first stdout line (and its newline); rejects when it exits, fails to start or times out first. */
export async function firstLine(c: ParkedProcess, timeoutMs: number): Promise<string> {
  const [line] = await readyLines(c, 1, timeoutMs, {
    timeout: (_got, stderr) => `not ready after ${timeoutMs} ms${stderrTail(stderr, 200)}`,
    exited: (how, _got, stderr, stdout) => `exited ${how} before it was ready${stderrTail(stderr, 200)}${stdout ? ` (stdout ${JSON.stringify(stdout.slice(0, 120))})` : ''}`,
  });
  return line!;
}

/**
 * Parks `req.instances` processes at once: each is `invocation(i)` started directly
 * (no spawner: nothing of the harness's sits in the figure), and is ready when it
 * has printed its first stdout line (the park mode's ready line). The figure covers
 * each process and its descendants. On a start that fails or times out, everything
 * started is killed before the error is thrown. release() kills every process with
 * SIGKILL and waits until each has been reaped.
 */
export async function parkProcesses(invocation: (index: number) => Invocation & { kind: 'process' }, req: ParkRequest, covers: string): Promise<Parked> {
  const children: ParkedProcess[] = [];
  const release = async () => {
    await Promise.all(
      children.map(async (c) => {
        c.kill();
        await c.exited;
      }),
    );
  };
  const t0 = Date.now();
  try {
    const ready = await Promise.all(
      Array.from({ length: req.instances }, (_, i) => {
        const inv = invocation(i);
        const [cmd, ...args] = inv.argv;
        const c = startParked(cmd!, args, inv.env);
        children.push(c);
        return firstLine(c, Math.max(1, req.timeoutMs - (Date.now() - t0)));
      }),
    );
    return {
      ready,
      covers,
      pids: () => withDescendants(children.flatMap((c) => (c.pid !== undefined && c.running() ? [c.pid] : []))),
      release,
    };
  } catch (e) {
    await release();
    throw e;
  }
}

/**
 * Parks `req.instances` instances in ONE host process started with `--park N` (its argv
 * is `inv`): ready when N stdout lines are out (ready[i] is line i with its newline).
 * Started directly, not through the spawner, so nothing of the harness's sits in the
 * figure, which covers the process and its descendants. On a timeout, an early exit or
 * a failed start the host is killed, reaped, and the error thrown (`texts` words it).
 * release() kills it (SIGKILL) and waits until it has been reaped.
 */
export async function parkInOneProcess(inv: Invocation & { kind: 'process' }, req: ParkRequest, covers: string, texts: NotReadyTexts, stdin: 'ignore' | 'pipe' = 'ignore'): Promise<Parked> {
  const [cmd, ...args] = inv.argv;
  const c = startParked(cmd!, args, inv.env, stdin);
  c.stdin?.on('error', () => {}); // EPIPE once the host is gone
  const release = async (): Promise<void> => {
    c.kill();
    await c.exited;
  };
  try {
    const ready = await readyLines(c, req.instances, req.timeoutMs, texts);
    return {
      ready,
      covers,
      pids: async () => (c.pid === undefined || !c.running() ? [] : withDescendants([c.pid])),
      release,
    };
  } catch (e) {
    await release();
    throw e;
  }
}
