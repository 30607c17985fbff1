import { randomBytes } from 'node:crypto';
import { access, stat } from 'node:fs/promises';
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { connectDocker, shimAddress, shimsOf, socketListener } from '../util/docker.js';
import { concurrentBurst } from '../util/burst.js';
import { firstLine, startParked, type ParkedProcess } from '../util/park.js';
import { mapLimit } from '../util/pool.js';
import { processTable, withDescendants } from '../util/proc.js';
import { FRESH_MS, createPeakMeter, emptyChildCgroups, type PeakMeter } from '../util/cgroup-peak.js';
import { PID_LABEL, pidOf } from '../util/leftovers.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, notDeclared, processInvocation, ready, runInvocation, skippedArtifact, specOf, withGrantDir, onPath, buildHint } from './common.js';
import { probeEnv } from './probe-support.js';
import type { Artifact, BurstRequest, Leftover, BurstRun, Invocation, Parked, ParkRequest, Preparation, PrepareContext, RunResult, RuntimeInfo, TargetDefinition, VariantSpec } from './types.js';

/** The containerd namespace every image and container of this target lives in (`ctr -n wvc ...`). */
export const NAMESPACE = 'wvc';
/** Every container this target creates has an id with this prefix, so leftovers can be found (`ctr -n wvc containers ls -q`). */
export const CONTAINER_ID_PREFIX = 'wvc-';
/** The ids of a burst's containers (`wvc-burst-<random>`) and of a park's (`wvc-park-<park id>-<index>`). */
export const BURST_ID_PREFIX = `${CONTAINER_ID_PREFIX}burst-`;
export const PARK_ID_PREFIX = `${CONTAINER_ID_PREFIX}park-`;
/** The id the recorded invocation shows; each sample uses a fresh one. */
export const SAMPLE_ID = 'wvc-sample';
/** The harness-owned cgroup parent the containers run under (each at `/wvc-bench-ctr/<id>`); docker's is `wvc-bench`. */
export const CGROUP_PARENT_NAME = 'wvc-bench-ctr';
/** containerd's own default socket, then the one dockerd's embedded containerd listens on. */
export const DEFAULT_SOCKETS: readonly string[] = ['/run/containerd/containerd.sock', '/var/run/docker/containerd/containerd.sock'];

const START_HINT = 'start containerd (scripts/setup.sh starts it), or dockerd, which runs its own';
const INSTALL_HINT = 'apt-get install containerd';
const DEFAULT_TIMEOUT_MS = 30_000;
/** How long ctr may take to connect when checking whether a socket answers. */
const CONNECT_TIMEOUT = '2s';
/** Bound on every bookkeeping ctr call (version, images, content, cleanup). */
const CTR_CALL_TIMEOUT_MS = 60_000;

const VERIFY_SAMPLE = 100;

const SPECS: readonly VariantSpec[] = [
  {
    name: 'default',
    label: 'containerd (ctr run --rm: containerd → shim → runc)',
    class: 'container',
    phaseSource: null,
    cacheState: 'image imported into containerd\'s content store and unpacked to a snapshot at prepare: nothing is pulled; each run makes its own overlay snapshot on top',
    warm: { none: 'no in-process equivalent: the nearest is a new container per request, which is the cold start' },
    exitCodes: 'exact',
    verifySample: VERIFY_SAMPLE,
    layer: { name: 'containerd → containerd-shim-runc-v2 → runc (ctr run --rm)', depth: 1 },
    notes: [
      'A sample is one `ctr run --rm` process, spawn to reap: container create, task create/start, wait, task and container delete all happen inside it and are not timed apart (one ctr process per phase would measure something else).',
      `Each sample uses a fresh container id (${CONTAINER_ID_PREFIX}<random>); the recorded command shows ${SAMPLE_ID} in its place.`,
    ],
  },
];


