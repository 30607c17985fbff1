import { describe, expect, it } from 'vitest';
import { wvc } from './support.js';

// Bad input gets one line that names the fix, exit 2, and no stack trace.
describe('wvc CLI errors', () => {
  it('rejects an unknown command, naming the commands', async () => {
    const r = await wvc(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("wvc: unknown command 'frobnicate' — choose from build, verify, doctor, report, compare, bench (wvc --help)\n");
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
    expect(r.stderr).toBe("wvc: --targets: unknown target 'podman' — choose from native, node, node-wasi, jco, wasmtime-embed, wasmtime, docker, containerd, oci\n");
  });

  it('rejects a bad BENCH_REQUIRE the same way', async () => {
    const r = await wvc(['verify'], { ...process.env, BENCH_REQUIRE: 'nativ' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("wvc: BENCH_REQUIRE: unknown target 'nativ' — choose from native, node, node-wasi, jco, wasmtime-embed, wasmtime, docker, containerd, oci\n");
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
    for (const id of ['native', 'node-wasi', 'jco', 'wasmtime-embed', 'wasmtime', 'docker', 'containerd', 'oci']) expect(r.stdout).toMatch(new RegExp(`^  (ok  |MISS)  ${id} +(available — |missing — .+ — |broken — )`, 'm'));
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
