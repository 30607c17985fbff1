/**
 * WasmEdge (issue 17) against the real `wasmedge` CLI, when it is installed (on PATH or
 * WASMEDGE=/path): verify's vectors on the interpreter and the AOT library, a run's phases
 * and peak memory, the sandbox cells (a read outside the grant, a `..` escape and a symlink
 * out of it, bombs against its limits), and the AOT library derived at build time, refused
 * when the core module changes and remade by the next build. Needs `npm run build`. Without
 * wasmedge those tests skip; the n/a and skipped rows are checked either way.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWasmedge, splitRuntimeLog, wasmedge } from '../harness/targets/wasmedge.js';
import { runProbeGuestMatrix, guestFor, loadProbeGuest } from '../harness/measure/probe-guest.js';
import { parseProbeOutput, trapText } from '../harness/measure/capabilities.js';
import { JS_WORKLOAD_DIR, WORKLOAD_DIR } from '../harness/paths.js';
import { disposeAll, prepareContext, prepareTargets } from '../harness/session.js';
import { run, useSpawner } from '../harness/util/spawn.js';
import { createServer, type AddressInfo } from 'node:net';
import { loadWorkload } from '../harness/workload.js';
import type { Preparation, PrepareContext, RunResult } from '../harness/targets/types.js';
import type { Workload } from '../harness/workload.js';
import { type Ready, ROOT, readyVariant, wvc } from './support.js';

const found = await findWasmedge();
const available = found !== null;
const MISSING = 'wasmedge is not installed (put it on PATH or set WASMEDGE): see README "The targets"';
const VARIANTS = ['interpreter', 'aot'] as const;

/** A core module (C through @yowasp/clang) that prints `word`. */
async function coreModule(word: string): Promise<Uint8Array> {
  const { commands } = await import('@yowasp/clang');
  await commands.clang(undefined, {}, { fetchProgress: () => {} });
  const src = `#include <stdio.h>\nint main(void) { puts("${word}"); return 0; }\n`;
  const files = await commands.clang(['--target=wasm32-wasip1', '-O2', 'p.c', '-o', 'p.wasm'], { 'p.c': src }, { stdout: null, stderr: null, fetchProgress: () => {} });
  return files!['p.wasm'] as Uint8Array;
}

/**
 * A core module that imports WasmEdge's own socket functions (not wasi-libc's: it has none for
 * preview1) and connects to 127.0.0.1:argv[1]; prints the two errnos.
 */
const SOCKET_GUEST = `#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_open"))) int32_t sock_open(int32_t af, int32_t type, int32_t *fd);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_connect"))) int32_t sock_connect(int32_t fd, void *addr, uint32_t port);
struct address { uint8_t *buf; uint32_t buf_len; };
int main(int argc, char **argv) {
  int32_t fd = -1;
  uint8_t ip[4] = {127, 0, 0, 1};
  struct address a = { ip, 4 };
  int32_t open = sock_open(1 /* inet4 */, 2 /* stream */, &fd);
  int32_t conn = open == 0 ? sock_connect(fd, &a, (uint32_t)atoi(argv[1])) : -1;
  printf("open=%d connect=%d\\n", open, conn);
  return 0;
}
`;

const variant = (p: Preparation, name: string) => (p.status === 'ok' ? p.variants.find((v) => v.spec.name === name) : undefined);

