import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { measureDensity, projectStepMs } from '../harness/measure/density.js';
import { burstStep, measureBurst } from '../harness/measure/burst.js';
import { linearFit, percentileNearestRank } from '../harness/measure/stats.js';
import type { PreparedTarget } from '../harness/session.js';
import type { BurstRequest, BurstRun, Parked, ParkRequest, VariantSpec } from '../harness/targets/types.js';
import { parkProcesses } from '../harness/util/park.js';
import { pssBytes } from '../harness/util/proc.js';

// The density fit and the burst accounting are logic: a mock meter and a mock
// target give them known inputs, and the figures must come back exactly. The
// cleanup test parks real processes and interrupts the step.

const SAMPLE = '{"answer":1}\n';
const READY = '{"probe":"park","result":"ok","detail":"parked for 20 s"}\n';

const spec = (name: string): VariantSpec => ({ name, label: `mock (${name})`, class: 'wasm', phaseSource: null, cacheState: 'scripted', warm: { none: 'mock' }, exitCodes: 'exact' });

function target(variants: { name: string; park?: (req: ParkRequest) => Promise<Parked>; burst?: (req: BurstRequest) => Promise<BurstRun>; parksServed?: true }[]): PreparedTarget {
  return {
    id: 'mock',
    def: { id: 'mock', summary: 'mock', variants: variants.map((v) => spec(v.name)), capabilityRows: [], prepare: async () => ({ status: 'n/a', reason: 'unused' }) },
    status: 'ok',
    runtime: { name: 'mock', version: '0' },
    variants: variants.map((v) => ({
      spec: spec(v.name),
      status: 'ok' as const,
      invocation: () => ({ kind: 'api' as const, calls: 'mock', equivalent: null }),
      run: async () => ({ stdout: SAMPLE, stderr: '', exitCode: 0, durationMs: 1 }),
      describe: () => ({ runtime: { name: 'mock', version: '0' }, artifact: 'mock', grants: [] }),
      ...(v.park ? { park: v.park } : {}),
      ...(v.parksServed ? { parksServed: v.parksServed } : {}),
      ...(v.burst ? { burst: v.burst } : {}),
    })),
  };
}

/** A park that pretends: N fake pids, each line as scripted. */
const fakePark = (line = READY) => async (req: ParkRequest): Promise<Parked> => ({
  ready: Array.from({ length: req.instances }, () => line),
  covers: 'mock processes',
  pids: async () => Array.from({ length: req.instances }, (_, i) => 1000 + i),
  release: async () => {},
});

const base = { workload: 'w', sampleArgs: ['--x'], expectedStdout: SAMPLE, shouldStop: () => false, log: () => {} };

