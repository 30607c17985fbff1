/**
 * bench() end to end with an injected registry of mock targets (scripted durations,
 * no runtime): assembly of ok, skipped and n/a rows, the declared baselines and their
 * ratios, warm n/a, results.json as written, and the rendered reports. Only the
 * logic is mocked; the workload, build, spawner calibration and writer are real.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bench } from '../harness/commands/bench.js';
import { byId } from '../harness/targets/index.js';
import { createMockTarget } from '../harness/targets/mock.js';
import { schemaErrors } from './validate-results.js';

const ANSWER = '{"ok":true}\n';

describe('bench() with mock targets', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'wvc-mock-'));
  await writeFile(path.join(dir, 'prog'), '#!/bin/sh\necho mock\n', { mode: 0o755 });
  await writeFile(
    path.join(dir, 'workload.json'),
    JSON.stringify({ name: 'mockw', language: 'C', description: 'a workload only mock targets run', sample: { args: ['--x=1'], stdout: ANSWER }, artifacts: { native: { path: 'prog' } } }),
  );
  const registry = byId([
    createMockTarget('mfloor', { variants: [{ name: 'static', class: 'native', baseline: 'floor', durations: [1], stdout: ANSWER }] }),
    createMockTarget('mwasm', {
      variants: [
        { name: 'jit', durations: [10], stdout: ANSWER, warm: [0.5], exitCodes: 'ok-err' },
        { name: 'aot', durations: [2], stdout: ANSWER, burst: [4, 1, 2, 8] },
        { name: 'gone', durations: [1], stdout: ANSWER, status: { skipped: 'its artifact was not built' } },
        { name: 'other', durations: [1], stdout: ANSWER, status: { na: 'the workload declares nothing it runs' } },
        { name: 'flaky', durations: [3], stdout: ANSWER, failEvery: 2 },
      ],
    }),
    createMockTarget('mctr', { variants: [{ name: 'default', class: 'container', baseline: 'container', durations: [100], stdout: ANSWER }] }),
    createMockTarget('mskip', { variants: [{ name: 'only', durations: [1], stdout: ANSWER }], status: { skipped: 'mock runtime not installed' } }),
    createMockTarget('mna', { variants: [{ name: 'only', durations: [1], stdout: ANSWER }], status: { na: 'mock runs nothing of this workload' } }),
  ]);
  const out = await mkdtemp(path.join(tmpdir(), 'wvc-mock-out-'));
  const lines: string[] = [];
  const { results, dir: runDir, requiredMissing } = await bench({ registry, require: '', workloads: [dir], runs: 6, warmup: 1, seed: 7, out, warmIterations: 4, log: (l) => lines.push(l) });
  const row = (id: string, variant: string) => results.targets.find((t) => t.id === id && t.variant === variant);
  const md = await readFile(path.join(runDir, 'report.md'), 'utf8');
  const html = await readFile(path.join(runDir, 'report.html'), 'utf8');
  const written = JSON.parse(await readFile(path.join(runDir, 'results.json'), 'utf8'));

  it('writes a complete run that validates against the schema', () => {
    expect(schemaErrors(written)).toEqual([]);
    expect(results.complete).toBe(true);
    expect(requiredMissing).toEqual([]);
    expect(results.options.targets).toEqual(['mfloor', 'mwasm', 'mctr', 'mskip', 'mna']);
  });

  it('bursts every variant that serves bursts at each K, and keeps rows for those that do not', () => {
    const aot = results.burst!.find((b) => b.id === 'mwasm' && b.variant === 'aot')!;
    expect(aot.status).toBe('ok');
    // K=1: [4]; K=8: 4 1 2 8 4 1 2 8 → p50 2 (nearest rank 4 of 8), p99 and max 8; K=32 the same four, eight times each.
    expect(aot.steps.map((s) => [s.k, s.p50Ms, s.p99Ms, s.maxMs, s.failures.length, s.startsPerSec])).toEqual([
      [1, 4, 4, 4, 0, 250],
      [8, 2, 8, 8, 0, 1000],
      [32, 2, 8, 8, 0, 4000],
    ]);
    expect(results.options.burst).toEqual({ ks: [1, 8, 32], timeoutMs: 30_000, budgetMs: 4_000 });
    expect(results.burst!.find((b) => b.id === 'mwasm' && b.variant === 'jit')).toMatchObject({ status: 'n/a' });
    expect(results.burst!.find((b) => b.id === 'mskip')).toMatchObject({ status: 'skipped' });
    expect(results.density!.find((d) => d.id === 'mwasm' && d.variant === 'aot')).toMatchObject({ status: 'n/a' });
  });

  it('measures every ready variant with the scripted durations, checked against the sample', () => {
    const jit = row('mwasm', 'jit')!;
    expect(jit.status).toBe('ok');
    if (jit.status !== 'ok') return;
    expect(jit.coldStart.samples.map((s) => s.ms)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(jit.coldStart.stats!.median).toBe(10);
    expect(jit.defaultVariant).toBe(true);
    expect(jit.exitCodes).toBe('ok-err');
    expect(row('mwasm', 'aot')!.defaultVariant).toBe(false);
    const flaky = row('mwasm', 'flaky')!;
    expect(flaky.status === 'ok' && flaky.coldStart.failures).toBe(3);
  });

  it('divides by the declared baselines, not by target ids', () => {
    const aot = row('mwasm', 'aot')!;
    expect(aot.status === 'ok' && aot.vsNative!.ratio).toBe(2);
    expect(aot.status === 'ok' && aot.vsDocker!.ratio).toBe(0.02);
    expect(results.workloads[0].baselines).toEqual({ floor: 'mfloor/static', container: 'mctr/default', bestContainer: 'mctr/default' });
    expect(aot.status === 'ok' && aot.vsBestContainer!.ratio).toBe(0.02);
  });

  it('records skipped rows with their reason and hint, and n/a on the workload', () => {
    expect(row('mwasm', 'gone')).toMatchObject({ status: 'skipped', reason: 'its artifact was not built' });
    expect(row('mskip', 'only')).toMatchObject({ status: 'skipped', reason: 'mock runtime not installed', hint: 'scripted' });
    expect(results.targets.some((t) => t.id === 'mna' || t.variant === 'other')).toBe(false);
    expect(results.workloads[0].notApplicable).toEqual([
      { target: 'mwasm/other', reason: 'the workload declares nothing it runs' },
      { target: 'mna', reason: 'mock runs nothing of this workload' },
    ]);
  });

  it('runs the declared warm loop and records the declared reason where there is none', () => {
    const jit = row('mwasm', 'jit')!;
    expect(jit.status === 'ok' && jit.warm).toMatchObject({ status: 'ok', samples: [0.5, 0.5, 0.5, 0.5] });
    const floor = row('mfloor', 'static')!;
    expect(floor.status === 'ok' && floor.warm).toEqual({ status: 'n/a', note: 'the mock declares no warm loop' });
  });

  it('renders the rows, the skipped ones and the ok/err exit-code mark in both reports', () => {
    for (const text of [md, html]) {
      expect(text).toContain('mwasm');
      expect(text).toContain('mock runtime not installed');
      expect(text).toContain('(ok/err only)');
      expect(text).toContain('scripted: nothing runs');
    }
    expect(md).toMatch(/\| mwasm \| aot \|[^\n]*2(\.00)?×/);
  });

  it('prints the summary with every row', () => {
    const summary = lines.find((l) => l.includes('mwasm'))!;
    expect(summary).toBeDefined();
  });
});
