/**
 * The report as a list of format-neutral blocks (headings, paragraphs, lists,
 * tables, chart slots), built once from a Results object and rendered by
 * markdown.ts and html.ts — so both formats always say the same thing. Pure:
 * no I/O, no clock, no environment.
 */
import type { Results, TargetResult } from '../model.js';
import { DEFAULT_RESAMPLES } from '../measure/stats.js';
import { evaluateClaims, type Claim } from './claims.js';
import type { CriteriaResult } from './criteria.js';
import {
  NESTED_PHASES,
  WORKLOAD_PHASES,
  artifactOf,
  capabilityCells,
  exitCodesOf,
  footprintOf,
  gzipBytesOf,
  held,
  keyOf,
  okTargets,
  probeCounts,
  type OkTarget,
} from './data.js';
import { bytes, exactBytes, grouped, ms, msRange, pct, sig3, times } from './format.js';
import type { Cell, Rich, Table } from './table.js';

/** The charts the HTML report draws; markdown skips these slots. */
export type ChartName = 'coldstart' | 'phases' | 'sizes' | 'capabilities';

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
const p = (text: Rich): Block => ({ kind: 'paragraph', text });
const code = (s: string) => ({ code: s });
const strong = (s: string) => ({ strong: s });

const NOT_MEASURED = 'Not measured in this run.';

/** Where each runtime's compiled code comes from on a cold start (harness facts, see README "Cache state"). */
const CACHE_STATE: Record<string, string> = {
  'native/*': 'nothing to compile; the binary is in the page cache after the warm-ups',
  'node-wasi/*': 'Node compiles the core module on every run (no V8 code cache)',
  'jco/*': 'Node compiles the transpiled component on every run (no V8 code cache)',
  'wasmtime-embed/jit': 'compiles the component on every run (the host has no code cache)',
  'wasmtime-embed/aot': 'deserializes the precompiled .cwasm; nothing is compiled at start',
  'wasmtime/jit-cache-off': 'compiles on every run (-C cache=n disables the on-disk code cache)',
  'wasmtime/precompiled': 'loads a .cwasm made by wasmtime compile (--allow-precompiled)',
  'docker/*': 'image local, layers on disk: no pull is measured',
};

function cacheState(t: { id: string; variant: string }): string {
  return CACHE_STATE[keyOf(t)] ?? CACHE_STATE[`${t.id}/*`] ?? 'not documented for this target';
}

function ratioCell(x: { ratio: number; ci95: [number, number] } | null): string {
  return x ? `${times(x.ratio)} (${sig3(x.ci95[0])}–${sig3(x.ci95[1])})` : '–';
}

function samplesOf(t: TargetResult) {
  return 'coldStart' in t && t.coldStart ? t.coldStart.samples : [];
}

// ---- header ----------------------------------------------------------------

