import path from 'node:path';
import { execa, type ExecaError } from 'execa';
import type { Artifact, BurstAnswer, BurstRequest, BurstRun, DeriveContext, Parked, ParkRequest, PreparedVariant, PrepareContext, ProbeRequest, RunRequest, RunResult, RuntimeInfo, TargetDefinition, TargetFootprint, VariantSpec, WarmRequest, WarmRun } from './types.js';
import { run } from '../util/spawn.js';
import type { Grant } from '../workload.js';
import { splitArtifactId } from '../model.js';
import { EMBED_HOST_ID, buildEmbedHost, findLibwasmtime, precompileComponent } from '../build/embed-host.js';
import type { Skipped } from '../build/common.js';
import { FUEL, MEM_LIMIT_BYTES } from '../measure/limits.js';
import { measureWasmRollout } from '../measure/footprint.js';
import { findArtifact, grantLines, harnessArtifact, notDeclared, ready, skippedArtifact, specOf, withGrantDir, processInvocation, runInvocation, buildHint, buildCommand } from './common.js';
import { parsePhases } from './phases.js';
import { probeEnv } from './probe-support.js';
import { WASI_P2_EXIT_CAVEAT } from './wasi-p2.js';
import { parkInOneProcess, stderrTail } from '../util/park.js';

const INSTALL_HINT = 'pip install wasmtime';
/** Unmeasured warm-up iterations of the loop mode, matching the Node hosts' tinybench warm-up. */
const WARM_WARMUP = 10;
const RUNTIME_NAME = 'wasmtime (embedded, C API)';
/** The host's bound on --burst K and --park N (MAX_THREADS in host.c). */
const HOST_MAX_THREADS = 256;

type Variant = 'jit' | 'aot' | 'pooled';

const COMMON = {
  class: 'wasm',
  phaseSource: 'reported by the embedding host (engine, load or compile, instantiate, run)',
  warm: { mode: 'wasmtime-embed --iterations N: new store + WASI ctx + instantiate + run' },
  // WASI 0.2 `wasi:cli/exit.exit` takes a result: the preview1 adapter reports any non-zero exit as 1.
  exitCodes: 'ok-err',
} as const;

const SPECS: readonly VariantSpec[] = [
  { name: 'jit', label: 'wasmtime-embed (JIT)', ...COMMON, cacheState: 'compiles the component on every run (the host has no code cache)' },
  { name: 'aot', label: 'wasmtime-embed (AOT .cwasm)', ...COMMON, cacheState: 'deserializes the precompiled .cwasm; nothing is compiled at start' },
  {
    name: 'pooled',
    label: 'wasmtime-embed (AOT .cwasm, pooling allocator + CoW)',
    ...COMMON,
    cacheState: 'deserializes the precompiled .cwasm into an engine with the pooling allocator (a small pool reserved at engine start, slots reused per request) and copy-on-write memory initialisation; nothing is compiled at start',
  },
];

/** The variants that load the precompiled .cwasm (and, for a fuel probe, its --consume-fuel build). */
const precompiledVariant = (v: Variant) => v !== 'jit';

/** What prepare() found, shared by the variants of one preparation. */
interface Found {
  host: string;
  argv0: string;
  grants: readonly Grant[];
  runtime: RuntimeInfo;
}

/** One variant's files: what it runs, and for `aot` and `pooled` the .cwasm compiled for fuel metering (empty when not built). */
interface Files {
  wasm: string;
  artifact: string;
  fuelWasm: string;
  fuelArtifact: string;
}

// Host flags; the component file and `-- <guest args>` follow.
function flags(variant: Variant, argv0: string, g: readonly Grant[]): string[] {
  const f = ['run'];
  if (precompiledVariant(variant)) f.push('--aot');
  if (variant === 'pooled') f.push('--pooled');
  f.push('--timings-fd', '3', '--argv0', argv0);
  for (const x of g) f.push(x.readOnly ? '--dir' : '--dir-rw', `${x.host}::${x.guest}`);
  return f;
}

