/**
 * The capability matrix ("Footprint and sandbox", capabilities part): every target
 * runs the workload's probe mode (`tax --probe=NAME`, see modules/tax-calculator/README.md)
 * once per probe, and each cell is decided from evidence the HARNESS controls — a
 * sentinel file outside the grant, a watched empty directory, the grant's hash and
 * listing, a secret planted in the harness's own environment, a loopback listener
 * counting connections, and a time bound the harness enforces — never from what the
 * workload says about itself alone. The workload's errno/trap text is kept next to it
 * as the evidence an operator would see. Writes no files outside its temp dir.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { mapLimit } from '../util/pool.js';
import path from 'node:path';
import type { PreparedTarget } from '../session.js';
import type { Manifest, PreparedVariant, Registry, RunResult } from '../targets/types.js';

export { PROBES } from '../model.js';
export type { CapabilityMatrix, CapabilityRow, Cell, Outcome, ProbeName } from '../model.js';
import { PROBES, type CapabilityMatrix, type CapabilityRow, type Cell, type Outcome, type ProbeGuest, type ProbeName } from '../model.js';

/** What the probe printed: one JSON line on stdout. */
export interface ProbeOutput {
  probe?: string;
  result?: 'ok' | 'error' | 'absent';
  errno?: number;
  error?: string;
  detail?: string;
  data?: string;
  mib?: number;
}

/** What the harness itself observed around one probe run. */
export interface HarnessObservation {
  /** fs-read-outside: the sentinel's random content appeared in stdout/stderr. */
  sentinelSeen?: boolean;
  /** fs-write-outside: entries in the watched host directory after the run. */
  watchedEntries?: string[];
  /** fs-write-granted: the grant's content hash or listing changed. */
  grantChanged?: boolean;
  grantDetail?: string;
  /** env-read: the planted secret appeared in stdout/stderr. */
  secretSeen?: boolean;
  /** net-connect: connections the loopback listener accepted during the run. */
  connections?: number;
  /** The run's exit, as the harness saw it. */
  exitCode: number | null;
  signal?: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The harness's time bound for this run. */
  boundMs: number;
  stderr: string;
  /** The runtime reported that its memory limit killed the run. */
  oomKilled?: boolean;
  /** Peak memory of the run when the target measured it. */
  peakBytes?: number;
  peakCovers?: string;
  /** The memory bound the harness asked for (bombs). */
  limitBytes: number;
  /** Where the row's network isolation comes from, for the net-connect explanation. */
  netNamespace?: boolean;
}

export { BOMB_BOUND_MS, FUEL, MEM_LIMIT_BYTES } from './limits.js';
import { BOMB_BOUND_MS, MEM_LIMIT_BYTES } from './limits.js';
import { harnessTempDir } from '../util/leftovers.js';
const PROBE_BOUND_MS = 20_000;
const isBomb = (probe: ProbeName) => probe === 'mem-bomb' || probe === 'cpu-spin';
/** Rows probed at the same time: two, one per core of the 2-core machines this runs on (fewer on a 1-core one). */
export const PROBE_LANES = 2;
const BOMB_FULL_MIB = 1024;

/** Parses the last JSON line of stdout, or null. */
export function parseProbeOutput(stdout: string): ProbeOutput | null {
  const lines = stdout.trim().split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const o = JSON.parse(lines[i]) as unknown;
      if (o && typeof o === 'object' && 'result' in o) return o as ProbeOutput;
    } catch {
      // not the probe line
    }
  }
  return null;
}

/** The trap message a runtime printed on stderr ({"trap":"..."} from wvc-wasmtime-host, or a V8/Node fatal line), flattened. */
export function trapText(stderr: string): string | undefined {
  for (const line of stderr.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{"trap"')) continue;
    try {
      const msg = (JSON.parse(t) as { trap: string }).trap;
      const cause = /Caused by:\s*([\s\S]*)$/.exec(msg)?.[1];
      return (cause ?? msg).replace(/\s+/g, ' ').trim();
    } catch {
      return t;
    }
  }
  // A runtime's logged error (spdlog's `[date time] [error] message`, e.g. "execution interrupted").
  const logged = /^\[[^\]\n]+\] \[error\] ([^\n]+)/m.exec(stderr)?.[1];
  if (logged) return logged.trim();
  const fatal = /(Fatal[^\n]*|RangeError[^\n]*|out of memory[^\n]*)/i.exec(stderr)?.[1];
  return fatal?.trim();
}

