import { describe, expect, it } from 'vitest';
import { verify, DOCKER_SAMPLE, firstOfEachOutcome } from '../harness/commands/verify.js';
import { loadVectors, sampleVectors } from '../harness/reference/vectors.js';
import { JS_WORKLOAD_DIR, VECTORS_PATH, WORKLOAD_DIR } from '../harness/paths.js';
import { REQUIRED } from './support.js';

// The conformance check against real runtimes: every golden vector of the C
// workload on every available target (docker on its deterministic sample), and
// a deterministic sample of the same vectors, every class included, on every
// runtime of the JavaScript workload (one vector per outcome where a run takes
// seconds: the JavaScript component under JIT). $BENCH_REQUIRE makes a
// missing runtime fail here instead of being skipped.
// About one vector per class: the JavaScript logic itself runs every vector in tax-js-logic.test.ts.
const JS_SAMPLE = 1;

describe('wvc verify on every available target', async () => {
  const vectors = await loadVectors(VECTORS_PATH);
  // Each workload requires the required targets that apply to it (node runs only scripts; native and node-wasi only compiled code).
  const c = await verify({ workloads: [WORKLOAD_DIR], log: () => {}, require: REQUIRED.filter((t) => t !== 'node').join(',') });
  const js = await verify({ workloads: [JS_WORKLOAD_DIR], log: () => {}, sample: JS_SAMPLE, require: REQUIRED.filter((t) => t !== 'native' && t !== 'node-wasi').join(',') });

  it('runs at least 1000 golden vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(1000);
  });

  it('skips nothing that $BENCH_REQUIRE names, and no target errors', () => {
    for (const report of [c, js]) {
      expect(report.requiredMissing).toEqual([]);
      expect(report.errored).toEqual([]);
    }
    for (const id of REQUIRED) expect([...c.verdicts, ...js.verdicts].map((v) => v.target)).toContain(id);
  });

  it('gets every vector identical on every variant of the C workload', () => {
    for (const v of c.verdicts) {
      expect({ target: `${v.target}/${v.variant}`, mismatches: v.mismatches.slice(0, 3) }).toEqual({ target: `${v.target}/${v.variant}`, mismatches: [] });
      expect(v.passed).toBe(v.vectors);
      // Container targets (a container per vector) run their declared deterministic sample.
      expect(v.vectors, `${v.target}/${v.variant}: ${v.sample ?? 'no sample'}`).toBe(['docker', 'containerd', 'oci'].includes(v.target) ? Math.max(DOCKER_SAMPLE, v.vectors) : vectors.length);
    }
    expect(c.ok).toBe(true);
  });

  it('gets the same vectors identical from the JavaScript workload on every runtime (its logic runs all of them in tax-js-logic.test.ts)', () => {
    const sample = sampleVectors(vectors, JS_SAMPLE).length;
    for (const v of js.verdicts) {
      expect({ target: `${v.target}/${v.variant}`, mismatches: v.mismatches.slice(0, 3) }).toEqual({ target: `${v.target}/${v.variant}`, mismatches: [] });
      expect(v.passed).toBe(v.vectors);
      expect(v.vectors).toBeLessThanOrEqual(sample);
      // At least the first vector of every outcome (exit code and error code), whatever the sample rule.
      expect(v.vectors).toBeGreaterThanOrEqual(firstOfEachOutcome(vectors).length);
    }
    const jsDocker = js.verdicts.some((v) => v.target === 'docker');
    expect(js.notApplicable.map((n) => n.target).sort()).toEqual(jsDocker ? ['docker/debian', 'native', 'node-wasi', 'wasmedge'] : ['native', 'node-wasi', 'wasmedge']);
    expect(c.notApplicable.map((n) => n.target)).toEqual(['node']);
    expect(js.verdicts.map((v) => v.target)).toContain('node');
    expect(js.ok).toBe(true);
  });

  it('compares exit codes exactly on processes and preview1, as ok/err on WASI 0.2 components', () => {
    const fidelity = Object.fromEntries([...c.verdicts, ...js.verdicts].map((v) => [v.target, v.exitCodes]));
    if (fidelity.native) expect(fidelity.native).toBe('exact');
    if (fidelity.node) expect(fidelity.node).toBe('exact');
    if (fidelity['node-wasi']) expect(fidelity['node-wasi']).toBe('exact');
    if (fidelity.docker) expect(fidelity.docker).toBe('exact');
    if (fidelity.jco) expect(fidelity.jco).toBe('ok-err');
    if (fidelity['wasmtime-embed']) expect(fidelity['wasmtime-embed']).toBe('ok-err');
  });
});
