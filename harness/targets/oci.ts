import { CPU_LIMIT_SECONDS } from '../measure/limits.js';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, existsSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { access, constants, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import type Docker from 'dockerode';
import { connectDocker } from '../util/docker.js';
import { FRESH_MS, createPeakMeter, emptyChildCgroups, type PeakMeter } from '../util/cgroup-peak.js';
import { run as spawnRun } from '../util/spawn.js';
import { concurrentBurst } from '../util/burst.js';
import { PID_LABEL, harnessTempDir, pidOf } from '../util/leftovers.js';
import { BUILD_DIR } from '../paths.js';
import { firstLine, startParked, type ParkedProcess } from '../util/park.js';
import { mapLimit } from '../util/pool.js';
import { processTable, withDescendants } from '../util/proc.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, notDeclared, processInvocation, ready, skippedArtifact, specOf, unavailable, withGrantDir, buildHint } from './common.js';
import { probeEnv } from './probe-support.js';
import type { Artifact, BurstRequest, BurstRun, Leftover, Parked, ParkRequest, Preparation, PreparedVariant, PrepareContext, RunResult, RuntimeInfo, TargetDefinition, VariantSpec } from './types.js';

/**
 * The workload's image run by an OCI runtime directly (runc, crun) on a bundle the
 * harness owns: the layer under containerd and dockerd, with no daemon, image
 * store or shim. The image's filesystem is unpacked once (from `docker export` of
 * a created, never started container) into build/oci/<image id>/rootfs, and the
 * harness writes each container's config.json itself, in the shape of `runc spec`'s
 * default: new pid/net/ipc/uts/mount namespaces (the new network namespace holds
 * only loopback), a read-only root, the usual masked and read-only paths, /proc,
 * /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys (ro) and /sys/fs/cgroup (ro), the
 * workload's grants as rbind mounts, and the process the image would run under
 * docker (Entrypoint + Cmd, Env, WorkingDir) followed by the guest args.
 *
 * A sample is one `runc run --bundle DIR ID` process, timed spawn to reap by the
 * harness's spawner: runc creates, starts, waits for and deletes the container in
 * it. Each sample gets a fresh container id and its own bundle directory (a
 * config.json naming the container's own cgroup under a harness-owned parent,
 * whose memory high-water mark is the sample's peak, as for docker).
 */

/** The cgroup parent the containers of this target run under (not docker's: a docker run can overlap an oci one). */
export const OCI_CGROUP_PARENT = 'wvc-oci';
/** The container id the recorded invocation uses; every sample uses a fresh `wvc-<random>` instead. */
export const SAMPLE_ID = 'wvc-sample';
/** Every container id this target makes starts with this, so leftovers can be listed (`runc list`). */
export const ID_PREFIX = 'wvc-';
/** The ids of a burst's containers (`wvc-burst-<random>`) and of a park's (`wvc-park-<park id>-<index>`). */
export const BURST_ID_PREFIX = `${ID_PREFIX}burst-`;
export const PARK_ID_PREFIX = `${ID_PREFIX}park-`;

const DEFAULT_TIMEOUT_MS = 30_000;
// After the kill at timeoutMs, how long the runtime gets to reap the container before the run is a harness fault.
const KILL_GRACE_MS = 10_000;
const KILL_RETRY_MS = 50;
const MIB = 2 ** 20;
const HARDENED_MEMORY = 256 * MIB;
const HARDENED_PIDS = 64;
const HARDENED_CPU_SECONDS = CPU_LIMIT_SECONDS;
const NOBODY = 65534;

type RuntimeName = 'runc' | 'crun';

/** One way of running the bundle. Adding a variant is one entry here. */
interface VariantConfig {
  runtime: RuntimeName;
  label: string;
  hardened: boolean;
  grants: string[];
}

// An empty env would be the stricter choice; the image's Env is what docker gives a container,
// so the comparison with docker is like for like (and an image whose Entrypoint is a bare name,
// such as `node`, needs its PATH: runc resolves argv[0] on the container's PATH).
const ENV_GRANT = 'env: image defaults only (the image\'s Env, as the docker target gives; chosen over an empty env for a like-for-like comparison with docker)';
const DEFAULT_GRANTS = [
  'fs: read-only root filesystem (the unpacked image; docker/default\'s root is writable)',
  'net: none (a new network namespace holding only loopback)',
  ENV_GRANT,
  'caps: runc spec default (CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE), no-new-privileges',
  'user: image default (root unless the image sets User)',
  'seccomp: none (runc spec\'s default has no profile; docker applies its default profile)',
];

export const VARIANTS: Readonly<Record<string, VariantConfig>> = {
  runc: {
    runtime: 'runc',
    label: 'oci runc (the workload image as an OCI bundle, runc spec defaults, read-only root)',
    hardened: false,
    grants: DEFAULT_GRANTS,
  },
  crun: {
    runtime: 'crun',
    label: 'oci crun (the same bundle and config under crun)',
    hardened: false,
    grants: DEFAULT_GRANTS,
  },
  'runc-hardened': {
    runtime: 'runc',
    label: 'oci runc (hardened: no caps, no-new-privileges, uid 65534, memory 256 MiB no swap, pids 64, RLIMIT_CPU 2 s, read-only root)',
    hardened: true,
    grants: [
      'fs: read-only root filesystem (the unpacked image)',
      'net: none (a new network namespace holding only loopback)',
      ENV_GRANT,
      'caps: none (every set empty), no-new-privileges',
      `user: ${NOBODY}:${NOBODY}`,
      `memory: ${HARDENED_MEMORY / MIB} MiB, no swap (cgroup memory limit = memory+swap limit)`,
      `pids: ${HARDENED_PIDS}`,
      `cpu time: ${HARDENED_CPU_SECONDS} s (RLIMIT_CPU, like docker hardened's --ulimit cpu=${HARDENED_CPU_SECONDS})`,
      'seccomp: none',
    ],
  },
};

const NOTES = [
  'One `runc run` (or `crun run`) process per sample, timed spawn to reap by the harness\'s spawner: the runtime creates, starts, waits for and deletes the container inside it, so there is no phase split (phaseSource null). Timing runc create/start separately would need the container\'s stdio set up at create and a subreaper to collect its exit status (what a containerd shim is), which the harness\'s Node process cannot be.',
  `Each sample uses a fresh container id (${ID_PREFIX}<random>) and its own bundle directory whose config.json names that id's cgroup; the recorded command uses the illustrative id ${SAMPLE_ID} with a bundle written for it, and runs as recorded.`,
  'The root filesystem is read-only on every oci variant (runc spec\'s default), unlike docker/default.',
];

const SPECS: readonly VariantSpec[] = Object.entries(VARIANTS).map(([name, v]) => ({
  name,
  label: v.label,
  class: 'container',
  phaseSource: null,
  cacheState: 'bundle unpacked on disk at prepare: nothing is pulled or unpacked per run',
  warm: { none: 'no in-process equivalent: the nearest is a new container per request, which is the cold start' },
  exitCodes: 'exact',
  notes: NOTES,
  // A container start costs tens of ms: verify samples, as for docker.
  verifySample: 100,
  // The bottom layer of the container stack: the OCI runtime itself, in its default configuration.
  ...(v.hardened ? {} : { layer: { name: v.runtime, depth: 0 } }),
}));

// ---- the runtimes ------------------------------------------------------------

export interface OciRuntime {
  name: RuntimeName;
  /** Absolute path. */
  bin: string;
  /** First line of `--version`. */
  version: string;
}

const FALLBACK_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The runtime named by $RUNC / $CRUN, else the first `runc` / `crun` on PATH or in the sbin directories that answers `--version`. */
export async function findOciRuntime(name: RuntimeName): Promise<OciRuntime | null> {
  const override = process.env[name.toUpperCase()];
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...FALLBACK_DIRS];
  const candidates = override ? [path.resolve(override)] : [...new Set(dirs.map((d) => path.join(path.resolve(d), name)))];
  for (const bin of candidates) {
    try {
      await access(bin, constants.X_OK);
      const { stdout } = await execa(bin, ['--version'], { env: {}, extendEnv: false, timeout: 10_000 });
      return { name, bin, version: stdout.split('\n')[0]!.trim() };
    } catch {
      // not here, or not runnable
    }
  }
  return null;
}

