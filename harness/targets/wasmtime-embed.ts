import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Availability, PrepareContext, ProbeRequest, RunRequest, RunResult, Target, TargetDescription, WarmRun } from './types.js';
import { run } from '../util/spawn.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, harnessArtifact, notDeclared, skippedArtifact, withGrantDir } from './common.js';
import { parsePhases } from './phases.js';
import { probeEnv } from './probe-support.js';

const exec = promisify(execFile);

const INSTALL_HINT = 'pip install wasmtime';
/** Unmeasured warm-up iterations of the loop mode, matching the Node hosts' tinybench warm-up. */
const WARM_WARMUP = 10;
const RUNTIME_NAME = 'wasmtime (embedded, C API)';

let host = '';
let component = '';
let cwasm = '';
let fuelCwasm = '';
let artifacts = { jit: '', aot: '', fuel: '' };
let argv0 = '';
let grants: Grant[] = [];
let version = '';

// Host flags; the component file and `-- <guest args>` follow.
function flags(variant: string, g: readonly Grant[] = grants): string[] {
  const f = ['run'];
  if (variant === 'aot') f.push('--aot');
  f.push('--timings-fd', '3', '--argv0', argv0);
  for (const x of g) f.push(x.readOnly ? '--dir' : '--dir-rw', `${x.host}::${x.guest}`);
  return f;
}

function file(variant: string): string {
  return variant === 'aot' ? cwasm : component;
}

/**
 * Wasmtime embedded through its C API: harness/hosts/wasmtime-embed/host.c, linked
 * against the pip wheel's libwasmtime, one process per run. `jit` compiles the
 * component on every run (the engine's default config, no code cache); `aot` loads
 * the .cwasm that the same host precompiled at build time.
 */
