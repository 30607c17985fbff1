/**
 * The containerd target against a REAL containerd (`ctr run --rm`), on the built
 * workloads (needs `npm run build`). Skipped, with the reason in each test's name,
 * when no containerd answers here; a failure instead when $BENCH_REQUIRE names containerd.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bench } from '../harness/commands/bench.js';
import { runCapabilityMatrix } from '../harness/measure/capabilities.js';
import { JS_WORKLOAD_DIR, WORKLOAD_DIR } from '../harness/paths.js';
import { disposeAll, prepareContext, prepareTargets, type PreparedTarget } from '../harness/session.js';
import { CONTAINER_ID_PREFIX, containerd, findContainerd, imageRef, mountFlags, NAMESPACE, parseCtrVersion, SAMPLE_ID } from '../harness/targets/containerd.js';
import { byId, registry } from '../harness/targets/index.js';
import type { Preparation, PrepareContext } from '../harness/targets/types.js';
import { loadWorkload, type Workload } from '../harness/workload.js';
import { REQUIRED, type Ready, readyVariant } from './support.js';

const exec = promisify(execFile);

const found = await findContainerd();
const available = !('reason' in found);
const why = 'reason' in found ? `${found.reason} — ${found.hint}` : '';
const skipNote = available ? '' : ` (skipped: ${why})`;

/** `ctr -a SOCK -n wvc ARGS` as a test reads it. */
async function ctr(args: string[]): Promise<string> {
  if ('reason' in found) throw new Error(why);
  return (await exec(found.ctr, ['-a', found.sock, '-n', NAMESPACE, ...args])).stdout;
}

/** Containers this target made that are still there. */
async function leftovers(): Promise<string[]> {
  return (await ctr(['containers', 'ls', '-q'])).split('\n').map((s) => s.trim()).filter((s) => s.startsWith(CONTAINER_ID_PREFIX));
}

it.runIf(REQUIRED.includes('containerd'))('containerd answers here (it is in $BENCH_REQUIRE)', () => {
  expect(available, why).toBe(true);
});

describe('helpers', () => {
  it('names the containerd ref after the image id, fully qualified', () => {
    expect(imageRef('wvc/tax-calculator:8cbeffcf8f23', 'sha256:85b5671ab3049db16377117df0f9846b041a03984e044507f89818a877626989')).toBe('docker.io/wvc/tax-calculator:85b5671ab304');
    expect(imageRef('localhost:5000/x/Y_z', 'sha256:0123456789abcdef')).toBe('docker.io/wvc/y_z:0123456789ab');
  });

  it('makes one read-only bind mount per grant, writable when the grant says so', () => {
    expect(mountFlags([{ host: '/h/rules', guest: '/rules', readOnly: true }, { host: '/h/out', guest: '/out', readOnly: false }])).toEqual([
      '--mount', 'type=bind,src=/h/rules,dst=/rules,options=rbind:ro',
      '--mount', 'type=bind,src=/h/out,dst=/out,options=rbind:rw',
    ]);
    expect(() => mountFlags([{ host: '/a,b', guest: '/rules', readOnly: true }])).toThrow(/cannot be a ctr --mount/);
  });

  it('reads client and server versions from ctr version', () => {
    const out = 'Client:\n  Version:  1.6.20~ds1\n  Revision: x\n  Go version: go1.19.8\n\nServer:\n  Version:  1.6.21\n  Revision: y\n  UUID: z\n';
    expect(parseCtrVersion(out)).toEqual({ client: '1.6.20~ds1', server: '1.6.21' });
    expect(parseCtrVersion('Client:\n  Version:  1.6.20\n')).toBeNull();
  });

  it('declares one container variant, no baseline, exact exit codes, and one probed row', () => {
    expect(containerd.variants.map((v) => v.name)).toEqual(['default']);
    expect(containerd.variants[0]).toMatchObject({ class: 'container', label: 'containerd (ctr run --rm: containerd → shim → runc)', phaseSource: null, exitCodes: 'exact', verifySample: 100 });
    expect(containerd.variants[0].baseline).toBeUndefined();
    expect(containerd.capabilityRows).toEqual([expect.objectContaining({ variant: 'default', limitsText: 'none (containerd defaults)', netNamespace: true })]);
    expect(containerd.capabilityRows[0].suffix).toBeUndefined();
  });
});

