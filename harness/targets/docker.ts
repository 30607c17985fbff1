import { CPU_LIMIT_SECONDS } from '../measure/limits.js';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { concurrentBurst } from '../util/burst.js';
import { connectDocker, shimAddress, shimsOf, socketListener } from '../util/docker.js';
import { pidsByComm, processTable, withDescendants } from '../util/proc.js';
import { createPeakMeter, type PeakMeter } from '../util/cgroup-peak.js';
import type { Grant } from '../workload.js';
import { splitArtifactId } from '../model.js';
import { measureImages } from '../measure/footprint.js';
import { mapLimit } from '../util/pool.js';
import { findArtifact, grantLines, inapplicable, notDeclared, ready, skippedArtifact, specOf, unavailable, withGrantDir, onPath, buildHint } from './common.js';
import { PID_LABEL, harnessTempDir, pidOf } from '../util/leftovers.js';
import type { Artifact, Baseline, Leftover, Parked, ParkRequest, PreparedVariant, PrepareContext, RunRequest, RunResult, RuntimeInfo, TargetDefinition, TargetFootprint, VariantSpec } from './types.js';

/** Label put on every container this target creates, so leftovers can be found (`docker ps -a --filter label=wvc=1`). */
export const CONTAINER_LABELS: Readonly<Record<string, string>> = { wvc: '1', 'wvc.target': 'docker' };
/** Label on the containers of one park() (its value a fresh id per park), besides {@link CONTAINER_LABELS}: `docker ps -a --filter label=wvc.park`. */
export const PARK_LABEL = 'wvc.park';
/** What the engine may take beyond a run's own timeout and kill grace before the harness stops waiting for it. */
const ENGINE_SLACK_MS = 30_000;
/** Label on the containers of one burst() (a fresh id per burst). */
export const BURST_LABEL = 'wvc.burst';

/** One way of running the image. Adding a variant is one entry in `VARIANTS`. */
interface VariantConfig {
  /** The workload's image role (artifacts.image or artifacts.imageDebian in workload.json). */
  artifact: 'image' | 'imageDebian';
  label: string;
  /** Set on the variant the ratio columns divide by (× docker). */
  baseline?: Baseline;
  /** HostConfig on top of the grants' bind mounts and `NetworkMode: 'none'`, which every variant gets. */
  hostConfig: Docker.HostConfig;
  /** Top-level create options on top of image, command and labels (e.g. `User`). */
  create: Partial<Docker.ContainerCreateOptions>;
  grants: string[];
}

/** Every variant's container options, in one place, in declaration order; the first is Docker's default configuration. */
export const VARIANTS: Readonly<Record<string, VariantConfig>> = {
  default: {
    artifact: 'image',
    label: 'docker (the workload image, default config)',
    baseline: 'container',
    hostConfig: {},
    create: {},
    grants: ['net: none', 'env: image defaults only', 'caps: docker default set', 'user: root (image default)'],
  },
  // The usual hardening flags, plus a CPU-time rlimit: the only engine option that ends a
  // spinning process by itself (RLIMIT_CPU hard limit → SIGKILL, which PID 1 cannot ignore).
  hardened: {
    artifact: 'image',
    label: 'docker (the workload image, hardened: read-only, no caps, non-root, memory/pids/cpu-time limits)',
    hostConfig: {
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 256 * 2 ** 20,
      // Equal to Memory: no swap on top of the limit.
      MemorySwap: 256 * 2 ** 20,
      PidsLimit: 64,
      Ulimits: [{ Name: 'cpu', Soft: CPU_LIMIT_SECONDS, Hard: CPU_LIMIT_SECONDS }],
    },
    create: { User: '65534:65534' },
    grants: ['fs: read-only root filesystem', 'net: none', 'env: image defaults only', 'caps: none (--cap-drop ALL), no-new-privileges', 'user: 65534:65534', 'memory: 256 MiB, no swap', 'pids: 64', `cpu time: ${CPU_LIMIT_SECONDS} s (--ulimit cpu=${CPU_LIMIT_SECONDS})`],
  },
  // The same binary on a typical base (Debian bookworm minbase): does the base change start time as well as size?
  debian: {
    artifact: 'imageDebian',
    label: 'docker (the workload on a Debian minbase image, default config)',
    hostConfig: {},
    create: {},
    grants: ['net: none', 'env: image defaults only', 'caps: docker default set', 'user: root (image default)'],
  },
};

