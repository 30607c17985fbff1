import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_VERSION, type ArtifactRecord, type Baseline, type CrossRatio, type ExitCodes, type Footprint, type Results, type Sample, type Stats, type TargetClass, type TargetInfo, type TargetResult, type WorkloadRecord } from '../harness/model.js';
import { bootstrapRatioCI, computeStats } from '../harness/measure/stats.js';
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

/** A workload record as `wvc bench` writes it; `makeResults` fills in its baselines from the rows unless given. */
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
    baselines: { floor: null, container: null },
    ...o,
  };
}

/** What a variant declares about itself (harness/targets/types.ts VariantSpec), as a row records it. */
export interface VariantFacts {
  class: TargetClass;
  defaultVariant: boolean;
  baseline: Baseline | null;
  phaseSource: string | null;
  cacheState: string;
  exitCodes: ExitCodes;
  notes: string[];
}

/**
 * What the harness's targets declare about their variants, so rows the builder makes
 * look like the bench's. `*` is any other variant of that target. Any other id is a Wasm
 * runtime's default variant with an undocumented cache state.
 */
export const VARIANT_FACTS: Readonly<Record<string, Partial<VariantFacts>>> = {
  'native/*': { class: 'native', defaultVariant: true, baseline: 'floor', phaseSource: null, cacheState: 'nothing to compile; the binary is in the page cache after the warm-ups', exitCodes: 'exact' },
  // No baseline: a JavaScript workload has no × native column (harness/targets/node.ts).
  'node/*': { class: 'script', defaultVariant: true, phaseSource: null, cacheState: 'Node compiles the script on every run (no V8 code cache)', exitCodes: 'exact' },
  'node-wasi/*': { class: 'wasm', defaultVariant: true, phaseSource: 'performance marks on a side channel (boot = Node start to host script)', cacheState: 'Node compiles the core module on every run (no V8 code cache)', exitCodes: 'exact' },
  'jco/*': { class: 'wasm', defaultVariant: true, phaseSource: 'performance marks on a side channel (boot = Node start to host script)', cacheState: 'Node compiles the transpiled component on every run (no V8 code cache)', exitCodes: 'ok-err' },
  'wasmtime-embed/jit': { class: 'wasm', defaultVariant: true, phaseSource: 'reported by the embedding host (engine, load or compile, instantiate, run)', cacheState: 'compiles the component on every run (the host has no code cache)', exitCodes: 'ok-err' },
  'wasmtime-embed/aot': { class: 'wasm', defaultVariant: false, phaseSource: 'reported by the embedding host (engine, load or compile, instantiate, run)', cacheState: 'deserializes the precompiled .cwasm; nothing is compiled at start', exitCodes: 'ok-err' },
  'wasmtime/jit-cache-off': { class: 'wasm', defaultVariant: true, phaseSource: null, cacheState: 'compiles on every run (-C cache=n disables the on-disk code cache)', exitCodes: 'ok-err' },
  'wasmtime/precompiled': { class: 'wasm', defaultVariant: false, phaseSource: null, cacheState: 'loads a .cwasm made by wasmtime compile (--allow-precompiled)', exitCodes: 'ok-err' },
  'docker/default': { class: 'container', defaultVariant: true, baseline: 'container', phaseSource: 'Engine API call timings, plus the container State.StartedAt/FinishedAt', cacheState: 'image local, layers on disk: no pull is measured', exitCodes: 'exact' },
  'docker/*': { class: 'container', defaultVariant: false, phaseSource: 'Engine API call timings, plus the container State.StartedAt/FinishedAt', cacheState: 'image local, layers on disk: no pull is measured', exitCodes: 'exact' },
};

/** The facts of `id/variant` (see {@link VARIANT_FACTS}), each overridable. */
export function variantFacts(id: string, variant: string, over: Partial<VariantFacts> = {}): VariantFacts {
  const known = VARIANT_FACTS[`${id}/${variant}`] ?? VARIANT_FACTS[`${id}/*`] ?? {};
  return { class: 'wasm', defaultVariant: true, baseline: null, phaseSource: null, cacheState: 'not documented for this target', exitCodes: 'exact', notes: [], ...known, ...over };
}

const WASI_P2_EXIT =
  'WASI 0.2 components (jco, wasmtime-embed, wasmtime) report exit codes only as ok/err: the stable wasi:cli/exit takes a result, so every non-zero exit arrives as 1; the reason is on stderr.';

/** The methodology caveats the harness's targets declare (TargetDefinition.caveats). */
export const TARGET_CAVEATS: Readonly<Record<string, string[]>> = {
  node: ["node runs a JavaScript workload's script directly on the Node that runs the harness, with no sandbox: the floor for JavaScript, as native/static is for C."],
  'node-wasi': [
    'node:wasi is not a security sandbox. Node\'s documentation: "The node:wasi module does not currently provide the comprehensive file system security properties provided by some WASI runtimes." Its numbers are a runtime cost, not a sandbox\'s.',
  ],
  jco: [WASI_P2_EXIT],
  'wasmtime-embed': [WASI_P2_EXIT],
  wasmtime: [WASI_P2_EXIT],
  docker: ["Docker is measured through the Engine API (create/start/wait/remove, what `docker run --rm` does), so no docker CLI process start is included; its peak memory is the container's cgroup peak, not the daemon's."],
};