function workloadEvidence(out: ProbeOutput | null, obs: HarnessObservation): string {
  const trap = trapText(obs.stderr);
  if (out) {
    const parts = [`result=${out.result}`];
    if (out.errno !== undefined) parts.push(`errno ${out.errno} "${out.error ?? ''}"`);
    if (out.detail) parts.push(out.detail);
    if (out.mib !== undefined) parts.push(`${out.mib} MiB`);
    if (trap) parts.push(`trap: ${trap}`);
    return parts.join('; ');
  }
  if (trap) return `trap: ${trap}`;
  const err = obs.stderr.trim().split('\n').pop()?.slice(0, 200);
  return `no probe output${err ? `; stderr: ${err}` : ''}`;
}

function exitText(obs: HarnessObservation): string {
  if (obs.timedOut) return `killed by the harness after ${Math.round(obs.durationMs)} ms (bound ${obs.boundMs} ms)`;
  const how = obs.exitCode !== null ? `exit ${obs.exitCode}` : `signal ${obs.signal ?? '?'}`;
  return `${how} after ${Math.round(obs.durationMs)} ms`;
}

/**
 * Whether a denial's evidence says why — an errno string, a trap message, the runtime's
 * OOM report — rather than being opaque (a bare kill, or a crash with no message).
 */
function namesReason(out: ProbeOutput | null, obs: HarnessObservation): boolean {
  if (obs.oomKilled) return true;
  if (trapText(obs.stderr)) return true;
  if (out?.result === 'absent' && out.detail) return true;
  if (out?.result === 'error' && out.errno && out.error) return true;
  return false;
}

/**
 * The cell decision: a pure function of the probe's output and the harness's own
 * observation. `denied` = an error AND clean evidence; `allowed` = the evidence shows
 * access; `absent` = the interface has no such capability and the evidence is clean;
 * `contained` = a bomb ended by the runtime within the limits and the time bound;
 * `uncontained` = a bomb the harness had to kill at the bound, or that grew past the limit;
 * `error` = an unexpected trap or crash.
 */
