/**
 * Run-to-run comparison of cold starts: for every target variant in both runs,
 * the ratio of the new median to the old with a seeded bootstrap CI. A change
 * is called only when the CI excludes 1 AND the change exceeds a threshold, so
 * a rerun on the same (noisy) machine reads as "no significant change". Pure;
 * takes runs as harness/report/load.ts `assertResults` returns them: validated,
 * and upgraded to the current model when older.
 */
import { bootstrapRatioCI } from '../measure/stats.js';
import type { Environment, Results, TargetResult } from '../model.js';
import { isUpgradedV1 } from './load.js';
import { markdownSyntax } from './markdown.js';
import { ms, pct, sig3, times } from './format.js';
import { renderInline, renderTable, type Rich } from './table.js';

/** Default relative change below which nothing is flagged (10%). */
export const DEFAULT_THRESHOLD = 0.1;

export type CompareVerdict = 'regression' | 'improvement' | 'no significant change';

/** One target variant of one workload present in both runs. */
export interface CompareRow {
  /** `target/variant` for the NEW run's primary workload, `<workload>:target/variant` otherwise. */
  key: string;
  workload: string;
  target: string;
  variant: string;
  oldMedian: number;
  newMedian: number;
  oldN: number;
  newN: number;
  /** median(new) / median(old). */
  ratio: number;
  /** 95% bootstrap CI of the ratio. */
  ci95: [number, number];
  verdict: CompareVerdict;
}

/** Identity of one compared run. */
export interface RunInfo {
  runId: string;
  startedAt: string;
  machine: string;
}

export interface CompareResult {
  old: RunInfo;
  new: RunInfo;
  threshold: number;
  seed: number;
  rows: CompareRow[];
  /** Target variants only in the new run. */
  added: string[];
  /** Target variants only in the old run. */
  removed: string[];
  /** In both runs but not comparable (skipped, errored, no samples), with why. */
  notCompared: { key: string; why: string }[];
  /** Things a reader should know: different machines, runtimes or workloads, samples without a duration. */
  notes: string[];
}

interface Entry {
  workload: string;
  target: string;
  variant: string;
  status: TargetResult['status'];
  reason: string | null;
  samples: number[];
}

/** What a comparison needs of one run. */
interface Parsed {
  /** Upgraded from schemaVersion 1 (one workload). */
  v1: boolean;
  info: RunInfo;
  seed: number;
  env: Environment;
  /** Each workload's name and args, in run order; the first is the primary. */
  workloads: { name: string; args: string }[];
  /** Keyed by `<workload>\0<target>/<variant>`. */
  entries: Map<string, Entry>;
  notes: string[];
}

/** What a comparison needs of a run; `label` (OLD/NEW) starts every note. */
function parseRun(r: Results, label: string): Parsed {
  const notes: string[] = [];
  const env = r.environment;
  const workloads = r.workloads.map((w) => ({ name: w.name, args: w.args.join(' ') }));
  const primary = workloads[0]?.name ?? '?';
  const entries = new Map<string, Entry>();
  for (const t of r.targets) {
    const name = `${t.workload === primary ? '' : `${t.workload}:`}${t.id}/${t.variant}`;
    // A duration the run could not measure is written as null (JSON has no NaN).
    const good = ('coldStart' in t && t.coldStart ? t.coldStart.samples : []).filter((s) => s.ok).map((s) => s.ms as number | null);
    const samples = good.filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0);
    const dropped = good.length - samples.length;
    if (dropped) notes.push(`${label}: ${name} has ${dropped} successful sample${dropped === 1 ? '' : 's'} without a positive duration, left out.`);
    // A skipped target lists its variants joined by commas; only a measured one is compared.
    const variants = t.status === 'ok' ? [t.variant] : t.variant.split(',');
    for (const v of variants) entries.set(`${t.workload}\0${t.id}/${v}`, { workload: t.workload, target: t.id, variant: v, status: t.status, reason: t.reason, samples: t.status === 'ok' ? samples : [] });
  }
  const machine = `${env.cpuModel} ×${env.cpus}, ${env.kernel}`;
  return { v1: isUpgradedV1(r), info: { runId: r.runId, startedAt: r.startedAt, machine }, seed: r.seed, env, workloads, entries, notes };
}

/** Environment fields that identify the harness or the run rather than the machine or a runtime: not compared. */
const NOT_MACHINE: readonly string[] = ['memoryBytes', 'harnessVersion', 'gitCommit', 'runtimes'];

