/**
 * The cross-check step: the bench checks its own clock against an independent
 * tool in the same run. hyperfine (`-N`, no shell) times the exact argv and
 * environment the harness recorded for each workload's floor and its fastest
 * Wasm variant; an API target's equivalent CLI (`docker run --rm`) is timed the
 * same way next to the API figure. Both medians and their ratio are recorded,
 * and a difference over 25% is a warning that names the likely cause.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { CrossCheck, CrossChecks, Invocation, TargetResult } from '../model.js';
import { isFloorClass } from '../model.js';
import { commandLine, hyperfineLine } from '../util/shell.js';
import { harnessTempDir } from '../util/leftovers.js';

/** A ratio of the harness's median to the tool's beyond this is a warning. */
export const AGREEMENT_TOLERANCE = 0.25;

/** Runs of hyperfine for a process variant; an API target's CLI gets {@link CLI_RUNS}. */
export const CROSS_CHECK_RUNS = 30;
export const CLI_RUNS = 10;
/** With --quick: fewer runs (the CLI's are a quarter of a second each). */
export const QUICK_CROSS_CHECK_RUNS = 20;
export const QUICK_CLI_RUNS = 5;
/** hyperfine's --warmup: 3, or 1 with --quick. */
export const WARMUP = 3;
export const QUICK_WARMUP = 1;

type OkRow = Extract<TargetResult, { status: 'ok' }>;

/** `hyperfine --version`, or null when it is not installed. */
export async function hyperfineVersion(bin = 'hyperfine'): Promise<string | null> {
  try {
    return (await execa(bin, ['--version'])).stdout.trim();
  } catch {
    return null;
  }
}

/** Which rows the step checks: per workload, its floor and its fastest Wasm row (by median); and every API row with an equivalent CLI that is its container baseline. */
export function rowsToCheck(rows: readonly TargetResult[]): { row: OkRow; why: string }[] {
  const ok = rows.filter((t): t is OkRow => t.status === 'ok' && !!t.coldStart.stats && !!t.invocation);
  const out: { row: OkRow; why: string }[] = [];
  for (const w of [...new Set(ok.map((t) => t.workload))]) {
    const mine = ok.filter((t) => t.workload === w);
    const floor = mine.find((t) => t.baseline === 'floor') ?? mine.find((t) => isFloorClass(t.class) && t.defaultVariant);
    if (floor && floor.invocation!.kind === 'process') out.push({ row: floor, why: 'the floor' });
    const wasm = mine.filter((t) => t.class === 'wasm' && t.invocation!.kind === 'process').sort((a, b) => a.coldStart.stats!.median - b.coldStart.stats!.median)[0];
    if (wasm) out.push({ row: wasm, why: 'the fastest Wasm variant' });
    const api = mine.find((t) => t.baseline === 'container' && t.invocation!.kind === 'api' && t.invocation!.equivalent);
    if (api) out.push({ row: api, why: 'the container baseline, against its CLI' });
  }
  return out;
}

/** The likely cause of a disagreement, for the warning. */
function likelyCause(row: OkRow, ratio: number, calibrationMs: number | null): string {
  if (row.invocation!.kind === 'api') {
    return ratio < 1
      ? 'the CLI adds its own process start and a client round trip on top of the API calls the harness times'
      : 'the harness times more API calls (logs, inspect) than the CLI waits for';
  }
  if (ratio > 1) return `the harness's samples ran between other variants' runs (its rounds interleave them, and a daemon may still be cleaning up after a container; hyperfine runs one command back to back), on a busier machine, or through a slower spawn path (spawn calibration ${calibrationMs === null ? 'not measured' : `${calibrationMs.toPrecision(3)} ms`}); a sub-millisecond figure feels all three most. Re-run on a quiet machine, or with --targets limited to the floor and the variant in question`;
  return 'hyperfine ran while the machine was busier than during the harness\'s rounds; re-run on a quiet machine';
}

/** Times one invocation with hyperfine -N in an empty environment (plus the invocation's own); returns the median in ms. */
async function timeWithHyperfine(bin: string, inv: Invocation, runs: number, warmup: number, timeoutMs: number): Promise<number> {
  const proc = inv.kind === 'process' ? inv : inv.equivalent;
  if (!proc) throw new Error('no command to time');
  const dir = await harnessTempDir('hyperfine');
  try {
    const file = path.join(dir, 'out.json');
    await execa(bin, ['-N', '--style', 'none', '--warmup', String(warmup), '--runs', String(runs), '--export-json', file, commandLine(proc.argv)], { env: proc.env, extendEnv: false, timeout: timeoutMs });
    const doc = JSON.parse(await readFile(file, 'utf8')) as { results: { median: number }[] };
    const median = doc.results[0]?.median;
    if (typeof median !== 'number') throw new Error('hyperfine wrote no median');
    return median * 1000;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the cross-check on the rows {@link rowsToCheck} picks. A tool failure is
 * recorded on its row (the run goes on); with hyperfine missing the step is off,
 * with the reason and how to install it.
 */
export async function crossCheck(
  rows: readonly TargetResult[],
  opts: { enabled: boolean; calibrationMs: number | null; quick?: boolean; hyperfine?: string; shouldStop?: () => boolean; log?: (line: string) => void },
): Promise<CrossChecks> {
  if (!opts.enabled) return { status: 'off', reason: 'turned off with --no-cross-check', checks: [] };
  const bin = opts.hyperfine ?? 'hyperfine';
  const version = await hyperfineVersion(bin);
  if (!version) return { status: 'off', reason: 'hyperfine is not installed (apt-get install hyperfine, or scripts/setup.sh)', checks: [] };
  const checks: CrossCheck[] = [];
  for (const { row, why } of rowsToCheck(rows)) {
    if (opts.shouldStop?.()) break;
    const inv = row.invocation!;
    const warmup = opts.quick ? QUICK_WARMUP : WARMUP;
    const runs = inv.kind === 'api' ? (opts.quick ? QUICK_CLI_RUNS : CLI_RUNS) : opts.quick ? QUICK_CROSS_CHECK_RUNS : CROSS_CHECK_RUNS;
    const harnessMs = row.coldStart.stats!.median;
    const base = { workload: row.workload, id: row.id, variant: row.variant, why, tool: version, command: hyperfineLine(inv, runs, warmup)!, runs, harnessMedianMs: harnessMs, harnessMeasures: inv.kind === 'api' ? inv.calls : 'spawn to reap in the spawner' };
    opts.log?.(`cross-check ${row.workload}:${row.id}/${row.variant}: ${base.command}`);
    try {
      // A generous bound: warm-ups plus runs at ten times the harness's median, at least a minute.
      const toolMs = await timeWithHyperfine(bin, inv, runs, warmup, Math.round(Math.max(60_000, (runs + warmup) * harnessMs * 10)));
      const ratio = harnessMs / toolMs;
      const check: CrossCheck = { ...base, status: 'ok', toolMedianMs: toolMs, ratio };
      if (Math.abs(ratio - 1) > AGREEMENT_TOLERANCE) check.warning = `the harness's median is ${ratio.toPrecision(3)}× hyperfine's: ${likelyCause(row, ratio, opts.calibrationMs)}`;
      checks.push(check);
    } catch (e) {
      const err = e as { stderr?: string; message?: string };
      checks.push({ ...base, status: 'failed', error: (err.stderr?.trim().split('\n').pop() ?? err.message ?? String(e)).slice(0, 300) });
    }
  }
  return { status: 'ok', tool: version, checks };
}
