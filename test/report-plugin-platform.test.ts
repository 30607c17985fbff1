import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BurstResult, DensityResult, Results, TargetResult } from '../harness/model.js';
import { computeStats } from '../harness/measure/stats.js';
import { evaluateCriteria, loadCriteria } from '../harness/report/criteria.js';
import { toBencherBmf, toGithubActionBenchmark } from '../harness/report/exports.js';
import { renderHtml } from '../harness/report/html.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { platformSentences } from '../harness/report/platform.js';
import { summaryTable, timelineLine } from '../harness/report/summary.js';
import { cVsJs, fixture, JS_WORKLOAD, makeResults, okTarget } from './report-builder.js';
import { schemaErrors } from './validate-results.js';

/** The lines of a markdown section, from its heading to the next heading of the same or a higher level. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) return [];
  const level = heading.split(' ')[0].length;
  const end = lines.findIndex((l, i) => i > at && /^#+ /.test(l) && l.split(' ')[0].length <= level);
  return lines.slice(at, end < 0 ? undefined : end);
}

const svgs = (html: string) => [...html.matchAll(/<svg\b[\s\S]*?<\/svg>/g)].map((m) => m[0]);
const chartIds = (html: string) => svgs(html).map((s) => /id="chart-([a-z]+)"/.exec(s)?.[1]);
const chart = (html: string, id: string) => svgs(html).find((s) => s.startsWith(`<svg id="chart-${id}"`)) ?? '';

const KiB = 1024;
const MiB = 1024 * 1024;
const GiB = 1024 ** 3;

/** A row with a warm loop of constant samples, split into instantiate and run when given. */
function warmRow(variant: string, medianMs: number, split?: { instantiate: number; run: number }): TargetResult {
  const t = okTarget('wasmtime-embed', variant, [5, 5, 5], { artifact: 'tax-calculator/component', warm: computeStats([medianMs, medianMs, medianMs], { seed: 7 }) });
  if (t.status === 'ok' && t.warm.status === 'ok' && split) t.warm = { ...t.warm, instantiateMedianMs: split.instantiate, runMedianMs: split.run };
  return t;
}

const key = (id: string, variant: string, cls: 'wasm' | 'container' | 'native') => ({ workload: 'tax-calculator', id, variant, label: `${id} (${variant})`, class: cls });

/**
 * A run with three variants of one Wasm target (jit the default, aot, pooled), a container and a
 * native floor, with known density and burst figures: pooled costs 212 KiB per instance, the
 * container 1.9 MiB.
 */
