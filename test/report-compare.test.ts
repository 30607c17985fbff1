import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compare } from '../harness/commands/compare.js';
import { UserError } from '../harness/errors.js';
import type { Results } from '../harness/model.js';
import { compareRuns, hasRegression, renderCompare } from '../harness/report/compare.js';
import { createRng } from '../harness/util/rng.js';
import { assertResults, unsupportedVersion } from '../harness/report/load.js';
import { cVsJs, fixture, rawFixture, sha } from './report-builder.js';

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

  it('leaves out a successful sample whose duration was not recorded, and notes it', () => {
    const neu = fixture();
    const t = neu.targets.find((x) => x.id === 'native');
    if (t?.status !== 'ok') throw new Error('fixture: native did not run');
    (t.coldStart.samples[0] as { ms: number | null }).ms = null;
    const c = compareRuns(fixture(), neu, { seed: 1 });
    expect(c.rows.find((r) => r.key === 'native/static')).toMatchObject({ oldN: 5, newN: 4 });
    expect(c.notes).toContain('NEW: native/static has 1 successful sample without a positive duration, left out.');
  });

  it('notes a different machine', () => {
    const neu = fixture();
    neu.environment.cpuModel = 'Intel Xeon';
    expect(compareRuns(fixture(), neu).notes).toContain('The runs differ in cpuModel (AMD EPYC → Intel Xeon): a change may come from the machine or runtime, not the code.');
  });

  it('notes a different runtime version, for every runtime the runs record', () => {
    const neu = cVsJs();
    neu.environment.runtimes = { ...neu.environment.runtimes, docker: '28.0.0', 'some-new-runtime': '1.0' };
    neu.environment.gitCommit = 'def456';
    expect(compareRuns(cVsJs(), neu).notes).toContain('The runs differ in runtimes.docker (27.0.1 → 28.0.0): a change may come from the machine or runtime, not the code.');
    expect(compareRuns(cVsJs(), cVsJs()).notes.some((n) => n.startsWith('The runs differ'))).toBe(false);
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
  it('matches a schemaVersion 1 run with its upgraded, current self by workload, target and variant', () => {
    // The upgraded copy as a current run: `wvc bench` records the workload's manifest.
    const v3 = scaled(assertResults(rawFixture(), 'fixture'), 2);
    v3.workloads[0] = { ...v3.workloads[0], manifest: 'modules/tax-calculator/workload.json', manifestSha256: sha('tax-calculator') };
    const c = compareRuns(assertResults(rawFixture(), 'fixture'), v3, { seed: 1 });
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

describe('wvc compare on a document its schema rejects', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const FIX = (flag: 'old' | 'new') => `pass the results.json of a run as --${flag} (e.g. results/<run-id>/results.json, written by \`wvc bench\`)`;
  /** Writes `doc` as JSON to a fresh file and returns its path. */
  async function saved(doc: unknown): Promise<string> {
    const d = await mkdtemp(path.join(tmpdir(), 'wvc-compare-'));
    dirs.push(d);
    const file = path.join(d, 'results.json');
    await writeFile(file, JSON.stringify(doc));
    return file;
  }
  /** The one-line UserError of comparing `old` with `neu` (documents, saved first). */
  async function error(old: unknown, neu: unknown): Promise<{ message: string; old: string; new: string }> {
    const files = { old: await saved(old), new: await saved(neu) };
    try {
      await compare(files);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).not.toContain('\n');
      return { message: (e as Error).message, ...files };
    }
    throw new Error('expected a UserError');
  }

  it('rejects another schemaVersion, naming OLD or NEW, the file and the fix', async () => {
    let e = await error(fixture(), { ...fixture(), schemaVersion: 99 });
    expect(e.message).toBe(`${unsupportedVersion(`NEW results file ${e.new}`, 99)} — ${FIX('new')}`);
    expect(e.message).toMatch(/^NEW results file .+: schemaVersion 99 is not supported by this harness \(it reads [0-9, and]+\) — /);
    e = await error({ ...fixture(), schemaVersion: 0 }, fixture());
    expect(e.message).toBe(`${unsupportedVersion(`OLD results file ${e.old}`, 0)} — ${FIX('old')}`);
    e = await error({ runId: 'x' }, fixture());
    expect(e.message).toBe(`OLD results file ${e.old}: no schemaVersion field — is this a results.json written by \`wvc bench\`? — ${FIX('old')}`);
  });

  it('rejects a garbled document with the field its schema names', async () => {
    let e = await error([], fixture());
    expect(e.message).toBe(`OLD results file ${e.old}: must be an object, got [] — ${FIX('old')}`);
    e = await error({ schemaVersion: 1 }, fixture());
    expect(e.message).toBe(`OLD results file ${e.old}: missing field runId — ${FIX('old')}`);
    e = await error(fixture(), { ...fixture(), targets: 'x' });
    expect(e.message).toBe(`NEW results file ${e.new}: targets: must be an array, got "x" — ${FIX('new')}`);
  });

  it('rejects a garbled target instead of ignoring it', async () => {
    const extra = fixture() as unknown as { targets: unknown[] };
    extra.targets.push({ nope: true });
    let e = await error(fixture(), extra);
    expect(e.message).toBe(`NEW results file ${e.new}: targets[7]: missing field workload — ${FIX('new')}`);
    const noId = fixture() as unknown as { targets: Record<string, unknown>[] };
    delete noId.targets[0].id;
    e = await error(fixture(), noId);
    expect(e.message).toBe(`NEW results file ${e.new}: targets[0]: missing field id — ${FIX('new')}`);
    const noSamples = fixture() as unknown as { targets: { coldStart: Record<string, unknown> }[] };
    delete noSamples.targets[0].coldStart.samples;
    e = await error(noSamples, fixture());
    expect(e.message).toBe(`OLD results file ${e.old}: targets[0].coldStart: missing field samples — ${FIX('old')}`);
  });

  it('reads a schemaVersion 1 run file through the same path, upgraded', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-compare-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'v1.json'), JSON.stringify(rawFixture()));
    const r = await compare({ old: path.join(dir, 'v1.json'), new: path.join(dir, 'v1.json'), seed: 1 });
    expect(r.regression).toBe(false);
    expect(r.result.rows.map((x) => x.key)).toEqual(measured);
    expect(r.markdown).toBe(renderCompare(compareRuns(fixture(), fixture(), { seed: 1 })));
  });
});
