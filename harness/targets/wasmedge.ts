import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Artifact, BurstRequest, BurstRun, DeriveContext, Parked, ParkRequest, PreparedVariant, PrepareContext, Preparation, ProbeRequest, RunRequest, RunResult, RuntimeInfo, TargetDefinition, TargetFootprint, VariantDescription, VariantSpec } from './types.js';
import { type Skipped, fileArtifact, inputsHash, reusable } from '../build/common.js';
import { run } from '../util/spawn.js';
import { processBurst } from '../util/burst.js';
import { parkProcesses } from '../util/park.js';
import type { Grant } from '../workload.js';
import { splitArtifactId } from '../model.js';
import { CPU_LIMIT_SECONDS, MEM_LIMIT_BYTES } from '../measure/limits.js';
import { measureWasmRollout } from '../measure/footprint.js';
import { buildCommand, buildHint, findArtifact, grantLines, onPath, processInvocation, ready, runInvocation, skippedArtifact, specOf, unavailable, withGrantDir } from './common.js';
import { probeEnv } from './probe-support.js';
import { errorLine } from '../errors.js';

export const WASMEDGE_HINT =
  'install WasmEdge (its install script or a release archive from the WasmEdge project, or a build of its repository with -DWASMEDGE_USE_LLVM=ON for `wasmedge compile`) and put `wasmedge` on PATH, or set WASMEDGE=/path/to/wasmedge';

/** The wasmedge CLI named by $WASMEDGE, else `wasmedge` on PATH, with the exact `wasmedge --version` line. */
export async function findWasmedge(): Promise<{ bin: string; version: string } | null> {
  // An absolute path: every run gets an empty environment, so nothing may depend on its PATH.
  const named = process.env.WASMEDGE || 'wasmedge';
  const bin = named.includes('/') ? path.resolve(named) : await onPath(named);
  if (!bin) return null;
  try {
    const { stdout } = await execa(bin, ['--version'], { env: {}, extendEnv: false });
    // `<argv[0]> version X`: as the CLI prints it when run as `wasmedge`, its path aside.
    const first = stdout.trim().split('\n')[0]?.trim() ?? '';
    const version = first.startsWith(`${bin} `) ? `${path.basename(bin)}${first.slice(bin.length)}` : first;
    return version ? { bin, version } : null;
  } catch {
    return null;
  }
}

/** The derived artifacts: the core module compiled by `wasmedge compile` to a shared library, and the same with `--interruptible` for the probes' time limit. */
const AOT_ROLE = 'core-wasmedge-aot';
const AOT_PROBE_ROLE = 'core-wasmedge-aot-interruptible';
/** WasmEdge's memory limit counts 64 KiB pages per memory instance. */
const PAGE_BYTES = 64 * 1024;
/** The probes' time limit: the CPU-time limit the hardened container rows ask, as WasmEdge's wall-clock --time-limit (ms). */
const TIME_LIMIT_MS = CPU_LIMIT_SECONDS * 1000;
const LIMITS_TEXT = `--memory-page-limit ${MEM_LIMIT_BYTES / PAGE_BYTES} (${MEM_LIMIT_BYTES / 2 ** 20} MiB of linear memory per memory instance), --time-limit ${TIME_LIMIT_MS} (ms of wall clock from the CLI's start; no CPU-time or instruction limit is set)`;

const WARM_NONE = 'the CLI has no in-process loop (one process per run)';
/** What the statistics flag reports, shared by both variants. */
const PHASE_SOURCE =
  "WasmEdge's own statistics (--enable-time-measuring): `run` is its total execution time of _start; reading, validating and instantiating the module and the process itself are the rest";
const ARGV0_NOTE =
  "argv[0] is not the workload's: the wasmedge CLI passes the module's file name with a .wasm extension (it has no flag for argv[0])";
const SOCKETS_NOTE =
  "WasmEdge's WASI module registers its own socket functions (sock_open, sock_connect … in wasi_snapshot_preview1, the WasmEdge socket extension) for every module, with no CLI flag to remove them: a module that imports them connects to any address the host reaches (test/wasmedge.test.ts connects to a loopback listener this way). A wasi-libc program (the calculator, the probe guest) does not import them, so its net-connect cell is what such a program can do, not a network the runtime withholds";

/** What both variants share: one wasmedge process per run, phases from its statistics. */
const COMMON = { class: 'wasm', phaseSource: PHASE_SOURCE, warm: { none: WARM_NONE }, exitCodes: 'exact', notes: [ARGV0_NOTE, SOCKETS_NOTE] } as const;

