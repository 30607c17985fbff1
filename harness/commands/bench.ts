import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { type Footprint, measureArtifacts, measureImages, measureRuntimes, measureWasmRollout } from '../measure/footprint.js';
import { connectDocker } from '../util/docker.js';
import { runCapabilityMatrix } from '../measure/capabilities.js';
import path from 'node:path';
import type { ArtifactRecord, Results, Sample, TargetResult, Warm } from '../model.js';
import { SCHEMA_VERSION, splitArtifactId } from '../model.js';
import { build } from './build.js';
import { collectEnvironment } from '../measure/environment.js';
import { runSchedule, type Measured, type Unit } from '../measure/schedule.js';
import { samplesOf, summarizeColdStart, summarizeMemory, summarizePhases } from '../measure/cold-start.js';
import { bootstrapRatioCI, computeStats } from '../measure/stats.js';
import { randomSeed } from '../util/rng.js';
import { DEFAULT_WORKLOADS, ROOT } from '../paths.js';
import { disposeAll, missingRequired, parseTargetList, prepareContext, prepareTargets, requiredNowhere, requiredTargets, type PreparedTarget } from '../session.js';
import { TARGET_IDS, type TargetId } from '../targets/index.js';
import { type Workload, loadWorkloads, manifestLabel } from '../workload.js';
import type { CapabilityMatrix } from '../measure/capabilities.js';
import type { Artifact, RunResult } from '../targets/types.js';
import { UserError } from '../targets/types.js';
import { run, useSpawner } from '../util/spawn.js';
import { writeRun } from '../report/writer.js';
import { renderAll } from '../report/index.js';
import { type Criteria, evaluateCriteria, loadCriteria } from '../report/criteria.js';
import { readFile } from 'node:fs/promises';
import { summaryTable } from '../report/summary.js';
import { createProgress } from '../report/progress.js';

/** With --quick, the time bound the harness enforces on the cpu and memory bombs. */
const QUICK_BOMB_BOUND_MS = 4_000;

/** Runs of each rollout-cost measurement (docker load, copy + AOT compile); --quick takes 3. */
const ROLLOUT_RUNS = 5;
const QUICK_ROLLOUT_RUNS = 3;

