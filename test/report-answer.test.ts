import { describe, expect, it } from 'vitest';
import type { BurstResult, DensityResult, Results } from '../harness/model.js';
import { answerLines } from '../harness/report/answer.js';
import { evaluateCriteria, loadCriteria } from '../harness/report/criteria.js';
import { renderHtml } from '../harness/report/html.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { platformSentences } from '../harness/report/platform.js';
import { artifact, cVsJs, fixture, makeResults, okTarget, rawFixture } from './report-builder.js';
import { schemaErrors } from './validate-results.js';

// A real quick bench of this project (schemaVersion 3): every container layer (docker, containerd,
// runc; crun skipped), the footprint and the capability matrix; no density or burst step.
const FIXTURE = 'results-v3-layers.json';

type RawTarget = { id: string; variant: string; status: string; coldStart?: { stats?: { median: number } }; vsDocker?: { ratio: number; ci95: [number, number] }; vsBestContainer?: { ratio: number } };
const raw = rawFixture(FIXTURE) as { targets: RawTarget[]; footprint: { artifacts: { id: string; bytes: number; gzipBytes: number }[]; images: { id: string; imageBytes: number; saveGzipBytes: number }[] } };
const row = (id: string, variant: string) => raw.targets.find((t) => t.id === id && t.variant === variant && t.status === 'ok')!;

