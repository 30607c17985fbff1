import { describe, expect, it } from 'vitest';
import { toBencherBmf, toGithubActionBenchmark } from '../harness/report/exports.js';
import { fixture } from './report-builder.js';

/**
 * The documented shapes, checked field by field:
 * - github-action-benchmark `customSmallerIsBetter`: an array of objects with
 *   required `name` (string), `unit` (string), `value` (number) and optional
 *   `range` and `extra` (strings); nothing else.
 * - Bencher Metric Format: an object of benchmark name → object of measure
 *   (name or slug) → { value: number (required), lower_value?, upper_value? }.
 */
function gabErrors(doc: unknown): string[] {
  if (!Array.isArray(doc)) return ['not an array'];
  const errs: string[] = [];
  doc.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return void errs.push(`[${i}] not an object`);
    const o = e as Record<string, unknown>;
    for (const k of ['name', 'unit']) if (typeof o[k] !== 'string' || !(o[k] as string).length) errs.push(`[${i}].${k} not a non-empty string`);
    if (typeof o.value !== 'number' || !Number.isFinite(o.value)) errs.push(`[${i}].value not a finite number`);
    for (const k of ['range', 'extra']) if (k in o && typeof o[k] !== 'string') errs.push(`[${i}].${k} not a string`);
    for (const k of Object.keys(o)) if (!['name', 'unit', 'value', 'range', 'extra'].includes(k)) errs.push(`[${i}].${k} unexpected`);
  });
  return errs;
}

function bmfErrors(doc: unknown): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObj(doc)) return ['not an object'];
  const errs: string[] = [];
  for (const [bench, measures] of Object.entries(doc)) {
    if (!bench.length) errs.push('empty benchmark name');
    if (!isObj(measures)) {
      errs.push(`${bench}: not an object`);
      continue;
    }
    for (const [m, metric] of Object.entries(measures)) {
      if (!isObj(metric)) {
        errs.push(`${bench}.${m}: not an object`);
        continue;
      }
      if (typeof metric.value !== 'number') errs.push(`${bench}.${m}.value not a number`);
      for (const k of ['lower_value', 'upper_value']) if (k in metric && typeof metric[k] !== 'number') errs.push(`${bench}.${m}.${k} not a number`);
      for (const k of Object.keys(metric)) if (!['value', 'lower_value', 'upper_value'].includes(k)) errs.push(`${bench}.${m}.${k} unexpected`);
      if (typeof metric.lower_value === 'number' && metric.lower_value > (metric.value as number)) errs.push(`${bench}.${m}: lower_value > value`);
      if (typeof metric.upper_value === 'number' && metric.upper_value < (metric.value as number)) errs.push(`${bench}.${m}: upper_value < value`);
    }
  }
  return errs;
}

describe('toGithubActionBenchmark', () => {
  const out = toGithubActionBenchmark(fixture());

  it('matches the customSmallerIsBetter shape', () => {
    expect(gabErrors(JSON.parse(JSON.stringify(out)))).toEqual([]);
  });

  it('has a cold-start entry per measured variant with the median, CI half-width and p95', () => {
    const cold = out.filter((e) => e.name.startsWith('cold start '));
    expect(cold.map((e) => e.name)).toEqual([
      'cold start native/static',
      'cold start node-wasi/default',
      'cold start jco/sandboxed',
      'cold start wasmtime-embed/jit',
      'cold start wasmtime-embed/aot',
      'cold start docker/default',
    ]);
    // native: median 5.896964, CI 4.486429–6.493629 → ± 1.00
    expect(cold[0]).toEqual({ name: 'cold start native/static', unit: 'ms', value: 5.896964, range: '± 1.00', extra: '95% CI 4.49–6.49 ms; p95 6.41 ms; n 5; failures 0' });
  });

  it('adds warm latency, memory (not the 0 B native figure) and artifact sizes', () => {
    expect(out.find((e) => e.name === 'warm request wasmtime-embed/aot')).toMatchObject({ unit: 'ms', value: 0.531 });
    expect(out.some((e) => e.name === 'peak memory native/static')).toBe(false);
    expect(out.find((e) => e.name === 'peak memory wasmtime-embed/aot')).toMatchObject({ unit: 'bytes', value: 12046336 });
    expect(out.find((e) => e.name === 'artifact size image-scratch')).toMatchObject({ unit: 'bytes', value: 46736 });
    expect(out.some((e) => e.name === 'artifact size spawner')).toBe(false);
  });
});

describe('toBencherBmf', () => {
  const out = toBencherBmf(fixture());

  it('matches the Bencher Metric Format shape', () => {
    expect(bmfErrors(JSON.parse(JSON.stringify(out)))).toEqual([]);
  });

  it('reports latency in nanoseconds, as Bencher\'s built-in latency measure is', () => {
    expect(out['cold-start docker/default'].latency).toEqual({ value: 336601537, lower_value: 266246246, upper_value: 354560589 });
    expect(out['warm-request wasmtime-embed/jit'].latency.value).toBe(407000);
  });

  it('reports artifact sizes with the built-in file-size measure in bytes', () => {
    expect(out['artifact component-wasm']).toEqual({ 'file-size': { value: 70069 } });
  });
});
