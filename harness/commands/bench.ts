import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { type Footprint, measureArtifacts, measureImages, measureRuntimes, measureWasmRollout } from '../measure/footprint.js';
import { connectDocker } from '../util/docker.js';
import { runCapabilityMatrix } from '../measure/capabilities.js';
import path from 'node:path';
import type { ArtifactRecord, Results, Sample, TargetResult, Warm } from '../model.js';
import { SCHEMA_VERSION } from '../model.js';
import { build } from './build.js';
import { collectEnvironment } from '../measure/environment.js';
import { runSchedule, type Measured, type Unit } from '../measure/schedule.js';
import { samplesOf, summarizeColdStart, summarizeMemory, summarizePhases } from '../measure/cold-start.js';
import { bootstrapRatioCI, computeStats } from '../measure/stats.js';
import { randomSeed } from '../util/rng.js';
import { referenceTax } from '../reference/tax.js';
import { RULES_DIR, ROOT } from '../paths.js';
import { disposeAll, missingRequired, parseTargetList, prepareContext, prepareTargets, requiredTargets, type PreparedTarget } from '../session.js';
import { TARGET_IDS } from '../targets/index.js';
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

/** Runs of each rollout-cost measurement (docker load, copy + AOT compile). */
const ROLLOUT_RUNS = 5;

