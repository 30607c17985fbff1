/**
 * Bring your own workload: a program the harness has never seen, compiled here,
 * with its manifest written here. Every artifact is prebuilt (paths and an image
 * tag), so the harness builds nothing of it; bench and verify run it end to end.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { connectDocker } from '../harness/util/docker.js';
import { REQUIRED, ROOT, wvc } from './support.js';
import { schemaErrors } from './validate-results.js';

const exec = promisify(execFile);

// Counts the words of a file under the /data grant and says how many, as JSON.
const SOURCE = `#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  const char *path = "/data/words.txt";
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--input=", 8) == 0) path = argv[i] + 8;
    else { fprintf(stderr, "{\\"error\\":\\"usage\\"}\\n"); return 2; }
  }
  FILE *f = fopen(path, "r");
  if (!f) { fprintf(stderr, "{\\"error\\":\\"no_input\\"}\\n"); return 3; }
  int c, words = 0, in = 0;
  while ((c = fgetc(f)) != EOF) {
    if (c == ' ' || c == '\\n') in = 0;
    else if (!in) { in = 1; words++; }
  }
  printf("{\\"words\\":%d}\\n", words);
  return 0;
}
`;
const WORDS = 'the quick brown fox\njumps over the lazy dog\n';
const TAG = 'wvc-test/byo-wordcount:test';

async function compileWasm(dir: string): Promise<void> {
  const { commands } = await import('@yowasp/clang');
  // Unpack clang's resources quietly first (its internal pass would print progress).
  await commands.clang(undefined, {}, { fetchProgress: () => {} });
  const files = await commands.clang(['--target=wasm32-wasip1', '-O2', 'wc.c', '-o', 'wc.wasm'], { 'wc.c': SOURCE }, { stdout: null, stderr: null, fetchProgress: () => {} });
  await writeFile(path.join(dir, 'wc.core.wasm'), files!['wc.wasm'] as Uint8Array);
  const jco = path.join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
  await exec(process.execPath, [jco, 'new', path.join(dir, 'wc.core.wasm'), '--wasi-command', '-o', path.join(dir, 'wc.component.wasm')]);
}

describe('a bring-your-own workload, end to end', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'wvc-byo-'));
  await mkdir(path.join(dir, 'data'));
  await writeFile(path.join(dir, 'data', 'words.txt'), WORDS);
  await writeFile(path.join(dir, 'wc.c'), SOURCE);
  await compileWasm(dir);
  await exec('cc', ['-static', '-O2', '-o', path.join(dir, 'wc'), path.join(dir, 'wc.c')]);
  const conn = await connectDocker();
  const withDocker = conn.ok;
  if (withDocker) {
    await mkdir(path.join(dir, 'image'));
    await writeFile(path.join(dir, 'image', 'Dockerfile'), 'FROM scratch\nCOPY wc /wc\nENTRYPOINT ["/wc"]\n');
    await exec('cp', [path.join(dir, 'wc'), path.join(dir, 'image', 'wc')]);
    await exec('docker', ['build', '-q', '-t', TAG, path.join(dir, 'image')]);
  }
  const manifest = {
    name: 'byo-wordcount',
    language: 'C',
    argv0: 'wc',
    grants: [{ host: 'data', guest: '/data', arg: '--input' }],
    sample: { args: ['--input=/data/words.txt'], stdout: '{"words":9}\n' },
    artifacts: {
      native: { path: 'wc' },
      core: { path: 'wc.core.wasm' },
      component: { path: 'wc.component.wasm' },
      ...(withDocker ? { image: { tag: TAG } } : {}),
    },
  };
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest, null, 2));
  const targets = ['native', 'node-wasi', 'jco', 'wasmtime-embed', ...(withDocker ? ['docker'] : [])];
  const out = await mkdtemp(path.join(tmpdir(), 'wvc-byo-out-'));
  // `node` is selected too: it has no script to run here, so it must come back as not applicable.
  const require = ['--require', REQUIRED.filter((t) => targets.includes(t)).join(',')];
  const bench = await wvc(['bench', '--workload', dir, '--targets', [...targets, 'node'].join(','), ...require, '--quick', '--seed', '7', '--out', out]);
  const results = JSON.parse(await readFile(path.join(out, await readlink(path.join(out, 'latest')), 'results.json'), 'utf8')) as Results;

  it('benches it on every target it declares artifacts for, every sample checked', () => {
    expect(bench.code, bench.stderr.slice(-2000)).toBe(0);
    expect(schemaErrors(results)).toEqual([]);
    expect(results.workloads.map((w) => [w.name, w.language, w.expectedStdout])).toEqual([['byo-wordcount', 'C', '{"words":9}\n']]);
    const ok = results.targets.filter((t) => t.status === 'ok');
    expect([...new Set(ok.map((t) => t.id))].sort()).toEqual([...targets].sort());
    for (const t of ok) {
      expect(t.workload).toBe('byo-wordcount');
      if (t.status !== 'ok') continue;
      expect(t.coldStart.failures).toBe(0);
      expect(t.coldStart.samples.length).toBeGreaterThanOrEqual(1);
      expect(t.coldStart.stop).toMatch(/^(precision|budget|rounds)$/);
    }
  });

  it('records the prebuilt artifacts by hash, builds nothing of them, and measures their footprint', async () => {
    const wasm = results.artifacts.find((a) => a.id === 'byo-wordcount/core')!;
    const sha = (await exec('sha256sum', [path.join(dir, 'wc.core.wasm')])).stdout.split(' ')[0];
    expect(wasm.sha256).toBe(sha);
    expect(results.artifacts.map((a) => a.id)).toEqual(expect.arrayContaining(['byo-wordcount/native', 'byo-wordcount/component', 'byo-wordcount/component-cwasm', 'byo-wordcount/jco-bundle']));
    // No other workload's artifacts in this run: only the probe guest's, which its capability cells name.
    expect(results.artifacts.filter((a) => a.id.includes('/') && !a.id.startsWith('byo-wordcount/') && !a.id.startsWith('wvc-probe/'))).toEqual([]);
    expect(results.footprint?.rollout.map((r) => r.id)).toContain('wasm-aot:byo-wordcount/component');
    if (withDocker) expect(results.artifacts.find((a) => a.id === 'byo-wordcount/image')?.tag).toBe(TAG);
  });

  it('gets a capability matrix from the probe guest, though it has no probe mode of its own', () => {
    const rows = results.capabilities?.rows ?? [];
    const ran = rows.filter((r) => !r.skipped);
    expect([...new Set(ran.map((r) => r.target))].sort()).toEqual([...targets].sort());
    const guestShas = new Set(results.artifacts.filter((a) => a.id.startsWith('wvc-probe/')).map((a) => a.sha256));
    for (const r of rows) {
      expect([r.workload, r.guest]).toEqual(['byo-wordcount', 'probe-guest']);
      if (r.skipped) continue;
      expect(r.cells.length).toBe(results.capabilities!.probes.length);
      expect(r.cells.filter((c) => c.outcome === 'error').map((c) => `${r.id} ${c.probe}: ${c.evidence}`)).toEqual([]);
      for (const c of r.cells) expect(guestShas.has(c.artifactSha256), `${r.id} ${c.probe} ${c.artifactSha256}`).toBe(true);
    }
    // A read outside the grant: the native program is not sandboxed, wasmtime is.
    const cell = (id: string, probe: string) => rows.find((r) => r.id === id)?.cells.find((c) => c.probe === probe)?.outcome;
    expect(cell('native', 'fs-read-outside')).toBe('allowed');
    expect(cell('wasmtime-embed', 'fs-read-outside')).toBe('denied');
  });

  it('maps the grant for the native program, and preopens it for wasm', () => {
    const native = results.targets.find((t) => t.id === 'native')!;
    expect(native.command).toContain(`--input=${path.join(dir, 'data')}`);
    const embed = results.targets.find((t) => t.id === 'wasmtime-embed' && t.variant === 'aot')!;
    expect(embed.command).toContain(`--argv0 wc --dir ${path.join(dir, 'data')}::/data`);
    expect(embed.grants[0]).toBe('fs:/data (read-only preopen)');
  });

  it('says which targets do not apply, and why', () => {
    const na = results.workloads[0].notApplicable.map((n) => n.target).sort();
    // It declares no script, and no Debian image for docker's `debian` variant.
    expect(na).toEqual(withDocker ? ['docker/debian', 'node'] : ['node']);
    expect(results.workloads[0].notApplicable.find((n) => n.target === 'node')?.reason).toBe('node runs artifacts.script, which workload byo-wordcount does not declare');
  });

  it('verifies it against its sample when it has no vectors file', async () => {
    const r = await wvc(['verify', '--workload', dir, '--targets', targets.join(','), ...require]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const t of targets) expect(r.stdout).toMatch(new RegExp(`^byo-wordcount ${t} \\S+: 1/1 identical`, 'm'));
  });

  it('fails a wrong expected stdout with one line naming sample.stdout', async () => {
    const bad = { ...manifest, name: 'byo-wrong', sample: { ...manifest.sample, stdout: '{"words":10}\n' } };
    const badDir = path.join(dir, 'wrong');
    await mkdir(badDir);
    await writeFile(path.join(badDir, 'workload.json'), JSON.stringify({ ...bad, grants: [{ host: '../data', guest: '/data', arg: '--input' }], artifacts: { native: { path: '../wc' } } }));
    const r = await wvc(['bench', '--workload', badDir, '--targets', 'native', '--require', '', '--quick', '--out', out]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('wvc: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wvc: .*wrong\/workload\.json: sample\.stdout: expected "\{\\"words\\":10\}\\n", but native printed "\{\\"words\\":9\}\\n" — fix sample\.stdout or sample\.args$/);
  });

  it.skipIf(!withDocker && !REQUIRED.includes('docker'))('fails an image tag that is not in the engine with one line naming the field', async () => {
    const missingDir = path.join(dir, 'missing-image');
    await mkdir(missingDir);
    await writeFile(path.join(missingDir, 'workload.json'), JSON.stringify({ ...manifest, name: 'byo-missing', grants: [{ host: '../data', guest: '/data' }], artifacts: { image: { tag: 'wvc-test/never-built:nope' } } }));
    const r = await wvc(['build', '--workload', missingDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wvc: .*missing-image\/workload\.json: artifacts\.image\.tag: image wvc-test\/never-built:nope is not in the Docker engine — build or load it first/m);
  });
});
