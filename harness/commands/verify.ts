import { cpus } from 'node:os';
import { checkRun } from '../conformance.js';
import { DEFAULT_WORKLOADS } from '../paths.js';
import { loadVectors, sampleVectors, type Vector } from '../reference/vectors.js';
import { disposeAll, missingRequired, parseTargetList, prepareContext, prepareTargets, requiredNowhere, requiredTargets, type PreparedTarget } from '../session.js';
import { registry as defaultRegistry, idsOf } from '../targets/index.js';
import { buildCommand } from '../targets/common.js';
import { build } from './build.js';
import type { Registry, TargetId } from '../targets/types.js';
import { type Workload, loadWorkloads } from '../workload.js';
import { mapLimit } from '../util/pool.js';

/** A container start per vector costs hundreds of ms: container targets declare `verifySample` with this many. */
export const DOCKER_SAMPLE = 100;
/**
 * A variant whose first run takes longer than this (the JavaScript component under
 * JIT compiles 12 MB of wasm per run) runs the deterministic class sample: the
 * first vector of every class and error code.
 */
export const SLOW_RUN_MS = 1_500;
/** Slower still (seconds per run): one vector per outcome, i.e. per exit code and error code. */
export const VERY_SLOW_RUN_MS = 5_000;

/** The first vector of every outcome (exit code and stderr error code), in file order. */
export function firstOfEachOutcome(vs: readonly Vector[]): Vector[] {
  const seen = new Set<string>();
  return vs.filter((v) => {
    const key = `${v.exitCode}\u0000${v.error ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface VerifyOptions {
  /** Workload directories (default: the C and JavaScript tax calculators). */
  workloads?: readonly string[];
  targets?: string;
  require?: string;
  /** Run every vector on every variant, instead of the samples. */
  all?: boolean;
  /** Run a deterministic sample of about this many vectors (every class included) on every variant. */
  sample?: number;
  /** Runs in flight per target (default: number of CPUs). */
  concurrency?: number;
  /** The targets to choose from (default: harness/targets/index.ts). */
  registry?: Registry;
  log?: (line: string) => void;
  /** Where the build's own lines go (default: stderr); the build runs first, as bench's does. */
  buildLog?: (line: string) => void;
}

export interface VariantVerdict {
  workload: string;
  target: TargetId;
  variant: string;
  label: string;
  runtime: string;
  exitCodes: 'exact' | 'ok-err';
  vectors: number;
  /** Why fewer than all the vectors ran, when they did. */
  sample?: string;
  passed: number;
  mismatches: { id: string; args: string[]; detail: string }[];
}

export interface VerifyReport {
  ok: boolean;
  verdicts: VariantVerdict[];
  skipped: { workload: string; target: TargetId; reason: string; hint: string }[];
  errored: { workload: string; target: TargetId; error: string }[];
  /** Targets (or `target/variant`) that do not apply to a workload: it declares nothing they run. */
  notApplicable: { workload: string; target: string; reason: string }[];
  /** Required targets that were skipped or errored. */
  requiredMissing: string[];
  /** What ran: vector runs summed over variants, the distinct targets and the variants that ran any. */
  ran: { runs: number; targets: number; variants: number };
  /** The last line: the outcome and what ran, or, when nothing ran, the one fix to make. */
  summary: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The fix when no vector ran anywhere: the build command when a target was
 * skipped for want of one (`npm run build` builds only the default workloads,
 * so any other names `wvc build --workload DIR`), else the first skip's or error's hint.
 */
function nothingRanFix(workloads: readonly Workload[], report: VerifyReport): string {
  const unbuilt = workloads.filter((w) => report.skipped.some((s) => s.workload === w.name && s.hint.includes(buildCommand(w))));
  if (unbuilt.length) return `run \`${buildCommand(...unbuilt)}\` first`;
  const hints = [...new Set([...report.skipped.map((s) => s.hint), ...report.errored.map((e) => `${e.target} errored: ${e.error}`)])];
  if (hints.length) return hints.length === 1 ? hints[0] : `${hints[0]} (and ${hints.length - 1} more, see above)`;
  return 'no selected target runs an artifact the workload declares — choose --targets among those that do (see README, "Workloads")';
}

function summarize(workloads: readonly Workload[], report: VerifyReport): string {
  const { runs, targets, variants } = report.ran;
  if (variants === 0) {
    const parts = [report.skipped.length && `${report.skipped.length} skipped`, report.errored.length && `${report.errored.length} errored`, report.notApplicable.length && `${report.notApplicable.length} not applicable`].filter(Boolean).join(', ');
    return `verify: FAILED — no vector ran on any target${parts ? ` (${parts})` : ''} — ${nothingRanFix(workloads, report)}`;
  }
  const what = `${plural(runs, 'vector run')} on ${plural(targets, 'target')} (${plural(variants, 'variant')})`;
  if (report.ok) return `verify: every run identical to the golden vectors — ${what}`;
  const mismatched = report.verdicts.reduce((n, v) => n + v.mismatches.length, 0);
  return `verify: FAILED (see above) — ${what}, ${plural(mismatched, 'mismatch', 'mismatches')}`;
}

/** A workload's vectors: its vectors file, else its sample run as the one vector. */
async function vectorsOf(w: Workload): Promise<Vector[]> {
  if (w.vectors) return loadVectors(w.vectors);
  return [{ id: 'sample-0000', args: w.sample.args, stdout: w.sample.stdout, exitCode: 0, error: null }];
}

/**
 * `wvc verify`: runs each workload's golden vectors through every available
 * target and variant, and requires byte-identical stdout, the expected exit code
 * and the same error code. Docker and slow variants run a deterministic sample
 * unless `all` is set.
 */
export async function verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const workloads = await loadWorkloads(opts.workloads?.length ? opts.workloads : DEFAULT_WORKLOADS);
  const registry = opts.registry ?? defaultRegistry;
  const ids = parseTargetList(opts.targets, '--targets', registry);
  const required = requiredTargets(opts.require, registry);
  const concurrency = opts.concurrency ?? cpus().length;
  const report: VerifyReport = { ok: true, verdicts: [], skipped: [], errored: [], notApplicable: [], requiredMissing: [], ran: { runs: 0, targets: 0, variants: 0 }, summary: '' };
  const all: PreparedTarget[][] = [];
  // Verify prepares what it runs, as bench does: prebuilt artifacts are recorded by hash and what
  // derives from them (a .cwasm, a jco bundle) is remade when they changed; nothing up to date is rebuilt.
  await build({ workloads, registry, log: opts.buildLog ?? ((line) => console.error(line)) });
  for (const w of workloads) {
    const prepared = await prepareTargets(ids.length ? ids : idsOf(registry), await prepareContext(w, { unbuilt: 'empty' }), registry);
    all.push(prepared);
    report.requiredMissing.push(...missingRequired(prepared, required, w.name));
    try {
      await verifyWorkload(w, prepared, await vectorsOf(w), { ...opts, concurrency, log }, report);
    } finally {
      await disposeAll(prepared);
    }
  }
  report.requiredMissing.push(...requiredNowhere(all, required));
  for (const line of report.requiredMissing) log(`REQUIRED ${line}`);
  report.ran = { runs: report.verdicts.reduce((n, v) => n + v.vectors, 0), targets: new Set(report.verdicts.map((v) => v.target)).size, variants: report.verdicts.length };
  // A verify in which nothing ran proves nothing: it fails, naming what to run.
  report.ok = report.ran.variants > 0 && report.verdicts.every((v) => v.mismatches.length === 0) && report.errored.length === 0 && report.requiredMissing.length === 0;
  report.summary = summarize(workloads, report);
  return report;
}

async function verifyWorkload(w: Workload, prepared: PreparedTarget[], vectors: Vector[], opts: VerifyOptions & { concurrency: number; log: (l: string) => void }, report: VerifyReport): Promise<void> {
  const { log } = opts;
  const name = w.name;
  for (const p of prepared) {
    if (p.status === 'n/a') {
      report.notApplicable.push({ workload: name, target: p.id, reason: p.reason });
      continue;
    }
    if (p.status === 'skipped') {
      report.skipped.push({ workload: name, target: p.id, reason: p.reason, hint: p.hint });
      log(`${name} ${p.id}: skipped — ${p.reason} — ${p.hint}`);
      continue;
    }
    if (p.status === 'errored') {
      report.errored.push({ workload: name, target: p.id, error: p.error });
      log(`${name} ${p.id}: errored — ${p.error}`);
      continue;
    }
    for (const pv of p.variants) {
      if (pv.spec.probeOnly) continue;
      const variant = pv.spec.name;
      if (pv.status === 'n/a') {
        report.notApplicable.push({ workload: name, target: `${p.id}/${variant}`, reason: pv.reason });
        continue;
      }
      if (pv.status === 'skipped') {
        report.skipped.push({ workload: name, target: p.id, reason: `variant ${variant}: ${pv.reason}`, hint: pv.hint });
        log(`${name} ${p.id} ${variant}: skipped — ${pv.reason} — ${pv.hint}`);
        continue;
      }
      const d = pv.describe();
      const verdict: VariantVerdict = { workload: name, target: p.id, variant, label: pv.spec.label, runtime: `${d.runtime.name} ${d.runtime.version}`, exitCodes: pv.spec.exitCodes, vectors: 0, passed: 0, mismatches: [] };
      const check = async (v: Vector) => {
        let detail: string | null;
        const t0 = performance.now();
        try {
          detail = checkRun(v, await pv.run({ args: v.args }), verdict.exitCodes);
        } catch (e) {
          detail = `harness error: ${e instanceof Error ? e.message : String(e)}`;
        }
        if (detail) verdict.mismatches.push({ id: v.id, args: v.args, detail });
        else verdict.passed++;
        return performance.now() - t0;
      };
      // The first vectors also time the variant, which decides the sample. A first
      // run pays one-time costs (cold page cache, a loaded machine), so a slow one
      // is timed again on the next vector and the faster of the two decides.
      const done = new Set<Vector>([vectors[0]]);
      let firstMs = await check(vectors[0]);
      if (firstMs > SLOW_RUN_MS && vectors.length > 1) {
        done.add(vectors[1]);
        firstMs = Math.min(firstMs, await check(vectors[1]));
      }
      let set = vectors;
      if (opts.sample && opts.sample < vectors.length) {
        set = sampleVectors(vectors, opts.sample);
        verdict.sample = `deterministic sample of ${set.length} of ${vectors.length} (--sample ${opts.sample})`;
      }
      const cap = pv.spec.verifySample;
      if (!opts.all && cap !== undefined && set.length > cap) {
        set = sampleVectors(vectors, cap);
        verdict.sample = `deterministic sample of ${set.length} of ${vectors.length} (${pv.spec.class === 'container' ? 'a container per vector' : 'declared by the target'}; --all runs every one)`;
      } else if (!opts.all && firstMs > VERY_SLOW_RUN_MS && set.length > 1) {
        set = firstOfEachOutcome(vectors);
        verdict.sample = `first vector of every outcome, ${set.length} of ${vectors.length} (a run took ${Math.round(firstMs)} ms; --all runs every one)`;
      } else if (!opts.all && firstMs > SLOW_RUN_MS && set.length > 1) {
        set = sampleVectors(vectors, 1);
        verdict.sample = `first vector of every class, ${set.length} of ${vectors.length} (a run took ${Math.round(firstMs)} ms; --all runs every one)`;
      }
      await mapLimit(set.filter((v) => !done.has(v)), opts.concurrency, check);
      verdict.vectors = new Set([...set, ...done]).size;
      report.verdicts.push(verdict);
      const note = verdict.exitCodes === 'ok-err' ? ' (exit codes compared as ok/err: WASI 0.2 exit carries a result)' : '';
      log(`${name} ${p.id} ${variant}: ${verdict.passed}/${verdict.vectors} identical${verdict.sample ? ` (${verdict.sample})` : ''}${note}`);
      for (const m of verdict.mismatches.slice(0, 10)) log(`  MISMATCH ${m.id} [${m.args.join(' ')}]: ${m.detail}`);
      if (verdict.mismatches.length > 10) log(`  … and ${verdict.mismatches.length - 10} more mismatches`);
    }
  }
}