const VARIANTS: readonly VariantSpec[] = [
  {
    name: 'interpreter',
    label: 'wasmedge CLI (interpreter, its default configuration)',
    ...COMMON,
    cacheState: 'interprets the core module: nothing is compiled (WasmEdge\'s default for a plain .wasm)',
  },
  {
    name: 'aot',
    label: 'wasmedge CLI (AOT: wasmedge compile at build time)',
    ...COMMON,
    cacheState: 'loads the shared library that `wasmedge compile` made from the core module at build time: nothing is compiled at start',
  },
];

/** `--dir guest:host[:readonly]` per grant (WasmEdge's order is guest first). */
function dirFlags(grants: readonly Grant[]): string[] {
  return grants.flatMap((g) => ['--dir', `${g.guest}:${g.host}${g.readOnly ? ':readonly' : ''}`]);
}

/** One line of WasmEdge's log (spdlog's default format): `[date time] [level] message`. */
const LOG_START = /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\] \[[a-z]+\] /g;
const LOG_LINE = /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\] \[[a-z]+\] [^\n]*\n/y;
const STATS_LINE = /\] \[info\] (?:=+ {2}Statistics {2}=+|=+ {3}End {3}=+| [A-Z][A-Za-z ]+: \d+(?: ns)?)\n?$/;
const EXEC_NS = /\[info\]\s+Total execution time: (\d+) ns/;

/** Whether log lines run from `at` to the very end of `text`. */
function logRunsToEnd(text: string, at: number): boolean {
  LOG_LINE.lastIndex = at;
  while (LOG_LINE.lastIndex < text.length) if (!LOG_LINE.test(text)) return false;
  return true;
}

/**
 * WasmEdge logs on stdout (its statistics, and a trap's error), after the guest's last write.
 * Splits that trailing run of log lines off: the guest's stdout exactly; the log's other lines
 * (errors, warnings), which are the runtime's and go to stderr; and the statistics' execution
 * time in ms. A guest whose own last lines look like WasmEdge's log would lose them to it.
 */
export function splitRuntimeLog(stdout: string): { stdout: string; log: string; runMs?: number } {
  for (const m of stdout.matchAll(LOG_START)) {
    if (!logRunsToEnd(stdout, m.index)) continue;
    const lines = stdout.slice(m.index).split(/(?<=\n)/);
    const ns = EXEC_NS.exec(lines.join(''));
    return { stdout: stdout.slice(0, m.index), log: lines.filter((l) => !STATS_LINE.test(l)).join(''), ...(ns ? { runMs: Number(ns[1]) / 1e6 } : {}) };
  }
  return { stdout, log: '' };
}

/** A result with WasmEdge's log taken off stdout: its statistics become the `run` phase, its other lines follow the stderr. */
function withPhases<T extends { stdout: string; stderr: string }>(r: T): T & { phases?: Record<string, number> } {
  const s = splitRuntimeLog(r.stdout);
  return { ...r, stdout: s.stdout, stderr: r.stderr + s.log, ...(s.runMs !== undefined ? { phases: { run: s.runMs } } : {}) };
}

/** `wasmedge compile [--interruptible] core out.so`, content-addressed on the core module and the wasmedge version. */
function compiled(opts: { interruptible?: boolean } = {}) {
  return async (d: DeriveContext): Promise<Artifact | Skipped> => {
    const found = await findWasmedge();
    if (!found) return { skipped: true, reason: 'wasmedge not installed', hint: WASMEDGE_HINT };
    const flags = opts.interruptible ? ['--interruptible'] : [];
    const inputs = await inputsHash([], [d.input.sha256, found.version, 'wasmedge compile', ...flags]);
    const prev = await reusable(d.build, d.id, inputs);
    if (prev) return prev;
    const out = path.join(d.outDir, 'wasm', `${d.workload.argv0}.wasmedge${opts.interruptible ? '.interruptible' : ''}.so`);
    await mkdir(path.dirname(out), { recursive: true });
    // The output's extension picks the format: `.so` is a shared library, which fails loudly if it cannot load.
    const tmp = `${out}.tmp-${process.pid}.so`;
    try {
      await execa(found.bin, ['compile', ...flags, d.input.path!, tmp], { env: {}, extendEnv: false });
    } catch (e) {
      await rm(tmp, { force: true });
      // A wasmedge built without LLVM has no compiler; either way the AOT variant is skipped and says why (the command, its stderr).
      return { skipped: true, reason: `wasmedge compile failed: ${errorLine(e)}`, hint: WASMEDGE_HINT };
    }
    await rename(tmp, out);
    d.build.log(`built ${d.id} with ${found.version}`);
    return fileArtifact(d.id, out, inputs);
  };
}

