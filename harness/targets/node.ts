import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { BurstRequest, BurstRun, Parked, ParkRequest, Preparation, PrepareContext, ProbeRequest, RunRequest, RunResult, RuntimeInfo, TargetDefinition, VariantDescription, VariantSpec } from './types.js';
import { run } from '../util/spawn.js';
import { processBurst } from '../util/burst.js';
import { parkProcesses } from '../util/park.js';
import { findArtifact, mapGuestArgs, notDeclared, ready, specOf, unsandboxedGrantLines, withGrantDir, processInvocation, runInvocation, buildHint } from './common.js';
import { nodeHeapFlags, nodeRuntimeFiles, probeEnv } from './probe-support.js';
import { MEM_LIMIT_BYTES } from '../measure/limits.js';

// No baseline: the JavaScript workload has no × native column.
const VARIANTS: readonly VariantSpec[] = [
  {
    name: 'default',
    label: 'node (the script on Node, no sandbox)',
    class: 'script',
    phaseSource: null,
    cacheState: 'Node compiles the script on every run (no V8 code cache)',
    warm: { none: 'not measured: a script on Node would be warm as a long-running server, which is a different program' },
    exitCodes: 'exact',
  },
];

function runtime(): RuntimeInfo {
  return { name: 'node', version: process.version };
}

/**
 * A script workload run directly by the Node that runs the harness, one process
 * per run: the floor for JavaScript, as native is for C. No sandbox; guest paths
 * in the args are mapped to the granted host directories.
 */
export const node: TargetDefinition = {
  id: 'node',
  summary: "the workload's script on the Node that runs the harness: no isolation (the floor for JavaScript)",
  variants: VARIANTS,
  capabilityRows: [{ variant: 'default', limits: { memoryBytes: MEM_LIMIT_BYTES }, limitsText: '--max-old-space-size=256 (bounds the JS heap); no sandbox' }],
  caveats: ["node runs a JavaScript workload's script directly on the Node that runs the harness, with no sandbox: the floor for JavaScript, as native/static is for C."],
  async version() {
    return runtime().version;
  },
  async runtimeFiles() {
    return [nodeRuntimeFiles()];
  },
  async prepare(ctx: PrepareContext): Promise<Preparation> {
    const spec = ctx.workload.artifacts.script;
    if (!spec) return notDeclared(ctx, 'script', 'node');
    const art = findArtifact(ctx, 'script');
    if (!art?.entry) return { status: 'skipped', reason: 'script not recorded by the build', hint: buildHint(ctx) };
    try {
      await access(art.entry, constants.R_OK);
    } catch {
      return { status: 'skipped', reason: `script missing at ${art.entry}`, hint: buildHint(ctx) };
    }
    const entry = art.entry;
    const artifact = art.id;
    const grants = ctx.workload.grants;
    const invocation = (req: RunRequest) => processInvocation([process.execPath, entry, ...mapGuestArgs(req.args, grants)]);
    const runOnce = (req: RunRequest): Promise<RunResult> => runInvocation(invocation(req), { timeoutMs: req.timeoutMs });
    return {
      status: 'ok',
      runtime: runtime(),
      variants: [
        ready(specOf(VARIANTS, 'default'), {
          invocation,
          run: runOnce,
          /** K Node processes at once, each one cold start as run() makes it. */
          burst: (req: BurstRequest): Promise<BurstRun> => processBurst(invocation(req), req, runOnce),
          /** N Node processes, each in the script's park probe (no grant default: the probe mode takes no --rules). */
          park(req: ParkRequest): Promise<Parked> {
            const argv = [process.execPath, entry, ...mapGuestArgs(req.args, grants, { addDefaults: false })];
            return parkProcesses(() => processInvocation(argv), req, `${req.instances} Node processes, each running the script parked in its park probe (a timer), and their descendants`);
          },
          /** As deployed: the harness's environment, the user's files and network. limits.memoryBytes → --max-old-space-size (the JS heap). */
          probe(req: ProbeRequest): Promise<RunResult> {
            return run(process.execPath, [...nodeHeapFlags(req.limits), entry, ...mapGuestArgs(req.args, withGrantDir(grants, req.grantDir), { addDefaults: false })], { env: probeEnv(), timeoutMs: req.timeoutMs });
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
