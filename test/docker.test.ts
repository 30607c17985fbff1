import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContextTar, buildImage } from '../harness/build/image.js';
import type { BuildContext } from '../harness/build/common.js';
import { CONTAINER_LABELS, demuxLogs, docker, parseRfc3339Nanos } from '../harness/targets/docker.js';
import type { Artifact, Manifest, Preparation, PreparedVariant, PrepareContext } from '../harness/targets/types.js';
import { connectDocker } from '../harness/util/docker.js';
import { type Ready, readyVariant, testWorkload } from './support.js';

const exec = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TAG_BASE = 'wvc-test/docker-target';

// A static guest that shows what the container may do: its argv, a read and a
// write under /rules, one stderr line, an exit code from `--exit=N`, and a
// long sleep on `--sleep` for the timeout path.
const GUEST_C = `
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int code = 0;
  printf("args:");
  for (int i = 1; i < argc; i++) {
    printf(" %s", argv[i]);
    if (strncmp(argv[i], "--exit=", 7) == 0) code = atoi(argv[i] + 7);
    if (strcmp(argv[i], "--sleep") == 0) { fflush(stdout); sleep(600); }
  }
  FILE *f = fopen("/rules/x.txt", "r");
  char buf[64] = "UNREADABLE";
  if (f) { size_t n = fread(buf, 1, sizeof buf - 1, f); buf[n] = 0; fclose(f); }
  printf(" rules=%s", buf);
  FILE *w = fopen("/rules/new.txt", "w");
  printf(" write=%s\\n", w ? "ALLOWED" : strerror(errno));
  fprintf(stderr, "to-stderr\\n");
  return code;
}
`;

let tmp = '';
let rulesDir = '';
let binPath = '';
let image: Artifact;
let logs: string[] = [];
let engine: Docker;
let prep: Preparation;
/** The prepared `default` variant of `prep`. */
let def: Ready;


function buildCtx(previous: Manifest | null): BuildContext {
  logs = [];
  return { root: ROOT, buildDir: path.join(tmp, 'build'), previous, built: new Map(), log: (l) => logs.push(l) };
}

function prepareCtx(artifacts: Artifact[]): PrepareContext {
  return { manifest: { schemaVersion: 1, builtAt: new Date().toISOString(), artifacts }, workload: testWorkload(rulesDir, ['image']), root: ROOT, buildDir: tmp };
}

async function leftovers(): Promise<Docker.ContainerInfo[]> {
  return engine.listContainers({ all: true, filters: { label: [`wvc=${CONTAINER_LABELS.wvc}`] } });
}

beforeAll(async () => {
  const conn = await connectDocker();
  if (!conn.ok) throw new Error(`these tests need a Docker daemon: ${conn.reason} — ${conn.hint}`);
  engine = conn.docker;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'wvc-docker-'));
  rulesDir = path.join(tmp, 'rules');
  await mkdir(rulesDir);
  await writeFile(path.join(rulesDir, 'x.txt'), 'hello-rules');
  await writeFile(path.join(tmp, 'guest.c'), GUEST_C);
  binPath = path.join(tmp, 'guest');
  await exec('cc', ['-static', '-O2', '-o', binPath, path.join(tmp, 'guest.c')]);

  const built = await buildImage(buildCtx(null), {
    id: 't/image',
    dockerfileDir: path.join(ROOT, 'images', 'tax-calculator'),
    files: { tax: binPath },
    tagBase: TAG_BASE,
  });
  if ('skipped' in built) throw new Error(`image build skipped: ${built.reason}`);
  image = built;
  prep = await docker.prepare(prepareCtx([image]));
  def = readyVariant(prep, 'default');
});