/**
 * Where the machines or runtimes of two runs differ: every other field of
 * `environment` (os, kernel, cpuModel, cpus, node), then every `runtimes` entry
 * both record, as `runtimes.<target>` (an older run's fixed version fields are
 * upgraded to those entries on load).
 */
function envDiffs(o: Environment, n: Environment): { key: string; old: unknown; new: unknown }[] {
  const out: { key: string; old: unknown; new: unknown }[] = [];
  for (const k of Object.keys(o) as (keyof Environment)[]) {
    if (NOT_MACHINE.includes(k)) continue;
    if (o[k] !== n[k]) out.push({ key: k, old: o[k], new: n[k] });
  }
  for (const id of Object.keys(o.runtimes)) {
    if (id in n.runtimes && o.runtimes[id] !== n.runtimes[id]) out.push({ key: `runtimes.${id}`, old: o.runtimes[id], new: n.runtimes[id] });
  }
  return out;
}

/** Notes on workloads that differ between the runs: only in one, or run with other args. */
function workloadNotes(o: Parsed, n: Parsed): string[] {
  const notes: string[] = [];
  const only = (a: Parsed, b: Parsed) => a.workloads.filter((w) => !b.workloads.some((x) => x.name === w.name)).map((w) => w.name);
  const onlyOld = only(o, n);
  const onlyNew = only(n, o);
  if (onlyOld.length) notes.push(`Workloads only in OLD: ${onlyOld.join(', ')}.`);
  if (onlyNew.length) notes.push(`Workloads only in NEW: ${onlyNew.join(', ')}.`);
  for (const w of o.workloads) {
    const m = n.workloads.find((x) => x.name === w.name);
    if (m && m.args !== w.args) notes.push(`The workloads differ (${w.name} ${w.args} → ${m.name} ${m.args}).`);
  }
  return notes;
}

/**
 * Compares two runs' cold starts. For each target variant measured in both,
 * ratio = median(new)/median(old) with `bootstrapRatioCI(new, old, {seed})` on
 * the successful samples. REGRESSION when the CI's lower bound > 1 and
 * ratio − 1 > threshold; IMPROVEMENT when the CI's upper bound < 1 and
 * 1/ratio − 1 > threshold (the mirror image); otherwise no significant change.
 * @param opts.threshold relative change that matters (default 0.10).
 * @param oldR the OLD run, as `assertResults` (harness/report/load.ts) returns it.
 * @param newR the NEW run, likewise.
 * @param opts.seed bootstrap seed (default: the new run's seed).
 * @throws Error (one line) for a threshold that is not a number ≥ 0.
 */
export function compareRuns(oldR: Results, newR: Results, opts: { threshold?: number; seed?: number } = {}): CompareResult {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  if (!(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0)) throw new Error(`threshold must be a number ≥ 0 (e.g. 0.1 for 10%), got ${threshold}`);
  const o = parseRun(oldR, 'OLD');
  const n = parseRun(newR, 'NEW');
  const seed = opts.seed ?? n.seed;
  const notes = [...o.notes, ...n.notes];
  const diffs = envDiffs(o.env, n.env);
  if (diffs.length) notes.push(`The runs differ in ${diffs.map((d) => `${d.key} (${String(d.old)} → ${String(d.new)})`).join(', ')}: a change may come from the machine or runtime, not the code.`);
  for (const [label, p] of [['OLD', o], ['NEW', n]] as const) {
    if (p.v1 && !(label === 'OLD' ? n : o).v1) notes.push(`${label} is a schemaVersion 1 run (one workload): its rows are matched as ${p.workloads[0]?.name ?? '?'}'s.`);
  }
  notes.push(...workloadNotes(o, n));

  // Keys are shown as the NEW run names its rows: its primary workload's plainly.
  const primary = n.workloads[0]?.name ?? o.workloads[0]?.name;
  const show = (e: Entry) => `${e.workload === primary ? '' : `${e.workload}:`}${e.target}/${e.variant}`;
  const rows: CompareRow[] = [];
  const notCompared: { key: string; why: string }[] = [];
  const added = [...n.entries].filter(([k]) => !o.entries.has(k)).map(([, e]) => show(e));
  const removed = [...o.entries].filter(([k]) => !n.entries.has(k)).map(([, e]) => show(e));
  for (const [id, oe] of o.entries) {
    const ne = n.entries.get(id);
    if (!ne) continue;
    const key = show(oe);
    const why = (label: string, e: Entry) => (e.status !== 'ok' ? `${e.status} in ${label}${e.reason ? `: ${e.reason}` : ''}` : `no successful samples in ${label}`);
    if (!oe.samples.length || !ne.samples.length) {
      notCompared.push({ key, why: !oe.samples.length ? why('OLD', oe) : why('NEW', ne) });
      continue;
    }
    const { ratio, ci95 } = bootstrapRatioCI(ne.samples, oe.samples, { seed });
    const verdict: CompareVerdict =
      ci95[0] > 1 && ratio - 1 > threshold ? 'regression' : ci95[1] < 1 && 1 / ratio - 1 > threshold ? 'improvement' : 'no significant change';
    const med = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    rows.push({ key, workload: oe.workload, target: oe.target, variant: oe.variant, oldMedian: med(oe.samples), newMedian: med(ne.samples), oldN: oe.samples.length, newN: ne.samples.length, ratio, ci95, verdict });
  }
  return { old: o.info, new: n.info, threshold, seed, rows, added, removed, notCompared, notes };
}