export function decideCell(probe: ProbeName, out: ProbeOutput | null, obs: HarnessObservation): Pick<Cell, 'outcome' | 'evidence' | 'harnessEvidence' | 'denialNamed'> {
  const evidence = workloadEvidence(out, obs);
  const exit = exitText(obs);
  const done = (outcome: Outcome, harness: string) => {
    const cell: Pick<Cell, 'outcome' | 'evidence' | 'harnessEvidence' | 'denialNamed'> = { outcome, evidence, harnessEvidence: `${harness}; ${exit}` };
    // env-read is left out: an unset variable has no error path that could name anything.
    if ((outcome === 'denied' || outcome === 'contained') && probe !== 'env-read') cell.denialNamed = namesReason(out, obs);
    return cell;
  };
  // A probe (other than a bomb) that the harness had to kill, or that printed nothing, is an error
  // unless the harness evidence already shows access.
  const unexpected = (harness: string) => done('error', `${harness}; unexpected: ${out ? 'probe output without the expected evidence' : 'no probe output'}`);

  switch (probe) {
    case 'fs-read-outside': {
      const h = `sentinel ${obs.sentinelSeen ? 'SEEN' : 'not seen'} in the output`;
      if (obs.sentinelSeen) return done('allowed', h);
      if (out?.result === 'error') return done('denied', h);
      return unexpected(h);
    }
    case 'fs-write-outside': {
      const entries = obs.watchedEntries ?? [];
      const h = `watched host dir ${entries.length ? `has ${entries.join(', ')}` : 'stayed empty'}`;
      if (entries.length) return done('allowed', h);
      if (out?.result === 'error') return done('denied', h);
      if (out?.result === 'ok') return done('denied', `${h} (the write landed in the runtime's own filesystem, not the host's: isolated)`);
      return unexpected(h);
    }
    case 'fs-write-granted': {
      const h = `grant ${obs.grantChanged ? `CHANGED (${obs.grantDetail ?? ''})` : 'unchanged (content hash and listing)'}`;
      if (obs.grantChanged) return done('allowed', h);
      if (out?.result === 'error') return done('denied', h);
      if (out?.result === 'ok') return done('denied', `${h} (the write did not reach the host grant: isolated)`);
      return unexpected(h);
    }
    case 'env-read': {
      const h = `planted secret ${obs.secretSeen ? 'SEEN' : 'not seen'} in the output`;
      if (obs.secretSeen) return done('allowed', h);
      if (out) return done('denied', h);
      return unexpected(h);
    }
    case 'net-connect': {
      const n = obs.connections ?? 0;
      const ns = obs.netNamespace ? ' (isolated by network namespace: the runtime\'s 127.0.0.1 is its own loopback, not the host\'s)' : '';
      const h = `loopback listener accepted ${n} connection${n === 1 ? '' : 's'}${n ? '' : ns}`;
      if (n > 0) return done('allowed', h);
      if (out?.result === 'absent') return done('absent', h);
      if (out?.result === 'error') return done('denied', h);
      if (out?.result === 'ok') return done('denied', `${h}; the connect reached something else`);
      return unexpected(h);
    }
    case 'clock':
    case 'random': {
      const h = out?.result === 'ok' ? `workload read ${probe === 'clock' ? 'both clocks' : '16 bytes'}` : 'no reading';
      if (out?.result === 'ok') return done('allowed', h);
      if (out?.result === 'absent') return done('absent', h);
      if (out?.result === 'error') return done('denied', h);
      return unexpected(h);
    }
    case 'mem-bomb': {
      const peak = obs.peakBytes !== undefined ? `peak ${Math.round(obs.peakBytes / 2 ** 20)} MiB (${obs.peakCovers ?? 'measured by the target'})` : 'peak not measured';
      const h = `limit ${obs.limitBytes / 2 ** 20} MiB; ${peak}${obs.oomKilled ? '; runtime reported OOM kill' : ''}`;
      if (obs.timedOut) return done('uncontained', h);
      // The runtime's own OOM report is the kernel enforcing the limit. A peak above it then comes from
      // what the meter covers beyond the process (a cgroup parent also holds page cache earlier
      // containers left behind), not from the bomb.
      if (!out && obs.oomKilled) return done('contained', `${h}; killed by the runtime's memory limit before the bound`);
      if (obs.peakBytes !== undefined && obs.peakBytes > obs.limitBytes * 1.25) return done('uncontained', `${h}; memory grew past the limit`);
      if (out?.result === 'ok' && (out.mib ?? 0) * 2 ** 20 > obs.limitBytes) return done('uncontained', `${h}; the bomb allocated and touched ${out.mib} MiB, past the limit`);
      if (out?.result === 'error' && (out.mib ?? Infinity) * 2 ** 20 <= obs.limitBytes) return done('contained', `${h}; allocation refused at ${out.mib} MiB, process survived`);
      // Ended without output: contained only when the runtime says why (OOM report, a trap naming
      // memory) or the harness measured a peak within the limit. A bare abort is an unexpected crash.
      const trap = trapText(obs.stderr);
      if (!out && trap && /memory|alloc/i.test(trap)) return done('contained', `${h}; trapped before the bound`);
      const killed = obs.signal != null || (obs.exitCode !== null && obs.exitCode >= 128);
      if (!out && killed && obs.peakBytes !== undefined && obs.peakBytes <= obs.limitBytes * 1.25) return done('contained', `${h}; killed before the bound within the limit`);
      return done('error', `${h}; unexpected end`);
    }
    case 'cpu-spin': {
      if (obs.timedOut) return done('uncontained', 'still spinning at the bound');
      const trap = trapText(obs.stderr);
      const killed = obs.signal != null || (obs.exitCode !== null && obs.exitCode >= 128);
      if (trap || killed) return done('contained', `ended by the runtime before the harness bound${trap ? ' (trap)' : ' (killed)'}`);
      return done('error', 'the spin ended on its own');
    }
  }
}

// ---- running ---------------------------------------------------------------

/** Bomb cells by runtime configuration (see CapabilityOptions.bombCache). */
export type BombCache = Map<string, { workload: string; cell: Cell }>;
export const newBombCache = (): BombCache => new Map();

