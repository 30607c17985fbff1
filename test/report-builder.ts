import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ArtifactRecord, Results, Sample, TargetResult, WorkloadRecord } from '../harness/model.js';
import type { Footprint } from '../harness/measure/footprint.js';
import { computeStats, type Stats } from '../harness/measure/stats.js';
import { assertResults } from '../harness/report/load.js';
import { ROOT } from './support.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** A fixture as written: results-sample.json and results-probes.json are real schemaVersion 1 runs. */
export function rawFixture(name = 'results-sample.json'): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** The real results.json of a quick bench (5 rounds, schemaVersion 1), as the reports load it: upgraded to the current model. */
export function fixture(name = 'results-sample.json'): Results {
  return assertResults(rawFixture(name), name);
}

/** A sha256-looking hex string from a short tag (tests only). */
export function sha(tag: string): string {
  return Buffer.from(tag.repeat(64)).toString('hex').slice(0, 64);
}

export const samplesOf = (ms: number[]): Sample[] => ms.map((x, round) => ({ round, ms: x, ok: true, exitCode: 0 }));

/** The builder's primary workload. */
export const C_WORKLOAD = 'tax-calculator';
/** The builder's JavaScript workload. */
export const JS_WORKLOAD = 'tax-calculator-js';

/** A workload record as `wvc bench` writes it. */
export function workload(name: string, language: string, o: Partial<WorkloadRecord> = {}): WorkloadRecord {
  return {
    name,
    language,
    description: `${name} (test)`,
    manifest: `modules/${name}/workload.json`,
    manifestSha256: sha(name),
    args: ['--postal-code=10001'],
    expectedStdout: '{"tax_cents":1109}\n',
    notApplicable: [],
    ...o,
  };
}

/**
 * A measured target variant with the given cold-start samples; stats are
 * computed (seed 7) unless `stats` is given, so tests can pin exact figures.
 * The row runs the primary workload unless `workload` says otherwise.
 */
