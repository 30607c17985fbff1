import { cpus } from 'node:os';
import { checkRun } from '../conformance.js';
import { VECTORS_PATH } from '../paths.js';
import { loadVectors, sampleVectors, type Vector } from '../reference/vectors.js';
import { disposeAll, missingRequired, parseTargetList, prepareContext, prepareTargets, requiredTargets } from '../session.js';
import { TARGET_IDS, type TargetId } from '../targets/index.js';
import { mapLimit } from '../util/pool.js';

/** Docker starts a container per vector, so by default it runs a deterministic sample of this many. */
export const DOCKER_SAMPLE = 100;

export interface VerifyOptions {
  targets?: string;
  require?: string;
  /** Run every vector on docker too, instead of the sample. */
  all?: boolean;
  /** Runs in flight per target (default: number of CPUs). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface VariantVerdict {
  target: TargetId;
  variant: string;
  label: string;
  runtime: string;
  exitCodes: 'exact' | 'ok-err';
  vectors: number;
  passed: number;
  mismatches: { id: string; args: string[]; detail: string }[];
}

export interface VerifyReport {
  ok: boolean;
  verdicts: VariantVerdict[];
  skipped: { target: TargetId; reason: string; hint: string }[];
  errored: { target: TargetId; error: string }[];
  /** Required targets that were skipped or errored. */
  requiredMissing: string[];
}

/**
 * `wvc verify`: runs the golden vectors through every available target and
 * variant, and requires byte-identical stdout, the expected exit code and the
 * same error code. Docker runs a deterministic sample unless `all` is set.
 */
export async function verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const ids = parseTargetList(opts.targets, '--targets');
  const required = requiredTargets(opts.require);
  const ctx = await prepareContext();
  const prepared = await prepareTargets(ids.length ? ids : TARGET_IDS, ctx);
  const vectors = await loadVectors(VECTORS_PATH);
  const concurrency = opts.concurrency ?? cpus().length;
  const report: VerifyReport = { ok: true, verdicts: [], skipped: [], errored: [], requiredMissing: missingRequired(prepared, required) };
  try {
    for (const p of prepared) {
      if (p.status === 'skipped') {
        report.skipped.push({ target: p.id, reason: p.reason, hint: p.hint });
        log(`${p.id}: skipped — ${p.reason} — ${p.hint}`);
        continue;
      }
      if (p.status === 'errored') {
        report.errored.push({ target: p.id, error: p.error });
        log(`${p.id}: errored — ${p.error}`);
        continue;
      }
      for (const u of p.target.unavailableVariants?.() ?? []) {
        report.skipped.push({ target: p.id, reason: `variant ${u.variant}: ${u.reason}`, hint: u.hint });
        log(`${p.id} ${u.variant}: skipped — ${u.reason} — ${u.hint}`);
      }
      const set: Vector[] = p.id === 'docker' && !opts.all ? sampleVectors(vectors, DOCKER_SAMPLE) : vectors;
      for (const variant of p.target.variants) {
        const d = p.target.describe(variant);
        const verdict: VariantVerdict = {
          target: p.id,
          variant,
          label: d.label,
          runtime: `${d.runtime.name} ${d.runtime.version}`,
          exitCodes: d.exitCodes ?? 'exact',
          vectors: set.length,
          passed: 0,
          mismatches: [],
        };
        await mapLimit(set, concurrency, async (v) => {
          let detail: string | null;
          try {
            detail = checkRun(v, await p.target.run(variant, { args: v.args }), verdict.exitCodes);
          } catch (e) {
            detail = `harness error: ${e instanceof Error ? e.message : String(e)}`;
          }
          if (detail) verdict.mismatches.push({ id: v.id, args: v.args, detail });
          else verdict.passed++;
        });
        report.verdicts.push(verdict);
        const note = verdict.exitCodes === 'ok-err' ? ' (exit codes compared as ok/err: WASI 0.2 exit carries a result)' : '';
        log(`${p.id} ${variant}: ${verdict.passed}/${verdict.vectors} identical${set.length < vectors.length ? ` (deterministic sample of ${vectors.length})` : ''}${note}`);
        for (const m of verdict.mismatches.slice(0, 10)) log(`  MISMATCH ${m.id} [${m.args.join(' ')}]: ${m.detail}`);
        if (verdict.mismatches.length > 10) log(`  … and ${verdict.mismatches.length - 10} more mismatches`);
      }
    }
  } finally {
    await disposeAll(prepared);
  }
  for (const line of report.requiredMissing) log(`REQUIRED ${line}`);
  report.ok = report.verdicts.every((v) => v.mismatches.length === 0) && report.errored.length === 0 && report.requiredMissing.length === 0;
  return report;
}
