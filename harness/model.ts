/**
 * The result model: what a bench run measured, as written to results.json and
 * validated against harness/schema/results.schema.json. Every report is a pure
 * function of this.
 */

export const SCHEMA_VERSION = 3;

/** A target's id in the registry (`native`, `docker`, ...). */
export type TargetId = string;
/** A variant's name within its target (`static`, `aot`, `hardened`, ...). */
export type VariantName = string;
/**
 * An artifact role: one a workload declares (`native`, `core`, `component`, `script`,
 * `image`, `imageDebian`) or one a target derives from it (`component-cwasm`, `jco-bundle`, ...).
 */
export type ArtifactRole = string;

/** What a target variant is, for the claims and the class colours of the charts. */
export type TargetClass = 'native' | 'script' | 'wasm' | 'container';
/** The classes of a language's floor: the program with no sandbox (a native binary, a script on its interpreter). */
export const isFloorClass = (c: TargetClass): boolean => c === 'native' || c === 'script';

/**
 * A baseline of the ratio columns: `floor` is the program with no sandbox (× native),
 * `container` the container runtime's default configuration (× docker).
 */
export type Baseline = 'floor' | 'container';
/** How much of the guest's exit code reaches the caller: `exact`, or only success/failure (`ok-err`). */
export type ExitCodes = 'exact' | 'ok-err';

/**
 * Exactly how one sample of a variant is started: a process's argv (argv[0] an
 * absolute path) and environment, which `hyperfine -N` can run as they are; or
 * an API call sequence, with the equivalent CLI command when there is one.
 */
export type Invocation =
  | { kind: 'process'; argv: string[]; env: Record<string, string> }
  | { kind: 'api'; calls: string; equivalent: { argv: string[]; env: Record<string, string> } | null };

export interface RuntimeInfo {
  name: string;
  version: string;
}


/** Summary of one set of samples; see the module comment for the conventions. */
export interface Stats {
  /** Number of samples. */
  n: number;
  min: number;
  max: number;
  /** Type-7 median (mean of the two middle values for even n). */
  median: number;
  mean: number;
  /** Sample standard deviation (divisor n − 1); 0 when n = 1. */
  sd: number;
  /** 95th percentile, type-7 linear interpolation. */
  p95: number;
  /** 99th percentile, type-7 linear interpolation. */
  p99: number;
  /** Raw (unscaled) median absolute deviation: median(|xᵢ − median|). */
  mad: number;
  /** 95% percentile-bootstrap confidence interval of the median; [x, x] when n = 1. */
  ci95: [number, number];
}

/** A problem with a set of samples that a reader of the numbers should know about. */
export interface Warning {
  kind: 'outliers' | 'first-run-outlier' | 'few-samples' | 'failed-samples';
  /** One line: what was seen. */
  message: string;
  /** One line: what to do about it. */
  advice: string;
}

export interface ArtifactFootprint {
  id: string;
  kind: string;
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
  brotliQuality: number;
  sha256: string;
  /** How a directory was measured (a deterministic tar of its files). */
  note?: string;
}

export interface ImageFootprint {
  id: string;
  tag: string;
  /** `docker image inspect` Size: the unpacked size in the engine. */
  imageBytes: number;
  /** Bytes of `docker save`: what a registry stores, layer tars plus metadata. */
  saveTarBytes: number;
  /** gzip -9 of that tar: about what a registry transfer moves. */
  saveGzipBytes: number;
  /** brotli of that tar, at `brotliQuality` (11 up to 32 MiB, else 6). Absent in runs before it was measured. */
  saveBrotliBytes?: number;
  brotliQuality?: number;
  layers: number;
}

/** Preparing one node to run the workload, timed: the "rollout cost per node". */
export interface RolloutCost {
  id: string;
  label: string;
  what: string;
  unit: 'ms';
  samples: number[];
  median: number;
  /** Medians of the steps, e.g. copy and AOT compile. */
  steps?: Record<string, number>;
}

export interface RuntimeFootprint {
  /** What must be installed on a node before the first module runs. */
  name: string;
  files: { path: string; bytes: number }[];
  totalBytes: number;
  missing: string[];
}

