import { access, constants } from 'node:fs/promises';
import { release } from 'node:os';
import type { BurstRequest, BurstRun, Parked, ParkRequest, Preparation, PrepareContext, ProbeRequest, RunRequest, RunResult, RuntimeInfo, TargetDefinition, VariantDescription, VariantSpec } from './types.js';
import { run } from '../util/spawn.js';
import { findArtifact, mapGuestArgs, notDeclared, processInvocation, ready, runInvocation, specOf, unsandboxedGrantLines, withGrantDir, buildHint } from './common.js';
import { probeEnv } from './probe-support.js';
import { processBurst } from '../util/burst.js';
import { parkProcesses } from '../util/park.js';

const VARIANTS: readonly VariantSpec[] = [
  {
    name: 'static',
    label: 'native (no sandbox)',
    class: 'native',
    baseline: 'floor',
    phaseSource: null,
    cacheState: 'nothing to compile; the binary is in the page cache after the warm-ups',
    warm: { none: 'no in-process equivalent: a native program is a process per request' },
    exitCodes: 'exact',
  },
];

function runtime(): RuntimeInfo {
  return { name: 'linux process (no runtime)', version: `kernel ${release()}` };
}

/**
 * The workload's native program, run directly. No isolation at all: it is the
 * floor every other number is measured against. Guest paths in the args are
 * mapped to the granted host directories, since there is no filesystem namespace.
 */
export const native: TargetDefinition = {
  id: 'native-copy-fb5a5f',
  summary: "the workload's native program, run directly: no isolation (the floor)",
  variants: VARIANTS,
  capabilityRows: [{ variant: 'static', limitsText: 'none (no sandbox; a static binary cannot set its own rlimits from the spawner)' }],
  async version() {
    return runtime().version;
  },
  async prepare(ctx: PrepareContext): Promise<Preparation> {
    if (!ctx.workload.artifacts.native) return notDeclared(ctx, 'native', 'native');
    const art = findArtifact(ctx, 'native');
    if (!art?.path) return { status: 'skipped', reason: 'native program not built', hint: buildHint(ctx, ' (needs a C compiler: apt-get install gcc libc6-dev)') };
    try {
      await access(art.path, constants.X_OK);
    } catch {
      return { status: 'skipped', reason: `native program missing at ${art.path}`, hint: buildHint(ctx) };
    }
    const binary = art.path;
    const artifact = art.id;
    const grants = ctx.workload.grants;
    const invocation = (req: RunRequest) => processInvocation([binary, ...mapGuestArgs(req.args, grants)]);
    const runOnce = (req: RunRequest): Promise<RunResult> => runInvocation(invocation(req), { timeoutMs: req.timeoutMs });
    return {
      status: 'ok',
      runtime: runtime(),
      variants: [
        ready(specOf(VARIANTS, 'static'), {
          invocation,
          run: runOnce,
          /** K native processes of the same argv, spawned back to back (through the spawner when the bench set one). */
          burst: (req: BurstRequest): Promise<BurstRun> => processBurst(invocation(req), req, runOnce),
          /**
           * N native processes, each parked in the guest's park mode. Guest paths are mapped as for run, without
           * the default `--rules=` a run adds: probe mode rejects any argument but its own.
           */
          park: (req: ParkRequest): Promise<Parked> =>
            parkProcesses(() => processInvocation([binary, ...mapGuestArgs(req.args, grants, { addDefaults: false })]), req, `each native process (${req.instances} processes)`),
          /** A probe runs as a deployed native program would: the harness's environment, the user's files and network, no limits. */
          probe(req: ProbeRequest): Promise<RunResult> {
            return run(binary, mapGuestArgs(req.args, withGrantDir(grants, req.grantDir), { addDefaults: false }), { env: probeEnv(), timeoutMs: req.timeoutMs });
          },
          describe(): VariantDescription {
            return {
              runtime: runtime(),
              artifact,
              grants: unsandboxedGrantLines(grants),
            };
          },
        }),
      ],
    };
  },
};