export interface CapabilityOptions {
  /** The build manifest (for each row's artifact sha256). */
  manifest: Manifest;
  /** The workload's name, recorded on every row. */
  workload: string;
  /** Host directory of the workload's first grant, copied afresh into each probe's grant; without one, fs-write-granted is not tried. */
  grantDir?: string;
  /** Where the guest sees that grant (`/rules`). */
  grantGuest?: string;
  /** Which program the prepared targets run for the probes (default: the workload's own probe mode). */
  guest?: ProbeGuest;
  /** Only these row ids (default: all). */
  rows?: readonly string[];
  /** Only these probes (default: all). */
  probes?: readonly ProbeName[];
  /** Time bound for the bombs, in ms (default 5000). */
  bombBoundMs?: number;
  /** Rows probed at the same time (default {@link PROBE_LANES}, at most the machine's cores). */
  lanes?: number;
  /** Bomb cells already measured in this run, by runtime configuration: a hit is copied, not re-run. */
  bombCache?: BombCache;
  log?: (line: string) => void;
}

/** The grant's listing and one hash over every file's name and bytes. */
async function hashGrant(dir: string): Promise<{ hash: string; listing: string[] }> {
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .map((e) => ({ rel: path.relative(dir, path.join(e.parentPath, e.name)), file: e.isFile() }))
    .sort((x, y) => (x.rel < y.rel ? -1 : x.rel > y.rel ? 1 : 0));
  const h = createHash('sha256');
  for (const e of entries) {
    h.update(e.rel + '\0');
    if (e.file) h.update(await readFile(path.join(dir, e.rel)));
  }
  return { hash: h.digest('hex'), listing: entries.map((e) => e.rel) };
}

function listen(): Promise<{ server: Server; port: number; count: () => number; reset: () => void }> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      n++;
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
      s.resume();
      s.end();
    });
    server.on('error', reject);
    // 127.0.0.1 only, ephemeral port.
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (!addr || typeof addr === 'string') return reject(new Error('listener has no port'));
      server.off('error', reject);
      const close = server.close.bind(server);
      server.close = ((cb?: (err?: Error) => void) => {
        for (const s of sockets) s.destroy();
        return close(cb);
      }) as typeof server.close;
      resolve({ server, port: addr.port, count: () => n, reset: () => { n = 0; } });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs every probe on every prepared target row, one run at a time, and decides each
 * cell from the harness's own evidence. Skipped/errored targets and targets without a
 * probe() become skipped rows. `WVC_SECRET` is planted in process.env for the duration
 * and restored afterwards.
 */
