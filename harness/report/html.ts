/**
 * The HTML report: ONE self-contained file — inline CSS and inline SVG charts,
 * no scripts, no fonts, no network, no URLs — with the same sections as the
 * markdown report plus its charts (cold start, phases, sizes, capabilities, the
 * container layers and, for a run that measured the plugin platform, warm latency,
 * density and burst), each with a heading, a <title>, axis labels with units, and
 * the numbers behind it in a <details> table.
 * Pure function of a Results object.
 */
import type { BurstResult, BurstStep, Results, TargetResult } from '../model.js';
import { CLAIM_LABELS, CLAIMED_RANGES } from './claims.js';
import {
  FLOOR_CLASSES,
  NESTED_PHASES,
  capabilityCells,
  capabilityKey,
  guestMark,
  cellRef,
  gzipBytesOf,
  held,
  keyOf,
  multiWorkload,
  okMs,
  okTargets,
  quantileSorted,
  workloadName,
  workloadOf,
  type TargetClass,
} from './data.js';
import { buildReport, layerRows, leadOf, stackedPhases, type Block, type ChartName, type ReportOptions } from './document.js';
import { bytes, exactBytes, grouped, ms, msRange, pct, sig3, siBytes, times } from './format.js';
import { burstRows, densityRows, failuresText, latency, projects, r2Text, rate, warmRows, type WarmRow } from './platform.js';
import { renderInline, renderTable, type Align, type Cell, type MarkupSyntax, type Table } from './table.js';

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function verdictClass(inner: string): string {
  if (/FAIL|does not hold|TRIPPED|Criteria not met|errored|MISMATCH|ALLOWED|UNCONTAINED|ERROR/.test(inner)) return ' class="bad"';
  if (/partly|not measured|skipped|Incomplete|incomplete/.test(inner)) return ' class="warn"';
  if (/PASS|holds|Criteria met|not tripped/.test(inner)) return ' class="ok"';
  return '';
}

/** HTML syntax for the shared table builder. */
export const htmlSyntax: MarkupSyntax = {
  // In cells, keep "5.90 ms" and "4.49–6.49" unbroken so a value wraps only before its CI.
  escape: (t, inTable) => esc(inTable ? t.replace(/(\d) (ms|s|B|KiB|MiB|GiB|kB|MB|GB)\b/g, '$1\u00a0$2').replace(/(\d)–(\d)/g, '$1\u2060–\u2060$2') : t),
  code: (t) => `<code>${esc(t)}</code>`,
  strong: (inner) => `<strong${verdictClass(inner)}>${inner}</strong>`,
  em: (inner) => `<em>${inner}</em>`,
  tableStart: () => ['<div class="table-wrap"><table>', '<thead>'],
  row(cells, align: readonly Align[], header) {
    const tag = header ? 'th' : 'td';
    let col = 0;
    const tds = cells.map((c) => {
      const a = align[col];
      col += c.span;
      return `<${tag}${c.span > 1 ? ` colspan="${c.span}"` : ''}${a === 'right' && c.span === 1 ? ' class="num"' : ''}>${c.html}</${tag}>`;
    });
    return `<tr>${tds.join('')}</tr>`;
  },
  divider: () => ['</thead>', '<tbody>'],
  tableEnd: () => ['</tbody>', '</table></div>'],
};

const table = (t: Table) => renderTable(t, htmlSyntax);

// ---- chart helpers ---------------------------------------------------------

const W = 960;
const FONT = 12;
/** The floors (a native binary, a script on its interpreter: no sandbox) share one colour. */
const CLASS_COLOR: Record<TargetClass, string> = { wasm: '#2f6db5', container: '#c8413b', native: '#4f8a5b', script: '#4f8a5b' };
/** Okabe–Ito then Paul Tol's colour-blind-safe colours, for phases by order of first appearance. */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#882255', '#999933', '#44aa99', '#aa4499', '#332288', '#117733', '#ddcc77', '#88ccee', '#661100'];

const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** Whether a #rrggbb colour is light enough for dark text on it (relative luminance > 0.4). */
function isLight(hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4;
}

function logScale(lo: number, hi: number, x0: number, x1: number) {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return (v: number) => x0 + ((Math.log10(Math.max(v, lo)) - a) / (b - a)) * (x1 - x0);
}

function linScale(hi: number, x0: number, x1: number) {
  return (v: number) => x0 + (v / hi) * (x1 - x0);
}

/** 1–2–5 tick step giving about `n` ticks over [0, hi]. */
function niceStep(hi: number, n = 6): number {
  const raw = hi / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

const msTick = (v: number) => (v >= 1000 ? `${v / 1000} s` : `${Number(v.toPrecision(3))} ms`);
/** A power-of-ten byte count as a tick label: `10 kB`, `1 MB`. */
function siTick(v: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${Number(v.toPrecision(3))} ${units[u]}`;
}

/** A row label that fits the left margin (about 7 px per character), ellipsised when longer. */
function rowLabel(x: number, y: number, s: string, max = 26): string {
  if (s.length <= max) return text(x, y, s, 'text-anchor="end" class="row-label"');
  return `<text x="${f1(x)}" y="${f1(y)}" text-anchor="end" class="row-label"><title>${esc(s)}</title>${esc(s.slice(0, max - 1))}…</text>`;
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${f1(x)}" y="${f1(y)}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`;
}

function svgOpen(id: string, height: number, title: string, desc: string): string {
  return (
    `<svg id="chart-${id}" class="chart chart-${id}" width="${W}" height="${Math.ceil(height)}" viewBox="0 0 ${W} ${Math.ceil(height)}" role="img" aria-labelledby="chart-${id}-title chart-${id}-desc" font-size="${FONT}">` +
    `<title id="chart-${id}-title">${esc(title)}</title><desc id="chart-${id}-desc">${esc(desc)}</desc>`
  );
}

/**
 * A log x axis spanning the values and both claimed ranges (whole decades), with the
 * claims drawn as shaded bands behind the plot and labelled above it.
 */
function claimFrame(
  values: number[],
  [wLo, wHi]: readonly [number, number],
  [cLo, cHi]: readonly [number, number],
  [wasmLabel, containerLabel]: [string, string],
  o: { left: number; right: number; top: number; plotH: number; labelDy: number; tick: (v: number) => string },
): { x: (v: number) => number; frame: string[] } {
  const lo = 10 ** Math.floor(Math.log10(Math.min(wLo, ...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(cHi, ...values)));
  const x = logScale(lo, hi, o.left, W - o.right);
  return {
    x,
    frame: [
      `<rect x="${f1(x(wLo))}" y="${o.top}" width="${f1(x(wHi) - x(wLo))}" height="${o.plotH}" class="band-wasm"/>`,
      `<rect x="${f1(x(cLo))}" y="${o.top}" width="${f1(x(cHi) - x(cLo))}" height="${o.plotH}" class="band-container"/>`,
      text(x(wLo), o.top - o.labelDy, wasmLabel, 'class="band-label"'),
      text(x(cHi), o.top - o.labelDy, containerLabel, 'class="band-label" text-anchor="end"'),
      logAxis(x, lo, hi, o.top + o.plotH, o.top, o.tick),
    ],
  };
}

function logAxis(scale: (v: number) => number, lo: number, hi: number, y: number, top: number, label: (v: number) => string): string {
  const parts: string[] = [];
  for (const d of decades(lo, hi)) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v < lo || v > hi) continue;
      const x = scale(v);
      parts.push(`<line x1="${f1(x)}" x2="${f1(x)}" y1="${f1(top)}" y2="${f1(y)}" class="${m === 1 ? 'grid-major' : 'grid-minor'}"/>`);
      if (m === 1) parts.push(text(x, y + 16, label(v), 'text-anchor="middle" class="tick"'));
    }
  }
  return parts.join('');
}

