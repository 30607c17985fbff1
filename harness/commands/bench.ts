import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AdaptiveOptions, ArtifactRecord, CapabilityMatrix, Results, StopReason, TargetResult, Timeline, Warm } from '../model.js';
import { crossCheck } from '../measure/cross-check.js';
import { type BombCache, PROBES, newBombCache } from '../measure/capabilities.js';
import { SCHEMA_VERSION, splitArtifactId } from '../model.js';
import { build } from './build.js';
import { collectEnvironment } from '../measure/environment.js';
import { runSchedule, type Measured, type Unit } from '../measure/schedule.js';
import { calibrate } from '../measure/calibrate.js';
import { measureWarm } from '../measure/warm.js';
import { DENSITY_BUDGET_MS, DENSITY_CAP_BYTES, DENSITY_CAP_MS, DENSITY_STEPS, measureDensity, releaseAllParked } from '../measure/density.js';
import { BURST_BUDGET_MS, BURST_KS, BURST_TIMEOUT_MS, MAX_BURST, measureBurst } from '../measure/burst.js';
import { measureFootprint } from '../measure/footprint.js';
import { runCapabilityMatrix } from '../measure/capabilities.js';
import { newGuestRowCache, runProbeGuestMatrix } from '../measure/probe-guest.js';
import { assembleRows, bestContainerOf, crossRatios, targetInfo, unitKey, workloadRecord } from '../measure/rows.js';
import { randomSeed } from '../util/rng.js';
import { findLeftovers, leftoverSummary, removeLeftovers } from '../util/leftovers.js';
import { DEFAULT_WORKLOADS, PROBE_GUEST_NAME, ROOT } from '../paths.js';
import { disposeAll, measuredVariants, missingRequired, parseTargetList, prepareContext, prepareTargets, requiredNowhere, requiredTargets, type PreparedTarget, type ReadyVariant } from '../session.js';
import { registry as defaultRegistry, idsOf } from '../targets/index.js';
import { type Workload, loadWorkloads, manifestLabel } from '../workload.js';
import type { Artifact, Registry, RunResult, TargetId } from '../targets/types.js';
import { UserError, faultText } from '../errors.js';
import { useSpawner } from '../util/spawn.js';
import { WriteError, writeRun } from '../report/writer.js';
import { REPORT_FORMATS, renderAll } from '../report/index.js';
import { type Criteria, evaluateCriteria, loadCriteria } from '../report/criteria.js';
import { summaryTable, timelineLine } from '../report/summary.js';
import { createProgress } from '../report/progress.js';

/** The signals that stop a run early, as Ctrl-C does, and the exit code of each (128 + its number). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** With --quick, the time bound the harness enforces on the cpu and memory bombs. */
const QUICK_BOMB_BOUND_MS = 4_000;

/**
 * A variant whose runs take less than this (ms) is primed with untimed runs straight before each
 * sample (schedule.ts, primeBelowMs: one, or about 5 ms of them): its sample then starts on a machine as warm as in
 * hyperfine's consecutive runs, instead of after the harness's own bookkeeping.
 */
export const PRIME_BELOW_MS = 50;

/** Runs of each rollout-cost measurement (docker load, copy + AOT compile): a median of 3; one with --quick. */
const ROLLOUT_RUNS = 3;
const QUICK_ROLLOUT_RUNS = 1;

/**
 * The adaptive stop (harness/measure/schedule.ts) without --runs: each variant samples
 * until the 95% CI of its median is within ±3% with at least 10 samples, or its time
 * budget runs out, or the round cap is reached. --quick trades precision for time.
 */
export const ADAPTIVE: AdaptiveOptions = { ciTarget: 0.03, minSamples: 10, budgetMs: 4_000, minBudgetSamples: 3, maxRounds: 40 };
export const QUICK_ADAPTIVE: AdaptiveOptions = { ciTarget: 0.05, minSamples: 5, budgetMs: 2_000, minBudgetSamples: 1, maxRounds: 8 };

