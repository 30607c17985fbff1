import { access, constants } from 'node:fs/promises';
import { release } from 'node:os';
import type { Availability, PrepareContext, ProbeRequest, RunRequest, RunResult, Target, TargetDescription } from './types.js';
import { run } from '../util/spawn.js';
import { findArtifact, mapRulesArgs } from './common.js';
import { mapProbeArgs, probeEnv } from './probe-support.js';

let binary = '';
let rulesDir = '';

/**
 * The static native binary, run directly. No isolation at all: it is the floor
 * every other number is measured against. The guest path /rules is mapped to
 * the host rules directory in the args, since there is no filesystem namespace.
 */
export const native: Target = {
  id: 'native',
  variants: ['static'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
    const art = findArtifact(ctx, 'native-bin');
    if (!art?.path) return { status: 'skipped', reason: 'native binary not built', hint: 'run `npm run build` (needs a C compiler: apt-get install gcc libc6-dev)' };
    try {
      await access(art.path, constants.X_OK);
    } catch {
      return { status: 'skipped', reason: `native binary missing at ${art.path}`, hint: 'run `npm run build`' };
    }
    binary = art.path;
    rulesDir = ctx.rulesDir;
    return { status: 'ok', runtime: runtime() };
  },
  run(_variant: string, req: RunRequest): Promise<RunResult> {
    return run(binary, mapRulesArgs(req.args, rulesDir), { env: {}, timeoutMs: req.timeoutMs });
  },
  /** A probe runs as a deployed native program would: the harness's environment, the user's files and network, no limits. */
  probe(_variant: string, req: ProbeRequest): Promise<RunResult> {
    return run(binary, mapProbeArgs(req.args, req.grantDir ?? rulesDir), { env: probeEnv(), timeoutMs: req.timeoutMs });
  },
  describe(variant: string): TargetDescription {
    return {
      id: 'native',
      variant,
      label: 'native (static binary, no sandbox)',
      runtime: runtime(),
      command: `${binary} <args> --rules=${rulesDir}`,
      grants: ['fs: all the user can access', 'env: empty (cleared by the harness)', 'net: all the user can access'],
    };
  },
};

function runtime() {
  return { name: 'linux process (no runtime)', version: `kernel ${release()}` };
}