/**
 * verify runs at most this many vectors on a docker variant unless `--all`: a container
 * start costs hundreds of ms (the number was DOCKER_SAMPLE in harness/commands/verify.ts).
 */
const VERIFY_SAMPLE = 100;

const SPECS: readonly VariantSpec[] = Object.entries(VARIANTS).map(([name, v]) => ({
  name,
  label: v.label,
  class: 'container',
  ...(v.baseline ? { baseline: v.baseline } : {}),
  phaseSource: 'Engine API call timings, plus the container State.StartedAt/FinishedAt',
  cacheState: 'image local, layers on disk: no pull is measured',
  warm: { none: 'no in-process equivalent: the nearest is a new container per request, which is the cold start' },
  exitCodes: 'exact',
  verifySample: VERIFY_SAMPLE,
  // The Docker layer of the container stack, in its default configuration (hardened and debian are other configurations of it).
  ...(v.baseline === 'container' ? { layer: { name: 'dockerd → containerd → containerd-shim-runc-v2 → runc', depth: 2 } } : {}),
}));

const DEFAULT_TIMEOUT_MS = 30_000;
// After a kill, how long the daemon gets to report the exit before the run counts as a harness fault.
const KILL_GRACE_MS = 10_000;

/** What prepare() found and the runs of one preparation share: the engine, and the memory meter when there is one. */
interface Engine {
  docker: Docker;
  meter: PeakMeter | null;
  /** Cleared by the preparation's dispose(). */
  live: boolean;
}

/** An image the engine holds, as the manifest recorded it. */
type LocalImage = Artifact & { imageId: string; tag: string };

/** The full create options for one run; the single source for both the API call and the equivalent CLI line. */
function createOptions(v: VariantConfig, image: string, args: string[], g: readonly Grant[], meter: PeakMeter | null, labels: Readonly<Record<string, string>> = {}): Docker.ContainerCreateOptions {
  return {
    ...v.create,
    Image: image,
    Cmd: args,
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Labels: { ...CONTAINER_LABELS, [PID_LABEL]: String(process.pid), ...labels },
    HostConfig: { ...v.hostConfig, Binds: g.map((x) => `${x.host}:${x.guest}:${x.readOnly ? 'ro' : 'rw'}`), NetworkMode: 'none', ...(meter ? { CgroupParent: meter.cgroupParent } : {}) },
  };
}

/** `docker run` flags equivalent to the create options (the common ones; others are shown as JSON). */
function cliFlags(opts: Docker.ContainerCreateOptions): string[] {
  const f = ['--rm'];
  const { Binds, NetworkMode, ReadonlyRootfs, CapDrop, CapAdd, SecurityOpt, Memory, MemorySwap, PidsLimit, Ulimits, CgroupParent, ...restHost } = opts.HostConfig ?? {};
  if (CgroupParent) f.push('--cgroup-parent', CgroupParent);
  if (NetworkMode) f.push('--network', NetworkMode);
  for (const b of Binds ?? []) f.push('-v', b);
  if (ReadonlyRootfs) f.push('--read-only');
  for (const c of CapDrop ?? []) f.push('--cap-drop', c);
  for (const c of CapAdd ?? []) f.push('--cap-add', c);
  for (const s of SecurityOpt ?? []) f.push('--security-opt', s);
  if (Memory) f.push('--memory', String(Memory));
  if (MemorySwap) f.push('--memory-swap', String(MemorySwap));
  for (const u of Ulimits ?? []) f.push('--ulimit', `${u.Name}=${u.Soft}:${u.Hard}`);
  if (PidsLimit) f.push('--pids-limit', String(PidsLimit));
  if (opts.User) f.push('--user', opts.User);
  if (Object.keys(restHost).length) f.push(`<HostConfig ${JSON.stringify(restHost)}>`);
  return f;
}