function platformRun(): Results {
  const targets: TargetResult[] = [
    okTarget('native', 'static', [1, 1, 1], { artifact: 'tax-calculator/native' }),
    warmRow('jit', 0.52, { instantiate: 0.3, run: 0.2 }),
    { ...warmRow('aot', 0.4), defaultVariant: false },
    { ...warmRow('pooled', 0.045, { instantiate: 0.012, run: 0.03 }), defaultVariant: false },
    okTarget('docker', 'default', [300, 300, 300], { artifact: 'tax-calculator/image' }),
  ];
  const base = 20 * MiB;
  const density: DensityResult[] = [
    {
      ...key('wasmtime-embed', 'pooled', 'wasm'),
      status: 'ok',
      covers: 'the host process (test)',
      steps: [1, 8, 32, 128].map((n) => ({ instances: n, pssBytes: base + 212 * KiB * n, readyMs: n * 0.5 })),
      fit: { bytesPerInstance: 212 * KiB, interceptBytes: base, r2: 0.9912, points: 4 },
      perGiB: Math.floor(GiB / (212 * KiB)),
      stoppedBy: 'the last step',
    },
    {
      ...key('docker', 'default', 'container'),
      status: 'ok',
      covers: 'dockerd, containerd, every shim and container (test)',
      steps: [1, 8, 32].map((n) => ({ instances: n, pssBytes: 80 * MiB + 1.9 * MiB * n, readyMs: n * 100 })),
      fit: { bytesPerInstance: 1.9 * MiB, interceptBytes: 80 * MiB, r2: 0.98, points: 3 },
      perGiB: Math.floor(GiB / (1.9 * MiB)),
      stoppedBy: 'the time cap (60 s)',
    },
    { ...key('wasmtime-embed', 'jit', 'wasm'), status: 'skipped', reason: 'the variant cannot park its instances (test)', steps: [] },
    { ...key('native', 'static', 'native'), status: 'errored', reason: 'park timed out at N=128', steps: [{ instances: 1, pssBytes: 300 * KiB, readyMs: 2 }] },
  ];
  const burst: BurstResult[] = [
    {
      ...key('wasmtime-embed', 'pooled', 'wasm'),
      status: 'ok',
      steps: [
        { k: 1, mode: 'one store per request', clock: 'runtime', latenciesMs: [2.5], failures: [], p50Ms: 2.5, p99Ms: 2.5, maxMs: 2.5, wallMs: 2.6, startsPerSec: 1 / 0.0026 },
        { k: 8, mode: 'one store per request', clock: 'runtime', latenciesMs: [3, 4, 5, 6, 7, 8, 9, 41], failures: [], p50Ms: 6, p99Ms: 41, maxMs: 41, wallMs: 41.5, startsPerSec: 8 / 0.0415 },
      ],
    },
    {
      ...key('docker', 'default', 'container'),
      status: 'ok',
      steps: [
        {
          k: 8,
          mode: 'K containers through the Engine API',
          clock: 'harness',
          latenciesMs: [900, 1000, 1100, 1200, 1300, 1400, 2300],
          failures: [{ index: 5, detail: 'killed at the time limit (10 s)\nstderr: nothing' }],
          p50Ms: 1200,
          p99Ms: 2300,
          maxMs: 2300,
          wallMs: 2310,
          startsPerSec: 7 / 2.31,
        },
      ],
    },
    { ...key('wasmtime-embed', 'jit', 'wasm'), status: 'n/a', reason: 'the host serves bursts only pooled (test)', steps: [] },
  ];
  return makeResults(targets, [], { density, burst });
}