/** `targetInfo` for the ids of some rows, in first-seen order, as `wvc bench` records it. */
export function targetInfoOf(targets: readonly { id: string }[]): TargetInfo[] {
  return [...new Set(targets.map((t) => t.id))].map((id) => ({ id, summary: `${id} (test)`, caveats: [...(TARGET_CAVEATS[id] ?? [])] }));
}

/**
 * Every later workload's ok row over every earlier workload's, with the bootstrap CI of the
 * samples (seed: the run's), as `wvc bench` stores them. Call it again after changing samples.
 */
export function crossRatiosOf(r: Pick<Results, 'workloads' | 'targets' | 'seed'>): CrossRatio[] {
  const order = (w: string) => r.workloads.findIndex((x) => x.name === w);
  const ok = r.targets.filter((t): t is Extract<TargetResult, { status: 'ok' }> => t.status === 'ok' && !!t.coldStart.stats);
  const ms = (t: (typeof ok)[number]) => t.coldStart.samples.filter((s) => s.ok).map((s) => s.ms);
  const out: CrossRatio[] = [];
  for (const a of ok) {
    for (const b of ok) {
      if (order(a.workload) <= order(b.workload)) continue;
      const { ratio, ci95 } = bootstrapRatioCI(ms(a), ms(b), { seed: r.seed });
      out.push({ a: { workload: a.workload, id: a.id, variant: a.variant }, b: { workload: b.workload, id: b.id, variant: b.variant }, ratio, ci95 });
    }
  }
  return out;
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
    /** Overrides of what the variant declares (class, defaultVariant, exitCodes, …). */
    facts?: Partial<VariantFacts>;
  } = {},
): TargetResult {
  const stats = o.stats ?? computeStats(ms, { seed: 7 });
  return {
    workload: o.workload ?? C_WORKLOAD,
    id,
    variant,
    label: `${id} (${variant})`,
    invocation: { kind: 'process', argv: [`/usr/bin/${id}`, variant], env: {} },
    ...variantFacts(id, variant, o.facts),
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

/** A workload's baselines from its rows: the first row declaring each, as `id/variant`. */
function baselinesOf(targets: readonly TargetResult[], w: string): WorkloadRecord['baselines'] {
  const first = (b: Baseline) => {
    const t = targets.find((x) => x.workload === w && x.status === 'ok' && x.baseline === b);
    return t ? `${t.id}/${t.variant}` : null;
  };
  return { floor: first('floor'), container: first('container') };
}

/**
 * A complete, schema-valid Results around the given targets and artifacts; one C workload
 * unless `over.workloads` says otherwise. Each workload's baselines (when it gives none),
 * `targetInfo` and `crossRatios` are derived from the rows, as the bench records them.
 */
export function makeResults(targets: TargetResult[], artifacts: ArtifactRecord[], over: Partial<Results> = {}): Results {
  const { workloads: given, ...rest } = over;
  const workloads = (given ?? [workload(C_WORKLOAD, 'C')]).map((w) =>
    w.baselines.floor === null && w.baselines.container === null ? { ...w, baselines: baselinesOf(targets, w.name) } : w,
  );
  const r: Results = {
    schemaVersion: SCHEMA_VERSION,
    runId: 'run-1',
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:05:00.000Z',
    complete: true,
    seed: 42,
    options: { runs: 30, warmup: 3, targets: [...new Set(targets.map((t) => t.id))], quick: false },
    workloads,
    environment: {
      os: 'Debian 12',
      kernel: 'Linux 6.1.0 x86_64',
      cpuModel: 'Test CPU',
      cpus: 4,
      memoryBytes: 16 * 1024 ** 3,
      node: 'v20.0.0',
      runtimes: { docker: '27.0.1', 'wasmtime-embed': '49.0.0', wasmtime: null },
      harnessVersion: '0.1.0',
      gitCommit: 'abc123',
    },
    calibration: { spawnOverheadMs: 1.5, samples: [1.5], stats: null, note: 'spawn a no-op; shown, never subtracted' },
    artifacts,
    targets,
    footprint: null,
    capabilities: null,
    warnings: [],
    targetInfo: targetInfoOf(targets),
    crossRatios: [],
    crossCheck: null,
    timeline: null,
    ...rest,
  } as Results;
  return over.crossRatios ? r : { ...r, crossRatios: crossRatiosOf(r) };
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
      // As the shipped manifests: the same task in two languages.
      workload(C, 'C', { task: 'tax-calculator' }),
      workload(JS, 'JavaScript', {
        task: 'tax-calculator',
        notApplicable: [
          { target: 'native', reason: 'the workload declares no native artifact' },
          { target: 'node-wasi', reason: 'the workload declares no core artifact' },
        ],
      }),
    ],
    footprint,
  });
}