export interface Footprint {
  artifacts: ArtifactFootprint[];
  images: ImageFootprint[];
  rollout: RolloutCost[];
  runtimes: RuntimeFootprint[];
  notes: string[];
}

export const PROBES = ['fs-read-outside', 'fs-write-granted', 'fs-write-outside', 'env-read', 'net-connect', 'clock', 'random', 'mem-bomb', 'cpu-spin'] as const;
export type ProbeName = (typeof PROBES)[number];

export type Outcome = 'denied' | 'allowed' | 'absent' | 'contained' | 'uncontained' | 'error';

export interface Cell {
  probe: ProbeName;
  outcome: Outcome;
  /** The workload's errno/message or the runtime's trap text: what an operator would see. */
  evidence: string;
  /** What the harness observed: sentinel seen?, watched dir entries, listener connections, secret seen?, grant unchanged?, killed after N ms. */
  harnessEvidence: string;
  /** For denied/contained cells (except env-read): whether the evidence says why (an errno string, a trap message, an OOM report) rather than a bare kill or a silent crash. */
  denialNamed?: boolean;
  /** node:wasi denials are policy of a host that says it is not a sandbox, not isolation. */
  policy?: boolean;
  exitCode: number | null;
  signal?: string | null;
  /** The runtime's trap line, when it printed one (wasmtime-embed: {"trap":...} on stderr). */
  trap?: string;
  durationMs: number;
  runtime: { name: string; version: string };
  artifactSha256: string;
  /**
   * A bomb (mem-bomb, cpu-spin) is run once per runtime configuration — target, variant
   * and the limits asked of it — and its cell copied to later workloads' rows with the
   * same configuration: this names the workload whose run decided it.
   */
  measuredOn?: string;
}

/**
 * Which program ran a row's probes: the harness's own probe guest (harness/probe-guest/probe.c),
 * under the workload's grants and the target's configuration for it, or the workload's own
 * probe mode (`"probes": true` in its manifest). Rows without one predate the probe guest: the workload's.
 */
export type ProbeGuest = 'probe-guest' | 'workload';

export interface CapabilityRow {
  /** The workload whose configuration (grants, target variant) the row probed. */
  workload: string;
  /** Which program ran the probes (absent: the workload's own probe mode). */
  guest?: ProbeGuest;
  /**
   * A probe-guest row is measured once per configuration — target variant, the workload's grants,
   * the probes and their bounds — and copied to a later workload with the same configuration:
   * this names the workload whose run measured it.
   */
  measuredOn?: string;
  /** Row id: native, node, node-wasi, jco, jco-default-shim, wasmtime-embed, wasmtime, docker-default, docker-hardened. */
  id: string;
  target: string;
  variant: string;
  label: string;
  policyNote?: string;
  /** Limits the harness asked the runtime to enforce, and the time bound it enforced itself. */
  limits: string;
  /** Every denied/contained cell names its reason (null: nothing was denied or contained). */
  denialNamesCapability: boolean | null;
  /** Set when the row could not run (runtime not installed, no probe() on the target). */
  skipped?: { reason: string; hint: string };
  cells: Cell[];
}

export interface CapabilityMatrix {
  probes: string[];
  rows: CapabilityRow[];
  notes: string[];
}


export interface Environment {
  os: string;
  kernel: string;
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
  node: string;
  /** Each registered target's runtime version (its `version()`), or null when it is not installed. */
  runtimes: Record<TargetId, string | null>;
  harnessVersion: string;
  gitCommit: string | null;
}

/** One measured cold start. A failed sample (wrong answer, non-zero exit, timeout) is kept, never dropped. */
export interface Sample {
  round: number;
  /** The runtime's time: a process's spawn to reap in the spawner (CLOCK_MONOTONIC), an API target's first call to last. */
  ms: number;
  /** A process's spawn to 'close' as Node saw it (the harness's own spawn path included), for reference. */
  outerMs?: number;
  ok: boolean;
  exitCode: number | null;
  /** Why the sample failed, with the workload's stderr. */
  error?: string;
  phases?: Record<string, number>;
  peakMemoryBytes?: number;
}

