import path from 'node:path';
import type { Availability, PrepareContext, RunRequest, RunResult, Target, TargetDescription, WarmRun } from './types.js';
import { HOSTS_DIST, packageVersion } from '../paths.js';
import { run } from '../util/spawn.js';
import { findArtifact } from './common.js';
import { parsePhases } from './phases.js';
import { parseWarm } from './warm.js';

let bundleDir = '';
let rulesDir = '';
const host = path.join(HOSTS_DIST, 'jco-host.js');
const BUNDLE_NAME = 'tax';

/**
 * The component, transpiled by jco and run on V8 with @bytecodealliance/preview2-shim,
 * one Node process per run, through an explicit WASIShim sandbox.
 */
export const jco: Target = {
  id: 'jco',
  variants: ['sandboxed'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
    const art = findArtifact(ctx, 'jco-bundle');
    if (!art?.path) return { status: 'skipped', reason: 'jco bundle not built', hint: 'run `npm run build`' };
    bundleDir = art.path;
    rulesDir = ctx.rulesDir;
    return { status: 'ok', runtime: runtime() };
  },
  async run(_variant: string, req: RunRequest): Promise<RunResult> {
    const r = await run(process.execPath, [host, bundleDir, BUNDLE_NAME, rulesDir, '--', ...req.args], {
      env: {},
      timeoutMs: req.timeoutMs,
      sideChannel: true,
    });
    return { ...r, phases: parsePhases(r.side) };
  },
  async warm(_variant: string, req: RunRequest & { iterations: number }): Promise<WarmRun> {
    return parseWarm(await run(process.execPath, [host, '--iterations', String(req.iterations), bundleDir, BUNDLE_NAME, rulesDir, '--', ...req.args], { env: {}, timeoutMs: req.timeoutMs ?? 300_000, sideChannel: true }));
  },
  describe(variant: string): TargetDescription {
    return {
      id: 'jco',
      variant,
      label: 'jco (transpiled component, preview2-shim WASIShim sandbox)',
      runtime: runtime(),
      command: `node ${host} ${bundleDir} ${BUNDLE_NAME} ${rulesDir} -- <args>  (new WASIShim({sandbox:{preopens:{'/rules': rules}, env:{}, enableNetwork:false}}))`,
      grants: ['fs:/rules (preopen; the shim has no read-only preopen)', 'env: none', 'net: none (enableNetwork: false)', 'stdio: stdout, stderr'],
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
