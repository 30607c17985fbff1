import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Artifact } from '../targets/types.js';
import { packageFile, packageVersion } from '../paths.js';
import { type BuildContext, dirArtifact, fileArtifact, inputsHash, reusable } from './common.js';

const exec = promisify(execFile);

const CLANG_FLAGS = ['--target=wasm32-wasip1', '-std=c99', '-O2', '-s'];

/** Compiles C to a wasm32-wasip1 core module with @yowasp/clang (clang running inside Node). */
export async function buildCoreModule(ctx: BuildContext, id: string, source: string, out: string): Promise<Artifact> {
  const version = packageVersion('@yowasp/clang');
  const inputs = await inputsHash([source], ['@yowasp/clang', version, ...CLANG_FLAGS]);
  const prev = await reusable(ctx, id, inputs);
  if (prev) return prev;
  const { commands } = await import('@yowasp/clang');
  // The first call unpacks clang's resources; an empty call with a progress callback keeps
  // its "fetched N%" lines out of the build log (the compile's own pass ignores the option).
  await commands.clang(undefined, {}, { fetchProgress: () => {}, stdout: null, stderr: null });
  const name = path.basename(source);
  const stderr: string[] = [];
  let files;
  try {
    files = await commands.clang([...CLANG_FLAGS, name, '-o', 'out.wasm'], { [name]: await readFile(source, 'utf8') }, {
      stdout: null,
      stderr: (bytes) => { if (bytes) stderr.push(Buffer.from(bytes).toString()); },
      // Progress lines about unpacking clang's resources are noise in a build log.
      fetchProgress: () => {},
    });
  } catch (e) {
    throw new Error(`@yowasp/clang failed to compile ${name}: ${stderr.join('').trim() || String(e)}`);
  }
  const wasm = files?.['out.wasm'];
  if (!(wasm instanceof Uint8Array)) throw new Error(`@yowasp/clang produced no output for ${name}: ${stderr.join('').trim()}`);
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
    await exec(process.execPath, [jcoCli(), ...args], { maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`jco ${args[0]} failed: ${(err.stderr || err.stdout || String(e)).trim()}`);
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
