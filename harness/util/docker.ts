import Docker from 'dockerode';

/** How long a ping may take before the daemon counts as absent. */
const PING_TIMEOUT_MS = 3_000;

/** A connected engine, or why there is none and what to do about it. */
export type DockerConnection =
  | { ok: true; docker: Docker; version: string }
  | { ok: false; reason: string; hint: string };

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
      return { ok: false, reason: `docker: no daemon at ${where}`, hint: START_HINT };
    }
    return { ok: false, reason: `docker: ${where}: ${err.message}`, hint: START_HINT };
  }
}