/**
 * Parses an RFC 3339 timestamp with up to nanosecond fractional seconds (as the
 * engine reports `State.StartedAt`) to nanoseconds since the epoch. `Date.parse`
 * keeps only milliseconds, so the fraction is read separately. null when unparseable.
 */
export function parseRfc3339Nanos(s: string): bigint | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return null;
  const ms = Date.parse(m[1] + m[3]);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * Splits the engine's multiplexed log stream (8-byte frames: stream id, 3 zero
 * bytes, big-endian payload length) into stdout and stderr. A buffer that is not
 * framed (a TTY container) is all stdout.
 */
export function demuxLogs(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    if (kind > 2 || buf[off + 1] !== 0 || buf[off + 2] !== 0 || buf[off + 3] !== 0) break;
    const size = buf.readUInt32BE(off + 4);
    if (off + 8 + size > buf.length) break;
    (kind === 2 ? err : out).push(buf.subarray(off + 8, off + 8 + size));
    off += 8 + size;
  }
  if (off < buf.length) {
    if (off === 0) return { stdout: buf.toString('utf8'), stderr: '' };
    throw new Error(`docker: malformed log stream (${buf.length - off} trailing bytes)`);
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/**
 * Registers a wait for the container's next exit and resolves once the engine has
 * sent the response headers: the daemon registers the waiter before it writes
 * them, so a start issued after this cannot exit unseen (the race that a plain
 * `wait()` after `start()` — or a `wait()` promise issued concurrently — has for
 * a program that exits in a millisecond). The returned promise is the exit status.
 */
function registerWait(d: Docker, id: string): Promise<{ response: IncomingMessage; status: Promise<{ StatusCode: number }> }> {
  return new Promise((resolve, reject) => {
    d.modem.dial(
      {
        path: `/containers/${id}/wait?`,
        method: 'POST',
        options: { condition: 'next-exit' },
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
      },
      (err, res) => {
        if (err) return reject(err);
        const response = res as IncomingMessage;
        const status = new Promise<{ StatusCode: number }>((ok, fail) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('error', fail);
          response.on('aborted', () => fail(new Error('docker: wait aborted')));
          // A daemon that goes away closes the socket without an error (after 'end' this is a no-op).
          response.on('close', () => fail(new Error('docker: the engine closed the wait (the daemon stopped?)')));
          response.on('end', () => {
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { StatusCode: number; Error?: { Message?: string } | null };
              if (body.Error?.Message) fail(new Error(`docker: wait failed: ${body.Error.Message}`));
              else ok(body);
            } catch (e) {
              fail(new Error(`docker: unreadable wait response: ${(e as Error).message}`));
            }
          });
        });
        resolve({ response, status });
      },
    );
  });
}

const now = () => process.hrtime.bigint();
const msSince = (t: bigint) => Number(now() - t) / 1e6;

