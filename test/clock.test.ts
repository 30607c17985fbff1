/**
 * The clock a process sample reports: the spawner's spawn-to-reap (CLOCK_MONOTONIC),
 * not Node's spawn-to-close. Checked with a mock spawner that reports a known
 * wall_ms, and with the real spawner on a sleep of known length (a lower bound
 * and an ordering, never a speed).
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run, useSpawner } from '../harness/util/spawn.js';
import { ROOT } from './support.js';

const manifest = JSON.parse(await readFile(path.join(ROOT, 'build', 'manifest.json'), 'utf8').catch(() => '{"artifacts":[]}')) as { artifacts: { id: string; path?: string }[] };
const spawner = manifest.artifacts.find((a) => a.id === 'spawner')?.path;

afterEach(() => useSpawner(null));

describe('the sample clock', () => {
  it('takes durationMs from the spawner\'s report and keeps Node\'s figure as outerMs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-clock-'));
    const fake = path.join(dir, 'fake-spawn');
    // A mock spawner: runs the command, then reports a wall_ms it did not measure.
    await writeFile(fake, '#!/bin/sh\nfd=$1; shift\n"$@"\ncode=$?\necho "{\\"maxrss_kb\\":1,\\"wall_ms\\":123.456,\\"exit\\":$code,\\"signal\\":0}" >&$fd\nexit $code\n');
    await chmod(fake, 0o755);
    useSpawner(fake);
    const r = await run('/bin/echo', ['hi']);
    expect(r.stdout).toBe('hi\n');
    expect(r.durationMs).toBe(123.456);
    expect(r.outerMs).toBeGreaterThan(0);
    expect(r.outerMs).not.toBe(123.456);
  });

  it('without the spawner, both figures are Node\'s', async () => {
    const r = await run('/bin/true', []);
    expect(r.durationMs).toBe(r.outerMs);
  });

  it.skipIf(!spawner)('the real spawner times a 200 ms sleep at 200 ms or more, inside Node\'s outer figure (skipped: run `npm run build` for wvc-spawn)', async () => {
    useSpawner(spawner!);
    const r = await run('/bin/sleep', ['0.2']);
    expect(r.exitCode).toBe(0);
    expect(r.durationMs).toBeGreaterThanOrEqual(200);
    expect(r.durationMs).toBeLessThanOrEqual(r.outerMs!);
  });
});
