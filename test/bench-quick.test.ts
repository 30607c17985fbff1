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
    expect(results.options).toMatchObject({ runs: 8, warmup: 1, quick: true, adaptive: { ciTarget: 0.05, minSamples: 5, budgetMs: 2000, minBudgetSamples: 1, maxRounds: 8 }, crossCheck: true, primeBelowMs: 50 });
    expect(results.timeline).not.toBeNull();
    for (const k of ['build', 'calibration', 'coldStart', 'warm', 'probes', 'crossCheck', 'footprint', 'reports'] as const) expect(results.timeline![k]).toBeGreaterThanOrEqual(0);
    expect(results.timeline!.total).toBeGreaterThanOrEqual(results.timeline!.coldStart + results.timeline!.probes + results.timeline!.footprint);
    expect(results.environment.cpus).toBeGreaterThan(0);
    expect(results.environment.node).toBe(process.version);
    expect(results.calibration.spawnOverheadMs).toBeGreaterThan(0);
    expect(results.artifacts.map((a) => a.id)).toEqual(expect.arrayContaining(['tax-calculator/native', 'tax-calculator/core', 'tax-calculator/component', 'tax-calculator/jco-bundle', 'tax-calculator-js/script', 'tax-calculator-js/component', 'tax-calculator-js/jco-bundle']));
  });

  it('measures both workloads by default, the C one and the JavaScript one, and says which targets do not apply', () => {
    expect(results.workloads.map((w) => [w.name, w.language])).toEqual([['tax-calculator', 'C'], ['tax-calculator-js', 'JavaScript']]);
    for (const w of results.workloads) expect(w.expectedStdout).toBe('{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}\n');
    const jsDocker = results.targets.some((t) => t.workload === 'tax-calculator-js' && t.id === 'docker' && t.status === 'ok');
    expect(results.workloads[1].notApplicable.map((n) => n.target).sort()).toEqual(jsDocker ? ['docker/debian', 'native', 'node-wasi', 'wasmedge'] : ['native', 'node-wasi', 'wasmedge']);
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
      // The adaptive stop: ±5% with at least 5 samples, or the 4 s budget (a JIT that compiles for seconds takes one), or 10 rounds.
      const n = t.coldStart.samples.length;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(10);
      expect(t.coldStart.stop).toMatch(/^(precision|budget|rounds)$/);
      if (t.coldStart.stop === 'precision') expect(n).toBeGreaterThanOrEqual(5);
      expect(t.coldStart.failures).toBe(0);
      const s = t.coldStart.stats!;
      expect(s.n).toBe(n);
      // The runtime's time, spawn to reap, is inside Node's outer figure for every process sample.
      if (t.invocation?.kind === 'process') for (const x of t.coldStart.samples) expect(x.ms).toBeLessThanOrEqual(x.outerMs!);
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

  const get = (id: string, variant: string) => {
    const t = results.targets.find((x) => x.workload === 'tax-calculator' && x.id === id && x.variant === variant);
    return t?.status === 'ok' ? t : undefined;
  };
  const has = (id: string, variant: string) => get(id, variant) !== undefined;
  const embed = get('wasmtime-embed', 'aot');
  const nodeWasi = get('node-wasi', 'default');
  const native = get('native', 'static');
  const docker = get('docker', 'default');

  it.skipIf(!has('wasmtime-embed', 'aot'))('records the embedded host\'s phases, memory and warm latency (skipped: wasmtime-embed/aot did not run)', () => {
    expect(Object.keys(embed!.phases!.medians).sort()).toEqual(['engine', 'instantiate', 'load', 'run']);
    expect(embed!.phases!.source).toBe('reported by the embedding host (engine, load or compile, instantiate, run)');
    expect(embed!.warm.status).toBe('ok');
    expect(embed!.memory!.covers).toMatch(/ru_maxrss/);
    expect(embed!.class).toBe('wasm');
    expect(embed!.exitCodes).toBe('ok-err');
    expect(embed!.defaultVariant).toBe(false);
  });

  it.skipIf(!has('node-wasi', 'default'))('records node:wasi\'s phases, memory and warm latency (skipped: node-wasi did not run)', () => {
    expect(Object.keys(nodeWasi!.phases!.medians).sort()).toEqual(['boot', 'compile', 'instantiate', 'run']);
    expect(nodeWasi!.warm.status).toBe('ok');
    expect(nodeWasi!.memory!.median).toBeGreaterThan(1 << 20);
  });

  it.skipIf(!has('native', 'static'))('records the native floor as the declared baseline with no warm mode (skipped: native did not run)', () => {
    expect(native!.warm).toEqual({ status: 'n/a', note: 'no in-process equivalent: a native program is a process per request' });
    expect(native!.vsNative!.ratio).toBe(1);
    expect(native!.memory!.median).toBeGreaterThan(0);
    expect(native!.baseline).toBe('floor');
    expect(native!.phases).toBeNull();
    expect(results.workloads[0].baselines.floor).toBe('native/static');
  });

  it.skipIf(!has('docker', 'default'))('records docker/default as the container baseline with Engine API phases (skipped: docker did not run)', () => {
    expect(docker!.warm.status).toBe('n/a');
    expect(docker!.phases!.medians).toHaveProperty('create');
    expect(docker!.vsDocker!.ratio).toBe(1);
    expect(docker!.baseline).toBe('container');
    expect(docker!.class).toBe('container');
    expect(results.workloads[0].baselines.container).toBe('docker/default');
  });

  it('records what every target declares about itself, and cross-workload ratios computed at bench time', () => {
    expect(results.targetInfo.map((t) => t.id)).toEqual(results.options.targets);
    for (const t of results.targetInfo) expect(t.summary).toBeTruthy();
    for (const t of results.targets) expect(t.cacheState).toBeTruthy();
    const okRows = results.targets.filter((t) => t.status === 'ok');
    const c = okRows.filter((t) => t.workload === 'tax-calculator').length;
    const js = okRows.filter((t) => t.workload === 'tax-calculator-js').length;
    expect(results.crossRatios).toHaveLength(c * js);
    for (const x of results.crossRatios) {
      expect(x.a.workload).toBe('tax-calculator-js');
      expect(x.b.workload).toBe('tax-calculator');
      expect(x.ci95[0]).toBeLessThanOrEqual(x.ratio);
      expect(x.ci95[1]).toBeGreaterThanOrEqual(x.ratio);
    }
  });

  const okErr = results.targets.find((t) => t.status === 'ok' && t.exitCodes === 'ok-err');
  it.skipIf(!okErr)('shows "(ok/err only)" in report.md for a WASI 0.2 row the bench measured (skipped: no ok-err target ran)', async () => {
    const md = await readFile(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('(ok/err only)');
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('(ok/err only)');
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
      expect(r.samples.length).toBe(1); // --quick: one run of each
      expect(r.median).toBeGreaterThan(0);
    }
  });

  it.skipIf(!has('wasmtime-embed', 'aot'))('measures the AOT rollout of every component (skipped: wasmtime-embed did not run)', () => {
    expect(results.footprint!.rollout.map((r) => r.id)).toEqual(expect.arrayContaining(['wasm-aot:tax-calculator/component', 'wasm-aot:tax-calculator-js/component']));
  });

  it.skipIf(!has('docker', 'default'))('measures image sizes and docker load (skipped: docker did not run)', () => {
    const fp = results.footprint!;
    {
      const scratch = fp.images.find((i) => i.id === 'tax-calculator/image')!;
      expect(scratch.layers).toBe(1);
      expect(scratch.saveTarBytes).toBeGreaterThan(scratch.imageBytes);
      expect(scratch.saveGzipBytes).toBeLessThan(scratch.saveTarBytes);
      expect(scratch.saveBrotliBytes).toBeLessThan(scratch.saveTarBytes);
      expect(scratch.brotliQuality).toBe(11);
      expect(fp.rollout.map((r) => r.id)).toEqual(expect.arrayContaining(['docker-load:tax-calculator/image', 'docker-load:tax-calculator-js/image']));
    }
  });

  const m = results.capabilities;
  const cell = (row: string, probe: string, w = 'tax-calculator') => m?.rows.find((r) => r.workload === w && r.id === row)?.cells.find((c) => c.probe === probe)?.outcome;
  const probed = (row: string, w = 'tax-calculator') => !!m?.rows.find((r) => r.workload === w && r.id === row && !r.skipped && r.cells.length);

  it('decides the capability matrix from evidence, with a row per runtime', () => {
    expect(m).not.toBeNull();
    // The same probes through the JavaScript workload's own probe mode.
    expect(cell('node', 'fs-read-outside', 'tax-calculator-js')).toBe('allowed');
    for (const r of m!.rows.filter((r) => !r.skipped)) {
      for (const c of r.cells) {
        expect(c.runtime.version).toBeTruthy();
        expect(c.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
    // Every selected target that ran has its declared rows in the matrix, none silently dropped.
    for (const t of results.targets.filter((x) => x.status === 'ok' && x.workload === 'tax-calculator')) expect(m!.rows.some((r) => r.workload === 'tax-calculator' && r.target === t.id)).toBe(true);
  });

  it.skipIf(!probed('native'))('native allows a read outside any grant (skipped: native was not probed)', () => {
    expect(cell('native', 'fs-read-outside')).toBe('allowed');
  });

  it.skipIf(!probed('wasmtime-embed'))('wasmtime-embed denies a read outside the grant, for C and JavaScript, and has no sockets for JavaScript (skipped: wasmtime-embed was not probed)', () => {
    expect(cell('wasmtime-embed', 'fs-read-outside')).toBe('denied');
    expect(cell('wasmtime-embed', 'fs-read-outside', 'tax-calculator-js')).toBe('denied');
    expect(cell('wasmtime-embed', 'net-connect', 'tax-calculator-js')).toBe('absent');
  });

  it.skipIf(!probed('docker-hardened'))('docker hardened contains the memory bomb (skipped: docker was not probed)', () => {
    expect(cell('docker-hardened', 'mem-bomb')).toBe('contained');
  });

  it.skipIf(!probed('node-wasi'))('node-wasi denials are labelled policy, as the target declares (skipped: node-wasi was not probed)', () => {
    const row = m!.rows.find((r) => r.workload === 'tax-calculator' && r.id === 'node-wasi')!;
    const denied = row.cells.filter((c) => c.outcome === 'denied');
    expect(denied.length).toBeGreaterThan(0);
    for (const c of denied) expect(c.policy).toBe(true);
  });

  it('writes one samples.csv row per sample', () => {
    expect(csv[0]).toBe('workload,target,variant,round,ms,ok,exit_code');
    const n = results.targets.reduce((acc, t) => acc + (t.status === 'ok' ? t.coldStart.samples.length : 0), 0);
    expect(csv).toHaveLength(n + 1);
    expect(csv.slice(1).filter((l) => !/^tax-calculator(-js)?,[a-z-]+,[a-z-]+,[0-9],\d+\.\d{4},true,0$/.test(l))).toEqual([]);
  });

  it('leaves no temp files behind', async () => {
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.md', 'results.json', 'samples.csv']);
  });
});
