/**
 * What the harness knew about its targets before each run recorded it itself:
 * runs of schemaVersion 1 and 2 have no `class`, `baseline`, `phaseSource`,
 * `cacheState` or `exitCodes` on their rows, no `targetInfo`, and runtime
 * versions in fixed environment fields. These tables are how the reports of
 * those versions derived them, by target id; harness/report/load.ts fills old
 * runs in with them when it upgrades them to the current model. Nothing else
 * may use them: the current targets declare these facts (harness/targets/).
 *
 * A leaf: it imports only the model's types.
 */
import type { Baseline, Environment, ExitCodes, TargetClass, TargetId, TargetInfo, VariantName } from './model.js';

/** Where compiled code came from on a cold start, by `id/variant` (`id/*`: any variant). */
export const LEGACY_CACHE_STATE: Readonly<Record<string, string>> = {
  'native/*': 'nothing to compile; the binary is in the page cache after the warm-ups',
  'node/*': 'Node compiles the script on every run (no V8 code cache)',
  'node-wasi/*': 'Node compiles the core module on every run (no V8 code cache)',
  'jco/*': 'Node compiles the transpiled component on every run (no V8 code cache)',
  'wasmtime-embed/jit': 'compiles the component on every run (the host has no code cache)',
  'wasmtime-embed/aot': 'deserializes the precompiled .cwasm; nothing is compiled at start',
  'wasmtime/jit-cache-off': 'compiles on every run (-C cache=n disables the on-disk code cache)',
  'wasmtime/precompiled': 'loads a .cwasm made by wasmtime compile (--allow-precompiled)',
  'docker/*': 'image local, layers on disk: no pull is measured',
};

/** The cache state of a target the table does not know. */
export const LEGACY_CACHE_STATE_UNKNOWN = 'not documented for this target';

/** Where each target's phase numbers came from, for rows that recorded no `phases.source`. */
export const LEGACY_PHASE_SOURCE: Readonly<Record<TargetId, string>> = {
  docker: 'Engine API call timings, plus the container State.StartedAt/FinishedAt',
  'wasmtime-embed': 'reported by the embedding host (engine, load or compile, instantiate, run)',
  'node-wasi': 'performance marks on a side channel (boot = Node start to host script)',
  jco: 'performance marks on a side channel (boot = Node start to host script)',
};

/** The targets that ran WASI 0.2 components, whose exit codes arrive only as ok/err. */
export const LEGACY_OK_ERR_TARGETS: readonly TargetId[] = ['jco', 'wasmtime-embed', 'wasmtime'];

/** The ratio columns' baselines: `vsNative` divided by native/static, `vsDocker` by docker/default. */
export const LEGACY_BASELINES: Readonly<Record<Baseline, { id: TargetId; variant: VariantName }>> = {
  floor: { id: 'native', variant: 'static' },
  container: { id: 'docker', variant: 'default' },
};

const WASI_P2_EXIT =
  'WASI 0.2 components (jco, wasmtime-embed, wasmtime) report exit codes only as ok/err: the stable wasi:cli/exit takes a result, so every non-zero exit arrives as 1; the reason is on stderr.';

/** What each target was, and the caveats the methodology listed when it ran. */
export const LEGACY_TARGET_INFO: Readonly<Record<TargetId, { summary: string; caveats: readonly string[] }>> = {
  native: { summary: "native: the workload's native program, no isolation (the floor)", caveats: [] },
  node: {
    summary: "node: the workload's script on the Node that runs the harness, no sandbox (the floor for JavaScript)",
    caveats: ["node runs a JavaScript workload's script directly on the Node that runs the harness, with no sandbox: the floor for JavaScript, as native/static is for C."],
  },
  'node-wasi': {
    summary: "node-wasi: the workload's core module under node:wasi (WASI preview1), one Node process per run",
    caveats: [
      'node:wasi is not a security sandbox. Node\'s documentation: "The node:wasi module does not currently provide the comprehensive file system security properties provided by some WASI runtimes." Its numbers are a runtime cost, not a sandbox\'s.',
    ],
  },
  jco: { summary: "jco: the workload's component transpiled by jco, on Node with an explicit preview2-shim sandbox, one Node process per run", caveats: [WASI_P2_EXIT] },
  'wasmtime-embed': { summary: "wasmtime-embed: the workload's component in a small C host embedding libwasmtime, one process per run (jit compiles on every run, aot loads a .cwasm)", caveats: [WASI_P2_EXIT] },
  wasmtime: { summary: "wasmtime: the workload's component under the wasmtime CLI, one process per run", caveats: [WASI_P2_EXIT] },
  docker: {
    summary: "docker: the workload's image, one create/start/wait/remove cycle per run through the Engine API",
    caveats: ["Docker is measured through the Engine API (create/start/wait/remove, what docker run --rm does), so no docker CLI process start is included; its peak memory is the container's cgroup peak, not the daemon's."],
  },
};

