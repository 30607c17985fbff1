/**
 * The capability matrix from real runs (needs `npm run build`). Only the cells the
 * issue asks to hold are run here, to keep the file short; `measureCapabilities()`
 * runs the whole matrix. A target in $BENCH_REQUIRE fails instead of skipping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapabilityMatrix, type CapabilityRow, type ProbeName, runCapabilityMatrix } from '../harness/measure/capabilities.js';
import { disposeAll, prepareContext, prepareTargets, type PreparedTarget } from '../harness/session.js';
import { useSpawner } from '../harness/util/spawn.js';
import { loadWorkload } from '../harness/workload.js';
import { WORKLOAD_DIR } from '../harness/paths.js';
import { REQUIRED } from './support.js';

const ROWS = ['native', 'node-wasi', 'jco', 'jco-default-shim', 'wasmtime-embed', 'docker-default', 'docker-hardened'];
const PROBES: ProbeName[] = ['fs-read-outside', 'net-connect', 'mem-bomb', 'cpu-spin'];

let prepared: PreparedTarget[] = [];
let matrix: CapabilityMatrix;

beforeAll(async () => {
  const workload = await loadWorkload(WORKLOAD_DIR);
  const ctx = await prepareContext(workload);
  const grant = { workload: workload.name, grantDir: workload.grants[0].host, grantGuest: workload.grants[0].guest };
  prepared = await prepareTargets(['native', 'node-wasi', 'jco', 'wasmtime-embed', 'docker'], ctx);
  useSpawner(ctx.manifest.artifacts.find((a) => a.id === 'spawner')?.path ?? null);
  try {
    // Bombs only where the issue asserts them (the rest would each run to the bound).
    const main = await runCapabilityMatrix(prepared, { manifest: ctx.manifest, ...grant, rows: ROWS, probes: ['fs-read-outside', 'net-connect'] });
    const bombs = await runCapabilityMatrix(prepared, { manifest: ctx.manifest, ...grant, rows: ['wasmtime-embed', 'docker-hardened'], probes: ['mem-bomb', 'cpu-spin'] });
    matrix = { probes: PROBES, notes: main.notes, rows: main.rows.map((r) => ({ ...r, cells: [...r.cells, ...(bombs.rows.find((b) => b.id === r.id)?.cells ?? [])] })) };
  } finally {
    useSpawner(null);
  }
});

afterAll(async () => {
  await disposeAll(prepared);
});

/** The row, or undefined when its runtime is unavailable here (a failure when the target is required). */
function row(id: string): CapabilityRow | undefined {
  const r = matrix.rows.find((x) => x.id === id);
  const targetId = r?.target ?? id.replace(/-.*$/, '');
  if (!r || r.skipped) {
    if (REQUIRED.includes(targetId)) throw new Error(`${id} is required ($BENCH_REQUIRE) but skipped: ${r?.skipped?.reason ?? 'no row'}`);
    return undefined;
  }
  return r;
}

function outcome(r: CapabilityRow, probe: ProbeName): string {
  const c = r.cells.find((x) => x.probe === probe);
  if (!c) throw new Error(`${r.id}: no ${probe} cell`);
  return c.outcome;
}

describe('capability matrix (real runs)', () => {
  it('every cell carries runtime version, artifact sha256, exit code or signal, and duration', () => {
    for (const r of matrix.rows.filter((x) => !x.skipped)) {
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

  it('fs-read-outside: allowed on native, denied on the jco sandbox and on wasmtime-embed', (ctx) => {
    const n = row('native');
    const j = row('jco');
    const w = row('wasmtime-embed');
    if (!n && !j && !w) return ctx.skip();
    if (n) expect(outcome(n, 'fs-read-outside')).toBe('allowed');
    if (j) expect(outcome(j, 'fs-read-outside')).toBe('denied');
    if (w) expect(outcome(w, 'fs-read-outside')).toBe('denied');
  });

  it('net-connect: allowed only on native (the listener saw the connection); absent or denied everywhere else', () => {
    const n = row('native');
    if (n) {
      expect(outcome(n, 'net-connect')).toBe('allowed');
      expect(n.cells.find((c) => c.probe === 'net-connect')!.harnessEvidence).toMatch(/accepted [1-9]/);
    }
    for (const id of ROWS.filter((x) => x !== 'native')) {
      const r = row(id);
      if (r) expect(['absent', 'denied'], id).toContain(outcome(r, 'net-connect'));
    }
  });

  it('mem-bomb and cpu-spin are contained on wasmtime-embed and on docker-hardened', (ctx) => {
    const w = row('wasmtime-embed');
    const d = row('docker-hardened');
    if (!w && !d) return ctx.skip();
    for (const r of [w, d].filter((x): x is CapabilityRow => !!x)) {
      expect(outcome(r, 'mem-bomb'), `${r.id} mem-bomb`).toBe('contained');
      expect(outcome(r, 'cpu-spin'), `${r.id} cpu-spin`).toBe('contained');
    }
  });
});