/** Every footprint figure; docker parts only when the engine is up. A failure is a note, not an abort. */
async function measureFootprint(artifacts: Artifact[], withDocker: boolean, runs: number): Promise<Footprint> {
  const fp: Footprint = { artifacts: await measureArtifacts(artifacts), images: [], rollout: [], runtimes: [], notes: [] };
  const host = artifacts.find((a) => a.id === 'wasmtime-embed-host')?.path;
  // Every workload's component: the JavaScript one is where AOT rollout cost decides the story.
  const components = artifacts.filter((a) => splitArtifactId(a.id)?.role === 'component' && a.path);
  if (host) for (const c of components) fp.rollout.push(await measureWasmRollout(host, c, runs));
  else fp.notes.push('no wasm rollout cost: the wasmtime-embed host was not built (pip install wasmtime)');
  const conn = withDocker ? await connectDocker() : null;
  if (conn?.ok) {
    const work = await mkdtemp(path.join(tmpdir(), 'wvc-images-'));
    try {
      // A workload's images; a base (image-node-base) is loaded with the image built on it, not on its own.
      const m = await measureImages(conn.docker, artifacts.filter((a) => a.kind === 'image' && splitArtifactId(a.id)), runs, work);
      fp.images = m.images;
      fp.rollout.push(...m.rollout);
    } catch (e) {
      fp.notes.push(`image footprint failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } else {
    fp.notes.push('no image sizes or docker load cost: no Docker engine');
  }
  fp.runtimes = await measureRuntimes(host);
  return fp;
}

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
  log?: (line: string) => void;
}

export interface BenchOutcome {
  results: Results;
  dir: string;
  /** Required targets that were skipped or errored: the run fails. */
  requiredMissing: string[];
  /** A --criteria file was given and a criterion failed. */
  criteriaFailed: boolean;
}

/** Where each target's phase numbers come from, for the report. */
const PHASE_SOURCE: Record<string, string> = {
  docker: 'Engine API call timings, plus the container State.StartedAt/FinishedAt',
  'wasmtime-embed': 'reported by the embedding host (engine, load or compile, instantiate, run)',
  'node-wasi': 'performance marks on a side channel (boot = Node start to host script)',
  jco: 'performance marks on a side channel (boot = Node start to host script)',
};

const WARM_NA: Record<string, string> = {
  native: 'no in-process equivalent: a native program is a process per request',
  node: 'not measured: a script on Node would be warm as a long-running server, which is a different program',
  docker: 'no in-process equivalent: the nearest is a new container per request, which is the cold start',
  wasmtime: 'the CLI has no in-process loop; see wasmtime-embed for the embedded engine',
};

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

/** The workload as recorded with the run. */
function workloadRecord(w: Workload, prepared: readonly PreparedTarget[]) {
  const rel = path.relative(ROOT, w.manifestPath);
  return {
    name: w.name,
    language: w.language,
    description: w.description,
    manifest: rel.startsWith('..') ? w.manifestPath : rel,
    manifestSha256: w.manifestSha256,
    args: w.sample.args,
    expectedStdout: w.sample.stdout,
    notApplicable: prepared.flatMap((p) =>
      p.status === 'n/a' ? [{ target: p.id, reason: p.reason }] : p.status === 'ok' ? (p.target.inapplicableVariants?.() ?? []).map((v) => ({ target: `${p.id}/${v.variant}`, reason: v.reason })) : [],
    ),
  };
}

/**
 * Before anything is measured: the sample must print the manifest's `sample.stdout`
 * on at least one target (tried in registry order, fastest first, until one does).
 * When every target that ran printed something else, the manifest is wrong, not the
 * runtimes: a user error naming the field.
 */
async function checkSample(w: Workload, ids: readonly TargetId[]): Promise<void> {
  const prepared = await prepareTargets(ids, await prepareContext(w));
  const printed: string[] = [];
  try {
    for (const p of prepared) {
      if (p.status !== 'ok') continue;
      const r = await p.target.run(p.target.variants[0], { args: w.sample.args });
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
  const runs = intOption('--runs', opts.runs, opts.quick ? 5 : 30, 1);
  const warmup = intOption('--warmup', opts.warmup, opts.quick ? 1 : 3, 0);
  const warmIterations = intOption('--warm-iterations', opts.warmIterations, opts.quick ? 20 : 100, 1);
  const seed = opts.seed ?? randomSeed();
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UserError(`--seed must be an integer from 0 to 4294967295, got ${seed}`);
  const ids = parseTargetList(opts.targets, '--targets');
  const selected = ids.length ? ids : TARGET_IDS;
  const required = requiredTargets(opts.require);
  const outRoot = path.resolve(opts.out ?? path.join(ROOT, 'results'));

  // The criteria and the manifests are read before anything is measured, so a bad file costs nothing.
  const criteria = opts.criteria ? await readCriteria(opts.criteria) : undefined;
  const workloads = await loadWorkloads(opts.workloads?.length ? opts.workloads : DEFAULT_WORKLOADS);
  const reports = (r: Results) => renderAll(r, criteria ? { criteria: evaluateCriteria(r, criteria) } : {});

  const built = await build({ workloads, log });
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
    for (const w of workloads) await checkSample(w, selected);
  } finally {
    useSpawner(null);
  }
  const startedAt = new Date();
  const environment = await collectEnvironment();

  const results: Results = {
    schemaVersion: SCHEMA_VERSION,
    runId: runIdFor(startedAt),
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    complete: false,
    seed,
    options: { runs, warmup, targets: [...selected], quick: !!opts.quick },
    workloads: [],
    environment,
    calibration: { spawnOverheadMs: null, samples: [], stats: null, note: 'not measured: the no-op program was not built' },
    artifacts: manifest.artifacts.map(artifactRecord),
    targets: [],
    footprint: null,
    capabilities: null,
    warnings: manifest.skipped.map((s) => ({ kind: 'artifact-skipped', message: `${s.id} not built: ${s.reason}`, advice: s.hint })),
  };
  const requiredMissing: string[] = [];
  const preparedAll: PreparedTarget[][] = [];

  let stop: string | null = null;
  const onSigint = () => {
    if (stop) process.exit(130); // a second Ctrl-C does not wait
    stop = 'SIGINT';
    log('\ninterrupted: finishing the current sample and writing what was measured (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  let dir = path.join(outRoot, results.runId);
  useSpawner(spawner?.path ?? null);
  let dockerUsed = false;
  try {
    // Calibration: the same spawner, timing a static program that does nothing.
    const noop = byId.get('noop');
    if (noop?.path) {
      const cal: number[] = [];
      for (let i = 0; i < warmup + Math.max(runs, 10) && !stop; i++) {
        const r = await run(noop.path, []);
        if (i >= warmup && r.exitCode === 0) cal.push(r.durationMs);
      }
      if (cal.length) {
        const stats = computeStats(cal, { seed });
        results.calibration = { spawnOverheadMs: stats.median, samples: cal, stats, note: `median time to spawn and reap a static no-op program through the same spawner${spawner ? ' (wvc-spawn, for ru_maxrss)' : ''}; shown, never subtracted` };
      }
    }

    const done: TargetResult[] = [];
    const setWarnings = () => {
      results.warnings = [
        ...results.warnings.filter((w) => w.kind === 'artifact-skipped'),
        ...results.targets.flatMap((t) => (t.status === 'ok' ? t.coldStart.warnings.map((w) => ({ target: `${t.workload}:${t.id}/${t.variant}`, kind: w.kind, message: w.message, advice: w.advice })) : [])),
        ...results.targets.filter((t) => t.status === 'skipped').map((t) => ({ target: `${t.workload}:${t.id}`, kind: 'skipped', message: `${t.id} skipped for ${t.workload}: ${t.reason}`, advice: (t as { hint: string }).hint })),
      ];
    };
    // Workload by workload: each one's targets are prepared for it alone, measured, and disposed.
    for (const w of workloads) {
      if (stop) break;
      log(`workload ${w.name} (${w.language}): ${w.sample.args.join(' ')}`);
      const prepared = await prepareTargets(selected, await prepareContext(w));
      preparedAll.push(prepared);
      results.workloads.push(workloadRecord(w, prepared));
      requiredMissing.push(...missingRequired(prepared, required, w.name));
      try {
        const ready = prepared.filter((p): p is Extract<PreparedTarget, { status: 'ok' }> => p.status === 'ok');
        dockerUsed ||= ready.some((p) => p.id === 'docker');
        const units: (Unit & { p: (typeof ready)[number]; variant: string })[] = ready.flatMap((p) =>
          p.target.variants.map((variant) => ({ key: `${w.name}:${p.id}/${variant}`, p, variant, run: () => p.target.run(variant, { args: w.sample.args }) })),
        );
        const memCovers = new Map<string, string>();
        const progress = createProgress({ total: runs * units.length, log });
        let measured = new Map<string, Measured[]>(units.map((u) => [u.key, []]));
        const assemble = (warm: Map<string, Warm> = new Map()) => {
          results.targets = [...done, ...assembleTargets(w, prepared, units, measured, memCovers, warm, seed, byId)];
          setWarnings();
        };
        const schedule = await runSchedule(units, {
          warmup,
          runs,
          seed,
          shouldStop: () => stop !== null,
          onSample: (key, round, r: RunResult) => {
            if (r.memory) memCovers.set(key, r.memory.covers);
            progress.tick(key, round + 1, runs);
          },
          onRound: async (_round, soFar) => {
            measured = soFar;
            assemble();
            dir = await writeRun(outRoot, results, reports(results));
          },
        });
        measured = schedule;
        progress.done();

        // Warm, in-process latency per request, where the runtime has such a mode.
        const warm = new Map<string, Warm>();
        for (const u of units) {
          if (stop) break;
          const t = u.p.target;
          if (!t.warm) {
            warm.set(u.key, { status: 'n/a', note: WARM_NA[u.p.id] ?? 'this runtime has no in-process mode' });
            continue;
          }
          try {
            const wr = await t.warm(u.variant, { args: w.sample.args, iterations: warmIterations });
            if (wr.stdout !== w.sample.stdout) throw new Error(`wrong answer from the warm loop: ${JSON.stringify(wr.stdout)}`);
            warm.set(u.key, { status: 'ok', unit: 'ms', mode: wr.mode, samples: wr.samples, stats: computeStats(wr.samples, { seed }), note: 'fresh instance per request, module already compiled' });
          } catch (e) {
            warm.set(u.key, { status: 'n/a', note: `warm loop failed: ${e instanceof Error ? e.message : String(e)}` });
          }
        }
        assemble(warm);
        done.splice(0, done.length, ...results.targets);
        dir = await writeRun(outRoot, results, reports(results));

        if (!stop && w.probes && w.grants.length) {
          log(`capabilities (${w.name}): one probe per capability on every target, judged by evidence the harness controls`);
          // --quick bounds the bombs sooner: a bomb still running at the bound is uncontained either way.
          const m = await runCapabilityMatrix(prepared, { manifest, workload: w.name, grantDir: w.grants[0]!.host, grantGuest: w.grants[0]!.guest, log, ...(opts.quick ? { bombBoundMs: QUICK_BOMB_BOUND_MS } : {}) });
          results.capabilities = mergeMatrix(results.capabilities, m);
          dir = await writeRun(outRoot, results, reports(results));
        }
      } finally {
        await disposeAll(prepared);
      }
    }
    requiredMissing.push(...requiredNowhere(preparedAll, required));
    if (!stop) {
      log('footprint: artifact sizes, image save and load, rollout cost per node');
      results.footprint = await measureFootprint(manifest.artifacts, dockerUsed, opts.quick ? QUICK_ROLLOUT_RUNS : ROLLOUT_RUNS);
    }
    results.complete = stop === null && requiredMissing.length === 0 && results.targets.every((t) => t.status !== 'errored');
    if (stop) results.interrupted = stop;
    results.finishedAt = new Date().toISOString();
    dir = await writeRun(outRoot, results, reports(results));
  } finally {
    process.off('SIGINT', onSigint);
    useSpawner(null);
  }
  log(summaryTable(results));
  const verdict = criteria ? evaluateCriteria(results, criteria) : undefined;
  if (verdict) for (const c of verdict.criteria) log(`criterion ${c.id} ${c.status}: ${c.kind} ${c.subject} — measured ${c.measured}, limit ${c.limit}`);
  for (const f of ['report.md', 'report.html', 'results.json', 'samples.csv']) log(`${f.padEnd(12)} ${path.join(dir, f)}`);
  for (const line of requiredMissing) log(`REQUIRED ${line}`);
  return { results, dir, requiredMissing, criteriaFailed: verdict ? !verdict.passed : false };
}

/** One matrix for the run: every workload's rows, the probes and notes once. */
function mergeMatrix(a: CapabilityMatrix | null, b: CapabilityMatrix): CapabilityMatrix {
  if (!a) return b;
  return { probes: a.probes, rows: [...a.rows, ...b.rows], notes: [...a.notes, ...b.notes.filter((n) => !a.notes.includes(n))] };
}

function assembleTargets(
  w: Workload,
  prepared: readonly PreparedTarget[],
  units: readonly { key: string; p: PreparedTarget; variant: string }[],
  measured: Map<string, Measured[]>,
  memCovers: Map<string, string>,
  warm: Map<string, Warm>,
  seed: number,
  artifacts: Map<string, Artifact>,
): TargetResult[] {
  const samples = new Map(units.map((u) => [u.key, samplesOf(measured.get(u.key) ?? [], w.sample.stdout)]));
  const keyFor = (id: string, variant: string) => `${w.name}:${id}/${variant}`;
  const okMs = (key: string) => (samples.get(key) ?? []).filter((s: Sample) => s.ok).map((s) => s.ms);
  const nativeMs = okMs(keyFor('native', 'static'));
  const dockerMs = okMs(keyFor('docker', 'default'));
  const ratio = (num: number[], den: number[]) => (num.length && den.length ? bootstrapRatioCI(num, den, { seed }) : null);
  const out: TargetResult[] = [];
  for (const p of prepared) {
    if (p.status === 'n/a') continue; // recorded on the workload, not as a row
    const base = (variant: string) => {
      const d = p.status === 'ok' ? p.target.describe(variant) : null;
      const a = d ? artifacts.get(d.artifact) : undefined;
      return { workload: w.name, id: p.id, variant, label: d?.label ?? p.id, runtime: d?.runtime ?? null, command: d?.command ?? null, grants: d?.grants ?? [], artifact: a ? { id: a.id, sha256: a.sha256 } : null };
    };
    if (p.status === 'skipped') {
      out.push({ ...base(p.target.variants[0]), variant: p.target.variants.join(','), status: 'skipped', reason: p.reason, hint: p.hint });
      continue;
    }
    if (p.status === 'errored') {
      out.push({ ...base(p.target.variants[0]), variant: p.target.variants.join(','), status: 'errored', reason: p.error });
      continue;
    }
    for (const u of p.target.unavailableVariants?.() ?? []) {
      out.push({ ...base(u.variant), artifact: null, status: 'skipped', reason: u.reason, hint: u.hint });
    }
    for (const variant of p.target.variants) {
      const key = keyFor(p.id, variant);
      const s = samples.get(key) ?? [];
      const coldStart = summarizeColdStart(s, seed);
      const good = okMs(key);
      if (s.length && !good.length) {
        out.push({ ...base(variant), status: 'errored', reason: `every sample failed; first: ${s[0].error}`, coldStart });
        continue;
      }
      out.push({
        ...base(variant),
        status: 'ok',
        reason: null,
        coldStart,
        phases: summarizePhases(s, PHASE_SOURCE[p.id] ?? 'host'),
        warm: warm.get(key) ?? { status: 'n/a', note: 'not measured (run interrupted)' },
        memory: summarizeMemory(s, memCovers.get(key)),
        vsNative: ratio(good, nativeMs),
        vsDocker: ratio(good, dockerMs),
      });
    }
  }
  return out;
}
