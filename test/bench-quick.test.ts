import { mkdtemp, readFile, readlink, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { REQUIRED, wvc } from './support.js';
import { schemaErrors } from './validate-results.js';

// A real quick bench on every available target: the numbers are not asserted
// (speed belongs in the bench), their presence, consistency and checks are.
describe('wvc bench --quick', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'wvc-bench-'));
  const r = await wvc(['bench', '--quick', '--seed', '12345', '--out', out]);
  const latest = await readlink(path.join(out, 'latest'));
  const dir = path.join(out, latest);
  const results = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as Results;
  const csv = (await readFile(path.join(dir, 'samples.csv'), 'utf8')).trim().split('\n');

  it('exits 0 and prints the summary table and the paths', () => {
    expect(r.stderr).toMatch(/^workload +target +variant +median ms +95% CI +p95 +× native +× docker +peak mem +warm ms +fails$/m);
    for (const f of ['report.md', 'report.html', 'results.json', 'samples.csv']) expect(r.stderr).toContain(`${f.padEnd(12)} ${path.join(dir, f)}`);
    expect(r.code).toBe(0);
  });

  it('writes a complete results.json that validates against the published schema', () => {
    expect(schemaErrors(results)).toEqual([]);
    expect(results.complete).toBe(true);
    expect(results.seed).toBe(12345);
    expect(results.options).toMatchObject({ runs: 5, warmup: 1, quick: true });
    expect(results.environment.cpus).toBeGreaterThan(0);
    expect(results.environment.node).toBe(process.version);
    expect(results.calibration.spawnOverheadMs).toBeGreaterThan(0);
    expect(results.artifacts.map((a) => a.id)).toEqual(expect.arrayContaining(['tax-calculator/native', 'tax-calculator/core', 'tax-calculator/component', 'tax-calculator/jco-bundle', 'tax-calculator-js/script', 'tax-calculator-js/component', 'tax-calculator-js/jco-bundle']));
  });

  it('measures both workloads by default, the C one and the JavaScript one, and says which targets do not apply', () => {
    expect(results.workloads.map((w) => [w.name, w.language])).toEqual([['tax-calculator', 'C'], ['tax-calculator-js', 'JavaScript']]);
    for (const w of results.workloads) expect(w.expectedStdout).toBe('{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}\n');
    const jsDocker = results.targets.some((t) => t.workload === 'tax-calculator-js' && t.id === 'docker' && t.status === 'ok');
    expect(results.workloads[1].notApplicable.map((n) => n.target).sort()).toEqual(jsDocker ? ['docker/debian', 'native', 'node-wasi'] : ['native', 'node-wasi']);
    expect(results.targets.filter((t) => t.workload === 'tax-calculator-js' && t.id === 'docker' && t.variant === 'debian')).toEqual([]);
    const js = results.targets.filter((t) => t.workload === 'tax-calculator-js' && t.status === 'ok').map((t) => `${t.id}/${t.variant}`);
    for (const id of REQUIRED.filter((t) => t !== 'native' && t !== 'node-wasi')) expect(js.some((k) => k.startsWith(`${id}/`))).toBe(true);
    expect(js).toContain('node/default');
    if (REQUIRED.includes('wasmtime-embed')) expect(js).toEqual(expect.arrayContaining(['wasmtime-embed/jit', 'wasmtime-embed/aot']));
    const comp = results.artifacts.find((a) => a.id === 'tax-calculator-js/component')!;
    const cComp = results.artifacts.find((a) => a.id === 'tax-calculator/component')!;
    // The StarlingMonkey engine is inside the JavaScript component.
    expect(comp.bytes).toBeGreaterThan(50 * cComp.bytes);
  });

  it('measures every required target, with checked samples and stats', () => {
    const ok = results.targets.filter((t) => t.status === 'ok');
    for (const id of REQUIRED) expect(ok.map((t) => t.id)).toContain(id);
    for (const t of ok) {
      if (t.status !== 'ok') continue;
      expect(t.coldStart.samples).toHaveLength(5);
      expect(t.coldStart.failures).toBe(0);
      const s = t.coldStart.stats!;
      expect(s.n).toBe(5);
      expect(s.min).toBeLessThanOrEqual(s.median);
      expect(s.median).toBeLessThanOrEqual(s.p95);
      expect(s.ci95[0]).toBeLessThanOrEqual(s.median);
      expect(s.ci95[1]).toBeGreaterThanOrEqual(s.median);
      expect(t.runtime?.version).toBeTruthy();
      expect(t.artifact?.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const variants = ok.map((t) => `${t.id}/${t.variant}`);
    if (REQUIRED.includes('wasmtime-embed')) expect(variants).toEqual(expect.arrayContaining(['wasmtime-embed/jit', 'wasmtime-embed/aot']));
  });

  it('records phases, memory and warm latency where the runtime offers them', () => {
    const get = (id: string, variant: string) => results.targets.find((t) => t.workload === 'tax-calculator' && t.id === id && t.variant === variant);
    const embed = get('wasmtime-embed', 'aot');
    if (embed?.status === 'ok') {
      expect(Object.keys(embed.phases!.medians).sort()).toEqual(['engine', 'instantiate', 'load', 'run']);
      expect(embed.warm.status).toBe('ok');
      expect(embed.memory!.covers).toMatch(/ru_maxrss/);
    }
    const nodeWasi = get('node-wasi', 'default');
    if (nodeWasi?.status === 'ok') {
      expect(Object.keys(nodeWasi.phases!.medians).sort()).toEqual(['boot', 'compile', 'instantiate', 'run']);
      expect(nodeWasi.warm.status).toBe('ok');
      expect(nodeWasi.memory!.median).toBeGreaterThan(1 << 20);
    }
    const native = get('native', 'static');
    if (native?.status === 'ok') {
      expect(native.warm).toEqual({ status: 'n/a', note: 'no in-process equivalent: a native program is a process per request' });
      expect(native.vsNative!.ratio).toBe(1);
      expect(native.memory!.median).toBeGreaterThan(0);
    }
    const docker = get('docker', 'default');
    if (docker?.status === 'ok') {
      expect(docker.warm.status).toBe('n/a');
      expect(docker.phases!.medians).toHaveProperty('create');
      expect(docker.vsDocker!.ratio).toBe(1);
    }
  });

  it('measures the footprint: compressed artifact sizes, images, rollout cost per node, runtimes on disk', async () => {
    const fp = results.footprint!;
    expect(fp).not.toBeNull();
    const core = fp.artifacts.find((a) => a.id === 'tax-calculator/core')!;
    const coreArt = results.artifacts.find((a) => a.id === 'tax-calculator/core')!;
    expect(core.bytes).toBe(coreArt.bytes);
    expect(core.sha256).toBe(coreArt.sha256);
    expect(core.gzipBytes).toBeLessThan(core.bytes);
    expect(core.brotliBytes).toBeLessThan(core.bytes);
    expect(fp.artifacts.map((a) => a.id)).toEqual(expect.arrayContaining(['tax-calculator/native', 'tax-calculator/core', 'tax-calculator/component', 'tax-calculator/jco-bundle', 'tax-calculator-js/component']));
    const node = fp.runtimes.find((r) => r.name.startsWith('node'))!;
    expect(node.files[0]).toEqual({ path: process.execPath, bytes: (await stat(process.execPath)).size });
    for (const r of fp.rollout) {
      expect(r.samples.length).toBe(3); // --quick
      expect(r.median).toBeGreaterThan(0);
    }
    if (REQUIRED.includes('wasmtime-embed')) expect(fp.rollout.map((r) => r.id)).toEqual(expect.arrayContaining(['wasm-aot:tax-calculator/component', 'wasm-aot:tax-calculator-js/component']));
    if (REQUIRED.includes('docker')) {
      const scratch = fp.images.find((i) => i.id === 'tax-calculator/image')!;
      expect(scratch.layers).toBe(1);
      expect(scratch.saveTarBytes).toBeGreaterThan(scratch.imageBytes);
      expect(scratch.saveGzipBytes).toBeLessThan(scratch.saveTarBytes);
      expect(scratch.saveBrotliBytes).toBeLessThan(scratch.saveTarBytes);
      expect(scratch.brotliQuality).toBe(11);
      expect(fp.rollout.map((r) => r.id)).toEqual(expect.arrayContaining(['docker-load:tax-calculator/image', 'docker-load:tax-calculator-js/image']));
    }
  });

  it('decides the capability matrix from evidence, with a row per runtime', () => {
    const m = results.capabilities!;
    expect(m).not.toBeNull();
    const cell = (row: string, probe: string, w = 'tax-calculator') => m.rows.find((r) => r.workload === w && r.id === row)?.cells.find((c) => c.probe === probe)?.outcome;
    if (REQUIRED.includes('native')) expect(cell('native', 'fs-read-outside')).toBe('allowed');
    if (REQUIRED.includes('wasmtime-embed')) expect(cell('wasmtime-embed', 'fs-read-outside')).toBe('denied');
    if (REQUIRED.includes('docker')) expect(cell('docker-hardened', 'mem-bomb')).toBe('contained');
    // The same probes through the JavaScript workload's own probe mode.
    expect(cell('node', 'fs-read-outside', 'tax-calculator-js')).toBe('allowed');
    if (REQUIRED.includes('wasmtime-embed')) {
      expect(cell('wasmtime-embed', 'fs-read-outside', 'tax-calculator-js')).toBe('denied');
      expect(cell('wasmtime-embed', 'net-connect', 'tax-calculator-js')).toBe('absent');
    }
    for (const r of m.rows.filter((r) => !r.skipped)) {
      for (const c of r.cells) {
        expect(c.runtime.version).toBeTruthy();
        expect(c.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it('writes one samples.csv row per sample', () => {
    expect(csv[0]).toBe('workload,target,variant,round,ms,ok,exit_code');
    const n = results.targets.reduce((acc, t) => acc + (t.status === 'ok' ? t.coldStart.samples.length : 0), 0);
    expect(csv).toHaveLength(n + 1);
    expect(csv.slice(1).filter((l) => !/^tax-calculator(-js)?,[a-z-]+,[a-z-]+,[0-4],\d+\.\d{4},true,0$/.test(l))).toEqual([]);
  });

  it('leaves no temp files behind', async () => {
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.md', 'results.json', 'samples.csv']);
  });
});
