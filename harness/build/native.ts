import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ExecaError, execa } from 'execa';
import type { Artifact } from '../targets/types.js';
import type { CProject } from '../workload.js';
import { type BuildContext, fileArtifact, inputsHash, reusable } from './common.js';
import { compileArgs, projectDir, projectFiles } from './c-project.js';

/** The C compiler used for static native binaries: musl-gcc when present, else cc (or only cc when `glibc` is set). */
export async function nativeCompiler(opts: { glibc?: boolean } = {}): Promise<{ cc: string; version: string } | null> {
  for (const cc of opts.glibc ? ['cc'] : ['musl-gcc', 'cc']) {
    try {
      const { stdout } = await execa(cc, ['--version']);
      return { cc, version: stdout.split('\n')[0] };
    } catch {
      // try the next one
    }
  }
  return null;
}

const NATIVE_FLAGS = ['-std=c99', '-static', '-O2', '-s'];

/**
 * Compiles a C project to a static, stripped native Linux binary, in the
 * directory its sources and include directories share (so cc's messages name
 * files relative to it). Throws with an install hint when no C compiler (or no
 * static libc) is present.
 */
export async function buildNative(ctx: BuildContext, id: string, project: CProject, out: string, opts: { glibc?: boolean } = {}): Promise<Artifact> {
  const compiler = await nativeCompiler(opts);
  if (!compiler) throw new Error('no C compiler found (musl-gcc or cc) — install one: apt-get install gcc libc6-dev (or scripts/setup.sh)');
  const cwd = projectDir(project);
  const args = compileArgs(project, cwd, NATIVE_FLAGS, out);
  const inputs = await inputsHash(await projectFiles(project), [compiler.cc, compiler.version, ...args]);
  const prev = await reusable(ctx, id, inputs);
  if (prev) return prev;
  await mkdir(path.dirname(out), { recursive: true });
  try {
    await execa(compiler.cc, args, { cwd });
  } catch (e) {
    // execa's message names the command and how it ended, then its stderr.
    const stderr = e instanceof ExecaError && typeof e.stderr === 'string' ? e.stderr : '';
    const hint = /cannot find -lc|crt1\.o/.test(stderr) ? ' (install a static libc: apt-get install libc6-dev)' : '';
    throw new Error(`${compiler.cc} failed to build ${project.sources.map((s) => path.relative(cwd, s)).join(', ')}${hint}: ${(e as Error).message}`, { cause: e });
  }
  ctx.log(`built ${id} with ${compiler.cc}`);
  return fileArtifact(id, out, inputs);
}
