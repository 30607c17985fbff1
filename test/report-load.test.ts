import { describe, expect, it } from 'vitest';
import { assertResults, splitLegacyName, upgradeV1 } from '../harness/report/load.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { cVsJs, rawFixture } from './report-builder.js';

describe('loading results.json of schemaVersion 1', () => {
  it('derives the workload slug and language from the old name', () => {
    expect(splitLegacyName('tax-calculator (C)')).toEqual({ name: 'tax-calculator', language: 'C' });
    expect(splitLegacyName('Tax Calculator')).toEqual({ name: 'tax-calculator', language: 'unknown' });
  });

  it('upgrades in memory: workload → workloads[0], every row and capability row of that workload, artifact ids kept', () => {
    const raw = rawFixture('results-probes.json');
    const before = JSON.stringify(raw);
    const r = assertResults(raw, 'results-probes.json');
    expect(JSON.stringify(raw)).toBe(before);
    expect(r.schemaVersion).toBe(2);
    expect('workload' in r).toBe(false);
    expect(r.workloads).toEqual([
      {
        name: 'tax-calculator',
        language: 'C',
        description: '',
        manifest: '',
        manifestSha256: '',
        args: ['--postal-code=10001', '--subtotal=125.00'],
        expectedStdout: '{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}\n',
        notApplicable: [],
      },
    ]);
    expect(new Set(r.targets.map((t) => t.workload))).toEqual(new Set(['tax-calculator']));
    expect(new Set(r.capabilities!.rows.map((x) => x.workload))).toEqual(new Set(['tax-calculator']));
    expect(r.artifacts.map((a) => a.id)).toContain('image-debian');
    expect(r.targets.find((t) => t.id === 'docker' && t.variant === 'debian')?.artifact?.id).toBe('image-debian');
  });

  it('is the same upgrade that upgradeV1 does', () => {
    expect(assertResults(rawFixture(), 'x')).toEqual(upgradeV1(rawFixture()));
  });

  it('renders an upgraded run with its artifacts under their old ids', () => {
    const md = renderMarkdown(assertResults(rawFixture('results-probes.json'), 'x'));
    expect(md).toContain('| docker | debian | 283 ms (248–298) | 298 ms | 57.9× (36.7–62.6) | 0.982× (0.860–1.14) | image-debian | 111 MiB | 47.4 MiB | 4.04 MiB | n/a | – | 0/5 |');
  });
});

describe('loading results.json of schemaVersion 2', () => {
  it('returns the document as it is', () => {
    const r = cVsJs();
    expect(assertResults(r, 'x')).toBe(r);
  });

  it('names a missing workloads list or a row without a workload in one line', () => {
    const { workloads: _w, ...noWorkloads } = cVsJs();
    expect(() => assertResults(noWorkloads, 'r.json')).toThrow('r.json: workloads must be an array, but is missing');
    const r = cVsJs() as unknown as { targets: Record<string, unknown>[] };
    delete r.targets[2].workload;
    expect(() => assertResults(r, 'r.json')).toThrow('r.json: targets[2].workload must be a string, but is missing');
  });

  it('refuses a schemaVersion it does not know', () => {
    expect(() => assertResults({ ...cVsJs(), schemaVersion: 3 }, 'r.json')).toThrow('r.json: schemaVersion 3 is not supported by this harness (it reads 1 and 2)');
  });
});