/** True when any target variant regressed. */
export function hasRegression(c: CompareResult): boolean {
  return c.rows.some((r) => r.verdict === 'regression');
}

const signedPct = (ratio: number) => `${ratio >= 1 ? '+' : '−'}${pct(Math.abs(ratio - 1))}`;

/** The comparison as markdown (for a PR comment or the step summary). */
export function renderCompare(c: CompareResult): string {
  const md = (t: Rich) => renderInline(t, markdownSyntax);
  const reg = c.rows.filter((r) => r.verdict === 'regression');
  const imp = c.rows.filter((r) => r.verdict === 'improvement');
  const same = c.rows.length - reg.length - imp.length;
  const out: string[] = [
    '# Cold-start comparison',
    md(['OLD: run ', { code: c.old.runId }, ` (${c.old.startedAt}, ${c.old.machine}) → NEW: run `, { code: c.new.runId }, ` (${c.new.startedAt}, ${c.new.machine})`]),
    md(
      `> CI runners are noisy (shared hosts, neighbours, frequency scaling), so a change is flagged only when the 95% bootstrap CI of new/old median excludes 1 AND the change exceeds ${pct(c.threshold)}. Bootstrap random seed ${c.seed}.`,
    ),
  ];
  if (c.rows.length) {
    const multi = new Set(c.rows.map((r) => r.workload)).size > 1;
    out.push(
      renderTable(
        {
          head: [...(multi ? ['workload'] : []), 'target', 'variant', 'old median', 'new median', 'new/old (95% CI)', 'change', 'verdict'],
          align: [...(multi ? ['left' as const] : []), 'left', 'left', 'right', 'right', 'right', 'right', 'left'],
          rows: c.rows.map((r) => [
            ...(multi ? [r.workload] : []),
            r.target,
            r.variant,
            `${ms(r.oldMedian)} (n=${r.oldN})`,
            `${ms(r.newMedian)} (n=${r.newN})`,
            `${times(r.ratio)} (${sig3(r.ci95[0])}–${sig3(r.ci95[1])})`,
            signedPct(r.ratio),
            r.verdict === 'no significant change' ? r.verdict : { strong: r.verdict.toUpperCase() },
          ]),
        },
        markdownSyntax,
      ),
    );
  } else out.push('No target variant was measured in both runs.');
  if (c.added.length) out.push(md([{ strong: 'Added' }, ` (only in NEW, not compared): ${c.added.join(', ')}`]));
  if (c.removed.length) out.push(md([{ strong: 'Removed' }, ` (only in OLD, not compared): ${c.removed.join(', ')}`]));
  if (c.notCompared.length) out.push([md({ strong: 'Not compared:' }), ...c.notCompared.map((x) => `- ${md(`${x.key}: ${x.why}`)}`)].join('\n'));
  if (c.notes.length) out.push([md({ strong: 'Notes:' }), ...c.notes.map((x) => `- ${md(x)}`)].join('\n'));
  const list = (xs: CompareRow[]) => (xs.length ? ` (${xs.map((r) => r.key).join(', ')})` : '');
  out.push(
    md({ strong: `Result: ${reg.length} regression${reg.length === 1 ? '' : 's'}${list(reg)}, ${imp.length} improvement${imp.length === 1 ? '' : 's'}${list(imp)}, ${same} without a significant change.` }),
  );
  return out.join('\n\n') + '\n';
}
