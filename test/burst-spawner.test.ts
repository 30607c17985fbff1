/**
 * wvc-spawn --burst and processBurst against the REAL native tax binary (needs
 * `npm run build`): K processes spawned back to back by the spawner, each timed to
 * its own reap, every answer kept; a burst killed at its time limit; and the native
 * target's park(). Skipped by name when the spawner or the native program is not built.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKLOAD_DIR } from '../harness/paths.js';
import { prepareContext, prepareTargets } from '../harness/session.js';
import { processInvocation } from '../harness/targets/common.js';
import type { PrepareContext, RunRequest, RunResult } from '../harness/targets/types.js';
import { processBurst } from '../harness/util/burst.js';
import { pidsByComm, pssBytes, totalPss } from '../harness/util/proc.js';
import { run, useSpawner } from '../harness/util/spawn.js';
import { loadWorkload, type Workload } from '../harness/workload.js';
import type { Ready } from './support.js';

let workload: Workload;
let ctx: PrepareContext | null = null;
try {
  workload = await loadWorkload(WORKLOAD_DIR);
  ctx = await prepareContext(workload);
} catch {
  ctx = null;
}
const spawner = ctx?.manifest.artifacts.find((a) => a.id === 'spawner')?.path ?? null;
const prepared = ctx ? await prepareTargets(['native'], ctx) : [];
const p = prepared[0];
const v = p?.status === 'ok' ? p.variants.find((x) => x.spec.name === 'static') : undefined;
const native = v?.status === 'ok' ? (v as Ready) : null;
const nativeBin = ctx?.manifest.artifacts.find((a) => a.id === 'tax-calculator/native')?.path ?? null;
const why = !ctx ? 'nothing built (npm run build)' : !spawner ? 'the spawner is not built' : !native || !nativeBin ? 'the native program is not built' : '';
const note = why ? ` (skipped: ${why})` : '';

describe('spawner burst on the native tax binary', () => {
  beforeAll(() => useSpawner(spawner));
  afterAll(() => useSpawner(null));

  it.skipIf(!!why)(`K=8: eight answers equal to the sample, exit 0, each timed on the spawner's clock${note}`, async () => {
    const b = await native!.burst!({ args: workload.sample.args, concurrency: 8, timeoutMs: 30_000 });
    expect(b.clock).toBe('runtime');
    expect(b.mode).toMatch(/wvc-spawn/);
    expect(b.answers).toHaveLength(8);
    for (const a of b.answers) {
      expect(a.stdout).toBe(workload.sample.stdout);
      expect(a.exitCode).toBe(0);
      expect(a.timedOut).toBeUndefined();
      expect(a.latencyMs).toBeGreaterThan(0);
    }
    const lat = b.answers.map((a) => a.latencyMs!);
    const sorted = [...lat].sort((x, y) => x - y);
    expect(sorted).toHaveLength(8);
    expect(sorted.every((x) => Number.isFinite(x))).toBe(true);
    // The burst's wall time is its last answer.
    expect(b.wallMs).toBeCloseTo(sorted[7]!, 2);
  });

  it.skipIf(!!why)(`a failing command is counted, not dropped: a bad argument gives K answers with exit 2${note}`, async () => {
    const b = await native!.burst!({ args: ['--no-such-flag'], concurrency: 3, timeoutMs: 30_000 });
    expect(b.answers).toHaveLength(3);
    for (const a of b.answers) {
      expect(a.exitCode).toBe(2);
      expect(a.stdout).toBe('');
      expect(a.stderr).toMatch(/usage/);
      expect(a.latencyMs).toBeGreaterThan(0);
    }
  });

  it.skipIf(!!why)(`a command that cannot be executed is an answer with exit 127 and the reason${note}`, async () => {
    const inv = processInvocation([path.join(tmpdir(), 'wvc-no-such-binary')]);
    const b = await processBurst(inv, { args: [], concurrency: 2, timeoutMs: 10_000 }, async () => {
      throw new Error('not called through the spawner');
    });
    expect(b.answers.map((a) => a.exitCode)).toEqual([127, 127]);
    expect(b.answers[0]!.stderr).toMatch(/cannot execute .*No such file/);
  });

  describe('killed at its time limit', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'wvc-burst-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it.skipIf(!!why)(`every request that had not answered is timed out, and no child is left${note}`, async () => {
      // A copy under a name of its own, so its processes can be found by comm, whoever else runs tax here.
      const comm = `wvcb${process.pid % 100000}`;
      const bin = path.join(dir, comm);
      await copyFile(nativeBin!, bin);
      await run('chmod', ['+x', bin]);
      const inv = processInvocation([bin, '--probe=park', '--seconds=60']);
      const never = async (_: RunRequest): Promise<RunResult> => {
        throw new Error('not called through the spawner');
      };
      const b = await processBurst(inv, { args: [], concurrency: 4, timeoutMs: 400 }, never);
      expect(b.clock).toBe('runtime');
      expect(b.answers).toHaveLength(4);
      for (const a of b.answers) {
        expect(a.timedOut).toBe(true);
        expect(a.latencyMs).toBeNull();
        expect(a.exitCode).toBeNull();
        // Each had parked (printed its ready line) before it was killed.
        expect(a.stdout).toMatch(/"probe":"park"/);
      }
      expect(await pidsByComm(comm)).toEqual([]);
    });
  });
});

describe('processBurst without the spawner', () => {
  it.skipIf(!!why)(`falls back to concurrent spawns on the harness's clock${note}`, async () => {
    useSpawner(null);
    const b = await native!.burst!({ args: workload.sample.args, concurrency: 2, timeoutMs: 30_000 });
    expect(b.clock).toBe('harness');
    expect(b.answers.map((a) => a.stdout)).toEqual([workload.sample.stdout, workload.sample.stdout]);
  });
});

describe('native park', () => {
  it.skipIf(!!why)(`N=2 processes parked: two ready lines, PSS > 0, gone after release${note}`, async () => {
    const parked = await native!.park!({ args: ['--probe=park', '--seconds=60'], sampleArgs: workload.sample.args, instances: 2, timeoutMs: 10_000 });
    let pids: number[] = [];
    try {
      expect(parked.ready).toHaveLength(2);
      for (const l of parked.ready) expect(JSON.parse(l)).toMatchObject({ probe: 'park', result: 'ok' });
      expect(parked.covers).toMatch(/2 processes/);
      pids = await parked.pids();
      expect(pids).toHaveLength(2);
      expect((await totalPss(pids)).bytes).toBeGreaterThan(0);
    } finally {
      await parked.release();
    }
    for (const pid of pids) expect(await pssBytes(pid)).toBeNull();
    await parked.release(); // safe twice
  });
});
