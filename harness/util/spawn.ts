import { spawn } from 'node:child_process';
import type { RunResult } from '../targets/types.js';

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Open fd 3 as a side channel for phase timings written by the child. */
  sideChannel?: boolean;
}

export interface SpawnResult extends RunResult {
  /** Whatever the child wrote to fd 3 when `sideChannel` is set. */
  side?: string;
}

let spawner: string | null = null;

/**
 * Routes every spawn through the wvc-spawn helper (harness/hosts/spawner/spawn.c),
 * which reports the child's peak RSS from wait4. null turns it off. The bench
 * sets it once, so the calibration no-op and every target pay the same spawner cost.
 */
export function useSpawner(path: string | null): void {
  spawner = path;
}

/** The spawner set by {@link useSpawner}, or null when spawns go through Node directly. */
export function currentSpawner(): string | null {
  return spawner;
}

const REPORT_FD = 4;
/** The spawner's burst mode serves at most this many children (BURST_MAX in spawn.c). */
export const SPAWNER_BURST_MAX = 64;

/** One child of a spawner burst, as wvc-spawn --burst reports it (launch order). */
export interface SpawnerBurstChild {
  i: number;
  /** The spawner's t0 (before the first launch) to this child's reap, on CLOCK_MONOTONIC. */
  end_ms: number;
  /** -1 when killed by a signal; 127 when it could not be started (the reason is in stderr). */
  exit: number;
  signal: number;
  stdout: string;
  stderr: string;
}

export interface SpawnerBurstResult {
  /** One per child in launch order; shorter than K only when the spawner itself died before reporting. */
  children: SpawnerBurstChild[];
  /** The spawner's t0 to its last reap; null without a report. */
  wallMs: number | null;
  /** The harness killed the burst at its time limit. */
  timedOut: boolean;
  /** The spawner's own stderr (usage errors). */
  stderr: string;
  exitCode: number | null;
}

/**
 * `wvc-spawn REPORT_FD --burst K cmd args...`: K children of the same command spawned
 * back to back by the spawner, each timed from the burst's start to its own reap.
 * After `timeoutMs` the spawner gets SIGTERM (it kills every child with SIGKILL, reaps
 * and reports them), and SIGKILL 2 s later if it has not exited.
 */
export function spawnerBurst(spawnerPath: string, cmd: string, args: readonly string[], k: number, opts: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<SpawnerBurstResult> {
  if (!Number.isInteger(k) || k < 1 || k > SPAWNER_BURST_MAX) return Promise.reject(new Error(`spawner burst: K must be 1 to ${SPAWNER_BURST_MAX}, not ${k}`));
  return new Promise((resolve, reject) => {
    const child = spawn(spawnerPath, [String(REPORT_FD), '--burst', String(k), cmd, ...args], { env: opts.env ?? {}, stdio: ['ignore', 'ignore', 'pipe', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    const rep: Buffer[] = [];
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    (child.stdio[REPORT_FD] as NodeJS.ReadableStream | null)?.on('data', (b: Buffer) => rep.push(b));
    let timedOut = false;
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      hardKill = setTimeout(() => child.kill('SIGKILL'), 2_000);
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      const children: SpawnerBurstChild[] = [];
      let wallMs: number | null = null;
      for (const line of Buffer.concat(rep).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        let rec: Partial<SpawnerBurstChild> & { wall_ms?: number };
        try {
          rec = JSON.parse(line) as typeof rec;
        } catch {
          continue; // a line cut short by a hard kill
        }
        if (typeof rec.wall_ms === 'number') wallMs = rec.wall_ms;
        else if (typeof rec.i === 'number') children.push(rec as SpawnerBurstChild);
      }
      resolve({ children, wallMs, timedOut, stderr: Buffer.concat(err).toString('utf8'), exitCode: code });
    });
  });
}

/**
 * Spawns a command without a shell. Through the spawner (the bench's way), the
 * result's `durationMs` is the spawner's spawn-to-reap on CLOCK_MONOTONIC — the
 * runtime's own cost, as hyperfine measures it — and `outerMs` Node's spawn to
 * 'close', which adds Node's own spawn path (3 to 15 ms here, growing with the
 * harness process's size and the machine's load). Without the spawner both are
 * Node's figure. Resolves for any exit status; rejects only when the command
 * cannot be started (ENOENT, EACCES).
 */
export function run(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<SpawnResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const viaSpawner = spawner !== null;
  return new Promise((resolve, reject) => {
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe', opts.sideChannel ? 'pipe' : 'ignore'];
    if (viaSpawner) stdio.push('pipe');
    const file = viaSpawner ? spawner! : cmd;
    const argv = viaSpawner ? [String(REPORT_FD), cmd, ...args] : [...args];
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { env: opts.env ?? {}, cwd: opts.cwd, stdio });
    const collect = (fd: number) => {
      const chunks: Buffer[] = [];
      (child.stdio[fd] as NodeJS.ReadableStream | null)?.on('data', (b: Buffer) => chunks.push(b));
      return () => Buffer.concat(chunks).toString('utf8');
    };
    const out = collect(1);
    const err = collect(2);
    const side = collect(3);
    const report = collect(REPORT_FD);
    let timedOut = false;
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      // The spawner turns SIGTERM into SIGKILL for its child; escalate if it does not exit.
      child.kill(viaSpawner ? 'SIGTERM' : 'SIGKILL');
      hardKill = setTimeout(() => child.kill('SIGKILL'), 2_000);
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close' (not 'exit') so that all output has been read.
    child.on('close', (code, signal) => {
      const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      clearTimeout(hardKill);
      const result: SpawnResult = {
        stdout: out(),
        stderr: err(),
        exitCode: code,
        signal,
        durationMs,
        outerMs: durationMs,
        timedOut,
        side: opts.sideChannel ? side() : undefined,
      };
      const failure = viaSpawner ? applyReport(result, report(), cmd) : undefined;
      if (failure) reject(failure);
      else resolve(result);
    });
  });
}

/** Folds the spawner's report into the result; returns an Error when the command could not start. */
function applyReport(result: SpawnResult, line: string, cmd: string): Error | undefined {
  let rep: { maxrss_kb?: number; wall_ms?: number; exit?: number; signal?: number };
  try {
    rep = JSON.parse(line.trim()) as typeof rep;
  } catch {
    return undefined; // the spawner itself was killed before reporting
  }
  if (rep.exit === 127 && /wvc-spawn: cannot execute/.test(result.stderr)) {
    return Object.assign(new Error(`spawn ${cmd}: ${result.stderr.trim()}`), { code: 'ENOENT' });
  }
  if (typeof rep.wall_ms === 'number' && Number.isFinite(rep.wall_ms)) result.durationMs = rep.wall_ms;
  if (typeof rep.maxrss_kb === 'number') {
    result.memory = { peakBytes: rep.maxrss_kb * 1024, covers: 'peak RSS of the runtime process (ru_maxrss from wait4; it includes the spawner\'s own RSS, which the child shares between vfork and exec: the floor of every process figure)' };
  }
  // Report the child's own fate, not the spawner's 128+signal encoding.
  if (rep.signal) {
    result.exitCode = null;
    result.signal = `signal ${rep.signal}`;
  }
  return undefined;
}
