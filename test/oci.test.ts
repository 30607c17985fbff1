/**
 * The oci target against the REAL runc (and crun when it runs here), on the built
 * workloads (needs `npm run build`; docker exports the image's filesystem once).
 * Skipped, with the reason in each test's name, when runc or docker is missing or
 * the tests do not run as root; a failure instead when $BENCH_REQUIRE names oci.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bench } from '../harness/commands/bench.js';
import { runCapabilityMatrix } from '../harness/measure/capabilities.js';
import { JS_WORKLOAD_DIR, WORKLOAD_DIR } from '../harness/paths.js';
import { disposeAll, prepareContext, prepareTargets, type PreparedTarget } from '../harness/session.js';
import { runInvocation } from '../harness/targets/common.js';
import { byId, registry } from '../harness/targets/index.js';
import { findOciRuntime, ID_PREFIX, OCI_CGROUP_PARENT, oci, ociConfig, processArgs, SAMPLE_ID, type ImageProcess } from '../harness/targets/oci.js';
import type { Preparation, PrepareContext } from '../harness/targets/types.js';
import { connectDocker } from '../harness/util/docker.js';
import { loadWorkload, type Workload } from '../harness/workload.js';
import { REQUIRED, type Ready, readyVariant, testWorkload } from './support.js';

const exec = promisify(execFile);

const runc = await findOciRuntime('runc');
const crun = await findOciRuntime('crun');
const conn = await connectDocker();
const root = process.getuid?.() === 0;
const why = !runc ? 'runc is not installed — apt-get install runc' : !conn.ok ? `${conn.reason} — ${conn.hint}` : !root ? 'not running as root' : '';
const available = why === '';
const skipNote = available ? '' : ` (skipped: ${why})`;

/** Containers with this target's id prefix that the runtime still lists. */
async function leftovers(bin = runc?.bin): Promise<string[]> {
  if (!bin) throw new Error(why);
  const { stdout } = await exec(bin, ['list', '-q'], { env: {} });
  return stdout.split('\n').map((s) => s.trim()).filter((s) => s.startsWith(ID_PREFIX));
}

/** Runs fn with DOCKER_HOST pointing at a socket nobody answers on. */
async function withoutDocker<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = `unix://${path.join(tmpdir(), 'wvc-no-such-docker.sock')}`;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

it.runIf(REQUIRED.includes('oci'))('runc, docker and root are all here (oci is in $BENCH_REQUIRE)', () => {
  expect(available, why).toBe(true);
});

const IMAGE: ImageProcess = { imageId: 'sha256:x', entrypoint: ['/tax'], cmd: [], env: ['PATH=/usr/bin:/bin'], cwd: '/', uid: 0, gid: 0 };
const GRANTS = [
  { host: '/h/rules', guest: '/rules', readOnly: true },
  { host: '/h/out', guest: '/out', readOnly: false },
];

