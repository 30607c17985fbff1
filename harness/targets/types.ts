import type { SizeCache } from '../measure/footprint.js';
import type { BuildContext, Skipped } from '../build/common.js';
import type { Role, Workload } from '../workload.js';
import type { ArtifactRole, Baseline, ExitCodes, ImageFootprint, Invocation, RolloutCost, RuntimeInfo, TargetClass, TargetId, VariantName } from '../model.js';

export type { Invocation, RuntimeInfo, TargetClass, Baseline, ExitCodes, TargetId, VariantName } from '../model.js';

/**
 * The contract every runtime target implements. A target is one file in
 * harness/targets/ exporting one {@link TargetDefinition}, registered with one line
 * in harness/targets/index.ts. Everything the harness knows about a runtime is
 * declared here — its variants' class, baseline, phase source, cache state, warm
 * mode, exit-code fidelity, capability rows, derived artifacts, footprint,
 * prerequisites — so measure/, report/ and commands/ never name a target.
 */

/** What a build produced, as recorded in build/manifest.json. */
export interface Artifact {
  /**
   * Stable id. A workload's artifacts are `<workload>/<role>` (`tax-calculator/component`,
   * `tax-calculator/component-cwasm`, `tax-calculator/jco-bundle`, `tax-calculator-js/image`);
   * the harness's own have plain ids (`spawner`, `noop`, `wasmtime-embed-host`, `image-node-base`).
   */
  id: string;
  kind: 'file' | 'directory' | 'image';
  /** Absolute path for files and directories. */
  path?: string;
  /** Docker image id (sha256:...) and tag for images. */
  imageId?: string;
  tag?: string;
  bytes: number;
  sha256: string;
  /** Hash of the build inputs; an artifact whose inputs hash the same is not rebuilt. */
  inputsHash: string;
  /** For a script directory: the file the interpreter runs. */
  entry?: string;
  /** For an image built FROM a local base: the base's tag (a node needs it too, so rollout cost loads both). */
  base?: string;
  /**
   * For a derived artifact (a target's `derived` list): the artifact it was made from and that one's
   * sha256 then. A command that does not build refuses the derived artifact once its input has changed.
   */
  from?: { id: string; sha256: string };
}

/** An artifact the build could not make (a missing toolchain), with how to get it. */
export interface SkippedArtifact {
  id: string;
  reason: string;
  hint: string;
}

export interface Manifest {
  schemaVersion: 1;
  builtAt: string;
  artifacts: Artifact[];
  /** What the build skipped and why; absent in manifests made by hand. */
  skipped?: SkippedArtifact[];
}

/** Everything a target may need to get ready. */
export interface PrepareContext {
  manifest: Manifest;
  /** The workload to run: its artifacts (by role, see common.ts findArtifact), argv[0] and grants. */
  workload: Workload;
  /** Repository root. */
  root: string;
  /** Scratch directory the harness owns (build/). */
  buildDir: string;
}

/** One invocation of the workload. */
export interface RunRequest {
  /** Guest argv after the program name, e.g. `['--postal-code=10001', '--subtotal=125.00']`. Paths are guest paths (`/rules`). */
  args: string[];
  /** Kill the run after this many ms (default 30 000). */
  timeoutMs?: number;
}

/** What came back from one invocation. A non-zero exit is a result, not an exception. */
export interface RunResult {
  stdout: string;
  stderr: string;
  /** Process exit code, or the guest's WASI exit code. null when killed (see `signal`). */
  exitCode: number | null;
  signal?: string | null;
  /**
   * The sample's time in ms: for a process, spawn to reap as the spawner measures
   * it on CLOCK_MONOTONIC (what hyperfine measures); for an API target, first
   * call to the end of the last.
   */
  durationMs: number;
  /** For a process: spawn to 'close' as Node saw it, which adds Node's own spawn path; kept for reference. */
  outerMs?: number;
  /** Per-phase timings in ms, when the target can report them. */
  phases?: Record<string, number>;
  /** Set when the harness killed the run at `timeoutMs`. */
  timedOut?: boolean;
  /** Peak memory of this run, when measured, and exactly what the figure covers. */
  memory?: { peakBytes: number; covers: string };
  /** Set when the runtime reports that its memory limit killed the run (docker: State.OOMKilled). */
  oomKilled?: boolean;
}

/** Limits a target enforces where its runtime can (ignored where the variant's own config holds them, e.g. docker). */
export interface ProbeLimits {
  memoryBytes?: number;
  fuel?: number;
}

