import { nativeCompiler } from '../build/native.js';
import { readManifest } from '../manifest.js';
import { disposeAll, measuredVariants, missingRequired, prepareContext, prepareTargets, requiredTargets, type PreparedTarget } from '../session.js';
import { loadWorkloads } from '../workload.js';
import { DEFAULT_WORKLOADS } from '../paths.js';
import { registry as defaultRegistry, idsOf } from '../targets/index.js';
import type { Registry } from '../targets/types.js';

export interface DoctorLine {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  prerequisites: DoctorLine[];
  targets: DoctorLine[];
  requiredMissing: string[];
}

/**
 * `wvc doctor`: what is installed, what is missing and how to install it —
 * first the toolchains and runtimes, then each target as the bench would see it.
 */
export async function doctor(opts: { require?: string; registry?: Registry; workloads?: readonly string[] } = {}): Promise<DoctorReport> {
  const registry = opts.registry ?? defaultRegistry;
  const prerequisites: DoctorLine[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  prerequisites.push({ name: 'Node.js', ok: major >= 20, detail: major >= 20 ? process.version : `${process.version} — Node 20 or newer is required` });
  const cc = await nativeCompiler();
  prerequisites.push({ name: 'C compiler', ok: !!cc, detail: cc ? `${cc.cc}: ${cc.version}` : 'missing — apt-get install gcc libc6-dev (or scripts/setup.sh)' });
  // What each target checks for itself (its runtime, daemon or library), in registry order.
  for (const def of Object.values(registry)) {
    for (const pre of def.prerequisites ?? []) {
      const r = await pre.check().catch((e: unknown) => ({ ok: false, detail: `check failed: ${e instanceof Error ? e.message : String(e)}` }));
      prerequisites.push({ name: pre.optional && !/\(optional\)/.test(pre.name) ? `${pre.name} (optional)` : pre.name, ok: r.ok, detail: r.detail });
    }
  }

  const targets: DoctorLine[] = [];
  let requiredMissing: string[] = [];
  if (!(await readManifest())) {
    targets.push({ name: 'all targets', ok: false, detail: 'not built yet — run `npm run build`' });
  } else {
    // Each target as the bench would see it for the first workload that it applies to.
    const workloads = await loadWorkloads(opts.workloads?.length ? opts.workloads : DEFAULT_WORKLOADS);
    const prepared: PreparedTarget[] = [];
    for (const id of idsOf(registry)) {
      let last: PreparedTarget | undefined;
      for (const w of workloads) {
        [last] = await prepareTargets([id], await prepareContext(w), registry);
        await disposeAll([last]);
        if (last.status !== 'n/a') break;
      }
      prepared.push(last!);
    }
    for (const p of prepared) {
      if (p.status === 'ok') {
        const missing = p.variants.map((v) => (v.status === 'skipped' ? `; variant ${v.spec.name} missing — ${v.reason} — ${v.hint}` : '')).join('');
        targets.push({ name: p.id, ok: true, detail: `available — ${p.runtime.name} ${p.runtime.version} (${measuredVariants(p).map((v) => v.spec.name).join(', ')})${missing}` });
      }
      else if (p.status === 'skipped') targets.push({ name: p.id, ok: false, detail: `missing — ${p.reason} — ${p.hint}` });
      else if (p.status === 'n/a') targets.push({ name: p.id, ok: true, detail: `not used — ${p.reason}` });
      else targets.push({ name: p.id, ok: false, detail: `broken — ${p.error}` });
    }
    requiredMissing = missingRequired(prepared, requiredTargets(opts.require, registry));
  }
  return { prerequisites, targets, requiredMissing };
}

/** Renders the doctor report as aligned text lines. */
export function formatDoctor(r: DoctorReport): string {
  const w = Math.max(...[...r.prerequisites, ...r.targets].map((l) => l.name.length));
  const row = (l: DoctorLine) => `  ${l.ok ? 'ok  ' : 'MISS'}  ${l.name.padEnd(w)}  ${l.detail}`;
  return ['Prerequisites:', ...r.prerequisites.map(row), 'Targets:', ...r.targets.map(row), ...r.requiredMissing.map((l) => `REQUIRED ${l}`)].join('\n');
}
