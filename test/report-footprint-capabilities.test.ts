import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { evaluateClaims } from '../harness/report/claims.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { fixture, makeResults } from './report-builder.js';
import { schemaErrors } from './validate-results.js';

/** The sample run plus footprint and capability data in the shapes harness/measure/footprint.ts and capabilities.ts produce. */
function enriched(): Results {
  const r = fixture() as unknown as Record<string, unknown>;
  r.footprint = {
    artifacts: [{ id: 'component-cwasm', kind: 'file', bytes: 194816, gzipBytes: 61000, brotliBytes: 50000, brotliQuality: 11, sha256: 'b'.repeat(64) }],
    images: [{ id: 'image-scratch', tag: 'wvc/tax-calculator:9a12', imageBytes: 46736, saveTarBytes: 56320, saveGzipBytes: 21000, saveBrotliBytes: 19000, brotliQuality: 11, layers: 1 }],
    rollout: [{ id: 'docker-load', label: 'docker load (scratch)', what: 'docker load of the saved image', unit: 'ms', samples: [300, 310, 320, 330, 340], median: 320 }],
    runtimes: [{ name: 'libwasmtime + host', files: [{ path: '/x/libwasmtime.so', bytes: 30000000 }], totalBytes: 30028168, missing: [] }],
    notes: ['brotli at quality 11'],
  };
  r.capabilities = {
    probes: ['fs-read-outside', 'net-connect', 'mem-bomb'],
    rows: [
      { id: 'wasmtime-embed', target: 'wasmtime-embed', variant: 'aot', label: 'x', limits: '', denialNamesCapability: true, cells: [{ probe: 'fs-read-outside', outcome: 'denied' }, { probe: 'net-connect', outcome: 'absent' }, { probe: 'mem-bomb', outcome: 'contained' }] },
      { id: 'docker-default', target: 'docker', variant: 'default', label: 'd', limits: '', denialNamesCapability: true, cells: [{ probe: 'fs-read-outside', outcome: 'denied' }, { probe: 'net-connect', outcome: 'allowed' }] },
      { id: 'wasmtime', target: 'wasmtime', variant: 'jit-cache-off', label: 'w', limits: '', denialNamesCapability: null, skipped: { reason: 'wasmtime CLI not on PATH', hint: 'install it' }, cells: [] },
    ],
    notes: [],
  };
  return r as unknown as Results;
}

describe('footprint and capability sections with data', () => {
  const md = renderMarkdown(enriched());
  const lines = md.split('\n');
  // The summary's footprint table: artifact, raw, gzip, peak memory, probes.
  const summary = lines.slice(lines.indexOf('### Footprint'));
  const row = (prefix: string) => summary.find((l) => l.startsWith(prefix));

  it('starts from a footprint the current schema accepts', () => {
    expect(schemaErrors(makeResults([], [], { footprint: enriched().footprint }))).toEqual([]);
  });

  it('renders gzip sizes in the summary from the footprint', () => {
    expect(row('| wasmtime-embed | aot |')).toContain('| component-cwasm | 190 KiB | 59.6 KiB |');
    // An image's gzip is that of its docker save tar.
    expect(row('| docker | default |')).toContain('| image-scratch | 45.6 KiB | 20.5 KiB |');
  });

  it('renders footprint tables', () => {
    expect(lines).toContain('| component-cwasm | file | 190 KiB (194,816 B) | 59.6 KiB (61,000 B) | 48.8 KiB (50,000 B) q11 | – |');
    expect(lines).toContain('| image-scratch | `wvc/tax-calculator:9a12` | 45.6 KiB (46,736 B) | 55.0 KiB (56,320 B) | 20.5 KiB (21,000 B) | 18.6 KiB (19,000 B), q11 | 1 |');
    expect(lines).toContain('| docker load (scratch) | docker load of the saved image | 320 ms | 5 | – |');
    expect(lines).toContain('| libwasmtime + host | 28.6 MiB (30,028,168 B) | 1 | – |');
    expect(md).not.toContain('## Footprint and rollout cost\n\nNot measured in this run.');
  });

  it('renders the capability matrix, probe counts and skipped rows', () => {
    expect(lines).toContain('| target/variant | probed by | fs-read-outside | net-connect | mem-bomb |');
    expect(lines).toContain("| wasmtime-embed/aot | the workload's own probe mode | denied | absent | contained |");
    expect(lines).toContain("| docker/default | the workload's own probe mode | denied | **ALLOWED** | – |");
    expect(row('| wasmtime-embed | aot |')).toMatch(/\| 3\/3 \|$/);
    expect(row('| docker | default |')).toMatch(/\| 1\/2 \|$/);
    expect(lines).toContain('- wasmtime/jit-cache-off not probed: wasmtime CLI not on PATH — install it');
  });

  it('judges the sandbox claim only on Wasm targets and file/network probes', () => {
    const c = evaluateClaims(enriched()).find((x) => x.id === 'sandbox-default')!;
    expect(c.verdict).toBe('holds');
    expect(c.measured).toBe('2 of 2 file/network probes denied on 1 Wasm configuration');
  });
});