/** `ctr -a SOCK -n wvc ARGS...`, bounded, in an empty environment; rejects with execa's error (the command, its exit and stderr). */
async function ctr(bin: string, sock: string, args: readonly string[], timeoutMs = CTR_CALL_TIMEOUT_MS): Promise<string> {
  return (await execa(bin, ['-a', sock, '-n', NAMESPACE, ...args], { timeout: timeoutMs, env: {}, extendEnv: false })).stdout;
}

/** The client and server versions `ctr version` prints. */
export function parseCtrVersion(out: string): { client: string; server: string } | null {
  const client = /Client:\s*\n\s*Version:\s*(\S+)/.exec(out)?.[1];
  const server = /Server:\s*\n\s*Version:\s*(\S+)/.exec(out)?.[1];
  return client && server ? { client, server } : null;
}

/** A containerd that answered: the ctr binary, the socket, and the versions on both ends. */
interface Endpoint {
  ctr: string;
  sock: string;
  client: string;
  server: string;
}

/** Whether a containerd answers on `sock` (a socket file, then `ctr version` with a short connect timeout). */
async function answers(bin: string, sock: string): Promise<{ client: string; server: string } | null> {
  try {
    if (!(await stat(sock)).isSocket()) return null;
  } catch {
    return null;
  }
  try {
    const { stdout } = await execa(bin, ['--connect-timeout', CONNECT_TIMEOUT, '-a', sock, 'version'], { timeout: 15_000, env: {}, extendEnv: false });
    return parseCtrVersion(stdout);
  } catch {
    return null;
  }
}

/**
 * ctr on PATH and the containerd socket to use: $WVC_CONTAINERD_SOCK when set,
 * else containerd's default socket when it answers, else the one dockerd's own
 * containerd listens on. Never throws: what is missing comes back with a hint.
 */
export async function findContainerd(): Promise<Endpoint | { reason: string; hint: string }> {
  const bin = await onPath('ctr');
  if (!bin) return { reason: 'ctr (the containerd client) not on PATH', hint: INSTALL_HINT };
  const explicit = process.env.WVC_CONTAINERD_SOCK;
  if (explicit) {
    const v = await answers(bin, explicit);
    return v ? { ctr: bin, sock: explicit, ...v } : { reason: `WVC_CONTAINERD_SOCK=${explicit}: no containerd answers there`, hint: `${START_HINT}; or unset WVC_CONTAINERD_SOCK` };
  }
  for (const sock of DEFAULT_SOCKETS) {
    const v = await answers(bin, sock);
    if (v) return { ctr: bin, sock, ...v };
  }
  return { reason: `no containerd answers at ${DEFAULT_SOCKETS.join(' or ')}`, hint: START_HINT };
}

