import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JS_WORKLOAD_DIR, WORKLOAD_DIR } from '../harness/paths.js';
import { buildCommand } from '../harness/targets/common.js';
import { wvc } from './support.js';

// Bad input gets one line that names the fix, exit 2, and no stack trace.
describe('wvc CLI errors', () => {
  it('rejects an unknown command, naming the commands', async () => {
    const r = await wvc(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("wvc: unknown command 'frobnicate' — choose from build, clean, verify, doctor, setup, report, k8s, compare, bench, cc (wvc --help)\n");
  });

  it('rejects an unknown flag in one line', async () => {
    const r = await wvc(['verify', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^wvc: Unknown option '--bogus'.*see `wvc --help`\n$/);
  });

  it('rejects an unknown target, listing the valid ones', async () => {
    const r = await wvc(['verify', '--targets', 'native,podman']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("wvc: --targets: unknown target 'podman' — choose from native, node, node-wasi, jco, wasmtime-embed, wasmtime, wasmedge, docker, containerd, oci\n");
  });

  it('rejects a bad BENCH_REQUIRE the same way', async () => {
    const r = await wvc(['verify'], { ...process.env, BENCH_REQUIRE: 'nativ' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("wvc: BENCH_REQUIRE: unknown target 'nativ' — choose from native, node, node-wasi, jco, wasmtime-embed, wasmtime, wasmedge, docker, containerd, oci\n");
  });

  it('rejects a non-numeric --runs and a zero --runs', async () => {
    const a = await wvc(['bench', '--runs', 'many']);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe("wvc: --runs takes a number, got 'many'\n");
    const b = await wvc(['bench', '--runs', '0', '--targets', 'native']);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe('wvc: --runs must be a whole number ≥ 1, got 0\n');
  });
});

describe('wvc doctor', () => {
  it('lists every prerequisite and every target with a version or a hint', async () => {
    const r = await wvc(['doctor'], { ...process.env, BENCH_REQUIRE: '' });
    expect(r.code).toBe(0);
    for (const name of ['Node.js', 'C compiler', 'libwasmtime', 'docker engine', 'wasmtime CLI (optional)', 'containerd', 'runc']) expect(r.stdout).toMatch(new RegExp(`^  (ok  |MISS)  ${name.replace(/[()]/g, '\\$&')} +\\S`, 'm'));
    for (const id of ['native', 'node-wasi', 'jco', 'wasmtime-embed', 'wasmtime', 'wasmedge', 'docker', 'containerd', 'oci']) expect(r.stdout).toMatch(new RegExp(`^  (ok  |MISS)  ${id} +(available — |missing — .+ — |broken — )`, 'm'));
  });

  it('names the install hint of a missing wasmtime CLI and fails when it is required', async () => {
    const r = await wvc(['doctor', '--require', 'wasmtime'], { ...process.env, WASMTIME: '/nonexistent/wasmtime' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^  MISS  wasmtime +missing — WASMTIME=\/nonexistent\/wasmtime does not run — install the wasmtime CLI and put it on PATH, or set WASMTIME=\/path\/to\/wasmtime/m);
    expect(r.stdout).toMatch(/^REQUIRED wasmtime: required but skipped — /m);
  });

  it('rejects a --workload that is not a workload, naming the fix', async () => {
    const r = await wvc(['verify', '--workload', 'modules']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wvc: --workload modules: no workload.json there — a workload is a directory with a workload.json (see README, "Workloads")\n');
  });
});

// A verify in which no vector ran is a failure whose last line names the fix, never "every run identical".
describe('wvc verify when nothing can run', async () => {
  // A prebuilt native program that was never recorded by `wvc build`: the name is fresh, so no earlier build has it.
  const dir = await mkdtemp(path.join(tmpdir(), 'wvc-unbuilt-'));
  const name = `unbuilt-${randomBytes(4).toString('hex')}`;
  await writeFile(path.join(dir, 'prog'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify({ name, language: 'C', sample: { args: [], stdout: 'hi\n' }, artifacts: { native: { path: 'prog' } } }));
  const env = { ...process.env, BENCH_REQUIRE: '' };
  const lines = (out: string) => out.trim().split('\n');

  it('prepares a prebuilt-only workload that was never built, as bench does, then runs it and passes', async () => {
    const r = await wvc(['verify', '--workload', dir, '--targets', 'native', '--require', ''], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `${name} native static: 1/1 identical`,
      'verify: every run identical to the golden vectors — 1 vector run on 1 target (1 variant)',
    ]);
  });

  it('fails with the one line when a prebuilt file is not runnable, never "identical"', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'wvc-unrunnable-'));
    await writeFile(path.join(bad, 'prog'), 'not a program\n', { mode: 0o644 });
    await writeFile(path.join(bad, 'workload.json'), JSON.stringify({ name: `${name}-x`, language: 'C', sample: { args: [], stdout: 'hi\n' }, artifacts: { native: { path: 'prog' } } }));
    const r = await wvc(['verify', '--workload', bad, '--targets', 'native', '--require', ''], env);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).not.toContain('identical to the golden');
    expect(lines(r.stdout).at(-1)).toMatch(/^verify: FAILED/);
  });

  it('fails when no selected target applies, saying so', async () => {
    // The workload declares no script, so `node` does not apply and nothing runs.
    const r = await wvc(['verify', '--workload', dir, '--targets', 'node', '--require', ''], env);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(lines(r.stdout)).toEqual(['verify: FAILED — no vector ran on any target (1 not applicable) — no selected target runs an artifact the workload declares — choose --targets among those that do (see README, "Workloads")']);
  });

  it('names `npm run build` only for the default workloads', () => {
    expect(buildCommand({ dir: WORKLOAD_DIR })).toBe('npm run build');
    expect(buildCommand({ dir: WORKLOAD_DIR }, { dir: JS_WORKLOAD_DIR })).toBe('npm run build');
    expect(buildCommand({ dir })).toBe(`wvc build --workload ${dir}`);
    // Under the working directory (vitest runs in the repository root) the path is relative.
    expect(buildCommand({ dir: WORKLOAD_DIR }, { dir })).toBe(`wvc build --workload ${path.relative(process.cwd(), WORKLOAD_DIR)} --workload ${dir}`);
    expect(buildCommand({ dir: '/tmp/my dir' })).toBe(`wvc build --workload '/tmp/my dir'`);
  });
});
