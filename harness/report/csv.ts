import type { Results } from '../model.js';

/** Every cold-start sample as CSV: workload, target, variant, round, ms, ok, exit code. */
export function samplesCsv(results: Results): string {
  const lines = ['workload,target,variant,round,ms,ok,exit_code'];
  for (const t of results.targets) {
    if (!('coldStart' in t) || !t.coldStart) continue;
    for (const s of t.coldStart.samples) {
      lines.push([t.workload, t.id, t.variant, s.round, Number.isFinite(s.ms) ? s.ms.toFixed(4) : '', s.ok, s.exitCode ?? ''].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