describe('helpers', () => {
  it('resolves the process as docker does: Entrypoint, then the args, or the image Cmd when there are none', () => {
    expect(processArgs({ entrypoint: ['node', '/app/main.js'], cmd: ['--help'] }, ['--x=1'])).toEqual(['node', '/app/main.js', '--x=1']);
    expect(processArgs({ entrypoint: ['node', '/app/main.js'], cmd: ['--help'] }, [])).toEqual(['node', '/app/main.js', '--help']);
    expect(processArgs({ entrypoint: [], cmd: ['/bin/sh'] }, ['-c', 'true'])).toEqual(['-c', 'true']);
    expect(() => processArgs({ entrypoint: [], cmd: [] }, [])).toThrow(/no Entrypoint or Cmd/);
  });

  it('writes runc spec\'s default shape: no terminal, read-only root, new namespaces, the grants as rbind mounts', () => {
    const c = ociConfig({ image: IMAGE, rootfs: '/r/rootfs', args: ['--a=1'], grants: GRANTS, id: 'wvc-1', hardened: false, cgroupsPath: '/wvc-oci/wvc-1' }) as any;
    expect(c.process).toMatchObject({ terminal: false, user: { uid: 0, gid: 0 }, args: ['/tax', '--a=1'], env: ['PATH=/usr/bin:/bin'], cwd: '/', noNewPrivileges: true });
    expect(c.process.capabilities.bounding).toEqual(['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
    expect(c.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
    expect(c.root).toEqual({ path: '/r/rootfs', readonly: true });
    expect(c.linux.namespaces.map((n: { type: string }) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
    expect(c.linux.cgroupsPath).toBe('/wvc-oci/wvc-1');
    expect(c.linux.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }] });
    expect(c.linux.maskedPaths).toContain('/proc/kcore');
    expect(c.linux.readonlyPaths).toContain('/proc/sys');
    expect(c.mounts.map((m: { destination: string }) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/rules', '/out']);
    expect(c.mounts.slice(-2)).toEqual([
      { destination: '/rules', type: 'bind', source: '/h/rules', options: ['rbind', 'ro'] },
      { destination: '/out', type: 'bind', source: '/h/out', options: ['rbind', 'rw'] },
    ]);
    expect(c.mounts.find((m: { destination: string }) => m.destination === '/sys').options).toContain('ro');
    expect(c.hostname).toBe('wvc-1');
  });

  it('hardens: uid 65534, every capability set empty, RLIMIT_CPU 2 s, memory 256 MiB with no swap, pids 64; no cgroupsPath without a meter', () => {
    const c = ociConfig({ image: IMAGE, rootfs: '/r/rootfs', args: [], grants: [], id: 'wvc-2', hardened: true, cgroupsPath: null }) as any;
    expect(c.process.user).toEqual({ uid: 65534, gid: 65534 });
    expect(Object.values(c.process.capabilities)).toEqual([[], [], [], []]);
    expect(c.process.rlimits).toContainEqual({ type: 'RLIMIT_CPU', hard: 2, soft: 2 });
    expect(c.linux.resources).toMatchObject({ memory: { limit: 256 * 2 ** 20, swap: 256 * 2 ** 20 }, pids: { limit: 64 } });
    expect(c.linux.cgroupsPath).toBeUndefined();
  });

  it('declares runc, crun and runc-hardened: containers, no baseline, no phases, exact exit codes; two probed rows', () => {
    expect(oci.variants.map((v) => v.name)).toEqual(['runc', 'crun', 'runc-hardened']);
    for (const v of oci.variants) {
      expect(v).toMatchObject({ class: 'container', phaseSource: null, exitCodes: 'exact', verifySample: 100, cacheState: 'bundle unpacked on disk at prepare: nothing is pulled or unpacked per run' });
      expect(v.baseline).toBeUndefined();
      expect(v.warm).toHaveProperty('none');
    }
    expect(oci.capabilityRows.map((r) => [r.suffix, r.variant, r.netNamespace])).toEqual([
      ['runc', 'runc', true],
      ['runc-hardened', 'runc-hardened', true],
    ]);
    expect(oci.capabilityRows[1].limitsText).toMatch(/256 MiB.*no swap.*pids 64.*RLIMIT_CPU 2 s.*no capabilities.*no-new-privileges.*uid 65534.*read-only root/);
    expect(oci.caveats?.[0]).toMatch(/under containerd and dockerd/);
  });
});

describe('not applicable, or skipped with a hint', () => {
  it('is n/a for a workload that declares no image', async () => {
    const w = testWorkload(tmpdir(), ['native']);
    const p = await oci.prepare({ manifest: { schemaVersion: 1, builtAt: '', artifacts: [] }, workload: w, root: tmpdir(), buildDir: tmpdir() });
    expect(p).toEqual({ status: 'n/a', reason: 'oci runs artifacts.image, which workload t does not declare' });
  });

  it('is skipped with `apt-get install runc` when $RUNC names no runc', async () => {
    const saved = process.env.RUNC;
    process.env.RUNC = path.join(tmpdir(), 'wvc-no-such-runc');
    try {
      const w = await loadWorkload(WORKLOAD_DIR);
      const p = await oci.prepare(await prepareContext(w));
      expect(p).toMatchObject({ status: 'skipped', hint: 'apt-get install runc' });
      expect(await oci.version!()).toBeNull();
      expect((await oci.prerequisites![0].check()).detail).toContain('apt-get install runc');
    } finally {
      if (saved === undefined) delete process.env.RUNC;
      else process.env.RUNC = saved;
    }
  });

  it.skipIf(!available)(`is skipped with docker's hint when the image is not unpacked yet and no daemon answers${skipNote}`, async () => {
    const w = await loadWorkload(WORKLOAD_DIR);
    const ctx = await prepareContext(w);
    const fake = { ...ctx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!, imageId: `sha256:${'e'.repeat(64)}` };
    const p = await withoutDocker(() => oci.prepare({ ...ctx, manifest: { ...ctx.manifest, artifacts: [fake] } }));
    expect(p).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no daemon at'), hint: expect.stringContaining('dockerd') });
    expect(existsSync(path.join(ctx.buildDir, 'oci', 'e'.repeat(12)))).toBe(false);
  });

  it.skipIf(!available)(`is skipped with the build hint when the image is not in the engine${skipNote}`, async () => {
    const w = await loadWorkload(WORKLOAD_DIR);
    const ctx = await prepareContext(w);
    const fake = { ...ctx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!, imageId: `sha256:${'d'.repeat(64)}` };
    const p = await oci.prepare({ ...ctx, manifest: { ...ctx.manifest, artifacts: [fake] } });
    expect(p).toMatchObject({ status: 'skipped', reason: expect.stringContaining('is not in the Docker engine'), hint: 'run `npm run build`' });
  });
});

describe('oci target (real runc)', () => {
  let c: Workload;
  let js: Workload;
  let cCtx: PrepareContext;
  let cPrep: Preparation;
  let jsPrep: Preparation;
  let def: Ready;
  let hard: Ready;

  beforeAll(async () => {
    if (!available) return;
    c = await loadWorkload(WORKLOAD_DIR);
    js = await loadWorkload(JS_WORKLOAD_DIR);
    cCtx = await prepareContext(c);
    cPrep = await oci.prepare(cCtx);
    jsPrep = await oci.prepare(await prepareContext(js));
    def = readyVariant(cPrep, 'runc');
    hard = readyVariant(cPrep, 'runc-hardened');
  });

  afterAll(async () => {
    for (const p of [cPrep, jsPrep]) if (p?.status === 'ok') await p.dispose?.();
  });

  it.skipIf(!available)(`runs the C workload's sample: the workload's answer, exit 0, the container's cgroup peak, nothing left behind${skipNote}`, async () => {
    const r = await def.run({ args: c.sample.args });
    expect(r.stdout).toBe(c.sample.stdout);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.timedOut).toBeFalsy();
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.phases).toBeUndefined();
    expect(r.memory?.peakBytes).toBeGreaterThan(0);
    expect(r.memory?.covers).toMatch(/^peak memory of the container \(cgroup v[12] .*harness-owned cgroup parent/);
    expect(await leftovers()).toEqual([]);
  });

  it.skipIf(!available)(`runs the JavaScript workload's image (node on a read-only root) too${skipNote}`, async () => {
    for (const name of ['runc', 'runc-hardened']) {
      const v = readyVariant(jsPrep, name);
      const r = await v.run({ args: js.sample.args });
      expect(r.stdout, `${name}: ${r.stderr}`).toBe(js.sample.stdout);
      expect(r.exitCode).toBe(0);
      expect(v.describe().artifact).toBe('tax-calculator-js/image');
    }
    expect(await leftovers()).toEqual([]);
  });

  it.skipIf(!available)(`passes the workload's exit code through exactly (2 on a usage error)${skipNote}`, async () => {
    for (const v of [def, hard]) {
      const r = await v.run({ args: ['--no-such-flag'] });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: 'usage' });
    }
    expect(await leftovers()).toEqual([]);
  });

  it.skipIf(!available)(`runs the hardened sample as uid 65534 with its limits, and the answer is unchanged${skipNote}`, async () => {
    const r = await hard.run({ args: c.sample.args });
    expect(r.stdout).toBe(c.sample.stdout);
    expect(r.exitCode).toBe(0);
    expect(hard.describe().grants).toEqual(expect.arrayContaining(['user: 65534:65534', 'pids: 64', 'caps: none (every set empty), no-new-privileges']));
  });

  it.skipIf(!available)(`kills a run at timeoutMs, even before the container exists, and deletes it${skipNote}`, async () => {
    for (const timeoutMs of [1, 1_500]) {
      const r = await def.run({ args: ['--probe=cpu-spin'], timeoutMs });
      expect(r.timedOut, `timeoutMs ${timeoutMs}`).toBe(true);
      expect(r.exitCode).toBeNull();
      expect(r.signal).toBe('SIGKILL');
      expect(await leftovers()).toEqual([]);
    }
    // Still usable afterwards.
    expect((await def.run({ args: c.sample.args })).stdout).toBe(c.sample.stdout);
  });

  it.skipIf(!available)(`throws (a harness fault) when runc cannot start the container, and still deletes it${skipNote}`, async () => {
    const w = testWorkload(path.join(tmpdir(), 'wvc-oci-no-such-grant'), ['image']);
    const art = cCtx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!;
    const p = await oci.prepare({ ...cCtx, workload: w, manifest: { ...cCtx.manifest, artifacts: [{ ...art, id: 't/image' }] } });
    try {
      await expect(readyVariant(p, 'runc').run({ args: [] })).rejects.toThrow(/runc could not start the container/);
      expect(await leftovers()).toEqual([]);
    } finally {
      if (p.status === 'ok') await p.dispose?.();
    }
  });

  it.skipIf(!available)(`records the runc run argv with the illustrative id, on a bundle that runs as recorded${skipNote}`, async () => {
    if (!runc) return;
    const inv = def.invocation({ args: c.sample.args });
    expect(inv.kind).toBe('process');
    if (inv.kind !== 'process') return;
    expect(inv.env).toEqual({});
    expect(inv.argv.slice(0, 3)).toEqual([runc.bin, 'run', '--bundle']);
    expect(inv.argv[4]).toBe(SAMPLE_ID);
    const config = JSON.parse(await readFile(path.join(inv.argv[3], 'config.json'), 'utf8'));
    expect(config.process.args).toEqual(['/tax', ...c.sample.args]);
    expect(config.process.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(config.mounts).toContainEqual({ destination: '/rules', type: 'bind', source: c.grants[0].host, options: ['rbind', 'ro'] });
    // The same args give the same bundle.
    expect(def.invocation({ args: c.sample.args })).toEqual(inv);
    const r = await runInvocation(inv);
    expect(r.stdout).toBe(c.sample.stdout);
    expect(r.exitCode).toBe(0);
    expect(await leftovers()).toEqual([]);
    const d = def.describe();
    expect(d.runtime).toEqual({ name: 'runc', version: runc.version });
    expect(d.artifact).toBe('tax-calculator/image');
    expect(d.grants).toEqual(expect.arrayContaining(['fs:/rules (read-only rbind mount)', expect.stringMatching(/^env: image defaults only/), expect.stringMatching(/^net: none/)]));
    expect(d.how).toMatch(/^runc run on an OCI bundle the harness writes/);
    if (cPrep.status === 'ok') expect(cPrep.runtime.version).toContain(runc.version);
  });

  it.skipIf(!available)(`unpacks once: build/oci/<image id>/rootfs is reused by a second prepare, without docker${skipNote}`, async () => {
    const art = cCtx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!;
    const dir = path.join(cCtx.buildDir, 'oci', art.imageId!.slice(7, 19));
    expect(existsSync(path.join(dir, 'rootfs', 'tax'))).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, 'image.json'), 'utf8'))).toMatchObject({ imageId: art.imageId, entrypoint: ['/tax'], cwd: '/' });
    const again = await withoutDocker(() => oci.prepare(cCtx));
    try {
      expect((await readyVariant(again, 'runc').run({ args: c.sample.args })).stdout).toBe(c.sample.stdout);
    } finally {
      if (again.status === 'ok') await again.dispose?.();
    }
  });

  it.skipIf(!available)(`crun: ready when it runs here, else skipped with the install or cgroup v2 hint${skipNote}`, async () => {
    if (cPrep.status !== 'ok') throw new Error('not prepared');
    const v = cPrep.variants.find((x) => x.spec.name === 'crun')!;
    if (!crun) {
      expect(v).toMatchObject({ status: 'skipped', reason: 'crun is not installed', hint: 'apt-get install crun' });
      return;
    }
    if (v.status === 'ok') {
      for (let i = 0; i < 5; i++) expect((await v.run({ args: c.sample.args })).stdout).toBe(c.sample.stdout);
      expect(await leftovers(crun.bin)).toEqual([]);
    } else {
      expect(v).toMatchObject({ status: 'skipped', hint: expect.stringMatching(/cgroup v2|crun run/) });
      // doctor says the same.
      const check = await oci.prerequisites!.find((x) => x.name === 'crun (optional)')!.check();
      expect(check.ok).toBe(false);
      expect(check.detail).toContain(v.status === 'skipped' ? v.reason : '');
    }
    expect(await oci.version!()).toBe(`${runc!.version}; ${crun.version}`);
    expect(await oci.runtimeFiles!({ artifacts: [], runs: 1, log: () => undefined })).toEqual([
      { name: 'OCI runtime (runc)', files: [{ label: 'runc', candidates: [runc!.bin] }] },
      { name: 'OCI runtime (crun)', files: [{ label: 'crun', candidates: [crun.bin] }] },
    ]);
  });

  it.skipIf(!available)(`refuses to run after dispose()${skipNote}`, async () => {
    const p = await oci.prepare(cCtx);
    const v = readyVariant(p, 'runc');
    if (p.status === 'ok') await p.dispose?.();
    await expect(v.run({ args: [] })).rejects.toThrow(/after dispose/);
  });
});

