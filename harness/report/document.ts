/**
 * The report as a list of format-neutral blocks (headings, paragraphs, lists,
 * tables, chart slots), built once from a Results object and rendered by
 * markdown.ts and html.ts — so both formats always say the same thing. Pure:
 * no I/O, no clock, no environment.
 */
import { artifactId, type Results, type TargetResult, type WorkloadRecord } from '../model.js';
import { isFloorClass } from '../model.js';
import { evaluateClaims, sameTask, taskList, type Claim } from './claims.js';
import type { CriteriaResult } from './criteria.js';
import { placementSection } from './k8s.js';
import {
  NESTED_PHASES,
  WORKLOAD_PHASES,
  artifactOf,
  capabilityCells,
  failMark,
  failedNote,
  probedBy,
  capabilityRowName,
  cellRef,
  crossRatioOf,
  gzipBytesOf,
  held,
  isFloor,
  keyOf,
  multiWorkload,
  okTargets,
  probeCounts,
  roleArtifact,
  workloadName,
  type OkTarget,
  type RowRef,
} from './data.js';
import { bytes, duration, exactBytes, grouped, ms, msRange, pct, sig3, times } from './format.js';
import type { Align, Cell, Inline, Rich, Table } from './table.js';
import { hyperfineLine } from '../util/shell.js';
import { answerLines } from './answer.js';
import { burstRows, densityRows, failuresText, latency, platformMeasured, platformSentences, projects, r2Text, rate, warmRows } from './platform.js';

/** The charts the HTML report draws; markdown skips these slots. */
export type ChartName = 'coldstart' | 'phases' | 'sizes' | 'capabilities' | 'layers' | 'warm' | 'density' | 'burst';

/** One block of a report. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: Rich }
  | { kind: 'notice'; text: Rich }
  | { kind: 'list'; items: Rich[] }
  | { kind: 'table'; table: Table }
  | { kind: 'chart'; chart: ChartName };

/** Options every renderer takes. */
export interface ReportOptions {
  /** The evaluated decision gate; adds the ADR-style "Decision record" section. */
  criteria?: CriteriaResult;
}

const h = (level: 1 | 2 | 3, text: string): Block => ({ kind: 'heading', level, text });
const code = (s: string) => ({ code: s });
const strong = (s: string) => ({ strong: s });
/** Text a target declares (a caveat, a note), with its `backticked` spans as code; unbalanced backticks stay text. */
function declared(s: string): Rich {
  const parts = s.split('`');
  if (parts.length % 2 === 0) return s;
  return parts.map((x, i): Inline => (i % 2 ? code(x) : x)).filter((x) => x !== '');
}
const p = (text: Rich): Block => ({ kind: 'paragraph', text });

const NOT_MEASURED = 'Not measured in this run.';

/**
 * Resamples of every bootstrap CI in the run: harness/measure/stats.ts DEFAULT_RESAMPLES,
 * which the bench uses and results.json does not record. Keep the two equal.
 */
const BOOTSTRAP_RESAMPLES = 2000;

/** The leading columns that name a row: the workload (only when the run measured several), target, variant. */
export interface Lead {
  head: string[];
  align: Align[];
  cells: (t: RowRef) => Cell[];
}

export function leadOf(r: Results): Lead {
  if (!multiWorkload(r)) return { head: ['target', 'variant'], align: ['left', 'left'], cells: (t) => [t.id, t.variant] };
  return { head: ['workload', 'target', 'variant'], align: ['left', 'left', 'left'], cells: (t) => [workloadName(r, t) ?? '–', t.id, t.variant] };
}

/** `tax-calculator (C)`: a workload with its language. */
function workloadTitle(w: WorkloadRecord): string {
  return w.language && w.language !== 'unknown' ? `${w.name} (${w.language})` : w.name;
}

function ratioCell(x: { ratio: number; ci95: [number, number] } | null): string {
  return x ? `${times(x.ratio)} (${sig3(x.ci95[0])}–${sig3(x.ci95[1])})` : '–';
}

function samplesOf(t: TargetResult) {
  return 'coldStart' in t && t.coldStart ? t.coldStart.samples : [];
}

// ---- header ----------------------------------------------------------------

function title(r: Results): Block[] {
  const out: Block[] = [h(1, `wasm-vs-container: ${r.workloads.map(workloadTitle).join(', ') || 'no workload recorded'} — run ${r.runId}`)];
  if (!r.complete) {
    out.push({
      kind: 'notice',
      text: [
        strong('Incomplete run.'),
        r.interrupted
          ? ` Interrupted (${r.interrupted}) before every target was measured: the numbers below cover only what was measured.`
          : ' Not every target was measured (a required target was missing or errored, or the run stopped early): see Warnings.',
      ],
    });
  }
  return out;
}

/** "The answer": the measured sentences the report opens with (answer.ts). */
function answer(r: Results, opts: ReportOptions): Block[] {
  return [h(2, 'The answer'), { kind: 'list', items: answerLines(r, opts.criteria).map((x) => x.text) }];
}

/** The run details: run, machine, versions, workloads, runtimes and artifacts with their sha256. */
function runDetails(r: Results): Block[] {
  const e = r.environment;
  const out: Block[] = [h(2, 'Run details')];
  out.push({
    kind: 'list',
    items: [
      ['Run: ', code(r.runId), `, started ${r.startedAt}, ${r.finishedAt ? `finished ${r.finishedAt}` : 'not finished'}`],
      `Machine: ${e.cpuModel}, ${e.cpus} cores, ${bytes(e.memoryBytes)} memory; ${e.kernel}; ${e.os}`,
      `Versions: Node ${e.node} (the harness)${Object.entries(e.runtimes).map(([id, v]) => `; ${id} ${v ?? 'not installed'}`).join('')}`,
      `Schedule: ${r.options.runs} rounds after ${r.options.warmup} warm-up${r.options.warmup === 1 ? '' : 's'} per variant${r.options.quick ? ' (--quick)' : ''}, in an order shuffled with the schedule's random seed ${r.seed}`,
      ['Harness: ', `${e.harnessVersion}, git commit `, code(e.gitCommit ?? 'unknown')],
    ],
  });
  out.push(h(3, r.workloads.length === 1 ? 'Workload' : 'Workloads'));
  out.push({ kind: 'list', items: r.workloads.map((w, i) => workloadItem(w, i === 0 && r.workloads.length > 1)) });
  const lead = leadOf(r);
  out.push(h(3, 'Runtimes'));
  out.push({
    kind: 'table',
    table: {
      head: [...lead.head, 'runtime', 'version'],
      rows: r.targets.map((t) => [...lead.cells(t), t.runtime?.name ?? `– (${t.status})`, t.runtime?.version ?? '–']),
    },
  });
  out.push(h(3, 'Artifacts'));
  const users = (id: string) => r.targets.filter((t) => t.artifact?.id === id).map((t) => keyOf(r, t)).join(', ') || '– (harness tool)';
  out.push({
    kind: 'table',
    table: {
      head: ['artifact', 'kind', 'bytes', 'size', 'gzip', 'sha256', 'run by'],
      align: ['left', 'left', 'right', 'right', 'right', 'left', 'left'],
      rows: r.artifacts.map((a) => {
        const gz = gzipBytesOf(r, a);
        return [a.id, a.kind, grouped(a.bytes), bytes(a.bytes), gz === null ? '–' : bytes(gz), code(a.sha256), users(a.id)];
      }),
    },
  });
  return out;
}