export interface ColdStart {
  unit: 'ms';
  samples: Sample[];
  failures: number;
  outliers: { count: number; indices: number[]; fraction: number };
  /** Over the successful samples; null when none succeeded. */
  stats: Stats | null;
  warnings: Warning[];
  /**
   * Why sampling stopped: `precision` (the CI of the median within ±ciTarget), `budget`
   * (the variant's time budget ran out first), `rounds` (every round ran: --runs, or the
   * round cap), `interrupted`, `vanished` (the runtime stopped answering: its last runs could not
   * reach it, see measure/rows.ts). Absent in runs before the adaptive stop.
   */
  stop?: StopReason;
}

export type StopReason = 'precision' | 'budget' | 'rounds' | 'interrupted' | 'vanished';

/** The adaptive stop the run used (see harness/measure/schedule.ts), or null with --runs (every round runs). */
export interface AdaptiveOptions {
  ciTarget: number;
  minSamples: number;
  budgetMs: number;
  /** The budget stops a variant only once it has this many samples. */
  minBudgetSamples?: number;
  maxRounds: number;
}

/** Median and range of each phase over the successful samples. */
export interface Phases {
  unit: 'ms';
  /** Where the numbers come from, e.g. "Engine API call timings" or "host side channel". */
  source: string;
  medians: Record<string, number>;
}

export type Warm =
  | {
      status: 'ok';
      unit: 'ms';
      mode: string;
      samples: number[];
      stats: Stats;
      /** Median of the per-request instantiate time (fresh store + WASI context + instantiate), when the host times it apart. */
      instantiateMedianMs?: number;
      /** Median of the per-request run time (the guest's entry point), when the host times it apart. */
      runMedianMs?: number;
      note: string;
    }
  | { status: 'n/a'; note: string };

export interface Memory {
  unit: 'bytes';
  /** Exactly what the figure covers, e.g. "peak RSS of the runtime process (ru_maxrss)". */
  covers: string;
  median: number;
  max: number;
}

export interface Ratio {
  ratio: number;
  ci95: [number, number];
}

interface TargetBase {
  /** The workload this row ran (`Results.workloads[].name`). */
  workload: string;
  id: TargetId;
  variant: VariantName;
  label: string;
  /** What the variant declares about itself (harness/targets/types.ts VariantSpec), recorded so reports need no target knowledge. */
  class: TargetClass;
  /** The target's first variant: the runtime's default configuration (the others are its tuned or hardened ones). */
  defaultVariant: boolean;
  /** The ratio column this variant is the baseline of, if any. */
  baseline: Baseline | null;
  /** Where its phase numbers come from, or null when it reports none. */
  phaseSource: string | null;
  /** Where its compiled code comes from on a cold start. */
  cacheState: string;
  exitCodes: ExitCodes;
  /** Caveats an operator should read next to the numbers. */
  notes: string[];
  /** For a container variant, the stack it starts through and its depth above the OCI runtime (see VariantSpec.layer). */
  layer?: { name: string; depth: number };
  runtime: RuntimeInfo | null;
  /** The exact command line of a sample (shell-quoted from `invocation`), or the API calls; null for rows that did not run. */
  command: string | null;
  /** The exact argv and environment of a sample; null for rows that did not run. */
  invocation: Invocation | null;
  grants: string[];
  /** The artifact this variant runs, and its sha256. */
  artifact: { id: string; sha256: string } | null;
}

export type TargetResult =
  | (TargetBase & {
      status: 'ok';
      reason: null;
      coldStart: ColdStart;
      phases: Phases | null;
      warm: Warm;
      memory: Memory | null;
      vsNative: Ratio | null;
      vsDocker: Ratio | null;
      /** Ratio to the workload's fastest container variant at any layer (absent in runs before it was measured). */
      vsBestContainer?: Ratio | null;
    })
  | (TargetBase & { status: 'skipped'; reason: string; hint: string })
  | (TargetBase & { status: 'errored'; reason: string; coldStart?: ColdStart });