describe('density: the fit from a mock meter', () => {
  it('gives back the known bytes per instance, the intercept and instances per GiB', async () => {
    // 40 MiB of daemons, plus exactly 300 KiB per instance.
    const meter = async (pids: number[]) => ({ bytes: 40 * 2 ** 20 + pids.length * 300 * 1024, unread: [] });
    const [row] = await measureDensity([target([{ name: 'a', park: fakePark() }])], { ...base, steps: [1, 8, 32, 128], meter });
    expect(row!.status).toBe('ok');
    if (row!.status !== 'ok') return;
    expect(row!.steps.map((s) => [s.instances, s.pssBytes])).toEqual([1, 8, 32, 128].map((n) => [n, 40 * 2 ** 20 + n * 300 * 1024]));
    expect(row!.fit.bytesPerInstance).toBeCloseTo(300 * 1024, 6);
    expect(row!.fit.interceptBytes).toBeCloseTo(40 * 2 ** 20, 3);
    expect(row!.fit.r2).toBeCloseTo(1, 12);
    expect(row!.fit.points).toBe(4);
    expect(row!.perGiB).toBe(Math.floor(2 ** 30 / (300 * 1024)));
    expect(row!.covers).toBe('mock processes');
    expect(row!.stoppedBy).toBe('the last step (128 instances)');
  });

  it('stops before a step that would pass the memory cap, and fits what it has', async () => {
    const meter = async (pids: number[]) => ({ bytes: pids.length * 64 * 2 ** 20, unread: [] });
    const [row] = await measureDensity([target([{ name: 'a', park: fakePark() }])], { ...base, steps: [1, 8, 32, 128], capBytes: 4 * 2 ** 30, meter });
    expect(row!.status).toBe('ok');
    if (row!.status !== 'ok') return;
    // 32 × 64 MiB = 2 GiB fits; 128 × 64 MiB = 8 GiB does not.
    expect(row!.steps.map((s) => s.instances)).toEqual([1, 8, 32]);
    expect(row!.stoppedBy).toMatch(/^the memory cap: 128 instances would need about 8192\.0 MiB/);
    expect(row!.fit.bytesPerInstance).toBeCloseTo(64 * 2 ** 20, 3);
  });

  it('errors on a wrong ready line, is n/a for a guest without the park mode, and n/a for a variant that parks nothing', async () => {
    const meter = async (pids: number[]) => ({ bytes: pids.length, unread: [] });
    const noPark = async (): Promise<Parked> => {
      throw new Error('exited 2 before it was ready: {"error":"usage","message":"unknown probe"}');
    };
    const rows = await measureDensity([target([{ name: 'wrong', park: fakePark('{"probe":"park","result":"error"}\n') }, { name: 'old', park: noPark }, { name: 'none' }])], { ...base, steps: [1, 8], meter });
    expect(rows.map((r) => [r.variant, r.status])).toEqual([
      ['wrong', 'errored'],
      ['old', 'n/a'],
      ['none', 'n/a'],
    ]);
    expect(rows[0]!.status !== 'ok' && rows[0]!.reason).toBe('1 parked instances: instance 0 answered "{\\"probe\\":\\"park\\",\\"result\\":\\"error\\"}\\n"');
    expect(rows[1]!.status !== 'ok' && rows[1]!.reason).toMatch(/^the guest has no park mode/);
  });

  it('leaves out a variant that needs the park mode when the workload declares none, and keeps one that parks served instances', async () => {
    const meter = async (pids: number[]) => ({ bytes: pids.length * 1024, unread: [] });
    const served = async (req: ParkRequest) => ({ ...(await fakePark(SAMPLE)(req)), covers: 'one host, served instances' });
    const rows = await measureDensity([target([{ name: 'mid-request', park: fakePark() }, { name: 'served', park: served, parksServed: true }])], { ...base, parkMode: false, steps: [1, 8], meter });
    expect(rows.map((r) => [r.variant, r.status])).toEqual([
      ['mid-request', 'n/a'],
      ['served', 'ok'],
    ]);
    expect(rows[0]!.status !== 'ok' && rows[0]!.reason).toBe('this variant parks each instance mid-request in the workload\'s park mode (--probe=park --seconds=S), and w declares none ("probes": true in its manifest says it has one)');
  });

  it('counts a PSS it cannot read as an error, not as zero bytes', async () => {
    const meter = async (pids: number[]) => ({ bytes: 5, unread: pids.slice(0, 1) });
    const [row] = await measureDensity([target([{ name: 'a', park: fakePark() }])], { ...base, steps: [1, 8], meter });
    expect(row!.status).toBe('errored');
    expect(row!.status !== 'ok' && row!.reason).toMatch(/^cannot read the PSS of 1 of 1 processes \(pids 1000\)/);
  });

  it('projects a step from the two before it (a fixed cost plus a cost per instance), else all per instance', () => {
    expect(projectStepMs([{ instances: 1, ms: 100 }], 8)).toBe(800);
    // A 5 s JIT compile per step and 10 ms per instance: 32 instances take 5.31 s.
    expect(projectStepMs([{ instances: 1, ms: 5_010 }, { instances: 8, ms: 5_080 }], 32)).toBeCloseTo(5_320, 6);
    // Never less than the last step took.
    expect(projectStepMs([{ instances: 1, ms: 300 }, { instances: 8, ms: 200 }], 32)).toBe(200);
  });

  it('least squares and nearest-rank percentiles on known points', () => {
    const f = linearFit([
      { x: 1, y: 3 },
      { x: 2, y: 5 },
      { x: 4, y: 9 },
    ]);
    expect([f.slope, f.intercept, f.r2]).toEqual([2, 1, 1]);
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(percentileNearestRank(xs, 50)).toBe(50);
    expect(percentileNearestRank(xs, 99)).toBe(99);
    expect(percentileNearestRank([7], 99)).toBe(7);
    expect(percentileNearestRank([5, 1, 3], 50)).toBe(3);
  });
});