/** The runc the shim finds on PATH, for the runtime record. */
async function runcVersion(): Promise<string | null> {
  const bin = await onPath('runc');
  if (!bin) return null;
  try {
    const { stdout } = await execa(bin, ['--version'], { timeout: 10_000 });
    return /runc version (\S+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function runtimeInfo(e: Endpoint): Promise<RuntimeInfo> {
  const runc = await runcVersion();
  return { name: 'containerd', version: `${e.server} (ctr ${e.client}${runc ? `, runc ${runc}` : ''})` };
}

/**
 * The containerd ref the image is kept under, keyed on the image id (ctr needs a
 * fully qualified ref): `docker.io/wvc/<repository's last part>:<image id, 12 hex>`.
 */
export function imageRef(tag: string, imageId: string): string {
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  const repo = colon > slash ? tag.slice(0, colon) : tag;
  const name = repo.slice(repo.lastIndexOf('/') + 1).toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  return `docker.io/wvc/${name}:${imageId.replace(/^sha256:/, '').slice(0, 12)}`;
}

/** The image config the container runs with (docker image config JSON). */
interface ImageConfig {
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; User?: string };
}

/**
 * The config of `ref` in the wvc namespace when it is there and its manifest names
 * the config `imageId` (the docker image id is the config's digest), else null.
 */
async function importedConfig(bin: string, sock: string, ref: string, imageId: string): Promise<ImageConfig | null> {
  const listing = await ctr(bin, sock, ['images', 'ls']);
  const row = listing.split('\n').map((l) => l.trim().split(/\s+/)).find((cols) => cols[0] === ref);
  const digest = row?.[2];
  if (!digest?.startsWith('sha256:')) return null;
  let manifest: { config?: { digest?: string } };
  try {
    manifest = JSON.parse(await ctr(bin, sock, ['content', 'get', digest])) as typeof manifest;
  } catch {
    return null;
  }
  if (manifest.config?.digest !== imageId) return null;
  try {
    return JSON.parse(await ctr(bin, sock, ['content', 'get', imageId])) as ImageConfig;
  } catch {
    return null;
  }
}

/** `docker save TAG | ctr -n wvc images import -`, streamed; resolves with the name ctr gave the image. */
async function importFromDocker(d: Docker, bin: string, sock: string, tag: string): Promise<string> {
  const tar = await d.getImage(tag).get();
  let streamError: Error | null = null;
  tar.on('error', (e: Error) => (streamError = e));
  let stdout: string;
  try {
    ({ stdout } = await execa(bin, ['-a', sock, '-n', NAMESPACE, 'images', 'import', '-'], { input: tar as Readable, env: {}, extendEnv: false }));
  } catch (e) {
    if (streamError) throw new Error(`docker save ${tag}: ${(streamError as Error).message}`, { cause: streamError });
    throw new Error(`ctr images import of ${tag} failed: ${(e as Error).message}`, { cause: e });
  }
  if (streamError) throw new Error(`docker save ${tag}: ${(streamError as Error).message}`, { cause: streamError });
  const name = /unpacking (\S+) \(sha256:[0-9a-f]{64}\)/.exec(stdout)?.[1];
  if (!name) throw new Error(`ctr images import of ${tag}: no image named in its output: ${stdout.trim()}`);
  return name;
}

/** What prepare() found and every run of one preparation shares. */
/** What a ctr call needs: the client and the socket. */
type Ctr = Pick<Engine, 'ctr' | 'sock'>;

interface Engine {
  ctr: string;
  sock: string;
  ref: string;
  /** The image's entrypoint: ctr's command argument replaces the whole process args, so the runner keeps it, as docker does. */
  entrypoint: string[];
  meter: PeakMeter | null;
  /** Cleared by the preparation's dispose(). */
  live: boolean;
}

/** `--mount` per grant: a read-only recursive bind unless the grant is writable. */
export function mountFlags(grants: readonly Grant[]): string[] {
  return grants.flatMap((g) => {
    if (/[,=]/.test(g.host) || /[,=]/.test(g.guest)) throw new Error(`containerd: a grant path with ',' or '=' cannot be a ctr --mount (${g.host} → ${g.guest})`);
    return ['--mount', `type=bind,src=${g.host},dst=${g.guest},options=rbind:${g.readOnly === false ? 'rw' : 'ro'}`];
  });
}

/** The whole `ctr run --rm` argv of one sample (container `id`). */
function runArgv(e: Engine, id: string, grants: readonly Grant[], args: readonly string[]): string[] {
  // With no arguments the image's own entrypoint and cmd run; with some they replace cmd, as in docker.
  const command = args.length ? [...e.entrypoint, ...args] : [];
  return [e.ctr, '-a', e.sock, '-n', NAMESPACE, 'run', '--rm', '--label', `${PID_LABEL}=${process.pid}`, ...(e.meter ? ['--cgroup', `${e.meter.cgroupParent}/${id}`] : []), ...mountFlags(grants), e.ref, id, ...command];
}

/** An environment without unset entries, as an invocation records it. */
function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether container `id` exists in the wvc namespace. */
async function containerExists(e: Ctr, id: string): Promise<boolean> {
  try {
    await ctr(e.ctr, e.sock, ['containers', 'info', id]);
    return true;
  } catch (err) {
    if (/not found/.test((err as { stderr?: string }).stderr ?? '')) return false;
    throw err;
  }
}

/** Removes the snapshot keyed `id` when there is one (a container's own is removed with the container). */
async function removeSnapshot(e: Ctr, id: string): Promise<void> {
  try {
    await ctr(e.ctr, e.sock, ['snapshots', 'rm', id]);
  } catch (err) {
    if (!/not found|does not exist/.test((err as { stderr?: string }).stderr ?? '')) throw err;
  }
}

/**
 * Makes sure container `id` is gone: SIGKILL its task, delete the task (--force
 * waits for the exit), delete the container and its snapshot. After a killed ctr
 * the daemon may still be finishing a create it had started, so that case looks twice.
 */
async function removeContainer(e: Ctr, id: string, killed: boolean): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (!(await containerExists(e, id))) {
      if (!killed) return;
      if (attempt === 0) await sleep(250);
      if (!(await containerExists(e, id))) {
        // A ctr killed between making the snapshot and the container leaves the snapshot (keyed by the id) alone.
        await removeSnapshot(e, id);
        return;
      }
    }
    await ctr(e.ctr, e.sock, ['tasks', 'kill', '-s', 'SIGKILL', id]).catch(() => undefined);
    await ctr(e.ctr, e.sock, ['tasks', 'delete', '--force', id]).catch(() => undefined);
    await ctr(e.ctr, e.sock, ['containers', 'delete', id]).catch(() => undefined);
  }
  if (await containerExists(e, id)) throw new Error(`containerd: container ${id} is still there after task kill/delete and container delete`);
}