/**
 * Where each chart row goes. With several workloads the rows are grouped by workload,
 * each group opened by a header line naming it, so row labels stay `target/variant`
 * and still fit the margin; with one workload it is the plain grid.
 */
interface RowLayout {
  /** Top of each row. */
  ys: number[];
  heads: { y: number; text: string }[];
  /** Total height of rows and headers. */
  height: number;
}

const GROUP_H = 22;

function rowLayout(groups: readonly (string | null)[], top: number, rowH: number): RowLayout {
  const ys: number[] = [];
  const heads: { y: number; text: string }[] = [];
  let y = top;
  groups.forEach((g, i) => {
    if (g !== null && (i === 0 || groups[i - 1] !== g)) {
      heads.push({ y, text: g });
      y += GROUP_H;
    }
    ys.push(y);
    y += rowH;
  });
  return { ys, heads, height: Math.max(y - top, rowH) };
}

/** Group header lines across a chart. */
function groupHeads(l: RowLayout, left: number, right: number): string[] {
  return l.heads.flatMap((g) => [
    `<line x1="30" x2="${right}" y1="${f1(g.y)}" y2="${f1(g.y)}" class="group-sep"/>`,
    text(left, g.y + 15, g.text, 'class="group-label"'),
  ]);
}

/** The workload group of a row for {@link rowLayout}: its name and language, or null when the run has one workload. */
function groupOf(r: Results): (t: { workload?: string }) => string | null {
  if (!multiWorkload(r)) return () => null;
  return (t) => {
    const w = workloadOf(r, t);
    return w ? `workload ${w.name} (${w.language})` : `workload ${workloadName(r, t) ?? '?'}`;
  };
}

/** Rows ordered by workload (run order), stable within one: so each group is one block. */
function byWorkload<T extends { workload?: string }>(r: Results, rows: readonly T[]): T[] {
  const order = (t: T) => {
    const i = r.workloads.findIndex((w) => w.name === workloadName(r, t));
    return i < 0 ? r.workloads.length : i;
  };
  return rows.map((t, i) => ({ t, i })).sort((a, b) => order(a.t) - order(b.t) || a.i - b.i).map((x) => x.t);
}

function figure(id: ChartName, heading: string, svg: string, note: string, numbers: string): string {
  return [
    `<figure class="figure" id="figure-${id}">`,
    `<h3 class="chart-heading">${esc(heading)}</h3>`,
    svg,
    note ? `<p class="note">${esc(note)}</p>` : '',
    `<details><summary>Numbers behind this chart</summary>${numbers}</details>`,
    '</figure>',
  ]
    .filter(Boolean)
    .join('\n');
}

// ---- chart 1: cold-start distribution --------------------------------------