function header(r: Results): Block[] {
  const e = r.environment;
  const out: Block[] = [h(1, `wasm-vs-container: ${r.workload.name} — run ${r.runId}`)];
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
  out.push({
    kind: 'list',
    items: [
      ['Run: ', code(r.runId), `, started ${r.startedAt}, ${r.finishedAt ? `finished ${r.finishedAt}` : 'not finished'}`],
      `Machine: ${e.cpuModel}, ${e.cpus} cores, ${bytes(e.memoryBytes)} memory; ${e.kernel}; ${e.os}`,
      `Versions: Node ${e.node}; Docker engine ${e.docker ?? 'not available'}; libwasmtime ${e.wasmtime ?? 'not available'}; wasmtime CLI ${e.wasmtimeCli ?? 'not installed'}`,
      `Seed: ${r.seed}; ${r.options.runs} rounds after ${r.options.warmup} warm-up${r.options.warmup === 1 ? '' : 's'} per variant${r.options.quick ? ' (--quick)' : ''}`,
      ['Harness: ', `${e.harnessVersion}, git commit `, code(e.gitCommit ?? 'unknown')],
      ['Workload: ', `${r.workload.name} with `, code(r.workload.args.join(' ')), '; every sample must print ', code(r.workload.expectedStdout.trim())],
    ],
  });
  out.push(h(3, 'Runtimes'));
  out.push({
    kind: 'table',
    table: {
      head: ['target', 'variant', 'runtime', 'version'],
      rows: r.targets.map((t) => [t.id, t.variant, t.runtime?.name ?? `– (${t.status})`, t.runtime?.version ?? '–']),
    },
  });
  out.push(h(3, 'Artifacts'));
  const users = (id: string) => r.targets.filter((t) => t.artifact?.id === id).map(keyOf).join(', ') || '– (harness tool)';
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

// ---- summary ---------------------------------------------------------------

function summary(r: Results): Block[] {
  const cells = capabilityCells(r);
  const rows: Cell[][] = r.targets.map((t): Cell[] => {
    if (t.status === 'skipped') return [t.id, t.variant, { span: 11, text: [strong('skipped'), `: ${t.reason} — hint: ${t.hint}`] }];
    if (t.status === 'errored') {
      const n = samplesOf(t).length;
      return [t.id, t.variant, { span: 11, text: [strong('errored'), `: ${t.reason}${n ? ` (${t.coldStart!.failures}/${n} samples failed)` : ''}`] }];
    }
    const s = t.coldStart.stats!;
    const a = artifactOf(r, t);
    const gz = gzipBytesOf(r, a);
    const probes = probeCounts(cells, t);
    return [
      t.id,
      t.variant,
      `${ms(s.median)} (${msRange(s.ci95)})`,
      ms(s.p95),
      ratioCell(t.vsNative),
      ratioCell(t.vsDocker),
      t.artifact?.id ?? '–',
      a ? bytes(a.bytes) : '–',
      gz === null ? '–' : bytes(gz),
      t.memory ? bytes(t.memory.median) : '–',
      t.warm.status === 'ok' ? ms(t.warm.stats.median) : 'n/a',
      probes ? `${probes.denied}/${probes.tried}` : '–',
      `${t.coldStart.failures}/${t.coldStart.samples.length}`,
    ];
  });
  const out: Block[] = [
    h(2, 'Summary'),
    {
      kind: 'table',
      table: {
        head: ['target', 'variant', 'cold start median (95% CI)', 'p95', '× native (95% CI)', '× docker (95% CI)', 'artifact', 'raw', 'gzip', 'peak memory¹', 'warm median²', 'probes denied/tried³', 'failures'],
        align: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
        rows,
      },
    },
    p(
      `Cold start: median of the successful samples in ms with its 95% bootstrap CI (${grouped(DEFAULT_RESAMPLES)} seeded resamples); × native and × docker: ratio of medians with a bootstrap CI (below 1× docker is faster than Docker). raw: the artifact the variant runs; gzip: its gzip -9 bytes (for an image, of its docker save tar), – where the run has no footprint. Failures: failed samples / all samples.`,
    ),
  ];
  const byCovers = new Map<string, string[]>();
  const unmeasured: string[] = [];
  const zero: string[] = [];
  for (const t of okTargets(r)) {
    if (!t.memory) unmeasured.push(keyOf(t));
    else {
      byCovers.set(t.memory.covers, [...(byCovers.get(t.memory.covers) ?? []), keyOf(t)]);
      if (t.memory.median === 0) zero.push(keyOf(t));
    }
  }
  const parts = [...byCovers].map(([covers, keys]) => `${covers} (${keys.join(', ')})`);
  if (unmeasured.length) parts.push(`not measured (${unmeasured.join(', ')})`);
  let memNote = `¹ Peak memory, median over samples: ${parts.join('; ') || 'not measured'}.`;
  if (zero.length) memNote += ` A peak of 0 B (${zero.join(', ')}) means the figure was not captured, not that no memory was used.`;
  out.push(p(memNote));
  out.push(p('² Warm: per-request latency with the module already compiled and a fresh instance per request (see "Warm per-request latency"); n/a where the runtime has no in-process equivalent.'));
  out.push(p(cells.length ? '³ Probes: "denied" counts denied, absent (no such interface) and contained (a resource bomb stopped within the limits), out of the probes tried on that variant; see "Capability matrix".' : '³ Probes: no capability probes in this run.'));
  out.push({ kind: 'chart', chart: 'coldstart' }, { kind: 'chart', chart: 'sizes' });
  return out;
}

// ---- decision record -------------------------------------------------------

function decision(r: Results, c: CriteriaResult): Block[] {
  const e = r.environment;
  const out: Block[] = [h(2, c.title ? `Decision record: ${c.title}` : 'Decision record')];
  out.push(h(3, 'Context'));
  out.push(p(c.context ?? `Choosing how to run ${r.workload.name}: as a WebAssembly component or as a container. Evidence: run ${r.runId} on ${e.cpuModel} (${e.cpus} cores), ${r.options.runs} rounds.`));
  if (c.description) out.push(p(c.description));
  out.push(h(3, 'Options considered'));
  out.push({
    kind: 'list',
    items: r.targets.map((t): Rich => {
      if (t.status !== 'ok') return [strong(keyOf(t)), ` — ${t.label}: ${t.status}, ${t.reason}`];
      const s = t.coldStart.stats!;
      return [strong(keyOf(t)), ` — ${t.label}: cold-start median ${ms(s.median)}, p95 ${ms(s.p95)}`];
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
  return out;
}

// ---- claims ----------------------------------------------------------------

const CLAIM_TITLE: Record<Claim['id'], string> = { 'cold-start': 'Cold start', 'artifact-size': 'Artifact size', 'sandbox-default': 'Sandboxed by default' };

function claims(r: Results): Block[] {
  const list = evaluateClaims(r);
  return [
    h(2, 'Seed claims vs measured'),
    p('The course module (Module 3.9: WebAssembly and Cloud Native) makes three headline claims. Each is set beside this run\'s numbers; being faster or smaller than a claimed Wasm range counts as holding.'),
    { kind: 'table', table: { head: ['claim', 'measured', 'verdict'], rows: list.map((c) => [c.claim, c.measured, strong(c.verdict)]) } },
    { kind: 'list', items: list.map((c): Rich => [strong(`${CLAIM_TITLE[c.id]} — ${c.verdict}:`), ` ${c.why}`]) },
  ];
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
      without.push(keyOf(t));
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
    out.push(h(3, keyOf(t)));
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
  const rows: Cell[][] = okTargets(r).map((t) =>
    t.warm.status === 'ok'
      ? [t.id, t.variant, t.warm.mode, ms(t.warm.stats.median), ms(t.warm.stats.p95), msRange(t.warm.stats.ci95), String(t.warm.stats.n), t.warm.note]
      : [t.id, t.variant, 'n/a', '–', '–', '–', '–', t.warm.note],
  );
  return [
    h(2, 'Warm per-request latency'),
    p('The plugin model: the module is compiled once, then each request gets a fresh instance. Containers have no in-process equivalent — the nearest is a new container per request, which is the cold start — so their rows say so instead of showing a number.'),
    { kind: 'table', table: { head: ['target', 'variant', 'mode', 'median', 'p95', '95% CI of median (ms)', 'n', 'note'], align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'], rows } },
  ];
}

function memory(r: Results): Block[] {
  const rows: Cell[][] = okTargets(r).map((t) =>
    t.memory ? [t.id, t.variant, bytes(t.memory.median), bytes(t.memory.max), exactBytes(t.memory.max), t.memory.covers] : [t.id, t.variant, '–', '–', '–', 'not measured'],
  );
  return [
    h(2, 'Memory'),
    p('Peak memory per cold start. The figures cover different things per runtime (the covers column), so compare them with care.'),
    { kind: 'table', table: { head: ['target', 'variant', 'peak (median)', 'peak (max)', 'max, exact', 'covers'], align: ['left', 'left', 'right', 'right', 'right', 'left'], rows } },
  ];
}

// ---- footprint, capabilities, observability --------------------------------

function valueText(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? grouped(v) : sig3(v);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '–';
  return JSON.stringify(v);
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const objs = (x: unknown): Record<string, unknown>[] => (Array.isArray(x) ? x.filter(isObj) : []);
const byteCell = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? `${bytes(v)} (${grouped(v)} B)` : '–');
const msCell = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? ms(v) : '–');

/** A generic table of objects (for footprint data of a shape this report does not know). */
function genericTable(rows: Record<string, unknown>[]): Block {
  const keys = [...new Set(rows.flatMap((x) => Object.keys(x)))];
  return { kind: 'table', table: { head: keys, rows: rows.map((x) => keys.map((k) => valueText(x[k]))) } };
}

function footprint(r: Results): Block[] {
  const f = footprintOf(r);
  const out: Block[] = [h(2, 'Footprint and rollout cost')];
  if (f === null) return [...out, p(NOT_MEASURED)];
  if (isObj(f) && ['artifacts', 'images', 'rollout', 'runtimes'].some((k) => Array.isArray(f[k]))) {
    const arts = objs(f.artifacts);
    const images = objs(f.images);
    const rollout = objs(f.rollout);
    const runtimes = objs(f.runtimes);
    if (arts.length) {
      out.push(h(3, 'Artifacts, compressed'));
      out.push({
        kind: 'table',
        table: {
          head: ['artifact', 'kind', 'raw', 'gzip -9', 'brotli', 'note'],
          align: ['left', 'left', 'right', 'right', 'right', 'left'],
          rows: arts.map((a) => [valueText(a.id), valueText(a.kind), byteCell(a.bytes), byteCell(a.gzipBytes), `${byteCell(a.brotliBytes)}${typeof a.brotliQuality === 'number' ? ` q${a.brotliQuality}` : ''}`, valueText(a.note)]),
        },
      });
    }
    if (images.length) {
      out.push(h(3, 'Container images'));
      out.push({
        kind: 'table',
        table: {
          head: ['image', 'tag', 'unpacked in the engine', 'docker save tar', 'gzip of the tar', 'brotli of the tar', 'layers'],
          align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
          rows: images.map((i) => [
            valueText(i.id),
            i.tag ? code(String(i.tag)) : '–',
            byteCell(i.imageBytes),
            byteCell(i.saveTarBytes),
            byteCell(i.saveGzipBytes),
            typeof i.saveBrotliBytes === 'number' ? `${byteCell(i.saveBrotliBytes)}, q${valueText(i.brotliQuality)}` : '–',
            valueText(i.layers),
          ]),
        },
      });
    }
    if (rollout.length) {
      out.push(h(3, 'Rollout cost per node'));
      out.push({
        kind: 'table',
        table: {
          head: ['what', 'how', 'median', 'n', 'steps (medians)'],
          align: ['left', 'left', 'right', 'right', 'left'],
          rows: rollout.map((x) => [
            valueText(x.label ?? x.id),
            valueText(x.what),
            msCell(x.median),
            Array.isArray(x.samples) ? String(x.samples.length) : '–',
            isObj(x.steps) ? Object.entries(x.steps).map(([k, v]) => `${k} ${msCell(v)}`).join('; ') : '–',
          ]),
        },
      });
    }
    if (runtimes.length) {
      out.push(h(3, 'Runtime footprint on a node'));
      out.push({
        kind: 'table',
        table: {
          head: ['runtime', 'installed bytes', 'files', 'missing'],
          align: ['left', 'right', 'right', 'left'],
          rows: runtimes.map((x) => [valueText(x.name), byteCell(x.totalBytes), Array.isArray(x.files) ? String(x.files.length) : '–', Array.isArray(x.missing) && x.missing.length ? x.missing.join(', ') : '–']),
        },
      });
    }
    const notes = Array.isArray(f.notes) ? f.notes.filter((n): n is string => typeof n === 'string') : [];
    if (notes.length) out.push({ kind: 'list', items: notes });
    if (out.length === 1) out.push(p(NOT_MEASURED));
    return out;
  }
  if (Array.isArray(f) && f.every(isObj)) return [...out, genericTable(f as Record<string, unknown>[])];
  if (isObj(f)) return [...out, { kind: 'table', table: { head: ['field', 'value'], rows: Object.entries(f).map(([k, v]) => [k, valueText(v)]) } }];
  return [...out, p(valueText(f))];
}

function capabilities(r: Results): Block[] {
  const cells = capabilityCells(r);
  const out: Block[] = [h(2, 'Capability matrix'), { kind: 'chart', chart: 'capabilities' }];
  if (!cells.length) {
    out.push(p(`${NOT_MEASURED} No probe tried to reach files, the network or the environment beyond the grants, so nothing here shows what each sandbox denies. What each target was granted:`));
  } else {
    const probes = [...new Set(cells.map((c) => c.probe))];
    const keys = [...new Set(cells.map((c) => `${c.target}/${c.variant}`))];
    out.push({
      kind: 'table',
      table: {
        head: ['target/variant', ...probes],
        rows: keys.map((k) => [k, ...probes.map((pr): Cell => {
          const c = cells.find((x) => `${x.target}/${x.variant}` === k && x.probe === pr);
          return !c ? '–' : held(c.outcome) ? c.outcome : strong(c.outcome.toUpperCase());
        })]),
      },
    });
    out.push(p('Grants each target was given:'));
  }
  out.push({ kind: 'table', table: { head: ['target', 'variant', 'grants'], rows: r.targets.map((t) => [t.id, t.variant, t.grants.length ? t.grants.join('; ') : '–']) } });
  const matrix = (r as Results & { capabilities?: unknown }).capabilities;
  if (isObj(matrix)) {
    const items: Rich[] = [];
    for (const row of objs(matrix.rows)) {
      const sk = isObj(row.skipped) ? row.skipped : null;
      const name = `${valueText(row.target)}${typeof row.variant === 'string' && row.variant ? `/${row.variant}` : ''}`;
      if (sk) items.push(`${name} not probed: ${valueText(sk.reason)}${sk.hint ? ` — ${valueText(sk.hint)}` : ''}`);
      if (typeof row.policyNote === 'string') items.push(`${name}: ${row.policyNote}`);
    }
    if (Array.isArray(matrix.notes)) for (const n of matrix.notes) if (typeof n === 'string') items.push(n);
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
      head: ['target/variant', 'denials name the capability', 'limits'],
      rows: rows.map((row): Cell[] => [
        `${row.target}/${row.variant}`,
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
      head: ['target/variant', 'probe', 'outcome', 'what the workload or runtime reported', 'what the harness observed'],
      rows: rows.flatMap((row) =>
        row.cells.map((c): Cell[] => [`${row.target}/${row.variant}`, c.probe, held(c.outcome) ? c.outcome : strong(c.outcome.toUpperCase()), c.evidence || '–', c.harnessEvidence || '–']),
      ),
    },
  });
  return out;
}

function observability(r: Results): Block[] {
  const rows: Cell[][] = r.targets.map((t): Cell[] => {
    if (t.status === 'skipped') return [t.id, t.variant, { span: 6, text: `not run (skipped: ${t.reason})` }];
    const samples = samplesOf(t);
    const n = samples.length;
    const withExit = samples.filter((s) => typeof s.exitCode === 'number').length;
    const withMs = samples.filter((s) => typeof s.ms === 'number' && Number.isFinite(s.ms)).length;
    const rec = artifactOf(r, t);
    const sha = t.artifact?.sha256;
    const shaCell: Cell = !sha ? 'no' : rec && rec.sha256 !== sha ? strong('MISMATCH with the artifact record') : ['yes ', code(sha.slice(0, 12) + '…')];
    const exitMode = exitCodesOf(t) === 'ok-err' ? ' (ok/err only)' : '';
    const phasesCell = t.status === 'ok' && t.phases ? `yes (${Object.keys(t.phases.medians).length})` : 'no';
    const mem = t.status === 'ok' && t.memory ? (t.memory.median > 0 ? 'yes' : '0 B (not captured)') : 'no';
    return [
      t.id,
      t.variant,
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
    { kind: 'table', table: { head: ['target', 'variant', 'runtime version', 'artifact sha256', 'exit code', 'duration', 'phases', 'peak memory'], rows } },
  ];
}

// ---- warnings, methodology -------------------------------------------------

function warnings(r: Results): Block[] {
  const items: Rich[] = [];
  if (!r.complete) items.push([strong('incomplete run'), r.interrupted ? `: interrupted (${r.interrupted}); only what was measured is reported.` : ': not every target was measured; see the skipped and errored rows.']);
  for (const w of r.warnings) items.push([strong(`${w.target ? `[${w.target}] ` : ''}${w.kind}`), `: ${w.message}${w.advice ? ` — ${w.advice}` : ''}`]);
  return [h(2, 'Warnings'), items.length ? { kind: 'list', items } : p('None.')];
}

function methodology(r: Results): Block[] {
  const c = r.calibration;
  const ids = new Set(r.targets.map((t) => t.id));
  const cal =
    c.spawnOverheadMs !== null
      ? `Spawn calibration: ${ms(c.spawnOverheadMs)}${c.stats ? ` (95% CI ${msRange(c.stats.ci95)} ms, n=${c.stats.n})` : ''} — ${c.note}${/subtract/.test(c.note) ? '' : '; shown, never subtracted'}.`
      : `Spawn calibration: not measured — ${c.note}.`;
  const items: Rich[] = [
    'A sample is one cold start: from spawn to exit for process targets (for Docker, from the first Engine API call to the end of the remove), timed by the harness with the monotonic clock. Every sample\'s stdout is checked against an independent reference implementation; a wrong answer or non-zero exit is a failed sample, counted and kept.',
    `Schedule: ${r.options.warmup} warm-up run${r.options.warmup === 1 ? '' : 's'} per variant, then ${r.options.runs} rounds; every round runs each variant once in an order shuffled with seed ${r.seed}, so drift in the machine spreads across targets.`,
    `Statistics: type-7 percentiles; 95% percentile-bootstrap CIs of the median and of ratios of medians (${grouped(DEFAULT_RESAMPLES)} resamples seeded with ${r.seed}); outliers by modified z-score (MAD, threshold 3.5).`,
    cal,
  ];
  const caveats: Rich[] = [];
  if (ids.has('node-wasi'))
    caveats.push(['node:wasi is not a security sandbox. Node\'s documentation: ', { em: '"The node:wasi module does not currently provide the comprehensive file system security properties provided by some WASI runtimes."' }, ' Its numbers are a runtime cost, not a sandbox\'s.']);
  if (ids.has('docker')) caveats.push(['Docker is measured through the Engine API (create/start/wait/remove, what ', code('docker run --rm'), ' does), so no docker CLI process start is included; its peak memory is the container\'s cgroup peak, not the daemon\'s.']);
  if (ids.has('jco') || ids.has('wasmtime-embed') || ids.has('wasmtime'))
    caveats.push('WASI 0.2 components (jco, wasmtime-embed, wasmtime) report exit codes only as ok/err: the stable wasi:cli/exit takes a result, so every non-zero exit arrives as 1; the reason is on stderr.');
  if (r.options.runs < 30) caveats.push(`Only ${r.options.runs} rounds: the confidence intervals are wide; use the default 30 or more before quoting these numbers.`);
  return [
    h(2, 'Methodology'),
    { kind: 'list', items },
    h(3, 'Cache state per variant'),
    { kind: 'table', table: { head: ['target', 'variant', 'cache state on a cold start'], rows: r.targets.filter((t) => t.status !== 'skipped').map((t) => [t.id, t.variant, cacheState(t)]) } },
    p('The page cache is warm for every target after the warm-ups.'),
    h(3, 'Caveats'),
    caveats.length ? { kind: 'list', items: caveats } : p('None.'),
  ];
}

/** The whole report as blocks, in reading order. */
export function buildReport(r: Results, opts: ReportOptions = {}): Block[] {
  return [
    ...header(r),
    ...summary(r),
    ...(opts.criteria ? decision(r, opts.criteria) : []),
    ...claims(r),
    ...phases(r),
    ...warm(r),
    ...memory(r),
    ...footprint(r),
    ...capabilities(r),
    ...observability(r),
    ...warnings(r),
    ...methodology(r),
  ];
}
