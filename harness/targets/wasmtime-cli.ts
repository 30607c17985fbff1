import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { BurstRequest, BurstRun, Parked, ParkRequest, Preparation, PrepareContext, RunRequest, RunResult, RuntimeInfo, TargetDefinition, VariantDescription, VariantSpec } from './types.js';
import { run } from '../util/spawn.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, notDeclared, preopenFlags, ready, specOf, processInvocation, runInvocation, buildHint } from './common.js';
import { WASI_P2_EXIT_CAVEAT } from './wasi-p2.js';
import { processBurst } from '../util/burst.js';
import { parkProcesses } from '../util/park.js';

/** The wasmtime CLI named by $WASMTIME, else `wasmtime` on PATH. */
export async function findWasmtimeCli(): Promise<{ bin: string; version: string } | null> {
  const candidate = process.env.WASMTIME || 'wasmtime';
  try {
    const { stdout } = await execa(candidate, ['--version']);
    return { bin: candidate, version: stdout.trim() };
  } catch {
    return null;
  }
}

const WARM_NONE = 'the CLI has no in-process loop; see wasmtime-embed for the embedded engine';

const VARIANTS: readonly VariantSpec[] = [
  {
    name: 'jit-cache-off',
    label: 'wasmtime CLI (JIT, cache off)',
    class: 'wasm',
    phaseSource: null,
    cacheState: 'compiles on every run (-C cache=n disables the on-disk code cache)',
    warm: { none: WARM_NONE },
    exitCodes: 'ok-err',
  },
  {
    name: 'precompiled',
    label: 'wasmtime CLI (precompiled .cwasm)',
    class: 'wasm',
    phaseSource: null,
    cacheState: 'loads a .cwasm made by wasmtime compile (--allow-precompiled)',
    warm: { none: WARM_NONE },
    exitCodes: 'ok-err',
  },
];

// Flags go before the wasm file; everything after it is the guest's argv.
function flags(variant: string, argv0: string, grants: readonly Grant[]): string[] {
  const f = ['run', '-C', 'cache=n', ...preopenFlags(argv0, grants)];
  if (variant === 'precompiled') f.push('--allow-precompiled');
  return f;
}

/**
 * The wasmtime CLI, when installed: `-C cache=n` so every run compiles (the
 * default config caches compiled code on disk), and a `.cwasm` made by
 * `wasmtime compile` with `--allow-precompiled`.
 */
export const wasmtimeCli: TargetDefinition = {
  id: 'wasmtime',
  summary: 'the wasmtime CLI, when installed, running the workload\'s component: JIT with -C cache=n, and a .cwasm from wasmtime compile',
  variants: VARIANTS,
  capabilityRows: [{ variant: 'jit-cache-off', limitsText: 'none set' }],
  caveats: [WASI_P2_EXIT_CAVEAT],
  prerequisites: [
    {
      name: 'wasmtime CLI (optional)',
      optional: true,
      async check() {
        const cli = await findWasmtimeCli();
        return { ok: !!cli, detail: cli ? cli.version : 'not installed — optional; put wasmtime on PATH or set WASMTIME to measure the CLI too' };
      },
    },
  ],
  async version() {
    return (await findWasmtimeCli())?.version ?? null;
  },
  async runtimeFiles() {
    const cli = await findWasmtimeCli();
    return cli ? [{ name: 'wasmtime CLI', files: [{ label: 'wasmtime', candidates: [cli.bin] }] }] : [];
  },
  async prepare(ctx: PrepareContext): Promise<Preparation> {
    if (!ctx.workload.artifacts.component) return notDeclared(ctx, 'component', 'wasmtime');
    const found = await findWasmtimeCli();
    if (!found) {
      return {
        status: 'skipped',
        reason: process.env.WASMTIME ? `WASMTIME=${process.env.WASMTIME} does not run` : 'wasmtime CLI not on PATH',
        hint: 'install the wasmtime CLI and put it on PATH, or set WASMTIME=/path/to/wasmtime (wasmtime-embed covers the engine without it)',
      };
    }
    const art = findArtifact(ctx, 'component');
    if (!art?.path) return { status: 'skipped', reason: 'component not built', hint: buildHint(ctx) };
    const { bin, version } = found;
    const component = art.path;
    const componentId = art.id;
    const argv0 = ctx.workload.argv0;
    const grants = ctx.workload.grants;
    // A .cwasm only loads in the wasmtime version and config that compiled it, so the CLI compiles its own.
    const cwasm = path.join(ctx.buildDir, 'wasmtime-cli', `${ctx.workload.name}.${art.sha256.slice(0, 12)}.cwasm`);
    await mkdir(path.dirname(cwasm), { recursive: true });
    try {
      await execa(bin, ['compile', '-C', 'cache=n', component, '-o', cwasm]);
    } catch (e) {
      // A runtime that is present but fails is an errored row, not a skipped one.
      throw new Error(`wasmtime compile failed (components need wasmtime 14 or newer): ${(e as Error).message}`, { cause: e });
    }
    const runtime: RuntimeInfo = { name: 'wasmtime CLI', version };
    const variant = (name: string, file: string, artifact: string) => {
      const f = flags(name, argv0, grants);
      const invocation = (req: RunRequest) => processInvocation([bin, ...f, file, ...req.args]);
      const runOnce = (req: RunRequest): Promise<RunResult> => runInvocation(invocation(req), { timeoutMs: req.timeoutMs });
      return ready(specOf(VARIANTS, name), {
        invocation,
        run: runOnce,
        /** K `wasmtime run` processes, each compiling or loading the component itself (no shared engine). */
        burst: (req: BurstRequest): Promise<BurstRun> => processBurst(invocation(req), req, runOnce),
        /** N `wasmtime run` processes, each with its own engine and store, parked in the guest's park mode. */
        park: (req: ParkRequest): Promise<Parked> =>
          parkProcesses(() => invocation({ args: req.args, timeoutMs: req.timeoutMs }), req, `each wasmtime CLI process and its descendants (${req.instances} processes, one engine and one store each)`),
        describe(): VariantDescription {
          return {
            runtime,
            artifact,
            grants: [...grantLines(grants, () => '--dir preopen'), 'env: none', 'net: none (not granted by default)', 'stdio: stdout, stderr'],
          };
        },
      });
    };
    return {
      status: 'ok',
      runtime,
      variants: [variant('jit-cache-off', component, componentId), variant('precompiled', cwasm, `${componentId} (compiled by this CLI)`)],
    };
  },
};