/** One workload: what it is, its input and answer, its manifest, and the targets that do not apply to it. */
function workloadItem(w: WorkloadRecord, primary: boolean): Rich {
  const out: Inline[] = [strong(w.name), ` (${w.language}${primary ? ', primary' : ''})`, w.description ? `: ${w.description.replace(/\.\s*$/, '')}` : '', '. Args '];
  out.push(w.args.length ? code(w.args.join(' ')) : 'none', '; every sample must print ', code(w.expectedStdout.trim()), '. Manifest ');
  if (w.manifest) out.push(code(w.manifest), ', sha256 ', code(w.manifestSha256));
  else out.push('not recorded (a schemaVersion 1 run)');
  out.push(w.notApplicable.length ? `. Not applicable: ${w.notApplicable.map((x) => `${x.target} (${x.reason})`).join('; ')}.` : '.');
  return out.filter((x) => x !== '');
}

// ---- summary ---------------------------------------------------------------

/** The baselines of the ratio columns, as each workload records them: `floor native/static, container docker/default`. */
function baselinesText(r: Results): string {
  const one = (w: WorkloadRecord) => `${w.baselines.floor ? `floor ${w.baselines.floor}` : 'no floor'}, ${w.baselines.container ? `container ${w.baselines.container}` : 'no container baseline'}`;
  if (r.workloads.length === 1) return one(r.workloads[0]);
  return r.workloads.map((w) => `${w.name}: ${one(w)}`).join('; ') || 'none recorded';
}

function summary(r: Results): Block[] {
  const cells = capabilityCells(r);
  const lead = leadOf(r);
  // The × best container column, when the run measured it (runs before it did not).
  const withBest = okTargets(r).some((t) => t.vsBestContainer);
  // A row that was not measured says why once, in the cold-start table; the footprint table names it.
  const notRun = (t: TargetResult, width: number, full: boolean): Cell[] | null => {
    if (t.status === 'skipped') return [...lead.cells(t), { span: width, text: full ? [strong('skipped'), `: ${t.reason} — hint: ${t.hint}`] : [strong('skipped'), ' (see the cold-start table)'] }];
    if (t.status === 'errored') {
      const n = samplesOf(t).length;
      return [...lead.cells(t), { span: width, text: full ? [strong('errored'), `: ${t.reason}${n ? ` (${t.coldStart!.failures}/${n} samples failed)` : ''}`] : [strong('errored'), ' (see the cold-start table)'] }];
    }
    return null;
  };
  const coldRows: Cell[][] = r.targets.map((t): Cell[] => {
    if (t.status !== 'ok') return notRun(t, withBest ? 7 : 6, true)!;
    const s = t.coldStart.stats!;
    return [
      ...lead.cells(t),
      `${ms(s.median)}${failMark(t)} (${msRange(s.ci95)})`,
      ms(s.p95),
      ratioCell(t.vsNative),
      ratioCell(t.vsDocker),
      ...(withBest ? [ratioCell(t.vsBestContainer ?? null)] : []),
      t.warm.status === 'ok' ? ms(t.warm.stats.median) : 'n/a',
      `${t.coldStart.failures}/${t.coldStart.samples.length}${t.coldStart.stop === 'budget' ? '⁴' : ''}`,
    ];
  });
  const footRows: Cell[][] = r.targets.map((t): Cell[] => {
    if (t.status !== 'ok') return notRun(t, 6, false)!;
    const a = artifactOf(r, t);
    const gz = gzipBytesOf(r, a);
    const probes = probeCounts(r, cells, t);
    return [
      ...lead.cells(t),
      t.artifact?.id ?? '–',
      a ? bytes(a.bytes) : '–',
      gz === null ? '–' : bytes(gz),
      t.memory ? bytes(t.memory.median) : '–',
      probes ? `${probes.denied}/${probes.tried}${probes.errored ? ` (${probes.errored} errored)` : ''}` : '–',
    ];
  });
  const byBudget = okTargets(r).filter((t) => t.coldStart.stop === 'budget');
  const out: Block[] = [
    h(2, 'Summary'),
    h(3, 'Cold start'),
    {
      kind: 'table',
      table: {
        head: [...lead.head, 'cold start median (95% CI)', 'p95', '× native (95% CI)', '× docker (95% CI)', ...(withBest ? ['× best container (95% CI)'] : []), 'warm median²', 'failures'],
        align: [...lead.align, 'right', 'right', 'right', 'right', ...(withBest ? ['right' as const] : []), 'right', 'right'],
        rows: coldRows,
      },
    },
    p(
      `Cold start: median of the successful samples in ms with its 95% bootstrap CI (${grouped(BOOTSTRAP_RESAMPLES)} resamples); × native and × docker: ratio of medians with a bootstrap CI, within the row's workload, over the workload's floor (the program with no sandbox) and its container baseline — ${baselinesText(r)} (below 1× docker is faster than the container; a workload with no floor has no × native)${withBest ? '; × best container: over the workload\'s fastest container variant at any layer' : ''}. Failures: failed samples / all samples.`,
    ),
    h(3, 'Footprint'),
    {
      kind: 'table',
      table: {
        head: [...lead.head, 'artifact', 'raw', 'gzip', 'peak memory¹', 'probes denied/tried³'],
        align: [...lead.align, 'left', 'right', 'right', 'right', 'right'],
        rows: footRows,
      },
    },
    p('raw: the artifact the variant runs; gzip: its gzip -9 bytes (for an image, of its docker save tar), – where the run has no footprint.'),
  ];
  const byCovers = new Map<string, string[]>();
  const unmeasured: string[] = [];
  const zero: string[] = [];
  for (const t of okTargets(r)) {
    const key = keyOf(r, t);
    if (!t.memory) unmeasured.push(key);
    else {
      byCovers.set(t.memory.covers, [...(byCovers.get(t.memory.covers) ?? []), key]);
      if (t.memory.median === 0) zero.push(key);
    }
  }
  const parts = [...byCovers].map(([covers, keys]) => `${covers} (${keys.join(', ')})`);
  if (unmeasured.length) parts.push(`not measured (${unmeasured.join(', ')})`);
  let memNote = `¹ Peak memory, median over samples: ${parts.join('; ') || 'not measured'}.`;
  if (zero.length) memNote += ` A peak of 0 B (${zero.join(', ')}) means the figure was not captured, not that no memory was used.`;
  out.push(p(memNote));
  out.push(p('² Warm: per-request latency with the module already compiled and a fresh instance per request (see "Warm per-request latency"); n/a where the runtime has no in-process equivalent.'));
  const failed = failedNote(r);
  if (failed) out.push(p(failed));
  if (byBudget.length) {
    out.push(p(`⁴ Stopped by its time budget before its CI reached ±${pct(r.options.adaptive?.ciTarget ?? 0)} of the median: ${byBudget.map((t) => `${keyOf(r, t)} (${t.coldStart.samples.length} sample${t.coldStart.samples.length === 1 ? '' : 's'})`).join(', ')}. Its median stands on those samples alone.`));
  }
  out.push(p(cells.length ? '³ Probes: "denied" counts denied, absent (no such interface) and contained (a resource bomb stopped within the limits), out of the probes tried on that variant that ran to an outcome (an errored probe is shown apart and counts for nothing); see "Capability matrix".' : '³ Probes: no capability probes in this run.'));
  out.push({ kind: 'chart', chart: 'coldstart' }, { kind: 'chart', chart: 'sizes' });
  return out;
}

// ---- decision record -------------------------------------------------------