describe('the Plugin platform section', () => {
  const r = platformRun();
  const md = renderMarkdown(r);

  it('is built from a schema-valid Results', () => {
    expect(schemaErrors(r)).toEqual([]);
  });

  it('comes after the warm section, before memory', () => {
    const heads = md.split('\n').filter((l) => l.startsWith('## '));
    expect(heads.slice(heads.indexOf('## Warm per-request latency'), heads.indexOf('## Memory') + 1)).toEqual(['## Warm per-request latency', '## Plugin platform', '## Memory']);
  });

  it('sets every variant with a warm loop against its target\'s default variant, split into instantiate and run', () => {
    const s = section(md, "### Per-request latency, each variant against its target's default");
    expect(s.slice(2, 7)).toEqual([
      '| target | variant | label | mode | median | instantiate (median) | run (median) | × the default variant |',
      '|---|---|---|---|---:|---:|---:|---:|',
      '| wasmtime-embed | jit | wasmtime-embed (jit) | test loop | 520 µs | 300 µs | 200 µs | 1× (the default) |',
      '| wasmtime-embed | aot | wasmtime-embed (aot) | test loop | 400 µs | – | – | 0.769× (jit: 520 µs) |',
      '| wasmtime-embed | pooled | wasmtime-embed (pooled) | test loop | 45.0 µs | 12.0 µs | 30.0 µs | 0.0865× (jit: 520 µs) |',
    ]);
    // No warm loop (a container): no row.
    expect(s.join('\n')).not.toContain('| docker |');
  });

  it('gives density per variant: the slope in KiB/MiB, the fit, instances per GiB, the steps, and why a row has none', () => {
    const s = section(md, '### Density: live, isolated instances per GiB');
    expect(s.slice(2, 8)).toEqual([
      '| target | variant | per instance (slope) | fit | per GiB | steps (N → PSS) | intercept (fit at 0) | covers | stopped by |',
      '|---|---|---:|---|---:|---|---:|---|---|',
      '| wasmtime-embed | pooled | 212 KiB | r² 0.991, 4 points | 4,946 | 1 → 20.2 MiB, 8 → 21.7 MiB, 32 → 26.6 MiB, 128 → 46.5 MiB | 20.0 MiB | the host process (test) | the last step |',
      '| docker | default | 1.90 MiB | r² 0.98, 3 points | 538 | 1 → 81.9 MiB, 8 → 95.2 MiB, 32 → 141 MiB | 80.0 MiB | dockerd, containerd, every shim and container (test) | the time cap (60 s) |',
      '| wasmtime-embed | jit | **skipped**: the variant cannot park its instances (test) | | | – | – | – | – |',
      '| native | static | **errored**: park timed out at N=128 | | | 1 → 300 KiB | – | – | – |',
    ]);
  });

  it('gives every burst: p50, p99, max, wall, starts/s and failures with the first one\'s detail; a row that did not run says why', () => {
    const s = section(md, '### Burst: K simultaneous cold starts');
    expect(s.slice(2, 8)).toEqual([
      '| target | variant | K | mode | clock | p50 | p99 | max | wall | starts/s | failures |',
      '|---|---|---:|---|---|---:|---:|---:|---:|---:|---|',
      '| wasmtime-embed | pooled | 1 | one store per request | runtime | 2.50 ms | 2.50 ms | 2.50 ms | 2.60 ms | 385 | none |',
      '| wasmtime-embed | pooled | 8 | one store per request | runtime | 6.00 ms | 41.0 ms | 41.0 ms | 41.5 ms | 193 | none |',
      '| docker | default | 8 | K containers through the Engine API | harness | 1.20 s | 2.30 s | 2.30 s | 2.31 s | 3.03 | **1 of 8 failed; first (#5): killed at the time limit (10 s)** |',
      '| wasmtime-embed | jit | **n/a**: the host serves bursts only pooled (test) | | | | | | | | |',
    ]);
  });

  const SENTENCES = [
    "Per request: wasmtime-embed (pooled) serves each request on a fresh instance in 45.0 µs (median; instantiate 12.0 µs, run 30.0 µs), 11.6× faster than its target's default configuration, wasmtime-embed (jit), at 520 µs.",
    'Density: wasmtime-embed (pooled) costs 212 KiB per parked instance (r² 0.991, 4 steps), about 4,900 per GiB; docker (default) costs 1.90 MiB per parked container (r² 0.98, 3 steps), about 540 per GiB — 9.2× denser.',
    'Surge: 8 simultaneous cold starts on wasmtime-embed (pooled): p99 41.0 ms, 193 starts/s; on docker (default): p99 2.30 s, 3.03 starts/s, 1 of 8 failed.',
  ];

  it('says each result in one quotable sentence with its numbers', () => {
    expect(platformSentences(r).map((x) => x.text)).toEqual(SENTENCES);
    expect(section(md, '### In one sentence each').slice(2, 5)).toEqual(SENTENCES.map((x) => `- ${x}`));
  });

  it('puts the sentences beside the common claims about Wasm and in the decision record', () => {
    const claims = section(md, '## Common claims about Wasm vs measured');
    for (const x of SENTENCES) expect(claims).toContain(`- ${x}`);
    const criteria = evaluateCriteria(r, loadCriteria(JSON.stringify({ title: 'Plugins', criteria: [{ kind: 'speedup-over-docker', target: 'wasmtime-embed', variant: 'aot', minSpeedup: 10 }] })));
    const withDecision = renderMarkdown(r, { criteria });
    const evidence = section(withDecision, '### Evidence');
    for (const x of SENTENCES) expect(evidence).toContain(`- ${x}`);
  });

  it('prints the sentences under the terminal summary', () => {
    expect(summaryTable(r).split('\n').slice(-3)).toEqual(SENTENCES);
  });

  it('exports density and each burst\'s p99 for github-action-benchmark and Bencher', () => {
    const gab = toGithubActionBenchmark(r);
    expect(gab.filter((e) => /^(density|burst) /.test(e.name))).toEqual([
      { name: 'density wasmtime-embed/pooled', unit: 'bytes per instance', value: 212 * KiB, extra: 'r² 0.991, 4 points; about 4,900 per GiB; the host process (test)' },
      { name: 'density docker/default', unit: 'bytes per instance', value: 1.9 * MiB, extra: 'r² 0.98, 3 points; about 540 per GiB; dockerd, containerd, every shim and container (test)' },
      { name: 'burst p99 wasmtime-embed/pooled K=1', unit: 'ms', value: 2.5, extra: 'p50 2.50 ms; max 2.50 ms; wall 2.60 ms; 385 starts/s; failures: none' },
      { name: 'burst p99 wasmtime-embed/pooled K=8', unit: 'ms', value: 41, extra: 'p50 6.00 ms; max 41.0 ms; wall 41.5 ms; 193 starts/s; failures: none' },
      { name: 'burst p99 docker/default K=8', unit: 'ms', value: 2300, extra: 'p50 1200 ms; max 2300 ms; wall 2310 ms; 3.03 starts/s; failures: 1 of 8 failed' },
    ]);
    const bmf = toBencherBmf(r);
    expect(bmf['density wasmtime-embed/pooled']).toEqual({ 'bytes-per-instance': { value: 212 * KiB } });
    expect(bmf['burst docker/default K=8']).toEqual({ latency: { value: 2300e6, lower_value: 1200e6, upper_value: 2300e6 }, throughput: { value: 7 / 2.31 } });
    expect(Object.keys(bmf).filter((k) => /jit|native/.test(k) && /^(density|burst) /.test(k))).toEqual([]);
  });

  it('leaves out a sentence whose numbers are missing', () => {
    const noSplit = platformRun();
    noSplit.density = noSplit.density!.filter((d) => d.class !== 'container');
    noSplit.burst = noSplit.burst!.map((b) => (b.status === 'ok' ? { ...b, steps: b.steps.map((s) => ({ ...s, latenciesMs: [], p50Ms: null, p99Ms: null, maxMs: null, startsPerSec: 0 })) } : b));
    expect(platformSentences(noSplit).map((x) => x.kind)).toEqual(['warm', 'density']);
    expect(platformSentences(noSplit)[1].text).toBe('Density: wasmtime-embed (pooled) costs 212 KiB per parked instance (r² 0.991, 4 steps), about 4,900 per GiB.');
  });

  it('draws the three charts in the HTML, each with its numbers', () => {
    const html = renderHtml(r);
    expect(chartIds(html)).toEqual(['coldstart', 'sizes', 'phases', 'warm', 'density', 'burst', 'capabilities']);
    const [warm, density, burst] = ['warm', 'density', 'burst'].map((id) => chart(html, id));
    // Stacked on the two split rows: instantiate, run and the rest of the median (jit 0.52 − 0.5, pooled 0.045 − 0.042); aot is one bar.
    expect((warm.match(/class="seg"/g) ?? []).length).toBe(6);
    expect((warm.match(/class="bar"/g) ?? []).length).toBe(1);
    expect(warm).toContain('wasmtime-embed/pooled instantiate median: 12.0 µs');
    expect(warm).toContain('>45.0 µs · 0.0865× jit</text>');
    expect(density).toContain('Live, isolated instances per GiB, per variant (linear scale)');
    expect(density).toContain('>4,946 per GiB (212 KiB each)</text>');
    expect(density).toContain('>skipped: the variant cannot park its instances (test)</text>');
    expect(burst).toContain('>p99 41.0 ms, max 41.0 ms</text>');
    expect(burst).toContain('>3.03 starts/s, wall 2.31 s</text>');
    expect((burst.match(/class="dot"/g) ?? []).length).toBe(1 + 8 + 7);
    expect(burst).toContain('>n/a: the host serves bursts only pooled (test)</text>');
    expect(html).toContain('<details><summary>Numbers behind this chart</summary>');
    expect(html).not.toMatch(/https?:|<script|\bsrc=|\bhref=/i);
  });

  it('quotes a surge at the largest K both the Wasm and the container row answered at', () => {
    const more = platformRun();
    const pooled = more.burst!.find((b) => b.variant === 'pooled')!;
    pooled.steps.push({ k: 32, mode: 'one store per request', clock: 'runtime', latenciesMs: Array.from({ length: 32 }, (_, i) => i + 1), failures: [], p50Ms: 16, p99Ms: 32, maxMs: 32, wallMs: 33, startsPerSec: 32 / 0.033 });
    expect(platformSentences(more).find((x) => x.kind === 'burst')!.text).toBe(SENTENCES[2]);
    more.burst = more.burst!.filter((b) => b.class !== 'container');
    expect(platformSentences(more).find((x) => x.kind === 'burst')!.text).toBe('Surge: 32 simultaneous cold starts on wasmtime-embed (pooled): p99 32.0 ms, 970 starts/s.');
  });

  it('names the density and burst steps in the timeline', () => {
    const timed = { ...platformRun(), timeline: { build: 1000, calibration: 500, coldStart: 60_000, warm: 2000, density: 45_000, burst: 12_000, probes: 3000, crossCheck: 0, footprint: 4000, reports: 100, total: 127_600 } };
    expect(renderMarkdown(timed)).toContain("- The bench's own timeline: 128 s in all — build 1.00 s, calibration 500 ms, cold start 60.0 s, warm 2.00 s, density 45.0 s, burst 12.0 s, probes 3.00 s, cross-check 0 ms, footprint 4.00 s, reports 100 ms.");
    expect(timelineLine(timed)).toBe('timeline: 128 s in all — build 1.0 s, calibration 0.5 s, cold start 60 s, warm 2.0 s, density 45 s, burst 12 s, probes 3.0 s, cross-check 0.0 s, footprint 4.0 s, reports 0.1 s');
  });

  it('draws instances per GiB on a log axis when they differ by more than 20×', () => {
    const wide = platformRun();
    const d = wide.density!.find((x) => x.class === 'container' && x.status === 'ok')!;
    if (d.status !== 'ok') throw new Error('fixture');
    d.fit = { ...d.fit, bytesPerInstance: 50 * MiB };
    d.perGiB = GiB / (50 * MiB);
    const density = chart(renderHtml(wide), 'density');
    expect(density).toContain('per variant (log scale)');
    expect(density).toContain('class="grid-major"');
  });
});

