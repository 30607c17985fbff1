import { readdir, readFile, readlink } from 'node:fs/promises';
import Docker from 'dockerode';
import { processTable } from './proc.js';

/** How long a ping may take before the daemon counts as absent. */
const PING_TIMEOUT_MS = 3_000;

/** A connected engine, or why there is none and what to do about it. */
export type DockerConnection =
  | { ok: true; docker: Docker; version: string }
  | { ok: false; reason: string; hint: string; /** Nothing listens at the endpoint: starting dockerd fixes it. */ noDaemon?: boolean };

const START_HINT = 'start dockerd (sudo dockerd &, or scripts/setup.sh)';

/** Where dockerode will connect, for messages: the unix socket path or the DOCKER_HOST URL. */
async function endpoint(docker: Docker): Promise<string> {
  // getSocketPath() is public in docker-modem but missing from its type definitions.
  const modem = docker.modem as unknown as { getSocketPath?: () => Promise<string> | undefined; host?: string; port?: string | number };
  const socket = await modem.getSocketPath?.();
  if (socket) return socket;
  return process.env.DOCKER_HOST ?? `${modem.host}:${modem.port}`;
}

/**
 * Connects to the Docker engine with dockerode's defaults (DOCKER_HOST, else the
 * default unix socket) and pings it, bounded to a few seconds. Never throws: a
 * missing, unreachable or forbidden daemon comes back as `ok: false` with a
 * one-line reason and an actionable hint. `version` is the engine's `Version`.
 */
export async function connectDocker(): Promise<DockerConnection> {
  let docker: Docker;
  try {
    docker = new Docker();
  } catch (e) {
    return { ok: false, reason: `docker: ${(e as Error).message}`, hint: 'fix or unset DOCKER_HOST' };
  }
  const where = await endpoint(docker).catch(() => 'the default socket');
  const signal = AbortSignal.timeout(PING_TIMEOUT_MS);
  try {
    // The typings omit ping's options; dockerode forwards abortSignal to the request.
    await (docker.ping as (opts: { abortSignal: AbortSignal }) => Promise<unknown>)({ abortSignal: signal });
    const v = await docker.version();
    return { ok: true, docker, version: v.Version };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { statusCode?: number };
    if (signal.aborted || err.name === 'AbortError' || err.name === 'TimeoutError') {
      return { ok: false, reason: `docker: the daemon at ${where} did not answer within ${PING_TIMEOUT_MS / 1000} s`, hint: `check dockerd is healthy (its log), or restart it: ${START_HINT}` };
    }
    if (err.code === 'EACCES' || err.code === 'EPERM') {
      return {
        ok: false,
        reason: `docker: permission denied on ${where}`,
        hint: 'add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or run as root',
      };
    }
    if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EHOSTUNREACH') {
      return { ok: false, reason: `docker: no daemon at ${where}`, hint: START_HINT, noDaemon: true };
    }
    return { ok: false, reason: `docker: ${where}: ${err.message}`, hint: START_HINT };
  }
}

// ---- the processes behind a container, for the density step's PSS sum ----------------


/**
 * The shims of containers whose init processes are `initPids`, as the process table has
 * them now: a containerd-shim-runc-v2 is the subreaper its container's init is reparented
 * to, so it is that process's parent. Gone containers are left out.
 */
export async function shimsOf(initPids: readonly number[]): Promise<number[]> {
  const table = await processTable();
  const parent = new Map(table.map((p) => [p.pid, p]));
  const shims = new Set<number>();
  for (const pid of initPids) {
    const ppid = parent.get(pid)?.ppid;
    if (ppid !== undefined && parent.get(ppid)?.comm.startsWith('containerd-shim')) shims.add(ppid);
  }
  return [...shims];
}

/** The `-address` a containerd shim was started with (the containerd socket it reports to), or null. */
export async function shimAddress(shimPid: number): Promise<string | null> {
  try {
    const argv = (await readFile(`/proc/${shimPid}/cmdline`, 'utf8')).split('\0');
    const i = argv.indexOf('-address');
    return i >= 0 ? (argv[i + 1] ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * The pid of the process named `comm` that holds the listening unix socket bound at
 * `sock` (from /proc/net/unix and each candidate's /proc/<pid>/fd), or null.
 */
export async function socketListener(sock: string, comm: string): Promise<number | null> {
  let table: string;
  try {
    table = await readFile('/proc/net/unix', 'utf8');
  } catch {
    return null;
  }
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path; flags 00010000 = __SO_ACCEPTCON (listening).
    if (f.length >= 8 && f[7] === sock && f[3] === '00010000') inodes.add(f[6]!);
  }
  if (!inodes.size) return null;
  for (const p of (await processTable()).filter((x) => x.comm === comm.slice(0, 15))) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${p.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const link = await readlink(`/proc/${p.pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) return p.pid;
    }
  }
  return null;
}
