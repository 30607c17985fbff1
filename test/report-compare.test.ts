import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { compareRuns, hasRegression, renderCompare } from '../harness/report/compare.js';
import { createRng } from '../harness/util/rng.js';
import { assertResults } from '../harness/report/load.js';
import { cVsJs, fixture, rawFixture } from './report-builder.js';

/** Every cold-start sample of every target multiplied by `k`. */
function scaled(r: Results, k: number): Results {
  const out = structuredClone(r);
  for (const t of out.targets) if ('coldStart' in t && t.coldStart) for (const s of t.coldStart.samples) s.ms *= k;
  return out;
}

/**
 * A same-machine rerun: each target's samples redrawn with replacement from its
 * own samples (seeded), i.e. new samples from the same distribution.
 */
function rerun(r: Results, seed: number): Results {
  const out = structuredClone(r);
  const rng = createRng(seed);
  for (const t of out.targets) {
    if (!('coldStart' in t) || !t.coldStart) continue;
    const pool = t.coldStart.samples.map((s) => s.ms);
    for (const s of t.coldStart.samples) s.ms = pool[Math.floor(rng() * pool.length)];
  }
  return out;
}

const measured = ['native/static', 'node-wasi/default', 'jco/sandboxed', 'wasmtime-embed/jit', 'wasmtime-embed/aot', 'docker/default'];

describe('compareRuns', () => {
  it('flags a 2× slowdown of every target as a regression', () => {
    const c = compareRuns(fixture(), scaled(fixture(), 2), { seed: 1 });
    expect(c.rows.map((r) => r.key)).toEqual(measured);
    for (const row of c.rows) {
      expect(row.verdict).toBe('regression');
      expect(row.ratio).toBeCloseTo(2, 12);
      expect(row.ci95[0]).toBeGreaterThan(1);
    }
    expect(hasRegression(c)).toBe(true);
  });

  it('calls a 2× speed-up an improvement (the mirror image)', () => {
    const c = compareRuns(fixture(), scaled(fixture(), 0.5), { seed: 1 });
    expect(c.rows.every((r) => r.verdict === 'improvement')).toBe(true);
    expect(hasRegression(c)).toBe(false);
  });

  it('ignores same-machine reruns drawn from the same distribution', () => {
    for (const seed of [11, 12, 13]) {
      const c = compareRuns(fixture(), rerun(fixture(), seed), { seed });
      expect(c.rows.map((r) => [r.key, r.verdict])).toEqual(measured.map((k) => [k, 'no significant change']));
    }
  });

  it('does not flag a change smaller than the threshold, even when its CI excludes 1', () => {
    // +5% on every sample.
    const c = compareRuns(fixture(), scaled(fixture(), 1.05), { seed: 1 });
    expect(c.rows.every((r) => r.verdict === 'no significant change')).toBe(true);
    const strict = compareRuns(fixture(), scaled(fixture(), 1.05), { seed: 1, threshold: 0.01 });
    for (const r of strict.rows) expect(r.verdict).toBe(r.ci95[0] > 1 ? 'regression' : 'no significant change');
  });

  it('lists a target present in only one run as added or removed', () => {
    const old = fixture();
    const neu = fixture();
    neu.targets = neu.targets.filter((t) => t.id !== 'jco');
    const c = compareRuns(old, neu);
    expect(c.removed).toEqual(['jco/sandboxed']);
    expect(c.added).toEqual([]);
    expect(compareRuns(neu, old).added).toEqual(['jco/sandboxed']);
    expect(renderCompare(c)).toContain('**Removed** (only in OLD, not compared): jco/sandboxed');
  });

  it('says why a target in both runs was not compared', () => {
    const neu = fixture();
    const i = neu.targets.findIndex((t) => t.id === 'docker');
    neu.targets[i] = { ...neu.targets[i], status: 'skipped', reason: 'no daemon', hint: 'start dockerd' } as Results['targets'][number];
    const c = compareRuns(fixture(), neu);
    expect(c.notCompared).toContainEqual({ key: 'docker/default', why: 'skipped in NEW: no daemon' });
    expect(c.rows.map((r) => r.key)).not.toContain('docker/default');
    // The wasmtime CLI was skipped in both runs: matched by variant, not compared.
    expect(compareRuns(fixture(), fixture()).notCompared.map((x) => x.key)).toEqual(['wasmtime/jit-cache-off', 'wasmtime/precompiled']);
  });

  it('rejects another schemaVersion and garbled documents with one clear line', () => {
    expect(() => compareRuns(fixture(), { ...fixture(), schemaVersion: 3 })).toThrow(/^NEW results\.json: schemaVersion 3 is not supported by this harness \(it reads 1 and 2\)$/);
    expect(() => compareRuns({ ...fixture(), schemaVersion: 0 }, fixture())).toThrow('OLD results.json: schemaVersion 0 is not supported by this harness (it reads 1 and 2)');
    expect(() => compareRuns([], fixture())).toThrow('OLD results.json: expected a JSON object, got an array');
    expect(() => compareRuns({ schemaVersion: 1 }, fixture())).toThrow('OLD results.json: field "targets" is missing');
    expect(() => compareRuns({ runId: 'x' }, fixture())).toThrow('OLD results.json: no schemaVersion field');
  });

  it('keeps going past a garbled target and notes it', () => {
    const neu = fixture() as unknown as { targets: unknown[] };
    neu.targets.push({ nope: true });
    const c = compareRuns(fixture(), neu);
    expect(c.rows).toHaveLength(6);
    expect(c.notes).toContain('NEW: targets[7] has no id/variant and was ignored.');
  });

  it('notes a different machine', () => {
    const neu = fixture();
    neu.environment.cpuModel = 'Intel Xeon';
    expect(compareRuns(fixture(), neu).notes).toContain('The runs differ in cpuModel (AMD EPYC → Intel Xeon): a change may come from the machine or runtime, not the code.');
  });
});