describe('wasmedge without the runtime or the core module', () => {
  it('is not applicable to a workload with only a component, and says why', async () => {
    const js = await loadWorkload(JS_WORKLOAD_DIR);
    const p = await wasmedge.prepare(await prepareContext(js, { unbuilt: 'empty' }));
    expect(p.status).toBe('n/a');
    expect(p.status === 'n/a' && p.reason).toBe(
      "wasmedge runs artifacts.core (a WASI preview1 core module), which workload tax-calculator-js does not declare, only a component: WasmEdge's component-model support is experimental (--enable-component), so the target runs core modules only",
    );
  });

  it('is skipped with the install hint when WASMEDGE names nothing that runs', async () => {
    const saved = process.env.WASMEDGE;
    process.env.WASMEDGE = path.join(tmpdir(), 'no-such-wasmedge');
    try {
      const p = await wasmedge.prepare(await prepareContext(await loadWorkload(WORKLOAD_DIR), { unbuilt: 'empty' }));
      expect(p.status).toBe('skipped');
      if (p.status !== 'skipped') return;
      expect(p.reason).toBe(`WASMEDGE=${process.env.WASMEDGE} does not run`);
      expect(p.hint).toMatch(/install WasmEdge .* put `wasmedge` on PATH, or set WASMEDGE=/);
    } finally {
      if (saved === undefined) delete process.env.WASMEDGE;
      else process.env.WASMEDGE = saved;
    }
  });

  it('takes WasmEdge\'s log off the guest\'s stdout, byte for byte: the statistics become the run phase, an error goes to stderr', () => {
    const answer = '{"tax_cents":1109}\n';
    const at = '[2026-12-02 14:50:01.123]';
    const stats = [
      `${at} [info] ====================  Statistics  ====================`,
      `${at} [info]  Total execution time: 1234567 ns`,
      `${at} [info]  Wasm instructions execution time: 1000000 ns`,
      `${at} [info]  Host functions execution time: 234567 ns`,
      `${at} [info] =======================   End   ======================`,
      '',
    ].join('\n');
    expect(splitRuntimeLog(answer + stats)).toEqual({ stdout: answer, log: '', runMs: 1.234567 });
    // A guest line without its newline keeps its bytes; a look-alike the guest printed before its answer stays the guest's.
    expect(splitRuntimeLog('no newline' + stats)).toEqual({ stdout: 'no newline', log: '', runMs: 1.234567 });
    expect(splitRuntimeLog(stats + answer)).toEqual({ stdout: stats + answer, log: '' });
    const trap = `${at} [error] wasmedge runtime failed: execution interrupted, Code: 0x007\n${at} [error]     When executing function name: "_start"\n`;
    expect(splitRuntimeLog(answer + trap)).toEqual({ stdout: answer, log: trap });
    // What the capability matrix then reads as the runtime's reason.
    expect(trapText(trap)).toBe('wasmedge runtime failed: execution interrupted, Code: 0x007');
  });
});