export interface BenchOptions {
  /** Workload directories, each with a workload.json (default: the C and JavaScript tax calculators). */
  workloads?: readonly string[];
  targets?: string;
  runs?: number;
  warmup?: number;
  seed?: number;
  quick?: boolean;
  require?: string;
  out?: string;
  /** Iterations of each warm loop (default 100, 20 with --quick). */
  warmIterations?: number;
  /** A criteria file: the reports get the decision-gate section, and a failed criterion fails the run. */
  criteria?: string;
  /** Time the floor and the fastest Wasm variant with hyperfine too, in the same run (default true; off when hyperfine is missing). */
  crossCheck?: boolean;
  /** K of each burst of simultaneous cold starts (default 1, 8, 32 within a time budget per variant; none with --quick); given, every K runs; an empty list skips the burst step. */
  burst?: readonly number[];
  /** The density step (instances per GiB; default true, false with --quick unless true is given). */
  density?: boolean;
  /** The targets to choose from (default: harness/targets/index.ts). Tests inject their own. */
  registry?: Registry;
  log?: (line: string) => void;
}

export interface BenchOutcome {
  results: Results;
  dir: string;
  /** Required targets that were skipped or errored: the run fails. */
  requiredMissing: string[];
  /** A --criteria file was given and a criterion failed. */
  criteriaFailed: boolean;
  /** The last write of the run's files failed (a full disk, a read-only directory): why, naming the path. */
  writeFailed: string | null;
}

async function readCriteria(file: string): Promise<Criteria> {
  let text: string;
  try {
    text = await readFile(path.resolve(file), 'utf8');
  } catch (e) {
    throw new UserError(`--criteria ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message} — pass a criteria JSON file, e.g. examples/criteria.tax-calculator.json`);
  }
  try {
    return loadCriteria(text);
  } catch (e) {
    throw new UserError(`--criteria ${file}: ${(e as Error).message}`);
  }
}

function intOption(name: string, v: number | undefined, def: number, min: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < min) throw new UserError(`${name} must be a whole number ≥ ${min}, got ${v}`);
  return v;
}

function runIdFor(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') + '-' + randomBytes(2).toString('hex');
}

const artifactRecord = (a: Artifact): ArtifactRecord => ({ id: a.id, kind: a.kind, bytes: a.bytes, sha256: a.sha256, ...(a.path ? { path: path.relative(ROOT, a.path) } : {}), ...(a.tag ? { tag: a.tag } : {}) });

/**
 * Before anything is measured: the sample must print the manifest's `sample.stdout`
 * on at least one target (tried in registry order, fastest first, until one does).
 * When every target that ran printed something else, the manifest is wrong, not the
 * runtimes: a user error naming the field.
 */
async function checkSample(w: Workload, ids: readonly TargetId[], registry: Registry): Promise<void> {
  const prepared = await prepareTargets(ids, await prepareContext(w), registry);
  const printed: string[] = [];
  try {
    for (const p of prepared) {
      const v = measuredVariants(p)[0];
      if (!v) continue;
      const r = await v.run({ args: w.sample.args });
      if (r.stdout === w.sample.stdout) return;
      printed.push(`${p.id} printed ${JSON.stringify(r.stdout.slice(0, 120))}${r.exitCode ? ` and exited ${r.exitCode}` : ''}${r.stderr.trim() ? ` (stderr ${JSON.stringify(r.stderr.trim().slice(0, 120))})` : ''}`);
      if (printed.length === 2) break;
    }
  } finally {
    await disposeAll(prepared);
  }
  if (printed.length) {
    throw new UserError(`${manifestLabel(w)}: sample.stdout: expected ${JSON.stringify(w.sample.stdout.slice(0, 120))}, but ${printed.join('; ')} — fix sample.stdout or sample.args`);
  }
}

/**
 * `wvc bench`: builds, then, workload by workload, measures every available
 * target variant's cold start in seeded shuffled rounds, its phases, peak
 * memory, warm per-request latency and capabilities; then the footprint of
 * every artifact. results.json and samples.csv are written after every round.
 */
