import path from 'node:path';
import type { BurstRequest, BurstRun, Parked, ParkRequest, Preparation, PrepareContext, ProbeRequest, RunRequest, RunResult, RuntimeInfo, TargetDefinition, VariantDescription, VariantSpec, WarmRequest, WarmRun } from './types.js';
import type { Invocation } from '../model.js';
import { HOSTS_DIST } from '../paths.js';
import { run } from '../util/spawn.js';
import { processBurst } from '../util/burst.js';
import { parkInOneProcess, stderrTail } from '../util/park.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, notDeclared, preopenFlags, ready, specOf, withGrantDir, processInvocation, runInvocation, buildHint } from './common.js';
import { nodeHeapFlags, nodeRuntimeFiles, probeEnv } from './probe-support.js';
import { parsePhases } from './phases.js';
import { parseWarm } from './warm.js';
import { MEM_LIMIT_BYTES } from '../measure/limits.js';

const host = path.join(HOSTS_DIST, 'node-wasi-host.js');
// --no-warnings: node:wasi prints an ExperimentalWarning on stderr, which belongs to the workload.
const nodeFlags = ['--no-warnings'];
// Node 20's node:wasi segfaults once V8 turns the WASI imports into fast API calls, which
// happens after a few dozen instances in one process (nodejs/node#53087, #52402). Only the
// warm loop runs that many; it turns fast calls off, and its mode string says so.
const warmFlags = ['--no-turbo-fast-api-calls'];
/** What the warm loop adds to the host's mode string. */
const warmNote = `node ${warmFlags.join(' ')} (nodejs/node#53087)`;

const VARIANTS: readonly VariantSpec[] = [
  {
    name: 'default',
    label: 'node-wasi (core module, node:wasi preview1)',
    class: 'wasm',
    phaseSource: 'performance marks on a side channel (boot = Node start to host script)',
    cacheState: 'Node compiles the core module on every run (no V8 code cache)',
    warm: { mode: `node:wasi instantiate + _start, ${warmNote}` },
    exitCodes: 'exact',
  },
];

function runtime(): RuntimeInfo {
  return { name: 'node:wasi', version: `node ${process.version}` };
}

/**
 * Parks `req.instances` instances in ONE Node host process started with `--park N`
 * (node-wasi-host and jco-host): the host serves one request on each instance, prints
 * each answer on stdout and keeps every instance alive until its stdin closes. Ready
 * when N stdout lines are out (ready[i] is line i with its newline). Started directly,
 * not through the spawner, so nothing of the harness's sits in the figure; stdin is a
 * pipe, so the host also ends when the harness dies. On a timeout or an early exit the
 * host is killed and the error carries its stderr. release() kills it (SIGKILL) and
 * waits until it has been reaped.
 */
export function parkInOneHost(inv: Invocation & { kind: 'process' }, req: ParkRequest, covers: string): Promise<Parked> {
  return parkInOneProcess(
    inv,
    req,
    covers,
    {
      timeout: (got, stderr) => `${got} of ${req.instances} instances ready after ${req.timeoutMs} ms${stderrTail(stderr, 400)}`,
      exited: (how, got, stderr) => `the host exited ${how} after ${got} of ${req.instances} instances${stderrTail(stderr, 400)}`,
    },
    'pipe',
  );
}

export const NODE_WASI_POLICY_NOTE =
  'Node\'s documentation: "The node:wasi module does not currently provide the comprehensive file system security properties provided by some WASI runtimes. Full support for secure file system sandboxing may or may not be implemented in future. In the mean time, do not rely on it to run untrusted code." Its denials are labelled policy.';

/**
 * The core module under node:wasi (WASI preview1), one Node process per run.
 * node:wasi is not a security sandbox (Node's own documentation says so): its
 * denials are policy, not isolation.
 */
