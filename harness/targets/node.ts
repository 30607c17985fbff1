import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Availability, PrepareContext, ProbeRequest, RunRequest, RunResult, Target, TargetDescription } from './types.js';
import type { Grant } from '../workload.js';
import { run } from '../util/spawn.js';
import { findArtifact, mapGuestArgs, notDeclared, unsandboxedGrantLines, withGrantDir } from './common.js';
import { nodeHeapFlags, probeEnv } from './probe-support.js';

let entry = '';
let artifact = '';
let grants: Grant[] = [];

/**
 * A script workload run directly by the Node that runs the harness, one process
 * per run: the floor for JavaScript, as native is for C. No sandbox; guest paths
 * in the args are mapped to the granted host directories.
 */
export const node: Target = {
  id: 'node',
  variants: ['default'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
    const spec = ctx.workload.artifacts.script;
    if (!spec) return notDeclared(ctx, 'script', 'node');
    const art = findArtifact(ctx, 'script');
    if (!art?.entry) return { status: 'skipped', reason: 'script not recorded by the build', hint: 'run `npm run build`' };
    try {
      await access(art.entry, constants.R_OK);
    } catch {
      return { status: 'skipped', reason: `script missing at ${art.entry}`, hint: 'run `npm run build`' };
    }
    entry = art.entry;
    artifact = art.id;
    grants = ctx.workload.grants;
    return { status: 'ok', runtime: runtime() };
  },
  run(_variant: string, req: RunRequest): Promise<RunResult> {
    return run(process.execPath, [entry, ...mapGuestArgs(req.args, grants)], { env: {}, timeoutMs: req.timeoutMs });
  },
  /** As deployed: the harness's environment, the user's files and network. limits.memoryBytes → --max-old-space-size (the JS heap). */
  probe(_variant: string, req: ProbeRequest): Promise<RunResult> {
    return run(process.execPath, [...nodeHeapFlags(req.limits), entry, ...mapGuestArgs(req.args, withGrantDir(grants, req.grantDir), { addDefaults: false })], { env: probeEnv(), timeoutMs: req.timeoutMs });
  },
  describe(variant: string): TargetDescription {
    return {
      id: 'node',
      variant,
      label: 'node (the script on Node, no sandbox)',
      runtime: runtime(),
      command: `node ${path.relative(process.cwd(), entry) || entry} ${mapGuestArgs(['<args>'], grants).join(' ')}`,
      artifact,
      grants: unsandboxedGrantLines(grants),
    };
  },
};

function runtime() {
  return { name: 'node', version: process.version };
}
