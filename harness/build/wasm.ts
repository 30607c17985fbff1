import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Artifact } from '../targets/types.js';
import type { CProject } from '../workload.js';
import { packageFile, packageVersion } from '../paths.js';
import { type BuildContext, dirArtifact, fileArtifact, inputsHash, reusable } from './common.js';
import { CLANG_RESERVED, compileArgs, projectDir, projectFiles, runYowaspClang, treeRoot, virtualTree } from './c-project.js';

const CLANG_FLAGS = ['--target=wasm32-wasip1', '-std=c99', '-O2', '-s'];
/** The output's name at the root of clang's tree. */
const OUT_NAME = '.wvc-core.wasm';

/**
 * Compiles a C project to a wasm32-wasip1 core module with @yowasp/clang (clang
 * running inside Node), in an in-memory tree of its sources and headers laid
 * out relative to the directory they share.
 */
export async function buildCoreModule(ctx: BuildContext, id: string, project: CProject, out: string): Promise<Artifact> {
  const version = packageVersion('@yowasp/clang');
  const files = await projectFiles(project);
  const root = treeRoot(projectDir(project), files, [...CLANG_RESERVED, OUT_NAME]);
  const args = compileArgs(project, root, CLANG_FLAGS, OUT_NAME);
  const inputs = await inputsHash(files, ['@yowasp/clang', version, ...args]);
  const prev = await reusable(ctx, id, inputs);
  if (prev) return prev;
  const shown = project.sources.map((s) => path.relative(root, s)).join(', ');
  const stderr: string[] = [];
  const r = await runYowaspClang(args, await virtualTree(root, files), {
    stdout: null,
    stderr: (bytes) => { if (bytes) stderr.push(Buffer.from(bytes).toString()); },
  });
  if (r.code !== 0) throw new Error(`@yowasp/clang failed to compile ${shown}: ${stderr.join('').trim() || `exit status ${r.code}`}`);
  const wasm = r.files[OUT_NAME];
  if (!(wasm instanceof Uint8Array)) throw new Error(`@yowasp/clang produced no output for ${shown}: ${stderr.join('').trim()}`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, wasm);
  ctx.log(`built ${id} with @yowasp/clang ${version}`);
  return fileArtifact(id, out, inputs);
}

function jcoCli(): string {
  return packageFile('@bytecodealliance/jco', 'dist/jco.js');
}

async function jco(args: string[]): Promise<void> {
  try {
    await execa(process.execPath, [jcoCli(), ...args]);
  } catch (e) {
    throw new Error(`jco ${args[0]} failed: ${(e as Error).message}`, { cause: e });
  }
}

/** Wraps a core module into a WASI command component with `jco new --wasi-command` (jco's bundled preview1 adapter). */
export async function buildComponent(ctx: BuildContext, id: string, core: Artifact, out: string): Promise<Artifact> {
  const version = packageVersion('@bytecodealliance/jco');
  const inputs = await inputsHash([], [core.sha256, 'jco new --wasi-command', version]);
  const prev = await reusable(ctx, id, inputs);
  if (prev) return prev;
  await mkdir(path.dirname(out), { recursive: true });
  await jco(['new', core.path!, '--wasi-command', '-o', out]);
  ctx.log(`built ${id} with jco ${version}`);
  return fileArtifact(id, out, inputs);
}

/**
 * Transpiles a component to JS plus core wasm for Node with `jco transpile --instantiation async`,
 * so the host supplies every WASI import itself (an explicit WASIShim sandbox).
 */
export async function transpileComponent(ctx: BuildContext, id: string, component: Artifact, outDir: string, name: string): Promise<Artifact> {
  const version = packageVersion('@bytecodealliance/jco');
  const flags = ['--instantiation', 'async', '--no-typescript', '--name', name, '--quiet'];
  const inputs = await inputsHash([], [component.sha256, 'jco transpile', version, ...flags]);
  const prev = await reusable(ctx, id, inputs);
  if (prev) return prev;
  await rm(outDir, { recursive: true, force: true });
  await jco(['transpile', component.path!, ...flags, '-o', outDir]);
  // The bundle is ESM; say so, since build/ has no package.json of its own.
  await writeFile(path.join(outDir, 'package.json'), '{"type":"module"}\n');
  ctx.log(`transpiled ${id} with jco ${version}`);
  return dirArtifact(id, outDir, inputs);
}
