import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ArtifactRecord, Results, Sample, TargetResult } from '../harness/model.js';
import { computeStats, type Stats } from '../harness/measure/stats.js';
import { ROOT } from './support.js';

/** The real results.json of a quick bench (5 rounds), kept as a fixture. */
export function fixture(): Results {
  return JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'results-sample.json'), 'utf8')) as Results;
}

/** A sha256-looking hex string from a short tag (tests only). */
export function sha(tag: string): string {
  return Buffer.from(tag.repeat(64)).toString('hex').slice(0, 64);
}

export const samplesOf = (ms: number[]): Sample[] => ms.map((x, round) => ({ round, ms: x, ok: true, exitCode: 0 }));

/**
 * A measured target variant with the given cold-start samples; stats are
 * computed (seed 7) unless `stats` is given, so tests can pin exact figures.
 */
export function okTarget(
  id: string,
  variant: string,
  ms: number[],
  o: { stats?: Stats; artifact?: string; vsNative?: { ratio: number; ci95: [number, number] } | null; vsDocker?: { ratio: number; ci95: [number, number] } | null; memory?: number | null; warm?: Stats | null; phases?: Record<string, number> | null } = {},
): TargetResult {
  const stats = o.stats ?? computeStats(ms, { seed: 7 });
  return {
    id,
    variant,
    label: `${id} (${variant})`,
    runtime: { name: id, version: `${id}-1.0` },
    command: `${id} <args>`,
    grants: ['fs:/rules (read-only)'],
    artifact: o.artifact ? { id: o.artifact, sha256: sha(o.artifact) } : null,
    status: 'ok',
    reason: null,
    coldStart: { unit: 'ms', samples: samplesOf(ms), failures: 0, outliers: { count: 0, indices: [], fraction: 0 }, stats, warnings: [] },
    phases: o.phases ? { unit: 'ms', source: 'test', medians: o.phases } : null,
    warm: o.warm ? { status: 'ok', unit: 'ms', mode: 'test loop', samples: [o.warm.median], stats: o.warm, note: 'fresh instance per request' } : { status: 'n/a', note: 'no in-process equivalent' },
    memory: o.memory === undefined || o.memory === null ? null : { unit: 'bytes', covers: 'peak RSS (test)', median: o.memory, max: o.memory },
    vsNative: o.vsNative ?? null,
    vsDocker: o.vsDocker ?? null,
  };
}

export function artifact(id: string, kind: ArtifactRecord['kind'], bytes: number): ArtifactRecord {
  return { id, kind, bytes, sha256: sha(id) };
}

/** A complete, schema-valid Results around the given targets and artifacts. */
export function makeResults(targets: TargetResult[], artifacts: ArtifactRecord[], over: Partial<Results> = {}): Results {
  return {
    schemaVersion: 1,
    runId: 'run-1',
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:05:00.000Z',
    complete: true,
    seed: 42,
    options: { runs: 30, warmup: 3, targets: [...new Set(targets.map((t) => t.id))], quick: false },
    workload: { name: 'tax (test)', args: ['--postal-code=10001'], expectedStdout: '{"tax_cents":1109}\n' },
    environment: {
      os: 'Debian 12',
      kernel: 'Linux 6.1.0 x86_64',
      cpuModel: 'Test CPU',
      cpus: 4,
      memoryBytes: 16 * 1024 ** 3,
      node: 'v20.0.0',
      docker: '27.0.1',
      wasmtime: '49.0.0',
      wasmtimeCli: null,
      harnessVersion: '0.1.0',
      gitCommit: 'abc123',
    },
    calibration: { spawnOverheadMs: 1.5, samples: [1.5], stats: null, note: 'spawn a no-op; shown, never subtracted' },
    artifacts,
    targets,
    footprint: null,
    capabilities: null,
    warnings: [],
    ...over,
  };
}

/** A Wasm target at `wasmMs` and a container at `dockerMs` (constant samples), with a component and an image of the given sizes. */
export function wasmVsDocker(wasmMs: number[], dockerMs: number[], sizes = { wasm: 70_069, image: 46_736 }): Results {
  return makeResults(
    [okTarget('wasmtime-embed', 'aot', wasmMs, { artifact: 'component-cwasm' }), okTarget('docker', 'default', dockerMs, { artifact: 'image-scratch' })],
    [artifact('component-cwasm', 'file', sizes.wasm), artifact('image-scratch', 'image', sizes.image)],
  );
}
