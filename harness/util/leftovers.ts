/**
 * What runs of the harness leave behind when they are killed — containers, OCI bundles,
 * cgroups (each target finds its own: TargetDefinition.leftovers) and the harness's temp
 * directories — and their removal: `wvc clean`, and every bench before it measures.
 * Something made by a harness process that is still running is not a leftover.
 */
import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Leftover, Registry } from '../targets/types.js';

/** The label / annotation naming the harness process that made a container. */
export const PID_LABEL = 'wvc.pid';
/** The harness's temp directories: `wvc-run-<pid>-<kind>-XXXXXX` under the system temp dir. */
const TEMP_PREFIX = 'wvc-run-';

/** A temp directory of this process, named so that a later run can tell it is a leftover. */
export function harnessTempDir(kind: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `${TEMP_PREFIX}${process.pid}-${kind}-`));
}

/** Whether `pid` is a running Node process (the harness runs on Node; a recycled pid of another program does not count). */
export async function harnessAlive(pid: number): Promise<boolean> {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /(^|\/)node\0/.test(await readFile(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pid a label value names, or null. */
export const pidOf = (v: string | undefined): number | null => (v && /^\d+$/.test(v) ? Number(v) : null);

async function tempLeftovers(): Promise<Leftover[]> {
  const out: Leftover[] = [];
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const m = new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    const dir = path.join(tmpdir(), name);
    out.push({ what: `temp dir ${dir}`, pid: Number(m[1]), remove: () => rm(dir, { recursive: true, force: true }) });
  }
  return out;
}

/**
 * Every leftover: each target's and the temp directories, less what a running harness
 * process made (this one's included). `mine` instead lists only what this process made:
 * a run's own cleanup at its end.
 */
export async function findLeftovers(registry: Registry, opts: { mine?: boolean } = {}): Promise<Leftover[]> {
  const all: Leftover[] = [...(await tempLeftovers())];
  for (const def of Object.values(registry)) all.push(...(await def.leftovers?.().catch(() => []) ?? []));
  if (opts.mine) return all.filter((l) => l.pid === process.pid);
  const out: Leftover[] = [];
  for (const l of all) if (l.pid === null || !(await harnessAlive(l.pid))) out.push(l);
  return out;
}

/** Removes each leftover; returns what could not be removed, each with why. */
export async function removeLeftovers(ls: readonly Leftover[]): Promise<string[]> {
  const failed: string[] = [];
  for (const l of ls) {
    try {
      await l.remove();
    } catch (e) {
      failed.push(`${l.what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  return failed;
}

/** One line for a list of leftovers: counts by kind (`2 docker containers, 1 temp dir`). */
export function leftoverSummary(ls: readonly Leftover[]): string {
  const counts = new Map<string, number>();
  for (const l of ls) {
    const kind = l.what.split(' ').slice(0, 2).join(' ');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
}
