/**
 * Bring-your-own workloads on the native target, which has no filesystem namespace:
 * a guest path given as a positional argument, or as the value of a flag given as
 * two arguments, must reach the program as the grant's host path. And `wvc build
 * --workload X` lists the harness's tools and X's artifacts only.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { onPath } from '../harness/targets/common.js';
import { REQUIRED, wvc } from './support.js';

const exec = promisify(execFile);

// Counts the lines of FILE (`wc FILE`, or `wc --input FILE`); any other argv is a usage error,
// so a default flag the harness appended would fail the run.
const SOURCE = `#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  const char *path;
  if (argc == 2 && argv[1][0] != '-') path = argv[1];
  else if (argc == 3 && strcmp(argv[1], "--input") == 0) path = argv[2];
  else { fprintf(stderr, "{\\"error\\":\\"usage\\",\\"argc\\":%d}\\n", argc); return 2; }
  FILE *f = fopen(path, "r");
  if (!f) { fprintf(stderr, "{\\"error\\":\\"no_input\\",\\"path\\":\\"%s\\"}\\n", path); return 3; }
  int c, lines = 0;
  while ((c = fgetc(f)) != EOF) lines += c == '\\n';
  printf("{\\"lines\\":%d}\\n", lines);
  return 0;
}
`;

const cc = await onPath('cc');
const noCc = !cc && !REQUIRED.includes('native');

/** A workload directory holding the prebuilt program, a data/ grant and a manifest. */
async function workloadDir(root: string, name: string, grant: Record<string, unknown>, args: string[]): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await writeFile(path.join(dir, 'data', 'words.txt'), 'one two three\nfour\n');
  await exec('cp', [path.join(root, 'wc'), path.join(dir, 'wc')]);
  const manifest = { name, language: 'C', argv0: 'wc', grants: [{ host: 'data', guest: '/data', ...grant }], sample: { args, stdout: '{"lines":2}\n' }, artifacts: { native: { path: 'wc' } } };
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

describe.skipIf(noCc)('bring-your-own on native: guest paths in arguments (needs cc)', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'wvc-byo-native-'));
  if (!noCc) {
    await writeFile(path.join(root, 'wc.c'), SOURCE);
    await exec('cc', ['-O2', '-o', path.join(root, 'wc'), path.join(root, 'wc.c')]);
  }
  const positional = noCc ? '' : await workloadDir(root, 'byo-positional', {}, ['/data/words.txt']);
  const twoArgs = noCc ? '' : await workloadDir(root, 'byo-two-args', { arg: '--input' }, ['--input', '/data/words.txt']);

  it('lists only the harness tools and the built workload, and counts the others kept', async () => {
    const first = await wvc(['build', '--workload', positional]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^byo-positional\/native /m);
    const second = await wvc(['build', '--workload', twoArgs]);
    expect(second.code, second.stderr).toBe(0);
    const ids = second.stdout.trim().split('\n').filter((l) => !l.startsWith('(')).map((l) => l.split(' ')[0]);
    expect(ids).toContain('byo-two-args/native');
    expect(ids).toContain('spawner');
    // Only harness tools (no workload in the id) and this workload's artifacts.
    expect(ids.filter((id) => id.includes('/') && !id.startsWith('byo-two-args/'))).toEqual([]);
    // The first workload's artifact is still in the manifest: counted, not listed.
    expect(second.stdout).toMatch(/^\(\d+ artifacts? of other workloads kept in build\/manifest\.json, not listed\)$/m);
  });

  it('rewrites a positional guest path to the host path', async () => {
    const r = await wvc(['verify', '--workload', positional, '--targets', 'native', '--require', '']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^byo-positional native \S+: 1\/1 identical/m);
  });

  it('rewrites the value of a two-argument flag and adds no default for it', async () => {
    const r = await wvc(['verify', '--workload', twoArgs, '--targets', 'native', '--require', '']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^byo-two-args native \S+: 1\/1 identical/m);
  });
});