/** What a row of an old run gets from the tables. */
export interface LegacyRowFacts {
  class: TargetClass;
  baseline: Baseline | null;
  phaseSource: string | null;
  cacheState: string;
  exitCodes: ExitCodes;
}

/**
 * The facts an old run's row did not record, as the reports of its time derived them.
 * @param artifactKind the kind of the artifact record the row ran (`image` makes it a container).
 * @param recordedPhaseSource the row's `phases.source`, which wins over the table.
 */
export function legacyRowFacts(row: { id: TargetId; variant: VariantName }, artifactKind?: string, recordedPhaseSource?: string): LegacyRowFacts {
  const cls: TargetClass = row.id === 'docker' || artifactKind === 'image' ? 'container' : row.id === 'native' ? 'native' : row.id === 'node' ? 'script' : 'wasm';
  const baseline = (Object.keys(LEGACY_BASELINES) as Baseline[]).find((b) => LEGACY_BASELINES[b].id === row.id && LEGACY_BASELINES[b].variant === row.variant) ?? null;
  return {
    class: cls,
    baseline,
    phaseSource: recordedPhaseSource ?? LEGACY_PHASE_SOURCE[row.id] ?? null,
    cacheState: LEGACY_CACHE_STATE[`${row.id}/${row.variant}`] ?? LEGACY_CACHE_STATE[`${row.id}/*`] ?? LEGACY_CACHE_STATE_UNKNOWN,
    exitCodes: LEGACY_OK_ERR_TARGETS.includes(row.id) ? 'ok-err' : 'exact',
  };
}

/** `targetInfo` for the targets an old run selected, in that order; an unknown id describes itself by its id. */
export function legacyTargetInfo(ids: readonly TargetId[]): TargetInfo[] {
  return [...new Set(ids)].map((id) => ({ id, summary: LEGACY_TARGET_INFO[id]?.summary ?? id, caveats: [...(LEGACY_TARGET_INFO[id]?.caveats ?? [])] }));
}

/** The environment of a run before `runtimes`: the versions in fixed fields. */
export type LegacyEnvironment = Omit<Environment, 'runtimes'> & {
  /** Docker engine version, or null when no daemon answered. */
  docker: string | null;
  /** libwasmtime version used by wasmtime-embed, or null. */
  wasmtime: string | null;
  /** `wasmtime --version`, or null when the CLI was not installed (absent in early runs). */
  wasmtimeCli?: string | null;
};

/** The runtime versions an old environment recorded in fixed fields, keyed by target id. */
export function legacyRuntimes(env: Pick<LegacyEnvironment, 'docker' | 'wasmtime' | 'wasmtimeCli'>): Environment['runtimes'] {
  return { docker: env.docker ?? null, 'wasmtime-embed': env.wasmtime ?? null, wasmtime: env.wasmtimeCli ?? null };
}

/** An old environment as the current model has it: the fixed version fields become `runtimes`. */
export function legacyEnvironment(env: LegacyEnvironment): Environment {
  const { docker, wasmtime, wasmtimeCli, ...rest } = env;
  return { ...rest, runtimes: legacyRuntimes({ docker, wasmtime, wasmtimeCli }) };
}