function readyVariant(variant: Variant, s: Found, files: Files): PreparedVariant {
  const { host, argv0, grants } = s;
  const invocation = (req: RunRequest) => processInvocation([host, ...flags(variant, argv0, grants), files.wasm, '--', ...req.args]);
  return ready(specOf(SPECS, variant), {
    invocation,
    async run(req: RunRequest): Promise<RunResult> {
      const r = await runInvocation(invocation(req), { timeoutMs: req.timeoutMs, sideChannel: true });
      return { ...r, phases: parsePhases(r.side) };
    },
    /**
     * limits.memoryBytes → --max-memory (the store limiter: memory.grow fails past it);
     * limits.fuel → --fuel; under `aot` and `pooled` it runs the .cwasm compiled with `--consume-fuel`
     * (built for workloads with probes), since the plain .cwasm has no fuel metering.
     * The host process inherits the harness's environment; the WASI context still has none.
     */
    async probe(req: ProbeRequest): Promise<RunResult> {
      const limits: string[] = [];
      if (req.limits?.memoryBytes) limits.push('--max-memory', String(req.limits.memoryBytes));
      if (req.limits?.fuel) {
        if (precompiledVariant(variant) && !files.fuelWasm) throw new Error('wasmtime-embed: --fuel with --aot needs the component-cwasm-fuel artifact (`compile --consume-fuel`); run `npm run build`, or probe the jit variant');
        limits.push('--fuel', String(req.limits.fuel));
      }
      const wasm = precompiledVariant(variant) && req.limits?.fuel ? files.fuelWasm : files.wasm;
      const r = await run(host, [...flags(variant, argv0, withGrantDir(grants, req.grantDir)), ...limits, wasm, '--', ...req.args], {
        env: probeEnv(),
        timeoutMs: req.timeoutMs,
        sideChannel: true,
      });
      return { ...r, phases: parsePhases(r.side) };
    },
    /** The host's loop mode: load once, then per request a new store + WASI context + instantiate + run. */
    async warm(req: WarmRequest): Promise<WarmRun> {
      const [cmd, ...rest] = flags(variant, argv0, grants);
      const r = await run(host, [cmd, '--iterations', String(req.iterations + WARM_WARMUP), ...rest, files.wasm, '--', ...req.args], {
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
      // Like tinybench's warm-up in the Node hosts: the first iterations (the first also builds the linker) are not measured.
      const measured = its.slice(WARM_WARMUP);
      return {
        mode: `wasmtime-embed${variant === 'pooled' ? ' --pooled' : ''} --iterations ${req.iterations}: new store + WASI ctx + instantiate + run`,
        samples: measured.map((i) => i.instantiate_ms + i.run_ms),
        split: { instantiate: measured.map((i) => i.instantiate_ms), run: measured.map((i) => i.run_ms) },
        stdout: r.stdout.split('\n')[0] + '\n',
      };
    },
    /**
     * The host's --burst K: one host process loads the component once, then takes t0 and
     * starts K threads, each a new store + WASI context + instantiate + run with its own
     * captured stdout and stderr; each request is timed from t0 to its answer on the host's
     * clock. The host process is killed after req.timeoutMs (every request then timed out).
     */
    async burst(req: BurstRequest): Promise<BurstRun> {
      if (!Number.isInteger(req.concurrency) || req.concurrency < 1 || req.concurrency > HOST_MAX_THREADS) throw new Error(`wasmtime-embed burst: K must be 1 to ${HOST_MAX_THREADS}, not ${req.concurrency}`);
      const [cmd, ...rest] = flags(variant, argv0, grants);
      const r = await run(host, [cmd, '--burst', String(req.concurrency), ...rest, files.wasm, '--', ...req.args], { env: {}, timeoutMs: req.timeoutMs, sideChannel: true });
      const mode = `wasmtime-embed${variant === 'pooled' ? ' --pooled' : ''} --burst ${req.concurrency}: one host process, the component ${variant === 'jit' ? 'compiled' : 'deserialized'} once before the burst's clock starts, then one thread per request, each a new store + WASI ctx + instantiate + run`;
      if (r.timedOut) {
        const answers = Array.from({ length: req.concurrency }, (): BurstAnswer => ({ latencyMs: null, stdout: '', stderr: 'the host was killed at the time limit before it reported', exitCode: null, timedOut: true }));
        return { mode, clock: 'runtime', answers, wallMs: req.timeoutMs };
      }
      type Rec = { latency_ms: number | null; exit: number; stdout: string; stderr: string; error?: string };
      let rep: { burst?: Rec[]; wall_ms?: number } = {};
      try {
        rep = JSON.parse(r.side?.trim().split('\n').pop() ?? '') as typeof rep;
      } catch {
        rep = {};
      }
      if (r.exitCode !== 0 || !rep.burst || rep.burst.length !== req.concurrency) {
        throw new Error(`wasmtime-embed burst failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().slice(0, 300)}`);
      }
      const answers = rep.burst.map((b): BurstAnswer => ({
        latencyMs: b.latency_ms,
        stdout: b.stdout,
        // A request the host could not start: its own message, and the host's stderr, which says why.
        stderr: b.error ? `${b.stderr}${b.stderr && !b.stderr.endsWith('\n') ? '\n' : ''}wvc-wasmtime-host: ${b.error}\n${r.stderr.trim().slice(0, 500)}` : b.stderr,
        exitCode: b.exit,
        signal: null,
      }));
      return { mode, clock: 'runtime', answers, wallMs: rep.wall_ms ?? 0 };
    },
    /**
     * The host's --park N, spawned directly (not through the spawner): one engine, the
     * component loaded once, N threads each with its own store running the guest's park
     * mode. Ready when N ready lines are on its stdout; the figure covers the host process.
     */
    park: (req: ParkRequest): Promise<Parked> => parkHost(host, [...flags(variant, argv0, grants), '--park', String(req.instances), files.wasm, '--', ...req.args], req),
    describe() {
      return {
        runtime: s.runtime,
        artifact: files.artifact,
        ...(precompiledVariant(variant) && files.fuelArtifact ? { fuelArtifact: files.fuelArtifact } : {}),
        grants: [...grantLines(grants, (g) => (g.readOnly ? 'read-only preopen' : 'writable preopen')), 'env: none', 'net: none (WASI p2 sockets not granted)', 'stdio: stdout, stderr'],
      };
    },
  });
}

/**
 * Starts one host process that parks `req.instances` instances in their own threads,
 * and waits for one ready line per instance on its stdout. Not ready within
 * req.timeoutMs, or exited first: it is killed (SIGKILL), reaped, and the error thrown.
 */
async function parkHost(host: string, argv: string[], req: ParkRequest): Promise<Parked> {
  if (!Number.isInteger(req.instances) || req.instances < 1 || req.instances > HOST_MAX_THREADS) throw new Error(`wasmtime-embed park: N must be 1 to ${HOST_MAX_THREADS}, not ${req.instances}`);
  return parkInOneProcess(processInvocation([host, ...argv]), req, `the host process: one engine, ${req.instances} stores each parked in its own thread`, {
    timeout: (got, stderr) => `wasmtime-embed park: ${got} of ${req.instances} ready after ${req.timeoutMs} ms${stderrTail(stderr, 200)}`,
    exited: (how, got, stderr) => `wasmtime-embed park: the host exited ${how} with ${got} of ${req.instances} ready${stderrTail(stderr, 200)}`,
  });
}

/** The derived .cwasm: the component precompiled by the embed host, when the build made one. */
function precompiled(file: (argv0: string) => string, opts: { consumeFuel?: boolean } = {}) {
  return async (d: DeriveContext): Promise<Artifact | Skipped> => {
    const host = d.harnessArtifact(EMBED_HOST_ID)?.path;
    if (!host) return { skipped: true, reason: 'needs the wasmtime-embed host', hint: INSTALL_HINT };
    return precompileComponent(d.build, host, d.input, d.id, path.join(d.outDir, 'wasm', file(d.workload.argv0)), opts);
  };
}

/**
 * Wasmtime embedded through its C API: harness/hosts/wasmtime-embed/host.c, linked
 * against the pip wheel's libwasmtime, one process per run. `jit` compiles the
 * component on every run (the engine's default config, no code cache); `aot` loads
 * the .cwasm that the same host precompiled at build time; `pooled` loads the same
 * .cwasm into an engine configured as platforms configure it (`--pooled`: the
 * pooling allocation strategy with copy-on-write memory initialisation).
 */
export const wasmtimeEmbed: TargetDefinition = {
  id: 'wasmtime-embed',
  summary: 'the component on Wasmtime embedded through its C API (harness/hosts/wasmtime-embed), JIT or a precompiled .cwasm (default or pooling allocator), one process per run',
  variants: SPECS,
  // AOT with a .cwasm compiled for fuel metering: the same sandbox as JIT, without a compile per probe
  // (seconds for the JavaScript component).
  capabilityRows: [
    { variant: 'aot', limits: { memoryBytes: MEM_LIMIT_BYTES, fuel: FUEL }, limitsText: `--max-memory ${MEM_LIMIT_BYTES} (store limiter), --fuel ${FUEL} (AOT .cwasm compiled with --consume-fuel)` },
  ],
  caveats: [WASI_P2_EXIT_CAVEAT],
  // The embedding host (harness/hosts/wasmtime-embed/host.c linked against libwasmtime), built once.
  tools: [{ id: EMBED_HOST_ID, build: buildEmbedHost }],
  derived: [
    { role: 'component-cwasm', from: 'component', build: precompiled((argv0) => `${argv0}.cwasm`) },
    // For the capability probes' fuel limit, without a JIT compile per probe.
    { role: 'component-cwasm-fuel', from: 'component', when: (w) => w.probes, build: precompiled((argv0) => `${argv0}.fuel.cwasm`, { consumeFuel: true }) },
  ],
  prerequisites: [
    {
      name: 'libwasmtime',
      async check() {
        const lib = await findLibwasmtime();
        if (lib) return { ok: true, detail: `${lib.version} at ${lib.libPath}` };
        return { ok: false, detail: 'missing — pip install wasmtime (or set WVC_LIBWASMTIME=/path/to/libwasmtime.so)', fix: process.env.WVC_LIBWASMTIME ? undefined : ['pip-wasmtime'] };
      },
    },
  ],

  async version(): Promise<string | null> {
    return (await findLibwasmtime())?.version ?? null;
  },

  async runtimeFiles(ctx) {
    const lib = await findLibwasmtime();
    const host = ctx.artifacts.find((a) => a.id === EMBED_HOST_ID)?.path;
    return [
      {
        name: 'wasmtime embedded (libwasmtime + host)',
        files: [
          { label: 'libwasmtime', candidates: lib ? [lib.libPath] : [] },
          { label: 'wvc-wasmtime-host', candidates: host ? [host] : [] },
        ],
      },
    ];
  },

  /** The wasm rollout per node: copy each workload's component, then AOT-compile it (the JavaScript one is where this decides the story). */
  async footprint(ctx): Promise<TargetFootprint> {
    const out: TargetFootprint = { images: [], rollout: [], notes: [] };
    const host = ctx.artifacts.find((a) => a.id === EMBED_HOST_ID)?.path;
    const components = ctx.artifacts.filter((a) => splitArtifactId(a.id)?.role === 'component' && a.path);
    if (host) for (const c of components) out.rollout.push(await measureWasmRollout(host, c, ctx.runs, 'wasmtime-embed'));
    else out.notes.push('no wasm rollout cost: the wasmtime-embed host was not built (pip install wasmtime)');
    return out;
  },

  async prepare(ctx: PrepareContext) {
    if (!ctx.workload.artifacts.component) return notDeclared(ctx, 'component', 'wasmtime-embed');
    const hostArt = harnessArtifact(ctx, EMBED_HOST_ID);
    if (!hostArt?.path) {
      const why = skippedArtifact(ctx, EMBED_HOST_ID);
      return { status: 'skipped', reason: why?.reason ?? 'libwasmtime not found', hint: why?.hint ?? INSTALL_HINT };
    }
    const comp = findArtifact(ctx, 'component');
    if (!comp?.path) return { status: 'skipped', reason: 'component not built', hint: buildHint(ctx) };
    const pre = findArtifact(ctx, 'component-cwasm');
    if (!pre?.path) {
      const why = skippedArtifact(ctx, 'component-cwasm');
      return { status: 'skipped', reason: why?.reason ?? 'component-cwasm not built', hint: why?.hint ?? buildHint(ctx) };
    }
    let version: string;
    try {
      const { stdout } = await execa(hostArt.path, ['version'], { env: {}, extendEnv: false });
      version = stdout.trim();
    } catch (e) {
      const err = e as ExecaError;
      const stderr = typeof err.stderr === 'string' ? err.stderr.trim() : '';
      // The library the host was linked against has gone (e.g. the wheel was uninstalled).
      if (/error while loading shared libraries/.test(stderr)) {
        return { status: 'skipped', reason: `libwasmtime is gone: ${stderr}`, hint: `${INSTALL_HINT}, then \`${buildCommand(ctx.workload)}\`` };
      }
      if (err.code === 'ENOENT') return { status: 'skipped', reason: `${hostArt.path} is missing`, hint: buildHint(ctx) };
      throw new Error(`wvc-wasmtime-host version failed: ${err.message}`, { cause: e });
    }
    const fuel = findArtifact(ctx, 'component-cwasm-fuel');
    const runtime: RuntimeInfo = { name: RUNTIME_NAME, version };
    const found: Found = { host: hostArt.path, argv0: ctx.workload.argv0, grants: ctx.workload.grants, runtime };
    // Only `aot` and `pooled` probes run the fuel build; `jit` compiles the component itself, with --fuel when asked.
    const fuelFiles = { fuelWasm: fuel?.path ?? '', fuelArtifact: fuel?.id ?? '' };
    return {
      status: 'ok',
      runtime,
      variants: [
        readyVariant('jit', found, { wasm: comp.path, artifact: comp.id, ...fuelFiles }),
        readyVariant('aot', found, { wasm: pre.path, artifact: pre.id, ...fuelFiles }),
        readyVariant('pooled', found, { wasm: pre.path, artifact: pre.id, ...fuelFiles }),
      ],
    };
  },
};