function decision(r: Results, c: CriteriaResult): Block[] {
  const e = r.environment;
  const out: Block[] = [h(2, c.title ? `Decision record: ${c.title}` : 'Decision record')];
  out.push(h(3, 'Context'));
  out.push(p(c.context ?? `Choosing how to run ${r.workloads.map((w) => w.name).join(' and ') || 'the workload'}: as a WebAssembly component or as a container. Evidence: run ${r.runId} on ${e.cpuModel} (${e.cpus} cores), ${r.options.runs} rounds.`));
  if (c.description) out.push(p(c.description));
  out.push(h(3, 'Options considered'));
  out.push({
    kind: 'list',
    items: r.targets.map((t): Rich => {
      if (t.status !== 'ok') return [strong(keyOf(r, t)), ` — ${t.label}: ${t.status}, ${t.reason}`];
      const s = t.coldStart.stats!;
      return [strong(keyOf(r, t)), ` — ${t.label}: cold-start median ${ms(s.median)}, p95 ${ms(s.p95)}`];
    }),
  });
  out.push(h(3, 'Evidence'));
  out.push({
    kind: 'table',
    table: {
      head: ['id', 'criterion', 'subject', 'measured', 'limit', 'result'],
      rows: c.criteria.map((x) => [x.id, x.description ?? x.kind, x.subject, x.measured, x.limit, strong(x.status)]),
    },
  });
  const platformEvidence = quotable(r, 'The plugin platform, measured in this run:');
  if (platformEvidence.length) out.push(...platformEvidence);
  out.push(h(3, 'Rollback triggers'));
  if (!c.rollback.length) out.push(p('None defined in the criteria file.'));
  else
    out.push({
      kind: 'table',
      table: {
        head: ['id', 'trigger', 'subject', 'measured now', 'condition', 'state'],
        rows: c.rollback.map((x) => [x.id, x.description ?? x.kind, x.subject, x.measured, x.condition, x.state === 'TRIPPED' ? strong(x.state) : x.state]),
      },
    });
  out.push(h(3, 'Decision'));
  out.push(p(strong(c.decision)));
  out.push(...placementSection(r, c));
  return out;
}

// ---- claims ----------------------------------------------------------------

const CLAIM_TITLE: Record<Claim['id'], string> = {
  'cold-start': 'Cold start',
  'artifact-size': 'Artifact size',
  'sandbox-default': 'Sandboxed by default',
  'interpreted-languages': 'Interpreted languages',
};

function claims(r: Results): Block[] {
  const list = evaluateClaims(r);
  const primary = r.workloads[0];
  const scope = multiWorkload(r) && primary ? ` Cold start and artifact size are judged on the primary workload, ${workloadTitle(primary)}; the sandbox on every workload's Wasm rows; the interpreted-languages caveat sets an interpreted workload beside a compiled one of the same task.` : '';
  return [
    h(2, 'Common claims about Wasm vs measured'),
    p(`Common claims about Wasm, in the words of the course module "Module 3.9: WebAssembly and Cloud Native": three headline claims, and a warning that interpreted languages erode them. Each is set beside this run's numbers; being faster or smaller than a claimed Wasm range counts as holding.${scope}`),
    { kind: 'table', table: { head: ['claim', 'measured', 'verdict'], rows: list.map((c) => [c.claim, c.measured, strong(c.verdict)]) } },
    { kind: 'list', items: list.map((c): Rich => [strong(`${CLAIM_TITLE[c.id]} — ${c.verdict}:`), ` ${c.why}`]) },
    ...quotable(r, 'The plugin platform in one sentence each (scale-to-zero and bursty traffic are the course module\'s "lean toward Wasm" signals; see "Plugin platform"):'),
  ];
}

/** The plugin platform's quotable sentences under a lead-in, or nothing when the run has none. */
function quotable(r: Results, lead: string): Block[] {
  const xs = platformSentences(r);
  return xs.length ? [p(lead), { kind: 'list', items: xs.map((x) => x.text) }] : [];
}

// ---- workloads by language -------------------------------------------------

