import { describe, expect, it } from 'vitest';
import { LEGACY_CACHE_STATE, LEGACY_TARGET_INFO, legacyRowFacts } from '../harness/legacy.js';
import type { Results } from '../harness/model.js';
import { assertResults, splitLegacyName, unsupportedVersion, upgradeV1, upgradeV2 } from '../harness/report/load.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { cVsJs, rawFixture } from './report-builder.js';
import { schemaErrors, schemaErrorsV1, schemaErrorsV2 } from './validate-results.js';

/** The message assertResults throws for `doc`, or 'no error'. */
const messageOf = (doc: unknown, where = 'r.json'): string => {
  try {
    assertResults(doc, where);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

const EXPECTED = '{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}\n';

describe('loading results.json of schemaVersion 1', () => {
  it('derives the workload slug and language from the old name', () => {
    expect(splitLegacyName('tax-calculator (C)')).toEqual({ name: 'tax-calculator', language: 'C' });
    expect(splitLegacyName('Tax Calculator')).toEqual({ name: 'tax-calculator', language: 'unknown' });
  });

  it('upgrades in memory: workload → workloads[0], every row and capability row of that workload, artifact ids kept', () => {
    const raw = rawFixture('results-probes.json');
    expect(schemaErrorsV1(raw)).toEqual([]);
    const before = JSON.stringify(raw);
    const r = assertResults(raw, 'results-probes.json');
    expect(JSON.stringify(raw)).toBe(before);
    expect(r.schemaVersion).toBe(3);
    expect('workload' in r).toBe(false);
    expect(r.workloads).toEqual([
      {
        name: 'tax-calculator',
        language: 'C',
        description: '',
        manifest: '',
        manifestSha256: '',
        args: ['--postal-code=10001', '--subtotal=125.00'],
        expectedStdout: EXPECTED,
        notApplicable: [],
        baselines: { floor: 'native/static', container: 'docker/default' },
      },
    ]);
    expect(new Set(r.targets.map((t) => t.workload))).toEqual(new Set(['tax-calculator']));
    expect(new Set(r.capabilities!.rows.map((x) => x.workload))).toEqual(new Set(['tax-calculator']));
    expect(r.artifacts.map((a) => a.id)).toContain('image-debian');
    expect(r.targets.find((t) => t.id === 'docker' && t.variant === 'debian')?.artifact?.id).toBe('image-debian');
  });

  it('fills in what the targets declare today, from the legacy tables', () => {
    const r = assertResults(rawFixture('results-probes.json'), 'x');
    const facts = r.targets.map((t) => [`${t.id}/${t.variant}`, t.class, t.defaultVariant, t.baseline, t.exitCodes]);
    expect(facts).toEqual([
      ['native/static', 'native', true, 'floor', 'exact'],
      ['node-wasi/default', 'wasm', true, null, 'exact'],
      ['jco/sandboxed', 'wasm', true, null, 'ok-err'],
      ['wasmtime-embed/jit', 'wasm', true, null, 'ok-err'],
      ['wasmtime-embed/aot', 'wasm', false, null, 'ok-err'],
      ['wasmtime/jit-cache-off,precompiled', 'wasm', true, null, 'ok-err'],
      ['docker/default', 'container', true, 'container', 'exact'],
      ['docker/hardened', 'container', false, null, 'exact'],
      ['docker/debian', 'container', false, null, 'exact'],
    ]);
    const row = (id: string, variant: string) => r.targets.find((t) => t.id === id && t.variant === variant)!;
    expect(row('wasmtime-embed', 'aot').cacheState).toBe('deserializes the precompiled .cwasm; nothing is compiled at start');
    expect(row('docker', 'hardened').cacheState).toBe(LEGACY_CACHE_STATE['docker/*']);
    expect(row('wasmtime', 'jit-cache-off,precompiled').cacheState).toBe('not documented for this target');
    // The row's recorded phase source; the table's for a row that recorded none (skipped); none for native.
    expect(row('docker', 'default').phaseSource).toBe('Engine API call timings, plus the container State.StartedAt/FinishedAt');
    expect(row('native', 'static').phaseSource).toBeNull();
    expect(row('wasmtime', 'jit-cache-off,precompiled').phaseSource).toBeNull();
    expect(r.targets.every((t) => Array.isArray(t.notes) && t.notes.length === 0)).toBe(true);
    expect(r.environment.runtimes).toEqual({ docker: '20.10.24+dfsg1', 'wasmtime-embed': '49.0.0', wasmtime: null });
    expect('docker' in r.environment || 'wasmtime' in r.environment || 'wasmtimeCli' in r.environment).toBe(false);
    expect(r.targetInfo.map((t) => t.id)).toEqual(['native', 'node-wasi', 'jco', 'wasmtime-embed', 'wasmtime', 'docker']);
    expect(r.targetInfo.find((t) => t.id === 'docker')).toEqual({ id: 'docker', ...LEGACY_TARGET_INFO.docker });
    expect(r.targetInfo.find((t) => t.id === 'native')?.caveats).toEqual([]);
    expect(r.crossRatios).toEqual([]);
  });

  it('is a valid run of the current schema once upgraded', () => {
    for (const f of ['results-sample.json', 'results-probes.json']) expect(schemaErrors(assertResults(rawFixture(f), f)), f).toEqual([]);
  });

  it('is the same upgrade that upgradeV1 does', () => {
    expect(assertResults(rawFixture(), 'x')).toEqual(upgradeV1(rawFixture() as unknown as Parameters<typeof upgradeV1>[0]));
  });

  it('renders an upgraded run with its artifacts under their old ids', () => {
    const md = renderMarkdown(assertResults(rawFixture('results-probes.json'), 'x'));
    expect(md).toContain('| docker | debian | 283 ms (248–298) | 298 ms | 57.9× (36.7–62.6) | 0.982× (0.860–1.14) | n/a | 0/5 |');
    expect(md).toContain('| docker | debian | image-debian | 111 MiB | 47.4 MiB | 4.04 MiB | – |');
  });

  it('names a bad field of the old schema in one line', () => {
    const raw = rawFixture();
    delete (raw.workload as Record<string, unknown>).expectedStdout;
    expect(messageOf(raw)).toBe('r.json: workload: missing field expectedStdout');
  });
});

describe('loading results.json of schemaVersion 2', () => {
  // test/fixtures/results-v2.json: a real `wvc bench --quick` of both workloads by the harness at
  // schemaVersion 2 (git commit recorded), without a Docker engine, so the docker rows are skipped.
  it('upgrades a real run: its rows, workloads, environment and targets as the current model has them', () => {
    const raw = rawFixture('results-v2.json');
    expect(schemaErrorsV2(raw)).toEqual([]);
    const before = JSON.stringify(raw);
    const r = assertResults(raw, 'results-v2.json');
    expect(JSON.stringify(raw)).toBe(before);
    expect(schemaErrors(r)).toEqual([]);
    expect(r.schemaVersion).toBe(3);
    expect(r.workloads.map((w) => [w.name, w.baselines])).toEqual([
      ['tax-calculator', { floor: 'native/static', container: null }],
      ['tax-calculator-js', { floor: null, container: null }],
    ]);
    expect(r.targets.map((t) => [t.workload, `${t.id}/${t.variant}`, t.class, t.defaultVariant, t.baseline])).toEqual([
      ['tax-calculator', 'native/static', 'native', true, 'floor'],
      ['tax-calculator', 'node-wasi/default', 'wasm', true, null],
      ['tax-calculator', 'jco/sandboxed', 'wasm', true, null],
      ['tax-calculator', 'wasmtime-embed/jit', 'wasm', true, null],
      ['tax-calculator', 'wasmtime-embed/aot', 'wasm', false, null],
      ['tax-calculator', 'wasmtime/jit-cache-off,precompiled', 'wasm', true, null],
      ['tax-calculator', 'docker/default,hardened,debian', 'container', true, null],
      ['tax-calculator-js', 'node/default', 'script', true, null],
      ['tax-calculator-js', 'jco/sandboxed', 'wasm', true, null],
      ['tax-calculator-js', 'wasmtime-embed/jit', 'wasm', true, null],
      ['tax-calculator-js', 'wasmtime-embed/aot', 'wasm', false, null],
      ['tax-calculator-js', 'wasmtime/jit-cache-off,precompiled', 'wasm', true, null],
      ['tax-calculator-js', 'docker/default,hardened,debian', 'container', true, null],
    ]);
    const jsNode = r.targets.find((t) => t.workload === 'tax-calculator-js' && t.id === 'node')!;
    expect([jsNode.cacheState, jsNode.exitCodes, jsNode.phaseSource]).toEqual(['Node compiles the script on every run (no V8 code cache)', 'exact', null]);
    const jit = r.targets.find((t) => t.id === 'wasmtime-embed' && t.variant === 'jit')!;
    expect([jit.exitCodes, jit.phaseSource]).toEqual(['ok-err', 'reported by the embedding host (engine, load or compile, instantiate, run)']);
    expect(r.environment.runtimes).toEqual({ docker: null, 'wasmtime-embed': '49.0.0', wasmtime: null });
    expect(r.targetInfo.map((t) => t.id)).toEqual(['native', 'node', 'node-wasi', 'jco', 'wasmtime-embed', 'wasmtime', 'docker']);
    expect(r.targetInfo.find((t) => t.id === 'node-wasi')?.caveats[0]).toMatch(/^node:wasi is not a security sandbox\./);
    expect(r.crossRatios).toEqual([]);
    expect(assertResults(raw, 'x')).toEqual(upgradeV2(raw as unknown as Parameters<typeof upgradeV2>[0]));
  });

  it('renders the upgraded run', () => {
    const md = renderMarkdown(assertResults(rawFixture('results-v2.json'), 'x'));
    expect(md).toContain('tax-calculator-js');
  });

  it('names a bad field of the old schema in one line', () => {
    const raw = rawFixture('results-v2.json') as { targets: Record<string, unknown>[] };
    delete raw.targets[2].workload;
    expect(messageOf(raw)).toBe('r.json: targets[2]: missing field workload');
  });
});

describe('loading results.json of schemaVersion 3', () => {
  it('returns the document as it is', () => {
    const r = cVsJs();
    expect(schemaErrors(r)).toEqual([]);
    expect(assertResults(r, 'x')).toBe(r);
  });

  it('names a missing or wrong field in one line', () => {
    const cases: [(r: Record<string, unknown> & Results) => void, string][] = [
      [(r) => delete (r as Partial<Results>).workloads, 'r.json: missing field workloads'],
      [(r) => delete (r.targets[2] as Partial<Results['targets'][number]>).workload, 'r.json: targets[2]: missing field workload'],
      [(r) => delete (r.targets[0] as Partial<Results['targets'][number]>).class, 'r.json: targets[0]: missing field class'],
      [(r) => delete (r as Partial<Results>).crossRatios, 'r.json: missing field crossRatios'],
      [(r) => delete (r.workloads[1] as Partial<Results['workloads'][number]>).baselines, 'r.json: workloads[1]: missing field baselines'],
      [(r) => delete (r.environment as Partial<Results['environment']>).runtimes, 'r.json: environment: missing field runtimes'],
      [(r) => ((r.targets[0] as { class: string }).class = 'vm'), 'r.json: targets[0].class: must be one of "native", "script", "wasm", "container", got "vm"'],
      [(r) => ((r.targets[1] as { exitCodes: string }).exitCodes = 'exact-ish'), 'r.json: targets[1].exitCodes: must be one of "exact", "ok-err", got "exact-ish"'],
      [(r) => ((r.environment.runtimes as Record<string, unknown>).docker = 27), 'r.json: environment.runtimes.docker: must be a string or null, got 27'],
      [(r) => ((r.targets[0] as { coldStart: { stats: unknown } }).coldStart.stats = null), 'r.json: targets[0].coldStart.stats: must be the statistics of the successful samples in an ok row, got null'],
      [(r) => ((r.targets[0] as { coldStart: { stats: { n?: number } } }).coldStart.stats.n = 0), 'r.json: targets[0].coldStart.stats.n: must be ≥ 1, got 0'],
      [(r) => ((r.targets[0] as { vsNative: unknown }).vsNative = { ratio: 1 }), 'r.json: targets[0].vsNative: missing field ci95'],
      [(r) => ((r.targetInfo[0] as { caveats: unknown }).caveats = 'none'), 'r.json: targetInfo[0].caveats: must be an array, got "none"'],
      [(r) => ((r as { seed: unknown }).seed = -1), 'r.json: seed: must be ≥ 0, got -1'],
    ];
    for (const [spoil, want] of cases) {
      const r = structuredClone(cVsJs()) as Record<string, unknown> & Results;
      spoil(r);
      const got = messageOf(r);
      expect(got).toBe(want);
    }
  });

  it('refuses what is not a results.json and a schemaVersion it does not know', () => {
    expect(messageOf([])).toBe('r.json: must be an object, got []');
    expect(messageOf({ runId: 'x' })).toBe('r.json: no schemaVersion field — is this a results.json written by `wvc bench`?');
    expect(messageOf({ ...cVsJs(), schemaVersion: 4 })).toBe('r.json: schemaVersion 4 is not supported by this harness (it reads 1, 2 and 3)');
    expect(unsupportedVersion('x', 0)).toBe('x: schemaVersion 0 is not supported by this harness (it reads 1, 2 and 3)');
  });
});

describe('the legacy tables', () => {
  it('derive a row by the old id rules', () => {
    expect(legacyRowFacts({ id: 'node', variant: 'default' })).toMatchObject({ class: 'script', baseline: null, exitCodes: 'exact' });
    expect(legacyRowFacts({ id: 'mystery', variant: 'x' }, 'image')).toEqual({ class: 'container', baseline: null, phaseSource: null, cacheState: 'not documented for this target', exitCodes: 'exact' });
    expect(legacyRowFacts({ id: 'jco', variant: 'sandboxed' }, 'directory', 'recorded')).toMatchObject({ class: 'wasm', phaseSource: 'recorded', exitCodes: 'ok-err' });
  });
});
