import path from 'node:path';
import type { BurstRequest, BurstRun, Parked, ParkRequest, Preparation, PrepareContext, ProbeRequest, RunRequest, RunResult, RuntimeInfo, TargetDefinition, VariantDescription, VariantSpec, WarmRequest, WarmRun } from './types.js';
import { HOSTS_DIST, packageVersion } from '../paths.js';
import { run } from '../util/spawn.js';
import { processBurst } from '../util/burst.js';
import { parkInOneHost } from './node-wasi.js';
import type { Grant } from '../workload.js';
import { transpileComponent } from '../build/wasm.js';
import { findArtifact, grantLines, notDeclared, preopenFlags, ready, specOf, withGrantDir, processInvocation, runInvocation, buildHint, skippedArtifact } from './common.js';
import { nodeRuntimeFiles, probeEnv } from './probe-support.js';
import { parsePhases } from './phases.js';
import { parseWarm } from './warm.js';
import { WASI_P2_EXIT_CAVEAT } from './wasi-p2.js';

const host = path.join(HOSTS_DIST, 'jco-host.js');
/** The name every component is transpiled under (`<name>.js`, see `derived` below). */
const BUNDLE_NAME = 'component';

const PHASE_SOURCE = 'performance marks on a side channel (boot = Node start to host script)';
const CACHE_STATE = 'Node compiles the transpiled component on every run (no V8 code cache)';

const VARIANTS: readonly VariantSpec[] = [
  {
    name: 'sandboxed',
    label: 'jco (transpiled component, preview2-shim WASIShim sandbox)',
    class: 'wasm',
    phaseSource: PHASE_SOURCE,
    cacheState: CACHE_STATE,
    warm: { mode: 'jco instantiate + run' },
    exitCodes: 'ok-err',
  },
  /** `new WASIShim()` with no sandbox option, to show what the shim's defaults grant. */
  {
    name: 'default-shim',
    label: 'jco (preview2-shim defaults: new WASIShim())',
    class: 'wasm',
    phaseSource: PHASE_SOURCE,
    cacheState: CACHE_STATE,
    warm: { none: 'probe-only configuration' },
    exitCodes: 'ok-err',
    probeOnly: true,
  },
];

function runtime(): RuntimeInfo {
  return {
    name: 'jco + preview2-shim on node',
    version: `jco ${packageVersion('@bytecodealliance/jco')}, preview2-shim ${packageVersion('@bytecodealliance/preview2-shim')}, node ${process.version}`,
  };
}

/**
 * The component, transpiled by jco and run on V8 with @bytecodealliance/preview2-shim,
 * one Node process per run, through an explicit WASIShim sandbox.
 */