describe('a run of two workloads', () => {
  const r = cVsJs();
  r.density = [
    { workload: 'tax-calculator', id: 'wasmtime-embed', variant: 'aot', label: 'wasmtime-embed (aot)', class: 'wasm', status: 'ok', covers: 'the host process', steps: [1, 8].map((n) => ({ instances: n, pssBytes: 10 * MiB + n * 300 * KiB, readyMs: n })), fit: { bytesPerInstance: 300 * KiB, interceptBytes: 10 * MiB, r2: 1, points: 2 }, perGiB: Math.floor(GiB / (300 * KiB)), stoppedBy: 'the last step' },
    { workload: JS_WORKLOAD, id: 'wasmtime-embed', variant: 'aot', label: 'wasmtime-embed (aot)', class: 'wasm', status: 'ok', covers: 'the host process', steps: [1, 8, 32].map((n) => ({ instances: n, pssBytes: 40 * MiB + n * 30 * MiB, readyMs: n * 20 })), fit: { bytesPerInstance: 30 * MiB, interceptBytes: 40 * MiB, r2: 1, points: 3 }, perGiB: Math.floor(GiB / (30 * MiB)), stoppedBy: 'the memory cap (4 GiB)' },
  ];
  r.burst = [];

  it('says which workload each sentence is about, and keys the rows with it', () => {
    expect(platformSentences(r).map((x) => x.text)).toEqual([
      'Density (tax-calculator, C): wasmtime-embed (aot) costs 300 KiB per parked instance (r² 1, 2 steps), about 3,500 per GiB.',
      'Density (tax-calculator-js, JavaScript): wasmtime-embed (aot) costs 30.0 MiB per parked instance (r² 1, 3 steps), about 34 per GiB.',
    ]);
    const md = renderMarkdown(r);
    expect(section(md, '### Density: live, isolated instances per GiB')[4]).toBe('| tax-calculator | wasmtime-embed | aot | 300 KiB | r² 1, 2 points | 3,495 | 1 → 10.3 MiB, 8 → 12.3 MiB | 10.0 MiB | the host process | the last step |');
    expect(section(md, '### Burst: K simultaneous cold starts')[2]).toBe('The burst step ran but measured no variant.');
  });

  it('groups the density chart by workload, on a log axis (3,495 against 34 per GiB)', () => {
    const html = renderHtml(r);
    // The burst step ran with no rows: its table says so and there is no chart to draw.
    expect(chartIds(html)).toEqual(['coldstart', 'sizes', 'phases', 'warm', 'density', 'capabilities']);
    const density = chart(html, 'density');
    expect(density).toContain('>workload tax-calculator-js (JavaScript)</text>');
    expect(density).toContain('(log scale)');
    // No variant of this run has a warm loop: the warm chart says so.
    expect(chart(html, 'warm')).toContain('no warm-loop figures in this run');
  });
});