/**
 * One capability probe (`<argv0> --probe=NAME ...`, the probe contract in modules/tax-calculator/README.md).
 * Unlike `run()`, the runtime process inherits the harness's environment (as a
 * deployed runtime would), so only the target's own sandbox decides what the guest sees.
 */
export interface ProbeRequest {
  /** Guest argv, e.g. `['--probe=fs-read-outside', '--target-path=/tmp/x/sentinel']`. A `--target-path=/rules...` names the grant. */
  args: string[];
  /** The harness kills the run after this many ms. */
  timeoutMs: number;
  /** Host directory granted at the workload's first grant's guest path (`/rules`) for this probe (default: the manifest's). */
  grantDir?: string;
  limits?: ProbeLimits;
}

/** A warm loop: `iterations` requests, each on a fresh instance of the already-compiled module. */
export interface WarmRequest extends RunRequest {
  iterations: number;
}

/** What a warm loop measured: per-request latency in ms, and the first request's stdout for the answer check. */
export interface WarmRun {
  mode: string;
  samples: number[];
  /**
   * Each request's instantiate and run time in ms, index for index with `samples`,
   * when the host times them apart (wasmtime-embed's --iterations).
   */
  split?: { instantiate: number[]; run: number[] };
  stdout: string;
}

/**
 * A surge (harness/measure/burst.ts): `concurrency` cold starts of the workload
 * launched at once, each a fresh isolated instance, as the runtime serves them:
 * process targets spawn K processes, containers start K containers through their
 * own API or CLI, an embedding host serves them in one process (threads).
 */
export interface BurstRequest extends RunRequest {
  concurrency: number;
  /** The whole burst is killed after this many ms; what had not answered counts as timed out. */
  timeoutMs: number;
}

/** One request of a burst, in launch order. */
export interface BurstAnswer {
  /** From the burst's start (the first launch) to this request's own answer, in ms; null when it never answered (killed at the time limit). */
  latencyMs: number | null;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal?: string | null;
  timedOut?: boolean;
}

/** What a burst measured. Every answer is returned, failed or not: the measure step checks and counts them. */
export interface BurstRun {
  /** How the burst was served, e.g. "32 processes spawned back to back by wvc-spawn". */
  mode: string;
  /** Whose clock timed it: the spawner's or the host's CLOCK_MONOTONIC (`runtime`), or the harness's own (`harness`, for API calls). */
  clock: 'runtime' | 'harness';
  answers: BurstAnswer[];
  /** From the burst's start to its last answer (or the time limit), in ms. */
  wallMs: number;
}

/**
 * Density (harness/measure/density.ts): `instances` live, isolated instances at once,
 * each parked mid-request in the guest's park mode (`args`, e.g. `--probe=park --seconds=S`:
 * it prints one ready line, then sleeps, so it ends by itself after S seconds even
 * if the harness dies). An in-process host that cannot park an instance mid-request
 * (a synchronous JavaScript host) keeps each instance alive after one request and says so in `covers`.
 */
export interface ParkRequest {
  /** Guest argv of the park mode. */
  args: string[];
  /** The workload's sample argv, for hosts that keep served instances alive instead of parking them. */
  sampleArgs: string[];
  instances: number;
  /** Give up (and release what started) when the instances are not all ready after this many ms. */
  timeoutMs: number;
}