export function okTarget(
  id: string,
  variant: string,
  ms: number[],
  o: {
    workload?: string;
    stats?: Stats;
    artifact?: string;
    vsNative?: { ratio: number; ci95: [number, number] } | null;
    vsDocker?: { ratio: number; ci95: [number, number] } | null;
    memory?: number | null;
    warm?: Stats | null;
    phases?: Record<string, number> | null;
  } = {},
): TargetResult {
  const stats = o.stats ?? computeStats(ms, { seed: 7 });
  return {
    workload: o.workload ?? C_WORKLOAD,
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

/** A complete, schema-valid Results around the given targets and artifacts; one C workload unless `over.workloads` says otherwise. */
export function makeResults(targets: TargetResult[], artifacts: ArtifactRecord[], over: Partial<Results> = {}): Results {
  return {
    schemaVersion: 2,
    runId: 'run-1',
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:05:00.000Z',
    complete: true,
    seed: 42,
    options: { runs: 30, warmup: 3, targets: [...new Set(targets.map((t) => t.id))], quick: false },
    workloads: [workload(C_WORKLOAD, 'C')],
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
    [okTarget('wasmtime-embed', 'aot', wasmMs, { artifact: 'tax-calculator/component-cwasm' }), okTarget('docker', 'default', dockerMs, { artifact: 'tax-calculator/image' })],
    [artifact('tax-calculator/component-cwasm', 'file', sizes.wasm), artifact('tax-calculator/image', 'image', sizes.image)],
  );
}

const times = (x: number, n = 5) => Array.from({ length: n }, () => x);

/** The figures of {@link cVsJs}, each overridable; `null` leaves that row or artifact out. */
export interface LanguageFigures {
  cComponent: number | null;
  cCwasm: number;
  cImage: number;
  cNative: number;
  cNativeMs: number;
  cJitMs: number;
  cJitLoad: number;
  cAotMs: number | null;
  cDockerMs: number;
  cCompileMs: number;
  cLoadMs: number;
  jsComponent: number | null;
  jsCwasm: number;
  jsImage: number | null;
  jsScript: number;
  jsNodeMs: number;
  jsJitMs: number;
  jsJitLoad: number;
  jsAotMs: number | null;
  jsDockerMs: number | null;
  jsCompileMs: number;
  jsLoadMs: number;
}

/**
 * A two-workload run, C then JavaScript, with constant samples: by default a 79 kB C
 * component starting in 10 ms (AOT), and a 13 MB JavaScript component starting in
 * 90 ms (AOT) next to a 150 MB JavaScript container starting in 420 ms.
 */
export function cVsJs(over: Partial<LanguageFigures> = {}): Results {
  const f: LanguageFigures = {
    cComponent: 79_000,
    cCwasm: 224_000,
    cImage: 55_000,
    cNative: 55_000,
    cNativeMs: 2,
    cJitMs: 60,
    cJitLoad: 55,
    cAotMs: 10,
    cDockerMs: 300,
    cCompileMs: 62,
    cLoadMs: 180,
    jsComponent: 13_000_000,
    jsCwasm: 34_000_000,
    jsImage: 150_000_000,
    jsScript: 9_000,
    jsNodeMs: 40,
    jsJitMs: 6000,
    jsJitLoad: 5800,
    jsAotMs: 90,
    jsDockerMs: 420,
    jsCompileMs: 6100,
    jsLoadMs: 2500,
    ...over,
  };
  const C = C_WORKLOAD;
  const JS = JS_WORKLOAD;
  const a = (w: string, role: string, kind: ArtifactRecord['kind'], bytes: number | null) => (bytes === null ? [] : [artifact(`${w}/${role}`, kind, bytes)]);
  const targets: TargetResult[] = [
    okTarget('native', 'static', times(f.cNativeMs), { artifact: `${C}/native` }),
    okTarget('wasmtime-embed', 'jit', times(f.cJitMs), { artifact: `${C}/component`, phases: { engine: 0.3, load: f.cJitLoad, instantiate: 0.5, run: 1 } }),
    ...(f.cAotMs === null ? [] : [okTarget('wasmtime-embed', 'aot', times(f.cAotMs), { artifact: `${C}/component-cwasm`, phases: { engine: 0.3, load: 0.6, instantiate: 0.5, run: 1 } })]),
    okTarget('docker', 'default', times(f.cDockerMs), { artifact: `${C}/image` }),
    okTarget('node', 'default', times(f.jsNodeMs), { workload: JS, artifact: `${JS}/script` }),
    okTarget('wasmtime-embed', 'jit', times(f.jsJitMs), { workload: JS, artifact: `${JS}/component`, phases: { engine: 0.3, load: f.jsJitLoad, instantiate: 20, run: 30 } }),
    ...(f.jsAotMs === null ? [] : [okTarget('wasmtime-embed', 'aot', times(f.jsAotMs), { workload: JS, artifact: `${JS}/component-cwasm`, phases: { engine: 0.3, load: 40, instantiate: 20, run: 25 } })]),
    ...(f.jsDockerMs === null ? [] : [okTarget('docker', 'default', times(f.jsDockerMs), { workload: JS, artifact: `${JS}/image` })]),
  ];
  const artifacts = [
    ...a(C, 'native', 'file', f.cNative),
    ...a(C, 'component', 'file', f.cComponent),
    ...a(C, 'component-cwasm', 'file', f.cCwasm),
    ...a(C, 'image', 'image', f.cImage),
    ...a(JS, 'script', 'directory', f.jsScript),
    ...a(JS, 'component', 'file', f.jsComponent),
    ...a(JS, 'component-cwasm', 'file', f.jsCwasm),
    ...a(JS, 'image', 'image', f.jsImage),
    artifact('image-node-base', 'image', 140_000_000),
    artifact('wasmtime-embed-host', 'file', 28_168),
  ];
  const footprint: Footprint = {
    artifacts: [],
    images: [],
    rollout: [
      { id: `wasm-aot:${C}/component`, label: `copy ${C}/component + AOT compile (wasmtime-embed)`, what: 'copy and precompile', unit: 'ms', samples: times(f.cCompileMs + 0.2), median: f.cCompileMs + 0.2, steps: { copy: 0.2, compile: f.cCompileMs } },
      { id: `wasm-aot:${JS}/component`, label: `copy ${JS}/component + AOT compile (wasmtime-embed)`, what: 'copy and precompile', unit: 'ms', samples: times(f.jsCompileMs + 8), median: f.jsCompileMs + 8, steps: { copy: 8, compile: f.jsCompileMs } },
      { id: `docker-load:${C}/image`, label: 'docker load wvc/tax-calculator:1', what: 'docker load of the saved image', unit: 'ms', samples: times(f.cLoadMs), median: f.cLoadMs },
      { id: `docker-load:${JS}/image`, label: 'docker load wvc/tax-calculator-js:1', what: 'docker load of the saved image and its base', unit: 'ms', samples: times(f.jsLoadMs), median: f.jsLoadMs },
    ],
    runtimes: [],
    notes: [],
  };
  return makeResults(targets, artifacts, {
    workloads: [
      workload(C, 'C'),
      workload(JS, 'JavaScript', {
        notApplicable: [
          { target: 'native', reason: 'the workload declares no native artifact' },
          { target: 'node-wasi', reason: 'the workload declares no core artifact' },
        ],
      }),
    ],
    footprint,
  });
}