export async function runCapabilityMatrix(prepared: readonly PreparedTarget[], opts: CapabilityOptions): Promise<CapabilityMatrix> {
  const log = opts.log ?? (() => undefined);
  // Without a grant there is nothing granted to write to.
  const probes = (opts.probes ?? PROBES).filter((q) => q !== 'fs-write-granted' || opts.grantDir);
  const bombBound = opts.bombBoundMs ?? BOMB_BOUND_MS;
  const matrix: CapabilityMatrix = {
    probes: [...probes],
    rows: [],
    notes: [
      `Every probe runs once per row; bombs are bounded at ${bombBound} ms after the row's start-up (the duration of its clock probe, so a runtime that compiles the component on every start is not timed out by its compiler), other probes at ${PROBE_BOUND_MS} ms. Memory limit asked of runtimes that have one: ${MEM_LIMIT_BYTES / 2 ** 20} MiB.`,
      ...(opts.bombCache ? ['A bomb (mem-bomb, cpu-spin) runs once per runtime configuration — target, variant and the limits asked of it: a later workload\'s row with the same configuration shows the cell measured on the first, marked with that workload. What contains a bomb is the runtime\'s limit, not the guest\'s language.'] : []),
      'Each row gets a fresh copy of the workload\'s first grant (the rules directory, /rules), so writes on rows that allow them never touch the repository.',
      'The runtime processes inherit the harness environment with WVC_SECRET planted in it (as a deployed runtime would); only the sandbox decides whether the guest sees it.',
      'net-connect targets 127.0.0.1 only, an ephemeral-port listener owned by the harness. wasm32-wasip1 has no sockets: those rows report absent.',
      'denialNamesCapability: every denied/contained cell (env-read aside: an unset variable has no error to name) carries an errno string, a trap message or the runtime\'s OOM report, rather than a bare kill. Note that a path outside every preopen is ENOENT "No such file or directory" under wasi-libc (and in a container the path simply does not exist): it names the failure, not the sandbox.',
    ],
  };
  const root = await harnessTempDir('cap');
  const prevSecret = process.env.WVC_SECRET;
  const secret = `wvc-secret-${randomBytes(12).toString('hex')}`;
  const sentinelValue = `wvc-sentinel-${randomBytes(12).toString('hex')}`;
  const outside = path.join(root, 'outside');
  const sentinel = path.join(outside, 'sentinel.txt');
  const lanes = Math.max(1, Math.min(opts.lanes ?? PROBE_LANES, availableParallelism()));
  if (lanes > 1) matrix.notes.push(`Rows run ${lanes} at a time (one per core), each row's probes one after another; every bomb bound is at least twice the CPU-time limit a row asks, so a limit still ends its spinner first.`);
  const listeners: Awaited<ReturnType<typeof listen>>[] = [];
  try {
    await mkdir(outside, { recursive: true });
    await writeFile(sentinel, sentinelValue + '\n');
    // One loopback listener per lane: a lane's net-connect counts only its own connections.
    for (let i = 0; i < lanes; i++) listeners.push(await listen());
    process.env.WVC_SECRET = secret;
    /** The rows in registry order, each with the work that fills it in. */
    const tasks: { weight: number; run: (listener: Awaited<ReturnType<typeof listen>>) => Promise<void> }[] = [];
    let rowNo = 0;
    for (const p of prepared) {
      if (p.status === 'n/a') continue;
      for (const plan of p.def.capabilityRows) {
      const rowId = plan.suffix ? `${p.id}-${plan.suffix}` : p.id;
      if (opts.rows && !opts.rows.includes(rowId)) continue;
      const spec = p.def.variants.find((v) => v.name === plan.variant);
      const row: CapabilityRow = { workload: opts.workload, guest: opts.guest ?? 'workload', id: rowId, target: p.id, variant: plan.variant, label: spec?.label ?? rowId, limits: plan.limitsText, denialNamesCapability: null, cells: [] };
      if (plan.policyNote) row.policyNote = plan.policyNote;
      if (p.status !== 'ok') {
        row.skipped = p.status === 'skipped' ? { reason: p.reason, hint: p.hint } : { reason: `errored: ${p.error}`, hint: 'see the target error' };
        matrix.rows.push(row);
        log(`capabilities ${rowId}: skipped — ${row.skipped.reason}`);
        continue;
      }
      const v: PreparedVariant | undefined = p.variants.find((x) => x.spec.name === plan.variant);
      if (v?.status === 'n/a') continue; // the variant does not apply to this workload: recorded on the workload
      matrix.rows.push(row);
      if (!v) {
        row.skipped = { reason: `${p.id} declares a capability row for variant ${plan.variant}, which it does not prepare`, hint: `fix capabilityRows in harness/targets/${p.id}.ts` };
        continue;
      }
      if (v.status !== 'ok') {
        row.skipped = { reason: v.reason, hint: v.hint };
        continue;
      }
      if (!v.probe) {
        row.skipped = { reason: `${p.id}/${plan.variant} has no probe()`, hint: 'implement probe() for this variant' };
        continue;
      }
      const probeRun = v.probe.bind(v);
      const desc = v.describe();
      const artId = plan.limits?.fuel ? (desc.fuelArtifact ?? desc.artifact) : desc.artifact;
      const art = opts.manifest.artifacts.find((a) => a.id === artId);
      const sha = art?.sha256 ?? 'unknown';
      const no = ++rowNo;
      // A row whose bombs are not yet measured runs for seconds, to the bound when it asks no
      // limit: those start first (longest first), so that the lanes end together.
      const bombKey = (probe: ProbeName) => `${p.id}/${plan.variant}/${JSON.stringify(plan.limits ?? {})}/${bombBound}/${probe}`;
      const bombs = probes.some((q) => isBomb(q) && !opts.bombCache?.get(bombKey(q)));
      const weight = bombs ? (plan.limits ? 1 : 2) : 0;
      tasks.push({ weight, run: async (listener) => {
      // A bomb's bound starts after the runtime is up: a runtime that compiles a large
      // component on every start (JavaScript under JIT: seconds) is not "uncontained"
      // for the time its compiler takes. Its start-up is the time a `clock` probe takes.
      let startupMs: number | null = null;
      const startup = async (): Promise<number> => {
        if (startupMs === null) {
          const r = await probeRun({ args: ['--probe=clock'], timeoutMs: PROBE_BOUND_MS, ...(plan.limits ? { limits: plan.limits } : {}) });
          startupMs = r.exitCode === 0 ? r.durationMs : 0;
        }
        return startupMs;
      };
      for (const probe of probes) {
        const grantDir = path.join(root, `grant-${no}-${probe}`);
        if (opts.grantDir) await cp(opts.grantDir, grantDir, { recursive: true });
        else await mkdir(grantDir, { recursive: true });
        const watched = path.join(root, `watched-${no}`);
        await mkdir(watched, { recursive: true });
        const args = [`--probe=${probe}`];
        if (probe === 'fs-read-outside') args.push(`--target-path=${sentinel}`);
        if (probe === 'fs-write-outside') args.push(`--target-path=${watched}`);
        if (probe === 'fs-write-granted') args.push(`--target-path=${opts.grantGuest}`);
        if (probe === 'net-connect') args.push(`--port=${listener.port}`);
        const bomb = isBomb(probe);
        const cacheKey = bombKey(probe);
        const cached = bomb ? opts.bombCache?.get(cacheKey) : undefined;
        if (cached) {
          row.cells.push({ ...cached.cell, measuredOn: cached.workload, harnessEvidence: `not re-run: the same runtime configuration (${p.id}/${plan.variant}, the same limits) was measured on workload ${cached.workload}; ${cached.cell.harnessEvidence}` });
          log(`capabilities ${rowId} ${probe}: ${cached.cell.outcome} (measured on ${cached.workload}, the same runtime configuration)`);
          await rm(grantDir, { recursive: true, force: true });
          continue;
        }
        const boundMs = bomb ? bombBound + Math.ceil(await startup()) : PROBE_BOUND_MS;
        const before = await hashGrant(grantDir);
        listener.reset();
        let r: RunResult;
        try {
          r = await probeRun({ args, timeoutMs: boundMs, ...(opts.grantDir ? { grantDir } : {}), ...(plan.limits ? { limits: plan.limits } : {}) });
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          row.cells.push({ probe, outcome: 'error', evidence: `harness error: ${msg}`, harnessEvidence: 'the target threw', exitCode: null, durationMs: 0, runtime: desc.runtime, artifactSha256: sha });
          log(`capabilities ${rowId} ${probe}: harness error — ${msg}`);
          continue;
        }
        // The accept can trail the client's exit by a moment; wait a bounded while for it.
        if (probe === 'net-connect') for (let i = 0; i < 10 && listener.count() === 0; i++) await sleep(20);
        const after = await hashGrant(grantDir);
        const output = r.stdout + r.stderr;
        const obs: HarnessObservation = {
          exitCode: r.exitCode,
          signal: r.signal ?? null,
          timedOut: !!r.timedOut,
          durationMs: r.durationMs,
          boundMs,
          stderr: r.stderr,
          limitBytes: MEM_LIMIT_BYTES,
          ...(r.oomKilled ? { oomKilled: true } : {}),
          ...(r.memory ? { peakBytes: r.memory.peakBytes, peakCovers: r.memory.covers } : {}),
          ...(plan.netNamespace ? { netNamespace: true } : {}),
        };
        if (probe === 'fs-read-outside') obs.sentinelSeen = output.includes(sentinelValue);
        if (probe === 'fs-write-outside') obs.watchedEntries = (await readdir(watched)).sort();
        if (probe === 'fs-write-granted') {
          const added = after.listing.filter((f) => !before.listing.includes(f));
          obs.grantChanged = before.hash !== after.hash || added.length > 0 || after.listing.length !== before.listing.length;
          obs.grantDetail = [before.hash !== after.hash ? 'content hash changed' : '', added.length ? `new: ${added.join(', ')}` : ''].filter(Boolean).join('; ');
        }
        if (probe === 'env-read') obs.secretSeen = output.includes(secret);
        if (probe === 'net-connect') obs.connections = listener.count();
        if (probe === 'clock' && r.exitCode === 0) startupMs = r.durationMs;
        const out = parseProbeOutput(r.stdout);
        const decided = decideCell(probe, out, obs);
        const cell: Cell = { probe, ...decided, exitCode: r.exitCode, signal: r.signal ?? null, durationMs: r.durationMs, runtime: desc.runtime, artifactSha256: sha };
        const trap = trapText(r.stderr);
        if (trap) cell.trap = trap;
        if (plan.denialsArePolicy && cell.outcome === 'denied') cell.policy = true;
        row.cells.push(cell);
        if (bomb) opts.bombCache?.set(cacheKey, { workload: opts.workload, cell });
        log(`capabilities ${rowId} ${probe}: ${cell.outcome} — ${cell.evidence} | ${cell.harnessEvidence}`);
        await rm(grantDir, { recursive: true, force: true });
      }
      const judged = row.cells.filter((c) => c.denialNamed !== undefined);
      row.denialNamesCapability = judged.length ? judged.every((c) => c.denialNamed) : null;
      } });
      }
    }
    // Rows stay in registry order in the matrix; only the order they run in changes.
    // At most `lanes` rows in flight, so a free listener is always there for the next one.
    const free = [...listeners];
    await mapLimit([...tasks].sort((a, b) => b.weight - a.weight), lanes, async (t) => {
      const listener = free.pop()!;
      try {
        await t.run(listener);
      } finally {
        free.push(listener);
      }
    });
  } finally {
    if (prevSecret === undefined) delete process.env.WVC_SECRET;
    else process.env.WVC_SECRET = prevSecret;
    await Promise.all(listeners.map((l) => new Promise<void>((r) => l.server.close(() => r()))));
    await rm(root, { recursive: true, force: true });
  }
  return matrix;
}

