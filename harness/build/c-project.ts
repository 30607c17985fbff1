/**
 * A C program as the compilers see it (the manifest's `cc` and `wasi-clang`
 * builds, and `wvc cc`): its files (the sources and every header under the
 * include directories and the sources' own directories), the command line, and
 * @yowasp/clang's in-memory file tree, laid out relative to the directory they
 * share so that `#include "x.h"` and `-I` resolve as they do on disk.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunOptions, Tree } from '@yowasp/clang';
import { UserError } from '../errors.js';
import type { CProject } from '../workload.js';

/** The most bytes handed to @yowasp/clang, whose files live in memory. */
export const TREE_LIMIT = 64 << 20;

/** Top-level names of @yowasp/clang's tree that are its own: its sysroot (`usr`), and `tmp`, which it drops from the result. */
export const CLANG_RESERVED = ['usr', 'tmp'] as const;

/** A project of one source and nothing else (the harness's own helpers). */
export const oneSource = (source: string): CProject => ({ sources: [source], include: [], defines: [], flags: [], libs: [] });

/** Directories a walk does not enter: dot-directories (.git) and node_modules. */
export const skipDir = (name: string): boolean => name.startsWith('.') || name === 'node_modules';

export const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;

/** How much a walk may collect, and the one line it throws past that. */
export interface Budget {
  used: number;
  limit: number;
  over: () => string;
}

/**
 * Regular files under `dir` that `want` accepts, recursively (not into dot-directories,
 * node_modules, or the entries of `dir` named in `exclude`), each with its size, added
 * to `out`; their sizes count against `budget`, and past its limit the walk throws
 * the UserError `budget.over()`.
 */
export async function walkFiles(dir: string, want: (name: string) => boolean, budget: Budget, out: Map<string, number> = new Map(), exclude: readonly string[] = []): Promise<Map<string, number>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (exclude.includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !skipDir(e.name)) await walkFiles(p, want, budget, out);
    else if (e.isFile() && want(e.name) && !out.has(p)) {
      const { size } = await stat(p);
      out.set(p, size);
      budget.used += size;
      if (budget.used > budget.limit) throw new UserError(budget.over());
    }
  }
  return out;
}

/**
 * The project's files, sorted and absolute: its sources, and every header (*.h)
 * under its include directories and its sources' directories. Over TREE_LIMIT
 * is a UserError naming the fix.
 */
export async function projectFiles(p: CProject): Promise<string[]> {
  const dirs = [...new Set([...p.include, ...p.sources.map((s) => path.dirname(s))])];
  const budget: Budget = {
    used: 0,
    limit: TREE_LIMIT,
    over: () => `the C sources and the headers under ${dirs.map((d) => path.relative(process.cwd(), d) || '.').join(', ')} come to more than ${mib(TREE_LIMIT)} — name only the directories that hold the program's headers in include`,
  };
  const files = new Map<string, number>();
  for (const s of p.sources) {
    if (files.has(s)) continue;
    files.set(s, (await stat(s)).size);
    budget.used += files.get(s)!;
  }
  for (const d of dirs) await walkFiles(d, (n) => n.endsWith('.h'), budget, files);
  return [...files.keys()].sort();
}

/** The deepest directory holding every one of `dirs`. */
export function commonDir(dirs: readonly string[]): string {
  let common = path.resolve(dirs[0]);
  for (const d of dirs.slice(1).map((x) => path.resolve(x))) {
    while (common !== path.dirname(common) && d !== common && !d.startsWith(common + path.sep)) common = path.dirname(common);
  }
  return common;
}

/** The directory a project is compiled in: the one its sources' directories and include directories share. */
export const projectDir = (p: CProject): string => commonDir([...p.sources.map((s) => path.dirname(s)), ...p.include]);

/**
 * The compiler's arguments, paths relative to `cwd`: the defaults, -I, -D, the
 * user's flags (after the defaults, so -O3 or -std=c11 wins), -o, the sources, then -l.
 */
export function compileArgs(p: CProject, cwd: string, defaults: readonly string[], out: string): string[] {
  const rel = (f: string) => path.relative(cwd, f) || '.';
  return [...defaults, ...p.include.map((d) => `-I${rel(d)}`), ...p.defines.map((d) => `-D${d}`), ...p.flags, '-o', out, ...p.sources.map(rel), ...p.libs.map((l) => `-l${l}`)];
}

/**
 * The root of @yowasp/clang's tree for these files: the directory they share,
 * or a parent of it when a top-level name there is one of `reserved` (so a
 * project with its own `tmp/` still compiles, its paths one level longer).
 */
export function treeRoot(dir: string, files: readonly string[], reserved: readonly string[]): string {
  let root = dir;
  const clash = () => files.some((f) => reserved.includes(path.relative(root, f).split(path.sep)[0]));
  while (clash()) {
    if (root === path.dirname(root)) throw new UserError(`cannot lay out ${files[0]} for @yowasp/clang: its top-level names ${reserved.join(', ')} are its own`);
    root = path.dirname(root);
  }
  return root;
}

/** An in-memory tree of `files` (absolute, under `root`) laid out relative to `root`. */
export async function virtualTree(root: string, files: readonly string[]): Promise<Tree> {
  const tree: Tree = {};
  for (const f of files) {
    const parts = path.relative(root, f).split(path.sep);
    let node = tree;
    for (const dir of parts.slice(0, -1)) node = (node[dir] ??= {}) as Tree;
    node[parts[parts.length - 1]] = await readFile(f);
  }
  return tree;
}

/**
 * Runs @yowasp/clang's clang driver on a tree (its working directory is the
 * tree's root) and returns its exit code and the tree afterwards (files as
 * bytes). Its resources are unpacked quietly on first use.
 */
export async function runYowaspClang(args: string[], tree: Tree, io: Pick<RunOptions, 'stdout' | 'stderr'>): Promise<{ code: number; files: Tree }> {
  const { commands, Exit } = await import('@yowasp/clang');
  // The first call unpacks clang's resources; an empty call with a progress callback keeps
  // its "fetched N%" lines out of the output (the compile's own pass ignores the option).
  await commands.clang(undefined, {}, { fetchProgress: () => {}, stdout: null, stderr: null });
  try {
    const files = await commands.clang(args, tree, { ...io, decodeASCII: false, fetchProgress: () => {} });
    return { code: 0, files: files ?? {} };
  } catch (e) {
    if (e instanceof Exit) return { code: e.code, files: e.files };
    throw e;
  }
}
