import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Artifact } from '../targets/types.js';
import { ROOT, packageFile, packageVersion } from '../paths.js';
import { type BuildContext, fileArtifact, inputsHash, listFiles, reusable } from './common.js';
import type { WorkerRequest } from './componentize-worker.js';

/** The compiled worker that runs componentize-js in a child process (see componentize-worker.ts). */
const WORKER = path.join(ROOT, 'dist', 'harness', 'build', 'componentize-worker.js');

/** StarlingMonkey's wasi:http client and fetch-event would make the component import wasi:http. */
const DISABLE_FEATURES = ['http', 'fetch-event'];

/** WASI WIT packages vendored from jco at build time (wasi:cli names all of them in its worlds). */
const WASI_VERSION = '0.2.12';
const WASI_PACKAGES = ['wasi-cli', 'wasi-clocks', 'wasi-filesystem', 'wasi-io', 'wasi-random', 'wasi-sockets'];

/**
 * Builds a JavaScript WASI component with componentize-js (StarlingMonkey).
 * `spec.source` is the entry module (it may import its neighbours), `spec.wit`
 * a directory holding only the world; the wasi:* packages it uses are copied
 * from the installed jco into `<buildDir>/wit/<id>/deps/` for the build and
 * removed after it.
 */
export async function buildJsComponent(
  ctx: BuildContext,
  id: string,
  spec: { source: string; wit: string; world: string },
  out: string,
): Promise<Artifact> {
  const version = packageVersion('@bytecodealliance/componentize-js');
  const jcoVersion = packageVersion('@bytecodealliance/jco');
  const files = [...new Set([...(await listFiles(path.dirname(spec.source))), ...(await listFiles(spec.wit))])];
  const inputs = await inputsHash(files, [
    'componentize-js', version, `entry ${path.basename(spec.source)}`, `world ${spec.world}`,
    `disable ${DISABLE_FEATURES.join(',')}`, `wasi ${WASI_VERSION} from jco ${jcoVersion}`, ...WASI_PACKAGES,
  ]);
  const prev = await reusable(ctx, id, inputs);
  if (prev) return prev;
  if (!existsSync(WORKER)) throw new Error(`${path.relative(ROOT, WORKER)} is missing: compile the harness first (npx tsc -p tsconfig.json)`);

  const witDir = path.join(ctx.buildDir, 'wit', id);
  const builtin = packageFile('@bytecodealliance/jco', `lib/wit/builtin/${WASI_VERSION}`);
  await rm(witDir, { recursive: true, force: true });
  await cp(spec.wit, witDir, { recursive: true });
  for (const p of WASI_PACKAGES) await cp(path.join(builtin, p), path.join(witDir, 'deps', p), { recursive: true });

  await mkdir(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp`;
  const req: WorkerRequest = { sourcePath: spec.source, witPath: witDir, worldName: spec.world, disableFeatures: DISABLE_FEATURES, out: tmp };
  const started = Date.now();
  try {
    // cwd = the source's directory, so componentize-js maps just that directory into the
    // engine (relative imports resolve there) and records paths relative to it.
    await execa(process.execPath, [WORKER, JSON.stringify(req)], { cwd: path.dirname(spec.source) });
    await rename(tmp, out);
  } catch (e) {
    throw new Error(`componentize-js failed to build ${id}: ${(e as Error).message}`, { cause: e });
  } finally {
    await rm(tmp, { force: true });
    await rm(witDir, { recursive: true, force: true });
  }
  ctx.log(`built ${id} with componentize-js ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return fileArtifact(id, out, inputs);
}
