import type { Artifact, Invocation, PreparedVariant, PrepareContext, RunResult, SkippedArtifact, VariantRunner, VariantSpec } from './types.js';
import { access, constants } from 'node:fs/promises';
import { run as spawnRun } from '../util/spawn.js';
import type { Grant } from '../workload.js';
import { artifactId } from '../model.js';
import path from 'node:path';
import { DEFAULT_WORKLOADS } from '../paths.js';
import { quoteArg } from '../util/shell.js';

/**
 * The command that builds these workloads' artifacts: `npm run build` when all
 * are workloads the harness ships (it builds only those), else `wvc build
 * --workload DIR` for each. DIR is relative to the working directory when it is under it.
 */
export function buildCommand(...workloads: { dir: string }[]): string {
  const dirs = workloads.map((w) => path.resolve(w.dir));
  if (dirs.every((dir) => DEFAULT_WORKLOADS.some((d) => path.resolve(d) === dir))) return 'npm run build';
  const shown = (dir: string): string => {
    const rel = path.relative(process.cwd(), dir);
    return quoteArg(rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir);
  };
  return `wvc build${dirs.map((d) => ` --workload ${shown(d)}`).join('')}`;
}

/** The hint of a target skipped for want of a build: `run \`<buildCommand>\``, then `note` (say, what the build needs). */
export function buildHint(ctx: PrepareContext, note = ''): string {
  return `run \`${buildCommand(ctx.workload)}\`${note}`;
}

/** The workload's artifact with this role (`native`, `core`, `component`, `component-cwasm`, `jco-bundle`, `script`, `image`, `imageDebian`), if it was built. */
export function findArtifact(ctx: PrepareContext, role: string): Artifact | undefined {
  const id = artifactId(ctx.workload.name, role);
  return ctx.manifest.artifacts.find((a) => a.id === id);
}

/** The harness's own artifact with this id (`wasmtime-embed-host`, `spawner`, ...). */
export function harnessArtifact(ctx: PrepareContext, id: string): Artifact | undefined {
  return ctx.manifest.artifacts.find((a) => a.id === id);
}

/** Why the build skipped this artifact (a workload role, or a harness id), when the manifest says. */
export function skippedArtifact(ctx: PrepareContext, role: string): SkippedArtifact | undefined {
  const ids = [artifactId(ctx.workload.name, role), role];
  return ctx.manifest.skipped?.find((s) => ids.includes(s.id));
}

/** The spec of a variant by name; a name the target does not declare is a harness fault. */
export function specOf(specs: readonly VariantSpec[], name: string): VariantSpec {
  const s = specs.find((v) => v.name === name);
  if (!s) throw new Error(`unknown variant ${name} (declared: ${specs.map((v) => v.name).join(', ')})`);
  return s;
}

/** A ready variant. */
export function ready(spec: VariantSpec, runner: VariantRunner): PreparedVariant {
  return { spec, status: 'ok', ...runner };
}

/** A variant that cannot run here (an image that was not built, say), with how to fix it. */
export function unavailable(spec: VariantSpec, reason: string, hint: string): PreparedVariant {
  return { spec, status: 'skipped', reason, hint };
}

/** A variant that does not apply to the workload, with why. */
export function inapplicable(spec: VariantSpec, reason: string): PreparedVariant {
  return { spec, status: 'n/a', reason };
}

/** The target does not apply: the workload declares no artifact of the role it runs. */
export function notDeclared(ctx: PrepareContext, role: string, target: string): { status: 'n/a'; reason: string } {
  return { status: 'n/a', reason: `${target} runs artifacts.${role}, which workload ${ctx.workload.name} does not declare` };
}

/** The grants with the first one's host directory replaced (a probe's own grant), for building runtime flags. */
export function withGrantDir(grants: readonly Grant[], grantDir: string | undefined): Grant[] {
  return grants.map((g, i) => (i === 0 && grantDir ? { ...g, host: grantDir } : { ...g }));
}

/**
 * For targets without a filesystem namespace (native, a script on the host): a guest
 * path means nothing on the host, so each argument that names one is rewritten to the
 * host path of the grant that holds it. Exactly these are rewritten, for every grant,
 * whether or not it has an `arg` flag:
 * - an argument that is the guest path or starts with `<guest>/` (positional, or the
 *   value after a flag given as two arguments: `--rules /rules` → `--rules /h/rules`);
 * - the value of `--name=<path>` when that value is the guest path or below it.
 * A guest path inside other text (`-r/rules`, `x=/rules`, `/rulesX`) is left alone.
 * Then, for a grant with an `arg` flag that the args do not name (neither `<arg>=…`
 * nor `<arg>` followed by a value), `<arg>=<host dir>` is added: the program's
 * default would be the guest path, which does not exist on the host. Probes pass
 * `addDefaults: false`: the probe mode takes no other flags.
 */
export function mapGuestArgs(args: readonly string[], grants: readonly Grant[], opts: { addDefaults?: boolean } = {}): string[] {
  const toHost = (p: string): string => {
    for (const g of grants) if (p === g.guest || p.startsWith(g.guest + '/')) return g.host + p.slice(g.guest.length);
    return p;
  };
  const out = args.map((a) => {
    const eq = a.indexOf('=');
    return a.startsWith('--') && eq > 0 ? a.slice(0, eq + 1) + toHost(a.slice(eq + 1)) : toHost(a);
  });
  if (opts.addDefaults === false) return out;
  for (const g of grants) {
    const named = args.some((a, i) => a.startsWith(`${g.arg}=`) || (a === g.arg && i + 1 < args.length));
    if (g.arg && !named) out.push(`${g.arg}=${g.host}`);
  }
  return out;
}

/**
 * `--argv0 NAME` and one `--dir HOST::GUEST` per grant: the syntax the Node hosts
 * (harness/hosts/side-channel.ts parseHostArgs) and the wasmtime CLI share.
 */
export function preopenFlags(argv0: string, grants: readonly Grant[]): string[] {
  return ['--argv0', argv0, ...grants.flatMap((g) => ['--dir', `${g.host}::${g.guest}`])];
}

/** describe() grants of a target with no sandbox (native, node): the grants are plain host paths. */
export function unsandboxedGrantLines(grants: readonly Grant[]): string[] {
  return [...grantLines(grants, (g) => `host path ${g.host}; all the user can access`), 'fs: all the user can access', 'env: empty (cleared by the harness)', 'net: all the user can access'];
}

/** The grants as describe() lines: `fs:/rules (read-only …)`. */
export function grantLines(grants: readonly Grant[], how: (g: Grant) => string): string[] {
  return grants.map((g) => `fs:${g.guest} (${how(g)})`);
}

/** A process invocation: argv[0] is the program, the environment exactly as given (empty by default). */
export function processInvocation(argv: readonly string[], env: Record<string, string> = {}): Invocation & { kind: 'process' } {
  return { kind: 'process', argv: [...argv], env: { ...env } };
}

/** Runs a process invocation through the harness's spawner, so what is recorded is what runs. */
export async function runInvocation(inv: Invocation, opts: { timeoutMs?: number; sideChannel?: boolean } = {}): Promise<RunResult & { side?: string }> {
  if (inv.kind !== 'process') throw new Error('runInvocation: not a process invocation');
  const [cmd, ...args] = inv.argv;
  return spawnRun(cmd!, args, { env: inv.env, timeoutMs: opts.timeoutMs, sideChannel: opts.sideChannel });
}

/** The absolute path of a command on PATH, or null. */
export async function onPath(cmd: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const p = `${dir}/${cmd}`;
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}
