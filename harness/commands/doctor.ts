import { nativeCompiler } from '../build/native.js';
import { findLibwasmtime } from '../build/embed-host.js';
import { readManifest } from '../manifest.js';
import { disposeAll, missingRequired, prepareContext, prepareTargets, requiredTargets, type PreparedTarget } from '../session.js';
import { loadWorkloads } from '../workload.js';
import { DEFAULT_WORKLOADS } from '../paths.js';
import { TARGET_IDS } from '../targets/index.js';
import { findWasmtimeCli } from '../targets/wasmtime-cli.js';
import { connectDocker } from '../util/docker.js';

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
export async function doctor(opts: { require?: string } = {}): Promise<DoctorReport> {
  const prerequisites: DoctorLine[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  prerequisites.push({ name: 'node', ok: major >= 20, detail: major >= 20 ? process.version : `${process.version} — Node 20 or newer is required` });
  const cc = await nativeCompiler();
  prerequisites.push({ name: 'C compiler', ok: !!cc, detail: cc ? `${cc.cc}: ${cc.version}` : 'missing — apt-get install gcc libc6-dev (or scripts/setup.sh)' });
  const lib = await findLibwasmtime();
  prerequisites.push({ name: 'libwasmtime', ok: !!lib, detail: lib ? `${lib.version} at ${lib.libPath}` : 'missing — pip install wasmtime (or set WVC_LIBWASMTIME=/path/to/libwasmtime.so)' });
  const d = await connectDocker();
  prerequisites.push({ name: 'docker engine', ok: d.ok, detail: d.ok ? d.version : `${d.reason} — ${d.hint}` });
  const cli = await findWasmtimeCli();
  prerequisites.push({ name: 'wasmtime CLI (optional)', ok: !!cli, detail: cli ? cli.version : 'not installed — optional; put wasmtime on PATH or set WASMTIME to measure the CLI too' });

  const targets: DoctorLine[] = [];
  let requiredMissing: string[] = [];
  if (!(await readManifest())) {
    targets.push({ name: 'all targets', ok: false, detail: 'not built yet — run `npm run build`' });
  } else {
    // Each target as the bench would see it for the first workload that it applies to.
    const workloads = await loadWorkloads(DEFAULT_WORKLOADS);
    const prepared: PreparedTarget[] = [];
    for (const id of TARGET_IDS) {
      let last: PreparedTarget | undefined;
      for (const w of workloads) {
        [last] = await prepareTargets([id], await prepareContext(w));
        await disposeAll([last]);
        if (last.status !== 'n/a') break;
      }
      prepared.push(last!);
    }
    for (const p of prepared) {
      if (p.status === 'ok') {
        const missing = (p.target.unavailableVariants?.() ?? []).map((u) => `; variant ${u.variant} missing — ${u.reason} — ${u.hint}`).join('');
        targets.push({ name: p.id, ok: true, detail: `available — ${p.runtime.name} ${p.runtime.version} (${p.target.variants.join(', ')})${missing}` });
      }
      else if (p.status === 'skipped') targets.push({ name: p.id, ok: false, detail: `missing — ${p.reason} — ${p.hint}` });
      else if (p.status === 'n/a') targets.push({ name: p.id, ok: true, detail: `not used — ${p.reason}` });
      else targets.push({ name: p.id, ok: false, detail: `broken — ${p.error}` });
    }
    requiredMissing = missingRequired(prepared, requiredTargets(opts.require));
  }
  return { prerequisites, targets, requiredMissing };
}

/** Renders the doctor report as aligned text lines. */
export function formatDoctor(r: DoctorReport): string {
  const w = Math.max(...[...r.prerequisites, ...r.targets].map((l) => l.name.length));
  const row = (l: DoctorLine) => `  ${l.ok ? 'ok  ' : 'MISS'}  ${l.name.padEnd(w)}  ${l.detail}`;
  return ['Prerequisites:', ...r.prerequisites.map(row), 'Targets:', ...r.targets.map(row), ...r.requiredMissing.map((l) => `REQUIRED ${l}`)].join('\n');
}