/**
 * CLI-free entry: prepares the targets itself (all by default), turns on the rusage
 * spawner for peak RSS (and off again), runs the matrix, disposes the targets. `wvc bench` can instead pass its own prepared targets to runCapabilityMatrix.
 */
export async function measureCapabilities(opts: { workload?: string; targets?: readonly string[]; rows?: readonly string[]; probes?: readonly ProbeName[]; registry?: Registry; log?: (line: string) => void } = {}): Promise<CapabilityMatrix> {
  const { prepareContext, prepareTargets, disposeAll } = await import('../session.js');
  const { registry: defaultRegistry } = await import('../targets/index.js');
  const { useSpawner } = await import('../util/spawn.js');
  const { loadWorkload } = await import('../workload.js');
  const { WORKLOAD_DIR } = await import('../paths.js');
  const registry = opts.registry ?? defaultRegistry;
  const workload = await loadWorkload(opts.workload ?? WORKLOAD_DIR);
  const ctx = await prepareContext(workload);
  const ids = (opts.targets ?? Object.keys(registry)).filter((id) => Object.hasOwn(registry, id));
  const prepared = await prepareTargets(ids, ctx, registry);
  // The rusage spawner gives process targets a peak-RSS figure the harness measured itself.
  useSpawner(ctx.manifest.artifacts.find((a) => a.id === 'spawner')?.path ?? null);
  try {
    return await runCapabilityMatrix(prepared, { manifest: ctx.manifest, workload: workload.name, grantDir: workload.grants[0]!.host, grantGuest: workload.grants[0]!.guest, rows: opts.rows, probes: opts.probes, log: opts.log });
  } finally {
    useSpawner(null);
    await disposeAll(prepared);
  }
}

const SHORT: Record<Outcome, string> = { denied: 'denied', allowed: 'ALLOWED', absent: 'absent', contained: 'contained', uncontained: 'UNCONTAINED', error: 'ERROR' };

/** A plain-text table of the matrix (rows × probes), for logs and messages. */
export function formatCapabilityMatrix(m: CapabilityMatrix): string {
  const head = ['row', ...m.probes, 'names denial'];
  const body = m.rows.map((r) =>
    r.skipped
      ? [r.id, `skipped: ${r.skipped.reason}`]
      : [r.id, ...m.probes.map((p) => {
          const c = r.cells.find((x) => x.probe === p);
          return c ? SHORT[c.outcome] + (c.policy ? ' (policy)' : '') : '-';
        }), r.denialNamesCapability === null ? '-' : String(r.denialNamesCapability)],
  );
  const rows = [head, ...body];
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n').replace(/\n/, `\n|${head.map(() => '---').join('|')}|\n`);
}