// Nothing below runs without wasmedge: vitest still collects a skipped describe, so every setup is in a beforeAll.
describe.skipIf(!available)(`wasmedge (${found?.version ?? MISSING})`, () => {
  let tax: Workload;
  let ctx: PrepareContext;
  let spawner: string | null = null;
  let prep: Preparation;
  beforeAll(async () => {
    tax = await loadWorkload(WORKLOAD_DIR);
    ctx = await prepareContext(tax);
    spawner = ctx.manifest.artifacts.find((a) => a.id === 'spawner')?.path ?? null;
    prep = await wasmedge.prepare(ctx);
  });

  it('describes itself with the exact `wasmedge --version`, grants /rules read-only with no environment, and says the network is not withheld', () => {
    expect(prep.status).toBe('ok');
    if (prep.status !== 'ok') return;
    expect(prep.runtime).toEqual({ name: 'wasmedge CLI', version: found!.version });
    expect(found!.version).toMatch(/^wasmedge version \d+\.\d+\.\d+/);
    for (const name of VARIANTS) {
      const v = readyVariant(prep, name);
      expect(v.describe().grants).toEqual(expect.arrayContaining(['fs:/rules (--dir guest:host:readonly preopen)', 'env: none (no --env)', expect.stringMatching(/^net: not withheld/)]));
      const inv = v.invocation({ args: ['--x'] });
      expect(inv.kind === 'process' && inv.argv).toEqual(expect.arrayContaining(['--dir', `/rules:${tax.grants[0]!.host}:readonly`]));
      expect(inv.kind === 'process' && inv.env).toEqual({});
    }
    expect(readyVariant(prep, 'aot').describe().artifact).toBe('tax-calculator/core-wasmedge-aot');
  });

  it('runs the sample on both variants: the exact answer, the execution phase and peak memory', async () => {
    useSpawner(spawner);
    try {
      for (const name of VARIANTS) {
        const r = await readyVariant(prep, name).run({ args: tax.sample.args });
        expect([name, r.exitCode, r.stdout]).toEqual([name, 0, tax.sample.stdout]);
        expect(r.phases?.run, name).toBeGreaterThan(0);
        expect(r.phases!.run, name).toBeLessThan(r.durationMs);
        expect(r.memory?.peakBytes, name).toBeGreaterThan(0);
        expect(r.memory?.covers).toMatch(/ru_maxrss/);
      }
    } finally {
      useSpawner(null);
    }
  });

  it('verify: the vectors give byte-identical answers on the interpreter and the AOT library', async () => {
    const v = await wvc(['verify', '--workload', WORKLOAD_DIR, '--targets', 'wasmedge', '--sample', '60']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    for (const name of VARIANTS) expect(v.stdout).toMatch(new RegExp(`^tax-calculator wasmedge ${name}: (\\d+)/\\1 identical`, 'm'));
  });

  it('gives any module that imports them WasmEdge\'s own socket functions: a connect to the loopback listener lands (what the rows\' note says)', async () => {
    const { commands } = await import('@yowasp/clang');
    await commands.clang(undefined, {}, { fetchProgress: () => {} });
    const files = await commands.clang(['--target=wasm32-wasip1', '-O2', 's.c', '-o', 's.wasm'], { 's.c': SOCKET_GUEST }, { stdout: null, stderr: null, fetchProgress: () => {} });
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-wasmedge-sock-'));
    const guest = path.join(dir, 's.wasm');
    await writeFile(guest, files!['s.wasm'] as Uint8Array);
    let connections = 0;
    const server = createServer((c) => {
      connections++;
      c.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      // The interpreter variant's own flags (no --env, the grant read-only), this module in place of the workload's.
      const inv = readyVariant(prep, 'interpreter').invocation({ args: [] });
      const argv = inv.kind === 'process' ? inv.argv : [];
      const r = await run(argv[0]!, [...argv.slice(1, -1), guest, String(port)], { env: {} });
      expect(splitRuntimeLog(r.stdout).stdout).toBe('open=0 connect=0\n');
      expect(connections).toBe(1);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('the sandbox, probed with the probe guest under the calculator\'s grant', () => {
    let gp: Preparation;
    let dir = '';
    let grant = '';
    const secret = `outside-${process.pid}-${Date.now()}`;
    beforeAll(async () => {
      const guest = guestFor(await loadProbeGuest(), tax);
      gp = await wasmedge.prepare(await prepareContext(guest));
      dir = await mkdtemp(path.join(tmpdir(), 'wvc-wasmedge-'));
      grant = path.join(dir, 'grant');
      await mkdir(grant);
      await writeFile(path.join(grant, 'inside.txt'), 'inside the grant');
      await writeFile(path.join(dir, 'sentinel'), secret);
      await symlink(path.join(dir, 'sentinel'), path.join(grant, 'link'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));
    const read = async (v: Ready, target: string) => {
      const r = await v.probe!({ args: ['--probe=fs-read-outside', `--target-path=${target}`], timeoutMs: 20_000, grantDir: grant });
      return { out: parseProbeOutput(r.stdout), seen: (r.stdout + r.stderr).includes(secret), r };
    };

    for (const name of VARIANTS) {
      it(`${name}: reads inside the grant; the path outside, a .. escape and a symlink out of the grant are denied`, async () => {
        const v = readyVariant(gp, name);
        const inside = await read(v, '/rules/inside.txt');
        expect(inside.out?.result, inside.r.stdout + inside.r.stderr).toBe('ok');
        for (const target of [path.join(dir, 'sentinel'), '/rules/../sentinel', '/rules/link']) {
          const got = await read(v, target);
          expect([target, got.out?.result, got.seen]).toEqual([target, 'error', false]);
        }
      });
    }

    it('both rows: nothing outside the grant, no write to it, no environment, and both bombs contained by WasmEdge\'s limits', async () => {
      const prepared = await prepareTargets(['wasmedge'], await prepareContext(tax));
      useSpawner(spawner);
      try {
        const m = await runProbeGuestMatrix({ workload: tax, prepared, probes: ['fs-read-outside', 'fs-write-granted', 'env-read', 'mem-bomb', 'cpu-spin'] });
        const cells = Object.fromEntries(m.rows.map((r) => [r.id, Object.fromEntries(r.cells.map((c) => [c.probe, c.outcome]))]));
        const want = { 'fs-read-outside': 'denied', 'fs-write-granted': 'denied', 'env-read': 'denied', 'mem-bomb': 'contained', 'cpu-spin': 'contained' };
        expect(cells).toEqual({ 'wasmedge-interpreter': want, 'wasmedge-aot': want });
        for (const r of m.rows) expect([r.id, r.limits, r.denialNamesCapability]).toEqual([r.id, expect.stringMatching(/--memory-page-limit 4096 .*--time-limit 2000/), true]);
      } finally {
        useSpawner(null);
        await disposeAll(prepared);
      }
    });
  });

  describe('the AOT library, derived at build time from the core module', () => {
    let dir = '';
    let built: Awaited<ReturnType<typeof wvc>>;
    let verified: Awaited<ReturnType<typeof wvc>>;
    let first: RunResult;
    let stale: Preparation;
    let replaced: Workload;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'wvc-wasmedge-byo-'));
      const core = path.join(dir, 'prog.core.wasm');
      const manifest = (stdout: string) => ({ name: 'byo-wasmedge', language: 'C', argv0: 'prog', sample: { args: [], stdout }, artifacts: { core: { path: 'prog.core.wasm' } } });
      const one = await coreModule('one');
      const two = await coreModule('two');
      await writeFile(core, one);
      await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest('one\n')));
      built = await wvc(['build', '--workload', dir]);
      // Run now: the next build writes the new library at the same path.
      first = await readyVariant(await wasmedge.prepare(await prepareContext(await loadWorkload(dir))), 'aot').run({ args: [] });
      // The same path, another program: the library made from the old one must not run.
      await writeFile(core, two);
      await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest('two\n')));
      replaced = await loadWorkload(dir);
      stale = await wasmedge.prepare(await prepareContext(replaced));
      verified = await wvc(['verify', '--workload', dir, '--targets', 'wasmedge']);
    }, 120_000);
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('is made by the build and recorded with the core module it came from', async () => {
      expect(built.code, built.stdout + built.stderr).toBe(0);
      const m = JSON.parse(await readFile(path.join(ROOT, 'build', 'manifest.json'), 'utf8')) as { artifacts: { id: string; path?: string; from?: { id: string } }[] };
      const art = m.artifacts.find((a) => a.id === 'byo-wasmedge/core-wasmedge-aot');
      expect(art?.from?.id).toBe('byo-wasmedge/core');
      expect(art?.path).toMatch(/prog\.wasmedge\.so$/);
      expect([first.exitCode, first.stdout]).toEqual([0, 'one\n']);
    });

    it('is refused once the core module changed: the AOT variant is skipped as stale, the interpreter runs the new module', async () => {
      const aot = variant(stale, 'aot');
      expect(aot?.status).toBe('skipped');
      expect(aot?.status === 'skipped' && aot.reason).toMatch(/^stale: byo-wasmedge\/core .* has changed since byo-wasmedge\/core-wasmedge-aot was made from it/);
      const r = await readyVariant(stale, 'interpreter').run({ args: [] });
      expect(r.stdout).toBe('two\n');
    });

    it('is remade by the next command that builds (verify), and the new one runs on both variants', async () => {
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      for (const name of VARIANTS) expect(verified.stdout).toMatch(new RegExp(`^byo-wasmedge wasmedge ${name}: 1/1 identical`, 'm'));
      const again = await wasmedge.prepare(await prepareContext(replaced));
      const r = await readyVariant(again, 'aot').run({ args: [] });
      expect([r.exitCode, r.stdout]).toEqual([0, 'two\n']);
    });
  });
});