describe('capability cells (runCapabilityMatrix)', () => {
  it.skipIf(!available)(`oci-runc denies fs-read-outside and net-connect; oci-runc-hardened also contains mem-bomb and cpu-spin${skipNote}`, async () => {
    const w = await loadWorkload(WORKLOAD_DIR);
    const ctx = await prepareContext(w);
    const prepared: PreparedTarget[] = await prepareTargets(['oci'], ctx, byId([oci]));
    const opts = { manifest: ctx.manifest, workload: w.name, grantDir: w.grants[0].host, grantGuest: w.grants[0].guest };
    try {
      const plain = await runCapabilityMatrix(prepared, { ...opts, rows: ['oci-runc'], probes: ['fs-read-outside', 'net-connect'] });
      const hardened = await runCapabilityMatrix(prepared, { ...opts, rows: ['oci-runc-hardened'], probes: ['fs-read-outside', 'net-connect', 'mem-bomb', 'cpu-spin'] });
      expect(plain.rows.map((r) => r.id)).toEqual(['oci-runc']);
      expect(hardened.rows.map((r) => r.id)).toEqual(['oci-runc-hardened']);
      for (const row of [plain.rows[0], hardened.rows[0]]) {
        expect(row.skipped).toBeUndefined();
        const cell = (p: string) => row.cells.find((x) => x.probe === p)!;
        expect(cell('fs-read-outside').outcome, cell('fs-read-outside').evidence).toBe('denied');
        expect(['denied', 'absent']).toContain(cell('net-connect').outcome);
        expect(cell('net-connect').harnessEvidence).toMatch(/accepted 0 connections.*network namespace/);
        expect(row.cells.every((x) => /^[0-9a-f]{64}$/.test(x.artifactSha256))).toBe(true);
      }
      const cell = (p: string) => hardened.rows[0].cells.find((x) => x.probe === p)!;
      expect(cell('mem-bomb').outcome, `${cell('mem-bomb').evidence} | ${cell('mem-bomb').harnessEvidence}`).toBe('contained');
      expect(cell('mem-bomb').harnessEvidence).toMatch(/limit 256 MiB; peak \d+ MiB/);
      expect(cell('cpu-spin').outcome, `${cell('cpu-spin').evidence} | ${cell('cpu-spin').harnessEvidence}`).toBe('contained');
      expect(cell('cpu-spin').exitCode).toBe(137);
      expect(await leftovers()).toEqual([]);
    } finally {
      await disposeAll(prepared);
    }
  });
});