/** One ready variant: runs, probes and describe() over what prepare() found. */
function readyVariant(spec: VariantSpec, v: VariantConfig, image: LocalImage, engine: Engine, grants: readonly Grant[], runtime: RuntimeInfo, notes: readonly string[], cli: string | null): PreparedVariant {
  return ready(spec, {
    /** The Engine API calls; the equivalent `docker run --rm` (same options) when a docker CLI is on PATH, for the cross-check. */
    invocation: (req) => ({
      kind: 'api',
      calls: 'Engine API: create, wait (next-exit), start, wait, logs, inspect, remove',
      equivalent: cli ? { argv: [cli, 'run', ...cliFlags(createOptions(v, image.tag, [], grants, engine.meter)), image.tag, ...req.args], env: (process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) as Record<string, string> } : null,
    }),
    run: (req) => runContainer(engine, v, image.imageId, req, grants),
    /**
     * A probe is a normal run of the variant with `grantDir` bind-mounted at the first grant's guest path.
     * The variant's own config holds the limits (req.limits is not used), and a container
     * never sees the client's environment.
     */
    probe: (req) => runContainer(engine, v, image.imageId, { args: req.args, timeoutMs: req.timeoutMs }, withGrantDir(grants, req.grantDir)),
    /**
     * K run()s at once: each its own create → start → wait → logs → remove, the engine serving them
     * concurrently; no memory figure, no inspect. A request answers after its container's removal,
     * as docker run --rm does (its CLI waits until the container is removed).
     */
    burst: (req) => {
      const burstId = randomBytes(6).toString('hex');
      return concurrentBurst((r) => runContainer(engine, v, image.imageId, r, grants, burstId), req, `${req.concurrency} containers at once through the Engine API, each created, started, waited for and removed as docker run --rm does`);
    },
    ...(spec.layer ? { park: (req: ParkRequest) => parkContainers(engine, v, image.imageId, req, grants) } : {}),
    describe: () => {
      const opts = createOptions(v, image.tag, [], grants, engine.meter);
      return {
        runtime,
        how: `the Engine API calls that docker run ${cliFlags(opts).join(' ')} ${image.tag} makes: create/start/wait/remove`,
        artifact: image.id,
        grants: [...grantLines(grants, (g) => `${g.readOnly ? 'read-only' : 'writable'} bind mount`), ...v.grants],
        ...(notes.length ? { notes: [...notes] } : {}),
      };
    },
  });
}

/**
 * The workload as a Docker container, through the Engine API (dockerode): one
 * create → start → wait → remove cycle per run, as `docker run --rm` does, from
 * the workload's image (for the C workload a FROM-scratch image holding only the
 * static binary). The workload's grants are bind-mounted; no network. Each API phase is timed (`create`,
 * `wait_register`, `start`, `wait`, `logs`, `inspect`, `remove`), and the
 * engine's State.FinishedAt − State.StartedAt is reported as `container_process`;
 * it is the daemon's view, not the process's own clock, and for a millisecond
 * workload it can be slightly negative (see the comment where it is computed).
 */
