import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { renderHtml } from '../harness/report/html.js';
import { fixture, wasmVsDocker } from './report-builder.js';

const CHARTS = ['coldstart', 'phases', 'sizes', 'capabilities'];

/** The `<svg …>…</svg>` elements of a page, in order. */
function svgs(html: string): string[] {
  return [...html.matchAll(/<svg\b[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

describe('renderHtml', () => {
  const html = renderHtml(fixture());

  it('is one self-contained file: no scripts, no external resources, no URLs at all', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|\bsrc=|\bhref=|url\(|@import/i);
  });

  it('draws the four charts, each with a heading, a title, axis labels with units and a table fallback', () => {
    const found = svgs(html);
    expect(found.map((s) => /id="chart-([a-z]+)"/.exec(s)?.[1])).toEqual(['coldstart', 'sizes', 'phases', 'capabilities']);
    for (const s of found) {
      expect(s).toMatch(/^<svg [^>]*role="img"[^>]*><title id="chart-[a-z]+-title">[^<]+<\/title>/);
      expect((s.match(/class="axis-label"/g) ?? []).length).toBeGreaterThanOrEqual(2);
    }
    for (const id of CHARTS) {
      const fig = new RegExp(`<figure class="figure" id="figure-${id}">\\n<h3 class="chart-heading">[^<]+</h3>\\n<svg[\\s\\S]*?</svg>[\\s\\S]*?<details><summary>Numbers behind this chart</summary>[\\s\\S]*?</details>\\n</figure>`);
      expect(html).toMatch(fig);
    }
    const [cold, sizes, phases] = found;
    expect(cold).toContain('>cold start per sample (ms, log scale)</text>');
    expect(sizes).toContain('>artifact size (bytes, log scale; kB = 1000 B, MB = 10⁶ B)</text>');
    expect(phases).toContain('>time (ms, medians; bar end = cold-start median)</text>');
  });

  it('plots every sample, a box per measured variant and the claim bands', () => {
    const cold = svgs(html)[0];
    // 6 measured variants × 5 samples.
    expect((cold.match(/<circle [^>]*class="dot"/g) ?? []).length).toBe(30);
    expect((cold.match(/class="box"/g) ?? []).length).toBe(6 + 1); // + the legend swatch
    expect(cold).toContain('claim: Wasm ~1–5 ms');
    expect(cold).toContain('claim: containers ~1–5 s');
    expect(cold).toContain('skipped: wasmtime CLI not on PATH');
  });

  it('shows an empty capability panel until probes exist, and a heatmap after', () => {
    expect(svgs(html)[3]).toContain('not measured in this run');
    const withCaps = { ...wasmVsDocker([2, 2, 2], [300, 300, 300]), capabilities: { probes: ['net-connect'], rows: [{ target: 'wasmtime-embed', variant: 'aot', cells: [{ probe: 'net-connect', outcome: 'absent' }] }, { target: 'docker', variant: 'default', cells: [{ probe: 'net-connect', outcome: 'allowed' }] }], notes: [] } } as unknown as Results;
    const caps = svgs(renderHtml(withCaps))[3];
    expect(caps).toContain('class="cap-denied"');
    expect(caps).toContain('class="cap-allowed"');
    expect(caps).not.toContain('not measured in this run');
  });

  it('escapes every text it prints', () => {
    const r = fixture();
    const t = r.targets.find((x) => x.status === 'skipped')!;
    (t as { reason: string }).reason = '<script>alert("x")</script> & more';
    r.workloads[0].name = 'tax <b>bold</b>';
    for (const x of r.targets) x.workload = r.workloads[0].name;
    const out = renderHtml(r);
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<b>bold');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(out).toContain('<title>wasm-vs-container: tax &lt;b&gt;bold&lt;/b&gt; (C) — run 20261124T142626Z-df26</title>');
  });

  it('balances its containers and is deterministic', () => {
    for (const tag of ['svg', 'table', 'details', 'figure', 'ul']) {
      expect((html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length, tag).toBe((html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length);
    }
    expect(renderHtml(fixture())).toBe(html);
  });
});
