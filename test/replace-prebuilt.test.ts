/**
 * A prebuilt component replaced at the same path (issue 14, defect 2): verify and
 * bench each prepare what they run, so the .cwasm and the jco bundle made from the
 * old component are remade from the new one, and the new one is what runs. Real
 * components (C through @yowasp/clang, then jco new), real runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../harness/build/common.js';
import type { Results } from '../harness/model.js';
import { REQUIRED, ROOT, wvc } from './support.js';

const exec = promisify(execFile);
const TARGETS = ['jco', 'wasmtime-embed'];

/** A command component that prints `word`. */
async function component(dir: string, word: string): Promise<Buffer> {
  const src = `#include <stdio.h>\nint main(void) { puts("${word}"); return 0; }\n`;
  const { commands } = await import('@yowasp/clang');
  await commands.clang(undefined, {}, { fetchProgress: () => {} });
  const files = await commands.clang(['--target=wasm32-wasip1', '-O2', 'p.c', '-o', 'p.wasm'], { 'p.c': src }, { stdout: null, stderr: null, fetchProgress: () => {} });
  const core = path.join(dir, `${word}.core.wasm`);
  await writeFile(core, files!['p.wasm'] as Uint8Array);
  const jco = path.join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
  const out = path.join(dir, `${word}.component.wasm`);
  await exec(process.execPath, [jco, 'new', core, '--wasi-command', '-o', out]);
  return readFile(out);
}

describe('a prebuilt component replaced at the same path', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'wvc-replace-'));
  const comp = path.join(dir, 'prog.component.wasm');
  const manifest = (stdout: string) => ({ name: 'byo-replaced', language: 'C', argv0: 'prog', sample: { args: [], stdout }, artifacts: { component: { path: 'prog.component.wasm' } } });
  const one = await component(dir, 'one');
  const two = await component(dir, 'two');
  const env = { ...process.env, BENCH_REQUIRE: '' };
  const require = ['--require', REQUIRED.filter((t) => TARGETS.includes(t)).join(',')];

  await writeFile(comp, one);
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest('one\n')));
  const before = await wvc(['verify', '--workload', dir, '--targets', TARGETS.join(','), ...require], env);
  // The same path, a different program: an old .cwasm or bundle would still print "one".
  await writeFile(comp, two);
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest('two\n')));
  const after = await wvc(['verify', '--workload', dir, '--targets', TARGETS.join(','), ...require], env);
  const out = await mkdtemp(path.join(tmpdir(), 'wvc-replace-out-'));
  const bench = await wvc(['bench', '--workload', dir, '--targets', TARGETS.join(','), ...require, '--quick', '--runs', '2', '--no-cross-check', '--out', out], env);

  it('verify runs the first component', () => {
    expect(before.code, before.stdout + before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^byo-replaced wasmtime-embed aot: 1\/1 identical/m);
    expect(before.stdout).toMatch(/^byo-replaced jco \S+: 1\/1 identical/m);
  });

  it('verify runs the new one after the replacement: every variant prints "two"', () => {
    expect(after.code, after.stdout + after.stderr).toBe(0);
    for (const v of ['jit', 'aot', 'pooled']) expect(after.stdout).toMatch(new RegExp(`^byo-replaced wasmtime-embed ${v}: 1/1 identical`, 'm'));
    expect(after.stdout).toMatch(/^byo-replaced jco \S+: 1\/1 identical/m);
    expect(after.stdout).toMatch(/^verify: every run identical/m);
  });

  it('bench runs the new one, and records the .cwasm made from it', async () => {
    expect(bench.code, bench.stderr.slice(-2000)).toBe(0);
    const results = JSON.parse(await readFile(path.join(out, await readlink(path.join(out, 'latest')), 'results.json'), 'utf8')) as Results;
    const sha = await sha256File(comp);
    expect(results.artifacts.find((a) => a.id === 'byo-replaced/component')?.sha256).toBe(sha);
    const ok = results.targets.filter((t) => t.status === 'ok' && t.workload === 'byo-replaced');
    expect([...new Set(ok.map((t) => t.id))].sort()).toEqual(TARGETS);
    for (const t of ok) if (t.status === 'ok') expect([t.id, t.variant, t.coldStart.failures, t.coldStart.samples.every((s) => s.ok)]).toEqual([t.id, t.variant, 0, true]);
    const manifestJson = JSON.parse(await readFile(path.join(ROOT, 'build', 'manifest.json'), 'utf8')) as { artifacts: { id: string; from?: { sha256: string } }[] };
    expect(manifestJson.artifacts.find((a) => a.id === 'byo-replaced/component-cwasm')?.from?.sha256).toBe(sha);
    expect(manifestJson.artifacts.find((a) => a.id === 'byo-replaced/jco-bundle')?.from?.sha256).toBe(sha);
  });
});
