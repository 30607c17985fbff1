import { spawn, type ChildProcess } from 'node:child_process';
import type { Invocation } from '../model.js';
import type { Parked, ParkRequest } from '../targets/types.js';
import { withDescendants } from './proc.js';

/**
 * Parks `req.instances` processes at once: each is `invocation(i)` spawned directly
 * (no spawner: nothing of the harness's sits in the figure), and is ready when it
 * has printed its first stdout line (the park mode's ready line). The figure covers
 * each process and its descendants. On a start that fails or times out, everything
 * started is killed before the error is thrown. release() kills every process with
 * SIGKILL and waits until each has been reaped.
 */
export async function parkProcesses(invocation: (index: number) => Invocation & { kind: 'process' }, req: ParkRequest, covers: string): Promise<Parked> {
  const children: ChildProcess[] = [];
  const exited = new Set<ChildProcess>();
  const release = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (exited.has(c) || c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('close', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
  };
  const t0 = Date.now();
  try {
    const ready = await Promise.all(
      Array.from({ length: req.instances }, (_, i) => {
        const inv = invocation(i);
        const [cmd, ...args] = inv.argv;
        const c = spawn(cmd!, args, { env: inv.env, stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(c);
        return firstLine(c, Math.max(1, req.timeoutMs - (Date.now() - t0)), () => exited.add(c));
      }),
    );
    return {
      ready,
      covers,
      pids: () => withDescendants(children.flatMap((c) => (c.pid !== undefined && !exited.has(c) ? [c.pid] : []))),
      release,
    };
  } catch (e) {
    await release();
    throw e;
  }
}

/** Resolves with a child's first stdout line (and its newline); rejects when it exits, fails to start or times out first. */
export function firstLine(c: ChildProcess, timeoutMs: number, onExit: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`not ready after ${timeoutMs} ms${err.trim() ? `: ${err.trim().slice(0, 200)}` : ''}`))), timeoutMs);
    c.stdout?.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) finish(() => resolve(out.slice(0, nl + 1)));
    });
    c.stderr?.on('data', (b: Buffer) => {
      if (err.length < 4096) err += b.toString('utf8');
    });
    c.once('error', (e) => {
      onExit();
      finish(() => reject(e));
    });
    c.once('close', (code, signal) => {
      onExit();
      finish(() => reject(new Error(`exited ${code ?? signal} before it was ready${err.trim() ? `: ${err.trim().slice(0, 200)}` : ''}${out ? ` (stdout ${JSON.stringify(out.slice(0, 120))})` : ''}`)));
    });
  });
}
