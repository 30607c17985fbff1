import { access, mkdir, open, readdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The cgroup parent every measured container runs under; the harness owns it. */
export const CGROUP_PARENT_NAME = 'wvc-bench';

/**
 * Peak memory of containers, from a cgroup parent the harness owns. A
 * container's own cgroup disappears the moment its process exits, so it cannot
 * be read afterwards; its parent's high-water mark can. The mark is reset
 * before each run and read after it, so it covers exactly one container as
 * long as runs are sequential (the bench runs them one at a time). What the
 * parent already holds at the reset is subtracted: when a container's cgroup
 * goes, the page cache charged to it moves to the parent and stays there, so
 * after a few hundred runs the parent holds tens of MiB that no running
 * container uses (73 MiB seen here), and a bare high-water mark would count them.
 */
export interface PeakMeter {
  /** Value for HostConfig.CgroupParent. */
  cgroupParent: string;
  covers: string;
  reset(): Promise<void>;
  read(): Promise<number>;
}

/**
 * A meter for the local engine's cgroup layout, or the reason there is none
 * (systemd driver, a remote daemon, no permission). cgroup v1: the parent's
 * memory.max_usage_in_bytes, reset by writing 0. cgroup v2: the parent's
 * memory.peak, reset by writing to it (Linux 6.12+); without reset support
 * the peak would span runs, so there is no meter. `parentName` is the parent's
 * name under the cgroup root (default {@link CGROUP_PARENT_NAME}); a target that
 * runs containers through another engine passes its own, so two meters never share a parent.
 */
export async function createPeakMeter(info: { CgroupDriver?: string; CgroupVersion?: string }, parentName: string = CGROUP_PARENT_NAME): Promise<PeakMeter | { unavailable: string }> {
  if (info.CgroupDriver !== 'cgroupfs') return { unavailable: `cgroup driver ${info.CgroupDriver ?? 'unknown'} (the harness meters cgroupfs parents only)` };
  const v2 = info.CgroupVersion === '2';
  const dir = v2 ? path.join('/sys/fs/cgroup', parentName) : path.join('/sys/fs/cgroup/memory', parentName);
  try {
    await access(path.dirname(dir));
    await mkdir(dir, { recursive: true });
  } catch (e) {
    return { unavailable: `cannot create ${dir}: ${(e as Error).message} (run as root, with the daemon on this machine)` };
  }
  if (!v2) {
    const file = path.join(dir, 'memory.max_usage_in_bytes');
    const usage = path.join(dir, 'memory.usage_in_bytes');
    let baseline = 0;
    const meter: PeakMeter = {
      cgroupParent: `/${parentName}`,
      covers: 'peak memory of the container (cgroup v1 memory.max_usage_in_bytes of a harness-owned cgroup parent, reset before each run, less what the parent held at the reset: page cache earlier containers left charged to it)',
      reset: async () => {
        await writeFile(file, '0');
        baseline = Number((await readFile(usage, 'utf8')).trim());
      },
      read: async () => Math.max(0, Number((await readFile(file, 'utf8')).trim()) - baseline),
    };
    try {
      await meter.reset();
    } catch (e) {
      return { unavailable: `cannot reset ${file}: ${(e as Error).message}` };
    }
    return meter;
  }
  const file = path.join(dir, 'memory.peak');
  // On v2 a write to memory.peak resets the peak as seen through that open file.
  let fh: Awaited<ReturnType<typeof open>> | null = null;
  try {
    fh = await open(file, 'r+');
    await fh.write('reset\n', 0);
  } catch (e) {
    await fh?.close();
    return { unavailable: `cgroup v2 memory.peak cannot be reset here (${(e as Error).message}; needs Linux 6.12+)` };
  }
  const handle = fh;
  const current = path.join(dir, 'memory.current');
  let baseline = 0;
  return {
    cgroupParent: `/${parentName}`,
    covers: 'peak memory of the container (cgroup v2 memory.peak of a harness-owned cgroup parent, reset before each run, less what the parent held at the reset: page cache earlier containers left charged to it)',
    reset: async () => {
      await handle.write('reset\n', 0);
      baseline = Number((await readFile(current, 'utf8')).trim());
    },
    read: async () => {
      const buf = Buffer.alloc(64);
      const { bytesRead } = await handle.read(buf, 0, 64, 0);
      return Math.max(0, Number(buf.subarray(0, bytesRead).toString('utf8').trim()) - baseline);
    },
  };
}

/**
 * Empty child cgroups under a harness-owned parent, in every controller hierarchy that has
 * the parent (cgroup v1: /sys/fs/cgroup/<controller>/<parent>/…; v2: /sys/fs/cgroup/<parent>/…):
 * what a container killed before its runtime deleted it leaves. A child that still has a
 * process is in use and not listed.
 */
/** Leftovers without an owner are left alone this long after they were made: a live run may be using them. */
export const FRESH_MS = 60_000;

export async function emptyChildCgroups(parentName: string): Promise<{ dir: string; remove: () => Promise<void> }[]> {
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((c) => path.join('/sys/fs/cgroup', c))];
  const out: { dir: string; remove: () => Promise<void> }[] = [];
  for (const root of roots) {
    const parent = path.join(root, parentName);
    const children = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const c of children) {
      if (!c.isDirectory()) continue;
      const dir = path.join(parent, c.name);
      const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => null);
      if (procs === null || procs.trim()) continue;
      // A cgroup made a moment ago may be one a runtime is about to put a process in.
      const made = await stat(dir).then((x) => x.mtimeMs, () => Date.now());
      if (Date.now() - made < FRESH_MS) continue;
      out.push({ dir, remove: () => rmdir(dir) });
    }
  }
  return out;
}
