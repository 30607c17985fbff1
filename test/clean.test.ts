/**
 * `wvc clean`: what a killed run left behind — here a temp dir and a container made in
 * the name of a harness process that has exited — is listed by `--dry-run` and removed
 * without it; what a live harness process made is left alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../harness/manifest.js';
import { connectDocker } from '../harness/util/docker.js';
import { REQUIRED, wvc } from './support.js';

/** The pid of a process that has run and exited. */
const deadPid = (): number => Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());

const conn = await connectDocker();

describe('wvc clean', () => {
  it('lists a dead run\'s temp dir with --dry-run, removes it without, and leaves a live one\'s', async () => {
    const dead = Number(deadPid());
    const left = await mkdtemp(path.join(tmpdir(), `wvc-run-${dead}-test-`));
    const live = await mkdtemp(path.join(tmpdir(), `wvc-run-${process.pid}-test-`));
    try {
      const dry = await wvc(['clean', '--dry-run']);
      expect(dry.code, dry.stdout + dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`would remove temp dir ${left} (made by pid ${dead}, no longer running)`);
      expect(dry.stdout).not.toContain(live);
      expect(existsSync(left)).toBe(true);
      const r = await wvc(['clean']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`removing temp dir ${left}`);
      expect(existsSync(left)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      await rm(left, { recursive: true, force: true });
      await rm(live, { recursive: true, force: true });
    }
  });

  it.skipIf(!conn.ok && !REQUIRED.includes('docker'))('removes a container labelled with a harness pid that no longer runs', async () => {
    if (!conn.ok) throw new Error(conn.reason);
    const image = (await readManifest())?.artifacts.find((a) => a.id === 'tax-calculator/image')?.imageId;
    if (!image) throw new Error('tax-calculator/image is not built — run npm run build');
    const dead = String(deadPid());
    const c = await conn.docker.createContainer({ Image: image, Labels: { wvc: '1', 'wvc.target': 'docker', 'wvc.pid': dead } });
    try {
      const dry = await wvc(['clean', '--dry-run']);
      expect(dry.stdout).toMatch(new RegExp(`would remove docker container \\S+ \\(created, image [^)]+\\) \\(made by pid ${dead}, no longer running\\)`));
      expect((await c.inspect()).Id).toBe(c.id);
      const r = await wvc(['clean']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(await conn.docker.listContainers({ all: true, filters: { label: [`wvc.pid=${dead}`] } })).toEqual([]);
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  });
});