export async function bench(opts: BenchOptions = {}): Promise<BenchOutcome> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const registry = opts.registry ?? defaultRegistry;
  // --runs N: exactly N rounds for every variant. Without it, the adaptive stop.
  const adaptive = opts.runs === undefined ? (opts.quick ? QUICK_ADAPTIVE : ADAPTIVE) : null;
  const runs = intOption('--runs', opts.runs, adaptive?.maxRounds ?? 30, 1);
  const warmup = intOption('--warmup', opts.warmup, opts.quick ? 1 : 3, 0);
  const warmIterations = intOption('--warm-iterations', opts.warmIterations, opts.quick ? 20 : 100, 1);
  // --quick leaves out the plugin-platform steps (density and burst) unless asked for; K values given are all run.
  const burstKs = opts.burst ?? (opts.quick ? [] : BURST_KS);
  for (const k of burstKs) if (!Number.isInteger(k) || k < 1 || k > MAX_BURST) throw new UserError(`--burst takes whole numbers from 1 to ${MAX_BURST} (a burst's simultaneous cold starts on this machine), got ${k}`);
  const burst = { ks: [...burstKs], timeoutMs: BURST_TIMEOUT_MS, budgetMs: opts.burst ? null : BURST_BUDGET_MS };
  const density = opts.density === false || (opts.quick && opts.density !== true) ? null : { steps: [...DENSITY_STEPS], capBytes: DENSITY_CAP_BYTES, capMs: DENSITY_CAP_MS, budgetMs: DENSITY_BUDGET_MS };
  const seed = opts.seed ?? randomSeed();
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UserError(`--seed must be an integer from 0 to 4294967295, got ${seed}`);
  const ids = parseTargetList(opts.targets, '--targets', registry);
  const selected = ids.length ? ids : idsOf(registry);
  const required = requiredTargets(opts.require, registry);
  const outRoot = path.resolve(opts.out ?? path.join(ROOT, 'results'));

  // The criteria and the manifests are read before anything is measured, so a bad file costs nothing.
  const criteria = opts.criteria ? await readCriteria(opts.criteria) : undefined;
  const workloads = await loadWorkloads(opts.workloads?.length ? opts.workloads : DEFAULT_WORKLOADS);
  const reports = (r: Results) => renderAll(r, criteria ? { criteria: evaluateCriteria(r, criteria) } : {});
  const defs = selected.map((id) => registry[id]!);

  const buildStart = Date.now();
  const built = await build({ workloads, registry, log });
  const buildMs = Date.now() - buildStart;
  // Only this run's workloads (and the harness's own artifacts): the manifest also keeps other workloads' builds.
  const names = new Set(workloads.map((w) => w.name));
  const mine = (id: string) => {
    const w = splitArtifactId(id)?.workload;
    return w === undefined || names.has(w);
  };
  const manifest = { ...built, artifacts: built.artifacts.filter((a) => mine(a.id)), skipped: built.skipped.filter((s) => mine(s.id)) };
  const byId = new Map(manifest.artifacts.map((a) => [a.id, a]));
  const spawner = byId.get('spawner');
  useSpawner(spawner?.path ?? null);
  try {
    for (const w of workloads) await checkSample(w, selected, registry);
  } finally {
    useSpawner(null);
  }
  // What a killed run left behind (containers, bundles, cgroups, temp dirs) goes before anything is measured.
  const left = await findLeftovers(registry);
  if (left.length) {
    const failed = await removeLeftovers(left);
    log(`cleaned up what an earlier run left behind: ${leftoverSummary(left)}${failed.length ? `; could not remove ${failed.join('; ')} — see \`wvc clean --dry-run\`` : ''}`);
  }
  const startedAt = new Date();
  const environment = await collectEnvironment(registry);

  const results: Results = {
    schemaVersion: SCHEMA_VERSION,
    runId: runIdFor(startedAt),
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    complete: false,
    seed,
    options: { runs, warmup, targets: [...selected], quick: !!opts.quick, adaptive, crossCheck: opts.crossCheck !== false, primeBelowMs: PRIME_BELOW_MS, burst, density },
    workloads: [],
    environment,
    calibration: { spawnOverheadMs: null, samples: [], stats: null, note: 'not measured: the no-op program was not built' },
    // The probe guest's artifacts too: every capability cell it ran names one of them by sha256.
    artifacts: [...manifest.artifacts, ...built.artifacts.filter((a) => splitArtifactId(a.id)?.workload === PROBE_GUEST_NAME)].map(artifactRecord),
    targets: [],
    footprint: null,
    capabilities: null,
    density: null,
    burst: null,
    warnings: manifest.skipped.map((s) => ({ kind: 'artifact-skipped', message: `${s.id} not built: ${s.reason}`, advice: s.hint })),
    targetInfo: targetInfo(defs),
    crossRatios: [],
    crossCheck: null,
    timeline: null,
  };
  const timeline: Required<Timeline> = { build: buildMs, calibration: 0, coldStart: 0, warm: 0, density: 0, burst: 0, probes: 0, crossCheck: 0, footprint: 0, reports: 0, total: 0 };
  const runStart = Date.now();
  /** Times one step into the timeline. */
  const step = async <T>(name: Exclude<keyof Timeline, 'build' | 'total'>, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      timeline[name] += Date.now() - t;
    }
  };
  /**
   * A step's fault that is not the user's (a daemon that went away under it, a binary removed)
   * is printed once with its context and kept as a warning; the run goes on with `fallback`.
   */
  let context = 'starting';
  const fault = (e: unknown) => {
    const message = `while ${context}: ${faultText(e)}`;
    log(`harness fault ${message}`);
    results.warnings.push({ kind: 'harness-fault', message, advice: 'every other step and target went on; fix what the message names (a daemon that stopped: start it again) and run again' });
  };
  const guarded = async <T>(what: string, f: () => Promise<T>, fallback: T): Promise<T> => {
    context = what;
    try {
      return await f();
    } catch (e) {
      if (e instanceof UserError) throw e;
      fault(e);
      return fallback;
    }
  };
  // A fault outside any await chain (an event emitter's error, a socket closed under a stream) is one too.
  const onUncaught = (e: unknown) => fault(e);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const requiredMissing: string[] = [];
  const preparedAll: PreparedTarget[][] = [];
  // A bomb runs once per runtime configuration (target, variant, limits), not once per workload.
  const bombCache: BombCache = newBombCache();
  const guestRows = newGuestRowCache();

  let stop: string | null = null;
  const shouldStop = () => stop !== null;
  // SIGTERM (a CI cancellation) and SIGHUP (a closed terminal) stop the run as Ctrl-C does.
  const onSignal = (signal: StopSignal) => {
    if (stop) {
      // A second signal does not wait for the sample, only (for at most 3 s) for parked instances to go.
      const code = SIGNAL_EXIT[signal];
      setTimeout(() => process.exit(code), 3_000).unref();
      void releaseAllParked()
        .then(() => findLeftovers(registry, { mine: true }))
        .then(removeLeftovers)
        .finally(() => process.exit(code));
      return;
    }
    stop = signal;
    log(`\ninterrupted (${signal}): finishing the current sample and writing what was measured (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit at once)`);
  };
  const handlers = STOP_SIGNALS.map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  let dir = path.join(outRoot, results.runId);
  /**
   * Writes the run. After every round only results.json and samples.csv (what was measured is
   * never lost); with `full`, after each step, the cross-workload ratios and every report too.
   */
  let writeFailed: string | null = null;
  const write = (full = true) =>
    step('reports', async () => {
      if (full) results.crossRatios = crossRatios(results);
      results.timeline = { ...timeline, total: buildMs + (Date.now() - runStart) };
      try {
        dir = await writeRun(outRoot, results, full ? reports(results) : {});
        writeFailed = null;
      } catch (e) {
        if (!(e instanceof WriteError)) throw e;
        // Said once; the run goes on (a disk can be freed), and what was written before stays whole.
        if (!writeFailed) log(`results: ${e.message} — free space or make the directory writable (--out DIR writes elsewhere); what was written there before is kept whole`);
        writeFailed = e.message;
      }
    });
  useSpawner(spawner?.path ?? null);
  try {
    results.calibration = await step('calibration', () => calibrate({ noop: byId.get('noop')?.path, spawner: !!spawner, warmup, runs: Math.min(runs, 30), seed, shouldStop }));

    const done: TargetResult[] = [];
    const setWarnings = () => {
      results.warnings = [
        ...results.warnings.filter((w) => w.kind === 'artifact-skipped' || w.kind === 'harness-fault'),
        ...results.targets.flatMap((t) => (t.status === 'ok' ? t.coldStart.warnings.map((w) => ({ target: `${t.workload}:${t.id}/${t.variant}`, kind: w.kind, message: w.message, advice: w.advice })) : [])),
        ...results.targets.filter((t) => t.status === 'skipped').map((t) => ({ target: `${t.workload}:${t.id}`, kind: 'skipped', message: `${t.id} skipped for ${t.workload}: ${t.reason}`, advice: (t as { hint: string }).hint })),
      ];
    };
    // Workload by workload: each one's targets are prepared for it alone, measured, and disposed.
    for (const w of workloads) {
      if (stop) break;
      log(`workload ${w.name} (${w.language}): ${w.sample.args.join(' ')}`);
      const prepared = await prepareTargets(selected, await prepareContext(w), registry);
      preparedAll.push(prepared);
      results.workloads.push(workloadRecord(w, prepared, ROOT));
      requiredMissing.push(...missingRequired(prepared, required, w.name));
      try {
        const units: (Unit & { v: ReadyVariant })[] = prepared.flatMap((p) =>
          measuredVariants(p).map((v) => ({ key: unitKey(w.name, p.id, v.spec.name), v, run: () => v.run({ args: w.sample.args }) })),
        );
        const memCovers = new Map<string, string>();
        const stops = new Map<string, StopReason>();
        const progress = createProgress({ log });
        let measured = new Map<string, Measured[]>(units.map((u) => [u.key, []]));
        const assemble = (warm: Map<string, Warm> = new Map()) => {
          results.targets = [...done, ...assembleRows(w, prepared, measured, memCovers, warm, seed, byId, stops)];
          const rec = results.workloads.find((x) => x.name === w.name)!;
          rec.baselines.bestContainer = bestContainerOf(results.targets, w.name);
          setWarnings();
        };
        const t0 = Date.now();
        measured = await runSchedule(units, {
          warmup,
          runs,
          seed,
          shouldStop,
          stops,
          primeBelowMs: PRIME_BELOW_MS,
          ...(adaptive ? { adaptive: { ...adaptive, good: (r: RunResult) => r.exitCode === 0 && r.stdout === w.sample.stdout } } : {}),
          onSample: (key, round, r: RunResult) => {
            if (r.memory) memCovers.set(key, r.memory.covers);
            progress.tick(key, round + 1, runs);
          },
          onProgress: (p) => progress.round(p),
          onRound: async (_round, soFar) => {
            measured = soFar;
            assemble();
            await write(false);
          },
        });
        timeline.coldStart += Date.now() - t0;
        progress.done();

        assemble(await guarded(`measuring warm latency (${w.name})`, () => step('warm', () => measureWarm(units, { args: w.sample.args, expectedStdout: w.sample.stdout, iterations: warmIterations, seed, shouldStop })), new Map<string, Warm>()));
        done.splice(0, done.length, ...results.targets);
        await write();

        if (!stop && density) {
          log(`density (${w.name}): ${density.steps.join(', ')} live instances at once, summed PSS of every process involved`);
          const rows = await guarded(`measuring density (${w.name})`, () => step('density', () => measureDensity(prepared, { workload: w.name, sampleArgs: w.sample.args, parkMode: w.probes, expectedStdout: w.sample.stdout, steps: density.steps, capBytes: density.capBytes, capMs: density.capMs, budgetMs: density.budgetMs, shouldStop, log })), []);
          results.density = [...(results.density ?? []), ...rows];
          await write();
        }
        if (!stop && burstKs.length) {
          log(`burst (${w.name}): K = ${burstKs.join(', ')} cold starts at once, every answer checked`);
          const rows = await guarded(`measuring bursts (${w.name})`, () => step('burst', () => measureBurst(prepared, { workload: w.name, args: w.sample.args, expectedStdout: w.sample.stdout, ks: burstKs, timeoutMs: burst.timeoutMs, budgetMs: burst.budgetMs ?? Infinity, shouldStop, log })), []);
          results.burst = [...(results.burst ?? []), ...rows];
          await write();
        }

        if (!stop) {
          log(`capabilities (${w.name}): one probe per capability on every target that runs it — the harness's probe guest under ${w.name}'s grants${w.probes && w.grants.length ? `, then ${w.name}'s own probe mode` : ''} — judged by evidence the harness controls`);
          // --quick bounds the bombs sooner: a bomb still running at the bound is uncontained either way.
          const bound = opts.quick ? { bombBoundMs: QUICK_BOMB_BOUND_MS } : {};
          const m = await step('probes', async () => {
            const guest = await guarded(`probing capabilities with the probe guest (${w.name})`, () => runProbeGuestMatrix({ workload: w, prepared, registry, rowCache: guestRows, bombCache, log, ...bound }), null);
            if (!(w.probes && w.grants.length)) return guest;
            const own = await guarded(`probing capabilities with ${w.name}'s own probe mode`, () => runCapabilityMatrix(prepared, { manifest, workload: w.name, grantDir: w.grants[0]!.host, grantGuest: w.grants[0]!.guest, log, bombCache, ...bound }), null);
            return own ? mergeMatrix(guest, own) : guest;
          });
          if (m) results.capabilities = mergeMatrix(results.capabilities, m);
          await write();
        }
      } finally {
        await disposeAll(prepared);
      }
    }
    requiredMissing.push(...requiredNowhere(preparedAll, required));
    if (!stop) {
      log('cross-check: the floor and the fastest Wasm variant of each workload timed by hyperfine too, in this run');
      results.crossCheck = await guarded('cross-checking with hyperfine', () => step('crossCheck', () => crossCheck(results.targets, { enabled: opts.crossCheck !== false, quick: !!opts.quick, calibrationMs: results.calibration.spawnOverheadMs, shouldStop, log })), null);
      for (const c of results.crossCheck?.checks ?? []) {
        if (c.status === 'ok' && c.warning) results.warnings.push({ target: `${c.workload}:${c.id}/${c.variant}`, kind: 'cross-check', message: c.warning, advice: `reproduce with: ${c.command}` });
        if (c.status === 'failed') results.warnings.push({ target: `${c.workload}:${c.id}/${c.variant}`, kind: 'cross-check', message: `hyperfine failed: ${c.error}`, advice: `run it by hand: ${c.command}` });
      }
      await write();
    }
    if (!stop) {
      log('footprint: artifact sizes, image save and load, rollout cost per node');
      // Only the targets that were ready for some workload measure rollout and images (an engine that is down has none).
      const ready = (id: string) => preparedAll.some((ps) => ps.some((p) => p.id === id && p.status === 'ok'));
      results.footprint = await guarded('measuring the footprint', () => step('footprint', () => measureFootprint(defs, { artifacts: manifest.artifacts, runs: opts.quick ? QUICK_ROLLOUT_RUNS : ROLLOUT_RUNS, log }, ready)), null);
    }
    const faulted = results.warnings.some((x) => x.kind === 'harness-fault');
    results.complete = stop === null && requiredMissing.length === 0 && !faulted && results.targets.every((t) => t.status !== 'errored');
    if (stop) results.interrupted = stop;
    results.finishedAt = new Date().toISOString();
    await write();
  } finally {
    // Whatever happened (a fault, a signal), nothing this run made stays behind.
    const mine = await findLeftovers(registry, { mine: true }).catch(() => []);
    if (mine.length) {
      const failed = await removeLeftovers(mine);
      log(`removed what this run left behind: ${leftoverSummary(mine)}${failed.length ? `; could not remove ${failed.join('; ')}` : ''}`);
    }
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    useSpawner(null);
  }
  log(summaryTable(results));
  log(timelineLine(results));
  const verdict = criteria ? evaluateCriteria(results, criteria) : undefined;
  if (verdict) for (const c of verdict.criteria) log(`criterion ${c.id} ${c.status}: ${c.kind} ${c.subject} — measured ${c.measured}, limit ${c.limit}`);
  if (!writeFailed) for (const f of REPORT_FORMATS.flatMap((x) => (x.file ? [x.file] : []))) log(`${f.padEnd(12)} ${path.join(dir, f)}`);
  for (const line of requiredMissing) log(`REQUIRED ${line}`);
  if (writeFailed) log(`results NOT written: ${writeFailed}`);
  return { results, dir, requiredMissing, criteriaFailed: verdict ? !verdict.passed : false, writeFailed };
}

/** One matrix for the run: every workload's rows (probe guest's and own), every probe tried and the notes once. */
function mergeMatrix(a: CapabilityMatrix | null, b: CapabilityMatrix): CapabilityMatrix {
  if (!a) return b;
  const probes = PROBES.filter((q) => a.probes.includes(q) || b.probes.includes(q));
  return { probes, rows: [...a.rows, ...b.rows], notes: [...a.notes, ...b.notes.filter((n) => !a.notes.includes(n))] };
}