/** Build-manifest and results id of one of a workload's artifacts: `<workload>/<role>`. */
export function artifactId(workload: string, role: string): string {
  return `${workload}/${role}`;
}

/** The workload and role an artifact id names, or null for the harness's own artifacts (`spawner`, `image-node-base`). */
export function splitArtifactId(id: string): { workload: string; role: string } | null {
  const slash = id.indexOf('/');
  return slash < 0 ? null : { workload: id.slice(0, slash), role: id.slice(slash + 1) };
}

/**
 * The ratio of one row's cold-start median to another's from a different workload
 * (a later workload over an earlier one), with its bootstrap CI, computed at bench time.
 */
export interface CrossRatio {
  a: { workload: string; id: TargetId; variant: VariantName };
  b: { workload: string; id: TargetId; variant: VariantName };
  ratio: number;
  ci95: [number, number];
}

/** One row timed by an independent tool in the same run, next to the harness's own median. */
export type CrossCheck = {
  workload: string;
  id: TargetId;
  variant: VariantName;
  /** Why this row was checked: the floor, the fastest Wasm variant, the container baseline against its CLI. */
  why: string;
  /** `hyperfine --version`. */
  tool: string;
  /** The command line that reproduces the tool's figure. */
  command: string;
  runs: number;
  harnessMedianMs: number;
  /** What the harness's figure spans: spawn to reap in the spawner, or the API calls. */
  harnessMeasures: string;
} & ({ status: 'ok'; toolMedianMs: number; ratio: number; warning?: string } | { status: 'failed'; error: string });

/** The cross-check step: `off` (with why) when hyperfine is missing or --no-cross-check was given. */
export type CrossChecks = { status: 'ok'; tool: string; checks: CrossCheck[] } | { status: 'off'; reason: string; checks: CrossCheck[] };

/** Which variant a plugin-platform row (density, burst) measured. */
export interface VariantKey {
  workload: string;
  id: TargetId;
  variant: VariantName;
  label: string;
  class: TargetClass;
}

/** A least-squares line through (instances, bytes): the slope is what each more instance costs. */
export interface LinearFit {
  bytesPerInstance: number;
  interceptBytes: number;
  /** Coefficient of determination of the fit (1 = every point on the line). */
  r2: number;
  points: number;
}

/** One density step: N instances parked at once, and the summed PSS of every process involved. */
export interface DensityStep {
  instances: number;
  pssBytes: number;
  /** Start of the first instance to the last one ready, in ms. */
  readyMs: number;
}

/** The density of one variant: how much each more live, isolated instance costs (PSS), and so how many fit in 1 GiB. */
export type DensityResult = VariantKey &
  (
    | {
        status: 'ok';
        /** What the summed PSS covers (harness/targets/types.ts Parked.covers). */
        covers: string;
        steps: DensityStep[];
        fit: LinearFit;
        /** 1 GiB divided by the slope. */
        perGiB: number;
        /** Why the steps stopped where they did (the last step, the memory cap or the time cap). */
        stoppedBy: string;
      }
    | { status: 'skipped' | 'errored' | 'n/a'; reason: string; steps: DensityStep[] }
  );

/** One burst: K cold starts launched at once. */
export interface BurstStep {
  k: number;
  mode: string;
  clock: 'runtime' | 'harness';
  /** Each correct answer's latency from the burst's start, in ms, in launch order. */
  latenciesMs: number[];
  /** The requests that failed (wrong answer, non-zero exit, killed at the time limit), each kept with why. */
  failures: { index: number; detail: string }[];
  /** Nearest-rank percentiles over the correct answers; null when none was correct. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Burst start to the last answer, in ms. */
  wallMs: number;
  /** Correct answers per second of wall time. */
  startsPerSec: number;
}

export type BurstResult = VariantKey & ({ status: 'ok'; steps: BurstStep[]; /** Why fewer bursts ran than were asked for, when so. */ stoppedBy?: string } | { status: 'skipped' | 'errored' | 'n/a'; reason: string; steps: BurstStep[] });

/** How long each step of the bench took, in ms. */
export interface Timeline {
  build: number;
  calibration: number;
  coldStart: number;
  warm: number;
  density?: number;
  burst?: number;
  probes: number;
  crossCheck: number;
  footprint: number;
  reports: number;
  total: number;
}