export const docker: TargetDefinition = {
  id: 'docker',
  summary: 'the workload image as a container through the Docker Engine API (create/start/wait/remove per run, as docker run --rm)',
  variants: SPECS,
  capabilityRows: [
    {
      suffix: 'default',
      variant: 'default',
      limitsText: 'none (Docker defaults)',
      netNamespace: true,
      policyNote: 'Docker defaults plus the harness\'s NetworkMode none (every docker variant here has it). On the default bridge the result would be the same for this probe: 127.0.0.1 in a container is its own loopback, so a loopback connect can never reach the host listener.',
    },
    { suffix: 'hardened', variant: 'hardened', limitsText: `--memory 256m --memory-swap 256m --pids-limit 64 --ulimit cpu=${CPU_LIMIT_SECONDS}:${CPU_LIMIT_SECONDS}, read-only rootfs, cap-drop ALL, no-new-privileges, user 65534`, netNamespace: true },
  ],
  caveats: ['Docker is measured through the Engine API (create/start/wait/remove, what `docker run --rm` does), so no docker CLI process start is included; its peak memory is the container\'s cgroup peak, not the daemon\'s.'],
  prerequisites: [
    {
      name: 'docker engine',
      async check() {
        const d = await connectDocker();
        if (d.ok) return { ok: true, detail: d.version };
        // No daemon answering: setup starts one (installing the engine first when there is none); a permission problem is the user's to fix.
        const fix = !d.noDaemon ? undefined : (await onPath('dockerd')) ? (['dockerd'] as const) : (['packages', 'dockerd'] as const);
        return { ok: false, detail: `${d.reason} — ${d.hint}`, fix };
      },
    },
  ],

  async version(): Promise<string | null> {
    const conn = await connectDocker();
    return conn.ok ? conn.version : null;
  },

  async runtimeFiles() {
    return [
      {
        name: 'docker engine',
        files: ['dockerd', 'containerd', 'containerd-shim-runc-v2', 'runc', 'docker-init'].map((label) => ({ label, candidates: [label] })),
      },
    ];
  },

  /** Containers labelled wvc=1 (with the pid of the harness that made them): what a killed run left in the engine. */
  async leftovers(): Promise<Leftover[]> {
    const conn = await connectDocker();
    if (!conn.ok) return [];
    const list = await conn.docker.listContainers({ all: true, filters: { label: ['wvc=1'] } }).catch(() => []);
    return list.map((c) => ({
      what: `docker container ${c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)} (${c.State}, image ${c.Image})`,
      pid: pidOf(c.Labels?.[PID_LABEL]),
      remove: () => conn.docker.getContainer(c.Id).remove({ force: true }),
    }));
  },

  /** Each workload image's sizes and its `docker load` cost; a base (image-node-base) is loaded with the image built on it, not on its own. */
  async footprint(ctx): Promise<TargetFootprint> {
    const conn = await connectDocker();
    if (!conn.ok) return { images: [], rollout: [], notes: ['no image sizes or docker load cost: no Docker engine'] };
    const work = await harnessTempDir('images');
    try {
      const m = await measureImages(conn.docker, ctx.artifacts.filter((a) => a.kind === 'image' && splitArtifactId(a.id)), ctx.runs, work, ctx.sizeCache);
      return { images: m.images, rollout: m.rollout, notes: [] };
    } catch (e) {
      return { images: [], rollout: [], notes: [`image footprint failed: ${e instanceof Error ? e.message : String(e)}`] };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },

  async prepare(ctx: PrepareContext) {
    if (!ctx.workload.artifacts.image) return notDeclared(ctx, 'image', 'docker');
    const conn = await connectDocker();
    if (!conn.ok) return { status: 'skipped', reason: conn.reason, hint: conn.hint };
    // In declaration order: a variant that cannot run here, or the image a ready one runs.
    const found: (PreparedVariant | { spec: VariantSpec; v: VariantConfig; image: LocalImage })[] = [];
    for (const [name, v] of Object.entries(VARIANTS)) {
      const spec = specOf(SPECS, name);
      if (!ctx.workload.artifacts[v.artifact]) {
        found.push(inapplicable(spec, `docker/${name} runs artifacts.${v.artifact}, which workload ${ctx.workload.name} does not declare`));
        continue;
      }
      const art = findArtifact(ctx, v.artifact);
      if (!art?.imageId || !art.tag) {
        const why = skippedArtifact(ctx, v.artifact);
        if (name === 'default') return { status: 'skipped', reason: why?.reason ?? `image ${v.artifact} not built`, hint: why?.hint ?? buildHint(ctx, ' (needs a running Docker daemon)') };
        found.push(unavailable(spec, why?.reason ?? `image ${v.artifact} not built`, why?.hint ?? buildHint(ctx)));
        continue;
      }
      let id: string | undefined;
      try {
        id = (await conn.docker.getImage(art.imageId).inspect()).Id;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      }
      if (id !== art.imageId) {
        if (name === 'default') return { status: 'skipped', reason: `image ${art.tag} (${art.imageId.slice(7, 19)}) is not in the Docker engine`, hint: buildHint(ctx) };
        found.push(unavailable(spec, `image ${art.tag} is not in the Docker engine`, buildHint(ctx)));
        continue;
      }
      found.push({ spec, v, image: { ...art, imageId: art.imageId, tag: art.tag } });
    }
    const m = await createPeakMeter(await conn.docker.info());
    const engine: Engine = { docker: conn.docker, meter: 'unavailable' in m ? null : m, live: true };
    const notes = 'unavailable' in m ? [`no container memory figure: ${m.unavailable}`] : [];
    let runtime: RuntimeInfo = { name: 'docker', version: conn.version };
    try {
      const ver = await conn.docker.version();
      const parts = (ver.Components ?? [])
        .filter((c) => c.Name === 'containerd' || c.Name === 'runc')
        .map((c) => `${c.Name} ${c.Version}`);
      if (parts.length) runtime = { name: 'docker', version: `${conn.version} (${parts.join(', ')})` };
    } catch {
      // The component versions are a nicety; the engine version is already known.
    }
    const grants = ctx.workload.grants;
    const cli = await onPath('docker');
    return {
      status: 'ok',
      runtime,
      variants: found.map((f) => ('status' in f ? f : readyVariant(f.spec, f.v, f.image, engine, grants, runtime, notes, cli))),
      async dispose() {
        engine.live = false;
      },
    };
  },
};

/**
 * One create → start → wait → logs → inspect → remove cycle, with the grants bind-mounted. A burst's
 * run (`burst`: the burst's id, labelled) takes no memory figure: its containers overlap, so the
 * cgroup parent's peak would span them; it is safe to call concurrently (no name, no shared state).
 */
async function runContainer(e: Engine, v: VariantConfig, imageId: string, req: RunRequest, g: readonly Grant[], burst: string | null = null): Promise<RunResult> {
  // A daemon that stops mid-call can leave a request that neither answers nor fails: the watchdog
  // turns that into an error (and keeps the process from exiting with the call still pending).
  const limit = (req.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 2 * KILL_GRACE_MS + ENGINE_SLACK_MS;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      runContainerCycle(e, v, imageId, req, g, burst),
      new Promise<never>((_, reject) => {
        watchdog = setTimeout(() => reject(new Error(`docker: the engine did not answer within ${Math.round(limit / 1000)} s (the daemon stopped?)`)), limit);
      }),
    ]);
  } finally {
    clearTimeout(watchdog);
  }
}

