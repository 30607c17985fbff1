import path from 'node:path';
import type { Availability, PrepareContext, ProbeRequest, RunRequest, RunResult, Target, TargetDescription, WarmRun } from './types.js';
import { HOSTS_DIST } from '../paths.js';
import { run } from '../util/spawn.js';
import type { Grant } from '../workload.js';
import { findArtifact, grantLines, notDeclared, preopenFlags, withGrantDir } from './common.js';
import { nodeHeapFlags, probeEnv } from './probe-support.js';
import { parsePhases } from './phases.js';
import { parseWarm } from './warm.js';

let modulePath = '';
let artifact = '';
let argv0 = '';
let grants: Grant[] = [];
const host = path.join(HOSTS_DIST, 'node-wasi-host.js');
// --no-warnings: node:wasi prints an ExperimentalWarning on stderr, which belongs to the workload.
const nodeFlags = ['--no-warnings'];
// Node 20's node:wasi segfaults once V8 turns the WASI imports into fast API calls, which
// happens after a few dozen instances in one process (nodejs/node#53087, #52402). Only the
// warm loop runs that many; it turns fast calls off, and its mode string says so.
const warmFlags = ['--no-turbo-fast-api-calls'];

/** Host flags for the workload's argv[0] and grants (node:wasi has no read-only preopen). */
function hostFlags(g: readonly Grant[] = grants): string[] {
  return preopenFlags(argv0, g);
}

/**
 * The core module under node:wasi (WASI preview1), one Node process per run.
 * node:wasi is not a security sandbox (Node's own documentation says so): its
 * denials are policy, not isolation.
 */
export const nodeWasi: Target = {
  id: 'node-wasi',
  variants: ['default'],
  async prepare(ctx: PrepareContext): Promise<Availability> {
    if (!ctx.workload.artifacts.core) return notDeclared(ctx, 'core', 'node-wasi');
    const art = findArtifact(ctx, 'core');
    if (!art?.path) return { status: 'skipped', reason: 'core module not built', hint: 'run `npm run build`' };
    modulePath = art.path;
    artifact = art.id;
    argv0 = ctx.workload.argv0;
    grants = ctx.workload.grants;
    return { status: 'ok', runtime: runtime() };
  },
  async run(_variant: string, req: RunRequest): Promise<RunResult> {
    const r = await run(process.execPath, [...nodeFlags, host, ...hostFlags(), modulePath, '--', ...req.args], {
      env: {},
      timeoutMs: req.timeoutMs,
      sideChannel: true,
    });
    return { ...r, phases: parsePhases(r.side) };
  },
  /**
   * The host process inherits the harness's environment; the WASI config still passes env {}.
   * limits.memoryBytes becomes --max-old-space-size, the only memory flag Node has: it bounds
   * the JS heap, not wasm linear memory (the capability matrix measures what it does).
   */
  async probe(_variant: string, req: ProbeRequest): Promise<RunResult> {
    const flags = [...nodeFlags, ...nodeHeapFlags(req.limits)];
    const r = await run(process.execPath, [...flags, host, ...hostFlags(withGrantDir(grants, req.grantDir)), modulePath, '--', ...req.args], {
      env: probeEnv(),
      timeoutMs: req.timeoutMs,
      sideChannel: true,
    });
    return { ...r, phases: parsePhases(r.side) };
  },
  async warm(_variant: string, req: RunRequest & { iterations: number }): Promise<WarmRun> {
    const w = parseWarm(await run(process.execPath, [...nodeFlags, ...warmFlags, host, '--iterations', String(req.iterations), ...hostFlags(), modulePath, '--', ...req.args], { env: {}, timeoutMs: req.timeoutMs ?? 300_000, sideChannel: true }));
    return { ...w, mode: `${w.mode}, node ${warmFlags.join(' ')} (nodejs/node#53087)` };
  },
  describe(variant: string): TargetDescription {
    return {
      id: 'node-wasi',
      variant,
      label: 'node-wasi (core module, node:wasi preview1)',
      runtime: runtime(),
      command: `node ${nodeFlags.join(' ')} ${host} ${hostFlags().join(' ')} ${modulePath} -- <args>  (new WASI({version:'preview1', preopens, env:{}}))`,
      artifact,
      grants: [...grantLines(grants, () => 'preopen; node:wasi has no read-only flag'), 'env: none', 'net: none (preview1 has no sockets)', 'stdio: stdout, stderr'],
    };
  },
};

function runtime() {
  return { name: 'node:wasi', version: `node ${process.version}` };
}