/** Every footprint figure; docker parts only when the engine is up. A failure is a note, not an abort. */
async function measureFootprint(artifacts: Artifact[], withDocker: boolean, runs: number): Promise<Footprint> {
  const fp: Footprint = { artifacts: await measureArtifacts(artifacts), images: [], rollout: [], runtimes: [], notes: [] };
  const host = artifacts.find((a) => a.id === 'wasmtime-embed-host')?.path;
  const component = artifacts.find((a) => a.id === 'component-wasm')?.path;
  if (host && component) fp.rollout.push(await measureWasmRollout(host, component, runs));
  else fp.notes.push('no wasm rollout cost: the wasmtime-embed host was not built (pip install wasmtime)');
  const conn = withDocker ? await connectDocker() : null;
  if (conn?.ok) {
    const work = await mkdtemp(path.join(tmpdir(), 'wvc-images-'));
    try {
      const m = await measureImages(conn.docker, artifacts.filter((a) => a.kind === 'image'), runs, work);
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

/** The workload input of every cold-start sample. */
export const BENCH_ARGS = ['--postal-code=10001', '--subtotal=125.00'];

export interface BenchOptions {
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

/** Which artifact each target variant runs. */
function artifactFor(id: string, variant: string): string | null {
  const map: Record<string, string> = { native: 'native-bin', 'node-wasi': 'core-wasm', jco: 'jco-bundle', docker: variant === 'debian' ? 'image-debian' : 'image-scratch' };
  if (id === 'wasmtime-embed' || id === 'wasmtime') return variant === 'jit' || variant === 'jit-cache-off' ? 'component-wasm' : 'component-cwasm';
  return map[id] ?? null;
}

/**
 * `wvc bench`: builds, then measures every available target variant's cold
 * start in seeded shuffled rounds, its phases, peak memory and warm per-request
 * latency, and writes results.json and samples.csv after every round.
 */
export async function bench(opts: BenchOptions = {}): Promise<BenchOutcome> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const runs = intOption('--runs', opts.runs, opts.quick ? 5 : 30, 1);
  const warmup = intOption('--warmup', opts.warmup, opts.quick ? 1 : 3, 0);
  const warmIterations = intOption('--warm-iterations', opts.warmIterations, opts.quick ? 20 : 100, 1);
  const seed = opts.seed ?? randomSeed();
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UserError(`--seed must be an integer from 0 to 4294967295, got ${seed}`);
  const ids = parseTargetList(opts.targets, '--targets');
  const required = requiredTargets(opts.require);
  const outRoot = path.resolve(opts.out ?? path.join(ROOT, 'results'));

  // The criteria are read before anything is measured, so a bad file costs nothing.
  const criteria = opts.criteria ? await readCriteria(opts.criteria) : undefined;
  const reports = (r: Results) => renderAll(r, criteria ? { criteria: evaluateCriteria(r, criteria) } : {});

  const manifest = await build({ log });
  const startedAt = new Date();
  const environment = await collectEnvironment();
  const ctx = await prepareContext();
  const prepared = await prepareTargets(ids.length ? ids : TARGET_IDS, ctx);
  const requiredMissing = missingRequired(prepared, required);
  const byId = new Map(manifest.artifacts.map((a) => [a.id, a]));
  const spawner = byId.get('spawner');
  useSpawner(spawner?.path ?? null);

  const expected = referenceTax([...BENCH_ARGS, `--rules=${RULES_DIR}`]);
  if (expected.exitCode !== 0) throw new Error(`the reference implementation rejects the bench input: ${expected.stderr}`);

  const results: Results = {
    schemaVersion: SCHEMA_VERSION,
    runId: runIdFor(startedAt),
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    complete: false,
    seed,
    options: { runs, warmup, targets: prepared.map((p) => p.id), quick: !!opts.quick },
    workload: { name: 'tax-calculator (C)', args: BENCH_ARGS, expectedStdout: expected.stdout },
    environment,
    calibration: { spawnOverheadMs: null, samples: [], stats: null, note: 'not measured: the no-op program was not built' },
    artifacts: manifest.artifacts.map(artifactRecord),
    targets: [],
    footprint: null,
    capabilities: null,
    warnings: manifest.skipped.map((s) => ({ kind: 'artifact-skipped', message: `${s.id} not built: ${s.reason}`, advice: s.hint })),
  };

  let stop: string | null = null;
  const onSigint = () => {
    if (stop) process.exit(130); // a second Ctrl-C does not wait
    stop = 'SIGINT';
    log('\ninterrupted: finishing the current sample and writing what was measured (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  let dir = path.join(outRoot, results.runId);
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

    const ready = prepared.filter((p): p is Extract<PreparedTarget, { status: 'ok' }> => p.status === 'ok');
    const units: (Unit & { p: (typeof ready)[number]; variant: string })[] = ready.flatMap((p) =>
      p.target.variants.map((variant) => ({ key: `${p.id}/${variant}`, p, variant, run: () => p.target.run(variant, { args: BENCH_ARGS }) })),
    );
    const memCovers = new Map<string, string>();
    const progress = createProgress({ total: runs * units.length, log });
    let measured = new Map<string, Measured[]>(units.map((u) => [u.key, []]));
    const assemble = (warm: Map<string, Warm> = new Map()) => {
      results.targets = assembleTargets(prepared, units, measured, memCovers, warm, expected.stdout, seed, byId);
      results.warnings = [
        ...results.warnings.filter((w) => w.kind === 'artifact-skipped'),
        ...results.targets.flatMap((t) => (t.status === 'ok' ? t.coldStart.warnings.map((w) => ({ target: `${t.id}/${t.variant}`, kind: w.kind, message: w.message, advice: w.advice })) : [])),
        ...results.targets.filter((t) => t.status === 'skipped').map((t) => ({ target: t.id, kind: 'skipped', message: `${t.id} skipped: ${t.reason}`, advice: (t as { hint: string }).hint })),
      ];
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
        const w = await t.warm(u.variant, { args: BENCH_ARGS, iterations: warmIterations });
        if (w.stdout !== expected.stdout) throw new Error(`wrong answer from the warm loop: ${JSON.stringify(w.stdout)}`);
        warm.set(u.key, { status: 'ok', unit: 'ms', mode: w.mode, samples: w.samples, stats: computeStats(w.samples, { seed }), note: 'fresh instance per request, module already compiled' });
      } catch (e) {
        warm.set(u.key, { status: 'n/a', note: `warm loop failed: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    assemble(warm);
    if (!stop) {
      log('footprint: artifact sizes, image save and load, rollout cost per node');
      results.footprint = await measureFootprint(manifest.artifacts, ready.some((p) => p.id === 'docker'), ROLLOUT_RUNS);
      dir = await writeRun(outRoot, results, reports(results));
    }
    if (!stop) {
      log('capabilities: one probe per capability on every target, judged by evidence the harness controls');
      // --quick bounds the bombs sooner: a bomb still running at the bound is uncontained either way.
      results.capabilities = await runCapabilityMatrix(prepared, { manifest: ctx.manifest, rulesDir: ctx.rulesDir, log, ...(opts.quick ? { bombBoundMs: QUICK_BOMB_BOUND_MS } : {}) });
    }
    results.complete = stop === null && requiredMissing.length === 0 && results.targets.every((t) => t.status !== 'errored');
    if (stop) results.interrupted = stop;
    results.finishedAt = new Date().toISOString();
    dir = await writeRun(outRoot, results, reports(results));
  } finally {
    process.off('SIGINT', onSigint);
    useSpawner(null);
    await disposeAll(prepared);
  }
  log(summaryTable(results));
  const verdict = criteria ? evaluateCriteria(results, criteria) : undefined;
  if (verdict) for (const c of verdict.criteria) log(`criterion ${c.id} ${c.status}: ${c.kind} ${c.subject} — measured ${c.measured}, limit ${c.limit}`);
  for (const f of ['report.md', 'report.html', 'results.json', 'samples.csv']) log(`${f.padEnd(12)} ${path.join(dir, f)}`);
  for (const line of requiredMissing) log(`REQUIRED ${line}`);
  return { results, dir, requiredMissing, criteriaFailed: verdict ? !verdict.passed : false };
}

function assembleTargets(
  prepared: readonly PreparedTarget[],
  units: readonly { key: string; p: PreparedTarget; variant: string }[],
  measured: Map<string, Measured[]>,
  memCovers: Map<string, string>,
  warm: Map<string, Warm>,
  expectedStdout: string,
  seed: number,
  artifacts: Map<string, Artifact>,
): TargetResult[] {
  const samples = new Map(units.map((u) => [u.key, samplesOf(measured.get(u.key) ?? [], expectedStdout)]));
  const okMs = (key: string) => (samples.get(key) ?? []).filter((s: Sample) => s.ok).map((s) => s.ms);
  const nativeMs = okMs('native/static');
  const dockerMs = okMs('docker/default');
  const ratio = (num: number[], den: number[]) => (num.length && den.length ? bootstrapRatioCI(num, den, { seed }) : null);
  const out: TargetResult[] = [];
  for (const p of prepared) {
    const base = (variant: string) => {
      const d = p.status === 'ok' ? p.target.describe(variant) : null;
      const aid = artifactFor(p.id, variant);
      const a = aid ? artifacts.get(aid) : undefined;
      return { id: p.id, variant, label: d?.label ?? p.id, runtime: d?.runtime ?? null, command: d?.command ?? null, grants: d?.grants ?? [], artifact: a ? { id: a.id, sha256: a.sha256 } : null };
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
      out.push({ ...base(u.variant), status: 'skipped', reason: u.reason, hint: u.hint });
    }
    for (const variant of p.target.variants) {
      const key = `${p.id}/${variant}`;
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
