/**
 * `wvc cc [clang args...]`: the bundled @yowasp/clang as a command, for compiling
 * a wasm32-wasip1 module by hand (the package ships no executable).
 *
 * @yowasp/clang runs clang inside Node on an in-memory file tree, and its runtime
 * has no way to mount a real directory or preopen one. So the current directory is
 * mirrored into that tree (not its dot-directories or node_modules, at most
 * 64 MiB), clang runs there with the current directory as its working directory,
 * and the files it wrote (new, or changed) are written back. Paths outside the
 * current directory cannot be seen by clang: one naming such a path is a user
 * error, an absolute one inside it becomes relative. `--target=wasm32-wasip1` is
 * added unless a target is given. stdout and stderr are clang's, and so is the
 * exit code.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Tree } from '@yowasp/clang';
import { UserError } from '../errors.js';
import { type Budget, CLANG_RESERVED, TREE_LIMIT, mib, runYowaspClang, virtualTree, walkFiles } from '../build/c-project.js';

export interface CcOptions {
  /** The directory clang works in (default: the process's). */
  cwd?: string;
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
}

/** Flags whose value may be joined to them (`-Iinc`, `-o/x/a.wasm`) and names a path. */
const PATH_PREFIXES = ['-I', '-L', '-o', '-iquote', '-isystem', '-idirafter', '-include', '-MF'];

/** The default target: a WASI preview1 command module, as the harness builds them. */
export const DEFAULT_TARGET = '--target=wasm32-wasip1';

const hasTarget = (args: readonly string[]) => args.some((a) => a === '-target' || a === '--target' || a.startsWith('--target=') || a.startsWith('-target='));

/**
 * One argument as clang sees it in the tree: an absolute path inside `cwd` made
 * relative; a path outside it (absolute, or relative through ..), or under one of
 * the tree's own top-level directories, a user error.
 */
function treeArg(arg: string, cwd: string): string {
  const prefix = arg.startsWith('-') ? PATH_PREFIXES.find((p) => arg.startsWith(p) && arg.length > p.length) : '';
  if (prefix === undefined) return arg;
  const value = arg.slice(prefix.length);
  const abs = path.resolve(cwd, value);
  const rel = path.relative(cwd, abs);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new UserError(`cc: ${arg}: outside the current directory, which is all that clang sees here — run wvc cc from a directory that holds every input and output`);
  }
  const top = rel.split(path.sep)[0];
  if ((CLANG_RESERVED as readonly string[]).includes(top)) {
    throw new UserError(`cc: ${arg}: ${top}/ is @yowasp/clang's own directory in its tree, so a file under ./${top} cannot be passed — rename the directory or run wvc cc from inside it`);
  }
  return path.isAbsolute(value) ? prefix + (rel || '.') : arg;
}

/** Every file of a tree as `relative path → bytes`. */
function flatten(tree: Tree, base = ''): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [name, v] of Object.entries(tree)) {
    const rel = base ? `${base}/${name}` : name;
    if (v instanceof Uint8Array) out.set(rel, v);
    else if (typeof v === 'string') out.set(rel, Buffer.from(v));
    else for (const [k, b] of flatten(v, rel)) out.set(k, b);
  }
  return out;
}

/** Runs clang on the current directory's files; resolves with clang's exit code. */
export async function cc(args: readonly string[], opts: CcOptions = {}): Promise<number> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const argv = args.map((a) => treeArg(a, cwd));
  if (!hasTarget(argv)) argv.unshift(DEFAULT_TARGET);
  const budget: Budget = {
    used: 0,
    limit: TREE_LIMIT,
    over: () => `cc: the current directory holds more than ${mib(TREE_LIMIT)} of files (outside dot-directories and node_modules), all of which clang would get in memory — run wvc cc from a directory that holds only the program`,
  };
  const files = [...(await walkFiles(cwd, () => true, budget, new Map(), CLANG_RESERVED)).keys()].sort();
  const mirrored = new Set(files);
  const write = (to: (b: Uint8Array) => void) => (bytes: Uint8Array | null) => { if (bytes?.length) to(bytes); };
  const r = await runYowaspClang(argv, await virtualTree(cwd, files), {
    stdout: write(opts.stdout ?? ((b) => process.stdout.write(b))),
    stderr: write(opts.stderr ?? ((b) => process.stderr.write(b))),
  });
  if (r.code !== 0) return r.code;
  // What clang wrote: files it made, or changed.
  for (const [rel, bytes] of flatten(r.files)) {
    const file = path.join(cwd, ...rel.split('/'));
    const before = mirrored.has(file) ? await readFile(file) : null;
    if (before && Buffer.compare(before, bytes) === 0) continue;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  return 0;
}
