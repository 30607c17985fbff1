import type { Grant, Workload } from '../workload.js';

/**
 * The contract every runtime target implements. One file per target in
 * harness/targets/, registered once in harness/targets/index.ts.
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
  /** Wall time from spawn (docker: first API call) to exit, in ms. */
  durationMs: number;
  /** Per-phase timings in ms, when the target can report them. */
  phases?: Record<string, number>;
  /** Set when the harness killed the run at `timeoutMs`. */
  timedOut?: boolean;
  /** Peak memory of this run, when measured, and exactly what the figure covers. */
  memory?: { peakBytes: number; covers: string };
  /** Set when the runtime reports that its memory limit killed the run (docker: State.OOMKilled). */
  oomKilled?: boolean;
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
  /** Limits the target enforces where its runtime can (ignored where the variant's own config holds them, e.g. docker). */
  limits?: { memoryBytes?: number; fuel?: number };
}

/** What a warm loop measured: per-request latency in ms, and the first request's stdout for the answer check. */
export interface WarmRun {
  mode: string;
  samples: number[];
  stdout: string;
}

export interface RuntimeInfo {
  name: string;
  version: string;
}

/** `describe()` of one variant: what runs, and what it is allowed to touch. */
export interface TargetDescription {
  id: string;
  variant: string;
  /** Human label, e.g. "wasmtime-embed (AOT .cwasm)". */
  label: string;
  runtime: RuntimeInfo;
  /** The exact command line or API call sequence used. */
  command: string;
  /** Build-manifest id of the artifact this variant runs. */
  artifact: string;
  /** The artifact a probe with a fuel limit runs instead, when it differs (wasmtime-embed AOT: the .cwasm compiled for fuel). */
  fuelArtifact?: string;
  /** Capabilities granted to the workload, e.g. `fs:/rules (ro)`, `env: none`, `net: none`. */
  grants: string[];
  /**
   * How much of the guest's exit code reaches the caller. `exact` for processes and
   * preview1 hosts. `ok-err` for WASI 0.2 components: the stable `wasi:cli/exit.exit`
   * takes a `result`, so the preview1 adapter turns every non-zero `proc_exit(n)` into 1.
   * Defaults to `exact`.
   */
  exitCodes?: 'exact' | 'ok-err';
  /** Caveats an operator should read next to the numbers, e.g. a figure this runtime cannot give here. */
  notes?: string[];
}

/**
 * Result of prepare(): ready; skipped with an actionable reason (the runtime or an
 * artifact is missing); or not applicable, because the workload declares no
 * artifact this target runs (a JavaScript workload has no native program).
 */
export type Availability =
  | { status: 'ok'; runtime: RuntimeInfo }
  | { status: 'skipped'; reason: string; hint: string }
  | { status: 'n/a'; reason: string };

export interface Target {
  readonly id: string;
  /**
   * Variant names, the first being the runtime's default configuration. After
   * prepare(), only the usable ones (see unavailableVariants()).
   */
  readonly variants: readonly string[];
  /**
   * Check the runtime and artifacts are present; load what is needed. A missing runtime
   * is `skipped`, never an exception; a runtime that is present but broken throws, and
   * the caller records the target as errored.
   */
  prepare(ctx: PrepareContext): Promise<Availability>;
  /** Run the workload once. Throws only on harness faults, never for a non-zero guest exit. */
  run(variant: string, req: RunRequest): Promise<RunResult>;
  /**
   * Warm, in-process latency (the plugin model): the module compiled once, then a
   * fresh instance per request, `iterations` times. Absent where the runtime has
   * no in-process equivalent (a process, a container).
   */
  warm?(variant: string, req: RunRequest & { iterations: number }): Promise<WarmRun>;
  /** Valid after a successful prepare(). */
  describe(variant: string): TargetDescription;
  /**
   * Runs one capability probe (harness/measure/capabilities.ts). `variant` may also be a
   * probe-only configuration listed in `probeVariants` (e.g. jco's `default-shim`).
   * Throws only on harness faults.
   */
  probe?(variant: string, req: ProbeRequest): Promise<RunResult>;
  /** Configurations that exist only for probes, on top of `variants`. */
  readonly probeVariants?: readonly string[];
  /**
   * Variants that prepare() found unusable while the target itself is ready (an image
   * that was not built, say). They are reported as skipped rows, never dropped.
   */
  unavailableVariants?(): { variant: string; reason: string; hint: string }[];
  /** Variants that do not apply to the workload (it declares no artifact they run), with why. */
  inapplicableVariants?(): { variant: string; reason: string }[];
  /** Release resources (daemon connections, temp dirs). */
  dispose?(): Promise<void>;
}

/** Thrown for problems the user can fix; printed as one line without a stack. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}
