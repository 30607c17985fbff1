/**
 * Faults mid-run, injected into real runs (issue 16): a Docker daemon that stops during
 * the cold-start rounds, the embed host's binary removed between rounds, SIGTERM to the
 * bench's process group, and a results directory that turns read-only. Each test is
 * bounded, puts back what it broke (the daemon it stops is its own, started here and
 * stopped by its own pid), and checks that nothing is left behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { readManifest } from '../harness/manifest.js';
import { RULES_DIR, ROOT } from '../harness/paths.js';
import { connectDocker } from '../harness/util/docker.js';
import { CLI, wvc } from './support.js';

const isRoot = process.getuid?.() === 0;
const onPath = (bin: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bench run in its own process group; `when(text, act)` acts once when its stderr first shows `text`. */
function benchRun(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'bench', ...args], { env: { ...env, BENCH_REQUIRE: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const hooks: { text: string; act: () => unknown; done: boolean }[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const h of hooks) if (!h.done && stderr.includes(h.text)) {
      h.done = true;
      void h.act();
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // Bounded: a run that hangs is killed, and the test fails on its exit.
  const guard = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 300_000);
  return {
    child,
    when: (text: string, act: () => unknown) => hooks.push({ text, act, done: false }),
    done: async () => {
      const r = await exited;
      clearTimeout(guard);
      return { ...r, stdout, stderr };
    },
  };
}

async function latestResults(out: string): Promise<Results> {
  return JSON.parse(await readFile(path.join(out, await readlink(path.join(out, 'latest')), 'results.json'), 'utf8')) as Results;
}

/** The C calculator's built binary and FROM-scratch image as a workload of its own (no Debian image to build). */
async function taxWorkload(name: string): Promise<string> {
  const native = (await readManifest())?.artifacts.find((a) => a.id === 'tax-calculator/native')?.path;
  if (!native) throw new Error('tax-calculator/native is not built — run npm run build');
  const dir = await mkdtemp(path.join(tmpdir(), `wvc-test-${name}-`));
  const sample = { args: ['--postal-code=10001', '--subtotal=125.00'], stdout: '{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}\n' };
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify({
    name,
    language: 'C',
    argv0: 'tax',
    grants: [{ host: RULES_DIR, guest: '/rules', readOnly: true, arg: '--rules' }],
    sample,
    artifacts: { native: { path: native }, image: { build: { tool: 'docker', dockerfile: path.join(ROOT, 'images', 'tax-calculator'), files: { tax: '@native' } } } },
  }));
  return dir;
}

/** A Docker daemon of this test's own (its socket, data and exec roots in a temp dir), so stopping it stops nothing else. */
async function ownDockerd(dir: string): Promise<{ host: string; pid: () => number; start: () => Promise<void>; stop: () => Promise<void> }> {
  const sock = path.join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  let proc: ChildProcess | null = null;
  const start = async () => {
    proc = spawn('dockerd', ['--host', host, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'docker.pid'), '--bridge', 'none', '--iptables=false', '--ip-masq=false'], { stdio: 'ignore' });
    const d = new Docker({ socketPath: sock });
    for (let i = 0; i < 120; i++) {
      if (await d.ping().then(() => true, () => false)) return;
      await sleep(250);
    }
    throw new Error('the test\'s dockerd did not answer within 30 s');
  };
  const stop = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([gone, sleep(20_000).then(() => p.kill('SIGKILL'))]);
  };
  return { host, pid: () => proc?.pid ?? -1, start, stop };
}