export const nodeWasi: TargetDefinition = {
  id: 'node-wasi',
  summary: "the workload's core module under node:wasi (WASI preview1), one Node process per run",
  variants: VARIANTS,
  capabilityRows: [
    {
      variant: 'default',
      limits: { memoryBytes: MEM_LIMIT_BYTES },
      limitsText: '--max-old-space-size=256 (bounds the JS heap, not wasm memory)',
      policyNote: NODE_WASI_POLICY_NOTE,
      denialsArePolicy: true,
    },
  ],
  caveats: [
    'node:wasi is not a security sandbox. Node\'s documentation: "The node:wasi module does not currently provide the comprehensive file system security properties provided by some WASI runtimes." Its numbers are a runtime cost, not a sandbox\'s.',
  ],
  async version() {
    return runtime().version;
  },
  async runtimeFiles() {
    return [nodeRuntimeFiles()];
  },
  async prepare(ctx: PrepareContext): Promise<Preparation> {
    if (!ctx.workload.artifacts.core) return notDeclared(ctx, 'core', 'node-wasi');
    const art = findArtifact(ctx, 'core');
    if (!art?.path) return { status: 'skipped', reason: 'core module not built', hint: buildHint(ctx) };
    const modulePath = art.path;
    const artifact = art.id;
    const argv0 = ctx.workload.argv0;
    const grants = ctx.workload.grants;
    /** Host flags for the workload's argv[0] and grants (node:wasi has no read-only preopen). */
    const hostFlags = (g: readonly Grant[] = grants): string[] => preopenFlags(argv0, g);
    const invocation = (req: RunRequest) => processInvocation([process.execPath, ...nodeFlags, host, ...hostFlags(), modulePath, '--', ...req.args]);
    const runOnce = async (req: RunRequest): Promise<RunResult> => {
      const r = await runInvocation(invocation(req), { timeoutMs: req.timeoutMs, sideChannel: true });
      return { ...r, phases: parsePhases(r.side) };
    };
    return {
      status: 'ok',
      runtime: runtime(),
      variants: [
        ready(specOf(VARIANTS, 'default'), {
          invocation,
          run: runOnce,
          /**
           * The host process inherits the harness's environment; the WASI config still passes env {}.
           * limits.memoryBytes becomes --max-old-space-size, the only memory flag Node has: it bounds
           * the JS heap, not wasm linear memory (the capability matrix measures what it does).
           */
          async probe(req: ProbeRequest): Promise<RunResult> {
            const flags = [...nodeFlags, ...nodeHeapFlags(req.limits)];
            const r = await run(process.execPath, [...flags, host, ...hostFlags(withGrantDir(grants, req.grantDir)), modulePath, '--', ...req.args], {
              env: probeEnv(),
              timeoutMs: req.timeoutMs,
              sideChannel: true,
            });
            return { ...r, phases: parsePhases(r.side) };
          },
          async warm(req: WarmRequest): Promise<WarmRun> {
            const w = parseWarm(await run(process.execPath, [...nodeFlags, ...warmFlags, host, '--iterations', String(req.iterations), ...hostFlags(), modulePath, '--', ...req.args], { env: {}, timeoutMs: req.timeoutMs ?? 300_000, sideChannel: true }));
            return { ...w, mode: `${w.mode}, ${warmNote}` };
          },
          /** K host processes at once, each one cold start as run() makes it. */
          burst: (req: BurstRequest): Promise<BurstRun> => processBurst(invocation(req), req, runOnce),
          /**
           * N instances in one host process (`--park N`), each kept alive after serving the sample:
           * a guest parked mid-request would block node:wasi's only thread. Fast API calls are off,
           * as in the warm loop: N instances in one process is what trips nodejs/node#53087.
           */
          parksServed: true,
          park(req: ParkRequest): Promise<Parked> {
            const argv = [process.execPath, ...nodeFlags, ...warmFlags, host, '--park', String(req.instances), ...hostFlags(), modulePath, '--', ...req.sampleArgs];
            return parkInOneHost(
              processInvocation(argv),
              req,
              `the Node host process (node:wasi, node ${warmFlags.join(' ')}): ${req.instances} instances of the core module, each kept alive (instance and linear memory referenced) after serving one request of the sample; a synchronous host cannot park one mid-request (a guest's sleep blocks its thread)`,
            );
          },
          describe(): VariantDescription {
            return {
              runtime: runtime(),
              how: "new WASI({version:'preview1', preopens, env:{}})",
              artifact,
              grants: [...grantLines(grants, () => 'preopen; node:wasi has no read-only flag'), 'env: none', 'net: none (preview1 has no sockets)', 'stdio: stdout, stderr'],
            };
          },
        }),
      ],
    };
  },
};
