import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateClaims } from '../harness/report/claims.js';
import { evaluateCriteria, loadCriteria } from '../harness/report/criteria.js';
import { renderHtml } from '../harness/report/html.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { fixture, rawFixture } from './report-builder.js';
import { ROOT } from './support.js';
import { schemaErrorsV1 } from './validate-results.js';

// A real quick bench (schemaVersion 1) with the footprint and the capability matrix (docker
// default, hardened and Debian variants; jco's default shim as a probe-only row), as the reports load it.
const run = () => fixture('results-probes.json');

describe('reports of a run with capability probes and a footprint', () => {
  it('starts from a results.json valid against its schemaVersion 1 schema', () => {
    expect(schemaErrorsV1(rawFixture('results-probes.json'))).toEqual([]);
  });

  it('meets every example criterion, the sandbox probes included', () => {
    const res = evaluateCriteria(run(), loadCriteria(readFileSync(path.join(ROOT, 'examples', 'criteria.tax-calculator.json'), 'utf8')));
    expect(res.criteria.map((c) => [c.id, c.status])).toEqual([
      ['C1', 'PASS'],
      ['C2', 'PASS'],
      ['C3', 'PASS'],
      ['C4', 'PASS'],
      ['C5', 'PASS'],
    ]);
    expect(res.criteria[2].measured).toBe('component-cwasm 74.9 KiB gzip (76,741 B)');
    expect(res.criteria[4].measured).toBe('5 of 5 denied');
    expect(res.decision).toBe('Criteria met: all 5 pass.');
  });

  it('judges the sandbox claim from the Wasm rows', () => {
    const c = evaluateClaims(run()).find((x) => x.id === 'sandbox-default')!;
    expect(c.verdict).toBe('holds only partly');
    expect(c.measured).toBe('14 of 16 file/network probes denied on 4 Wasm configurations');
    expect(c.why).toBe('not denied: node-wasi/default fs-write-granted allowed, jco/sandboxed fs-write-granted allowed (denied includes absent: no such interface).');
  });

  it('puts the matrix, the probe counts and the footprint in the markdown', () => {
    const lines = renderMarkdown(run()).split('\n');
    expect(lines).toContain("| wasmtime-embed/jit | the workload's own probe mode | denied | denied | denied | denied | absent | **ALLOWED** | **ALLOWED** | contained | contained |");
    const cold = lines.slice(lines.indexOf('### Cold start'));
    expect(cold.find((l) => l.startsWith('| docker | debian |'))).toBe('| docker | debian | 283 ms (248–298) | 298 ms | 57.9× (36.7–62.6) | 0.982× (0.860–1.14) | n/a | 0/5 |');
    const foot = lines.slice(lines.indexOf('### Footprint'));
    expect(foot.find((l) => l.startsWith('| docker | debian |'))).toBe('| docker | debian | image-debian | 111 MiB | 47.4 MiB | 4.04 MiB | – |');
    expect(lines).toContain('| image-debian | `wvc/tax-calculator-debian:cd576ef01a61` | 111 MiB (116,721,923 B) | 116 MiB (121,559,040 B) | 47.4 MiB (49,675,844 B) | – | 2 |');
    expect(lines).toContain('- wasmtime not probed: wasmtime CLI not on PATH — install the wasmtime CLI and put it on PATH, or set WASMTIME=/path/to/wasmtime (wasmtime-embed covers the engine without it)');
  });

  it('shows the evidence behind each cell and which denials name the capability', () => {
    const lines = renderMarkdown(run()).split('\n');
    expect(lines).toContain("| wasmtime-embed/jit | the workload's own probe mode | yes: errno text, trap message or OOM report | --max-memory 268435456 (store limiter), --fuel 3000000000 (JIT variant) |");
    expect(lines.some((l) => l.startsWith("| docker/hardened | the workload's own probe mode | **no: at least one denial is a bare kill or an opaque code** |"))).toBe(true);
    expect(lines).toContain('| target/variant | probed by | probe | outcome | what the guest or runtime reported | what the harness observed |');
    expect(lines.some((l) => l.startsWith(`| wasmtime-embed/jit | the workload's own probe mode | fs-read-outside | denied | result=error; errno 44 "No such file or directory"; fopen(target-path, "rb") failed |`))).toBe(true);
    expect(lines.some((l) => l.startsWith("| native/static | the workload's own probe mode | fs-read-outside | **ALLOWED** | result=ok; read the file |"))).toBe(true);
  });

  it('draws a heatmap cell per row and probe', () => {
    const svg = /<svg id="chart-capabilities"[\s\S]*?<\/svg>/.exec(renderHtml(run()))![0];
    expect((svg.match(/<rect [^>]*class="cap-(denied|allowed|other|none)"/g) ?? []).length).toBe(7 * 9);
  });
});