afterAll(async () => {
  if (prep?.status === 'ok') await prep.dispose?.();
  if (image?.tag) await engine.getImage(image.tag).remove({ force: true }).catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('buildImage', () => {
  it('builds a tagged, content-addressed image from the scratch Dockerfile', async () => {
    expect(image).toMatchObject({ id: 't/image', kind: 'image' });
    expect(image.tag).toBe(`${TAG_BASE}:${image.inputsHash.slice(0, 12)}`);
    expect(image.imageId).toBe(`sha256:${image.sha256}`);
    const info = await engine.getImage(image.imageId!).inspect();
    expect(image.bytes).toBe(info.Size);
    expect(info.Config.Entrypoint).toEqual(['/tax']);
  });

  it('makes the same context bytes every time', async () => {
    const dir = path.join(ROOT, 'images', 'tax-calculator');
    const a = await buildContextTar(dir, { tax: binPath });
    const b = await buildContextTar(dir, { tax: binPath });
    expect(a.equals(b)).toBe(true);
  });

  it('reuses the image when the inputs are unchanged', async () => {
    const previous: Manifest = { schemaVersion: 1, builtAt: '', artifacts: [image] };
    const again = await buildImage(buildCtx(previous), {
      id: 't/image',
      dockerfileDir: path.join(ROOT, 'images', 'tax-calculator'),
      files: { tax: binPath },
      tagBase: TAG_BASE,
    });
    expect(again).toEqual(image);
    expect(logs.some((l) => l.startsWith('reused t/image'))).toBe(true);
    expect(logs.some((l) => l.startsWith('building'))).toBe(false);
  });

  it('turns a failing Dockerfile into an Error with the daemon message', async () => {
    const dir = path.join(tmp, 'bad-image');
    await mkdir(dir);
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY missing-file /x\n');
    await expect(
      buildImage(buildCtx(null), { id: 'bad', dockerfileDir: dir, files: { tax: binPath }, tagBase: TAG_BASE + '-bad' }),
    ).rejects.toThrow(/docker build of bad failed: .*missing-file/);
  });
});

describe('docker target', () => {
  it('runs the program and returns its stdout, stderr and exit code 0', async () => {
    const r = await def.run({ args: ['a', 'b c'] });
    expect(r.stdout).toBe('args: a b c rules=hello-rules write=Read-only file system\n');
    expect(r.stderr).toBe('to-stderr\n');
    expect(r.exitCode).toBe(0);
    expect(r.timedOut).toBeFalsy();
    for (const k of ['create', 'start', 'wait', 'logs', 'remove']) {
      expect(r.phases?.[k], k).toBeGreaterThanOrEqual(0);
    }
    // The engine's StartedAt/FinishedAt span: present, but may be a little negative for a ~1 ms process.
    expect(Number.isFinite(r.phases?.container_process)).toBe(true);
    expect(r.durationMs).toBeGreaterThanOrEqual(r.phases!.create);
    expect(await leftovers()).toEqual([]);
  });

  it('passes a non-zero exit code through exactly', async () => {
    const r = await def.run({ args: ['--exit=42'] });
    expect(r.exitCode).toBe(42);
    expect(r.stdout).toBe('args: --exit=42 rules=hello-rules write=Read-only file system\n');
    expect(await leftovers()).toEqual([]);
  });

  it('kills the container at timeoutMs and still removes it', async () => {
    const r = await def.run({ args: ['--sleep'], timeoutMs: 1_500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('args: --sleep');
    expect(await leftovers()).toEqual([]);
  });

  it('throws when start fails, and still removes the container', async () => {
    const dir = path.join(tmp, 'no-entrypoint');
    await mkdir(dir);
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY tax /tax\nENTRYPOINT ["/does-not-exist"]\n');
    const broken = await buildImage(buildCtx(null), { id: 't/image', dockerfileDir: dir, files: { tax: binPath }, tagBase: TAG_BASE + '-broken' });
    if ('skipped' in broken) throw new Error(broken.reason);
    const other = await docker.prepare(prepareCtx([broken]));
    try {
      expect(other.status).toBe('ok');
      await expect(readyVariant(other, 'default').run({ args: [] })).rejects.toThrow(/does-not-exist/);
      expect(await leftovers()).toEqual([]);
      // Preparations share no state: the first one still runs its own image.
      expect((await def.run({ args: ['--exit=0'] })).exitCode).toBe(0);
    } finally {
      if (other.status === 'ok') await other.dispose?.();
      await engine.getImage(broken.tag!).remove({ force: true }).catch(() => undefined);
    }
  });

  it('describes the grants and the equivalent docker run line, exactly as a sample runs', () => {
    const d = def.describe();
    expect(def.spec.label).toBe('docker (the workload image, default config)');
    expect(d.runtime.name).toBe('docker');
    expect(d.how).toContain('create/start/wait/remove');
    const inv = def.invocation({ args: ['--postal-code=10001'] });
    expect(inv.kind).toBe('api');
    if (inv.kind !== 'api' || !inv.equivalent) throw new Error('no docker CLI equivalent');
    // --cgroup-parent appears where the harness can meter container memory (a local cgroupfs engine, as root).
    expect(inv.equivalent.argv.slice(1).join(' ')).toMatch(new RegExp(`^run --rm (--cgroup-parent /wvc-bench )?--network none -v ${rulesDir}:/rules:ro ${image.tag!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --postal-code=10001$`));
    expect(inv.equivalent.argv[0]).toMatch(/^\/.*\/docker$/);
    expect(inv.equivalent.env).toEqual({});
    expect(d.grants).toEqual(['fs:/rules (read-only bind mount)', 'net: none', 'env: image defaults only', 'caps: docker default set', 'user: root (image default)']);
    expect(d.artifact).toBe('t/image');
  });

  it('declares every variant once, in order: default is the container baseline, debian n/a without artifacts.imageDebian', () => {
    if (prep.status !== 'ok') throw new Error('not prepared');
    expect(prep.variants.map((v) => [v.spec.name, v.status])).toEqual([
      ['default', 'ok'],
      ['hardened', 'ok'],
      ['debian', 'n/a'],
    ]);
    expect(prep.variants.map((v) => v.spec.name)).toEqual(docker.variants.map((v) => v.name));
    expect(prep.variants[2]).toMatchObject({ reason: 'docker/debian runs artifacts.imageDebian, which workload t does not declare' });
    expect(def.spec).toMatchObject({ class: 'container', baseline: 'container', exitCodes: 'exact', verifySample: 100 });
    expect(docker.variants.filter((v) => v.baseline).map((v) => v.name)).toEqual(['default']);
    const hardened = readyVariant(prep, 'hardened').invocation({ args: [] });
    expect(hardened.kind === 'api' && hardened.equivalent?.argv.join(' ')).toContain('--read-only --cap-drop ALL --security-opt no-new-privileges --memory 268435456 --memory-swap 268435456 --ulimit cpu=2:2 --pids-limit 64 --user 65534:65534');
  });

  it('is skipped with the workload\'s build hint when the image artifact is absent', async () => {
    const avail = await docker.prepare(prepareCtx([]));
    // The test workload is not one of the defaults, so the hint names `wvc build --workload DIR`, not `npm run build`.
    expect(avail).toMatchObject({ status: 'skipped', hint: `run \`wvc build --workload ${rulesDir}\` (needs a running Docker daemon)` });
  });

  it('refuses to run after dispose()', async () => {
    const p = await docker.prepare(prepareCtx([image]));
    const v = readyVariant(p, 'default');
    if (p.status === 'ok') await p.dispose?.();
    await expect(v.run({ args: [] })).rejects.toThrow(/after dispose/);
  });
});

describe('connectDocker', () => {
  it('reports no daemon, with a dockerd hint, for a socket that does not exist', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${path.join(os.tmpdir(), 'wvc-no-such-docker.sock')}`;
    try {
      const c = await connectDocker();
      expect(c.ok).toBe(false);
      if (!c.ok) {
        expect(c.reason).toContain('no daemon at');
        expect(c.hint).toContain('dockerd');
      }
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

describe('helpers', () => {
  it('parses RFC 3339 timestamps to the nanosecond', () => {
    const a = parseRfc3339Nanos('2024-05-01T10:00:00.123456789Z')!;
    const b = parseRfc3339Nanos('2024-05-01T10:00:01.5Z')!;
    expect(b - a).toBe(1_376_543_211n);
    expect(parseRfc3339Nanos('2024-05-01T12:00:00+02:00')).toBe(parseRfc3339Nanos('2024-05-01T10:00:00Z'));
    expect(parseRfc3339Nanos('garbage')).toBeNull();
  });

  it('demultiplexes framed logs into stdout and stderr', () => {
    const frame = (kind: number, s: string) => {
      const body = Buffer.from(s);
      const h = Buffer.alloc(8);
      h[0] = kind;
      h.writeUInt32BE(body.length, 4);
      return Buffer.concat([h, body]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out1 '), frame(2, 'err'), frame(1, 'out2')]))).toEqual({ stdout: 'out1 out2', stderr: 'err' });
    expect(demuxLogs(Buffer.alloc(0))).toEqual({ stdout: '', stderr: '' });
    expect(demuxLogs(Buffer.from('plain tty text'))).toEqual({ stdout: 'plain tty text', stderr: '' });
  });
});