/** The AOT artifact of this role, when it was made by this wasmedge from this core module; else why not. */
async function aotArtifact(ctx: PrepareContext, role: string, core: Artifact, version: string): Promise<{ art: Artifact } | { reason: string; hint: string }> {
  const art = findArtifact(ctx, role);
  if (!art?.path) {
    const why = skippedArtifact(ctx, role);
    return { reason: why?.reason ?? `${role} not built`, hint: why?.hint ?? buildHint(ctx, ' with wasmedge installed') };
  }
  const expected = await inputsHash([], [core.sha256, version, 'wasmedge compile', ...(role === AOT_PROBE_ROLE ? ['--interruptible'] : [])]);
  if (art.inputsHash !== expected) return { reason: `${art.id} was compiled from another core module or by another wasmedge than ${version}`, hint: `run \`${buildCommand(ctx.workload)}\`, which remakes it` };
  return { art };
}

interface Found {
  bin: string;
  runtime: RuntimeInfo;
  grants: readonly Grant[];
}

function readyVariant(name: 'interpreter' | 'aot', f: Found, file: string, artifact: string, probeFile: string | undefined): PreparedVariant {
  const { bin, grants } = f;
  const base = (g: readonly Grant[]) => ['run', '--enable-time-measuring', ...dirFlags(g)];
  const invocation = (req: RunRequest) => processInvocation([bin, ...base(grants), file, ...req.args]);
  const runOnce = async (req: RunRequest): Promise<RunResult> => withPhases(await runInvocation(invocation(req), { timeoutMs: req.timeoutMs }));
  return ready(specOf(VARIANTS, name), {
    invocation,
    run: runOnce,
    /**
     * The row's limits: limits.memoryBytes → --memory-page-limit (memory.grow fails past it), and
     * always --time-limit (wall clock from the CLI's start; the AOT variant runs the library compiled
     * with --interruptible, since code compiled without it cannot be stopped). WasmEdge has no fuel
     * by that name (its --gas-limit needs gas-measuring code): limits.fuel is not applied. The process
     * inherits the harness's environment; the guest gets none (no --env).
     */
    async probe(req: ProbeRequest): Promise<RunResult> {
      if (name === 'aot' && !probeFile) throw new Error(`wasmedge aot: the probes need the ${AOT_PROBE_ROLE} artifact (wasmedge compile --interruptible); run \`npm run build\``);
      const limits = ['--time-limit', String(TIME_LIMIT_MS)];
      if (req.limits?.memoryBytes) limits.push('--memory-page-limit', String(Math.max(1, Math.floor(req.limits.memoryBytes / PAGE_BYTES))));
      const r = await run(bin, [...base(withGrantDir(grants, req.grantDir)), ...limits, name === 'aot' ? probeFile! : file, ...req.args], { env: probeEnv(), timeoutMs: req.timeoutMs });
      return withPhases(r);
    },
    /** K `wasmedge run` processes, each loading the module itself; each answer with WasmEdge's log moved off its stdout. */
    async burst(req: BurstRequest): Promise<BurstRun> {
      const b = await processBurst(invocation(req), req, runOnce);
      return { ...b, answers: b.answers.map((a) => { const s = splitRuntimeLog(a.stdout); return { ...a, stdout: s.stdout, stderr: a.stderr + s.log }; }) };
    },
    /** N `wasmedge run` processes, each its own VM, parked in the guest's park mode. */
    park: (req: ParkRequest): Promise<Parked> =>
      parkProcesses(() => invocation({ args: req.args, timeoutMs: req.timeoutMs }), req, `each wasmedge CLI process and its descendants (${req.instances} processes, one VM each)`),
    describe(): VariantDescription {
      return {
        runtime: f.runtime,
        how: name === 'aot' ? 'the shared library made by `wasmedge compile` from the core module' : 'the core module, interpreted',
        artifact,
        grants: [
          ...grantLines(grants, (g) => (g.readOnly ? '--dir guest:host:readonly preopen' : '--dir guest:host preopen, read-write')),
          'env: none (no --env)',
          'net: not withheld (WasmEdge\'s own socket functions are there for any module that imports them; a wasi-libc program has none to call)',
          'stdio: stdout, stderr',
        ],
      };
    },
  });
}

/**
 * WasmEdge (the CNCF runtime), its CLI when installed, running the workload's core module
 * (WASI preview1), one process per run: `interpreter` is WasmEdge's default configuration;
 * `aot` runs the shared library that `wasmedge compile` made at build time, its best one.
 */