export const wasmtimeEmbed: Target = {
  id: 'wasmtime-embed',
  variants: ['jit', 'aot'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
    if (!ctx.workload.artifacts.component) return notDeclared(ctx, 'component', 'wasmtime-embed');
    const hostArt = harnessArtifact(ctx, 'wasmtime-embed-host');
    if (!hostArt?.path) {
      const why = skippedArtifact(ctx, 'wasmtime-embed-host');
      return { status: 'skipped', reason: why?.reason ?? 'libwasmtime not found', hint: why?.hint ?? INSTALL_HINT };
    }
    const comp = findArtifact(ctx, 'component');
    if (!comp?.path) return { status: 'skipped', reason: 'component not built', hint: 'run `npm run build`' };
    const pre = findArtifact(ctx, 'component-cwasm');
    if (!pre?.path) {
      const why = skippedArtifact(ctx, 'component-cwasm');
      return { status: 'skipped', reason: why?.reason ?? 'component-cwasm not built', hint: why?.hint ?? 'run `npm run build`' };
    }
    try {
      const { stdout } = await exec(hostArt.path, ['version'], { env: {} });
      version = stdout.trim();
    } catch (e) {
      const err = e as { stderr?: string; code?: string | number };
      const stderr = err.stderr?.trim() ?? '';
      // The library the host was linked against has gone (e.g. the wheel was uninstalled).
      if (/error while loading shared libraries/.test(stderr)) {
        return { status: 'skipped', reason: `libwasmtime is gone: ${stderr}`, hint: `${INSTALL_HINT}, then \`npm run build\`` };
      }
      if (err.code === 'ENOENT') return { status: 'skipped', reason: `${hostArt.path} is missing`, hint: 'run `npm run build`' };
      throw new Error(`wvc-wasmtime-host version failed: ${stderr || String(e)}`);
    }
    host = hostArt.path;
    component = comp.path;
    cwasm = pre.path;
    fuelCwasm = findArtifact(ctx, 'component-cwasm-fuel')?.path ?? '';
    artifacts = { jit: comp.id, aot: pre.id, fuel: findArtifact(ctx, 'component-cwasm-fuel')?.id ?? '' };
    argv0 = ctx.workload.argv0;
    grants = ctx.workload.grants;
    return { status: 'ok', runtime: { name: RUNTIME_NAME, version } };
  },
  async run(variant: string, req: RunRequest): Promise<RunResult> {
    const r = await run(host, [...flags(variant), file(variant), '--', ...req.args], {
      env: {},
      timeoutMs: req.timeoutMs,
      sideChannel: true,
    });
    return { ...r, phases: parsePhases(r.side) };
  },
  /**
   * limits.memoryBytes → --max-memory (the store limiter: memory.grow fails past it);
   * limits.fuel → --fuel; under `aot` it runs the .cwasm compiled with `--consume-fuel`
   * (built for workloads with probes), since the plain .cwasm has no fuel metering.
   * The host process inherits the harness's environment; the WASI context still has none.
   */
  async probe(variant: string, req: ProbeRequest): Promise<RunResult> {
    const limits: string[] = [];
    if (req.limits?.memoryBytes) limits.push('--max-memory', String(req.limits.memoryBytes));
    if (req.limits?.fuel) {
      if (variant === 'aot' && !fuelCwasm) throw new Error('wasmtime-embed: --fuel with --aot needs the component-cwasm-fuel artifact (`compile --consume-fuel`); run `npm run build`, or probe the jit variant');
      limits.push('--fuel', String(req.limits.fuel));
    }
    const wasm = variant === 'aot' && req.limits?.fuel ? fuelCwasm : file(variant);
    const r = await run(host, [...flags(variant, withGrantDir(grants, req.grantDir)), ...limits, wasm, '--', ...req.args], {
      env: probeEnv(),
      timeoutMs: req.timeoutMs,
      sideChannel: true,
    });
    return { ...r, phases: parsePhases(r.side) };
  },
  /** The host's loop mode: load once, then per request a new store + WASI context + instantiate + run. */
  async warm(variant: string, req: RunRequest & { iterations: number }): Promise<WarmRun> {
    const [cmd, ...rest] = flags(variant);
    const r = await run(host, [cmd, '--iterations', String(req.iterations + WARM_WARMUP), ...rest, file(variant), '--', ...req.args], {
      env: {},
      timeoutMs: req.timeoutMs ?? 300_000,
      sideChannel: true,
    });
    const line = r.side?.trim().split('\n').pop() ?? '';
    let its: { instantiate_ms: number; run_ms: number }[] | undefined;
    try {
      its = (JSON.parse(line) as { iterations?: typeof its }).iterations;
    } catch {
      its = undefined;
    }
    if (r.exitCode !== 0 || !its || its.length !== req.iterations + WARM_WARMUP) throw new Error(`wasmtime-embed loop failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().slice(0, 300)}`);
    return {
      mode: `wasmtime-embed --iterations ${req.iterations}: new store + WASI ctx + instantiate + run`,
      // Like tinybench's warm-up in the Node hosts: the first iterations (the first also builds the linker) are not measured.
      samples: its.slice(WARM_WARMUP).map((i) => i.instantiate_ms + i.run_ms),
      stdout: r.stdout.split('\n')[0] + '\n',
    };
  },
  describe(variant: string): TargetDescription {
    return {
      id: 'wasmtime-embed',
      variant,
      label: variant === 'aot' ? 'wasmtime-embed (AOT .cwasm)' : 'wasmtime-embed (JIT)',
      runtime: { name: RUNTIME_NAME, version },
      command: `${host} ${flags(variant).join(' ')} ${file(variant)} -- <args>`,
      artifact: variant === 'aot' ? artifacts.aot : artifacts.jit,
      ...(variant === 'aot' && artifacts.fuel ? { fuelArtifact: artifacts.fuel } : {}),
      grants: [...grantLines(grants, (g) => (g.readOnly ? 'read-only preopen' : 'writable preopen')), 'env: none', 'net: none (WASI p2 sockets not granted)', 'stdio: stdout, stderr'],
      // WASI 0.2 `wasi:cli/exit.exit` takes a result: the preview1 adapter reports any non-zero exit as 1.
      exitCodes: 'ok-err',
    };
  },
};