/** The first workload of each language, in run order: the columns of the language comparison. */
function languageColumns(r: Results): WorkloadRecord[] {
  const seen = new Set<string>();
  return r.workloads.filter((w) => {
    const k = w.language.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The stored ratio of medians across workloads with its bootstrap CI (`Results.crossRatios`), `–` when the run has none. */
function ratioText(r: Results, num: OkTarget | undefined, den: OkTarget | undefined): string {
  return num && den ? ratioCell(crossRatioOf(r, num, den)) : '–';
}

const plainRatio = (num: number | null, den: number | null): string => (num !== null && den !== null && den > 0 ? times(num / den) : '–');

const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A footprint rollout entry by id, if the run measured it. */
const rolloutOf = (r: Results, id: string) => r.footprint?.rollout.find((o) => o.id === id);

const rolloutMedian = (r: Results, id: string): number | null => finite(rolloutOf(r, id)?.median);

/** The `wasm-aot:<workload>/component` rollout: copy and AOT compile of the component on a node. */
function aotRollout(r: Results, workload: string): { copy: number | null; compile: number | null } | null {
  const x = rolloutOf(r, `wasm-aot:${artifactId(workload, 'component')}`);
  if (!x) return null;
  return { copy: finite(x.steps?.copy), compile: finite(x.steps?.compile) };
}

/**
 * The rows that run a workload's component JIT and AOT, chosen from what the rows record
 * (no target is named): JIT is the default variant (`defaultVariant`) of a Wasm target
 * that runs the workload's `component` artifact as built, so it compiles the component on
 * every cold start (its cacheState says so); AOT is a non-default variant of the same
 * target that runs the workload's `component-cwasm`, the .cwasm the footprint's
 * `wasm-aot` rollout compiles. A target with both rows wins over one with only the JIT
 * row; among equals, results order decides.
 */
function componentRows(r: Results, workload: string): { jit?: OkTarget; aot?: OkTarget } {
  const rows = okTargets(r).filter((t) => workloadName(r, t) === workload && t.class === 'wasm' && t.coldStart.stats);
  const runs = (t: OkTarget, role: string) => t.artifact?.id === artifactId(workload, role);
  const pairs = rows
    .filter((t) => t.defaultVariant && runs(t, 'component'))
    .map((jit) => ({ jit, aot: rows.find((t) => t.id === jit.id && !t.defaultVariant && runs(t, 'component-cwasm')) }));
  return pairs.find((x) => x.aot) ?? pairs[0] ?? {};
}

/** `id/variant` of the rows, once each, joined with ` · ` (the rows of the language columns). */
const rowNames = (rows: readonly (OkTarget | undefined)[], fallback: string): string =>
  [...new Set(rows.filter((t): t is OkTarget => !!t).map((t) => `${t.id}/${t.variant}`))].join(' · ') || fallback;

/**
 * "Workloads: C vs JavaScript": whenever workloads of two or more languages were measured,
 * the first of each side by side — cold starts of every target variant measured on more than
 * one, artifact sizes by role, and the component's rollout cost, JIT (compiled on every cold
 * start) apart from AOT (compiled once per node).
 */
function languages(r: Results): Block[] {
  const cols = languageColumns(r);
  if (cols.length < 2) return [];
  const [base, ...others] = cols;
  const colHead = cols.map(workloadTitle);
  const ratioHead = others.map((w) => `${w.language} / ${base.language}`);
  const right = (n: number): Align[] => Array.from({ length: n }, () => 'right' as const);
  const rowOf = (w: WorkloadRecord, id: string, variant: string) =>
    okTargets(r).find((t) => workloadName(r, t) === w.name && t.id === id && t.variant === variant && t.coldStart.stats);
  // The floor: the row the workload names as its floor baseline, else its first row of a floor class (native, script).
  const floorOf = (w: WorkloadRecord) => {
    const rows = okTargets(r).filter((t) => workloadName(r, t) === w.name && isFloor(t) && t.coldStart.stats);
    return rows.find((t) => `${t.id}/${t.variant}` === w.baselines.floor) ?? rows[0];
  };
  // The program the floor runs, also when the floor row was not measured.
  const floorArtifact = (w: WorkloadRecord) => {
    const t = floorOf(w) ?? r.targets.find((x) => workloadName(r, x) === w.name && isFloor(x) && x.artifact);
    return t ? artifactOf(r, t) : undefined;
  };

  // Cold starts: the same target variant on each workload, then each language's floor.
  const pairs: { id: string; variant: string }[] = [];
  for (const t of okTargets(r)) {
    if (!cols.some((w) => w.name === workloadName(r, t)) || pairs.some((x) => x.id === t.id && x.variant === t.variant)) continue;
    if (cols.filter((w) => rowOf(w, t.id, t.variant)).length >= 2) pairs.push({ id: t.id, variant: t.variant });
  }
  const med = (t: OkTarget | undefined) => (t ? duration(t.coldStart.stats!.median) + failMark(t) : '–');
  const coldRows: Cell[][] = pairs.map(({ id, variant }) => {
    const rows = cols.map((w) => rowOf(w, id, variant));
    return [id, variant, ...rows.map(med), ...rows.slice(1).map((t) => ratioText(r, t, rows[0]))];
  });
  const floors = cols.map(floorOf);
  if (floors.filter(Boolean).length >= 2) {
    coldRows.push(['floor: the program with no sandbox', floors.map((t) => (t ? `${t.id}/${t.variant}` : '–')).join(' · '), ...floors.map(med), ...floors.slice(1).map((t) => ratioText(r, t, floors[0]))]);
  }

  // Sizes by role; the floor's program is the native binary for C and the script for JavaScript.
  const sizeOf = (w: WorkloadRecord, role: string) => {
    const a = role === 'floor' ? floorArtifact(w) : roleArtifact(r, w.name, role);
    return a ? { bytes: a.bytes, gzip: gzipBytesOf(r, a), id: a.id } : null;
  };
  const ROLES: [string, string][] = [
    ['floor', 'program the floor runs (native binary, script)'],
    ['core', 'core module (.wasm)'],
    ['component', 'component (.wasm)'],
    ['component-cwasm', 'component, AOT-compiled (.cwasm)'],
    ['jco-bundle', 'jco bundle (the component transpiled to JS)'],
    ['image', 'container image'],
    ['imageDebian', 'container image, Debian base'],
  ];
  const sizeCell = (x: ReturnType<typeof sizeOf>) => (x ? `${bytes(x.bytes)}${x.gzip !== null ? ` (gzip ${bytes(x.gzip)})` : ''}` : '–');
  const sizeRows: Cell[][] = ROLES.flatMap(([role, what]) => {
    const xs = cols.map((w) => sizeOf(w, role));
    if (!xs.some(Boolean)) return [];
    return [[what, ...xs.map(sizeCell), ...xs.slice(1).map((x) => plainRatio(x?.bytes ?? null, xs[0]?.bytes ?? null))]];
  });

  // The component's rollout: JIT pays the compile on every cold start, AOT once per node.
  const facts = cols.map((w) => {
    const { jit, aot } = componentRows(r, w.name);
    const rollout = aotRollout(r, w.name);
    const load = rolloutMedian(r, `docker-load:${artifactId(w.name, 'image')}`);
    const jitCompile = jit?.phases?.medians.load;
    return {
      w,
      jit,
      aot,
      component: roleArtifact(r, w.name, 'component')?.bytes ?? null,
      cwasm: roleArtifact(r, w.name, 'component-cwasm')?.bytes ?? null,
      jitCompile: typeof jitCompile === 'number' ? jitCompile : null,
      jitCold: jit ? jit.coldStart.stats!.median : null,
      aotCompile: rollout?.compile ?? null,
      aotCopy: rollout?.copy ?? null,
      aotCold: aot ? aot.coldStart.stats!.median : null,
      dockerLoad: load,
    };
  });
  type Fact = (typeof facts)[number];
  const payback = (f: Fact): number | null => (f.aotCompile !== null && f.jitCold !== null && f.aotCold !== null && f.jitCold > f.aotCold ? Math.ceil(f.aotCompile / (f.jitCold - f.aotCold)) : null);
  const line = (what: string, get: (f: Fact) => number | null, fmt: (v: number) => string, ratio = true): Cell[] => {
    const vs = facts.map(get);
    return [what, ...vs.map((v) => (v === null ? '–' : fmt(v))), ...vs.slice(1).map((v) => (ratio ? plainRatio(v, vs[0]) : '–'))];
  };
  const jitName = rowNames(facts.map((f) => f.jit), 'the JIT variant');
  const aotName = rowNames(facts.map((f) => f.aot), 'the AOT variant');
  const rolloutRows: Cell[][] = [
    line('component (.wasm) shipped to each node', (f) => f.component, bytes),
    line(`JIT: compile on every cold start (${jitName} load phase, median)`, (f) => f.jitCompile, duration),
    line(`JIT: cold start (${jitName}, median)`, (f) => f.jitCold, duration),
    line('AOT: compile once per node (wasm-aot rollout, compile step, median)', (f) => f.aotCompile, duration),
    line('AOT: copy the component to the node (copy step, median)', (f) => f.aotCopy, duration),
    line('AOT: .cwasm kept on the node', (f) => f.cwasm, bytes),
    line(`AOT: cold start (${aotName}, median)`, (f) => f.aotCold, duration),
    line('AOT compile pays for itself after (cold starts)', payback, (v) => grouped(v), false),
    line('container: docker load of the image, once per node (median)', (f) => f.dockerLoad, duration),
  ].filter((row) => row.slice(1, 1 + cols.length).some((c) => c !== '–'));

  const reading: Rich[] = facts.flatMap((f): Rich[] => {
    if (f.component === null || (f.jitCompile === null && f.aotCompile === null)) return [];
    const parts: string[] = [];
    if (f.jitCompile !== null) parts.push(`JIT compiles its ${bytes(f.component)} component on every cold start (${duration(f.jitCompile)}${f.jitCold !== null ? ` of a ${duration(f.jitCold)} cold start` : ''})`);
    if (f.aotCompile !== null) parts.push(`AOT compiles it once per node in ${duration(f.aotCompile)}${f.cwasm !== null ? ` into a ${bytes(f.cwasm)} .cwasm` : ''}${f.aotCold !== null ? `, after which a cold start takes ${duration(f.aotCold)}` : ''}`);
    const n = payback(f);
    if (n !== null) parts.push(`the compile pays for itself after ${grouped(n)} cold start${n === 1 ? '' : 's'} on that node`);
    return [[strong(workloadTitle(f.w)), `: ${parts.join('; ')}.`]];
  });

  const out: Block[] = [
    h(2, `Workloads: ${cols.map((w) => w.language).join(' vs ')}`),
    p(
      `${sameTask(cols) ? `The same task in ${cols.length} languages, side by side: ${cols.map(workloadTitle).join(', ')}.` : `Workloads in ${cols.length} languages, side by side: ${cols.map(workloadTitle).join(', ')}. Their manifests give no shared task (${taskList(cols)}), so they are different programs: a ratio weighs the programs as well as the languages.`} Ratios are ${ratioHead.join(', ')}; cold-start ratios are of medians, with the bootstrap CI of the samples computed at bench time (random seed ${r.seed}).`,
    ),
    h(3, 'Cold start by language'),
  ];
  out.push(
    coldRows.length
      ? { kind: 'table', table: { head: ['target', 'variant', ...colHead.map((c) => `${c} median`), ...ratioHead.map((x) => `${x} (95% CI)`)], align: ['left', 'left', ...right(cols.length + others.length)], rows: coldRows } }
      : p('No target variant was measured on more than one of these workloads.'),
  );
  out.push(h(3, 'Artifact size by language'));
  out.push(sizeRows.length ? { kind: 'table', table: { head: ['artifact', ...colHead, ...ratioHead], align: ['left', ...right(cols.length + others.length)], rows: sizeRows } } : p('No artifacts of these workloads were recorded.'));
  out.push(p("Raw bytes, gzip -9 where the footprint has it; an image is its size in the engine, its base image's layers included, and its gzip that of its docker save tar."));
  out.push(h(3, 'Rollout cost of the component: JIT vs AOT'));
  if (rolloutRows.length) {
    out.push({ kind: 'table', table: { head: ['what', ...colHead, ...ratioHead], align: ['left', ...right(cols.length + others.length)], rows: rolloutRows } });
    out.push(p(`JIT and AOT are shown apart: the JIT variant (${jitName}) pays the compile (its load phase) on every cold start; AOT (${aotName}) pays it once per node, when the component is rolled out (footprint: copy + AOT compile with the embedding host), and then only deserializes the .cwasm. The pay-back count is the AOT compile divided by the cold-start time it saves, rounded up.`));
  } else out.push(p(NOT_MEASURED));
  if (reading.length) out.push({ kind: 'list', items: reading });
  return out;
}

// ---- phases ----------------------------------------------------------------

/** Top-level (stackable) phase medians of a target, in recorded order. */
export function stackedPhases(t: OkTarget): { name: string; ms: number }[] {
  if (!t.phases) return [];
  return Object.entries(t.phases.medians)
    .filter(([k]) => !(k in NESTED_PHASES))
    .map(([name, v]) => ({ name, ms: v }));
}

function phases(r: Results): Block[] {
  const out: Block[] = [
    h(2, 'Phase breakdown'),
    p('Each phase\'s median over the successful samples and its share of the cold-start median. Medians do not add up exactly, so "other" (cold-start median minus the sum of the phase medians) is the unattributed rest — process spawn and exit, for the hosts.'),
    { kind: 'chart', chart: 'phases' },
  ];
  const without: string[] = [];
  for (const t of okTargets(r)) {
    if (!t.phases || !Object.keys(t.phases.medians).length) {
      without.push(keyOf(r, t));
      continue;
    }
    const total = t.coldStart.stats!.median;
    const top = stackedPhases(t);
    const sum = top.reduce((a, x) => a + x.ms, 0);
    const rows: Cell[][] = Object.entries(t.phases.medians).map(([name, v]) => [
      name in NESTED_PHASES ? `${name} (inside ${NESTED_PHASES[name]})` : name,
      ms(v),
      pct(v / total),
    ]);
    rows.push(['other (median − sum of phases)', ms(total - sum), pct((total - sum) / total)]);
    out.push(h(3, keyOf(r, t)));
    out.push(p(`Source: ${t.phases.source}. Cold-start median ${ms(total)}.`));
    out.push({ kind: 'table', table: { head: ['phase', 'median', 'share of cold start'], align: ['left', 'right', 'right'], rows } });
    const wp = WORKLOAD_PHASES.find((k) => k in t.phases!.medians);
    if (wp) {
      const v = t.phases.medians[wp];
      out.push(p(`The workload itself (${wp}) takes ${ms(v)}, ${pct(v / total)} of the cold start; the other ${pct(1 - v / total)} is the runtime's start-up and teardown.`));
    }
  }
  if (without.length) out.push(p(`No phase timings reported for: ${without.join(', ')}.`));
  return out;
}

// ---- warm, memory ----------------------------------------------------------

function warm(r: Results): Block[] {
  const lead = leadOf(r);
  const rows: Cell[][] = okTargets(r).map((t) =>
    t.warm.status === 'ok'
      ? [...lead.cells(t), t.warm.mode, ms(t.warm.stats.median), ms(t.warm.stats.p95), msRange(t.warm.stats.ci95), String(t.warm.stats.n), t.warm.note]
      : [...lead.cells(t), 'n/a', '–', '–', '–', '–', t.warm.note],
  );
  return [
    h(2, 'Warm per-request latency'),
    p('The plugin model: the module is compiled once, then each request gets a fresh instance. Containers have no in-process equivalent — the nearest is a new container per request, which is the cold start — so their rows say so instead of showing a number.'),
    { kind: 'table', table: { head: [...lead.head, 'mode', 'median', 'p95', '95% CI of median (ms)', 'n', 'note'], align: [...lead.align, 'left', 'right', 'right', 'right', 'right', 'left'], rows } },
  ];
}

// ---- plugin platform -------------------------------------------------------

const PLATFORM_NOT_MEASURED = (r: Results, what: 'density' | 'burst') => {
  // The run's options say when the step was turned off (--quick leaves both out unless asked).
  const off = what === 'density' ? r.options.density === null : r.options.burst !== undefined && r.options.burst.ks.length === 0;
  if (off) return `Not run: ${r.options.quick ? '--quick leaves it out' : `turned off (--no-${what})`}; \`wvc bench${what === 'density' ? ' --density' : ' --burst 1,8,32'}\` runs it.`;
  return `Not measured in this run: results.json has no ${what} rows (a run from before the step existed, or one interrupted before it).`;
};

function platform(r: Results): Block[] {
  const lead = leadOf(r);
  const out: Block[] = [
    h(2, 'Plugin platform'),
    p('Three numbers decide whether merchant logic can run synchronously in the checkout path during a surge: the per-request cost of a fresh, isolated instance in each configuration of a runtime; how many live, isolated instances fit in a given amount of memory; and what happens to latency when many requests arrive at once.'),
    h(3, 'Per-request latency, each variant against its target\'s default'),
  ];
  const warms = warmRows(r);
  if (!warms.length) out.push(p('No variant ran a warm loop in this run.'));
  else {
    const opt = (v: number | undefined) => (v === undefined ? '–' : latency(v));
    out.push({
      kind: 'table',
      table: {
        head: [...lead.head, 'label', 'mode', 'median', 'instantiate (median)', 'run (median)', '× the default variant'],
        align: [...lead.align, 'left', 'left', 'right', 'right', 'right', 'right'],
        rows: warms.map(({ row, warm, def, ratio }): Cell[] => [
          ...lead.cells(row),
          row.label,
          warm.mode,
          latency(warm.stats.median),
          opt(warm.instantiateMedianMs),
          opt(warm.runMedianMs),
          def && def.row === row ? '1× (the default)' : def && ratio !== null ? `${times(ratio)} (${def.row.variant}: ${latency(def.warm.stats.median)})` : '– (no default variant with a warm loop)',
        ]),
      },
    });
    out.push(p('Each request gets a fresh instance of a module compiled once; medians over the requests. Instantiate and run are the medians of the two parts of a request where the host times them apart (they need not add up to the median). × the default variant: this median over the median of its target\'s default variant on the same workload — the runtime as configured out of the box.'));
  }
  if (platformMeasured(r)) out.push({ kind: 'chart', chart: 'warm' });

  out.push(h(3, 'Density: live, isolated instances per GiB'));
  const dens = densityRows(r);
  if (!dens) out.push(p(PLATFORM_NOT_MEASURED(r, 'density')));
  else if (!dens.length) out.push(p('The density step ran but measured no variant.'));
  else {
    const steps = (xs: readonly { instances: number; pssBytes: number }[]) => (xs.length ? xs.map((s) => `${grouped(s.instances)} → ${bytes(s.pssBytes)}`).join(', ') : '–');
    out.push({
      kind: 'table',
      table: {
        head: [...lead.head, 'per instance (slope)', 'fit', 'per GiB', 'steps (N → PSS)', 'intercept (fit at 0)', 'covers', 'stopped by'],
        align: [...lead.align, 'right', 'left', 'right', 'left', 'right', 'left', 'left'],
        rows: dens.map((d): Cell[] => {
          if (d.status !== 'ok') return [...lead.cells(d), { span: 3, text: [strong(d.status), `: ${d.reason}`] }, steps(d.steps), '–', '–', '–'];
          return [
            ...lead.cells(d),
            bytes(d.fit.bytesPerInstance),
            `r² ${r2Text(d.fit.r2)}, ${d.fit.points} point${d.fit.points === 1 ? '' : 's'}`,
            projects(d) ? grouped(Math.floor(d.perGiB)) : '– (no growth per instance measured)',
            steps(d.steps),
            bytes(d.fit.interceptBytes),
            d.covers,
            d.stoppedBy,
          ];
        }),
      },
    });
    out.push(p('N instances are kept alive at once, each isolated and parked mid-request, for N stepping up; PSS (proportional set size, from /proc/<pid>/smaps_rollup, so shared pages are not counted twice) is summed over every process involved — what covers says. The slope of a least-squares line through (N, PSS) is what each more instance costs; per GiB is 1 GiB divided by it, rounded down. A variant that could not park instances keeps its row, with why.'));
    out.push({ kind: 'chart', chart: 'density' });
  }

  out.push(h(3, 'Burst: K simultaneous cold starts'));
  const bursts = burstRows(r);
  if (!bursts) out.push(p(PLATFORM_NOT_MEASURED(r, 'burst')));
  else if (!bursts.length) out.push(p('The burst step ran but measured no variant.'));
  else {
    const width = 10;
    const rows: Cell[][] = bursts.flatMap((b): Cell[][] => {
      const stepRows = b.steps.map((s): Cell[] => {
        const opt = (v: number | null) => (v === null ? '–' : latency(v));
        return [...lead.cells(b), grouped(s.k), s.mode, s.clock, opt(s.p50Ms), opt(s.p99Ms), opt(s.maxMs), latency(s.wallMs), rate(s.startsPerSec), s.failures.length ? strong(failuresText(s)) : 'none'];
      });
      if (b.status !== 'ok') return [[...lead.cells(b), { span: width, text: [strong(b.status), `: ${b.reason}`] }], ...stepRows];
      return stepRows.length ? stepRows : [[...lead.cells(b), { span: width, text: 'no burst recorded' }]];
    });
    out.push({
      kind: 'table',
      table: {
        head: [...lead.head, 'K', 'mode', 'clock', 'p50', 'p99', 'max', 'wall', 'starts/s', 'failures'],
        align: [...lead.align, 'right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
        rows,
      },
    });
    out.push(p('K cold starts are launched at once; each request\'s latency runs from the burst\'s start to its own answer, and every answer is checked against the workload\'s. p50, p99 and max are nearest-rank over the correct answers; wall is the burst\'s start to its last answer, and starts/s the correct answers per second of wall. A failed request is counted and kept, never dropped; the clock says whose clock timed the burst.'));
    out.push({ kind: 'chart', chart: 'burst' });
  }

  out.push(h(3, 'In one sentence each'));
  const sentences = platformSentences(r);
  out.push(sentences.length ? { kind: 'list', items: sentences.map((x) => x.text) } : p('This run has no plugin-platform figure to quote.'));
  return out;
}

function memory(r: Results): Block[] {
  const lead = leadOf(r);
  const rows: Cell[][] = okTargets(r).map((t) =>
    t.memory ? [...lead.cells(t), bytes(t.memory.median), bytes(t.memory.max), exactBytes(t.memory.max), t.memory.covers] : [...lead.cells(t), '–', '–', '–', 'not measured'],
  );
  return [
    h(2, 'Memory'),
    p('Peak memory per cold start. The figures cover different things per runtime (the covers column), so compare them with care.'),
    { kind: 'table', table: { head: [...lead.head, 'peak (median)', 'peak (max)', 'max, exact', 'covers'], align: [...lead.align, 'right', 'right', 'right', 'left'], rows } },
  ];
}

// ---- footprint, capabilities, observability --------------------------------

const byteCell = (v: number): string => (Number.isFinite(v) ? `${bytes(v)} (${grouped(v)} B)` : '–');
const msCell = (v: number): string => (Number.isFinite(v) ? ms(v) : '–');

function footprint(r: Results): Block[] {
  const f = r.footprint;
  const out: Block[] = [h(2, 'Footprint and rollout cost')];
  if (!f) return [...out, p(NOT_MEASURED)];
  if (f.artifacts.length) {
    out.push(h(3, 'Artifacts, compressed'));
    out.push({
      kind: 'table',
      table: {
        head: ['artifact', 'kind', 'raw', 'gzip -9', 'brotli', 'note'],
        align: ['left', 'left', 'right', 'right', 'right', 'left'],
        rows: f.artifacts.map((a) => [a.id, a.kind, byteCell(a.bytes), byteCell(a.gzipBytes), `${byteCell(a.brotliBytes)} q${a.brotliQuality}`, a.note ?? '–']),
      },
    });
  }
  if (f.images.length) {
    out.push(h(3, 'Container images'));
    out.push({
      kind: 'table',
      table: {
        head: ['image', 'tag', 'unpacked in the engine', 'docker save tar', 'gzip of the tar', 'brotli of the tar', 'layers'],
        align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
        rows: f.images.map((i) => [
          i.id,
          i.tag ? code(i.tag) : '–',
          byteCell(i.imageBytes),
          byteCell(i.saveTarBytes),
          byteCell(i.saveGzipBytes),
          i.saveBrotliBytes !== undefined ? `${byteCell(i.saveBrotliBytes)}, q${i.brotliQuality ?? '–'}` : '–',
          grouped(i.layers),
        ]),
      },
    });
  }
  if (f.rollout.length) {
    out.push(h(3, 'Rollout cost per node'));
    out.push({
      kind: 'table',
      table: {
        head: ['what', 'how', 'median', 'n', 'steps (medians)'],
        align: ['left', 'left', 'right', 'right', 'left'],
        rows: f.rollout.map((x) => [
          x.label || x.id,
          x.what,
          msCell(x.median),
          String(x.samples.length),
          x.steps ? Object.entries(x.steps).map(([k, v]) => `${k} ${msCell(v)}`).join('; ') : '–',
        ]),
      },
    });
  }
  if (f.runtimes.length) {
    out.push(h(3, 'Runtime footprint on a node'));
    out.push({
      kind: 'table',
      table: {
        head: ['runtime', 'installed bytes', 'files', 'missing'],
        align: ['left', 'right', 'right', 'left'],
        rows: f.runtimes.map((x) => [x.name, byteCell(x.totalBytes), String(x.files.length), x.missing.length ? x.missing.join(', ') : '–']),
      },
    });
  }
  if (f.notes.length) out.push({ kind: 'list', items: f.notes });
  if (out.length === 1) out.push(p(NOT_MEASURED));
  return out;
}

/**
 * A probe outcome as a matrix cell: held outcomes plain, the others in capitals and
 * bold, except `error`, which ran to no outcome and counts for nothing: it reads
 * "error (not measured)", not as an alarm beside ALLOWED.
 */
const outcomeCell = (outcome: string): Cell => (held(outcome) ? outcome : outcome === 'error' ? 'error (not measured)' : strong(outcome.toUpperCase()));

function capabilities(r: Results): Block[] {
  const cells = capabilityCells(r);
  const out: Block[] = [h(2, 'Capability matrix'), { kind: 'chart', chart: 'capabilities' }];
  if (!cells.length) {
    out.push(p(`${NOT_MEASURED} No probe tried to reach files, the network or the environment beyond the grants, so nothing here shows what each sandbox denies. What each target was granted:`));
  } else {
    const probes = [...new Set(cells.map((c) => c.probe))];
    // One line per row of the matrix: a target variant as the probe guest and as the workload's own probe mode found it.
    const rows = (r.capabilities?.rows ?? []).filter((row) => row.cells.length);
    out.push({
      kind: 'table',
      table: {
        head: ['target/variant', 'probed by', ...probes],
        rows: rows.map((row) => [keyOf(r, cellRef(row)), probedBy(row), ...probes.map((pr): Cell => {
          const c = row.cells.find((x) => x.probe === pr);
          return !c ? '–' : outcomeCell(c.outcome);
        })]),
      },
    });
    out.push(p('Grants each target was given:'));
  }
  const lead = leadOf(r);
  out.push({ kind: 'table', table: { head: [...lead.head, 'grants'], rows: r.targets.map((t) => [...lead.cells(t), t.grants.length ? t.grants.join('; ') : '–']) } });
  const matrix = r.capabilities;
  if (matrix) {
    const items: Rich[] = [];
    for (const row of matrix.rows) {
      // A row for every variant of a target that could not run names no variant.
      const name = keyOf(r, cellRef(row)).replace(/\/$/, '');
      if (row.skipped) items.push(`${name} not probed: ${row.skipped.reason}${row.skipped.hint ? ` — ${row.skipped.hint}` : ''}`);
      if (row.policyNote) items.push(`${name}: ${row.policyNote}`);
    }
    items.push(...(matrix.notes ?? []));
    if (items.length) out.push({ kind: 'list', items });
  }
  out.push(...capabilityEvidence(r));
  return out;
}

/**
 * The evidence behind every cell: what the workload or runtime said (what an operator
 * sees) and what the harness observed, plus whether each runtime's denials name the
 * capability or are only an opaque errno, trap or kill.
 */
function capabilityEvidence(r: Results): Block[] {
  const rows = (r.capabilities?.rows ?? []).filter((row) => !row.skipped && row.cells.length);
  if (!rows.length) return [];
  const out: Block[] = [h(3, 'Does a denial name the capability?')];
  out.push({
    kind: 'table',
    table: {
      head: ['target/variant', 'probed by', 'denials name the capability', 'limits'],
      rows: rows.map((row): Cell[] => [
        keyOf(r, cellRef(row)),
        probedBy(row),
        // Older or hand-made results may lack these fields: say so instead of failing.
        row.denialNamesCapability === undefined ? '–' : row.denialNamesCapability === null ? 'nothing denied' : row.denialNamesCapability ? 'yes: errno text, trap message or OOM report' : strong('no: at least one denial is a bare kill or an opaque code'),
        row.limits ?? '–',
      ]),
    },
  });
  out.push(h(3, 'Evidence behind each cell'));
  out.push({
    kind: 'table',
    table: {
      head: ['target/variant', 'probed by', 'probe', 'outcome', 'what the guest or runtime reported', 'what the harness observed'],
      rows: rows.flatMap((row) =>
        row.cells.map((c): Cell[] => [keyOf(r, cellRef(row)), probedBy(row), c.probe, outcomeCell(c.outcome), c.evidence || '–', c.harnessEvidence || '–']),
      ),
    },
  });
  return out;
}

function observability(r: Results): Block[] {
  const lead = leadOf(r);
  const rows: Cell[][] = r.targets.map((t): Cell[] => {
    if (t.status === 'skipped') return [...lead.cells(t), { span: 6, text: `not run (skipped: ${t.reason})` }];
    const samples = samplesOf(t);
    const n = samples.length;
    const withExit = samples.filter((s) => typeof s.exitCode === 'number').length;
    const withMs = samples.filter((s) => typeof s.ms === 'number' && Number.isFinite(s.ms)).length;
    const rec = artifactOf(r, t);
    const sha = t.artifact?.sha256;
    const shaCell: Cell = !sha ? 'no' : rec && rec.sha256 !== sha ? strong('MISMATCH with the artifact record') : ['yes ', code(sha.slice(0, 12) + '…')];
    const exitMode = t.exitCodes === 'ok-err' ? ' (ok/err only)' : '';
    const phasesCell = t.status === 'ok' && t.phases ? `yes (${Object.keys(t.phases.medians).length})` : 'no';
    const mem = t.status === 'ok' && t.memory ? (t.memory.median > 0 ? 'yes' : '0 B (not captured)') : 'no';
    return [
      ...lead.cells(t),
      t.runtime?.version ? `yes (${t.runtime.version})` : 'no',
      shaCell,
      n ? `${withExit === n ? 'yes' : 'partly'}, ${withExit}/${n} samples${exitMode}` : 'no samples',
      n ? `${withMs === n ? 'yes' : 'partly'}, ${withMs}/${n} samples` : 'no samples',
      phasesCell,
      mem,
    ];
  });
  return [
    h(2, 'Observability'),
    p('What each target reports, derived from what this results.json holds: a runtime version, the sha256 of the artifact it ran (checked against the artifact record), an exit code and a duration on every sample, phase timings and a peak-memory figure.'),
    { kind: 'table', table: { head: [...lead.head, 'runtime version', 'artifact sha256', 'exit code', 'duration', 'phases', 'peak memory'], rows } },
  ];
}

// ---- container cold start by layer ------------------------------------------

/**
 * The rows of one workload's container stack, deepest layer last, then the bare process
 * (the floor): each declared layer in its default configuration (VariantSpec.layer).
 */
export function layerRows(r: Results, workload: string): { row: OkTarget; layer: string; depth: number }[] {
  const mine = okTargets(r).filter((t) => t.workload === workload && t.coldStart.stats);
  const layers = mine.filter((t) => t.layer).map((t) => ({ row: t, layer: t.layer!.name, depth: t.layer!.depth }));
  if (!layers.length) return [];
  layers.sort((a, b) => b.depth - a.depth || a.row.coldStart.stats!.median - b.row.coldStart.stats!.median);
  const floor = mine.find((t) => t.baseline === 'floor') ?? mine.find((t) => isFloorClass(t.class) && t.defaultVariant);
  if (floor) layers.push({ row: floor, layer: 'the bare process, no isolation', depth: -1 });
  return layers;
}

function containerLayers(r: Results): Block[] {
  const ws = r.workloads.filter((w) => layerRows(r, w.name).length > 1);
  if (!ws.length) return [];
  const out: Block[] = [
    h(2, 'Container cold start by layer'),
    p('A Kubernetes node does not go through dockerd: the kubelet drives containerd, and containerd drives an OCI runtime. Each row is one layer of the container stack in its default configuration, measured in this run on the same image: its median with the 95% CI, and its share of the top layer\'s median (the rest of the top layer\'s time is spent in the layers above it).'),
  ];
  const lead = leadOf(r);
  for (const w of ws) {
    const rows = layerRows(r, w.name);
    const top = rows[0]!.row.coldStart.stats!.median;
    if (ws.length > 1) out.push(h(3, workloadTitle(w)));
    out.push({
      kind: 'table',
      table: {
        head: [...lead.head, 'layer', 'cold start median (95% CI)', `share of ${keyOf(r, rows[0]!.row)}`],
        align: [...lead.align, 'left', 'right', 'right'],
        rows: rows.map(({ row, layer }) => [...lead.cells(row), layer, `${ms(row.coldStart.stats!.median)}${failMark(row)} (${msRange(row.coldStart.stats!.ci95)})`, pct(row.coldStart.stats!.median / top)]),
      },
    });
  }
  out.push({ kind: 'chart', chart: 'layers' });
  return out;
}

// ---- agreement with an independent tool, reproducing a figure --------------

function agreement(r: Results): Block[] {
  const out: Block[] = [h(2, 'Agreement with an independent tool')];
  const x = r.crossCheck;
  if (!x) return [...out, p(NOT_MEASURED)];
  if (x.status === 'off') return [...out, p(`Not checked in this run: ${x.reason}.`)];
  out.push(
    p(`In the same run, ${x.tool} timed the exact argv and environment the harness recorded (hyperfine -N: no shell, fork to wait), for each workload's floor and its fastest Wasm variant; the container baseline's equivalent docker CLI command is timed beside its Engine API figure. A ratio beyond ±25% is a warning with its likely cause.`),
  );
  const lead = leadOf(r);
  const rows: Cell[][] = x.checks.map((c) => {
    const ref = { workload: c.workload, id: c.id, variant: c.variant };
    if (c.status === 'failed') return [...lead.cells(ref), c.why, ms(c.harnessMedianMs), { span: 2, text: [strong('failed'), `: ${c.error}`] }, code(c.command)];
    return [...lead.cells(ref), c.why, `${ms(c.harnessMedianMs)} (${c.harnessMeasures})`, `${ms(c.toolMedianMs)} (n=${c.runs})`, c.warning ? [strong(times(c.ratio)), ` — ${c.warning}`] : times(c.ratio), code(c.command)];
  });
  out.push({ kind: 'table', table: { head: [...lead.head, 'checked as', 'harness median', 'hyperfine median', 'harness / hyperfine', 'reproduce with'], align: [...lead.align, 'left', 'right', 'right', 'right', 'left'], rows } });
  return out;
}

/** Every process variant's exact command, as `hyperfine -N` would time it, so any figure can be checked by hand. */
function reproduce(r: Results): Block[] {
  const lead = leadOf(r);
  const rows: Cell[][] = okTargets(r).flatMap((t): Cell[][] => {
    const line = t.invocation ? hyperfineLine(t.invocation, 30) : null;
    return line ? [[...lead.cells(t), t.invocation!.kind === 'api' ? 'its CLI equivalent' : 'the same process', code(line)]] : [];
  });
  if (!rows.length) return [];
  return [
    h(3, 'Reproduce a figure'),
    p('The exact argv and environment of every sample is in results.json (targets[].invocation). These lines time the same process with hyperfine; the harness runs it through its spawner and reports spawn to reap, which is what hyperfine measures.'),
    { kind: 'table', table: { head: [...lead.head, 'times', 'command'], rows } },
  ];
}

// ---- warnings, methodology -------------------------------------------------

function warnings(r: Results): Block[] {
  const items: Rich[] = [];
  if (!r.complete) items.push([strong('incomplete run'), r.interrupted ? `: interrupted (${r.interrupted}); only what was measured is reported.` : ': not every target was measured; see the skipped and errored rows.']);
  for (const w of r.warnings) items.push([strong(`${w.target ? `[${w.target}] ` : ''}${w.kind}`), `: ${w.message}${w.advice ? ` — ${w.advice}` : ''}`]);
  // Errored capability cells, one line per row: they count for no claim, so say so here.
  for (const row of r.capabilities?.rows ?? []) {
    const errored = row.cells.filter((c) => c.outcome === 'error');
    if (!errored.length) continue;
    const evidence = (errored[0].evidence || errored[0].harnessEvidence || 'no evidence recorded').split('\n')[0].trim();
    items.push([
      strong('capabilities'),
      ` ${capabilityRowName(r, row)}: ${errored.length} probe${errored.length === 1 ? '' : 's'} errored (${errored.map((c) => c.probe).join(', ')}) — ${evidence}; an errored probe counts neither for nor against any claim.`,
    ]);
  }
  return [h(2, 'Warnings'), items.length ? { kind: 'list', items } : p('None.')];
}

function methodology(r: Results): Block[] {
  const c = r.calibration;
  const lead = leadOf(r);
  const cal =
    c.spawnOverheadMs !== null
      ? `Spawn calibration: ${ms(c.spawnOverheadMs)}${c.stats ? ` (95% CI ${msRange(c.stats.ci95)} ms, n=${c.stats.n})` : ''} — ${c.note}${/subtract/.test(c.note) ? '' : '; shown, never subtracted'}.`
      : `Spawn calibration: not measured — ${c.note}.`;
  const a = r.options.adaptive;
  const prime = r.options.primeBelowMs !== undefined ? ` A variant whose runs take under ${ms(r.options.primeBelowMs)} is primed: straight before each sample it runs untimed (once, or for about 5 ms), so that its sample starts as hyperfine's consecutive runs do, not after the harness's own bookkeeping.` : '';
  const items: Rich[] = [
    'A sample is one cold start. For a process target it is spawn to reap of the runtime process, timed by the harness\'s spawner (wvc-spawn, which starts it with posix_spawnp) on CLOCK_MONOTONIC — what hyperfine measures; Node\'s own spawn-to-close figure, which adds the harness\'s spawn path, is kept per sample as outerMs. For a target driven through an API it is the first call to the end of the last (see Caveats). Every sample\'s stdout is checked against the workload\'s expected answer; a wrong answer or non-zero exit is a failed sample, counted and kept.',
    a
      ? `Schedule: up to ${r.options.warmup} warm-up runs per variant (one when a warm-up takes over a second, and that run is its round-0 sample), then rounds in an order shuffled with the schedule's random seed ${r.seed}, so drift in the machine spreads across targets. Adaptive stop: a variant stops sampling once the 95% CI of its median is within ±${pct(a.ciTarget)} of the median with at least ${a.minSamples} samples, or once it has spent ${duration(a.budgetMs)} (warm-ups and primes included), or after ${a.maxRounds} rounds; the summary marks the variants its budget stopped.${prime}`
      : `Schedule: ${r.options.warmup} warm-up run${r.options.warmup === 1 ? '' : 's'} per variant, then exactly ${r.options.runs} rounds (--runs); every round runs each variant once in an order shuffled with the schedule's random seed ${r.seed}, so drift in the machine spreads across targets.${prime}`,
    `Statistics, all computed at bench time: type-7 percentiles; 95% percentile-bootstrap CIs of the median and of ratios of medians (${grouped(BOOTSTRAP_RESAMPLES)} resamples from random seed ${r.seed}); outliers by modified z-score (MAD, threshold 3.5).`,
    cal,
    ...(r.timeline ? [timelineText(r.timeline)] : []),
  ];
  // What each target that has a row declares about itself, then what each row adds, each once.
  const ran = new Set(r.targets.map((t) => t.id));
  const caveats: Rich[] = [...new Set(r.targetInfo.filter((i) => ran.has(i.id)).flatMap((i) => i.caveats))].map(declared);
  const notes = new Set<string>();
  for (const t of r.targets) for (const n of t.notes) notes.add(`${keyOf(r, t)}: ${n}`);
  caveats.push(...[...notes].map(declared));
  if (!a && r.options.runs < 30) caveats.push(`Only ${r.options.runs} rounds: the confidence intervals are wide; use the default 30 or more before quoting these numbers.`);
  return [
    h(2, 'Methodology'),
    { kind: 'list', items },
    h(3, 'Cache state per variant'),
    { kind: 'table', table: { head: [...lead.head, 'cache state on a cold start'], rows: r.targets.filter((t) => t.status !== 'skipped').map((t) => [...lead.cells(t), t.cacheState]) } },
    p('The page cache is warm for every target after the warm-ups.'),
    h(3, 'Caveats'),
    caveats.length ? { kind: 'list', items: caveats } : p('None.'),
  ];
}

function timelineText(t: NonNullable<Results['timeline']>): string {
  // density and burst only in runs that have the steps.
  const platform: [string, number][] = [...(t.density !== undefined ? [['density', t.density] as [string, number]] : []), ...(t.burst !== undefined ? [['burst', t.burst] as [string, number]] : [])];
  const parts: [string, number][] = [['build', t.build], ['calibration', t.calibration], ['cold start', t.coldStart], ['warm', t.warm], ...platform, ['probes', t.probes], ['cross-check', t.crossCheck], ['footprint', t.footprint], ['reports', t.reports]];
  return `The bench's own timeline: ${duration(t.total)} in all — ${parts.map(([k, v]) => `${k} ${duration(v)}`).join(', ')}.`;
}

/** The whole report as blocks, in reading order. */
export function buildReport(r: Results, opts: ReportOptions = {}): Block[] {
  return [
    ...title(r),
    ...answer(r, opts),
    ...summary(r),
    ...runDetails(r),
    ...(opts.criteria ? decision(r, opts.criteria) : []),
    ...claims(r),
    ...containerLayers(r),
    ...languages(r),
    ...phases(r),
    ...warm(r),
    ...platform(r),
    ...memory(r),
    ...footprint(r),
    ...capabilities(r),
    ...agreement(r),
    ...observability(r),
    ...reproduce(r),
    ...warnings(r),
    ...methodology(r),
  ];
}