const haveDocker = (await connectDocker()).ok;
const NO_STACK = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe('faults mid-run', () => {
  it.skipIf(!isRoot || !onPath('dockerd'))('dockerd stopped during the rounds: its rows are errored with the round, native is ok, reports are written, exit 1, no stack trace, nothing left once it is back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-test-dockerd-'));
    const daemon = await ownDockerd(dir);
    await daemon.start();
    try {
      const env = { ...process.env, DOCKER_HOST: daemon.host };
      const w = await taxWorkload('fault-dockerd');
      const out = path.join(dir, 'out');
      const run = benchRun(['--workload', w, '--targets', 'native,docker', '--runs', '15', '--no-density', '--no-burst', '--no-cross-check', '--out', out], env);
      const pid = daemon.pid();
      run.when('round 3 done', () => daemon.stop());
      const r = await run.done();
      expect(r.code, r.stderr.slice(-3000)).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const results = await latestResults(out);
      expect(results.targets.find((t) => t.id === 'native')?.status).toBe('ok');
      const docker = results.targets.filter((t) => t.id === 'docker');
      expect(docker.map((t) => t.status)).toEqual(docker.map(() => 'errored'));
      for (const t of docker) expect(t.status === 'errored' && t.reason).toMatch(/^docker: stopped answering at round \d+ \(.+\); \d+ of \d+ samples failed$|samples failed \(more than half\)/);
      expect(existsSync(path.join(out, results.runId, 'report.md'))).toBe(true);
      expect(r.stdout + r.stderr).toContain('ERRORED');

      // Back again (a new process: the one stopped was pid `pid`): what the dead daemon could not be asked to remove, clean removes.
      await daemon.start();
      expect(daemon.pid()).not.toBe(pid);
      const cleaned = await wvc(['clean'], env);
      expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
      const left = await new Docker({ socketPath: daemon.host.slice('unix://'.length) }).listContainers({ all: true, filters: { label: ['wvc=1'] } });
      expect(left).toEqual([]);
    } finally {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  });

  it('the embed host binary removed between rounds: its rows are errored, native is ok, the binary is put back', async () => {
    const host = (await readManifest())?.artifacts.find((a) => a.id === 'wasmtime-embed-host')?.path;
    if (!host || !existsSync(host)) throw new Error('the wasmtime-embed host is not built — run npm run build');
    const out = await mkdtemp(path.join(tmpdir(), 'wvc-test-embed-out-'));
    const moved = `${host}.moved-by-test`;
    const run = benchRun(['--workload', path.join(ROOT, 'modules', 'tax-calculator'), '--targets', 'native,wasmtime-embed', '--runs', '12', '--no-density', '--no-burst', '--no-cross-check', '--out', out]);
    run.when('round 2 done', () => rename(host, moved));
    try {
      const r = await run.done();
      expect(r.code, r.stderr.slice(-3000)).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const results = await latestResults(out);
      expect(results.targets.find((t) => t.id === 'native')?.status).toBe('ok');
      const embed = results.targets.filter((t) => t.id === 'wasmtime-embed');
      expect(embed.length).toBeGreaterThan(0);
      for (const t of embed) expect([t.variant, t.status]).toEqual([t.variant, 'errored']);
      for (const t of embed) expect(t.status === 'errored' && t.reason).toMatch(/stopped answering at round \d+|samples failed \(more than half\)/);
      expect(existsSync(path.join(out, results.runId, 'report.md'))).toBe(true);
    } finally {
      if (existsSync(moved)) await rename(moved, host);
      await rm(out, { recursive: true, force: true });
    }
    expect(existsSync(host)).toBe(true);
  });

  it.skipIf(!haveDocker)('SIGTERM mid-run: interrupted "SIGTERM", reports rendered, exit 143, no container left', async () => {
    const w = await taxWorkload('fault-sigterm');
    const out = await mkdtemp(path.join(tmpdir(), 'wvc-test-sigterm-out-'));
    const run = benchRun(['--workload', w, '--targets', 'native,docker', '--runs', '30', '--no-density', '--no-burst', '--no-cross-check', '--out', out]);
    // What a CI cancellation sends: the whole process group.
    run.when('round 3 done', () => process.kill(-run.child.pid!, 'SIGTERM'));
    const r = await run.done();
    expect(r.code, r.stderr.slice(-3000)).toBe(143);
    expect(r.stderr).toContain('interrupted (SIGTERM)');
    const results = await latestResults(out);
    expect([results.interrupted, results.complete]).toEqual(['SIGTERM', false]);
    expect(results.finishedAt).not.toBeNull();
    expect(existsSync(path.join(out, results.runId, 'report.md'))).toBe(true);
    expect(await readFile(path.join(out, results.runId, 'report.md'), 'utf8')).toContain('interrupted (SIGTERM)');
    const conn = await connectDocker();
    if (!conn.ok) throw new Error(conn.reason);
    expect(await conn.docker.listContainers({ all: true, filters: { label: [`wvc.pid=${run.child.pid}`] } })).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });

  it.skipIf(!isRoot)('a results directory that turns read-only: one line naming the path, the last results.json whole, exit 1', async () => {
    const mnt = await mkdtemp(path.join(tmpdir(), 'wvc-test-ro-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
    try {
      const run = benchRun(['--workload', path.join(ROOT, 'modules', 'tax-calculator'), '--targets', 'native', '--runs', '30', '--no-density', '--no-burst', '--no-cross-check', '--out', mnt]);
      run.when('round 3 done', () => execFileSync('mount', ['-o', 'remount,ro', mnt]));
      const r = await run.done();
      expect(r.code, r.stderr.slice(-3000)).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('results: cannot write'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^results: cannot write ${mnt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+: EROFS .*what was written there before is kept whole$`));
      expect(r.stderr).toMatch(/^results NOT written: cannot write /m);
      // What the rounds wrote before: whole, parseable, and no torn temp file beside it.
      const results = await latestResults(mnt);
      expect(results.targets.find((t) => t.id === 'native')?.status).toBe('ok');
      const files = await readdir(path.join(mnt, results.runId));
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      execFileSync('umount', ['-l', mnt]);
      await rm(mnt, { recursive: true, force: true });
    }
  });
});
