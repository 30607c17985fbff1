/**
 * wasmtime-embed's burst() and park() against the REAL embed host and libwasmtime
 * (needs `npm run build`): a burst of K requests served by threads of one host
 * process, each answer captured per request; N instances parked in one host, each
 * in its own store and thread. Skipped by name when the embed host is not built.
 */
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKLOAD_DIR } from '../harness/paths.js';
import { prepareContext, prepareTargets } from '../harness/session.js';
import type { PrepareContext } from '../harness/targets/types.js';
import { pssBytes, totalPss } from '../harness/util/proc.js';
import { useSpawner } from '../harness/util/spawn.js';
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
const prepared = ctx ? await prepareTargets(['wasmtime-embed'], ctx) : [];
const p = prepared[0];
const variant = (name: string): Ready | null => {
  const v = p?.status === 'ok' ? p.variants.find((x) => x.spec.name === name) : undefined;
  return v?.status === 'ok' ? (v as Ready) : null;
};
const aot = variant('aot');
const pooled = variant('pooled');
const why = !ctx ? 'nothing built (npm run build)' : p?.status !== 'ok' ? `wasmtime-embed not ready: ${p && 'reason' in p ? p.reason : p && 'error' in p ? p.error : 'not prepared'}` : !aot || !pooled ? 'the aot/pooled variants are not ready' : '';
const note = why ? ` (skipped: ${why})` : '';
const spawner = ctx?.manifest.artifacts.find((a) => a.id === 'spawner')?.path ?? null;

/** Live processes whose argv holds `arg`. */
async function hostsWithArg(arg: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if ((await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0').includes(arg)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

describe('wasmtime-embed burst', () => {
  for (const name of ['aot', 'pooled'] as const) {
    it.skipIf(!!why)(`${name}: K=4 threads of one host, four answers equal to the sample, each timed on the host's clock${note}`, async () => {
      const b = await variant(name)!.burst!({ args: workload.sample.args, concurrency: 4, timeoutMs: 60_000 });
      expect(b.clock).toBe('runtime');
      expect(b.mode).toMatch(/--burst 4/);
      if (name === 'pooled') expect(b.mode).toMatch(/--pooled/);
      expect(b.answers).toHaveLength(4);
      for (const a of b.answers) {
        expect(a.stdout).toBe(workload.sample.stdout);
        expect(a.exitCode).toBe(0);
        expect(a.stderr).toBe('');
        expect(a.latencyMs).toBeGreaterThan(0);
      }
      expect(b.wallMs).toBeCloseTo(Math.max(...b.answers.map((a) => a.latencyMs!)), 2);
    });
  }

  describe('through the spawner', () => {
    beforeAll(() => useSpawner(spawner));
    afterAll(() => useSpawner(null));
    it.skipIf(!!why || !spawner)(`aot: a failing request is an answer, with its own stderr${note || (!spawner ? ' (skipped: the spawner is not built)' : '')}`, async () => {
      const b = await aot!.burst!({ args: ['--no-such-flag'], concurrency: 2, timeoutMs: 60_000 });
      expect(b.answers).toHaveLength(2);
      for (const a of b.answers) {
        // WASI 0.2's exit takes a result: the guest's usage error (2) arrives as 1.
        expect(a.exitCode).toBe(1);
        expect(a.stdout).toBe('');
        expect(a.stderr).toMatch(/usage/);
      }
    });
  });
});

describe('wasmtime-embed burst at its time limit', () => {
  it.skipIf(!!why)(`aot: a burst that does not answer in time is all timed out, and the host is gone${note}`, async () => {
    const mark = `--seconds=${600 + ((process.pid + 1) % 3000)}`;
    const b = await aot!.burst!({ args: ['--probe=park', mark], concurrency: 2, timeoutMs: 500 });
    expect(b.answers).toHaveLength(2);
    for (const a of b.answers) {
      expect(a.timedOut).toBe(true);
      expect(a.latencyMs).toBeNull();
    }
    expect(await hostsWithArg(mark)).toEqual([]);
  });
});

describe('wasmtime-embed park', () => {
  it.skipIf(!!why)(`pooled: N=3 stores in one host, three ready lines, the host's PSS > 0, gone after release${note}`, async () => {
    const parked = await pooled!.park!({ args: ['--probe=park', '--seconds=60'], sampleArgs: workload.sample.args, instances: 3, timeoutMs: 30_000 });
    let pids: number[] = [];
    try {
      expect(parked.ready).toHaveLength(3);
      for (const l of parked.ready) expect(JSON.parse(l)).toMatchObject({ probe: 'park', result: 'ok' });
      expect(parked.covers).toMatch(/one engine, 3 stores/);
      pids = await parked.pids();
      expect(pids.length).toBeGreaterThan(0);
      expect((await totalPss(pids)).bytes).toBeGreaterThan(0);
    } finally {
      await parked.release();
    }
    for (const pid of pids) expect(await pssBytes(pid)).toBeNull();
    expect(await parked.pids()).toEqual([]);
    await parked.release(); // safe twice
  });

  it.skipIf(!!why)(`aot: a host that exits before it is ready is an error${note}`, async () => {
    // A guest that exits at once with a usage error never prints a park line.
    await expect(aot!.park!({ args: ['--no-such-flag'], sampleArgs: workload.sample.args, instances: 2, timeoutMs: 30_000 })).rejects.toThrow(/exited 1 with 0 of 2 ready/);
  });

  it.skipIf(!!why)(`aot: not ready within the time limit → the host is killed before the error is thrown${note}`, async () => {
    // A park length of its own, so this test's host can be told from anyone else's by its argv.
    const mark = `--seconds=${600 + (process.pid % 3000)}`;
    await expect(aot!.park!({ args: ['--probe=park', mark], sampleArgs: workload.sample.args, instances: 2, timeoutMs: 1 })).rejects.toThrow(/0 of 2 ready after 1 ms/);
    expect(await hostsWithArg(mark)).toEqual([]);
  });
});