async function runContainerCycle(e: Engine, v: VariantConfig, imageId: string, req: RunRequest, g: readonly Grant[], burst: string | null): Promise<RunResult> {
    const { docker: d } = e;
    // A burst's containers overlap, so the cgroup parent's peak would span them: they get the same parent, but no figure.
    const meter = burst === null ? e.meter : null;
    if (!e.live) throw new Error('docker: run() after dispose()');
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const phases: Record<string, number> = {};
    let container: Docker.Container | null = null;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let waitResponse: IncomingMessage | null = null;
    let stdout = '';
    let stderr = '';
    let exitCode: number | null = null;
    let failure: unknown = null;
    let peakBytes: number | undefined;
    let excludedMs = 0;
    let oomKilled = false;

    const t0 = now();
    try {
      let t = now();
      container = await d.createContainer(createOptions(v, imageId, req.args, g, e.meter, burst === null ? {} : { [BURST_LABEL]: burst }));
      phases.create = msSince(t);
      const c = container;

      t = now();
      const wait = await registerWait(d, c.id);
      waitResponse = wait.response;
      phases.wait_register = msSince(t);

      const remaining = Math.max(0, timeoutMs - msSince(t0));
      const exited = new Promise<{ StatusCode: number }>((resolve, reject) => {
        wait.status.then(resolve, reject);
        killTimer = setTimeout(() => {
          timedOut = true;
          c.kill().catch(() => undefined);
          graceTimer = setTimeout(() => {
            wait.response.destroy();
            reject(new Error(`docker: container ${c.id.slice(0, 12)} did not exit ${KILL_GRACE_MS} ms after kill`));
          }, KILL_GRACE_MS);
        }, remaining);
      });
      // A start failure would otherwise leave `exited` rejecting with nobody listening.
      exited.catch(() => undefined);

      // Outside the timed phases: the reset is the harness's bookkeeping, not Docker's cost.
      const tReset = now();
      await meter?.reset();
      const resetMs = msSince(tReset);

      t = now();
      await c.start();
      phases.start = msSince(t);

      t = now();
      const status = await exited;
      phases.wait = msSince(t);
      exitCode = timedOut ? null : status.StatusCode;
      if (meter) {
        const tRead = now();
        peakBytes = await meter.read();
        excludedMs = resetMs + msSince(tRead);
      }

      t = now();
      const raw = (await c.logs({ stdout: true, stderr: true, follow: false })) as Buffer | string;
      ({ stdout, stderr } = demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'binary')));
      phases.logs = msSince(t);

      // The phase figures are not a burst's concern, and docker run --rm makes no inspect call.
      if (burst === null) {
        t = now();
        const state = (await c.inspect()).State;
        phases.inspect = msSince(t);
        oomKilled = state.OOMKilled === true;
        const started = parseRfc3339Nanos(state.StartedAt);
        const finished = parseRfc3339Nanos(state.FinishedAt);
        // Kept signed: the daemon stamps StartedAt after containerd reports the task started, but
        // FinishedAt from the exit event, so a process that lives ~1 ms can show a small negative span.
        // Dropping or clamping those would bias the distribution upwards.
        if (started !== null && finished !== null && started > 0n && finished > 0n) phases.container_process = Number(finished - started) / 1e6;
      }
    } catch (e) {
      failure = e;
    } finally {
      clearTimeout(killTimer);
      clearTimeout(graceTimer);
      // When start failed the wait is still open; an open request would keep Node's event loop alive.
      waitResponse?.destroy();
      if (container) {
        const t = now();
        try {
          await container.remove({ force: true });
          phases.remove = msSince(t);
        } catch (e) {
          // 404: the engine already removed it; anything else is worth reporting, after the primary failure.
          if ((e as { statusCode?: number }).statusCode !== 404) failure ??= e;
        }
      }
    }
    const durationMs = msSince(t0) - excludedMs;
    if (failure) throw failure;
    const result: RunResult = { stdout, stderr, exitCode, signal: timedOut ? 'SIGKILL' : null, durationMs, phases };
    if (peakBytes !== undefined && meter) result.memory = { peakBytes, covers: meter.covers };
    if (timedOut) result.timedOut = true;
    if (oomKilled) result.oomKilled = true;
    return result;
}