export const wasmedge: TargetDefinition = {
  id: 'wasmedge',
  summary: "the wasmedge CLI, when installed, running the workload's core module: interpreted (its default) and AOT-compiled at build time by wasmedge compile",
  variants: VARIANTS,
  capabilityRows: [
    { suffix: 'interpreter', variant: 'interpreter', limits: { memoryBytes: MEM_LIMIT_BYTES }, limitsText: LIMITS_TEXT, policyNote: SOCKETS_NOTE },
    { suffix: 'aot', variant: 'aot', limits: { memoryBytes: MEM_LIMIT_BYTES }, limitsText: `${LIMITS_TEXT}; the library compiled with --interruptible, so the time limit can stop it`, policyNote: SOCKETS_NOTE },
  ],
  caveats: [
    'wasmedge: the interpreter is WasmEdge\'s default configuration for a plain .wasm; the AOT variant (a shared library from `wasmedge compile`) is its fastest honest one. WasmEdge\'s component-model support is experimental, so it runs core modules only.',
  ],
  derived: [
    { role: AOT_ROLE, from: 'core', build: compiled() },
    // For the probes' time limit: AOT code stops only where `--interruptible` put checks.
    { role: AOT_PROBE_ROLE, from: 'core', when: (w) => w.probes, build: compiled({ interruptible: true }) },
  ],
  prerequisites: [
    {
      name: 'wasmedge CLI (optional)',
      optional: true,
      async check() {
        const found = await findWasmedge();
        return { ok: !!found, detail: found ? found.version : `not installed — optional; ${WASMEDGE_HINT}` };
      },
    },
  ],
  async version() {
    return (await findWasmedge())?.version ?? null;
  },
  /** The CLI, libwasmedge and, when linked, LLVM (the AOT compiler), as the dynamic loader resolves them. */
  async runtimeFiles() {
    const found = await findWasmedge();
    if (!found) return [];
    const files = [{ label: 'wasmedge', candidates: [found.bin] }];
    try {
      const { stdout } = await execa('ldd', [found.bin]);
      for (const m of stdout.matchAll(/^\s*(lib(?:wasmedge|LLVM|lld)[^\s]*)\s+=>\s+(\S+)/gm)) files.push({ label: m[1]!, candidates: [m[2]!] });
    } catch {
      // ldd missing: the CLI alone is measured, and libwasmedge shows as missing below
    }
    if (!files.some((f) => f.label.startsWith('libwasmedge'))) files.push({ label: 'libwasmedge.so', candidates: [] });
    return [{ name: 'wasmedge', files }];
  },
  /** The AOT rollout per node: copy each workload's core module, then `wasmedge compile` it, next to Wasmtime's. */
  async footprint(ctx): Promise<TargetFootprint> {
    const out: TargetFootprint = { images: [], rollout: [], notes: [] };
    const found = await findWasmedge();
    if (!found) return { ...out, notes: ['no wasmedge rollout cost: wasmedge is not installed'] };
    for (const core of ctx.artifacts.filter((a) => splitArtifactId(a.id)?.role === 'core' && a.path)) {
      out.rollout.push(await measureWasmRollout(found.bin, core, ctx.runs, 'wasmedge compile', { input: 'tax.core.wasm', output: 'tax.so', kind: 'core module', produces: 'a shared library' }));
    }
    return out;
  },
  async prepare(ctx: PrepareContext): Promise<Preparation> {
    if (!ctx.workload.artifacts.core) {
      const only = ctx.workload.artifacts.component ? ', only a component: WasmEdge\'s component-model support is experimental (--enable-component), so the target runs core modules only' : '';
      return { status: 'n/a', reason: `wasmedge runs artifacts.core (a WASI preview1 core module), which workload ${ctx.workload.name} does not declare${only}` };
    }
    const found = await findWasmedge();
    if (!found) {
      return { status: 'skipped', reason: process.env.WASMEDGE ? `WASMEDGE=${process.env.WASMEDGE} does not run` : 'wasmedge not on PATH', hint: WASMEDGE_HINT };
    }
    const core = findArtifact(ctx, 'core');
    if (!core?.path) return { status: 'skipped', reason: 'core module not built', hint: buildHint(ctx) };
    const runtime: RuntimeInfo = { name: 'wasmedge CLI', version: found.version };
    const f: Found = { bin: found.bin, runtime, grants: ctx.workload.grants };
    const aot = await aotArtifact(ctx, AOT_ROLE, core, found.version);
    const probeAot = ctx.workload.probes ? await aotArtifact(ctx, AOT_PROBE_ROLE, core, found.version) : null;
    const probeFile = probeAot && 'art' in probeAot ? probeAot.art.path : undefined;
    return {
      status: 'ok',
      runtime,
      variants: [
        readyVariant('interpreter', f, core.path, core.id, undefined),
        'art' in aot ? readyVariant('aot', f, aot.art.path!, aot.art.id, probeFile) : unavailable(specOf(VARIANTS, 'aot'), aot.reason, aot.hint),
      ],
    };
  },
};
