/**
 * The capability matrix's probe guest: the harness's own program
 * (harness/probe-guest/probe.c, built with the harness as a static binary, a core
 * module, a component and an image) run under exactly the configuration each target
 * gives a workload — the workload's grants, and the target variant's flags, limits
 * and network mode — so that every workload gets a capability matrix, whether or not
 * the program has a probe mode of its own. Only the targets and variants that run the
 * workload are probed. A row is measured once per configuration: a later workload
 * with the same grants gets a copy, marked with the workload it was measured on.
 */
import { PROBE_GUEST_DIR } from '../paths.js';
import { disposeAll, prepareContext, prepareTargets, type PreparedTarget } from '../session.js';
import { registry as defaultRegistry } from '../targets/index.js';
import type { Registry } from '../targets/types.js';
import { type Workload, loadWorkload } from '../workload.js';
import type { CapabilityMatrix, CapabilityRow } from '../model.js';
import { type CapabilityOptions, PROBES, runCapabilityMatrix } from './capabilities.js';

/** Probe-guest rows already measured in this run, by configuration (see {@link rowKey}). */
export type GuestRowCache = Map<string, CapabilityRow>;
export const newGuestRowCache = (): GuestRowCache => new Map();

/** The probe guest's manifest, as `wvc build` builds it. */
export const loadProbeGuest = (): Promise<Workload> => loadWorkload(PROBE_GUEST_DIR);

/** The probe guest standing in for a workload: the guest's artifacts and sample, the workload's grants. */
export function guestFor(guest: Workload, w: Workload): Workload {
  return { ...guest, grants: w.grants.map((g) => ({ ...g })) };
}

/** Whether the workload itself runs on a target variant: the guest probes only those. */
export function runsWorkload(prepared: readonly PreparedTarget[], target: string, variant: string): boolean {
  const p = prepared.find((x) => x.id === target);
  if (!p || p.status === 'n/a') return false;
  if (p.status !== 'ok') return true; // skipped or errored for the workload: the guest's row says why too
  const v = p.variants.find((x) => x.spec.name === variant);
  return !!v && v.status !== 'n/a';
}

/** One configuration: the row, the workload's grants, the probes and the bomb bound. */
function rowKey(rowId: string, w: Workload, probes: readonly string[], bombBoundMs: number | undefined): string {
  return JSON.stringify([rowId, w.grants.map((g) => [g.host, g.guest, g.readOnly, g.arg ?? null]), probes, bombBoundMs ?? null]);
}

export interface GuestMatrixOptions extends Pick<CapabilityOptions, 'probes' | 'bombBoundMs' | 'lanes' | 'bombCache' | 'log'> {
  /** The workload whose configuration is probed. */
  workload: Workload;
  /** The workload's prepared targets: which targets and variants run it. */
  prepared: readonly PreparedTarget[];
  /** Only these row ids (default: every row of a target that runs the workload). */
  rows?: readonly string[];
  /** Rows measured earlier in this run (default: none kept). */
  rowCache?: GuestRowCache;
  registry?: Registry;
}

/**
 * Runs the probe guest on every capability row of every target variant that runs the
 * workload, under the workload's grants. Rows whose configuration was measured earlier
 * in the run are copied; only the targets of the others are prepared (for the guest)
 * and disposed again.
 */
export async function runProbeGuestMatrix(opts: GuestMatrixOptions): Promise<CapabilityMatrix> {
  const w = opts.workload;
  const registry = opts.registry ?? defaultRegistry;
  const cache = opts.rowCache ?? newGuestRowCache();
  const probes = opts.probes ?? PROBES;
  const wanted: { rowId: string; target: string }[] = [];
  for (const p of opts.prepared) {
    for (const plan of p.def.capabilityRows) {
      const rowId = plan.suffix ? `${p.id}-${plan.suffix}` : p.id;
      if (opts.rows && !opts.rows.includes(rowId)) continue;
      if (runsWorkload(opts.prepared, p.id, plan.variant)) wanted.push({ rowId, target: p.id });
    }
  }
  const key = (rowId: string) => rowKey(rowId, w, probes, opts.bombBoundMs);
  const toRun = wanted.filter((x) => !cache.has(key(x.rowId)));
  let measured: CapabilityMatrix | null = null;
  if (toRun.length) {
    const guest = guestFor(await loadProbeGuest(), w);
    const ctx = await prepareContext(guest, { unbuilt: 'empty' });
    const prepared = await prepareTargets([...new Set(toRun.map((x) => x.target))], ctx, registry);
    try {
      const grant = w.grants[0];
      measured = await runCapabilityMatrix(prepared, {
        manifest: ctx.manifest,
        workload: w.name,
        guest: 'probe-guest',
        rows: toRun.map((x) => x.rowId),
        ...(grant ? { grantDir: grant.host, grantGuest: grant.guest } : {}),
        ...(opts.probes ? { probes: opts.probes } : {}),
        ...(opts.bombBoundMs !== undefined ? { bombBoundMs: opts.bombBoundMs } : {}),
        ...(opts.lanes !== undefined ? { lanes: opts.lanes } : {}),
        ...(opts.bombCache ? { bombCache: opts.bombCache } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      });
    } finally {
      await disposeAll(prepared);
    }
    for (const row of measured.rows) if (!row.skipped) cache.set(key(row.id), row);
  }
  // Rows in the workload's registry order, measured or copied.
  const rows: CapabilityRow[] = [];
  for (const { rowId } of wanted) {
    const fresh = measured?.rows.find((r) => r.id === rowId);
    if (fresh) rows.push(fresh);
    else {
      const hit = cache.get(key(rowId));
      if (hit) rows.push({ ...structuredClone(hit), workload: w.name, measuredOn: hit.measuredOn ?? hit.workload });
    }
  }
  const copied = rows.filter((r) => r.measuredOn);
  const notes = [
    `The probe guest (harness/probe-guest/probe.c, built by the harness for every target) ran with ${w.name}'s grants${w.grants.length ? ` (${w.grants.map((g) => `${g.guest}${g.readOnly ? ' read-only' : ''}`).join(', ')})` : ' (none: fs-write-granted is not tried)'} on each target variant that runs ${w.name}, so the rows show what each runtime's configuration for it denies, whatever the program does.`,
    ...(copied.length ? [`${w.name}: ${copied.length} probe-guest row${copied.length === 1 ? '' : 's'} not re-run: the same configuration (target variant, grants, probes) was measured on workload ${copied[0]!.measuredOn} in this run.`] : []),
  ];
  return { probes: measured?.probes ?? probes.filter((q) => q !== 'fs-write-granted' || w.grants.length), rows, notes: [...notes, ...(measured?.notes ?? [])] };
}