describe('skipped with a hint', () => {
  it('when $WVC_CONTAINERD_SOCK names a socket nobody answers on', async () => {
    const saved = process.env.WVC_CONTAINERD_SOCK;
    process.env.WVC_CONTAINERD_SOCK = path.join(tmpdir(), 'wvc-no-such-containerd.sock');
    try {
      const w = await loadWorkload(WORKLOAD_DIR);
      const p = await containerd.prepare(await prepareContext(w));
      expect(p.status).toBe('skipped');
      if (p.status !== 'skipped') return;
      // Without ctr on PATH the hint is the install; with it, how to get a daemon.
      expect(p.hint).toMatch(/start containerd \(scripts\/setup\.sh starts it\), or dockerd, which runs its own|apt-get install containerd/);
      expect((await containerd.prerequisites![0].check()).ok).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.WVC_CONTAINERD_SOCK;
      else process.env.WVC_CONTAINERD_SOCK = saved;
    }
  });

  it.skipIf(!available)(`when the image is not imported yet and docker cannot export it, with docker's hint${skipNote}`, async () => {
    const w = await loadWorkload(WORKLOAD_DIR);
    const ctx = await prepareContext(w);
    const fake = { ...ctx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!, tag: 'wvc-test/never-built:none', imageId: `sha256:${'e'.repeat(64)}` };
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${path.join(tmpdir(), 'wvc-no-such-docker.sock')}`;
    try {
      const p = await containerd.prepare({ ...ctx, manifest: { ...ctx.manifest, artifacts: [fake] } });
      expect(p).toMatchObject({ status: 'skipped', reason: expect.stringContaining('cannot export wvc-test/never-built:none from docker'), hint: expect.stringContaining('dockerd') });
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

describe('containerd target (real ctr run --rm)', () => {
  let c: Workload;
  let js: Workload;
  let cCtx: PrepareContext;
  let cPrep: Preparation;
  let jsPrep: Preparation;
  let def: Ready;

  beforeAll(async () => {
    if (!available) return;
    c = await loadWorkload(WORKLOAD_DIR);
    js = await loadWorkload(JS_WORKLOAD_DIR);
    cCtx = await prepareContext(c);
    cPrep = await containerd.prepare(cCtx);
    jsPrep = await containerd.prepare(await prepareContext(js));
    def = readyVariant(cPrep, 'default');
  });

  afterAll(async () => {
    for (const p of [cPrep, jsPrep]) if (p?.status === 'ok') await p.dispose?.();
  });

  it.skipIf(!available)(`runs the C workload's sample: the answer is the workload's sample stdout, and nothing is left behind${skipNote}`, async () => {
    const r = await def.run({ args: c.sample.args });
    expect(r.stdout).toBe(c.sample.stdout);
    expect(r.exitCode).toBe(0);
    expect(r.timedOut).toBeFalsy();
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.phases).toBeUndefined();
    expect(await leftovers()).toEqual([]);
  });

  it.skipIf(!available)(`runs the JavaScript workload's image too${skipNote}`, async () => {
    const v = readyVariant(jsPrep, 'default');
    const r = await v.run({ args: js.sample.args });
    expect(r.stdout).toBe(js.sample.stdout);
    expect(r.exitCode).toBe(0);
    expect(v.describe().artifact).toBe('tax-calculator-js/image');
    expect(await leftovers()).toEqual([]);
  });

  it.skipIf(!available)(`passes the workload's exit code through exactly (2 on a usage error)${skipNote}`, async () => {
    const r = await def.run({ args: ['--no-such-flag'] });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: 'usage' });
    expect(await leftovers()).toEqual([]);
  });

  it.skipIf(!available)(`reports the container's cgroup peak when the meter is available, and never the ctr client's RSS${skipNote}`, async () => {
    const metered = !(def.describe().notes ?? []).some((n) => n.startsWith('no container memory figure'));
    const r = await def.run({ args: c.sample.args });
    if (metered) {
      expect(r.memory?.peakBytes).toBeGreaterThan(0);
      expect(r.memory?.covers).toMatch(/cgroup v[12] .*harness-owned cgroup parent/);
      expect(def.invocation({ args: [] }).kind === 'process' && def.invocation({ args: [] })).toMatchObject({ argv: expect.arrayContaining(['--cgroup', `/wvc-bench-ctr/${SAMPLE_ID}`]) });
    } else {
      expect(r.memory).toBeUndefined();
    }
  });

  it.skipIf(!available)(`kills a run at timeoutMs and leaves no task or container behind${skipNote}`, async () => {
    const r = await def.run({ args: ['--probe=cpu-spin'], timeoutMs: 1_500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
    expect(await leftovers()).toEqual([]);
    const tasks = (await ctr(['tasks', 'ls', '-q'])).split('\n').filter((s) => s.startsWith(CONTAINER_ID_PREFIX));
    expect(tasks).toEqual([]);
    // Still usable afterwards.
    expect((await def.run({ args: c.sample.args })).stdout).toBe(c.sample.stdout);
  });

  it.skipIf(!available)(`records the ctr run --rm argv a sample runs (with the illustrative id) and describes the grants${skipNote}`, () => {
    if ('reason' in found) return;
    const inv = def.invocation({ args: c.sample.args });
    expect(inv.kind).toBe('process');
    if (inv.kind !== 'process') return;
    expect(inv.env).toEqual({});
    const ref = imageRef(cCtx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!.tag!, cCtx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!.imageId!);
    const cgroup = inv.argv.includes('--cgroup') ? ['--cgroup', `/wvc-bench-ctr/${SAMPLE_ID}`] : [];
    expect(inv.argv).toEqual([found.ctr, '-a', found.sock, '-n', 'wvc', 'run', '--rm', '--label', `wvc.pid=${process.pid}`, ...cgroup, '--mount', `type=bind,src=${c.grants[0].host},dst=/rules,options=rbind:ro`, ref, SAMPLE_ID, '/tax', ...c.sample.args]);
    const d = def.describe();
    expect(d.runtime.name).toBe('containerd');
    expect(d.runtime.version).toContain(found.server);
    expect(d.artifact).toBe('tax-calculator/image');
    expect(d.grants).toEqual(expect.arrayContaining(['fs:/rules (read-only bind mount)', 'env: image defaults only']));
    expect(d.grants.some((g) => g.startsWith('net: own network namespace'))).toBe(true);
  });

  it.skipIf(!available)(`imports once: a second prepare reuses the image already in the wvc namespace, without docker${skipNote}`, async () => {
    const art = cCtx.manifest.artifacts.find((a) => a.id === 'tax-calculator/image')!;
    const ref = imageRef(art.tag!, art.imageId!);
    const refs = (await ctr(['images', 'ls', '-q'])).split('\n').map((s) => s.trim());
    expect(refs).toContain(ref);
    // The name ctr's import gave it (the docker tag) was replaced by the id-keyed ref.
    expect(refs).not.toContain(`docker.io/${art.tag}`);
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${path.join(tmpdir(), 'wvc-no-such-docker.sock')}`;
    let again: Preparation | null = null;
    try {
      again = await containerd.prepare(cCtx);
      expect(again.status).toBe('ok');
      expect((await readyVariant(again, 'default').run({ args: c.sample.args })).stdout).toBe(c.sample.stdout);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      if (again?.status === 'ok') await again.dispose?.();
    }
  });

  it.skipIf(!available)(`refuses to run after dispose()${skipNote}`, async () => {
    const p = await containerd.prepare(cCtx);
    const v = readyVariant(p, 'default');
    if (p.status === 'ok') await p.dispose?.();
    await expect(v.run({ args: [] })).rejects.toThrow(/after dispose/);
  });
});

describe('capability cells (runCapabilityMatrix)', () => {
  it.skipIf(!available)(`row containerd: fs-read-outside denied, net-connect denied or absent with 0 connections seen${skipNote}`, async () => {
    const w = await loadWorkload(WORKLOAD_DIR);
    const ctx = await prepareContext(w);
    const prepared: PreparedTarget[] = await prepareTargets(['containerd'], ctx, byId([containerd]));
    try {
      const m = await runCapabilityMatrix(prepared, { manifest: ctx.manifest, workload: w.name, grantDir: w.grants[0].host, grantGuest: w.grants[0].guest, rows: ['containerd'], probes: ['fs-read-outside', 'net-connect'] });
      expect(m.rows.map((r) => r.id)).toEqual(['containerd']);
      const row = m.rows[0];
      expect(row.skipped).toBeUndefined();
      const cell = (p: string) => row.cells.find((x) => x.probe === p)!;
      expect(cell('fs-read-outside').outcome).toBe('denied');
      expect(['denied', 'absent']).toContain(cell('net-connect').outcome);
      expect(cell('net-connect').harnessEvidence).toMatch(/accepted 0 connections/);
      expect(cell('net-connect').harnessEvidence).toMatch(/network namespace/);
      expect(row.cells.every((x) => /^[0-9a-f]{64}$/.test(x.artifactSha256))).toBe(true);
      expect(await leftovers()).toEqual([]);
    } finally {
      await disposeAll(prepared);
    }
  });
});

describe('bench through an injected registry', () => {
  it.skipIf(!available)(`a quick bench with --targets containerd on the C workload measures it: rows ok${skipNote}`, async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'wvc-containerd-bench-'));
    try {
      const { results } = await bench({ targets: 'containerd', require: '', quick: true, seed: 5, workloads: [WORKLOAD_DIR], out, log: () => undefined });
      const rows = results.targets.filter((t) => t.id === 'containerd');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.status, JSON.stringify(row).slice(0, 400)).toBe('ok');
        if (row.status !== 'ok') continue;
        expect(row.class).toBe('container');
        expect(row.coldStart.failures).toBe(0);
        expect(row.coldStart.samples.length).toBeGreaterThan(0);
      }
      const cap = results.capabilities?.rows.find((r) => r.id === 'containerd');
      if (cap) expect(cap.skipped).toBeUndefined();
      expect(await leftovers()).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
