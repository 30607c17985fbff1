import { existsSync } from 'node:fs';
import { nativeCompiler } from '../build/native.js';
import { DEFAULT_DEBIAN_BASE, debianBase } from '../build/debian-image.js';
import { hyperfineVersion } from '../measure/cross-check.js';
import { onPath } from '../targets/common.js';
import { errorLine } from '../errors.js';
import { readManifest } from '../manifest.js';
import { disposeAll, measuredVariants, missingRequired, prepareContext, prepareTargets, requiredTargets, type PreparedTarget } from '../session.js';
import { loadWorkloads } from '../workload.js';
import { DEFAULT_WORKLOADS } from '../paths.js';
import { registry as defaultRegistry, idsOf } from '../targets/index.js';
import type { Prerequisite, PrerequisiteCheck, Registry, SetupStep } from '../targets/types.js';

export interface DoctorLine {
  name: string;
  ok: boolean;
  detail: string;
  /** For a missing prerequisite: the steps of scripts/setup.sh that would install or start it (what `wvc setup` runs). */
  fix?: readonly SetupStep[];
}

export interface DoctorReport {
  prerequisites: DoctorLine[];
  targets: DoctorLine[];
  requiredMissing: string[];
}

/** Where the Chromium test looks for a browser ($CHROMIUM first). */
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The harness's own prerequisites (not a target's): a C compiler, hyperfine, the Debian base image, Chromium for the tests. */
const HARNESS_PREREQUISITES: readonly Prerequisite[] = [
  {
    name: 'C compiler',
    async check() {
      const cc = await nativeCompiler();
      return cc ? { ok: true, detail: `${cc.cc}: ${cc.version}` } : { ok: false, detail: 'missing — apt-get install gcc libc6-dev (or scripts/setup.sh)', fix: ['packages'] };
    },
  },
  {
    name: 'hyperfine',
    async check() {
      const v = await hyperfineVersion();
      return v ? { ok: true, detail: v } : { ok: false, detail: 'missing — apt-get install hyperfine; the bench\'s cross-check is off without it', fix: ['packages'] };
    },
  },
  {
    name: 'Debian base image',
    async check() {
      const b = await debianBase();
      if (!('skipped' in b)) return { ok: true, detail: `${b.tag} (${b.imageId.slice(0, 19)})` };
      // Built by setup once a daemon is up (debootstrap comes with the packages step); another base is the user's to pull.
      const ours = (process.env.WVC_DEBIAN_BASE || DEFAULT_DEBIAN_BASE) === DEFAULT_DEBIAN_BASE;
      return { ok: false, detail: `${b.reason} — ${b.hint}`, fix: ours ? ((await onPath('debootstrap')) ? ['debian-base'] : ['packages', 'debian-base']) : undefined };
    },
  },
  {
    name: 'Chromium (tests only)',
    optional: true,
    async check() {
      const found = [process.env.CHROMIUM, ...CHROMIUM_CANDIDATES].find((p): p is string => !!p && existsSync(p));
      return found ? { ok: true, detail: found } : { ok: false, detail: 'missing — apt-get install chromium (or set CHROMIUM=/path); only the report.html browser test needs it', fix: ['packages'] };
    },
  },
];

/**
 * Every prerequisite, checked at once: Node, the harness's own, then what each
 * target checks for itself (its runtime, daemon or library), in registry order.
 * A check that throws is a missing line with the reason. `wvc setup` decides
 * from these lines what to install.
 */
export async function checkPrerequisites(registry: Registry = defaultRegistry): Promise<DoctorLine[]> {
  const major = Number(process.versions.node.split('.')[0]);
  const node: DoctorLine = { name: 'Node.js', ok: major >= 20, detail: major >= 20 ? process.version : `${process.version} — Node 20 or newer is required` };
  const all = [...HARNESS_PREREQUISITES, ...Object.values(registry).flatMap((def) => def.prerequisites ?? [])];
  const lines = await Promise.all(
    all.map(async (pre): Promise<DoctorLine> => {
      const r = await pre.check().catch((e: unknown) => ({ ok: false, detail: `check failed: ${errorLine(e)}` }) as PrerequisiteCheck);
      return { name: pre.optional && !/\(optional\)|\(tests only\)/.test(pre.name) ? `${pre.name} (optional)` : pre.name, ok: r.ok, detail: r.detail, ...(r.fix && !r.ok ? { fix: r.fix } : {}) };
    }),
  );
  return [node, ...lines];
}

/**
 * `wvc doctor`: what is installed, what is missing and how to install it —
 * first the toolchains and runtimes, then each target as the bench would see it.
 */
export async function doctor(opts: { require?: string; registry?: Registry; workloads?: readonly string[] } = {}): Promise<DoctorReport> {
  const registry = opts.registry ?? defaultRegistry;
  const prerequisites = await checkPrerequisites(registry);

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