describe('the answer, on a real run with every container layer', () => {
  const r = fixture(FIXTURE);
  const lines = answerLines(r);
  const text = (id: string) => lines.find((x) => x.id === id)?.text;

  it('is built from a schema-valid Results', () => {
    expect(schemaErrors(r)).toEqual([]);
  });

  it('has five lines: cold start, per request, sizes and each side of the sandbox', () => {
    expect(lines.map((x) => x.id)).toEqual(['cold-start', 'per-request', 'sizes', 'sandbox-wasm', 'sandbox-container']);
  });

  it('sets the fastest Wasm start against the fastest container path and against Docker, with the stored ratios', () => {
    // The figures as results.json records them.
    const aot = row('wasmtime-embed', 'aot');
    expect(aot.coldStart!.stats!.median).toBeCloseTo(3.0975, 4);
    expect(1 / aot.vsBestContainer!.ratio).toBeCloseTo(5.41, 2);
    expect(row('oci', 'runc-hardened').coldStart!.stats!.median).toBeCloseTo(16.759, 3);
    expect(1 / aot.vsDocker!.ratio).toBeCloseTo(65.7, 1);
    expect(aot.vsDocker!.ci95[0]).toBeCloseTo(0.0131, 4);
    expect(aot.vsDocker!.ci95[1]).toBeCloseTo(0.0185, 4);
    expect(row('docker', 'default').coldStart!.stats!.median).toBeCloseTo(203.6, 1);
    expect(text('cold-start')).toBe(
      'Cold start: the fastest Wasm start, wasmtime-embed/aot, takes 3.10 ms (median): 5.41× faster than the fastest container path, oci/runc-hardened at 16.8 ms, and 65.7× faster than Docker, docker/default at 204 ms; ratio 0.0152×, 95% CI 0.0131–0.0185.',
    );
  });

  it('quotes the per-request cost of the plugin model as the Plugin platform section does', () => {
    const warm = platformSentences(r).find((x) => x.kind === 'warm')!.text;
    expect(text('per-request')).toBe(warm);
    expect(warm).toBe(
      "Per request: wasmtime-embed (AOT .cwasm, pooling allocator + CoW) serves each request on a fresh instance in 289 µs (median; instantiate 67.0 µs, run 221 µs), 1.29× faster than its target's default configuration, wasmtime-embed (JIT), at 374 µs.",
    );
  });

  it('gives the component, the .cwasm and the images, raw and gzip, from the footprint', () => {
    const art = (id: string) => raw.footprint.artifacts.find((a) => a.id === id)!;
    const img = (id: string) => raw.footprint.images.find((a) => a.id === id)!;
    expect([art('tax-calculator/component').bytes, art('tax-calculator/component').gzipBytes]).toEqual([90_832, 33_808]);
    expect([art('tax-calculator/component-cwasm').bytes, art('tax-calculator/component-cwasm').gzipBytes]).toEqual([253_808, 88_178]);
    expect([img('tax-calculator/image').imageBytes, img('tax-calculator/image').saveGzipBytes]).toEqual([54_936, 29_417]);
    expect([img('tax-calculator/imageDebian').imageBytes, img('tax-calculator/imageDebian').saveGzipBytes]).toEqual([116_721_913, 49_678_833]);
    expect(text('sizes')).toBe(
      'Sizes: the component tax-calculator/component is 88.7 KiB (gzip 33.0 KiB), its AOT-compiled .cwasm tax-calculator/component-cwasm 248 KiB (gzip 86.1 KiB); the container images tax-calculator/image 53.6 KiB (gzip of its docker save tar 28.7 KiB) and tax-calculator/imageDebian 111 MiB (gzip of its docker save tar 47.4 MiB).',
    );
  });

  it('says what each sandbox denied, per side and per variant, counting a matrix row listed twice once', () => {
    // This run's matrix lists every row twice; the summary's probe column and the answer count each cell once.
    const rows = (r.capabilities?.rows ?? []).filter((x) => x.target === 'wasmtime-embed' && x.variant === 'aot');
    expect(rows).toHaveLength(2);
    expect(text('sandbox-wasm')).toBe('Wasm sandboxes denied 15 of 27 capability probes (wasmtime-embed/aot 7/9, node-wasi/default 4/9, jco/sandboxed 4/9).');
    expect(text('sandbox-container')).toBe(
      'Container sandboxes denied 29 of 45 capability probes (docker/hardened 7/9, oci/runc-hardened 7/9, docker/default 5/9, containerd/default 5/9, oci/runc 5/9).',
    );
    expect(renderMarkdown(r)).toContain('| wasmtime-embed | aot | tax-calculator/component-cwasm | 248 KiB | 86.1 KiB | 13.3 MiB | 7/9 |');
  });

  it('leaves an errored probe out of the counts and says so', () => {
    const r2 = fixture(FIXTURE);
    for (const x of r2.capabilities!.rows) if (x.target === 'wasmtime-embed') for (const c of x.cells) if (c.probe === 'net-connect') c.outcome = 'error';
    expect(answerLines(r2).find((x) => x.id === 'sandbox-wasm')?.text).toBe(
      'Wasm sandboxes denied 14 of 26 capability probes (wasmtime-embed/aot 6/8, node-wasi/default 4/9, jco/sandboxed 4/9); 1 errored, left out.',
    );
  });

  it("ends with the decision gate's verdict and what failed, when criteria are given", () => {
    const criteria = evaluateCriteria(
      r,
      loadCriteria(
        JSON.stringify({
          title: 'Checkout plugins',
          criteria: [
            { id: 'p95', kind: 'cold-start-p95', target: 'wasmtime-embed', variant: 'aot', maxMs: 5 },
            { id: 'speedup', kind: 'speedup-over-docker', target: 'wasmtime-embed', variant: 'aot', minSpeedup: 100 },
          ],
        }),
      ),
    );
    const gate = answerLines(r, criteria).at(-1)!;
    expect(gate.id).toBe('gate');
    // The speedup's lower bound is 1 / the upper bound of the × docker CI: 1 / 0.0185 = 53.9×.
    expect(1 / row('wasmtime-embed', 'aot').vsDocker!.ci95[1]).toBeCloseTo(53.9, 1);
    expect(gate.text).toBe(
      'Decision gate (Checkout plugins): Criteria not met: 1 of 2 fail (speedup). Failed: speedup wasmtime-embed/aot: 53.9× (lower 95% bound; point 65.7×), limit ≥ 100× (lower 95% bound).',
    );
    const met = evaluateCriteria(r, loadCriteria(JSON.stringify({ criteria: [{ kind: 'cold-start-p95', target: 'wasmtime-embed', variant: 'aot', maxMs: 5 }] })));
    expect(answerLines(r, met).at(-1)!.text).toBe('Decision gate: Criteria met: all 1 pass.');
  });

  it('adds the density and surge sentences of the Plugin platform when the run measured them', () => {
    const key = (id: string, variant: string, cls: 'wasm' | 'container') => ({ workload: 'tax-calculator', id, variant, label: `${id} (${variant})`, class: cls });
    const density: DensityResult[] = [
      {
        ...key('wasmtime-embed', 'pooled', 'wasm'),
        status: 'ok',
        covers: 'the host process (test)',
        steps: [1, 8, 32].map((n) => ({ instances: n, pssBytes: 20 * 2 ** 20 + 212 * 1024 * n, readyMs: n })),
        fit: { bytesPerInstance: 212 * 1024, interceptBytes: 20 * 2 ** 20, r2: 0.9912, points: 3 },
        perGiB: Math.floor(2 ** 30 / (212 * 1024)),
        stoppedBy: 'the last step',
      },
    ];
    const burst: BurstResult[] = [
      {
        ...key('wasmtime-embed', 'pooled', 'wasm'),
        status: 'ok',
        steps: [{ k: 8, mode: 'one store per request', clock: 'runtime', latenciesMs: [3, 4, 5, 6, 7, 8, 9, 41], failures: [], p50Ms: 6, p99Ms: 41, maxMs: 41, wallMs: 41.5, startsPerSec: 8 / 0.0415 }],
      },
    ];
    const r2: Results = { ...fixture(FIXTURE), density, burst };
    const said = platformSentences(r2);
    const lines2 = answerLines(r2);
    expect(lines2.map((x) => x.id)).toEqual(['cold-start', 'per-request', 'density', 'surge', 'sizes', 'sandbox-wasm', 'sandbox-container']);
    expect(lines2.find((x) => x.id === 'density')!.text).toBe(said.find((x) => x.kind === 'density')!.text);
    expect(lines2.find((x) => x.id === 'density')!.text).toBe('Density: wasmtime-embed (pooled) costs 212 KiB per parked instance (r² 0.991, 3 steps), about 4,900 per GiB.');
    expect(lines2.find((x) => x.id === 'surge')!.text).toBe('Surge: 8 simultaneous cold starts on wasmtime-embed (pooled): p99 41.0 ms, 193 starts/s.');
  });
});