describe('bench through an injected registry', () => {
  it.skipIf(!available)(`a quick bench with --targets oci on the C workload measures it: rows ok, every sample checked${skipNote}`, async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'wvc-oci-bench-'));
    try {
      const { results } = await bench({ registry: byId([...Object.values(registry).filter((d) => d.id !== 'oci'), oci]), targets: 'oci', require: '', quick: true, seed: 7, workloads: [WORKLOAD_DIR], out, log: () => undefined });
      const rows = results.targets.filter((t) => t.id === 'oci');
      expect(rows.map((r) => r.variant)).toEqual(['runc', 'crun', 'runc-hardened']);
      for (const row of rows) {
        if (row.variant === 'crun' && row.status === 'skipped') continue;
        expect(row.status, JSON.stringify(row).slice(0, 400)).toBe('ok');
        if (row.status !== 'ok') continue;
        expect(row.class).toBe('container');
        expect(row.phaseSource).toBeNull();
        expect(row.coldStart.failures).toBe(0);
        expect(row.coldStart.samples.length).toBeGreaterThan(0);
        expect(row.coldStart.samples.every((s) => s.ok)).toBe(true);
        expect(row.invocation?.kind).toBe('process');
      }
      // The probe guest's rows, then the workload's own probe mode's: both ran on each configuration.
      expect(results.capabilities?.rows.filter((r) => r.target === 'oci').map((r) => [r.guest, r.id, r.skipped])).toEqual([
        ['probe-guest', 'oci-runc', undefined],
        ['probe-guest', 'oci-runc-hardened', undefined],
        ['workload', 'oci-runc', undefined],
        ['workload', 'oci-runc-hardened', undefined],
      ]);
      expect(await leftovers()).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

// The parent cgroup is the harness's; nothing of a container is left under it.
afterAll(async () => {
  if (!available) return;
  const { readdir } = await import('node:fs/promises');
  const left = (await readdir(path.join('/sys/fs/cgroup/memory', OCI_CGROUP_PARENT), { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
  expect(left.map((e) => e.name)).toEqual([]);
});