describe('renderCompare', () => {
  it('writes the noise caveat, a row per target and the result line', () => {
    const md = renderCompare(compareRuns(fixture(), scaled(fixture(), 2), { seed: 1 }));
    expect(md).toContain('> CI runners are noisy');
    expect(md).toContain('| native | static | 5.90 ms (n=5) | 11.8 ms (n=5) |');
    expect(md).toContain('| +100% | **REGRESSION** |');
    expect(md.trimEnd().split('\n').pop()).toBe(
      '**Result: 6 regressions (native/static, node-wasi/default, jco/sandboxed, wasmtime-embed/jit, wasmtime-embed/aot, docker/default), 0 improvements, 0 without a significant change.**',
    );
  });
});

describe('compareRuns across schema versions and workloads', () => {
  it('matches a schemaVersion 1 run with its upgraded, schemaVersion 2 self by workload, target and variant', () => {
    const v2 = assertResults(rawFixture(), 'fixture');
    const c = compareRuns(rawFixture(), scaled(v2, 2), { seed: 1 });
    expect(c.rows.map((r) => [r.key, r.workload, r.verdict])).toEqual(measured.map((k) => [k, 'tax-calculator', 'regression']));
    expect(c.notes).toContain("OLD is a schemaVersion 1 run (one workload): its rows are matched as tax-calculator's.");
    expect(c.notes.some((n) => n.startsWith('The workloads differ'))).toBe(false);
  });

  it('keeps the same target variant of two workloads apart', () => {
    const old = cVsJs();
    const neu = cVsJs({ jsAotMs: 180 });
    const c = compareRuns(old, neu, { seed: 1 });
    const verdicts = Object.fromEntries(c.rows.map((r) => [r.key, r.verdict]));
    expect(verdicts['wasmtime-embed/aot']).toBe('no significant change');
    expect(verdicts['tax-calculator-js:wasmtime-embed/aot']).toBe('regression');
    expect(c.rows.find((r) => r.key === 'tax-calculator-js:wasmtime-embed/aot')).toMatchObject({ workload: 'tax-calculator-js', target: 'wasmtime-embed', variant: 'aot', oldMedian: 90, newMedian: 180, ratio: 2 });
    const md = renderCompare(c);
    expect(md).toContain('| workload | target | variant | old median | new median | new/old (95% CI) | change | verdict |');
    expect(md).toContain('| tax-calculator-js | wasmtime-embed | aot | 90.0 ms (n=5) | 180 ms (n=5) | 2.00× (2.00–2.00) | +100% | **REGRESSION** |');
  });

  it('lists a workload only in one run, with its rows as added', () => {
    const c = compareRuns(fixture(), cVsJs(), { seed: 1 });
    expect(c.notes).toContain('Workloads only in NEW: tax-calculator-js.');
    expect(c.added).toContain('tax-calculator-js:node/default');
    expect(c.rows.map((r) => r.key)).toContain('wasmtime-embed/aot');
  });
});
