/**
 * The harness's probe guest (harness/probe-guest/probe.c): a workload with no probe
 * mode of its own still gets a capability matrix, from the probe guest run under the
 * workload's grants and each target's configuration for it, and those cells match
 * the tax calculator's own probe mode row by row under the same grants. Needs
 * `npm run build`; a target in $BENCH_REQUIRE fails instead of skipping.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type CapabilityMatrix, runCapabilityMatrix } from '../harness/measure/capabilities.js';
import { newGuestRowCache, runProbeGuestMatrix } from '../harness/measure/probe-guest.js';
import { readManifest } from '../harness/manifest.js';
import { PROBE_GUEST_NAME, RULES_DIR, WORKLOAD_DIR } from '../harness/paths.js';
import { disposeAll, prepareContext, prepareTargets } from '../harness/session.js';
import { connectDocker } from '../harness/util/docker.js';
import { useSpawner } from '../harness/util/spawn.js';
import { loadWorkload } from '../harness/workload.js';
import { REQUIRED, ROOT, wvc } from './support.js';

const exec = promisify(execFile);

// A program with no probe mode: `--probe=…` is an unknown argument to it.
const SOURCE = `#include <stdio.h>
int main(int argc, char **argv) {
  if (argc > 1) { fprintf(stderr, "hello: unknown option '%s'\\n", argv[1]); return 2; }
  puts("hello");
  return 0;
}
`;
const TAG = 'wvc-test/byo-hello:probe-guest';
const TARGETS = ['native', 'node-wasi', 'wasmtime-embed', 'docker', 'oci'];
const ROWS = ['native', 'node-wasi', 'wasmtime-embed', 'docker-default', 'docker-hardened', 'oci-runc-hardened'];
/** The bombs' bound of a --quick bench (twice the hardened rows' 2 s CPU-time limit), the same for both matrices. */
const BOMB_BOUND_MS = 4_000;