/** A burst's cleanups, each settled to its error or null: the burst waits for them after its last answer. */
type Cleanups = Promise<unknown>[];

/**
 * K runOnce()s at once. A request answers when its ctr run --rm has exited (ctr deletes the
 * task and container itself); the harness's check that the container is gone runs after that,
 * outside the request's latency, and the burst waits for every such check before it returns.
 */
async function burstOnce(e: Engine, grants: readonly Grant[], req: BurstRequest): Promise<BurstRun> {
  const cleanups: Cleanups = [];
  const run = await concurrentBurst((r) => runOnce(e, grants, r.args, r.timeoutMs ?? DEFAULT_TIMEOUT_MS, {}, cleanups), req, `${req.concurrency} ctr run --rm processes at once, each its own container (${BURST_ID_PREFIX}<random>) and snapshot`);
  const failed = (await Promise.all(cleanups)).filter((x) => x !== null);
  if (failed.length) throw new Error(`containerd: ${failed.length} burst container(s) not cleaned up: ${(failed[0] as Error).message ?? String(failed[0])}`);
  return run;
}

/**
 * One sample: `ctr run --rm` with a fresh container id, timed spawn to reap by the
 * spawner; the cgroup parent's peak read around it; the container made sure gone afterwards.
 */
async function runOnce(e: Engine, grants: readonly Grant[], args: readonly string[], timeoutMs: number, env: Record<string, string>, burst: Cleanups | null = null): Promise<RunResult> {
  if (!e.live) throw new Error('containerd: run() after dispose()');
  const id = `${burst ? BURST_ID_PREFIX : CONTAINER_ID_PREFIX}${randomBytes(6).toString('hex')}`;
  const inv = processInvocation(runArgv(e, id, grants, args), env);
  // A burst's containers overlap, so the cgroup parent's peak would span them: no figure for them.
  const meter = burst ? null : e.meter;
  // Outside the sample: the reset and the read are the harness's bookkeeping.
  await meter?.reset();
  let r: (RunResult & { side?: string }) | null = null;
  let failure: unknown = null;
  try {
    r = await runInvocation(inv, { timeoutMs });
  } catch (err) {
    failure = err;
  }
  let peakBytes: number | undefined;
  if (r && meter) {
    try {
      peakBytes = await meter.read();
    } catch (err) {
      failure ??= err;
    }
  }
  const removed = removeContainer(e, id, !r || !!r.timedOut || r.exitCode !== 0);
  if (burst) burst.push(removed.then(() => null, (err: unknown) => err));
  else {
    try {
      await removed;
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure || !r) throw failure ?? new Error('containerd: no result');
  const { side: _side, memory: _ctrRss, ...rest } = r;
  const result: RunResult = { ...rest };
  if (r.timedOut) {
    result.timedOut = true;
    result.exitCode = null;
    result.signal = 'SIGKILL';
  } else if (r.exitCode === 1 && /^ctr: /m.test(r.stderr)) {
    // ctr's own failure (runc could not start the process, say), not the workload's exit 1.
    throw new Error(`containerd: ctr run failed: ${r.stderr.split('\n').find((l) => l.startsWith('ctr: '))}`);
  }
  // The spawner's figure would be the ctr client's RSS, not the container's: the cgroup peak replaces it, or nothing does.
  if (peakBytes !== undefined && meter) result.memory = { peakBytes, covers: meter.covers };
  return result;
}

/** How many ctr calls a park's bookkeeping (task list, kill, cleanup) has in flight at once. */
const PARK_CALLS = 8;
/** How long a killed task's ctr run --rm gets to delete its container and exit before it is killed too. */
const PARK_EXIT_GRACE_MS = 10_000;

/** Our containers (ids starting `prefix`) the namespace lists now. */
async function listed(e: Ctr, what: 'containers' | 'snapshots', prefix: string): Promise<string[]> {
  const out = await ctr(e.ctr, e.sock, what === 'containers' ? ['containers', 'ls', '-q'] : ['snapshots', 'ls']);
  const ids = what === 'containers' ? out.split('\n').map((l) => l.trim()) : out.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0] ?? '');
  return ids.filter((id) => id.startsWith(prefix));
}