/** How many engine calls the park and its release have in flight at once. */
const PARK_CALLS = 8;
/** How long release() waits for the parked containers' processes to be gone after removal. */
const GONE_WAIT_MS = 10_000;

/** Resolves with the first stdout line (and its newline) of a container's followed log stream; rejects when the stream ends first. */
function firstLogLine(d: Docker, stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    let errText = '';
    let done = false;
    out.on('data', (b: Buffer) => {
      text += b.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0 && !done) {
        done = true;
        resolve(text.slice(0, nl + 1));
      }
    });
    err.on('data', (b: Buffer) => {
      if (errText.length < 4096) errText += b.toString('utf8');
    });
    d.modem.demuxStream(stream, out, err);
    const ended = (why: string) => () => {
      if (done) return;
      done = true;
      reject(new Error(`docker: the container ${why} before its ready line${errText.trim() ? `: ${errText.trim().slice(0, 200)}` : ''}${text ? ` (stdout ${JSON.stringify(text.slice(0, 120))})` : ''}`));
    };
    stream.on('end', ended('exited'));
    stream.on('close', ended('log stream closed'));
    stream.on('error', (e: Error) => ended(`log stream failed (${e.message})`)());
  });
}

/**
 * Parks `req.instances` containers at once, each created with the options run() uses (the
 * variant's HostConfig, the grants, NetworkMode none) plus a `wvc.park=<id>` label, started,
 * and ready at its first stdout line (a followed log stream, closed after it). pids() sums
 * dockerd, the containerd its shims report to, and each container's shim with its
 * descendants (the container's processes). release() removes every container with the
 * label (--force: SIGKILL, then remove) and waits until their processes are gone. The containers
 * are AutoRemove (as `docker run --rm`), so one the harness never released goes when its guest ends.
 */
