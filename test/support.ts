import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'bin', 'wvc.js');

const exec = promisify(execFile);

/** Targets named in $BENCH_REQUIRE: their tests fail instead of skipping when the runtime is missing. */
export const REQUIRED = (process.env.BENCH_REQUIRE ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Runs the real CLI; resolves with its exit code and output whatever the exit status. */
export async function wvc(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd: ROOT, env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/**
 * A workload for targets prepared by hand in a test: named `t`, so its artifacts
 * are `t/<role>`; `grantDir` granted read-only at /rules; `roles` the artifacts it declares.
 */
export function testWorkload(grantDir: string, roles: readonly string[]): import('../harness/workload.js').Workload {
  return {
    name: 't',
    language: 'C',
    description: 'test guest',
    dir: grantDir,
    manifestPath: path.join(grantDir, 'workload.json'),
    manifestSha256: '0'.repeat(64),
    argv0: 'tax',
    grants: [{ host: grantDir, guest: '/rules', readOnly: true, arg: '--rules' }],
    sample: { args: [], stdout: '' },
    vectors: null,
    probes: true,
    artifacts: Object.fromEntries(roles.map((r) => [r, { kind: 'path', path: 'prebuilt' }])),
  };
}

type Preparation = import('../harness/targets/types.js').Preparation;
/** A prepared variant that is ready to run. */
export type Ready = Extract<import('../harness/targets/types.js').PreparedVariant, { status: 'ok' }>;

/** A ready variant of a preparation; anything else fails the test. */
export function readyVariant(p: Preparation, name: string): Ready {
  if (p.status !== 'ok') throw new Error(`prepare: ${p.reason}`);
  const v = p.variants.find((x) => x.spec.name === name);
  if (v?.status !== 'ok') throw new Error(`variant ${name}: ${v ? v.reason : 'not declared'}`);
  return v;
}