/**
 * Parks `req.instances` containers at once: one `ctr run --rm` per instance, spawned
 * directly, with the argv run() uses (same image, mounts, cgroup parent, a new network
 * namespace) and the id `wvc-park-<park id>-<i>`; ready at the ctr process's first stdout
 * line. The ctr clients stay alive, holding the tasks' stdio, so the figure counts them
 * with containerd and each container's shim and processes. release() SIGKILLs every task,
 * lets each ctr delete its container (--rm) and exit, then deletes whatever is left
 * (tasks, containers, snapshots) and checks the namespace lists none of them.
 */
async function parkContainers(e: Engine, grants: readonly Grant[], req: ParkRequest): Promise<Parked> {
  if (!e.live) throw new Error('containerd: park() after dispose()');
  const prefix = `${PARK_ID_PREFIX}${randomBytes(6).toString('hex')}-`;
  const ids = Array.from({ length: req.instances }, (_, i) => `${prefix}${i}`);
  const clients: ParkedProcess[] = [];
  let initPids: number[] = [];

  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      const shims = await shimsOf(initPids);
      // Each ctr run --rm sees its task exit, deletes the container and exits. A task still being
      // created cannot be killed yet, so the kill is repeated until its ctr has gone; one that has
      // not within the grace is killed itself, and what it leaves is deleted below.
      let forced = false;
      await mapLimit(clients, PARK_CALLS, async (c, i) => {
        const until = Date.now() + PARK_EXIT_GRACE_MS;
        const gone = c.exited;
        let done = false;
        void gone.then(() => (done = true));
        while (!done && c.running() && Date.now() < until) {
          await ctr(e.ctr, e.sock, ['tasks', 'kill', '-s', 'SIGKILL', ids[i]!]).catch(() => undefined);
          await Promise.race([gone, sleep(200)]);
        }
        if (c.running()) {
          forced = true;
          c.kill();
        }
        await gone;
      });
      // A killed ctr's create may still be finishing in the daemon.
      if (forced) await sleep(250);
      const left = await listed(e, 'containers', prefix);
      await mapLimit(left, PARK_CALLS, (id) => removeContainer(e, id, true));
      const snaps = await listed(e, 'snapshots', prefix);
      await mapLimit(snaps, PARK_CALLS, (id) => removeSnapshot(e, id));
      const still = [...(await listed(e, 'containers', prefix)), ...(await listed(e, 'snapshots', prefix))];
      if (still.length) throw new Error(`containerd: ${still.join(', ')} still listed after the park's release`);
      // The shims exit a moment after their containers are deleted.
      const watched = [...initPids, ...shims];
      const until = Date.now() + PARK_EXIT_GRACE_MS;
      for (;;) {
        const table = new Set((await processTable()).map((p) => p.pid));
        const alive = watched.filter((p) => table.has(p));
        if (!alive.length) break;
        if (Date.now() > until) throw new Error(`containerd: processes ${alive.join(', ')} of the parked containers still alive ${PARK_EXIT_GRACE_MS} ms after release`);
        await sleep(50);
      }
    })());

  const t0 = Date.now();
  try {
    const ready = await Promise.all(
      ids.map((id) => {
        const [cmd, ...args] = runArgv(e, id, grants, req.args);
        const c = startParked(cmd!, args, {});
        clients.push(c);
        return firstLine(c, Math.max(1, req.timeoutMs - (Date.now() - t0)));
      }),
    );
    // Each task's init pid, for its shim (its parent) in pids().
    const tasks = await ctr(e.ctr, e.sock, ['tasks', 'ls']);
    const mine = new Set(ids);
    initPids = tasks.split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => mine.has(f[0] ?? '')).map((f) => Number(f[1])).filter((n) => n > 0);
    return {
      ready,
      // Not the ctr clients: each stays alive holding its task's stdio only because the harness reads the ready
      // line through it; a kubelet (CRI) holds no process per container, and counting a Go client per instance
      // would charge containerd for the harness's tool (like counting a docker CLI per container).
      covers: `containerd (the one at ${e.sock}) + each parked container's containerd-shim-runc-v2 and its descendants (the container's processes); not the ctr run clients the harness reads the ready lines through`,
      pids: async () => {
        const shims = await shimsOf(initPids);
        // The address containerd gave its shims is the path it bound, as /proc/net/unix shows it; e.sock may be another name for it.
        const bound = shims.length ? await shimAddress(shims[0]!) : null;
        const daemon = (bound ? await socketListener(bound, 'containerd') : null) ?? (await socketListener(e.sock, 'containerd'));
        return [...(daemon !== null ? [daemon] : []), ...(await withDescendants(shims))];
      },
      release,
    };
  } catch (err) {
    try {
      await release();
    } catch (relErr) {
      throw new Error(`${(err as Error).message}; and the release after it failed: ${(relErr as Error).message}`);
    }
    throw err;
  }
}

