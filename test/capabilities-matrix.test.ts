/**
 * The capability matrix from real runs (needs `npm run build`). Only the cells the
 * issue asks to hold are run here, to keep the file short; `measureCapabilities()`
 * runs the whole matrix. A target in $BENCH_REQUIRE fails instead of skipping.
 */
import { describe, expect, it } from 'vitest';
import { type CapabilityMatrix, type CapabilityRow, type ProbeName, runCapabilityMatrix } from '../harness/measure/capabilities.js';
import { disposeAll, prepareContext, prepareTargets, type PreparedTarget } from '../harness/session.js';
import { useSpawner } from '../harness/util/spawn.js';
import { loadWorkload } from '../harness/workload.js';
import { WORKLOAD_DIR } from '../harness/paths.js';
import { REQUIRED } from './support.js';

const ROWS = ['native', 'node-wasi', 'jco', 'jco-default-shim', 'wasmtime-embed', 'docker-default', 'docker-hardened'];
const PROBES: ProbeName[] = ['fs-read-outside', 'net-connect', 'mem-bomb', 'cpu-spin'];

/** The rows of the matrix that ran here (their runtime is installed), computed before the tests are collected. */
async function measure(): Promise<CapabilityMatrix> {
  const workload = await loadWorkload(WORKLOAD_DIR);
  const ctx = await prepareContext(workload);
  const grant = { workload: workload.name, grantDir: workload.grants[0].host, grantGuest: workload.grants[0].guest };
  const prepared: PreparedTarget[] = await prepareTargets(['native', 'node-wasi', 'jco', 'wasmtime-embed', 'docker'], ctx);
  useSpawner(ctx.manifest.artifacts.find((a) => a.id === 'spawner')?.path ?? null);
  try {
    // Bombs only where the issue asserts them (the rest would each run to the bound).
    const main = await runCapabilityMatrix(prepared, { manifest: ctx.manifest, ...grant, rows: ROWS, probes: ['fs-read-outside', 'net-connect'] });
    const bombs = await runCapabilityMatrix(prepared, { manifest: ctx.manifest, ...grant, rows: ['wasmtime-embed', 'docker-hardened'], probes: ['mem-bomb', 'cpu-spin'] });
    return { probes: PROBES, notes: main.notes, rows: main.rows.map((r) => ({ ...r, cells: [...r.cells, ...(bombs.rows.find((b) => b.id === r.id)?.cells ?? [])] })) };
  } finally {
    useSpawner(null);
    await disposeAll(prepared);
  }
}

function outcome(r: CapabilityRow, probe: ProbeName): string {
  const c = r.cells.find((x) => x.probe === probe);
  if (!c) throw new Error(`${r.id}: no ${probe} cell`);
  return c.outcome;
}

describe('capability matrix (real runs)', async () => {
  const matrix = await measure();
  /** The row when it ran; undefined when its runtime is unavailable here. */
  const row = (id: string): CapabilityRow | undefined => matrix.rows.find((x) => x.id === id && !x.skipped);
  const ran = (id: string) => row(id) !== undefined;
  const why = (id: string) => matrix.rows.find((x) => x.id === id)?.skipped?.reason ?? 'no row';

  // A required runtime that did not run is a failure, not a skip.
  for (const id of ROWS) {
    const target = matrix.rows.find((x) => x.id === id)?.target ?? id.replace(/-.*$/, '');
    it.runIf(REQUIRED.includes(target))(`${id} ran (its target ${target} is in $BENCH_REQUIRE)`, () => {
      expect(ran(id), `${id}: ${why(id)}`).toBe(true);
    });
  }

  it('every cell carries runtime version, artifact sha256, exit code or signal, and duration', () => {
    const rows = matrix.rows.filter((x) => !x.skipped);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      for (const c of r.cells) {
        expect(c.runtime.version, `${r.id} ${c.probe}`).toBeTruthy();
        expect(c.artifactSha256, `${r.id} ${c.probe}`).toMatch(/^[0-9a-f]{64}$/);
        expect(c.exitCode !== null || !!c.signal, `${r.id} ${c.probe}`).toBe(true);
        expect(c.durationMs).toBeGreaterThan(0);
        expect(c.evidence.length).toBeGreaterThan(0);
        expect(c.harnessEvidence.length).toBeGreaterThan(0);
      }
    }
  });

  it.skipIf(!ran('native'))('native: fs-read-outside allowed, net-connect allowed (the listener saw the connection) (skipped: native did not run)', () => {
    const n = row('native')!;
    expect(outcome(n, 'fs-read-outside')).toBe('allowed');
    expect(outcome(n, 'net-connect')).toBe('allowed');
    expect(n.cells.find((c) => c.probe === 'net-connect')!.harnessEvidence).toMatch(/accepted [1-9]/);
  });

  for (const id of ['jco', 'wasmtime-embed']) {
    it.skipIf(!ran(id))(`${id}: fs-read-outside denied (skipped: ${id} did not run here)`, () => {
      expect(outcome(row(id)!, 'fs-read-outside')).toBe('denied');
    });
  }

  for (const id of ROWS.filter((x) => x !== 'native')) {
    it.skipIf(!ran(id))(`${id}: net-connect absent or denied (skipped: ${id} did not run here)`, () => {
      expect(['absent', 'denied']).toContain(outcome(row(id)!, 'net-connect'));
    });
  }

  for (const id of ['wasmtime-embed', 'docker-hardened']) {
    it.skipIf(!ran(id))(`${id}: mem-bomb and cpu-spin contained (skipped: ${id} did not run here)`, () => {
      expect(outcome(row(id)!, 'mem-bomb')).toBe('contained');
      expect(outcome(row(id)!, 'cpu-spin')).toBe('contained');
    });
  }
});
