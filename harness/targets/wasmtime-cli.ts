import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Availability, PrepareContext, RunRequest, RunResult, Target, TargetDescription } from './types.js';
import { run } from '../util/spawn.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, notDeclared, preopenFlags } from './common.js';

const exec = promisify(execFile);

let bin = '';
let version = '';
let component = '';
let cwasm = '';
let componentId = '';
let argv0 = '';
let grants: Grant[] = [];

/** The wasmtime CLI named by $WASMTIME, else `wasmtime` on PATH. */
export async function findWasmtimeCli(): Promise<{ bin: string; version: string } | null> {
  const candidate = process.env.WASMTIME || 'wasmtime';
  try {
    const { stdout } = await exec(candidate, ['--version']);
    return { bin: candidate, version: stdout.trim() };
  } catch {
    return null;
  }
}

// Flags go before the wasm file; everything after it is the guest's argv.
function flags(variant: string): string[] {
  const f = ['run', '-C', 'cache=n', ...preopenFlags(argv0, grants)];
  if (variant === 'precompiled') f.push('--allow-precompiled');
  return f;
}

/**
 * The wasmtime CLI, when installed: `-C cache=n` so every run compiles (the
 * default config caches compiled code on disk), and a `.cwasm` made by
 * `wasmtime compile` with `--allow-precompiled`.
 */
export const wasmtimeCli: Target = {
  id: 'wasmtime',
  variants: ['jit-cache-off', 'precompiled'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
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
    if (!art?.path) return { status: 'skipped', reason: 'component not built', hint: 'run `npm run build`' };
    ({ bin, version } = found);
    component = art.path;
    componentId = art.id;
    argv0 = ctx.workload.argv0;
    grants = ctx.workload.grants;
    // A .cwasm only loads in the wasmtime version and config that compiled it, so the CLI compiles its own.
    cwasm = path.join(ctx.buildDir, 'wasmtime-cli', `${ctx.workload.name}.${art.sha256.slice(0, 12)}.cwasm`);
    await mkdir(path.dirname(cwasm), { recursive: true });
    try {
      await exec(bin, ['compile', '-C', 'cache=n', component, '-o', cwasm]);
    } catch (e) {
      // A runtime that is present but fails is an errored row, not a skipped one.
      throw new Error(`wasmtime compile failed (components need wasmtime 14 or newer): ${String((e as { stderr?: string }).stderr ?? e).trim()}`);
    }
    return { status: 'ok', runtime: { name: 'wasmtime CLI', version } };
  },
  run(variant: string, req: RunRequest): Promise<RunResult> {
    const file = variant === 'precompiled' ? cwasm : component;
    return run(bin, [...flags(variant), file, ...req.args], { env: {}, timeoutMs: req.timeoutMs });
  },
  describe(variant: string): TargetDescription {
    const file = variant === 'precompiled' ? cwasm : component;
    return {
      id: 'wasmtime',
      variant,
      label: variant === 'precompiled' ? 'wasmtime CLI (precompiled .cwasm)' : 'wasmtime CLI (JIT, cache off)',
      runtime: { name: 'wasmtime CLI', version },
      command: `${bin} ${flags(variant).join(' ')} ${file} <args>`,
      artifact: variant === 'precompiled' ? `${componentId} (compiled by this CLI)` : componentId,
      grants: [...grantLines(grants, () => '--dir preopen'), 'env: none', 'net: none (not granted by default)', 'stdio: stdout, stderr'],
      exitCodes: 'ok-err',
    };
  },
};
