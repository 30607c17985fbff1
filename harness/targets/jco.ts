import path from 'node:path';
import type { Availability, PrepareContext, ProbeRequest, RunRequest, RunResult, Target, TargetDescription, WarmRun } from './types.js';
import { HOSTS_DIST, packageVersion } from '../paths.js';
import { run } from '../util/spawn.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, notDeclared, preopenFlags, withGrantDir } from './common.js';
import { probeEnv } from './probe-support.js';
import { parsePhases } from './phases.js';
import { parseWarm } from './warm.js';

let bundleDir = '';
let artifact = '';
let argv0 = '';
let grants: Grant[] = [];
const host = path.join(HOSTS_DIST, 'jco-host.js');
/** The name harness/build/workload.ts transpiles every component under (`<name>.js`). */
const BUNDLE_NAME = 'component';

/** Host flags for the workload's argv[0] and grants (the shim has no read-only preopen). */
function hostFlags(g: readonly Grant[] = grants): string[] {
  return preopenFlags(argv0, g);
}

/**
 * The component, transpiled by jco and run on V8 with @bytecodealliance/preview2-shim,
 * one Node process per run, through an explicit WASIShim sandbox.
 */
export const jco: Target = {
  id: 'jco',
  variants: ['sandboxed'],
  /** `default-shim`: `new WASIShim()` with no sandbox option, to show what the shim's defaults grant. */
  probeVariants: ['default-shim'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
    if (!ctx.workload.artifacts.component) return notDeclared(ctx, 'component', 'jco');
    const art = findArtifact(ctx, 'jco-bundle');
    if (!art?.path) return { status: 'skipped', reason: 'jco bundle not built', hint: 'run `npm run build`' };
    bundleDir = art.path;
    artifact = art.id;
    argv0 = ctx.workload.argv0;
    grants = ctx.workload.grants;
    return { status: 'ok', runtime: runtime() };
  },
  async run(_variant: string, req: RunRequest): Promise<RunResult> {
    const r = await run(process.execPath, [host, ...hostFlags(), bundleDir, BUNDLE_NAME, '--', ...req.args], {
      env: {},
      timeoutMs: req.timeoutMs,
      sideChannel: true,
    });
    return { ...r, phases: parsePhases(r.side) };
  },
  /** The host process inherits the harness's environment; only the shim's config decides what the guest sees. */
  async probe(variant: string, req: ProbeRequest): Promise<RunResult> {
    const mode = variant === 'default-shim' ? ['--default-shim'] : [];
    const r = await run(process.execPath, [host, ...mode, ...hostFlags(withGrantDir(grants, req.grantDir)), bundleDir, BUNDLE_NAME, '--', ...req.args], {
      env: probeEnv(),
      timeoutMs: req.timeoutMs,
      sideChannel: true,
    });
    return { ...r, phases: parsePhases(r.side) };
  },
  async warm(_variant: string, req: RunRequest & { iterations: number }): Promise<WarmRun> {
    return parseWarm(await run(process.execPath, [host, '--iterations', String(req.iterations), ...hostFlags(), bundleDir, BUNDLE_NAME, '--', ...req.args], { env: {}, timeoutMs: req.timeoutMs ?? 300_000, sideChannel: true }));
  },
  describe(variant: string): TargetDescription {
    if (variant === 'default-shim') {
      return {
        id: 'jco',
        variant,
        label: 'jco (preview2-shim defaults: new WASIShim())',
        runtime: runtime(),
        command: `node ${host} --default-shim --argv0 ${argv0} ${bundleDir} ${BUNDLE_NAME} -- <args>  (new WASIShim(); guest argv set with the shim's cli._setArgs)`,
        artifact,
        grants: ['fs: the shim default preopens', 'env: the host process environment (shim default)', 'net: the shim default (enableNetwork defaults to true)', 'stdio: stdout, stderr'],
        exitCodes: 'ok-err',
      };
    }
    return {
      id: 'jco',
      variant,
      label: 'jco (transpiled component, preview2-shim WASIShim sandbox)',
      runtime: runtime(),
      command: `node ${host} ${hostFlags().join(' ')} ${bundleDir} ${BUNDLE_NAME} -- <args>  (new WASIShim({sandbox:{preopens, env:{}, enableNetwork:false}}))`,
      artifact,
      grants: [...grantLines(grants, () => 'preopen; the shim has no read-only preopen'), 'env: none', 'net: none (enableNetwork: false)', 'stdio: stdout, stderr'],
      exitCodes: 'ok-err',
    };
  },
};

function runtime() {
  return {
    name: 'jco + preview2-shim on node',
    version: `jco ${packageVersion('@bytecodealliance/jco')}, preview2-shim ${packageVersion('@bytecodealliance/preview2-shim')}, node ${process.version}`,
  };
}