describe('the answer on runs that lack numbers', () => {
  it('says "not measured in this run" on each headline line, and invents nothing', () => {
    const r = makeResults([okTarget('native', 'static', [1, 1, 1], { artifact: 'tax-calculator/native' })], [artifact('tax-calculator/native', 'file', 50_000)]);
    expect(answerLines(r).map((x) => x.text)).toEqual([
      'Cold start: not measured in this run (no Wasm target was measured).',
      "Per request: not measured in this run (no variant ran the plugin model's warm loop).",
      'Sizes: not measured in this run (no component or image recorded).',
      'What each sandbox denied: not measured in this run (no capability probes).',
    ]);
  });

  it('gives a Wasm start with no container to set it beside, and leaves out what is missing', () => {
    const r = makeResults([okTarget('wasmtime-embed', 'aot', [2, 2, 2], { artifact: 'tax-calculator/component-cwasm' })], [artifact('tax-calculator/component-cwasm', 'file', 200_000)]);
    const lines = answerLines(r);
    expect(lines[0].text).toBe('Cold start: the fastest Wasm start, wasmtime-embed/aot, takes 2.00 ms (median); no container was measured in this run to set it beside.');
    expect(lines.find((x) => x.id === 'sizes')!.text).toBe('Sizes: its AOT-compiled .cwasm tax-calculator/component-cwasm 195 KiB; no container image was recorded.');
  });

  it('uses the Docker baseline as the fastest container path when it is the only container', () => {
    const lines = answerLines(fixture());
    expect(lines[0].text).toBe(
      'Cold start: the fastest Wasm start, wasmtime-embed/aot, takes 11.9 ms (median): 28.3× faster than Docker, docker/default at 337 ms, the fastest container path measured; ratio 0.0353×, 95% CI 0.0274–0.0475.',
    );
  });
});