function coldStartChart(r: Results): string {
  const rows = byWorkload(r, r.targets);
  const group = groupOf(r);
  const multi = multiWorkload(r);
  const L = 230;
  const R = 30;
  const T = 58;
  const RH = 44;
  const layout = rowLayout(rows.map(group), T, RH);
  const plotH = layout.height;
  const H = T + plotH + 58;
  const all = rows.flatMap((t) => ('coldStart' in t && t.coldStart ? t.coldStart.samples.map((s) => s.ms) : [])).filter((x) => Number.isFinite(x) && x > 0);
  const yBottom = T + plotH;
  const parts: string[] = [svgOpen('coldstart', H, 'Cold start per sample, by target variant (ms, log scale)', 'Each dot is one cold-start sample; the box spans the quartiles with a line at the median; shaded bands are the claimed ranges of the common claims about Wasm.')];
  // Claim bands behind everything.
  const { x, frame } = claimFrame(all, CLAIMED_RANGES.wasmColdStartMs, CLAIMED_RANGES.containerColdStartMs, [CLAIM_LABELS.wasmColdStart, CLAIM_LABELS.containerColdStart], { left: L, right: R, top: T, plotH, labelDy: 6, tick: msTick });
  parts.push(...frame);
  // Legend.
  let lx = L;
  // The floor swatch names the floor classes this run has (all of them when it has none).
  const floors = FLOOR_CLASSES.filter((c) => rows.some((t) => t.class === c));
  const legend: [TargetClass, string][] = [
    ['wasm', 'Wasm runtime'],
    ['container', 'container'],
    [FLOOR_CLASSES[0], `${(floors.length ? floors : FLOOR_CLASSES).join(', ')} (no sandbox)`],
  ];
  for (const [c, label] of legend) {
    parts.push(`<circle cx="${lx + 5}" cy="16" r="5" fill="${CLASS_COLOR[c]}"/>`);
    parts.push(text(lx + 14, 20, label, 'class="legend"'));
    lx += 125;
  }
  parts.push(`<line x1="${L + 450}" x2="${L + 450}" y1="8" y2="24" class="median-line"/>`);
  parts.push(text(L + 458, 20, 'median', 'class="legend"'));
  parts.push(`<rect x="${L + 520}" y="10" width="22" height="12" class="box"/>`);
  parts.push(text(L + 548, 20, 'quartiles', 'class="legend"'));
  parts.push(text(L + 620, 20, '× failed sample', 'class="legend failed-text"'));
  parts.push(...groupHeads(layout, L, W - R));
  rows.forEach((t, i) => {
    const cy = layout.ys[i] + RH / 2;
    const key = keyOf(r, t);
    parts.push(rowLabel(L - 10, cy - 2, multi ? `${t.id}/${t.variant}` : key));
    if (i > 0 && layout.ys[i] - layout.ys[i - 1] === RH) parts.push(`<line x1="${L}" x2="${W - R}" y1="${layout.ys[i]}" y2="${layout.ys[i]}" class="row-sep"/>`);
    if (t.status === 'skipped') {
      parts.push(text(L - 10, cy + 12, 'skipped', 'text-anchor="end" class="row-sub"'));
      parts.push(text(L + 8, cy + 4, `skipped: ${t.reason}`, 'class="row-note"'));
      return;
    }
    const good = okMs(t).slice().sort((a, b) => a - b);
    const color = CLASS_COLOR[t.class];
    if (good.length) {
      const [q1, med, q3] = [0.25, 0.5, 0.75].map((q) => quantileSorted(good, q));
      parts.push(text(L - 10, cy + 12, `median ${ms(med)}`, 'text-anchor="end" class="row-sub"'));
      parts.push(`<line x1="${f1(x(good[0]))}" x2="${f1(x(good[good.length - 1]))}" y1="${cy}" y2="${cy}" class="whisker"/>`);
      parts.push(`<rect x="${f1(x(q1))}" y="${cy - 10}" width="${f1(Math.max(x(q3) - x(q1), 1))}" height="20" class="box"/>`);
      parts.push(`<line x1="${f1(x(med))}" x2="${f1(x(med))}" y1="${cy - 13}" y2="${cy + 13}" class="median-line"/>`);
    } else {
      parts.push(text(L + 8, cy + 4, `${t.status}: ${'reason' in t && t.reason ? t.reason : 'no successful samples'}`, 'class="row-note"'));
    }
    const samples = 'coldStart' in t && t.coldStart ? t.coldStart.samples : [];
    samples.forEach((s, j) => {
      if (!Number.isFinite(s.ms) || s.ms <= 0) return;
      // Deterministic jitter (golden-ratio sequence) so overlapping samples stay visible.
      const jy = cy + (((j * 0.6180339887) % 1) - 0.5) * 16;
      const label = `${key} round ${s.round}: ${ms(s.ms)}${s.ok ? '' : ` — failed: ${s.error ?? ''}`}`;
      if (s.ok) parts.push(`<circle cx="${f1(x(s.ms))}" cy="${f1(jy)}" r="3.2" fill="${color}" class="dot"><title>${esc(label)}</title></circle>`);
      else parts.push(`<path d="M${f1(x(s.ms) - 4)},${f1(jy - 4)}l8,8m0,-8l-8,8" class="failed"><title>${esc(label)}</title></path>`);
    });
  });
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${yBottom}" y2="${yBottom}" class="axis"/>`);
  parts.push(text((L + W - R) / 2, H - 10, 'cold start per sample (ms, log scale)', 'text-anchor="middle" class="axis-label"'));
  parts.push(text(16, T + plotH / 2, 'target / variant', `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${f1(T + plotH / 2)})"`));
  parts.push('</svg>');

  const lead = leadOf(r);
  const numbers = table({
    head: [...lead.head, 'ok', 'failed', 'min', 'q1', 'median', 'q3', 'max', 'samples in run order (ms)'],
    align: [...lead.align, 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    rows: rows.map((t): Cell[] => {
      const good = okMs(t).slice().sort((a, b) => a - b);
      const samples = 'coldStart' in t && t.coldStart ? t.coldStart.samples : [];
      if (!good.length) return [...lead.cells(t), { span: 8, text: t.status === 'ok' ? 'no successful samples' : `${t.status}: ${'reason' in t ? t.reason : ''}` }];
      const q = (p: number) => ms(quantileSorted(good, p));
      return [...lead.cells(t), String(good.length), String(samples.length - good.length), ms(good[0]), q(0.25), q(0.5), q(0.75), ms(good[good.length - 1]), samples.map((s) => `${sig3(s.ms)}${s.ok ? '' : '✗'}`).join(', ')];
    }),
  });
  return figure('coldstart', 'Cold-start distribution', parts.join('\n'), 'Log axis: every decade has the same width. Bands: the claimed ranges of the common claims about Wasm.', numbers);
}

// ---- chart 2: phases -------------------------------------------------------

function phasesChart(r: Results): string {
  const rows = byWorkload(r, okTargets(r).filter((t) => stackedPhases(t).length));
  const multi = multiWorkload(r);
  const names: string[] = [];
  for (const t of rows) for (const ph of stackedPhases(t)) if (!names.includes(ph.name)) names.push(ph.name);
  const color = (n: string) => (n === 'other' ? '#d9d9d9' : PALETTE[names.indexOf(n) % PALETTE.length]);
  const L = 230;
  const R = 90;
  const T = 20;
  const RH = 40;
  const layout = rowLayout(rows.map(groupOf(r)), T, RH);
  const plotH = layout.height;
  const legendItems = [...names, 'other'];
  const perLine = 6;
  const legendH = Math.ceil(legendItems.length / perLine) * 20;
  const H = T + plotH + 52 + legendH + 10;
  const totals = rows.map((t) => t.coldStart.stats!.median);
  const sums = rows.map((t) => stackedPhases(t).reduce((a, p) => a + p.ms, 0));
  const max = Math.max(1e-9, ...totals, ...sums);
  const step = niceStep(max);
  const hi = Math.ceil(max / step) * step;
  const x = linScale(hi, L, W - R);
  const yBottom = T + plotH;
  const parts: string[] = [svgOpen('phases', H, 'Cold-start phases per target variant (ms, medians, stacked)', 'Each bar stacks the phase medians of one target variant; grey is the cold-start median not attributed to a phase.')];
  for (let v = 0; v <= hi + step / 2; v += step) {
    parts.push(`<line x1="${f1(x(v))}" x2="${f1(x(v))}" y1="${T}" y2="${yBottom}" class="grid-major"/>`);
    parts.push(text(x(v), yBottom + 16, `${Number(v.toPrecision(6))}`, 'text-anchor="middle" class="tick"'));
  }
  parts.push(...groupHeads(layout, L, W - R));
  rows.forEach((t, i) => {
    const cy = layout.ys[i] + RH / 2;
    const key = keyOf(r, t);
    parts.push(rowLabel(L - 10, cy + 4, multi ? `${t.id}/${t.variant}` : key));
    let acc = 0;
    const segs = [...stackedPhases(t)];
    const other = totals[i] - sums[i];
    if (other > 0) segs.push({ name: 'other', ms: other });
    for (const s of segs) {
      const x0 = x(acc);
      const w = x(acc + s.ms) - x0;
      parts.push(`<rect x="${f1(x0)}" y="${cy - 12}" width="${f1(Math.max(w, 0.5))}" height="24" fill="${color(s.name)}" class="seg"><title>${esc(`${key} ${s.name}: ${ms(s.ms)} (${pct(s.ms / totals[i])} of the cold-start median)`)}</title></rect>`);
      if (w >= 44) parts.push(text(x0 + w / 2, cy + 4, sig3(s.ms), `text-anchor="middle" class="seg-label${isLight(color(s.name)) ? '' : ' on-dark'}"`));
      acc += s.ms;
    }
    parts.push(text(x(Math.max(acc, totals[i])) + 6, cy + 4, `${ms(totals[i])}`, 'class="row-sub"'));
  });
  if (!rows.length) parts.push(text(W / 2, T + RH / 2 + 4, 'no phase timings in this run', 'text-anchor="middle" class="row-note"'));
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${yBottom}" y2="${yBottom}" class="axis"/>`);
  parts.push(text((L + W - R) / 2, yBottom + 38, 'time (ms, medians; bar end = cold-start median)', 'text-anchor="middle" class="axis-label"'));
  parts.push(text(16, T + plotH / 2, 'target / variant', `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${f1(T + plotH / 2)})"`));
  legendItems.forEach((n, i) => {
    const lx = L + (i % perLine) * 110;
    const ly = yBottom + 56 + Math.floor(i / perLine) * 20;
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${color(n)}"/>`);
    parts.push(text(lx + 17, ly, n === 'other' ? 'other (unattributed)' : n, 'class="legend"'));
  });
  parts.push('</svg>');
  const nested = okTargets(r).flatMap((t) =>
    t.phases ? Object.entries(t.phases.medians).filter(([k]) => k in NESTED_PHASES).map(([k, v]) => `${k} on ${keyOf(r, t)} (${ms(v)}) runs inside ${NESTED_PHASES[k]} and is not stacked.`) : [],
  );
  const lead = leadOf(r);
  const numbers = table({
    head: [...lead.head, 'phase', 'median', 'share of cold start'],
    align: [...lead.align, 'left', 'right', 'right'],
    rows: okTargets(r).flatMap((t) => (t.phases ? Object.entries(t.phases.medians).map(([k, v]): Cell[] => [...lead.cells(t), k, ms(v), pct(v / t.coldStart.stats!.median)]) : [])),
  });
  return figure('phases', 'Where the cold start goes', parts.join('\n'), nested.join(' '), numbers);
}

// ---- chart 3: sizes --------------------------------------------------------

function sizesChart(r: Results): string {
  // An artifact belongs to the workload of the first target that runs it.
  const userOf = (id: string) => r.targets.find((t) => t.artifact?.id === id) as TargetResult;
  const used = byWorkload(
    r,
    r.artifacts.filter((a) => r.targets.some((t) => t.artifact?.id === a.id)).map((a) => ({ a, workload: workloadName(r, userOf(a.id)) })),
  );
  const L = 230;
  const R = 40;
  const T = 40;
  const RH = 34;
  const layout = rowLayout(used.map(groupOf(r)), T, RH);
  const plotH = layout.height;
  const H = T + plotH + 56;
  const vals = used.flatMap(({ a }) => [a.bytes, gzipBytesOf(r, a) ?? a.bytes]).filter((b) => b > 0);
  const yBottom = T + plotH;
  const parts: string[] = [svgOpen('sizes', H, 'Artifact size per artifact a target runs (bytes, log scale)', 'Bars are artifact sizes on a log axis; shaded bands are the claimed ranges of the common claims about Wasm.')];
  const { x, frame } = claimFrame(vals, CLAIMED_RANGES.wasmArtifactBytes, CLAIMED_RANGES.containerImageBytes, [CLAIM_LABELS.wasmArtifact, CLAIM_LABELS.containerImage], { left: L, right: R, top: T, plotH, labelDy: 8, tick: siTick });
  parts.push(...frame);
  parts.push(...groupHeads(layout, L, W - R));
  used.forEach(({ a, workload }, i) => {
    const cy = layout.ys[i] + RH / 2;
    const color = CLASS_COLOR[userOf(a.id).class];
    // `<workload>/<role>`: the role is the label, the workload is in the group header (or the title, with one workload).
    const role = workload && a.id.startsWith(`${workload}/`) ? a.id.slice(workload.length + 1) : a.id;
    parts.push(rowLabel(L - 10, cy + 4, `${role} (${a.kind})`));
    const gz = gzipBytesOf(r, a);
    parts.push(`<rect x="${L}" y="${cy - 10}" width="${f1(Math.max(x(a.bytes) - L, 1))}" height="20" fill="${color}" class="bar"><title>${esc(`${a.id}: ${exactBytes(a.bytes)} (${bytes(a.bytes)})`)}</title></rect>`);
    if (gz !== null) parts.push(`<rect x="${L}" y="${cy - 4}" width="${f1(Math.max(x(gz) - L, 1))}" height="8" class="bar-gzip"><title>${esc(`${a.id} gzip: ${exactBytes(gz)}`)}</title></rect>`);
    parts.push(text(x(a.bytes) + 6, cy + 4, `${siBytes(a.bytes)} (${grouped(a.bytes)} B)${gz !== null ? `, gzip ${siBytes(gz)}` : ''}`, 'class="row-sub"'));
  });
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${yBottom}" y2="${yBottom}" class="axis"/>`);
  parts.push(text((L + W - R) / 2, H - 10, 'artifact size (bytes, log scale; kB = 1000 B, MB = 10⁶ B)', 'text-anchor="middle" class="axis-label"'));
  parts.push(text(16, T + plotH / 2, 'artifact', `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${f1(T + plotH / 2)})"`));
  parts.push('</svg>');
  const numbers = table({
    head: ['artifact', 'kind', 'bytes', 'size', 'gzip', 'run by'],
    align: ['left', 'left', 'right', 'right', 'right', 'left'],
    rows: r.artifacts.map((a) => {
      const gz = gzipBytesOf(r, a);
      return [a.id, a.kind, grouped(a.bytes), bytes(a.bytes), gz === null ? '–' : bytes(gz), r.targets.filter((t) => t.artifact?.id === a.id).map((t) => keyOf(r, t)).join(', ') || '– (harness tool)'];
    }),
  });
  return figure('sizes', 'Artifact sizes', parts.join('\n'), 'The artifact each target loads; the runtimes themselves are not included (see "Runtime footprint on a node").', numbers);
}

// ---- chart 5: container layers ---------------------------------------------

function layersChart(r: Results): string {
  const rows = r.workloads.flatMap((w) => {
    const xs = layerRows(r, w.name);
    return xs.length > 1 ? xs.map((x) => ({ ...x, workload: w.name })) : [];
  });
  if (!rows.length) return '';
  const L = 230;
  const R = 120;
  const T = 20;
  const RH = 34;
  const layout = rowLayout(rows.map((x) => groupOf(r)({ workload: x.workload })), T, RH);
  const H = T + layout.height + 46;
  const max = Math.max(1e-9, ...rows.map((x) => x.row.coldStart.stats!.ci95[1]));
  const step = niceStep(max);
  const hi = Math.ceil(max / step) * step;
  const x = linScale(hi, L, W - R);
  const yBottom = T + layout.height;
  const parts: string[] = [svgOpen('layers', H, 'Container cold start by layer (ms, medians with 95% CI)', 'Each bar is one layer of the container stack in its default configuration, from the top (dockerd) down to the bare process.')];
  for (let v = 0; v <= hi + step / 2; v += step) {
    parts.push(`<line x1="${f1(x(v))}" x2="${f1(x(v))}" y1="${T}" y2="${yBottom}" class="grid-major"/>`);
    parts.push(text(x(v), yBottom + 16, `${Number(v.toPrecision(6))}`, 'text-anchor="middle" class="tick"'));
  }
  parts.push(...groupHeads(layout, L, W - R));
  rows.forEach(({ row, layer }, i) => {
    const cy = layout.ys[i] + RH / 2;
    const st = row.coldStart.stats!;
    parts.push(rowLabel(L - 10, cy + 4, `${row.id}/${row.variant}`));
    parts.push(`<rect x="${L}" y="${cy - 10}" width="${f1(Math.max(x(st.median) - L, 1))}" height="20" fill="${CLASS_COLOR[row.class]}" class="bar"><title>${esc(`${keyOf(r, row)} (${layer}): median ${ms(st.median)}, 95% CI ${msRange(st.ci95)}`)}</title></rect>`);
    parts.push(`<line x1="${f1(x(st.ci95[0]))}" x2="${f1(x(st.ci95[1]))}" y1="${cy}" y2="${cy}" class="whisker"/>`);
    parts.push(text(x(st.ci95[1]) + 6, cy + 4, `${ms(st.median)} ms — ${layer}`, 'class="row-sub"'));
  });
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${yBottom}" y2="${yBottom}" class="axis"/>`);
  parts.push(text((L + W - R) / 2, H - 10, 'cold start (ms, median; whisker: 95% CI)', 'text-anchor="middle" class="axis-label"'));
  parts.push('</svg>');
  const lead = leadOf(r);
  const numbers = table({
    head: [...lead.head, 'layer', 'median ms', '95% CI'],
    align: [...lead.align, 'left', 'right', 'right'],
    rows: rows.map(({ row, layer }): Cell[] => [...lead.cells(row), layer, ms(row.coldStart.stats!.median), msRange(row.coldStart.stats!.ci95)]),
  });
  return figure('layers', 'Container cold start by layer', parts.join('\n'), '', numbers);
}

// ---- chart 4: capabilities -------------------------------------------------

function capabilitiesChart(r: Results): string {
  const cells = capabilityCells(r);
  if (!cells.length) {
    const H = 150;
    const svg = [
      svgOpen('capabilities', H, 'Capability probes per target variant: not measured in this run', 'Empty state: this run has no capability probe results.'),
      `<rect x="230" y="20" width="${W - 270}" height="80" class="empty"/>`,
      text(230 + (W - 270) / 2, 56, 'not measured in this run', 'text-anchor="middle" class="empty-text"'),
      text(230 + (W - 270) / 2, 78, 'no capability probes in results.json: what each sandbox denies is untested here', 'text-anchor="middle" class="row-note"'),
      text(230 + (W - 270) / 2, H - 12, 'capability probe', 'text-anchor="middle" class="axis-label"'),
      text(16, 60, 'target / variant', 'text-anchor="middle" class="axis-label" transform="rotate(-90 16 60)"'),
      '</svg>',
    ].join('\n');
    return figure('capabilities', 'Capability matrix', svg, '', '<p>Not measured in this run.</p>');
  }
  const probes = [...new Set(cells.map((c) => c.probe))];
  const keyOfCell = (c: (typeof cells)[number]) => capabilityKey(r, c);
  const multi = multiWorkload(r);
  const rowsOf = byWorkload(r, [...new Map(cells.map((c) => [keyOfCell(c), c])).values()]);
  const keys = rowsOf.map(keyOfCell);
  const L = 230;
  const T = 50;
  const CW = Math.min(140, Math.floor((W - L - 20) / probes.length));
  const RH = 30;
  const layout = rowLayout(rowsOf.map(groupOf(r)), T, RH);
  const plotH = layout.height;
  const H = T + plotH + 40;
  const parts = [svgOpen('capabilities', H, 'Capability probes per target variant (denied / allowed)', 'Green: the sandbox held (denied, absent or contained); red: it did not (allowed, uncontained); amber: error; grey: not tried.')];
  probes.forEach((pr, j) => parts.push(text(L + j * CW + CW / 2, T - 10, pr, 'text-anchor="middle" class="tick"')));
  parts.push(...groupHeads(layout, L, L + probes.length * CW));
  keys.forEach((k, i) => {
    const y = layout.ys[i];
    parts.push(rowLabel(L - 10, y + RH / 2 + 4, multi ? `${rowsOf[i].target}/${rowsOf[i].variant}${guestMark(rowsOf[i])}` : k));
    probes.forEach((pr, j) => {
      const c = cells.find((x) => keyOfCell(x) === k && x.probe === pr);
      const cls = !c ? 'cap-none' : held(c.outcome) ? 'cap-denied' : c.outcome === 'error' ? 'cap-other' : 'cap-allowed';
      parts.push(`<rect x="${L + j * CW + 1}" y="${y + 1}" width="${CW - 2}" height="${RH - 2}" class="${cls}"><title>${esc(`${k} ${pr}: ${c ? c.outcome : 'not tried'}`)}</title></rect>`);
      parts.push(text(L + j * CW + CW / 2, y + RH / 2 + 4, c ? c.outcome : '–', 'text-anchor="middle" class="cap-text"'));
    });
  });
  parts.push(text(L + (probes.length * CW) / 2, H - 10, 'capability probe (outcome)', 'text-anchor="middle" class="axis-label"'));
  parts.push(text(16, T + plotH / 2, 'target / variant', `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${f1(T + plotH / 2)})"`));
  parts.push('</svg>');
  const numbers = table({
    head: ['target/variant', ...probes],
    rows: keys.map((k) => [k, ...probes.map((pr) => cells.find((x) => keyOfCell(x) === k && x.probe === pr)?.outcome ?? '–')]),
  });
  return figure('capabilities', 'Capability matrix', parts.join('\n'), '', numbers);
}

// ---- plugin platform: warm split, density, burst ---------------------------

/** A latency tick: `0`, `20 µs`, `1.5 ms`, `2 s`. */
const latTick = (v: number) => (v === 0 ? '0' : v < 1 ? `${Number((v * 1000).toPrecision(3))} µs` : msTick(v));

/** The plugin-platform chart of a step the run has no rows of: an empty panel saying so. */
function emptyChart(id: ChartName, heading: string, title: string, what: string, xLabel: string): string {
  const H = 130;
  const svg = [
    svgOpen(id, H, `${title}: not measured in this run`, `Empty state: this run has no ${what} rows.`),
    `<rect x="230" y="14" width="${W - 270}" height="70" class="empty"/>`,
    text(230 + (W - 270) / 2, 54, `no ${what} figures in this run`, 'text-anchor="middle" class="empty-text"'),
    text(230 + (W - 270) / 2, H - 12, xLabel, 'text-anchor="middle" class="axis-label"'),
    text(16, 50, 'target / variant', 'text-anchor="middle" class="axis-label" transform="rotate(-90 16 50)"'),
    '</svg>',
  ].join('\n');
  return figure(id, heading, svg, '', '<p>Not measured in this run.</p>');
}

const WARM_SEG = { instantiate: PALETTE[0], run: PALETTE[1], other: '#d9d9d9', whole: '#8e99a6' } as const;

function warmChart(r: Results): string {
  const rows = warmRows(r);
  const heading = 'Per-request latency: instantiate and run';
  const xLabel = `per-request latency (medians; ${multiWorkload(r) ? 'each workload on its own linear axis' : 'linear axis'})`;
  if (!rows.length) return emptyChart('warm', heading, 'Warm per-request latency per variant', 'warm-loop', xLabel);
  const multi = multiWorkload(r);
  const group = groupOf(r);
  const L = 230;
  const R = 190;
  const T = 40;
  const RH = 34;
  const AXIS = 30;
  const parts: string[] = [];
  // One panel per workload, each with its own axis: a 30 µs request and a 30 ms one do not share a scale.
  const panels: WarmRow[][] = [];
  for (const x of rows) {
    const last = panels[panels.length - 1];
    if (last && workloadName(r, last[0].row) === workloadName(r, x.row)) last.push(x);
    else panels.push([x]);
  }
  let y = T;
  for (const panel of panels) {
    const g = group(panel[0].row);
    if (g !== null) {
      parts.push(`<line x1="30" x2="${W - R}" y1="${f1(y)}" y2="${f1(y)}" class="group-sep"/>`, text(L, y + 15, g, 'class="group-label"'));
      y += GROUP_H;
    }
    const top = y;
    const ends = panel.map(({ warm }) => Math.max(warm.stats.median, (warm.instantiateMedianMs ?? 0) + (warm.runMedianMs ?? 0)));
    const max = Math.max(1e-9, ...ends);
    const step = niceStep(max);
    const hi = Math.ceil(max / step) * step;
    const x = linScale(hi, L, W - R);
    const bottom = top + panel.length * RH;
    for (let v = 0; v <= hi + step / 2; v += step) {
      parts.push(`<line x1="${f1(x(v))}" x2="${f1(x(v))}" y1="${f1(top)}" y2="${f1(bottom)}" class="grid-major"/>`);
      parts.push(text(x(v), bottom + 16, latTick(Number(v.toPrecision(6))), 'text-anchor="middle" class="tick"'));
    }
    panel.forEach(({ row, warm, def, ratio }, i) => {
      const cy = top + i * RH + RH / 2;
      const key = keyOf(r, row);
      parts.push(rowLabel(L - 10, cy + 4, multi ? `${row.id}/${row.variant}` : key));
      const med = warm.stats.median;
      const segs: { name: keyof typeof WARM_SEG; ms: number }[] = [];
      if (warm.instantiateMedianMs !== undefined) segs.push({ name: 'instantiate', ms: warm.instantiateMedianMs });
      if (warm.runMedianMs !== undefined) segs.push({ name: 'run', ms: warm.runMedianMs });
      const split = segs.reduce((a, s) => a + s.ms, 0);
      if (segs.length && med > split) segs.push({ name: 'other', ms: med - split });
      if (!segs.length) {
        parts.push(`<rect x="${L}" y="${cy - 10}" width="${f1(Math.max(x(med) - L, 1))}" height="20" fill="${WARM_SEG.whole}" class="bar"><title>${esc(`${key}: median ${latency(med)} (${warm.mode}; not split)`)}</title></rect>`);
      } else {
        let acc = 0;
        for (const s of segs) {
          const x0 = x(acc);
          const w = x(acc + s.ms) - x0;
          const what = s.name === 'other' ? 'not in instantiate or run' : `${s.name} median`;
          parts.push(`<rect x="${f1(x0)}" y="${cy - 10}" width="${f1(Math.max(w, 0.5))}" height="20" fill="${WARM_SEG[s.name]}" class="seg"><title>${esc(`${key} ${what}: ${latency(s.ms)}`)}</title></rect>`);
          acc += s.ms;
        }
      }
      parts.push(`<line x1="${f1(x(med))}" x2="${f1(x(med))}" y1="${f1(cy - 13)}" y2="${f1(cy + 13)}" class="median-line"/>`);
      const vsDef = def && def.row !== row && ratio !== null ? ` · ${sig3(ratio)}× ${def.row.variant}` : def && def.row === row ? ' · default' : '';
      parts.push(text(W - R + 8, cy + 4, `${latency(med)}${vsDef}`, 'class="row-sub"'));
    });
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${f1(bottom)}" y2="${f1(bottom)}" class="axis"/>`);
    y = bottom + AXIS;
  }
  const H = y + 34;
  const legend: [string, string][] = [
    [WARM_SEG.instantiate, 'instantiate (median)'],
    [WARM_SEG.run, 'run (median)'],
    [WARM_SEG.other, 'rest of the median'],
    [WARM_SEG.whole, 'median, not split'],
  ];
  const head = [svgOpen('warm', H, 'Warm per-request latency per variant, instantiate and run stacked (medians)', 'Each bar is one variant\'s per-request median on a fresh instance, split into its instantiate and run medians where the host times them apart; the black line is the median; the text gives it and its ratio to the target\'s default variant.')];
  legend.forEach(([c, label], i) => {
    head.push(`<rect x="${L + i * 140}" y="10" width="12" height="12" fill="${c}"/>`, text(L + i * 140 + 17, 20, label, 'class="legend"'));
  });
  head.push(`<line x1="${L + 4 * 140 + 10}" x2="${L + 4 * 140 + 10}" y1="8" y2="24" class="median-line"/>`, text(L + 4 * 140 + 18, 20, 'median', 'class="legend"'));
  parts.push(text((L + W - R) / 2, H - 10, xLabel, 'text-anchor="middle" class="axis-label"'));
  parts.push(text(16, (T + y) / 2, 'target / variant', `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${f1((T + y) / 2)})"`));
  parts.push('</svg>');
  const lead = leadOf(r);
  const opt = (v: number | undefined) => (v === undefined ? '–' : `${sig3(v)}`);
  const numbers = table({
    head: [...lead.head, 'mode', 'n', 'median ms', 'p95 ms', 'instantiate median ms', 'run median ms', 'default variant', '× default'],
    align: [...lead.align, 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'right'],
    rows: rows.map(({ row, warm, def, ratio }): Cell[] => [...lead.cells(row), warm.mode, String(warm.stats.n), sig3(warm.stats.median), sig3(warm.stats.p95), opt(warm.instantiateMedianMs), opt(warm.runMedianMs), def ? def.row.variant : '–', ratio === null ? '–' : times(ratio)]),
  });
  return figure('warm', heading, [...head, ...parts].join('\n'), 'Instantiate: a fresh store, WASI context and instance; run: the guest\'s entry point. Medians of the parts need not add up to the median of the whole.', numbers);
}

function densityChart(r: Results): string {
  const heading = 'Density: instances per GiB';
  const xLabelOf = (log: boolean) => `instances per GiB (1 GiB ÷ PSS per instance${log ? ', log scale' : ''})`;
  const rows = densityRows(r);
  if (!rows || !rows.length) return emptyChart('density', heading, 'Instances per GiB per variant', 'density', xLabelOf(false));
  const multi = multiWorkload(r);
  const L = 230;
  const R = 40;
  const T = 20;
  const RH = 34;
  const layout = rowLayout(rows.map(groupOf(r)), T, RH);
  const plotH = layout.height;
  const H = T + plotH + 56;
  const yBottom = T + plotH;
  const vals = rows.flatMap((d) => (d.status === 'ok' && projects(d) ? [d.perGiB] : []));
  const log = vals.length > 0 && Math.max(...vals) / Math.min(...vals) > 20;
  const parts: string[] = [svgOpen('density', H, `Live, isolated instances per GiB, per variant (${log ? 'log' : 'linear'} scale)`, 'Each bar is 1 GiB divided by the PSS each more parked instance costs (the slope of the fit); a row that could not park instances says why.')];
  let x: (v: number) => number;
  if (log) {
    const lo = 10 ** Math.floor(Math.log10(Math.min(...vals)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...vals)));
    x = logScale(lo, hi, L, W - R);
    parts.push(logAxis(x, lo, hi, yBottom, T, (v) => grouped(v)));
  } else {
    const max = Math.max(1, ...vals);
    const step = niceStep(max);
    const hi = Math.ceil(max / step) * step;
    x = linScale(hi, L, W - R);
    for (let v = 0; v <= hi + step / 2; v += step) {
      parts.push(`<line x1="${f1(x(v))}" x2="${f1(x(v))}" y1="${T}" y2="${yBottom}" class="grid-major"/>`);
      parts.push(text(x(v), yBottom + 16, grouped(Number(v.toPrecision(6))), 'text-anchor="middle" class="tick"'));
    }
  }
  parts.push(...groupHeads(layout, L, W - R));
  rows.forEach((d, i) => {
    const cy = layout.ys[i] + RH / 2;
    const key = keyOf(r, d);
    parts.push(rowLabel(L - 10, cy + 4, multi ? `${d.id}/${d.variant}` : key));
    if (d.status !== 'ok' || !projects(d)) {
      const why = d.status === 'ok' ? `no growth per instance measured (slope ${bytes(d.fit.bytesPerInstance)})` : `${d.status}: ${d.reason}`;
      parts.push(text(L + 8, cy + 4, why, 'class="row-note"'));
      return;
    }
    const end = x(d.perGiB);
    parts.push(`<rect x="${L}" y="${cy - 10}" width="${f1(Math.max(end - L, 1))}" height="20" fill="${CLASS_COLOR[d.class]}" class="bar"><title>${esc(`${key}: ${grouped(Math.floor(d.perGiB))} per GiB, ${bytes(d.fit.bytesPerInstance)} per instance (r² ${r2Text(d.fit.r2)}, ${d.fit.points} points)`)}</title></rect>`);
    const label = `${grouped(Math.floor(d.perGiB))} per GiB (${bytes(d.fit.bytesPerInstance)} each)`;
    // Inside the bar's end when there is no room after it.
    parts.push(end + 8 + label.length * 6.2 > W ? text(end - 6, cy + 4, label, 'text-anchor="end" class="seg-label on-dark"') : text(end + 6, cy + 4, label, 'class="row-sub"'));
  });
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${yBottom}" y2="${yBottom}" class="axis"/>`);
  parts.push(text((L + W - R) / 2, H - 10, xLabelOf(log), 'text-anchor="middle" class="axis-label"'));
  parts.push(text(16, T + plotH / 2, 'target / variant', `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${f1(T + plotH / 2)})"`));
  parts.push('</svg>');
  const lead = leadOf(r);
  const numbers = table({
    head: [...lead.head, 'status', 'N', 'PSS (bytes)', 'ready (ms)', 'fit'],
    align: [...lead.align, 'left', 'right', 'right', 'right', 'left'],
    rows: rows.flatMap((d): Cell[][] => {
      const fit =
        d.status === 'ok'
          ? `${grouped(d.fit.bytesPerInstance)} B per instance, intercept ${grouped(d.fit.interceptBytes)} B, r² ${r2Text(d.fit.r2)}, ${d.fit.points} points; ${projects(d) ? `${grouped(Math.floor(d.perGiB))} per GiB` : 'no projection'}`
          : `${d.status}: ${d.reason}`;
      if (!d.steps.length) return [[...lead.cells(d), d.status, '–', '–', '–', fit]];
      return d.steps.map((s, j): Cell[] => [...lead.cells(d), d.status, grouped(s.instances), grouped(s.pssBytes), sig3(s.readyMs), j === 0 ? fit : '']);
    }),
  });
  return figure('density', heading, parts.join('\n'), log ? 'Log axis: the densest and the least dense variants differ by more than 20×.' : '', numbers);
}