async function byoWorkload(withDocker: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wvc-byo-hello-'));
  await writeFile(path.join(dir, 'hello.c'), SOURCE);
  const { commands } = await import('@yowasp/clang');
  await commands.clang(undefined, {}, { fetchProgress: () => {} });
  const files = await commands.clang(['--target=wasm32-wasip1', '-O2', 'hello.c', '-o', 'hello.wasm'], { 'hello.c': SOURCE }, { stdout: null, stderr: null, fetchProgress: () => {} });
  await writeFile(path.join(dir, 'hello.core.wasm'), files!['hello.wasm'] as Uint8Array);
  const jco = path.join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
  await exec(process.execPath, [jco, 'new', path.join(dir, 'hello.core.wasm'), '--wasi-command', '-o', path.join(dir, 'hello.component.wasm')]);
  await exec('cc', ['-static', '-O2', '-o', path.join(dir, 'hello'), path.join(dir, 'hello.c')]);
  if (withDocker) {
    await mkdir(path.join(dir, 'image'));
    await writeFile(path.join(dir, 'image', 'Dockerfile'), 'FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n');
    await exec('cp', [path.join(dir, 'hello'), path.join(dir, 'image', 'hello')]);
    await exec('docker', ['build', '-q', '-t', TAG, path.join(dir, 'image')]);
  }
  const manifest = {
    name: 'byo-hello',
    language: 'C',
    argv0: 'hello',
    // The tax calculator's grant, exactly: the same host directory, guest path and flag.
    grants: [{ host: path.relative(dir, RULES_DIR), guest: '/rules', readOnly: true, arg: '--rules' }],
    sample: { args: [], stdout: 'hello\n' },
    artifacts: { native: { path: 'hello' }, core: { path: 'hello.core.wasm' }, component: { path: 'hello.component.wasm' }, ...(withDocker ? { image: { tag: TAG } } : {}) },
  };
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

const outcomes = (m: CapabilityMatrix, id: string) => Object.fromEntries(m.rows.find((r) => r.id === id)!.cells.map((c) => [c.probe, c.outcome]));

describe('the probe guest', async () => {
  const withDocker = (await connectDocker()).ok;
  const dir = await byoWorkload(withDocker);
  const built = await wvc(['build', '--workload', dir]);
  const byo = await loadWorkload(dir);
  const tax = await loadWorkload(WORKLOAD_DIR);
  const targets = TARGETS.filter((t) => withDocker || !['docker', 'oci'].includes(t));
  const byoPrepared = await prepareTargets(targets, await prepareContext(byo));
  const taxCtx = await prepareContext(tax);
  const taxPrepared = await prepareTargets(targets, taxCtx);
  useSpawner((await readManifest())?.artifacts.find((a) => a.id === 'spawner')?.path ?? null);
  const cache = newGuestRowCache();
  let guest: CapabilityMatrix;
  let own: CapabilityMatrix;
  let copied: CapabilityMatrix;
  try {
    guest = await runProbeGuestMatrix({ workload: byo, prepared: byoPrepared, rows: ROWS, bombBoundMs: BOMB_BOUND_MS, rowCache: cache });
    own = await runCapabilityMatrix(taxPrepared, { manifest: taxCtx.manifest, workload: tax.name, grantDir: tax.grants[0]!.host, grantGuest: tax.grants[0]!.guest, rows: ROWS, bombBoundMs: BOMB_BOUND_MS });
    // The tax calculator has the same grants: its probe-guest rows are the ones just measured.
    copied = await runProbeGuestMatrix({ workload: tax, prepared: taxPrepared, rows: ROWS, bombBoundMs: BOMB_BOUND_MS, rowCache: cache });
  } finally {
    useSpawner(null);
    await disposeAll([...byoPrepared, ...taxPrepared]);
  }
  const ran = (m: CapabilityMatrix, id: string) => m.rows.some((r) => r.id === id && !r.skipped);

  it('is built with every build: a static binary, a core module, a component and an image', async () => {
    expect(built.code, built.stderr.slice(-1500)).toBe(0);
    const ids = (await readManifest())!.artifacts.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['native', 'core', 'component', 'component-cwasm', 'jco-bundle', ...(withDocker ? ['image'] : [])].map((r) => `${PROBE_GUEST_NAME}/${r}`)));
  });

  for (const id of ROWS) {
    const target = id.replace(/-(default|hardened|runc.*)$/, '');
    it.skipIf(!REQUIRED.includes(target) && !byoPrepared.some((p) => p.id === target && p.status === 'ok'))(`${id}: every probe ran to an outcome on the BYO workload, and it matches the tax calculator's own probe mode`, () => {
      expect(ran(guest, id), `${id}: ${guest.rows.find((r) => r.id === id)?.skipped?.reason ?? 'no row'}`).toBe(true);
      const row = guest.rows.find((r) => r.id === id)!;
      expect(row.guest).toBe('probe-guest');
      expect(row.workload).toBe('byo-hello');
      // A full matrix: every probe, fs-write-granted included (the workload has a grant).
      expect(row.cells.map((c) => c.probe).sort()).toEqual([...guest.probes].sort());
      expect(guest.probes).toHaveLength(9);
      expect(row.cells.filter((c) => c.outcome === 'error').map((c) => `${c.probe}: ${c.evidence}`)).toEqual([]);
      expect(outcomes(guest, id)).toEqual(outcomes(own, id));
      // Each cell names the probe guest's artifact by sha256, not the workload's.
      for (const c of row.cells) expect(c.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it('leaves out the targets the workload does not run on (it has no script: node)', async () => {
    expect(guest.rows.map((r) => r.target)).not.toContain('node');
    const all = await runProbeGuestMatrix({ workload: byo, prepared: [...byoPrepared, ...(await prepareTargets(['node'], await prepareContext(byo)))], rows: ['node'], rowCache: cache });
    expect(all.rows).toEqual([]);
  });

  it('copies a row measured for an earlier workload with the same grants, and says which', () => {
    const measured = guest.rows.filter((r) => !r.skipped);
    expect(measured.length).toBeGreaterThan(0);
    for (const r of measured) {
      const c = copied.rows.find((x) => x.id === r.id)!;
      expect(c.workload).toBe('tax-calculator');
      expect(c.measuredOn).toBe('byo-hello');
      expect(c.cells).toEqual(r.cells);
    }
    expect(copied.notes.join('\n')).toMatch(/not re-run: the same configuration .* was measured on workload byo-hello/);
  });
});