async function parkContainers(e: Engine, v: VariantConfig, imageId: string, req: ParkRequest, g: readonly Grant[]): Promise<Parked> {
  const { docker: d } = e;
  if (!e.live) throw new Error('docker: park() after dispose()');
  const parkId = randomBytes(6).toString('hex');
  const opts = createOptions(v, imageId, req.args, g, e.meter);
  opts.Labels = { ...opts.Labels, [PARK_LABEL]: parkId };
  // The guest ends by itself after its park time; should the harness die before release(), the engine then removes the container.
  opts.HostConfig = { ...opts.HostConfig, AutoRemove: true };
  const initPids: number[] = [];
  const streams: NodeJS.ReadableStream[] = [];
  let aborted = false;
  // Every instance's start, settled or not, so that release() waits for creates still in flight.
  const starts: Promise<unknown>[] = [];

  const startOne = async (): Promise<string> => {
    const c = await d.createContainer(opts);
    if (aborted) throw new Error('docker: park aborted');
    await c.start();
    if (aborted) throw new Error('docker: park aborted');
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await c.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) throw new Error('docker: the container exited and was removed before its ready line');
      throw err;
    }
    streams.push(stream);
    try {
      const line = await firstLogLine(d, stream);
      const pid = (await c.inspect()).State.Pid;
      if (pid > 0) initPids.push(pid);
      return line;
    } finally {
      (stream as unknown as { destroy?: () => void }).destroy?.();
    }
  };

  const ours = async () => (await d.listContainers({ all: true, filters: { label: [`${PARK_LABEL}=${parkId}`] } })).map((c) => c.Id);
  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      aborted = true;
      for (const s of streams) (s as unknown as { destroy?: () => void }).destroy?.();
      // A create still in flight would make a container after the sweep: wait for each start to settle, bounded.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(starts), new Promise((r) => (bound = setTimeout(r, KILL_GRACE_MS)))]);
      clearTimeout(bound);
      const shims = await shimsOf(initPids);
      const failures: string[] = [];
      // remove --force: SIGKILL, then remove. An auto-removal already under way answers 409 and finishes by itself.
      const until = Date.now() + GONE_WAIT_MS;
      for (let ids = await ours(); ids.length; ids = await ours()) {
        if (Date.now() > until) throw new Error(`docker: ${ids.length} parked container(s) still there ${GONE_WAIT_MS} ms into the release${failures.length ? `: ${failures.join('; ')}` : ''}`);
        failures.length = 0;
        await mapLimit(ids, PARK_CALLS, async (id) => {
          try {
            await d.getContainer(id).remove({ force: true });
          } catch (err) {
            const code = (err as { statusCode?: number }).statusCode;
            if (code !== 404 && code !== 409) failures.push(`${id.slice(0, 12)}: ${(err as Error).message}`);
          }
        });
        await new Promise((r) => setTimeout(r, 50));
      }
      // Removal returns once the engine has dropped the container; its shim and processes may take a moment more.
      const watched = [...initPids, ...shims];
      const gone = Date.now() + GONE_WAIT_MS;
      for (;;) {
        const live = new Set((await processTable()).map((p) => p.pid));
        const still = watched.filter((p) => live.has(p));
        if (!still.length) break;
        if (Date.now() > gone) throw new Error(`docker: processes ${still.join(', ')} of the parked containers still alive ${GONE_WAIT_MS} ms after removal`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })());

  let timer: NodeJS.Timeout | undefined;
  try {
    const all = Array.from({ length: req.instances }, () => startOne());
    starts.push(...all);
    for (const p of all) p.catch(() => undefined);
    const ready = await Promise.race([
      Promise.all(all),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`docker: ${req.instances} parked containers not all ready after ${req.timeoutMs} ms`)), req.timeoutMs);
      }),
    ]);
    return {
      ready,
      covers: 'dockerd + the containerd its shims report to + each parked container\'s containerd-shim-runc-v2 and its descendants (the container\'s processes)',
      pids: async () => {
        const shims = await shimsOf(initPids);
        const dockerd = await pidsByComm('dockerd');
        const sock = shims.length ? await shimAddress(shims[0]!) : null;
        let containerd = sock ? await socketListener(sock, 'containerd') : null;
        // Without the socket's owner (no shim yet, or /proc/<pid>/fd unreadable): the containerd dockerd started itself.
        containerd ??= (await processTable()).find((p) => p.comm === 'containerd' && dockerd.includes(p.ppid))?.pid ?? null;
        return [...dockerd, ...(containerd !== null ? [containerd] : []), ...(await withDescendants(shims))];
      },
      release,
    };
  } catch (err) {
    clearTimeout(timer);
    try {
      await release();
    } catch (relErr) {
      throw new Error(`${(err as Error).message}; and the release after it failed: ${(relErr as Error).message}`);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