function burstChart(r: Results): string {
  const heading = 'Burst: latency against K';
  const xLabel = 'latency from the burst\'s start (ms, log scale)';
  const bursts = burstRows(r);
  if (!bursts || !bursts.length) return emptyChart('burst', heading, 'Burst latency per variant and K', 'burst', xLabel);
  const multi = multiWorkload(r);
  // One chart row per burst with a correct answer; a variant with none keeps one row saying why.
  type Row = { b: BurstResult; s: BurstStep | null; first: boolean };
  const rows: Row[] = bursts.flatMap((b): Row[] => {
    const steps = b.steps.filter((s) => s.p50Ms !== null);
    return steps.length ? steps.map((s, j) => ({ b, s, first: j === 0 })) : [{ b, s: null, first: true }];
  });
  const L = 230;
  const R = 200;
  const T = 40;
  const RH = 36;
  const layout = rowLayout(rows.map((x) => groupOf(r)(x.b)), T, RH);
  const plotH = layout.height;
  const H = T + plotH + 56;
  const yBottom = T + plotH;
  const all = rows.flatMap((x) => (x.s ? [...x.s.latenciesMs, x.s.maxMs ?? 0] : [])).filter((v) => Number.isFinite(v) && v > 0);
  const lo = all.length ? 10 ** Math.floor(Math.log10(Math.min(...all))) : 1;
  const hi = all.length ? 10 ** Math.ceil(Math.log10(Math.max(...all))) : 10;
  const x = logScale(lo, hi === lo ? lo * 10 : hi, L, W - R);
  const parts: string[] = [svgOpen('burst', H, 'Burst latency per variant and K: p50, p99 and max (ms, log scale)', 'Each row is one burst of K simultaneous cold starts of one variant: a dot per correct answer, the shaded range from p50 to max, a black line at p50 and a red one at p99.')];
  parts.push(logAxis(x, lo, hi === lo ? lo * 10 : hi, yBottom, T, msTick));
  parts.push(`<rect x="${L}" y="10" width="22" height="12" class="burst-range"/>`, text(L + 28, 20, 'p50 to max', 'class="legend"'));
  parts.push(`<line x1="${L + 110}" x2="${L + 110}" y1="8" y2="24" class="median-line"/>`, text(L + 118, 20, 'p50', 'class="legend"'));
  parts.push(`<line x1="${L + 160}" x2="${L + 160}" y1="8" y2="24" class="p99-line"/>`, text(L + 168, 20, 'p99', 'class="legend"'));
  parts.push(`<circle cx="${L + 215}" cy="16" r="3" fill="#5b6573"/>`, text(L + 224, 20, 'one correct answer', 'class="legend"'));
  parts.push(...groupHeads(layout, L, W - R));
  rows.forEach(({ b, s, first }, i) => {
    const cy = layout.ys[i] + RH / 2;
    const key = keyOf(r, b);
    if (first && i > 0 && layout.ys[i] - layout.ys[i - 1] === RH) parts.push(`<line x1="30" x2="${W - R}" y1="${layout.ys[i]}" y2="${layout.ys[i]}" class="row-sep"/>`);
    parts.push(rowLabel(L - 10, cy - 2, multi ? `${b.id}/${b.variant}` : key));
    if (!s) {
      const why = b.status === 'ok' ? (b.steps.length ? `no correct answer in ${b.steps.length} burst${b.steps.length === 1 ? '' : 's'}` : 'no burst recorded') : `${b.status}: ${b.reason}`;
      parts.push(text(L - 10, cy + 12, b.status, 'text-anchor="end" class="row-sub"'));
      parts.push(text(L + 8, cy + 4, why, 'class="row-note"'));
      return;
    }
    parts.push(text(L - 10, cy + 12, `K = ${s.k}${s.failures.length ? ` · ${s.failures.length} failed` : ''}`, 'text-anchor="end" class="row-sub"'));
    const color = CLASS_COLOR[b.class];
    const [p50, p99, mx] = [s.p50Ms!, s.p99Ms ?? s.p50Ms!, s.maxMs ?? s.p50Ms!];
    parts.push(`<rect x="${f1(x(p50))}" y="${f1(cy - 9)}" width="${f1(Math.max(x(mx) - x(p50), 1))}" height="18" class="burst-range"><title>${esc(`${key} K=${s.k}: p50 ${latency(p50)}, p99 ${latency(p99)}, max ${latency(mx)}`)}</title></rect>`);
    s.latenciesMs.forEach((v, j) => {
      if (!Number.isFinite(v) || v <= 0) return;
      const jy = cy + (((j * 0.6180339887) % 1) - 0.5) * 12;
      parts.push(`<circle cx="${f1(x(v))}" cy="${f1(jy)}" r="2.4" fill="${color}" class="dot"><title>${esc(`${key} K=${s.k} request ${j + 1}: ${latency(v)}`)}</title></circle>`);
    });
    parts.push(`<line x1="${f1(x(p50))}" x2="${f1(x(p50))}" y1="${f1(cy - 12)}" y2="${f1(cy + 12)}" class="median-line"/>`);
    parts.push(`<line x1="${f1(x(p99))}" x2="${f1(x(p99))}" y1="${f1(cy - 12)}" y2="${f1(cy + 12)}" class="p99-line"/>`);
    parts.push(text(W - R + 8, cy - 2, `p99 ${latency(p99)}, max ${latency(mx)}`, 'class="row-sub"'));
    parts.push(text(W - R + 8, cy + 12, `${rate(s.startsPerSec)} starts/s, wall ${latency(s.wallMs)}`, 'class="row-sub"'));
  });
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${yBottom}" y2="${yBottom}" class="axis"/>`);
  parts.push(text((L + W - R) / 2, H - 10, xLabel, 'text-anchor="middle" class="axis-label"'));
  parts.push(text(16, T + plotH / 2, 'target / variant, K', `text-anchor="middle" class="axis-label" transform="rotate(-90 16 ${f1(T + plotH / 2)})"`));
  parts.push('</svg>');
  const lead = leadOf(r);
  const opt = (v: number | null) => (v === null ? '–' : sig3(v));
  const numbers = table({
    head: [...lead.head, 'status', 'K', 'p50 ms', 'p99 ms', 'max ms', 'wall ms', 'starts/s', 'failures', 'latencies in launch order (ms)'],
    align: [...lead.align, 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    rows: bursts.flatMap((b): Cell[][] => {
      const note = b.status === 'ok' ? 'ok' : `${b.status}: ${b.reason}`;
      if (!b.steps.length) return [[...lead.cells(b), note, { span: 8, text: 'no burst recorded' }]];
      return b.steps.map((s): Cell[] => [...lead.cells(b), note, grouped(s.k), opt(s.p50Ms), opt(s.p99Ms), opt(s.maxMs), sig3(s.wallMs), rate(s.startsPerSec), failuresText(s), s.latenciesMs.map(sig3).join(', ') || '–']);
    }),
  });
  return figure('burst', heading, parts.join('\n'), 'Log axis. Percentiles are nearest-rank over the correct answers; a failed request has no dot and is counted in the row\'s failures.', numbers);
}

// ---- page ------------------------------------------------------------------

const CSS = `
:root{--fg:#1d232b;--muted:#5b6573;--line:#d4d9e0;--bg:#fff;--ok:#1e7b34;--bad:#b3261e;--warn:#8a5a00}
*{box-sizing:border-box}
body{margin:0;background:#f4f6f8;color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Helvetica,Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 60px;background:var(--bg)}
h1{font-size:24px;margin:8px 0 12px}h2{font-size:19px;margin:36px 0 10px;padding-top:10px;border-top:2px solid var(--line)}h3{font-size:15px;margin:20px 0 8px}
code{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;background:#eef1f4;padding:1px 4px;border-radius:3px;word-break:break-all}
.table-wrap{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;font-size:12.5px}
th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}
th{background:#eef1f4;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.notice{border-left:5px solid var(--bad);background:#fdecea;padding:10px 14px;margin:12px 0}
strong.ok{color:var(--ok)}strong.bad{color:var(--bad)}strong.warn{color:var(--warn)}
ul{padding-left:22px}li{margin:3px 0}
.figure{margin:18px 0 24px;padding:12px 14px;border:1px solid var(--line);border-radius:6px;background:#fbfcfd}
.chart-heading{margin:2px 0 8px}
svg.chart{display:block;width:100%;max-width:1100px;height:auto;background:#fff}
svg text{fill:var(--fg);font-family:inherit}
.tick{fill:var(--muted);font-size:11px}.axis-label{font-size:12px;font-weight:600}
.row-label{font-size:12px;font-weight:600}.group-label{font-size:12px;font-weight:700;fill:var(--muted)}.group-sep{stroke:#b8c0ca;stroke-width:1}.row-sub{fill:var(--muted);font-size:11px}.row-note{fill:var(--muted);font-style:italic}
.legend{font-size:11px}.failed-text{fill:var(--bad)}
.grid-major{stroke:#c9d0d8;stroke-width:1}.grid-minor{stroke:#eceff3;stroke-width:1}.axis{stroke:#5b6573;stroke-width:1}.row-sep{stroke:#eef1f4}
.band-wasm{fill:#2f6db5;fill-opacity:.08}.band-container{fill:#c8413b;fill-opacity:.08}.band-label{fill:var(--muted);font-size:11px}
.box{fill:#fff;fill-opacity:.55;stroke:#1d232b;stroke-width:1.2}.median-line{stroke:#1d232b;stroke-width:2.5}.whisker{stroke:#1d232b;stroke-width:1}
.dot{fill-opacity:.75;stroke:#fff;stroke-width:.6}.failed{stroke:var(--bad);stroke-width:2}
.seg{stroke:#fff;stroke-width:1}.seg-label{font-size:11px}.seg-label.on-dark{fill:#fff}
.bar-gzip{fill:#1d232b;fill-opacity:.45}
.empty{fill:#f4f6f8;stroke:#b8c0ca;stroke-dasharray:6 4}.empty-text{font-size:16px;font-weight:600;fill:var(--muted)}
.cap-denied{fill:#cfe8d5}.cap-allowed{fill:#f6c9c5}.cap-other{fill:#fbe3b0}.cap-none{fill:#eef1f4}.cap-text{font-size:11px}
.burst-range{fill:#5b6573;fill-opacity:.16;stroke:#5b6573;stroke-width:.8}.p99-line{stroke:#b3261e;stroke-width:2.5}
.note{color:var(--muted);font-size:12px;margin:6px 0}
details{margin-top:8px}summary{cursor:pointer;color:var(--muted)}
`;

function slugger() {
  const seen = new Map<string, number>();
  return (t: string) => {
    const base = t.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'section';
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}-${n + 1}` : base;
  };
}

/**
 * Renders the self-contained HTML report: the markdown report's sections plus
 * the charts `chart-coldstart` (strip plot and box per variant, log axis),
 * `chart-phases` (stacked phase bars), `chart-sizes` (artifact sizes, log
 * axis), `chart-capabilities` (probe heatmap, or an empty state), `chart-layers`
 * (container cold start by layer, when several were measured), and for a run that
 * measured the plugin platform `chart-warm` (per-request latency, instantiate and run
 * stacked), `chart-density` (instances per GiB) and `chart-burst` (p50, p99 and max
 * per variant and K). No
 * scripts, external resources or URLs. Deterministic.
 */
export function renderHtml(r: Results, opts: ReportOptions = {}): string {
  const slug = slugger();
  const charts: Record<ChartName, () => string> = {
    coldstart: () => coldStartChart(r),
    phases: () => phasesChart(r),
    sizes: () => sizesChart(r),
    capabilities: () => capabilitiesChart(r),
    layers: () => layersChart(r),
    warm: () => warmChart(r),
    density: () => densityChart(r),
    burst: () => burstChart(r),
  };
  const blocks = buildReport(r, opts);
  const title = blocks.find((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading')?.text ?? `run ${r.runId}`;
  const body = blocks.map((b) => {
    switch (b.kind) {
      case 'heading':
        return `<h${b.level} id="${slug(b.text)}">${esc(b.text)}</h${b.level}>`;
      case 'paragraph':
        return `<p>${renderInline(b.text, htmlSyntax)}</p>`;
      case 'notice':
        return `<div class="notice" role="alert">${renderInline(b.text, htmlSyntax)}</div>`;
      case 'list':
        return `<ul>\n${b.items.map((i) => `<li>${renderInline(i, htmlSyntax)}</li>`).join('\n')}\n</ul>`;
      case 'table':
        return table(b.table);
      case 'chart':
        return charts[b.chart]();
    }
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