/** What a target declares once, for the methodology: recorded for every target the run selected. */
export interface TargetInfo {
  id: TargetId;
  /** One line: what runs. */
  summary: string;
  /** Caveats the methodology lists when the target ran. */
  caveats: string[];
}

export interface WorkloadRecord {
  /** Slug from workload.json; target rows and artifact ids name it. */
  name: string;
  /** e.g. `C`, `JavaScript`: the reports compare workloads by language. */
  language: string;
  /** The manifest's `interpreted`, when it gave one; absent, the reports decide by the language's first word (harness/report/claims.ts). */
  interpreted?: boolean;
  /** The manifest's `task`, when it gave one: workloads with the same task are the same program in different languages. */
  task?: string;
  description: string;
  /** The manifest, relative to the repository when inside it, and its sha256. */
  manifest: string;
  manifestSha256: string;
  args: string[];
  expectedStdout: string;
  /** Targets that do not apply: the workload declares no artifact they run. */
  notApplicable: { target: string; reason: string }[];
  /** The variants (`id/variant`) the ratio columns divide by, as the targets declare them; null when none ran. */
  baselines: { floor: string | null; container: string | null; bestContainer?: string | null };
}

export interface ArtifactRecord {
  /** `<workload>/<role>` for a workload's artifacts (see harness/targets/types.ts), a plain id for the harness's own. */
  id: string;
  kind: string;
  bytes: number;
  sha256: string;
  path?: string;
  tag?: string;
}

export interface Results {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  /** False until every target has been measured; an interrupted run stays false. */
  complete: boolean;
  interrupted?: string;
  seed: number;
  /** `runs` is the number of rounds with --runs, else the round cap of the adaptive stop. */
  options: { runs: number; warmup: number; targets: string[]; quick: boolean; adaptive?: AdaptiveOptions | null; crossCheck?: boolean; /** Variants whose runs take less than this were primed with untimed runs (one, or about 5 ms of them) straight before each sample. */ primeBelowMs?: number;
    /** The burst step's K values and its time limit per burst (an empty list: not run). */
    burst?: { ks: number[]; timeoutMs: number; /** Per variant, for K values after the first; null: every K runs (given with --burst). */ budgetMs?: number | null };
    /** The density step's instance counts, hard caps and the budget of the steps after the first two; null: not run (--no-density, --quick). */
    density?: { steps: number[]; capBytes: number; capMs: number; budgetMs?: number } | null;
  };
  /**
   * The workloads measured, one after the other (rounds are shuffled within a workload):
   * each one's manifest, the input of every sample and the answer every sample must print.
   */
  workloads: WorkloadRecord[];
  environment: Environment;
  /** Median spawn-to-exit time of a static no-op through the same spawner; null when it could not be measured. */
  calibration: { spawnOverheadMs: number | null; samples: number[]; stats: Stats | null; note: string };
  artifacts: ArtifactRecord[];
  targets: TargetResult[];
  /** Artifact sizes, image sizes, rollout cost per node and runtime footprint; null when not measured (interrupted). */
  footprint: Footprint | null;
  /** What each runtime denies, decided from evidence the harness controls; null when not measured (interrupted). */
  capabilities: CapabilityMatrix | null;
  warnings: { target?: string; kind: string; message: string; advice?: string }[];
  /** The targets the run selected, as they describe themselves. */
  targetInfo: TargetInfo[];
  /** Cold-start ratios across workloads (every later workload's row over every earlier one's), with bootstrap CIs. */
  crossRatios: CrossRatio[];
  /** Instances per GiB for every variant that can park its instances; null until the step ran. */
  density?: DensityResult[] | null;
  /** K simultaneous cold starts for every variant; null until the step ran. */
  burst?: BurstResult[] | null;
  /** The harness's medians against an independent tool's, measured in the same run; null until the step ran. */
  crossCheck: CrossChecks | null;
  /** How long each step took; null until the run finished (or was interrupted). */
  timeline: Timeline | null;
}