/** Which cgroup hierarchy runc uses here: v2 only when /sys/fs/cgroup itself is cgroup2 (a hybrid host is v1). */
async function cgroupVersion(): Promise<'1' | '2'> {
  try {
    await access('/sys/fs/cgroup/cgroup.controllers');
    return '2';
  } catch {
    return '1';
  }
}

/**
 * The workload's image run by containerd through its own CLI: `ctr run --rm` per
 * sample (containerd → containerd-shim-runc-v2 → runc), from the image imported
 * into the `wvc` namespace at prepare (`docker save` of the workload's image,
 * streamed into `ctr images import`). The grants are bind mounts; the container
 * gets its own network namespace holding only loopback. No phases: a sample is
 * the ctr process, spawn to reap.
 */
export const containerd: TargetDefinition = {
  id: 'containerd',
  summary: 'the workload image under containerd through ctr (ctr run --rm per run: containerd → containerd-shim-runc-v2 → runc)',
  variants: SPECS,
  capabilityRows: [
    {
      variant: 'default',
      limitsText: 'none (containerd defaults)',
      netNamespace: true,
      policyNote: 'ctr run without --net-host or --cni: the container gets a new network namespace holding only loopback, so a loopback connect can never reach the host listener. ctr\'s defaults otherwise: no seccomp profile (only with --seccomp), no-new-privileges set, the default capability set, root.',
    },
  ],
  caveats: ['containerd is what the kubelet drives on a Kubernetes node; it is measured here through ctr, so the figure includes the ctr client process start, not a CRI client\'s.'],
  prerequisites: [
    {
      name: 'containerd',
      async check() {
        const found = await findContainerd();
        if (!('reason' in found)) return { ok: true, detail: `${(await runtimeInfo(found)).version} at ${found.sock}` };
        // No ctr: the packages step installs containerd; no socket answering: dockerd runs its own, else setup starts one.
        const fix = found.hint === INSTALL_HINT ? (['packages', 'dockerd', 'containerd-daemon'] as const) : process.env.WVC_CONTAINERD_SOCK ? undefined : (['dockerd', 'containerd-daemon'] as const);
        return { ok: false, detail: `${found.reason} — ${found.hint}`, fix };
      },
    },
  ],

  async version(): Promise<string | null> {
    const found = await findContainerd();
    return 'reason' in found ? null : (await runtimeInfo(found)).version;
  },

  /** The wvc namespace's containers (with the pid of the harness whose `ctr run` made them) and snapshots without a container: what a killed run left in containerd. */
  async leftovers(): Promise<Leftover[]> {
    const found = await findContainerd();
    if (!('sock' in found)) return [];
    const e: Ctr = { ctr: found.ctr, sock: found.sock };
    const ids = await listed(e, 'containers', CONTAINER_ID_PREFIX).catch(() => [] as string[]);
    const out: Leftover[] = [];
    for (const id of ids) {
      const info = await ctr(e.ctr, e.sock, ['containers', 'info', id]).catch(() => '{}');
      const labels = (JSON.parse(info) as { Labels?: Record<string, string> }).Labels ?? {};
      out.push({ what: `containerd container ${id} (namespace ${NAMESPACE})`, pid: pidOf(labels[PID_LABEL]), remove: () => removeContainer(e, id, true) });
    }
    // A snapshot keyed by a container id whose container is gone (a ctr killed between the two).
    for (const id of await listed(e, 'snapshots', CONTAINER_ID_PREFIX).catch(() => [] as string[])) {
      if (ids.includes(id)) continue;
      // One made a moment ago may belong to a `ctr run` about to create its container.
      const info = await ctr(e.ctr, e.sock, ['snapshots', 'info', id]).catch(() => '{}');
      const created = Date.parse((JSON.parse(info) as { Created?: string }).Created ?? '');
      if (!Number.isFinite(created) || Date.now() - created < FRESH_MS) continue;
      out.push({ what: `containerd snapshot ${id} (namespace ${NAMESPACE})`, pid: null, remove: () => removeSnapshot(e, id) });
    }
    for (const c of await emptyChildCgroups(CGROUP_PARENT_NAME)) out.push({ what: `cgroup ${c.dir} (empty)`, pid: null, remove: c.remove });
    return out;
  },

  async runtimeFiles() {
    return [{ name: 'containerd', files: ['containerd', 'containerd-shim-runc-v2', 'runc', 'ctr'].map((label) => ({ label, candidates: [label] })) }];
  },

  async prepare(ctx: PrepareContext): Promise<Preparation> {
    if (!ctx.workload.artifacts.image) return notDeclared(ctx, 'image', 'containerd');
    const found = await findContainerd();
    if ('reason' in found) return { status: 'skipped', reason: found.reason, hint: found.hint };
    const art = findArtifact(ctx, 'image');
    if (!art?.imageId || !art.tag) {
      const why = skippedArtifact(ctx, 'image');
      return { status: 'skipped', reason: why?.reason ?? 'image not built', hint: why?.hint ?? buildHint(ctx, ' (needs a running Docker daemon)') };
    }
    const image = art as Artifact & { imageId: string; tag: string };
    const ref = imageRef(image.tag, image.imageId);
    let config = await importedConfig(found.ctr, found.sock, ref, image.imageId);
    if (!config) {
      // Not imported yet (or under this ref a different image): export it from docker, once.
      const conn = await connectDocker();
      if (!conn.ok) return { status: 'skipped', reason: `cannot export ${image.tag} from docker to import it into containerd: ${conn.reason}`, hint: conn.hint };
      let id: string | undefined;
      try {
        id = (await conn.docker.getImage(image.tag).inspect()).Id;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      }
      if (id !== image.imageId) return { status: 'skipped', reason: `image ${image.tag} (${image.imageId.slice(7, 19)}) is not in the Docker engine, so it cannot be imported into containerd`, hint: buildHint(ctx) };
      const imported = await importFromDocker(conn.docker, found.ctr, found.sock, image.tag);
      if (imported !== ref) {
        await ctr(found.ctr, found.sock, ['images', 'tag', '--force', imported, ref]);
        await ctr(found.ctr, found.sock, ['images', 'rm', imported]);
      }
      config = await importedConfig(found.ctr, found.sock, ref, image.imageId);
      if (!config) throw new Error(`containerd: after importing ${image.tag}, ${ref} does not name image config ${image.imageId}`);
    }
    const m = await createPeakMeter({ CgroupDriver: 'cgroupfs', CgroupVersion: await cgroupVersion() }, CGROUP_PARENT_NAME);
    const engine: Engine = { ctr: found.ctr, sock: found.sock, ref, entrypoint: config.config?.Entrypoint ?? [], meter: 'unavailable' in m ? null : m, live: true };
    const notes = 'unavailable' in m ? [`no container memory figure: ${m.unavailable}`] : [];
    const runtime = await runtimeInfo(found);
    const grants = ctx.workload.grants;
    const spec = specOf(SPECS, 'default');
    const invocation = (req: { args: string[] }): Invocation => processInvocation(runArgv(engine, SAMPLE_ID, grants, req.args));
    return {
      status: 'ok',
      runtime,
      variants: [
        ready(spec, {
          invocation,
          run: (req) => runOnce(engine, grants, req.args, req.timeoutMs ?? DEFAULT_TIMEOUT_MS, {}),
          /**
           * A probe is a normal run with `grantDir` bind-mounted at the first grant's guest path.
           * ctr inherits the harness's environment, as a deployed client would; the container
           * never sees it (its env is the image config's). req.limits is not used: no limits are set.
           */
          probe: (req) => runOnce(engine, withGrantDir(grants, req.grantDir), req.args, req.timeoutMs, definedEnv(probeEnv())),
          /** K run()s at once: K `ctr run --rm` processes, each with its own container id and snapshot; no memory figure. */
          burst: (req) => burstOnce(engine, grants, req),
          park: (req) => parkContainers(engine, grants, req),
          describe: () => ({
            runtime,
            how: `ctr run --rm against ${engine.sock}: containerd creates the container from ${ref} (namespace ${NAMESPACE}) with a fresh overlay snapshot, its runc shim starts the process, ctr waits for it, then deletes the task, the container and the snapshot${engine.meter ? `; the container's cgroup is ${engine.meter.cgroupParent}/<id>` : ''}`,
            artifact: image.id,
            grants: [
              ...grantLines(grants, (g) => `${g.readOnly === false ? 'writable' : 'read-only'} bind mount`),
              'net: own network namespace, loopback only (no --net-host, no CNI)',
              'env: image defaults only',
              'caps: containerd default set',
              'user: root (image default)',
              'seccomp: none (ctr run sets a profile only with --seccomp); no-new-privileges: set',
            ],
            ...(notes.length ? { notes: [...notes] } : {}),
          }),
        }),
      ],
      async dispose() {
        engine.live = false;
      },
    };
  },
};