export const jco: TargetDefinition = {
  id: 'jco',
  summary: 'the workload\'s component transpiled by jco, on Node with an explicit preview2-shim WASIShim sandbox, one Node process per run',
  variants: VARIANTS,
  capabilityRows: [
    { variant: 'sandboxed', limitsText: 'none offered by the shim' },
    {
      suffix: 'default-shim',
      variant: 'default-shim',
      limitsText: 'none offered by the shim',
      policyNote: 'new WASIShim() with no sandbox option: what the shim grants by default (the guest argv is set with cli._setArgs).',
    },
  ],
  caveats: [WASI_P2_EXIT_CAVEAT],
  derived: [{ role: 'jco-bundle', from: 'component', build: (d) => transpileComponent(d.build, d.id, d.input, path.join(d.outDir, 'jco'), BUNDLE_NAME) }],
  async version() {
    return runtime().version;
  },
  async runtimeFiles() {
    return [nodeRuntimeFiles()];
  },
  async prepare(ctx: PrepareContext): Promise<Preparation> {
    if (!ctx.workload.artifacts.component) return notDeclared(ctx, 'component', 'jco');
    const art = findArtifact(ctx, 'jco-bundle');
    if (!art?.path) {
      const why = skippedArtifact(ctx, 'jco-bundle');
      return { status: 'skipped', reason: why?.reason ?? 'jco bundle not built', hint: why?.hint ?? buildHint(ctx) };
    }
    const bundleDir = art.path;
    const artifact = art.id;
    const argv0 = ctx.workload.argv0;
    const grants = ctx.workload.grants;
    /** Host flags for the workload's argv[0] and grants (the shim has no read-only preopen). */
    const hostFlags = (g: readonly Grant[] = grants): string[] => preopenFlags(argv0, g);
    /** The host process inherits the harness's environment; only the shim's config decides what the guest sees. */
    const probe = (mode: string[]) => async (req: ProbeRequest): Promise<RunResult> => {
      const r = await run(process.execPath, [host, ...mode, ...hostFlags(withGrantDir(grants, req.grantDir)), bundleDir, BUNDLE_NAME, '--', ...req.args], {
        env: probeEnv(),
        timeoutMs: req.timeoutMs,
        sideChannel: true,
      });
      return { ...r, phases: parsePhases(r.side) };
    };
    const probeDefaultShim = probe(['--default-shim']);
    const invocation = (req: RunRequest) => processInvocation([process.execPath, host, ...hostFlags(), bundleDir, BUNDLE_NAME, '--', ...req.args]);
    const runOnce = async (req: RunRequest): Promise<RunResult> => {
      const r = await runInvocation(invocation(req), { timeoutMs: req.timeoutMs, sideChannel: true });
      return { ...r, phases: parsePhases(r.side) };
    };
    const defaultShimInvocation = (req: RunRequest) => processInvocation([process.execPath, host, '--default-shim', ...hostFlags(), bundleDir, BUNDLE_NAME, '--', ...req.args]);
    return {
      status: 'ok',
      runtime: runtime(),
      variants: [
        ready(specOf(VARIANTS, 'sandboxed'), {
          invocation,
          run: runOnce,
          probe: probe([]),
          async warm(req: WarmRequest): Promise<WarmRun> {
            return parseWarm(await run(process.execPath, [host, '--iterations', String(req.iterations), ...hostFlags(), bundleDir, BUNDLE_NAME, '--', ...req.args], { env: {}, timeoutMs: req.timeoutMs ?? 300_000, sideChannel: true }));
          },
          /** K host processes at once, each one cold start as run() makes it. */
          burst: (req: BurstRequest): Promise<BurstRun> => processBurst(invocation(req), req, runOnce),
          /** N instances in one host process (`--park N`), each kept alive after serving the sample: a guest parked mid-request would block the shim's thread. */
          parksServed: true,
          park(req: ParkRequest): Promise<Parked> {
            return parkInOneHost(
              processInvocation([process.execPath, host, '--park', String(req.instances), ...hostFlags(), bundleDir, BUNDLE_NAME, '--', ...req.sampleArgs]),
              req,
              `the Node host process (jco + preview2-shim): ${req.instances} instances of the transpiled component, each from the bundle's own instantiate() (instantiation mode: fresh core instances and a fresh WASIShim per call, core modules compiled once), kept alive after serving one request of the sample; a synchronous host cannot park one mid-request (a guest's sleep blocks its thread)`,
            );
          },
          describe(): VariantDescription {
            return {
              runtime: runtime(),
              how: 'new WASIShim({sandbox:{preopens, env:{}, enableNetwork:false}})',
              artifact,
              grants: [...grantLines(grants, () => 'preopen; the shim has no read-only preopen'), 'env: none', 'net: none (enableNetwork: false)', 'stdio: stdout, stderr'],
            };
          },
        }),
        // Probe-only: never cold-started; run() is the probe with the manifest's grant.
        ready(specOf(VARIANTS, 'default-shim'), {
          invocation: defaultShimInvocation,
          async run(req: RunRequest): Promise<RunResult> {
            const r = await runInvocation(defaultShimInvocation(req), { timeoutMs: req.timeoutMs, sideChannel: true });
            return { ...r, phases: parsePhases(r.side) };
          },
          probe: probeDefaultShim,
          describe(): VariantDescription {
            return {
              runtime: runtime(),
              how: "new WASIShim(); guest argv set with the shim's cli._setArgs",
              artifact,
              grants: ['fs: the shim default preopens', 'env: the host process environment (shim default)', 'net: the shim default (enableNetwork defaults to true)', 'stdio: stdout, stderr'],
            };
          },
        }),
      ],
    };
  },
};