describe('the answer on a run of several workloads', () => {
  it('is about the primary workload and says so on every line', () => {
    // cVsJs: C then JavaScript; its rows carry no × docker ratio, so the line gives the medians' ratio alone.
    expect(answerLines(cVsJs()).map((x) => x.text)).toEqual([
      'Cold start (tax-calculator, C): the fastest Wasm start, wasmtime-embed/aot, takes 10.0 ms (median): 30.0× faster than Docker, docker/default at 300 ms, the fastest container path measured.',
      "Per request (tax-calculator, C): not measured in this run (no variant ran the plugin model's warm loop).",
      'Sizes (tax-calculator, C): the component tax-calculator/component is 77.1 KiB, its AOT-compiled .cwasm tax-calculator/component-cwasm 219 KiB; the container image tax-calculator/image 53.7 KiB.',
      'What each sandbox denied (tax-calculator, C): not measured in this run (no capability probes).',
    ]);
  });
});

describe('the report opens with the answer', () => {
  const r = fixture(FIXTURE);
  const md = renderMarkdown(r);
  const heads = md.split('\n').filter((l) => /^#{1,3} /.test(l));

  it('puts the answer first, then the summary, then the run details', () => {
    expect(heads.slice(0, 8)).toEqual(['# wasm-vs-container: tax-calculator (C) — run 20261202T134214Z-0564', '## The answer', '## Summary', '### Cold start', '### Footprint', '## Run details', '### Workload', '### Runtimes']);
    expect(heads[8]).toBe('### Artifacts');
    const lines = md.split('\n');
    const at = lines.indexOf('## The answer');
    expect(lines.slice(at + 2, at + 7)).toEqual(answerLines(r).map((x) => `- ${x.text}`));
    // The sha256 values come after the answer.
    expect(md.indexOf('`' + r.artifacts[0].sha256 + '`')).toBeGreaterThan(md.indexOf('## Run details'));
  });

  it('does the same in the HTML report', () => {
    const html = renderHtml(r);
    const ids = [...html.matchAll(/<h2 id="([^"]+)">/g)].map((m) => m[1]);
    expect(ids.slice(0, 3)).toEqual(['the-answer', 'summary', 'run-details']);
    expect(html).toContain(`<li>${'Wasm sandboxes denied 15 of 27 capability probes (wasmtime-embed/aot 7/9, node-wasi/default 4/9, jco/sandboxed 4/9).'}</li>`);
  });

  it('never says "seed" but for the schedule\'s random seed, and names the course module once', () => {
    const criteria = evaluateCriteria(r, loadCriteria(JSON.stringify({ criteria: [{ kind: 'cold-start-p95', target: 'wasmtime-embed', variant: 'aot', maxMs: 5 }] })));
    for (const out of [renderMarkdown(r, { criteria }), renderHtml(r, { criteria }), renderMarkdown(fixture('results-v2.json'))]) {
      const uses = [...out.matchAll(/[^\n.]{0,40}seed[^\n.]{0,20}/gi)].map((m) => m[0]);
      expect(uses.filter((u) => !/random seed \d+/.test(u))).toEqual([]);
      expect(out.split('Module 3.9: WebAssembly and Cloud Native').length - 1).toBe(1);
      expect(out).toContain('Common claims about Wasm vs measured');
    }
  });
});
