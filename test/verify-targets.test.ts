import { describe, expect, it } from 'vitest';
import { verify, DOCKER_SAMPLE } from '../harness/commands/verify.js';
import { loadVectors } from '../harness/reference/vectors.js';
import { VECTORS_PATH } from '../harness/paths.js';
import { REQUIRED } from './support.js';

// The conformance check against real runtimes: every vector on every available
// target, docker on its deterministic sample. $BENCH_REQUIRE makes a missing
// runtime fail here instead of being skipped.
describe('wvc verify on every available target', async () => {
  const vectors = await loadVectors(VECTORS_PATH);
  const report = await verify({ log: () => {} });

  it('runs at least 1000 golden vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(1000);
  });

  it('skips nothing that $BENCH_REQUIRE names, and no target errors', () => {
    expect(report.requiredMissing).toEqual([]);
    expect(report.errored).toEqual([]);
    for (const id of REQUIRED) expect(report.verdicts.map((v) => v.target)).toContain(id);
  });

  it('gets every vector identical on every variant', () => {
    for (const v of report.verdicts) {
      expect({ target: `${v.target}/${v.variant}`, mismatches: v.mismatches.slice(0, 3) }).toEqual({ target: `${v.target}/${v.variant}`, mismatches: [] });
      expect(v.passed).toBe(v.vectors);
      expect(v.vectors).toBe(v.target === 'docker' ? Math.max(DOCKER_SAMPLE, v.vectors) : vectors.length);
    }
    expect(report.ok).toBe(true);
  });

  it('compares exit codes exactly on processes and preview1, as ok/err on WASI 0.2 components', () => {
    const fidelity = Object.fromEntries(report.verdicts.map((v) => [v.target, v.exitCodes]));
    if (fidelity.native) expect(fidelity.native).toBe('exact');
    if (fidelity['node-wasi']) expect(fidelity['node-wasi']).toBe('exact');
    if (fidelity.docker) expect(fidelity.docker).toBe('exact');
    if (fidelity.jco) expect(fidelity.jco).toBe('ok-err');
    if (fidelity['wasmtime-embed']) expect(fidelity['wasmtime-embed']).toBe('ok-err');
  });
});