describe('density: cleanup after an interrupted step', () => {
  const sh = '/bin/sh';
  it.skipIf(!existsSync(sh))('releases every parked process when the run is stopped mid-way, and parks no further step', async () => {
    const seen: number[][] = [];
    let stop = false;
    // Real processes: each prints the ready line and sleeps (the park mode's contract).
    const park = async (req: ParkRequest): Promise<Parked> => {
      const p = await parkProcesses(() => ({ kind: 'process', argv: [sh, '-c', `echo '${READY.trim()}'; exec sleep 30`], env: {} }), req, 'sh processes');
      seen.push(await p.pids());
      return p;
    };
    const meter = async (pids: number[]) => {
      stop = true; // Ctrl-C arrives while the first step is being measured
      const each = await Promise.all(pids.map(pssBytes));
      return { bytes: each.reduce<number>((s, b) => s + (b ?? 0), 0), unread: [] };
    };
    const [row] = await measureDensity([target([{ name: 'a', park }])], { ...base, steps: [3, 8], meter, shouldStop: () => stop });
    expect(seen.length).toBe(1);
    expect(seen[0]!.length).toBe(3);
    expect(row!.steps.map((s) => s.instances)).toEqual([3]);
    expect(row!.steps[0]!.pssBytes).toBeGreaterThan(0);
    expect(row!.status).toBe('errored');
    expect(row!.status !== 'ok' && row!.reason).toBe('1 step measured (stopped by interrupted): a slope needs two');
    // Every parked process has been reaped: none of the pids is alive.
    for (const pid of seen[0]!) expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});

describe('burst: the budget of the default K values', () => {
  it('launches a larger K only while its projected wall time fits the budget, and every K when there is none', async () => {
    const run = async (budgetMs: number) => {
      const ks: number[] = [];
      // 100 ms of wall time per request.
      const burst = async (req: BurstRequest): Promise<BurstRun> => {
        ks.push(req.concurrency);
        return { mode: 'scripted', clock: 'runtime', wallMs: 100 * req.concurrency, answers: Array.from({ length: req.concurrency }, () => ({ latencyMs: 5, stdout: SAMPLE, stderr: '', exitCode: 0 })) };
      };
      const [row] = await measureBurst([target([{ name: 'a', burst }])], { workload: 'w', args: [], expectedStdout: SAMPLE, ks: [1, 8, 32], timeoutMs: 60_000, budgetMs, shouldStop: () => false, log: () => {} });
      return { ks, row: row! };
    };
    const budgeted = await run(2_000);
    // K=1 (0.1 s) and K=8 (0.8 s) fit; K=32 would add 3.2 s to 0.9 s.
    expect(budgeted.ks).toEqual([1, 8]);
    expect(budgeted.row.status === 'ok' && budgeted.row.stoppedBy).toBe('K=32 not launched: projected 3.2 s after 0.9 s of bursts (budget 2 s per variant; --burst 1,8,32 runs every K)');
    expect((await run(Infinity)).ks).toEqual([1, 8, 32]);
  });
});

describe('burst: the accounting from scripted answers', () => {
  const answers = (ms: (number | null)[], out = SAMPLE) => ms.map((latencyMs) => ({ latencyMs, stdout: latencyMs === null ? '' : out, stderr: '', exitCode: latencyMs === null ? null : 0, ...(latencyMs === null ? { timedOut: true } : {}) }));

  it('gives back the exact percentiles, wall time, starts per second and every failure', () => {
    const lat = [12, 3, 7, 30, 5, 9, 4, 8]; // sorted: 3 4 5 7 8 9 12 30
    const run: BurstRun = { mode: 'scripted', clock: 'runtime', wallMs: 40, answers: [...answers(lat), ...answers([null]), { latencyMs: 6, stdout: 'nope\n', stderr: '', exitCode: 0 }, { latencyMs: 2, stdout: '', stderr: '{"error":"usage"}\n', exitCode: 2 }] };
    const s = burstStep(11, run, SAMPLE);
    expect(s.latenciesMs).toEqual(lat);
    expect([s.p50Ms, s.p99Ms, s.maxMs]).toEqual([7, 30, 30]);
    expect(s.wallMs).toBe(40);
    expect(s.startsPerSec).toBe(8 / 0.04);
    expect(s.failures).toEqual([
      { index: 8, detail: 'no answer within the time limit (killed)' },
      { index: 9, detail: 'wrong answer: "nope\\n"' },
      { index: 10, detail: 'exit 2: {"error":"usage"}' },
    ]);
  });

  it('runs every K on every variant that serves bursts, stops growing K past half the time limit, and keeps n/a rows', async () => {
    const ks: number[] = [];
    const burst = async (req: BurstRequest): Promise<BurstRun> => {
      ks.push(req.concurrency);
      // Each request answers at 10 ms × its index + 10; K=8 takes 9 s of wall time.
      return { mode: 'scripted', clock: 'runtime', wallMs: req.concurrency === 1 ? 10 : 9_000, answers: answers(Array.from({ length: req.concurrency }, (_, i) => 10 * (i + 1))) };
    };
    const rows = await measureBurst([target([{ name: 'a', burst }, { name: 'b' }])], { workload: 'w', args: ['--x'], expectedStdout: SAMPLE, ks: [1, 8, 32], timeoutMs: 10_000, shouldStop: () => false, log: () => {} });
    expect(ks).toEqual([1, 8]);
    expect(rows.map((r) => [r.variant, r.status])).toEqual([
      ['a', 'ok'],
      ['b', 'n/a'],
    ]);
    const a = rows[0]!;
    expect(a.steps.map((s) => [s.k, s.p50Ms, s.p99Ms, s.maxMs])).toEqual([
      [1, 10, 10, 10],
      [8, 40, 80, 80],
    ]);
    expect(a.status === 'ok' && a.stoppedBy).toBe('K=32 not launched: K=8 already took 9.0 s (limit 10 s per burst)');
  });
});