/** How the target drives one runtime: its global flags, and whether its containers get a cgroup under the meter's parent. */
interface Driver extends OciRuntime {
  flags: string[];
  cgroups: boolean;
}

/** Runs a runtime subcommand (kill, delete) outside any timing; resolves with its output, never rejects. */
async function runtimeCmd(d: Driver, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await execa(d.bin, [...d.flags, ...args], { env: {}, extendEnv: false, timeout: KILL_GRACE_MS, reject: false });
  return { ok: !r.failed, out: `${r.stdout}${r.stderr}` || r.message || '' };
}

/** `delete --force ID`; a container that no longer exists is the usual case (the run deleted it). Returns an error text otherwise. */
async function forceDelete(d: Driver, id: string): Promise<string | null> {
  const r = await runtimeCmd(d, ['delete', '--force', id]);
  if (r.ok || /does not exist|not exist|no such file|not found/i.test(r.out)) return null;
  return `${d.name} delete --force ${id}: ${r.out.trim()}`;
}

// ---- the bundle ---------------------------------------------------------------

/** What the container runs, from the image's Config, resolved as docker would. */
export interface ImageProcess {
  imageId: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
}

/** The image's User (`uid`, `uid:gid`, `name`, `name:group`) as numbers, names looked up in the rootfs' /etc/passwd and /etc/group. */
async function resolveUser(user: string, rootfs: string): Promise<{ uid: number; gid: number }> {
  if (!user) return { uid: 0, gid: 0 };
  const [u, g] = user.split(':') as [string, string | undefined];
  const table = async (file: string) =>
    (await readFile(path.join(rootfs, 'etc', file), 'utf8').catch(() => ''))
      .split('\n')
      .map((l) => l.split(':'))
      .filter((f) => f.length >= 4);
  const passwd = await table('passwd');
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    // As docker: a numeric user's primary group from /etc/passwd when listed, else 0.
    const row = passwd.find((f) => Number(f[2]) === uid);
    gid = row ? Number(row[3]) : 0;
  } else {
    const row = passwd.find((f) => f[0] === u);
    if (!row) throw new Error(`oci: the image's User ${user} is not in its /etc/passwd`);
    uid = Number(row[2]);
    gid = Number(row[3]);
  }
  if (g !== undefined) {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const row = (await table('group')).find((f) => f[0] === g);
      if (!row) throw new Error(`oci: the image's group ${g} is not in its /etc/group`);
      gid = Number(row[2]);
    }
  }
  return { uid, gid };
}

