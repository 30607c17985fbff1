/**
 * park() and burst() of the container targets (docker, containerd, oci/runc) against the
 * REAL runtimes, on the built C workload (needs `npm run build`, whose image has the guest's
 * park probe). Each target's tests are skipped, with the reason in their names, when its
 * runtime is missing here. N and K are small: this checks the instances and the cleanup,
 * never a time.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKLOAD_DIR } from '../harness/paths.js';
import { prepareContext } from '../harness/session.js';
import { BURST_ID_PREFIX, containerd, findContainerd, NAMESPACE, PARK_ID_PREFIX } from '../harness/targets/containerd.js';
import { BURST_LABEL, docker, PARK_LABEL } from '../harness/targets/docker.js';
import { BURST_ID_PREFIX as OCI_BURST_PREFIX, findOciRuntime, oci, PARK_ID_PREFIX as OCI_PARK_PREFIX } from '../harness/targets/oci.js';
import type { BurstRun, Parked, Preparation } from '../harness/targets/types.js';
import { connectDocker } from '../harness/util/docker.js';
import { totalPss } from '../harness/util/proc.js';
import { loadWorkload, type Workload } from '../harness/workload.js';
import { type Ready, readyVariant } from './support.js';

const exec = promisify(execFile);

const N = 3;
const K = 3;
// The guest ends by itself after this long even if a test dies before release().
const PARK_ARGS = ['--probe=park', '--seconds=60'];
const READY_PREFIX = '{"probe":"park","result":"ok"';

const conn = await connectDocker();
const ctrFound = await findContainerd();
const runc = await findOciRuntime('runc');
const root = process.getuid?.() === 0;

const dockerWhy = conn.ok ? '' : `${conn.reason} — ${conn.hint}`;
const ctrWhy = 'reason' in ctrFound ? `${ctrFound.reason} — ${ctrFound.hint}` : !conn.ok ? `no docker to export the image from: ${conn.reason}` : '';
const ociWhy = !runc ? 'runc is not installed — apt-get install runc' : !conn.ok ? `${conn.reason} — ${conn.hint}` : !root ? 'not running as root' : '';
const note = (why: string) => (why ? ` (skipped: ${why})` : '');

const alive = (pid: number) => existsSync(`/proc/${pid}`);
const comm = async (pid: number) => (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();

/** What every parked set must show: N ready lines of the park probe, live pids, a positive PSS sum; the guest's processes among them. */
async function checkParked(p: Parked): Promise<number[]> {
  expect(p.ready).toHaveLength(N);
  for (const line of p.ready) expect(line.startsWith(READY_PREFIX), line).toBe(true);
  const pids = await p.pids();
  expect(pids.length).toBeGreaterThan(0);
  const pss = await totalPss(pids);
  expect(pss.bytes).toBeGreaterThan(0);
  // Each instance's guest process (the static `tax`) is among what is summed.
  const comms = await Promise.all(pids.map(comm));
  expect(comms.filter((c) => c === 'tax')).toHaveLength(N);
  expect(p.covers.length).toBeGreaterThan(0);
  return pids;
}

/** A burst of parked guests killed at its time limit: every answer timed out, none with a latency. */
function checkKilledBurst(b: BurstRun): void {
  expect(b.answers).toHaveLength(K);
  for (const a of b.answers) {
    expect(a.timedOut).toBe(true);
    expect(a.latencyMs).toBeNull();
    expect(a.exitCode).toBeNull();
  }
}
const KILLED_BURST = { args: PARK_ARGS, concurrency: K, timeoutMs: 2_000 };

/** Every answer of a burst is the sample's stdout with exit 0. */
function checkBurst(b: BurstRun, w: Workload): void {
  expect(b.answers).toHaveLength(K);
  for (const a of b.answers) {
    expect(a.stderr).toBe('');
    expect(a.stdout).toBe(w.sample.stdout);
    expect(a.exitCode).toBe(0);
    expect(a.latencyMs).not.toBeNull();
    expect(a.latencyMs!).toBeGreaterThan(0);
  }
  expect(b.wallMs).toBeGreaterThanOrEqual(Math.max(...b.answers.map((a) => a.latencyMs!)));
}

let c: Workload;