describe('a run without density or burst rows', () => {
  it('says they were not measured, for an old results file, and draws no plugin-platform chart', () => {
    const old = fixture();
    const md = renderMarkdown(old);
    expect(section(md, '### Density: live, isolated instances per GiB')[2]).toBe('Not measured in this run: results.json has no density rows (a run from before the step existed, or one interrupted before it).');
    expect(section(md, '### Burst: K simultaneous cold starts')[2]).toBe('Not measured in this run: results.json has no burst rows (a run from before the step existed, or one interrupted before it).');
    expect(chartIds(renderHtml(old))).toEqual(['coldstart', 'sizes', 'phases', 'capabilities']);
    expect(summaryTable(old)).not.toContain('Density');
    expect(toGithubActionBenchmark(old).filter((e) => /^(density|burst) /.test(e.name))).toEqual([]);
  });

  it('says a --quick run left the steps out, and how to run them', () => {
    const r = { ...fixture(), density: null, burst: null };
    r.options = { ...r.options, quick: true, density: null, burst: { ks: [], timeoutMs: 30_000, budgetMs: null } };
    const md = renderMarkdown(r);
    expect(section(md, '### Density: live, isolated instances per GiB')[2]).toBe('Not run: --quick leaves it out; `wvc bench --density` runs it.');
    expect(section(md, '### Burst: K simultaneous cold starts')[2]).toBe('Not run: --quick leaves it out; `wvc bench --burst 1,8,32` runs it.');
  });

  it('treats null as not measured too', () => {
    const r = { ...platformRun(), density: null, burst: null };
    const md = renderMarkdown(r);
    expect(md).toContain('results.json has no density rows');
    expect(md).toContain('results.json has no burst rows');
    expect(platformSentences(r).map((x) => x.kind)).toEqual(['warm']);
    // The warm split is still a plugin-platform measurement: its chart stays.
    expect(chartIds(renderHtml(r))).toContain('warm');
  });
});

const exec = promisify(execFile);
const CHROMIUM = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].find((p): p is string => !!p && existsSync(p));

describe.skipIf(!CHROMIUM)('the plugin-platform charts in Chromium', () => {
  it('parse as SVG in the page', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-platform-'));
    try {
      const page = path.join(dir, 'report.html');
      await writeFile(page, renderHtml(platformRun()));
      const profile = path.join(dir, 'profile');
      const { stdout } = await exec(
        CHROMIUM!,
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', `file://${page}`],
        { timeout: 120_000, maxBuffer: 64 << 20 },
      );
      for (const id of ['chart-warm', 'chart-density', 'chart-burst']) expect(stdout).toContain(`<title id="${id}-title">`);
      expect(stdout).toContain('<h2 id="plugin-platform">Plugin platform</h2>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