/** The process args docker would run: Entrypoint, then the guest args, or the image's Cmd when there are none. */
export function processArgs(p: Pick<ImageProcess, 'entrypoint' | 'cmd'>, args: readonly string[]): string[] {
  const out = [...p.entrypoint, ...(args.length ? args : p.cmd)];
  if (!out.length) throw new Error('oci: the image has no Entrypoint or Cmd, and no args were given');
  return out;
}

const ALL_CAP_SETS = ['bounding', 'effective', 'permitted', 'ambient'] as const;
const RUNC_SPEC_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/**
 * One container's config.json, in the shape `runc spec` writes by default (its
 * capabilities, rlimit, mounts, masked and read-only paths, namespaces, device
 * rule), with terminal off, the image's process, the grants as bind mounts and,
 * for the hardened variant, its user, empty capability sets and limits.
 */
export function ociConfig(o: { image: ImageProcess; rootfs: string; args: readonly string[]; grants: readonly Grant[]; id: string; hardened: boolean; cgroupsPath: string | null }): Record<string, unknown> {
  const caps = o.hardened ? [] : RUNC_SPEC_CAPS;
  const rlimits: { type: string; hard: number; soft: number }[] = [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }];
  if (o.hardened) rlimits.push({ type: 'RLIMIT_CPU', hard: HARDENED_CPU_SECONDS, soft: HARDENED_CPU_SECONDS });
  const resources: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
  // swap is the memory+swap limit: equal to the memory limit, no swap on top.
  if (o.hardened) Object.assign(resources, { memory: { limit: HARDENED_MEMORY, swap: HARDENED_MEMORY }, pids: { limit: HARDENED_PIDS } });
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: o.hardened ? { uid: NOBODY, gid: NOBODY } : { uid: o.image.uid, gid: o.image.gid },
      args: processArgs(o.image, o.args),
      env: [...o.image.env],
      cwd: o.image.cwd,
      capabilities: Object.fromEntries(ALL_CAP_SETS.map((s) => [s, [...caps]])),
      rlimits,
      noNewPrivileges: true,
    },
    root: { path: o.rootfs, readonly: true },
    hostname: o.id,
    // The harness process that made it: a later run or `wvc clean` can tell a leftover from a live container.
    annotations: { [PID_LABEL]: String(process.pid) },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ...o.grants.map((g) => ({ destination: g.guest, type: 'bind', source: g.host, options: ['rbind', g.readOnly === false ? 'rw' : 'ro'] })),
    ],
    linux: {
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
      resources,
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** The unpacked image: build/oci/<12 hex of the image id>/{rootfs,image.json}. */
interface Unpacked {
  dir: string;
  rootfs: string;
  image: ImageProcess;
}

type Skip = { skip: true; reason: string; hint: string };

/** Extracts a tar stream into `dir` with the system tar (ownership, modes, links and device nodes as the image has them). */
async function untar(stream: NodeJS.ReadableStream, dir: string): Promise<void> {
  try {
    await execa('tar', ['-x', '--numeric-owner', '-f', '-', '-C', dir], { input: stream as Readable, stdout: 'ignore' });
  } catch (e) {
    throw new Error(`oci: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The image's rootfs and process, unpacked once: a cached unpack of the same image
 * id is reused (no daemon needed); otherwise a container is created (never started)
 * from the image, exported into a temporary directory that is renamed into place
 * when complete, and removed.
 */
async function unpackImage(ctx: PrepareContext, art: Artifact & { imageId: string }): Promise<Unpacked | Skip> {
  const short = art.imageId.replace(/^sha256:/, '').slice(0, 12);
  const base = path.join(ctx.buildDir, 'oci');
  const dir = path.join(base, short);
  const cached = async (): Promise<Unpacked | null> => {
    try {
      const image = JSON.parse(await readFile(path.join(dir, 'image.json'), 'utf8')) as ImageProcess;
      await access(path.join(dir, 'rootfs'));
      return image.imageId === art.imageId ? { dir, rootfs: path.join(dir, 'rootfs'), image } : null;
    } catch {
      return null;
    }
  };
  const hit = await cached();
  if (hit) return hit;

  const conn = await connectDocker();
  if (!conn.ok) return { skip: true, reason: `${conn.reason} (needed once, to export the image's filesystem)`, hint: conn.hint };
  let info: Docker.ImageInspectInfo;
  try {
    info = await conn.docker.getImage(art.imageId).inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    return { skip: true, reason: `image ${art.tag ?? art.imageId} (${short}) is not in the Docker engine`, hint: buildHint(ctx) };
  }
  await mkdir(base, { recursive: true });
  const tmp = await mkdtemp(path.join(base, `.${short}-`));
  const rootfs = path.join(tmp, 'rootfs');
  await mkdir(rootfs);
  let container: Docker.Container | null = null;
  try {
    // Never started: the entrypoint is replaced so that create succeeds for any image; the export is the same.
    container = await conn.docker.createContainer({
      Image: art.imageId,
      Entrypoint: ['/wvc-oci-export-only'],
      Cmd: [],
      Labels: { 'wvc-oci': 'export' },
      HostConfig: { NetworkMode: 'none' },
    });
    await untar(await container.export(), rootfs);
    // Written by docker into every container's filesystem; this is not a docker container.
    await rm(path.join(rootfs, '.dockerenv'), { force: true });
    const cfg = info.Config;
    const image: ImageProcess = {
      imageId: art.imageId,
      entrypoint: cfg.Entrypoint ? (Array.isArray(cfg.Entrypoint) ? cfg.Entrypoint : [cfg.Entrypoint]) : [],
      cmd: cfg.Cmd ? (Array.isArray(cfg.Cmd) ? cfg.Cmd : [cfg.Cmd]) : [],
      env: cfg.Env ?? [],
      cwd: cfg.WorkingDir || '/',
      ...(await resolveUser(cfg.User ?? '', rootfs)),
    };
    await writeFile(path.join(tmp, 'image.json'), JSON.stringify(image, null, 2) + '\n');
    try {
      await rename(tmp, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      // Another preparation finished first, or a stale directory without a valid image.json.
      const other = await cached();
      if (other) return other;
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    }
    return { dir, rootfs: path.join(dir, 'rootfs'), image };
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Writes `config` as `<dir>/config.json` (to a temporary name, then renamed, so a reader never sees half a file). */
function writeConfigSync(dir: string, config: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.config.${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n');
  renameSync(tmp, path.join(dir, 'config.json'));
}

// ---- crun on this host ------------------------------------------------------

const CRUN_HYBRID = 'cgroups in hybrid mode not supported by crun 1.8.1 here (cgroup v1 with a cgroup2 mount)';

/**
 * Whether crun can start a container here, tried on an empty rootfs with a program
 * that does not exist: a runtime that gets as far as exec names the program. First
 * with cgroups under the meter's parent, then with `--cgroup-manager=disabled`.
 */
async function tryCrun(crun: OciRuntime, parent: string | null): Promise<{ driver: Driver } | { reason: string; hint: string }> {
  const work = await harnessTempDir('oci-crun');
  const missing = '/wvc-oci-trial-no-such-program';
  const modes: { flags: string[]; cgroups: boolean }[] = [
    ...(parent ? [{ flags: ['--cgroup-manager=cgroupfs'], cgroups: true }] : []),
    { flags: ['--cgroup-manager=disabled'], cgroups: false },
  ];
  let last = '';
  try {
    await mkdir(path.join(work, 'rootfs'));
    for (const m of modes) {
      const id = `${ID_PREFIX}${randomBytes(6).toString('hex')}`;
      const image: ImageProcess = { imageId: 'trial', entrypoint: [missing], cmd: [], env: [], cwd: '/', uid: 0, gid: 0 };
      writeConfigSync(work, ociConfig({ image, rootfs: path.join(work, 'rootfs'), args: [], grants: [], id, hardened: false, cgroupsPath: m.cgroups && parent ? `${parent}/${id}` : null }));
      const driver: Driver = { ...crun, ...m };
      const r = await runtimeCmd(driver, ['run', '--bundle', work, id]);
      await forceDelete(driver, id);
      if (r.out.includes(missing)) return { driver };
      last = r.out.trim().split('\n')[0] ?? '';
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (/hybrid mode not supported/i.test(last)) return { reason: CRUN_HYBRID, hint: 'run on a cgroup v2 host (systemd.unified_cgroup_hierarchy=1)' };
  return { reason: `crun cannot start a container here: ${last || 'no output'}`, hint: 'check `crun run` on a runc spec bundle by hand' };
}

// ---- running ------------------------------------------------------------------

/** What the runs of one preparation share. */
interface Prepared {
  unpacked: Unpacked;
  meter: PeakMeter | null;
  live: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The environment a probe's runtime process gets: the harness's own (see probeEnv), as strings; NOTIFY_SOCKET would make runc talk to systemd. */
function runtimeProbeEnv(): Record<string, string> {
  const env = probeEnv();
  delete env.NOTIFY_SOCKET;
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * Whether the kernel logged an OOM kill in this cgroup (`oom-kill:... task_memcg=<path>,`
 * in /dev/kmsg): runc reports none itself (its exit is 137 as for any SIGKILL), and in
 * cgroup v1 the counter lives in the container's own cgroup, which is gone once runc
 * returns. undefined when the kernel log cannot be read.
 */
function kernelOomKill(cgroupsPath: string): boolean | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const needle = `task_memcg=${cgroupsPath},`;
  const buf = Buffer.alloc(16384);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records overwritten while reading: go on from the oldest kept
        if (code === 'EAGAIN') return false;
        return undefined;
      }
      if (n === 0) return false;
      if (buf.toString('utf8', 0, n).includes(needle)) return true;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * One container (a burst's when `burst` is given: its id `wvc-burst-<random>`, no memory figure, its
 * cleanup handed to the burst; safe to call concurrently, each run having its own id, bundle and
 * cgroup): a fresh id and bundle, `<runtime> run`, through the harness's
 * spawner; at timeoutMs the container is killed (`kill ID KILL`, retried until the
 * run ends, since the container may not exist yet), and after every run it is
 * `delete --force`d. The sample's time is the spawner's spawn to reap of the runtime.
 */
async function runContainer(p: Prepared, d: Driver, v: VariantConfig, req: { args: readonly string[]; timeoutMs?: number }, grants: readonly Grant[], env: Record<string, string>, burst: Cleanups | null = null): Promise<RunResult> {
  if (!p.live) throw new Error('oci: run() after dispose()');
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const id = `${burst ? BURST_ID_PREFIX : ID_PREFIX}${randomBytes(6).toString('hex')}`;
  // A burst's containers overlap, so the parent's peak would span them: the same cgroup layout, but no figure.
  const meter = d.cgroups && !burst ? p.meter : null;
  const cgroupsPath = d.cgroups && p.meter ? `${p.meter.cgroupParent}/${id}` : null;
  const bundle = path.join(p.unpacked.dir, 'run', id);
  writeConfigSync(bundle, ociConfig({ image: p.unpacked.image, rootfs: p.unpacked.rootfs, args: req.args, grants, id, hardened: v.hardened, cgroupsPath }));

  let timedOut = false;
  let settled = false;
  let killing: Promise<void> = Promise.resolve();
  let killTimer: NodeJS.Timeout | undefined;
  let stuckTimer: NodeJS.Timeout | undefined;
  let failure: unknown = null;
  let result: RunResult | null = null;
  try {
    await meter?.reset();
    killTimer = setTimeout(() => {
      timedOut = true;
      killing = (async () => {
        while (!settled) {
          await runtimeCmd(d, ['kill', id, 'KILL']);
          await sleep(KILL_RETRY_MS);
        }
      })();
    }, timeoutMs);
    // The spawner's own bound is a backstop: at timeoutMs the kill above ends the container, and runc with it.
    const ran = spawnRun(d.bin, [...d.flags, 'run', '--bundle', bundle, id], { env, timeoutMs: timeoutMs + KILL_GRACE_MS });
    const r = await Promise.race([
      ran,
      new Promise<never>((_, reject) => {
        stuckTimer = setTimeout(() => reject(new Error(`oci: container ${id} did not exit ${2 * KILL_GRACE_MS} ms after its timeout`)), timeoutMs + 2 * KILL_GRACE_MS);
      }),
    ]);
    settled = true;
    if (!timedOut && r.exitCode !== 0 && /runc run failed|unable to start container process/.test(r.stderr)) {
      throw new Error(`oci: ${d.name} could not start the container: ${r.stderr.trim().split('\n').pop()}`);
    }
    result = { stdout: r.stdout, stderr: r.stderr, exitCode: timedOut ? null : r.exitCode, signal: timedOut ? 'SIGKILL' : (r.signal ?? null), durationMs: r.durationMs };
    if (r.outerMs !== undefined) result.outerMs = r.outerMs;
    if (timedOut) result.timedOut = true;
    if (meter) result.memory = { peakBytes: await meter.read(), covers: meter.covers };
    else if (r.memory) result.memory = { peakBytes: r.memory.peakBytes, covers: `${r.memory.covers}; the container has no cgroup of its own here` };
    if (v.hardened && cgroupsPath && r.exitCode === 137 && kernelOomKill(cgroupsPath)) result.oomKilled = true;
  } catch (e) {
    failure = e;
  } finally {
    settled = true;
    clearTimeout(killTimer);
    clearTimeout(stuckTimer);
    const cleanup = (async () => {
      await killing;
      const left = await forceDelete(d, id);
      await rm(bundle, { recursive: true, force: true });
      if (left) throw new Error(left);
    })();
    if (burst) burst.push(cleanup.then(() => null, (err: unknown) => err));
    else {
      try {
        await cleanup;
      } catch (err) {
        failure ??= err;
      }
    }
  }
  if (failure) throw failure;
  return result!;
}

/** A burst's cleanups, each settled to its error or null: the burst waits for them after its last answer. */
type Cleanups = Promise<unknown>[];

/**
 * K runContainer()s at once. A request answers when its runtime process has exited (`run`
 * deletes the container itself); the harness's `delete --force` check and the bundle's removal
 * run after that, outside the request's latency, and the burst waits for them before it returns.
 */
async function burstContainers(p: Prepared, d: Driver, v: VariantConfig, req: BurstRequest, grants: readonly Grant[]): Promise<BurstRun> {
  const cleanups: Cleanups = [];
  const run = await concurrentBurst((r) => runContainer(p, d, v, r, grants, {}, cleanups), req, `${req.concurrency} ${d.name} run processes at once, each its own container id (${BURST_ID_PREFIX}<random>) and bundle`);
  const failed = (await Promise.all(cleanups)).filter((x) => x !== null);
  if (failed.length) throw new Error(`oci: ${failed.length} burst container(s) not cleaned up: ${(failed[0] as Error).message ?? String(failed[0])}`);
  return run;
}

/** How many runtime calls a park's release has in flight at once. */
const PARK_CALLS = 8;

/** The runtime's containers whose ids start with `prefix`, as `list -q` shows them now. */
async function listedIds(d: Driver, prefix: string): Promise<string[]> {
  const r = await runtimeCmd(d, ['list', '-q']);
  if (!r.ok) throw new Error(`oci: ${d.name} list: ${r.out.trim()}`);
  return r.out.split('\n').map((l) => l.trim()).filter((id) => id.startsWith(prefix));
}

/**
 * Parks `req.instances` containers at once: one `<runtime> run` per instance, spawned
 * directly (no spawner) on its own bundle (the config run() writes, with the park args and
 * the id `wvc-park-<park id>-<i>`), ready at the runtime process's first stdout line. The
 * runtime process stays the container's parent while it runs, so the figure is each one and
 * its descendants: no daemon, no shim. release() kills each container (`kill ID KILL`,
 * repeated until its runtime process has gone, since one still being created cannot be killed
 * yet), `delete --force`s it, removes its bundle, and checks the runtime lists none of them.
 */
async function parkContainers(p: Prepared, d: Driver, v: VariantConfig, req: ParkRequest, grants: readonly Grant[]): Promise<Parked> {
  if (!p.live) throw new Error('oci: park() after dispose()');
  const prefix = `${PARK_ID_PREFIX}${randomBytes(6).toString('hex')}-`;
  const ids = Array.from({ length: req.instances }, (_, i) => `${prefix}${i}`);
  const bundles = ids.map((id) => path.join(p.unpacked.dir, 'run', id));
  const procs: ParkedProcess[] = [];
  let watched: number[] = [];

  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      const failures: string[] = [];
      await mapLimit(procs, PARK_CALLS, async (c, i) => {
        const gone = c.exited;
        let done = false;
        void gone.then(() => (done = true));
        const until = Date.now() + KILL_GRACE_MS;
        while (!done && c.running() && Date.now() < until) {
          await runtimeCmd(d, ['kill', ids[i]!, 'KILL']);
          await Promise.race([gone, sleep(KILL_RETRY_MS)]);
        }
        c.kill();
        await gone;
      });
      await mapLimit(ids, PARK_CALLS, async (id) => {
        const left = await forceDelete(d, id);
        if (left) failures.push(left);
      });
      await Promise.all(bundles.map((b) => rm(b, { recursive: true, force: true })));
      const still = await listedIds(d, prefix);
      if (still.length) throw new Error(`oci: ${still.join(', ')} still listed by ${d.name} after the park's release${failures.length ? `: ${failures.join('; ')}` : ''}`);
      const until = Date.now() + KILL_GRACE_MS;
      for (;;) {
        const table = new Set((await processTable()).map((x) => x.pid));
        const alive = watched.filter((x) => table.has(x));
        if (!alive.length) break;
        if (Date.now() > until) throw new Error(`oci: processes ${alive.join(', ')} of the parked containers still alive ${KILL_GRACE_MS} ms after release`);
        await sleep(KILL_RETRY_MS);
      }
    })());

  const t0 = Date.now();
  try {
    const cgroupsPath = (id: string) => (d.cgroups && p.meter ? `${p.meter.cgroupParent}/${id}` : null);
    const ready = await Promise.all(
      ids.map((id, i) => {
        writeConfigSync(bundles[i]!, ociConfig({ image: p.unpacked.image, rootfs: p.unpacked.rootfs, args: req.args, grants, id, hardened: v.hardened, cgroupsPath: cgroupsPath(id) }));
        const c = startParked(d.bin, [...d.flags, 'run', '--bundle', bundles[i]!, id], {});
        procs.push(c);
        return firstLine(c, Math.max(1, req.timeoutMs - (Date.now() - t0)));
      }),
    );
    const roots = () => procs.flatMap((c) => (c.pid !== undefined && c.running() ? [c.pid] : []));
    watched = await withDescendants(roots());
    return {
      ready,
      covers: `each ${d.name} run process and its descendants (the container's processes): no daemon or shim sits above an OCI runtime run directly`,
      pids: () => withDescendants(roots()),
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

/** One ready variant over what prepare() found. */
function readyVariant(spec: VariantSpec, v: VariantConfig, d: Driver, p: Prepared, grants: readonly Grant[], runtime: RuntimeInfo, artifact: string, notes: readonly string[]): PreparedVariant {
  const cgroupsNote = d.cgroups && p.meter ? `its own cgroup ${p.meter.cgroupParent}/<id>` : 'no cgroup of its own';
  return ready(spec, {
    /**
     * The runtime's argv on a bundle written for the illustrative id `wvc-sample` (same config
     * as a sample's but for the id, hostname and cgroup): it runs as recorded, one at a time.
     */
    invocation(req) {
      const cgroupsPath = d.cgroups && p.meter ? `${p.meter.cgroupParent}/${SAMPLE_ID}` : null;
      const config = ociConfig({ image: p.unpacked.image, rootfs: p.unpacked.rootfs, args: req.args, grants, id: SAMPLE_ID, hardened: v.hardened, cgroupsPath });
      const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
      const bundle = path.join(p.unpacked.dir, 'bundles', `${spec.name}-${hash}`);
      if (!existsSync(path.join(bundle, 'config.json'))) writeConfigSync(bundle, config);
      return processInvocation([d.bin, ...d.flags, 'run', '--bundle', bundle, SAMPLE_ID]);
    },
    run: (req) => runContainer(p, d, v, req, grants, {}),
    /**
     * A probe is a normal run with `grantDir` bind-mounted at the first grant's guest path. The
     * variant's own config holds the limits (req.limits is not used); the runtime process gets the
     * harness's environment, the container only the image's Env.
     */
    probe: (req) => runContainer(p, d, v, { args: req.args, timeoutMs: req.timeoutMs }, withGrantDir(grants, req.grantDir), runtimeProbeEnv()),
    /** K run()s at once: K `<runtime> run` processes, each with its own id, bundle and cgroup; no memory figure. */
    burst: (req) => burstContainers(p, d, v, req, grants),
    ...(spec.layer ? { park: (req: ParkRequest) => parkContainers(p, d, v, req, grants) } : {}),
    describe: () => ({
      runtime,
      how: `${d.name} run on an OCI bundle the harness writes: config.json in runc spec's default shape (new pid/net/ipc/uts/mount namespaces, read-only root ${p.unpacked.rootfs}, masked /proc paths) with the image's Entrypoint/Cmd + the guest args, its Env and cwd ${p.unpacked.image.cwd}, the grants as rbind mounts${v.hardened ? ', no capabilities, uid 65534, memory/pids/RLIMIT_CPU limits' : ''}, and ${cgroupsNote}; a fresh container id and bundle per sample`,
      artifact,
      grants: [...grantLines(grants, (g) => `${g.readOnly === false ? 'writable' : 'read-only'} rbind mount`), ...v.grants],
      ...(notes.length ? { notes: [...notes] } : {}),
    }),
  });
}

/** The cgroup layout of this host, as createPeakMeter takes it: the runtimes' own cgroupfs manager. */
async function cgroupVersion(): Promise<'1' | '2'> {
  try {
    await access('/sys/fs/cgroup/cgroup.controllers');
    return '2';
  } catch {
    return '1';
  }
}

export const oci: TargetDefinition = {
  id: 'oci',
  summary: 'the workload image as an OCI bundle run by runc (and crun) directly: no daemon, image store or shim',
  variants: SPECS,
  capabilityRows: [
    {
      suffix: 'runc',
      variant: 'runc',
      limitsText: 'none (runc spec defaults: 3 capabilities, no-new-privileges, RLIMIT_NOFILE 1024, read-only root, new network namespace)',
      netNamespace: true,
    },
    {
      suffix: 'runc-hardened',
      variant: 'runc-hardened',
      limitsText: `cgroup memory ${HARDENED_MEMORY / MIB} MiB with no swap, pids ${HARDENED_PIDS}, RLIMIT_CPU ${HARDENED_CPU_SECONDS} s, no capabilities, no-new-privileges, uid ${NOBODY}, read-only root`,
      netNamespace: true,
    },
  ],
  caveats: [
    'oci runs the OCI runtime (runc, crun) directly on a bundle unpacked once — the layer under containerd and dockerd — so its cold start excludes any daemon, image store or shim: it is the floor of a container start on this host, not what docker run costs.',
  ],
  prerequisites: [
    {
      name: 'runc',
      async check() {
        const r = await findOciRuntime('runc');
        return r ? { ok: true, detail: r.version } : { ok: false, detail: 'not installed — apt-get install runc', fix: ['packages'] };
      },
    },
    {
      name: 'crun (optional)',
      optional: true,
      /** Installed is not enough: crun 1.8 refuses a hybrid cgroup host, so doctor tries a container as prepare() does. */
      async check() {
        const r = await findOciRuntime('crun');
        if (!r) return { ok: false, detail: 'not installed — optional; apt-get install crun', fix: ['packages'] };
        if (process.getuid?.() !== 0) return { ok: true, detail: r.version };
        const t = await tryCrun(r, null);
        return 'driver' in t ? { ok: true, detail: `${r.version}${t.driver.cgroups ? '' : ` (runs with ${t.driver.flags.join(' ')}: no cgroup, no memory figure)`}` } : { ok: false, detail: `${r.version} is installed but cannot run here: ${t.reason} — ${t.hint}` };
      },
    },
  ],

  async version() {
    const runc = await findOciRuntime('runc');
    if (!runc) return null;
    const crun = await findOciRuntime('crun');
    return crun ? `${runc.version}; ${crun.version}` : runc.version;
  },

  /**
   * Containers with our id prefix that runc or crun still lists, and bundle directories a run
   * did not remove (build/oci/<image>/run/<id>), each with the pid in its config's annotations.
   */
  async leftovers(): Promise<Leftover[]> {
    const out: Leftover[] = [];
    const pidIn = async (bundle: string) => {
      try {
        return pidOf((JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, string> }).annotations?.[PID_LABEL]);
      } catch {
        return null;
      }
    };
    const listedIds = new Set<string>();
    for (const name of ['runc', 'crun'] as const) {
      const rt = await findOciRuntime(name);
      if (!rt) continue;
      let list: { id: string; status: string; bundle: string }[] = [];
      try {
        list = (JSON.parse((await execa(rt.bin, ['list', '-f', 'json'], { env: {}, extendEnv: false, timeout: 10_000 })).stdout) ?? []) as typeof list;
      } catch {
        continue;
      }
      for (const c of list.filter((x) => x.id.startsWith(ID_PREFIX))) {
        listedIds.add(c.id);
        out.push({
          what: `${name} container ${c.id} (${c.status})`,
          pid: await pidIn(c.bundle),
          remove: async () => {
            await execa(rt.bin, ['delete', '--force', c.id], { env: {}, extendEnv: false, timeout: 10_000 }).catch(() => undefined);
            await rm(c.bundle, { recursive: true, force: true });
          },
        });
      }
    }
    const base = path.join(BUILD_DIR, 'oci');
    for (const image of await readdir(base).catch(() => [] as string[])) {
      const runDir = path.join(base, image, 'run');
      for (const id of await readdir(runDir).catch(() => [] as string[])) {
        if (!id.startsWith(ID_PREFIX) || listedIds.has(id)) continue;
        const bundle = path.join(runDir, id);
        const pid = await pidIn(bundle);
        // A bundle without its config yet may be one a live run is writing.
        if (pid === null && Date.now() - (await stat(bundle).then((x) => x.mtimeMs, () => Date.now())) < FRESH_MS) continue;
        out.push({ what: `oci bundle ${bundle}`, pid, remove: () => rm(bundle, { recursive: true, force: true }) });
      }
    }
    for (const c of await emptyChildCgroups(OCI_CGROUP_PARENT)) out.push({ what: `cgroup ${c.dir} (empty)`, pid: null, remove: c.remove });
    return out;
  },

  async runtimeFiles() {
    const groups = [];
    for (const name of ['runc', 'crun'] as const) {
      const r = await findOciRuntime(name);
      if (r) groups.push({ name: `OCI runtime (${name})`, files: [{ label: name, candidates: [r.bin] }] });
    }
    return groups;
  },

  async prepare(ctx: PrepareContext): Promise<Preparation> {
    if (!ctx.workload.artifacts.image) return notDeclared(ctx, 'image', 'oci');
    const runc = await findOciRuntime('runc');
    if (!runc) return { status: 'skipped', reason: process.env.RUNC ? `RUNC=${process.env.RUNC} does not run` : 'runc is not installed', hint: 'apt-get install runc' };
    if (process.getuid?.() !== 0) return { status: 'skipped', reason: 'oci needs root: the harness writes rootful bundles (new namespaces, cgroups)', hint: 'run as root' };
    const art = findArtifact(ctx, 'image');
    if (!art?.imageId) {
      const why = skippedArtifact(ctx, 'image');
      return { status: 'skipped', reason: why?.reason ?? 'image not built', hint: why?.hint ?? buildHint(ctx, ' (needs a running Docker daemon)') };
    }
    const unpacked = await unpackImage(ctx, { ...art, imageId: art.imageId });
    if ('skip' in unpacked) return { status: 'skipped', reason: unpacked.reason, hint: unpacked.hint };

    const m = await createPeakMeter({ CgroupDriver: 'cgroupfs', CgroupVersion: await cgroupVersion() }, OCI_CGROUP_PARENT);
    const meter = 'unavailable' in m ? null : m;
    const notes = 'unavailable' in m ? [`no container memory figure: ${m.unavailable}`] : [];
    const p: Prepared = { unpacked, meter, live: true };
    const drivers: Partial<Record<RuntimeName, Driver | { reason: string; hint: string }>> = { runc: { ...runc, flags: [], cgroups: true } };
    const crun = await findOciRuntime('crun');
    if (!crun) drivers.crun = { reason: 'crun is not installed', hint: 'apt-get install crun' };
    else {
      const t = await tryCrun(crun, meter?.cgroupParent ?? null);
      drivers.crun = 'driver' in t ? t.driver : t;
    }
    const runtime: RuntimeInfo = { name: 'oci runtime', version: crun ? `${runc.version}; ${crun.version}` : runc.version };
    const grants = ctx.workload.grants;
    const variants = Object.entries(VARIANTS).map(([name, v]) => {
      const spec = specOf(SPECS, name);
      const d = drivers[v.runtime]!;
      if (!('bin' in d)) return unavailable(spec, d.reason, d.hint);
      const own = [...notes];
      if (!d.cgroups) own.push(`${d.name} runs with ${d.flags.join(' ')} here: the container has no cgroup of its own, so there is no container memory figure (the spawner's ru_maxrss stands in)`);
      return readyVariant(spec, v, d, p, grants, { name: d.name, version: d.version }, art.id, own);
    });
    return {
      status: 'ok',
      runtime,
      variants,
      async dispose() {
        p.live = false;
      },
    };
  },
};