describe('docker: park and burst (real Engine API)', () => {
  let prep: Preparation;
  let def: Ready;
  let parked: Parked | null = null;

  /** Our labelled containers the engine still lists (any state). */
  const labelled = async (label: string) => (await exec('docker', ['ps', '-aq', '--filter', `label=${label}`])).stdout.split('\n').filter(Boolean);

  beforeAll(async () => {
    if (dockerWhy) return;
    c = await loadWorkload(WORKLOAD_DIR);
    prep = await docker.prepare(await prepareContext(c));
    def = readyVariant(prep, 'default');
  });
  afterAll(async () => {
    await parked?.release();
    if (prep?.status === 'ok') await prep.dispose?.();
  });

  it.skipIf(!!dockerWhy)(`parks ${N} containers: ready lines, dockerd + containerd + shims + containers summed, all gone after release${note(dockerWhy)}`, async () => {
    expect(def.park).toBeTypeOf('function');
    parked = await def.park!({ args: PARK_ARGS, sampleArgs: c.sample.args, instances: N, timeoutMs: 60_000 });
    const pids = await checkParked(parked);
    const comms = await Promise.all(pids.map(comm));
    expect(comms).toContain('dockerd');
    expect(comms).toContain('containerd');
    expect(comms.filter((x) => x.startsWith('containerd-shim'))).toHaveLength(N);
    expect(await labelled(PARK_LABEL)).toHaveLength(N);
    await parked.release();
    await parked.release();
    expect(await labelled(PARK_LABEL)).toEqual([]);
    const instancePids = pids.filter((_, i) => comms[i] !== 'dockerd' && comms[i] !== 'containerd');
    expect(instancePids.filter(alive)).toEqual([]);
  });

  it.skipIf(!!dockerWhy)(`a start that fails (the guest exits without a ready line) or times out throws, and leaves no container${note(dockerWhy)}`, async () => {
    await expect(def.park!({ args: ['--bogus'], sampleArgs: c.sample.args, instances: N, timeoutMs: 60_000 })).rejects.toThrow(/before its ready line/);
    expect(await labelled(PARK_LABEL)).toEqual([]);
    await expect(def.park!({ args: PARK_ARGS, sampleArgs: c.sample.args, instances: N, timeoutMs: 1 })).rejects.toThrow(/not all ready after 1 ms/);
    expect(await labelled(PARK_LABEL)).toEqual([]);
  });

  it.skipIf(!!dockerWhy)(`bursts ${K} containers on every variant: each answer the sample's, none left behind${note(dockerWhy)}`, async () => {
    for (const name of ['default', 'hardened', 'debian']) {
      const v = readyVariant(prep, name);
      const b = await v.burst!({ args: c.sample.args, concurrency: K, timeoutMs: 60_000 });
      expect(b.clock).toBe('harness');
      checkBurst(b, c);
    }
    expect(await labelled(BURST_LABEL)).toEqual([]);
  });

  it.skipIf(!!dockerWhy)(`a burst killed at its time limit answers timed out ${K} times and leaves no container${note(dockerWhy)}`, async () => {
    checkKilledBurst(await def.burst!(KILLED_BURST));
    expect(await labelled(BURST_LABEL)).toEqual([]);
  });
});

describe('containerd: park and burst (real ctr)', () => {
  let prep: Preparation;
  let def: Ready;
  let parked: Parked | null = null;

  /** `ctr -n wvc <what> ls` ids with `prefix` (containers, snapshots, tasks). */
  async function ours(what: 'containers' | 'snapshots' | 'tasks', prefix: string): Promise<string[]> {
    if ('reason' in ctrFound) throw new Error(ctrWhy);
    const out = (await exec(ctrFound.ctr, ['-a', ctrFound.sock, '-n', NAMESPACE, what, 'ls'])).stdout;
    return out.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0] ?? '').filter((id) => id.startsWith(prefix));
  }

  beforeAll(async () => {
    if (ctrWhy) return;
    c = await loadWorkload(WORKLOAD_DIR);
    prep = await containerd.prepare(await prepareContext(c));
    def = readyVariant(prep, 'default');
  });
  afterAll(async () => {
    await parked?.release();
    if (prep?.status === 'ok') await prep.dispose?.();
  });

  it.skipIf(!!ctrWhy)(`parks ${N} containers: ready lines, containerd + shims + containers summed (not the harness's ctr clients), all gone after release${note(ctrWhy)}`, async () => {
    parked = await def.park!({ args: PARK_ARGS, sampleArgs: c.sample.args, instances: N, timeoutMs: 60_000 });
    const pids = await checkParked(parked);
    const comms = await Promise.all(pids.map(comm));
    expect(comms.filter((x) => x === 'containerd')).toHaveLength(1);
    expect(comms.filter((x) => x.startsWith('containerd-shim'))).toHaveLength(N);
    expect(comms.filter((x) => x === 'ctr')).toHaveLength(0);
    expect(await ours('tasks', PARK_ID_PREFIX)).toHaveLength(N);
    await parked.release();
    await parked.release();
    for (const what of ['containers', 'snapshots', 'tasks'] as const) expect(await ours(what, PARK_ID_PREFIX)).toEqual([]);
    expect(pids.filter((p, i) => comms[i] !== 'containerd' && alive(p))).toEqual([]);
  });

  it.skipIf(!!ctrWhy)(`a start that fails (the guest exits without a ready line) or times out throws, and leaves no task, container or snapshot${note(ctrWhy)}`, async () => {
    await expect(def.park!({ args: ['--bogus'], sampleArgs: c.sample.args, instances: N, timeoutMs: 60_000 })).rejects.toThrow(/before it was ready/);
    for (const what of ['containers', 'snapshots', 'tasks'] as const) expect(await ours(what, PARK_ID_PREFIX)).toEqual([]);
    await expect(def.park!({ args: PARK_ARGS, sampleArgs: c.sample.args, instances: N, timeoutMs: 1 })).rejects.toThrow(/not ready after/);
    for (const what of ['containers', 'snapshots', 'tasks'] as const) expect(await ours(what, PARK_ID_PREFIX)).toEqual([]);
  });

  it.skipIf(!!ctrWhy)(`bursts ${K} containers: each answer the sample's, no container or snapshot left behind${note(ctrWhy)}`, async () => {
    const b = await def.burst!({ args: c.sample.args, concurrency: K, timeoutMs: 60_000 });
    checkBurst(b, c);
    for (const what of ['containers', 'snapshots', 'tasks'] as const) expect(await ours(what, BURST_ID_PREFIX)).toEqual([]);
  });

  it.skipIf(!!ctrWhy)(`a burst killed at its time limit answers timed out ${K} times and leaves no task, container or snapshot${note(ctrWhy)}`, async () => {
    checkKilledBurst(await def.burst!(KILLED_BURST));
    for (const what of ['containers', 'snapshots', 'tasks'] as const) expect(await ours(what, BURST_ID_PREFIX)).toEqual([]);
  });
});

