/**
 * The result model: what a bench run measured, as written to results.json and
 * validated against harness/schema/results.schema.json. Every report is a pure
 * function of this.
 */
import type { Stats, Warning } from './measure/stats.js';
import type { RuntimeInfo } from './targets/types.js';
import type { Footprint } from './measure/footprint.js';
import type { CapabilityMatrix } from './measure/capabilities.js';

export const SCHEMA_VERSION = 2;

export interface Environment {
  os: string;
  kernel: string;
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
  node: string;
  /** Docker engine version, or null when no daemon answered. */
  docker: string | null;
  /** libwasmtime version used by wasmtime-embed, or null. */
  wasmtime: string | null;
  /** `wasmtime --version`, or null when the CLI is not installed. */
  wasmtimeCli: string | null;
  harnessVersion: string;
  gitCommit: string | null;
}

/** One measured cold start. A failed sample (wrong answer, non-zero exit, timeout) is kept, never dropped. */
export interface Sample {
  round: number;
  ms: number;
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
}

/** Median and range of each phase over the successful samples. */
export interface Phases {
  unit: 'ms';
  /** Where the numbers come from, e.g. "Engine API call timings" or "host side channel". */
  source: string;
  medians: Record<string, number>;
}

export type Warm =
  | { status: 'ok'; unit: 'ms'; mode: string; samples: number[]; stats: Stats; note: string }
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
  id: string;
  variant: string;
  label: string;
  runtime: RuntimeInfo | null;
  command: string | null;
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

export interface WorkloadRecord {
  /** Slug from workload.json; target rows and artifact ids name it. */
  name: string;
  /** e.g. `C`, `JavaScript`: the reports compare workloads by language. */
  language: string;
  description: string;
  /** The manifest, relative to the repository when inside it, and its sha256. */
  manifest: string;
  manifestSha256: string;
  args: string[];
  expectedStdout: string;
  /** Targets that do not apply: the workload declares no artifact they run. */
  notApplicable: { target: string; reason: string }[];
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
  options: { runs: number; warmup: number; targets: string[]; quick: boolean };
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
}
