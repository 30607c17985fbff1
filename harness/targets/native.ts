import { access, constants } from 'node:fs/promises';
import { release } from 'node:os';
import type { Availability, PrepareContext, ProbeRequest, RunRequest, RunResult, Target, TargetDescription } from './types.js';
import type { Grant } from '../workload.js';
import { run } from '../util/spawn.js';
import { findArtifact, mapGuestArgs, notDeclared, unsandboxedGrantLines, withGrantDir } from './common.js';
import { probeEnv } from './probe-support.js';

let binary = '';
let artifact = '';
let grants: Grant[] = [];

/**
 * The workload's native program, run directly. No isolation at all: it is the
 * floor every other number is measured against. Guest paths in the args are
 * mapped to the granted host directories, since there is no filesystem namespace.
 */
export const native: Target = {
  id: 'native',
  variants: ['static'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
    if (!ctx.workload.artifacts.native) return notDeclared(ctx, 'native', 'native');
    const art = findArtifact(ctx, 'native');
    if (!art?.path) return { status: 'skipped', reason: 'native program not built', hint: 'run `npm run build` (needs a C compiler: apt-get install gcc libc6-dev)' };
    try {
      await access(art.path, constants.X_OK);
    } catch {
      return { status: 'skipped', reason: `native program missing at ${art.path}`, hint: 'run `npm run build`' };
    }
    binary = art.path;
    artifact = art.id;
    grants = ctx.workload.grants;
    return { status: 'ok', runtime: runtime() };
  },
  run(_variant: string, req: RunRequest): Promise<RunResult> {
    return run(binary, mapGuestArgs(req.args, grants), { env: {}, timeoutMs: req.timeoutMs });
  },
  /** A probe runs as a deployed native program would: the harness's environment, the user's files and network, no limits. */
  probe(_variant: string, req: ProbeRequest): Promise<RunResult> {
    return run(binary, mapGuestArgs(req.args, withGrantDir(grants, req.grantDir), { addDefaults: false }), { env: probeEnv(), timeoutMs: req.timeoutMs });
  },
  describe(variant: string): TargetDescription {
    return {
      id: 'native',
      variant,
      label: 'native (no sandbox)',
      runtime: runtime(),
      command: `${binary} ${mapGuestArgs(['<args>'], grants).join(' ')}`,
      artifact,
      grants: unsandboxedGrantLines(grants),
    };
  },
};

function runtime() {
  return { name: 'linux process (no runtime)', version: `kernel ${release()}` };
}
