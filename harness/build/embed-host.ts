import { access, mkdir, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Artifact } from '../targets/types.js';
import { type BuildContext, type Skipped, fileArtifact, inputsHash, reusable, sha256File } from './common.js';

export const EMBED_HOST_ID = 'wasmtime-embed-host';
const INSTALL_HINT = 'pip install wasmtime';
const HOST_FLAGS = ['-std=c11', '-O2', '-Wall', '-pthread'];


export interface Libwasmtime {
  /** The shared library itself (`_libwasmtime.so` in the pip wheel). */
  libPath: string;
  /** Its folder, baked into the host as an rpath. */
  libDir: string;
  /** Wasmtime version, from the wheel's metadata (or $WVC_LIBWASMTIME_VERSION, else `unknown`). */
  version: string;
}

// Asks Python where the wasmtime wheel is without importing it (importing loads the 30 MB library).
// The file name follows wasmtime/_ffi.py: <platform>-<machine>/_libwasmtime.so.
const PY_LOCATE = `
import importlib.util, importlib.metadata, json, os, platform, sys
spec = importlib.util.find_spec('wasmtime')
if spec is None or not spec.submodule_search_locations:
    print('null'); sys.exit(0)
pkg = list(spec.submodule_search_locations)[0]
m = platform.machine()
m = {'AMD64': 'x86_64', 'arm64': 'aarch64', 'ARM64': 'aarch64'}.get(m, m)
name = {'linux': '_libwasmtime.so', 'darwin': '_libwasmtime.dylib', 'win32': '_wasmtime.dll'}.get(sys.platform)
print(json.dumps({'lib': os.path.join(pkg, sys.platform + '-' + m, name) if name else None,
                  'version': importlib.metadata.version('wasmtime')}))
`;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The wasmtime pip wheel's library, via `python3` ($WVC_PYTHON overrides the interpreter); null when absent. */
async function wheelLibwasmtime(): Promise<Libwasmtime | null> {
  const python = process.env.WVC_PYTHON || 'python3';
  let out: string;
  try {
    ({ stdout: out } = await execa(python, ['-c', PY_LOCATE], { timeout: 30_000 }));
  } catch {
    return null; // no python3, or it failed
  }
  let found: { lib: string | null; version: string } | null;
  try {
    found = JSON.parse(out.trim()) as typeof found;
  } catch {
    return null;
  }
  if (!found?.lib || !(await exists(found.lib))) return null;
  return { libPath: found.lib, libDir: path.dirname(found.lib), version: found.version };
}

/**
 * Locates libwasmtime: $WVC_LIBWASMTIME (a path to the shared library) when set,
 * else the library inside the `wasmtime` pip wheel that `python3` finds.
 * Returns null when there is none; an explicit $WVC_LIBWASMTIME that does not
 * exist is not silently replaced by the wheel.
 */
export async function findLibwasmtime(): Promise<Libwasmtime | null> {
  const override = process.env.WVC_LIBWASMTIME;
  if (override) {
    if (!(await exists(override))) return null;
    const libPath = path.resolve(override);
    let version = process.env.WVC_LIBWASMTIME_VERSION || '';
    if (!version) {
      // The same file as the wheel's? Then the wheel's metadata names its version.
      const wheel = await wheelLibwasmtime();
      if (wheel && (await realpath(wheel.libPath)) === (await realpath(libPath))) version = wheel.version;
    }
    return { libPath, libDir: path.dirname(libPath), version: version || 'unknown' };
  }
  return wheelLibwasmtime();
}

/** The C compiler ($CC, else cc) and its version line; null when there is none. */
async function hostCompiler(): Promise<{ cc: string; version: string } | null> {
  const cc = process.env.CC || 'cc';
  try {
    const { stdout } = await execa(cc, ['--version']);
    return { cc, version: stdout.split('\n')[0] };
  } catch {
    return null;
  }
}

function hostSources(root: string): { source: string; header: string } {
  const dir = path.join(root, 'harness', 'hosts', 'wasmtime-embed');
  return { source: path.join(dir, 'host.c'), header: path.join(dir, 'wasmtime_api.h') };
}

/**
 * Compiles harness/hosts/wasmtime-embed/host.c into `<buildDir>/host/wvc-wasmtime-host`,
 * linked against libwasmtime by path (the wheel names it `_libwasmtime.so`, so `-l`
 * cannot find it) with an rpath to its folder. Skipped, with a hint, when libwasmtime
 * or a C compiler is missing; a compiler that fails on the source throws.
 */
export async function buildEmbedHost(ctx: BuildContext): Promise<Artifact | Skipped> {
  const lib = await findLibwasmtime();
  if (!lib) {
    const override = process.env.WVC_LIBWASMTIME;
    return {
      skipped: true,
      reason: override ? `WVC_LIBWASMTIME=${override} does not exist` : 'libwasmtime not found (no `wasmtime` Python wheel for python3)',
      hint: INSTALL_HINT,
    };
  }
  const compiler = await hostCompiler();
  if (!compiler) {
    return {
      skipped: true,
      reason: `no C compiler (${process.env.CC || 'cc'}) to build the wasmtime-embed host`,
      hint: 'install one: apt-get install gcc libc6-dev, or set CC',
    };
  }
  const { source, header } = hostSources(ctx.root);
  const define = `-DWASMTIME_VERSION="${lib.version.replace(/[^\w.+-]/g, '')}"`;
  const inputs = await inputsHash(
    [source, header],
    [compiler.cc, compiler.version, ...HOST_FLAGS, define, lib.libPath, await sha256File(lib.libPath)],
  );
  const prev = await reusable(ctx, EMBED_HOST_ID, inputs);
  if (prev) return prev;

  const out = path.join(ctx.buildDir, 'host', 'wvc-wasmtime-host');
  await mkdir(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await execa(compiler.cc, [...HOST_FLAGS, define, '-o', tmp, source, lib.libPath, `-Wl,-rpath,${lib.libDir}`]);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`${compiler.cc} failed to build the wasmtime-embed host: ${(e as Error).message}`, { cause: e });
  }
  await rename(tmp, out);
  ctx.log(`built ${EMBED_HOST_ID} with ${compiler.cc} against libwasmtime ${lib.version} (${lib.libPath})`);
  return fileArtifact(EMBED_HOST_ID, out, inputs);
}

/**
 * AOT-compiles the component with the embed host (`compile`, the same engine
 * config as `run`) into `out`. A .cwasm only loads in the libwasmtime that made
 * it, so the inputs include the host's own inputs hash, which covers the
 * library's sha256. `consumeFuel` compiles for an engine with fuel metering
 * (what `run --aot --fuel N` needs).
 */
export async function precompileComponent(ctx: BuildContext, hostPath: string, component: Artifact, id: string, out: string, opts: { consumeFuel?: boolean } = {}): Promise<Artifact> {
  const hostInputs = ctx.built.get(EMBED_HOST_ID)?.inputsHash ?? '';
  const flags = opts.consumeFuel ? ['--consume-fuel'] : [];
  const inputs = await inputsHash([], [component.sha256, await sha256File(hostPath), hostInputs, 'compile', ...flags]);
  const prev = await reusable(ctx, id, inputs);
  if (prev) return prev;
  await mkdir(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await execa(hostPath, ['compile', ...flags, component.path!, tmp], { env: {}, extendEnv: false });
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`wvc-wasmtime-host compile failed: ${(e as Error).message}`, { cause: e });
  }
  await rename(tmp, out);
  ctx.log(`built ${id} with the wasmtime-embed host`);
  return fileArtifact(id, out, inputs);
}