describe('oci: park and burst (real runc)', () => {
  let prep: Preparation;
  let def: Ready;
  let parked: Parked | null = null;
  // The image is unpacked into a build directory of the test's own, not the shared build/.
  let buildDir = '';

  /** Containers with `prefix` runc lists, and bundle directories with it left under the unpacked image. */
  async function ours(prefix: string): Promise<{ listed: string[]; bundles: string[] }> {
    const { stdout } = await exec(runc!.bin, ['list', '-q'], { env: {} });
    const listed = stdout.split('\n').map((s) => s.trim()).filter((s) => s.startsWith(prefix));
    const bundles: string[] = [];
    for (const image of await readdir(path.join(buildDir, 'oci')).catch(() => [] as string[])) {
      for (const b of await readdir(path.join(buildDir, 'oci', image, 'run')).catch(() => [] as string[])) if (b.startsWith(prefix)) bundles.push(b);
    }
    return { listed, bundles };
  }

  beforeAll(async () => {
    if (ociWhy) return;
    c = await loadWorkload(WORKLOAD_DIR);
    buildDir = await mkdtemp(path.join(tmpdir(), 'wvc-park-oci-'));
    prep = await oci.prepare({ ...(await prepareContext(c)), buildDir });
    def = readyVariant(prep, 'runc');
  });
  afterAll(async () => {
    await parked?.release();
    if (prep?.status === 'ok') await prep.dispose?.();
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  });

  it.skipIf(!!ociWhy)(`parks ${N} containers: ready lines, each runc run and its container summed, all gone after release${note(ociWhy)}`, async () => {
    parked = await def.park!({ args: PARK_ARGS, sampleArgs: c.sample.args, instances: N, timeoutMs: 60_000 });
    const pids = await checkParked(parked);
    const comms = await Promise.all(pids.map(comm));
    expect(comms.filter((x) => x === 'runc')).toHaveLength(N);
    expect((await ours(OCI_PARK_PREFIX)).listed).toHaveLength(N);
    await parked.release();
    await parked.release();
    expect(await ours(OCI_PARK_PREFIX)).toEqual({ listed: [], bundles: [] });
    expect(pids.filter(alive)).toEqual([]);
  });

  it.skipIf(!!ociWhy)(`a start that fails (the guest exits without a ready line) or times out throws, and leaves no container or bundle${note(ociWhy)}`, async () => {
    await expect(def.park!({ args: ['--bogus'], sampleArgs: c.sample.args, instances: N, timeoutMs: 60_000 })).rejects.toThrow(/before it was ready/);
    expect(await ours(OCI_PARK_PREFIX)).toEqual({ listed: [], bundles: [] });
    await expect(def.park!({ args: PARK_ARGS, sampleArgs: c.sample.args, instances: N, timeoutMs: 1 })).rejects.toThrow(/not ready after/);
    expect(await ours(OCI_PARK_PREFIX)).toEqual({ listed: [], bundles: [] });
  });

  it.skipIf(!!ociWhy)(`bursts ${K} containers on runc and runc-hardened: each answer the sample's, no container or bundle left behind${note(ociWhy)}`, async () => {
    for (const name of ['runc', 'runc-hardened']) {
      const b = await readyVariant(prep, name).burst!({ args: c.sample.args, concurrency: K, timeoutMs: 60_000 });
      checkBurst(b, c);
    }
    expect(await ours(OCI_BURST_PREFIX)).toEqual({ listed: [], bundles: [] });
  });

  it.skipIf(!!ociWhy)(`a burst killed at its time limit answers timed out ${K} times and leaves no container or bundle${note(ociWhy)}`, async () => {
    checkKilledBurst(await def.burst!(KILLED_BURST));
    expect(await ours(OCI_BURST_PREFIX)).toEqual({ listed: [], bundles: [] });
  });
});
