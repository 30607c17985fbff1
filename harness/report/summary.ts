import type { Results } from '../model.js';
import { failMark, multiWorkload } from './data.js';
import { burstRows, densityRows, platformSentences } from './platform.js';

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mib = (b: number) => (b < 1048576 ? `${(b / 1024).toFixed(0)} KiB` : `${(b / 1048576).toFixed(1)} MiB`);

/** The terminal summary: one row per target variant (per workload, when several), skipped and errored ones included. Pure. */
export function summaryTable(r: Results): string {
  const multi = multiWorkload(r);
  const lead = multi ? 1 : 0;
  const head = [...(multi ? ['workload'] : []), 'target', 'variant', 'median ms', '95% CI', 'p95', '× native', '× docker', 'peak mem', 'warm ms', 'fails'];
  const rows: string[][] = [];
  for (const t of r.targets) {
    if (t.status === 'ok') {
      const s = t.coldStart.stats!;
      rows.push([
        ...(multi ? [t.workload] : []),
        t.id,
        t.variant,
        ms(s.median) + failMark(t),
        `${ms(s.ci95[0])}–${ms(s.ci95[1])}`,
        ms(s.p95),
        t.vsNative ? `${t.vsNative.ratio.toFixed(1)}×` : '–',
        t.vsDocker ? `${t.vsDocker.ratio.toFixed(2)}×` : '–',
        t.memory ? mib(t.memory.median) : '–',
        t.warm.status === 'ok' ? ms(t.warm.stats.median) : 'n/a',
        `${t.coldStart.failures}/${t.coldStart.samples.length}`,
      ]);
    } else {
      rows.push([...(multi ? [t.workload] : []), t.id, t.variant, `${t.status.toUpperCase()}: ${t.reason}${t.status === 'skipped' ? ` — ${t.hint}` : ''}`]);
    }
  }
  const measured = rows.filter((row) => row.length === head.length);
  const widths = head.map((h, i) => Math.max(h.length, ...measured.map((row) => row[i].length)));
  const fmt = (row: string[]) =>
    row.length === head.length
      ? row.map((c, i) => (i < 2 + lead ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
      : [...row.slice(0, 2 + lead).map((c, i) => c.padEnd(widths[i])), row[2 + lead]].join('  ');
  const lines = [
    `run ${r.runId}${r.complete ? '' : '  (INCOMPLETE)'} — random seed ${r.seed}, ${r.options.runs} rounds, ${r.options.warmup} warm-ups`,
    `${r.environment.cpuModel} ×${r.environment.cpus}, ${r.environment.kernel}, node ${r.environment.node}${Object.entries(r.environment.runtimes).map(([id, v]) => `, ${id} ${v ?? 'n/a'}`).join('')}`,
    `spawn overhead (calibration, not subtracted): ${r.calibration.spawnOverheadMs !== null ? ms(r.calibration.spawnOverheadMs) + ' ms' : 'n/a'}`,
    '',
    fmt(head),
    ...rows.map(fmt),
  ];
  // The plugin platform's quotable sentences, once the run measured density or burst.
  if (densityRows(r) !== null || burstRows(r) !== null) {
    const said = platformSentences(r);
    if (said.length) lines.push('', ...said.map((x) => x.text));
  }
  const warn = r.warnings.filter((w) => w.kind !== 'skipped');
  if (warn.length) lines.push('', ...warn.map((w) => `warning${w.target ? ` [${w.target}]` : ''}: ${w.message}${w.advice ? ` — ${w.advice}` : ''}`));
  return lines.join('\n');
}

/** The bench's own timeline in one line: how long each step took. Pure. */
export function timelineLine(r: Results): string {
  const t = r.timeline;
  if (!t) return 'timeline: not recorded';
  const s = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const parts: [string, number][] = [
    ['build', t.build],
    ['calibration', t.calibration],
    ['cold start', t.coldStart],
    ['warm', t.warm],
    // density and burst only in runs that have the steps.
    ...(t.density !== undefined ? [['density', t.density] as [string, number]] : []),
    ...(t.burst !== undefined ? [['burst', t.burst] as [string, number]] : []),
    ['probes', t.probes],
    ['cross-check', t.crossCheck],
    ['footprint', t.footprint],
    ['reports', t.reports],
  ];
  return `timeline: ${s(t.total)} in all — ${parts.map(([k, v]) => `${k} ${s(v)}`).join(', ')}`;
}