/** Instances parked by {@link VariantRunner.park}: alive until `release()`. */
export interface Parked {
  /** Each instance's ready line (its stdout so far), in start order: the measure step checks them. */
  ready: string[];
  /**
   * Every process whose PSS the figure is the sum of: the host, the runtime, shims,
   * daemons and the instances' own processes, as they are now.
   */
  pids(): Promise<number[]>;
  /** What the summed PSS covers, e.g. "dockerd + containerd + every shim + every container's processes". */
  covers: string;
  /** Stops every instance and waits until they are gone. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * What a variant declares about itself, before anything is prepared. Everything in it
 * is recorded with each row in results.json, so the reports need no target knowledge.
 */
export interface VariantSpec {
  name: VariantName;
  /** Human label, e.g. "wasmtime-embed (AOT .cwasm)". */
  label: string;
  class: TargetClass;
  /** This variant is the floor (× native) or the container baseline (× docker) of the ratio columns. */
  baseline?: Baseline;
  /** Where the phase numbers come from, or null when the variant reports none. */
  phaseSource: string | null;
  /** Where the compiled code comes from on a cold start. */
  cacheState: string;
  /** The warm (plugin-model) loop this variant has, or why it has none. */
  warm: { mode: string } | { none: string };
  /**
   * How much of the guest's exit code reaches the caller. `exact` for processes and
   * preview1 hosts. `ok-err` for WASI 0.2 components: the stable `wasi:cli/exit.exit`
   * takes a `result`, so the preview1 adapter turns every non-zero `proc_exit(n)` into 1.
   */
  exitCodes: ExitCodes;
  /** Caveats an operator should read next to the numbers. */
  notes?: readonly string[];
  /** A configuration that exists only for the capability matrix (jco's `default-shim`): never cold-started. */
  probeOnly?: boolean;
  /**
   * For a container variant: the stack a start goes through, top first (`dockerd → containerd → shim → runc`),
   * and how many layers sit above the OCI runtime's process (docker 2, containerd 1, an OCI runtime 0).
   * The report's "Container cold start by layer" orders the container rows by it. Declared on the variant
   * that stands for the layer in its default configuration (not on hardened or other-image variants).
   */
  layer?: { name: string; depth: number };
  /** verify runs at most this many vectors on this variant unless `--all` (a container start costs hundreds of ms). */
  verifySample?: number;
}

/** One row of the capability matrix that a target asks for. */
export interface CapabilityRowSpec {
  /** The row id is the target id, or `<target id>-<suffix>` when given (`docker-hardened`). */
  suffix?: string;
  variant: VariantName;
  /** Limits the harness asks the runtime to enforce. */
  limits?: ProbeLimits;
  /** What those limits are, in the runtime's own terms. */
  limitsText: string;
  policyNote?: string;
  /** This host says it is not a sandbox: its denials are labelled policy (node:wasi). */
  denialsArePolicy?: boolean;
  /** The runtime isolates the network by namespace (a container's 127.0.0.1 is its own loopback). */
  netNamespace?: boolean;
}

/** `describe()` of one prepared variant: what runs, and what it is allowed to touch. */
export interface VariantDescription {
  runtime: RuntimeInfo;
  /** What the command does that its argv does not say (the sandbox a host configures), when anything. */
  how?: string;
  /** Build-manifest id of the artifact this variant runs. */
  artifact: string;
  /** The artifact a probe with a fuel limit runs instead, when it differs (wasmtime-embed AOT: the .cwasm compiled for fuel). */
  fuelArtifact?: string;
  /** Capabilities granted to the workload, e.g. `fs:/rules (ro)`, `env: none`, `net: none`. */
  grants: string[];
  /** Caveats known only after prepare (e.g. no container memory figure here), added to the spec's notes. */
  notes?: string[];
}

/** What one prepared variant can do. */
export interface VariantRunner {
  /** Exactly what run(req) starts: the argv and environment, or the API calls. */
  invocation(req: RunRequest): Invocation;
  /** Run the workload once. Throws only on harness faults, never for a non-zero guest exit. */
  run(req: RunRequest): Promise<RunResult>;
  /** One capability probe (harness/measure/capabilities.ts). Throws only on harness faults. */
  probe?(req: ProbeRequest): Promise<RunResult>;
  /** The warm loop, when the spec declares one. */
  warm?(req: WarmRequest): Promise<WarmRun>;
  /** K simultaneous cold starts, served the way this runtime serves them. Throws only on harness faults. */
  burst?(req: BurstRequest): Promise<BurstRun>;
  /** N live instances at once, parked, for the density step. Throws when they cannot all be started (after releasing what did). */
  park?(req: ParkRequest): Promise<Parked>;
  /**
   * park() keeps instances alive after each served one request of the sample (`sampleArgs`), so
   * it needs no park mode in the workload. Without it, park() runs the guest's park mode (`args`),
   * and the density step leaves the variant out for a workload that declares none.
   */
  parksServed?: true;
  describe(): VariantDescription;
}

/** One variant after prepare(): ready, skipped with a hint, or not applicable to the workload. */
export type PreparedVariant =
  | ({ spec: VariantSpec; status: 'ok' } & VariantRunner)
  | { spec: VariantSpec; status: 'skipped'; reason: string; hint: string }
  | { spec: VariantSpec; status: 'n/a'; reason: string };

/**
 * Result of prepare() for one workload: ready, with every declared variant's own
 * status; skipped with an actionable reason (the runtime is missing); or not
 * applicable, because the workload declares no artifact this target runs.
 */
export type Preparation =
  | { status: 'ok'; runtime: RuntimeInfo; variants: PreparedVariant[]; dispose?(): Promise<void> }
  | { status: 'skipped'; reason: string; hint: string }
  | { status: 'n/a'; reason: string };

/** A derived artifact: made by the build from one of the workload's artifacts, for this target. */
export interface DerivedArtifactSpec {
  role: ArtifactRole;
  /** The workload artifact it is made from. */
  from: Role;
  /** Only for workloads this holds for (e.g. those with the probe mode). */
  when?: (w: Workload) => boolean;
  build(ctx: DeriveContext): Promise<Artifact | Skipped>;
}

export interface DeriveContext {
  build: BuildContext;
  workload: Workload;
  /** The artifact it derives from. */
  input: Artifact;
  /** The id to record it under (`<workload>/<role>`). */
  id: string;
  /** The workload's build folder (`build/workloads/<name>`). */
  outDir: string;
  /** The harness's own artifacts built so far (`wasmtime-embed-host`, ...). */
  harnessArtifact(id: string): Artifact | undefined;
}

/** What the footprint step gets. */
export interface FootprintContext {
  /** Every artifact of the run's workloads, and the harness's own. */
  artifacts: readonly Artifact[];
  /** Runs of each rollout-cost measurement. */
  runs: number;
  log: (line: string) => void;
  /** Compressed sizes by content (harness/measure/footprint.ts); the footprint step opens build/cache's when absent. */
  sizeCache?: SizeCache;
}

/** Files a node needs before the first module runs, measured from disk. */
export interface RuntimeFiles {
  /** Group name; targets that declare the same name share one group (`node`). */
  name: string;
  /** Each file with the paths or command names to look for, in order. */
  files: { label: string; candidates: string[] }[];
}

/** What a target measures for the footprint beyond its files on disk. */
export interface TargetFootprint {
  images: ImageFootprint[];
  rollout: RolloutCost[];
  notes: string[];
}

/** A step of scripts/setup.sh, which `wvc setup` runs for what is missing (see harness/commands/setup.ts). */
export type SetupStep = 'packages' | 'pip-wasmtime' | 'dockerd' | 'containerd-daemon' | 'debian-base';

/** What a prerequisite check found: `fix` names the setup steps that would install or start what is missing, when setup can. */
export interface PrerequisiteCheck {
  ok: boolean;
  detail: string;
  fix?: readonly SetupStep[];
}

/** One thing `wvc doctor` checks for a target (and `wvc setup` fixes, when the check names a fix). */
export interface Prerequisite {
  name: string;
  optional?: boolean;
  /** `detail` is the version when ok, else what is missing and the command that fixes it. */
  check(): Promise<PrerequisiteCheck>;
}

/**
 * Something a run of the harness left behind — a container, an OCI bundle, a cgroup — as the
 * target that made it finds it (`wvc clean`, and every bench before it starts).
 */
export interface Leftover {
  /** What it is, for the one line that lists it: `docker container wvc-… (Exited)`. */
  what: string;
  /** The harness process that made it, when it recorded one; a live one's are not leftovers. */
  pid: number | null;
  remove(): Promise<void>;
}

export interface TargetDefinition {
  readonly id: TargetId;
  /** One line for the help text: what runs. */
  readonly summary: string;
  /** What runs of the harness left behind on this runtime (containers, bundles, cgroups); a target that leaves nothing has none. Never throws: a runtime that is down has none to list. */
  leftovers?(): Promise<Leftover[]>;
  /** Every variant, the first being the runtime's default configuration. */
  readonly variants: readonly VariantSpec[];
  /** The capability-matrix rows; an empty list says, on purpose, that the target is never probed. */
  readonly capabilityRows: readonly CapabilityRowSpec[];
  /** Caveats the methodology lists when this target ran. */
  readonly caveats?: readonly string[];
  /** Artifacts the build derives for this target from each workload's. */
  readonly derived?: readonly DerivedArtifactSpec[];
  /** The harness's own programs this target needs built once (not per workload), e.g. an embedding host. */
  readonly tools?: readonly { id: string; build(ctx: BuildContext): Promise<Artifact | Skipped> }[];
  /** What `wvc doctor` checks. */
  readonly prerequisites?: readonly Prerequisite[];
  /** The runtime's version for the run's environment record, or null when it is not installed. */
  version?(): Promise<string | null>;
  /** The runtime files a node needs, for the footprint. */
  runtimeFiles?(ctx: FootprintContext): Promise<RuntimeFiles[]>;
  /** Image sizes and rollout cost per node, for the footprint. */
  footprint?(ctx: FootprintContext): Promise<TargetFootprint>;
  /**
   * Check the runtime and artifacts for this workload and get ready. Returns a value:
   * no state is kept between calls. A missing runtime is `skipped`, never an
   * exception; a runtime that is present but broken throws, and the caller records
   * the target as errored.
   */
  prepare(ctx: PrepareContext): Promise<Preparation>;
}

/** The registry: every target, by id, in the order rows are measured and shown. */
export type Registry = Readonly<Record<TargetId, TargetDefinition>>;
