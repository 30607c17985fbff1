/**
 * park() and burst() of the Node-hosted targets against the built artifacts:
 * node-wasi and jco keep N instances alive in ONE host process (`--park N`: each
 * served the sample once), node parks N processes of the script in its park probe,
 * and a burst of each is K process cold starts with every answer returned.
 * Skipped by name when `npm run build` has not made the artifact or the host.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTS_DIST, JS_WORKLOAD_DIR, WORKLOAD_DIR } from '../harness/paths.js';
import { prepareContext } from '../harness/session.js';
import { jco } from '../harness/targets/jco.js';
import { node } from '../harness/targets/node.js';
import { nodeWasi } from '../harness/targets/node-wasi.js';
import type { Parked, TargetDefinition } from '../harness/targets/types.js';
import { totalPss } from '../harness/util/proc.js';
import { loadWorkload, type Workload } from '../harness/workload.js';
import type { Ready } from './support.js';

const PARK_ARGS = ['--probe=park', '--seconds=30'];
const TIMEOUT_MS = 60_000;

const cWorkload = await loadWorkload(WORKLOAD_DIR);
const jsWorkload = await loadWorkload(JS_WORKLOAD_DIR);

/** The ready variant, or null when its target is not ready for the workload (nothing built yet) or its host is not compiled. */
async function variant(def: TargetDefinition, w: Workload, name: string, hostFile?: string): Promise<Ready | null> {
  if (hostFile && !existsSync(path.join(HOSTS_DIST, hostFile))) return null;
  let ctx;
  try {
    ctx = await prepareContext(w);
  } catch {
    return null;
  }
  const p = await def.prepare(ctx);
  if (p.status !== 'ok') return null;
  const v = p.variants.find((x) => x.spec.name === name);
  return v?.status === 'ok' ? v : null;
}

const nodeWasiC = await variant(nodeWasi, cWorkload, 'default', 'node-wasi-host.js');
const jcoC = await variant(jco, cWorkload, 'sandboxed', 'jco-host.js');
const jcoJs = await variant(jco, jsWorkload, 'sandboxed', 'jco-host.js');
const nodeJs = await variant(node, jsWorkload, 'default');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const held: Parked[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((p) => p.release()));
});

/** Parks, checks the figure's processes and PSS, releases, and checks they are gone. */
async function parkAndRelease(v: Ready, w: Workload, instances: number, expectReady: string[]): Promise<{ parked: Parked; pids: number[]; pss: number }> {
  const parked = await v.park!({ args: PARK_ARGS, sampleArgs: w.sample.args, instances, timeoutMs: TIMEOUT_MS });
  held.push(parked);
  expect(parked.ready).toEqual(expectReady);
  const pids = await parked.pids();
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) expect(alive(pid)).toBe(true);
  const pss = await totalPss(pids);
  expect(pss.unread).toEqual([]);
  expect(pss.bytes).toBeGreaterThan(0);
  await parked.release();
  for (const pid of pids) expect(alive(pid)).toBe(false);
  expect(await parked.pids()).toEqual([]);
  await parked.release(); // safe twice
  return { parked, pids, pss: pss.bytes };
}

describe('node-wasi: N instances in one Node host process', () => {
  it.skipIf(!nodeWasiC)('parks 3 instances of the C core module, each kept alive after serving the sample, in one process', async () => {
    const { parked, pids } = await parkAndRelease(nodeWasiC!, cWorkload, 3, Array(3).fill(cWorkload.sample.stdout));
    expect(pids).toHaveLength(1); // one host process, no descendants
    expect(parked.covers).toMatch(/one request/);
  });

  it.skipIf(!nodeWasiC)('throws with the guest\'s stderr when an instance fails its request, and leaves no host behind', async () => {
    const err = await nodeWasiC!.park!({ args: PARK_ARGS, sampleArgs: ['--postal-code=1', '--subtotal=1.00'], instances: 2, timeoutMs: TIMEOUT_MS }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/exited 2 after 0 of 2 instances/);
    expect(err?.message).toMatch(/bad_postal_code/);
  });

  it.skipIf(!nodeWasiC)('the --park host ends by itself when its stdin closes (the harness let go or died)', async () => {
    const inv = nodeWasiC!.invocation({ args: cWorkload.sample.args });
    // The cold-start invocation with --park 1 put in front of the host's own flags.
    const hostAt = inv.kind === 'process' ? inv.argv.findIndex((a) => a.endsWith('node-wasi-host.js')) : -1;
    expect(hostAt).toBeGreaterThan(0);
    const argv = inv.kind === 'process' ? [...inv.argv.slice(1, hostAt + 1), '--park', '1', ...inv.argv.slice(hostAt + 1)] : [];
    const c = spawn(process.execPath, argv, { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => c.once('close', (code) => resolve(code)));
    try {
      await Promise.race([new Promise<void>((resolve) => c.stdout.on('data', () => out.includes('\n') && resolve())), exited]);
      c.stdin.end();
      expect(await exited).toBe(0);
      expect(out).toBe(cWorkload.sample.stdout);
    } finally {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  });

  it.skipIf(!nodeWasiC)('bursts 3 cold starts, every answer the sample', async () => {
    const b = await nodeWasiC!.burst!({ args: cWorkload.sample.args, concurrency: 3, timeoutMs: TIMEOUT_MS });
    expect(b.answers).toHaveLength(3);
    for (const a of b.answers) {
      expect(a).toMatchObject({ stdout: cWorkload.sample.stdout, exitCode: 0 });
      expect(a.latencyMs).toBeGreaterThan(0);
      expect(a.latencyMs!).toBeLessThanOrEqual(b.wallMs);
    }
  });
});

describe('jco: N instances of the transpiled component in one Node host process', () => {
  it.skipIf(!jcoC)('parks 2 instances of the C component', async () => {
    const { parked, pids } = await parkAndRelease(jcoC!, cWorkload, 2, Array(2).fill(cWorkload.sample.stdout));
    expect(pids.length).toBeGreaterThanOrEqual(1);
    expect(parked.covers).toMatch(/instantiate\(\)/);
  });

  it.skipIf(!jcoJs)('parks 2 instances of the JavaScript component (StarlingMonkey)', async () => {
    await parkAndRelease(jcoJs!, jsWorkload, 2, Array(2).fill(jsWorkload.sample.stdout));
  });

  it.skipIf(!jcoC)('bursts 3 cold starts, every answer the sample', async () => {
    const b = await jcoC!.burst!({ args: cWorkload.sample.args, concurrency: 3, timeoutMs: TIMEOUT_MS });
    expect(b.answers).toHaveLength(3);
    for (const a of b.answers) expect(a).toMatchObject({ stdout: cWorkload.sample.stdout, exitCode: 0 });
  });
});

describe('node: N processes of the script in its park probe', () => {
  it.skipIf(!nodeJs)('parks 2 processes, each printing the park ready line', async () => {
    const line = '{"probe":"park","result":"ok","detail":"parked for 30 s"}\n';
    const { pids } = await parkAndRelease(nodeJs!, jsWorkload, 2, [line, line]);
    expect(pids.length).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(!nodeJs)('bursts 3 cold starts of the script, every answer the sample', async () => {
    const b = await nodeJs!.burst!({ args: jsWorkload.sample.args, concurrency: 3, timeoutMs: TIMEOUT_MS });
    expect(b.answers).toHaveLength(3);
    for (const a of b.answers) expect(a).toMatchObject({ stdout: jsWorkload.sample.stdout, exitCode: 0 });
  });
});
