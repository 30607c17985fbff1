import { readdir, readFile } from 'node:fs/promises';

/**
 * Proportional set size of one process, from /proc/<pid>/smaps_rollup: each shared
 * page counted once across the processes that map it, so a sum over processes does
 * not double-count shared libraries or a shared engine. null when the process is
 * gone or its memory map cannot be read (another user's process, without root).
 */
export async function pssBytes(pid: number): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return null;
  }
  const m = /^Pss:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** The summed PSS of `pids` (each once), and the pids that could not be read. */
export async function totalPss(pids: readonly number[]): Promise<{ bytes: number; unread: number[] }> {
  const unique = [...new Set(pids)];
  const each = await Promise.all(unique.map(pssBytes));
  return { bytes: each.reduce<number>((s, b) => s + (b ?? 0), 0), unread: unique.filter((_, i) => each[i] === null) };
}

interface ProcEntry {
  pid: number;
  ppid: number;
  comm: string;
}

/** Every live process: pid, parent pid and command name, from /proc/<pid>/stat. */
export async function processTable(): Promise<ProcEntry[]> {
  const out: ProcEntry[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      out.push({ pid: Number(name), ppid, comm });
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

/** `roots` and every live descendant of them. */
export async function withDescendants(roots: readonly number[]): Promise<number[]> {
  const table = await processTable();
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** The pids of live processes whose command name (/proc/<pid>/comm, at most 15 characters) is `comm`. */
export async function pidsByComm(comm: string): Promise<number[]> {
  return (await processTable()).filter((p) => p.comm === comm.slice(0, 15)).map((p) => p.pid);
}
