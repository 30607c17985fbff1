import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbedHost, findLibwasmtime, precompileComponent } from '../harness/build/embed-host.js';
import type { BuildContext } from '../harness/build/common.js';
import { fileArtifact } from '../harness/build/common.js';
import type { Artifact, DeriveContext, Manifest, Preparation, PreparedVariant, PrepareContext } from '../harness/targets/types.js';
import { wasmtimeEmbed } from '../harness/targets/wasmtime-embed.js';
import { measureWarm } from '../harness/measure/warm.js';
import { run } from '../harness/util/spawn.js';
import { type Ready, readyVariant, testWorkload } from './support.js';

const exec = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// A guest that exercises the sandbox: argv, a read and a write under /rules,
// an environment variable, an exit code from argv[1], and a trap on request.
const GUEST_C = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("arg[%d]=%s\\n", i, argv[i]);
  FILE *f = fopen("/rules/x.txt", "r");
  if (f) { char buf[256]; size_t n = fread(buf, 1, sizeof buf - 1, f); buf[n] = 0; printf("read=%s\\n", buf); fclose(f); }
  else printf("read=FAILED\\n");
  FILE *w = fopen("/rules/new.txt", "w");
  printf("write=%s\\n", w ? "ALLOWED" : "DENIED");
  if (w) fclose(w);
  const char *s = getenv("WVC_SECRET");
  printf("env=%s\\n", s ? s : "(none)");
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "trap") == 0) __builtin_trap();
  return argc > 1 ? atoi(argv[1]) : 0;
}
`;

const HOST_BUILD_TIMEOUT = 180_000;

let tmp = '';
let rulesDir = '';
let hostArt: Artifact;
let componentArt: Artifact;
let cwasmArt: Artifact;
let ctx: BuildContext;
let jit: Ready;
let aot: Ready;
let pooled: Ready;


function newCtx(buildDir: string, previous: Manifest | null = null): BuildContext {
  return { root: ROOT, buildDir, previous, built: new Map(), log: () => {} };
}

function prepareCtx(artifacts: Artifact[]): PrepareContext {
  return {
    manifest: { schemaVersion: 1, builtAt: new Date().toISOString(), artifacts },
    workload: testWorkload(rulesDir, ['component']),
    root: ROOT,
    buildDir: tmp,
  };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'wvc-embed-'));
  rulesDir = path.join(tmp, 'rules');
  await mkdir(rulesDir);
  await writeFile(path.join(rulesDir, 'x.txt'), 'hello rules');

  // Guest: C -> wasm32-wasip1 core module (clang in Node) -> WASI command component (jco).
  const { commands } = await import('@yowasp/clang');
  // Load clang's resources first: clang's internal `-###` pass ignores fetchProgress and would log progress.
  await commands.clang(undefined, {}, { fetchProgress: () => {} });
  const out = await commands.clang(['--target=wasm32-wasip1', '-O2', 't.c', '-o', 't.wasm'], { 't.c': GUEST_C }, {
    stdout: null,
    stderr: null,
    fetchProgress: () => {},
  });
  const core = out?.['t.wasm'];
  if (!(core instanceof Uint8Array)) throw new Error('clang produced no t.wasm');
  const corePath = path.join(tmp, 't.wasm');
  const componentPath = path.join(tmp, 't.component.wasm');
  await writeFile(corePath, core);
  await exec(path.join(ROOT, 'node_modules', '.bin', 'jco'), ['new', corePath, '--wasi-command', '-o', componentPath]);
  componentArt = await fileArtifact('t/component', componentPath, 'test');

  ctx = newCtx(path.join(tmp, 'build'));
  const host = await buildEmbedHost(ctx);
  if ('skipped' in host) throw new Error(`host build skipped: ${host.reason} (${host.hint}); these tests need the wasmtime wheel`);
  hostArt = host;
  ctx.built.set(host.id, host);
  cwasmArt = await precompileComponent(ctx, host.path!, componentArt, 't/component-cwasm', path.join(tmp, 'build', 't.cwasm'));

  const prep = await wasmtimeEmbed.prepare(prepareCtx([hostArt, componentArt, cwasmArt]));
  jit = readyVariant(prep, 'jit');
  aot = readyVariant(prep, 'aot');
  pooled = readyVariant(prep, 'pooled');
}, HOST_BUILD_TIMEOUT);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('wasmtime-embed build', { timeout: HOST_BUILD_TIMEOUT }, () => {
  it('builds the host and a .cwasm where the manifest expects them', () => {
    expect(hostArt.id).toBe('wasmtime-embed-host');
    expect(hostArt.path).toBe(path.join(tmp, 'build', 'host', 'wvc-wasmtime-host'));
    expect(cwasmArt.id).toBe('t/component-cwasm');
    expect(cwasmArt.path).toBe(path.join(tmp, 'build', 't.cwasm'));
    expect(cwasmArt.bytes).toBeGreaterThan(0);
  });

  it('derives the .cwasm builds from the component, or skips them with a pip hint without the host', async () => {
    const [cwasm, fuel] = wasmtimeEmbed.derived ?? [];
    expect([cwasm?.role, fuel?.role]).toEqual(['component-cwasm', 'component-cwasm-fuel']);
    const w = testWorkload(rulesDir, ['component']);
    expect(cwasm.when).toBeUndefined();
    expect(fuel.when?.(w)).toBe(true);
    expect(fuel.when?.({ ...w, probes: false })).toBe(false);
    const d: DeriveContext = {
      build: ctx,
      workload: w,
      input: componentArt,
      id: 't/component-cwasm',
      outDir: path.join(tmp, 'derived'),
      harnessArtifact: (id) => (id === hostArt.id ? hostArt : undefined),
    };
    const made = await cwasm.build(d);
    expect(made).toMatchObject({ id: 't/component-cwasm', path: path.join(tmp, 'derived', 'wasm', 'tax.cwasm') });
    // The same engine config as the build's own precompile: byte-identical.
    expect(Buffer.compare(await readFile((made as Artifact).path!), await readFile(cwasmArt.path!))).toBe(0);
    expect(await fuel.build({ ...d, id: 't/component-cwasm-fuel' })).toMatchObject({ id: 't/component-cwasm-fuel', path: path.join(tmp, 'derived', 'wasm', 'tax.fuel.cwasm') });
    expect(await cwasm.build({ ...d, harnessArtifact: () => undefined })).toEqual({ skipped: true, reason: 'needs the wasmtime-embed host', hint: 'pip install wasmtime' });
  });

  it('reports the wheel version and reuses unchanged artifacts', async () => {
    const lib = await findLibwasmtime();
    expect(lib).not.toBeNull();
    const { stdout } = await exec(hostArt.path!, ['version']);
    expect(stdout.trim()).toBe(lib!.version);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);

    const previous: Manifest = { schemaVersion: 1, builtAt: '', artifacts: [hostArt, cwasmArt] };
    const again = newCtx(ctx.buildDir, previous);
    const host2 = await buildEmbedHost(again);
    expect(host2).toEqual(hostArt);
    again.built.set(hostArt.id, hostArt);
    expect(await precompileComponent(again, hostArt.path!, componentArt, 't/component-cwasm', cwasmArt.path!)).toEqual(cwasmArt);
  });

  describe('without libwasmtime', () => {
    const saved = { lib: process.env.WVC_LIBWASMTIME, py: process.env.WVC_PYTHON };
    afterEach(() => {
      for (const [k, v] of [['WVC_LIBWASMTIME', saved.lib], ['WVC_PYTHON', saved.py]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    it('skips with a pip hint when WVC_LIBWASMTIME names a missing file', async () => {
      process.env.WVC_LIBWASMTIME = '/nonexistent/libwasmtime.so';
      process.env.WVC_PYTHON = '/nonexistent/python3';
      expect(await findLibwasmtime()).toBeNull();
      const r = await buildEmbedHost(newCtx(path.join(tmp, 'build-missing')));
      expect(r).toMatchObject({ skipped: true, hint: 'pip install wasmtime' });
      expect(existsSync(path.join(tmp, 'build-missing', 'host'))).toBe(false);
    });

    it('skips when python3 cannot be run', async () => {
      delete process.env.WVC_LIBWASMTIME;
      process.env.WVC_PYTHON = '/nonexistent/python3';
      expect(await findLibwasmtime()).toBeNull();
      const r = await buildEmbedHost(newCtx(path.join(tmp, 'build-missing')));
      expect(r).toMatchObject({ skipped: true, hint: 'pip install wasmtime' });
    });

    it('honours WVC_LIBWASMTIME pointing at a real library', async () => {
      const wheel = await findLibwasmtime();
      process.env.WVC_LIBWASMTIME = wheel!.libPath;
      const lib = await findLibwasmtime();
      expect(lib).toEqual({ libPath: wheel!.libPath, libDir: path.dirname(wheel!.libPath), version: wheel!.version });
    });

    it('the target is skipped with the same hint when the host was not built', async () => {
      const avail = await wasmtimeEmbed.prepare(prepareCtx([componentArt]));
      expect(avail).toMatchObject({ status: 'skipped', hint: 'pip install wasmtime' });
    });
  });
});

describe('wasmtime-embed target (real engine)', { timeout: 60_000 }, () => {
  it('runs JIT and AOT with identical output; exit codes are ok/err (WASI 0.2)', async () => {
    // wasi:cli/exit.exit takes a result, so the preview1 adapter reports exit(3) as err: status 1.
    const expected: Record<string, number> = { '0': 0, '3': 1, '4': 1 };
    for (const [code, status] of Object.entries(expected)) {
      const j = await jit.run({ args: [code, 'b c'] });
      const a = await aot.run({ args: [code, 'b c'] });
      expect(j.stderr).toBe('');
      expect(j.stdout).toBe(a.stdout);
      expect(j.stdout).toContain(`arg[0]=tax\narg[1]=${code}\narg[2]=b c\n`);
      expect(j.exitCode).toBe(status);
      expect(a.exitCode).toBe(status);
    }
    expect(jit.spec.exitCodes).toBe('ok-err');
    expect(aot.spec.exitCodes).toBe('ok-err');
  });

  it('preopens /rules read-only: reads work, writes are denied', async () => {
    for (const v of [jit, aot]) {
      const r = await v.run({ args: ['0'] });
      expect(r.stdout).toContain('read=hello rules\n');
      expect(r.stdout).toContain('write=DENIED\n');
    }
    expect(existsSync(path.join(rulesDir, 'new.txt'))).toBe(false);
  });

  it('preopens a --dir-rw grant writable, and names argv[0] main unless --argv0 says otherwise', async () => {
    const rw = await mkdtemp(path.join(os.tmpdir(), 'wvc-embed-rw-'));
    await writeFile(path.join(rw, 'x.txt'), 'hello rules');
    const r = await run(hostArt.path!, ['run', '--dir-rw', `${rw}::/rules`, componentArt.path!, '--', '0'], { env: {} });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('write=ALLOWED\n');
    expect(r.stdout).toContain('arg[0]=main\n');
    expect(existsSync(path.join(rw, 'new.txt'))).toBe(true);
    await rm(rw, { recursive: true, force: true });
  });

  it('gives the guest an empty environment even when the host has one', async () => {
    const r = await run(hostArt.path!, ['run', '--dir', `${rulesDir}::/rules`, componentArt.path!, '--', '0'], {
      env: { WVC_SECRET: 'leaked', HOME: '/root', PATH: process.env.PATH },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('env=(none)\n');
  });

  it('reports the four phases in ms', async () => {
    for (const v of [jit, aot]) {
      const r = await v.run({ args: ['0'] });
      expect(Object.keys(r.phases ?? {}).sort()).toEqual(['engine', 'instantiate', 'load', 'run']);
      for (const v of Object.values(r.phases!)) {
        expect(typeof v).toBe('number');
        expect(v).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('--iterations N instantiates and runs N times after one load', async () => {
    const r = await run(
      hostArt.path!,
      ['run', '--aot', '--iterations', '3', '--timings-fd', '3', '--argv0', 'tax', '--dir', `${rulesDir}::/rules`, cwasmArt.path!, '--', '0'],
      { env: {}, sideChannel: true },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('arg[0]=tax').length - 1).toBe(3);
    const t = JSON.parse(r.side!.trim()) as { iterations: { instantiate_ms: number; run_ms: number }[]; run_ms: number };
    expect(t.iterations).toHaveLength(3);
    for (const i of t.iterations) {
      expect(i.instantiate_ms).toBeGreaterThanOrEqual(0);
      expect(i.run_ms).toBeGreaterThanOrEqual(0);
    }
    expect(t.run_ms).toBe(t.iterations[0].run_ms);
  });

  it('a trapping guest exits 134 with {"trap":...} on stderr', async () => {
    for (const v of [jit, aot]) {
      const r = await v.run({ args: ['trap'] });
      expect(r.exitCode).toBe(134);
      expect(r.stdout).toContain('arg[1]=trap\n'); // output before the trap still arrives
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      const trap = JSON.parse(lines[0]) as { trap: string };
      expect(trap.trap).toMatch(/unreachable/);
      expect(Object.keys(r.phases ?? {}).sort()).toEqual(['engine', 'instantiate', 'load', 'run']);
    }
  });

  it('a fuel probe under aot needs the .cwasm compiled for fuel', async () => {
    await expect(aot.probe!({ args: ['0'], timeoutMs: 10_000, limits: { fuel: 1_000_000_000 } })).rejects.toThrow(/component-cwasm-fuel/);
    const r = await jit.probe!({ args: ['0'], timeoutMs: 30_000, limits: { fuel: 1_000_000_000 } });
    expect(r.exitCode).toBe(0);
  });

  it('declares the three variants, in order, as wasm with a warm loop', () => {
    expect(wasmtimeEmbed.variants.map((v) => v.name)).toEqual(['jit', 'aot', 'pooled']);
    for (const v of wasmtimeEmbed.variants) expect(v).toMatchObject({ class: 'wasm', exitCodes: 'ok-err', warm: { mode: expect.stringContaining('--iterations') } });
    expect(wasmtimeEmbed.capabilityRows).toEqual([expect.objectContaining({ variant: 'aot', limits: { memoryBytes: 256 * 2 ** 20, fuel: 3_000_000_000 } })]);
  });

  it('describes the command and grants', () => {
    const d = aot.describe();
    expect(aot.spec.label).toBe('wasmtime-embed (AOT .cwasm)');
    expect(d.runtime.name).toBe('wasmtime (embedded, C API)');
    const inv = aot.invocation({ args: ['--x=1'] });
    expect(inv).toEqual({ kind: 'process', env: {}, argv: [expect.stringMatching(/wvc-wasmtime-host$/), 'run', '--aot', '--timings-fd', '3', '--argv0', 'tax', '--dir', `${rulesDir}::/rules`, cwasmArt.path, '--', '--x=1'] });
    expect(d.artifact).toBe('t/component-cwasm');
    expect(d.grants).toEqual(['fs:/rules (read-only preopen)', 'env: none', 'net: none (WASI p2 sockets not granted)', 'stdio: stdout, stderr']);
    expect(d.fuelArtifact).toBeUndefined();
    expect(jit.spec.label).toBe('wasmtime-embed (JIT)');
    expect(jit.describe().artifact).toBe('t/component');
  });
});

describe('wasmtime-embed pooled (pooling allocator + CoW, real engine)', { timeout: 60_000 }, () => {
  const args = (code: string) => ['--aot', '--timings-fd', '3', '--argv0', 'tax', '--dir', `${rulesDir}::/rules`, cwasmArt.path!, '--', code];

  it('runs the C guest from the same .cwasm with the same output, exit codes and grants as aot', async () => {
    for (const [code, status] of [['0', 0], ['3', 1], ['4', 1]] as const) {
      const p = await pooled.run({ args: [code, 'b c'] });
      const a = await aot.run({ args: [code, 'b c'] });
      expect(p.stderr).toBe('');
      expect(p.stdout).toBe(a.stdout);
      expect(p.stdout).toContain(`arg[0]=tax\narg[1]=${code}\narg[2]=b c\n`);
      expect(p.stdout).toContain('read=hello rules\nwrite=DENIED\nenv=(none)\n');
      expect([p.exitCode, a.exitCode]).toEqual([status, status]);
      expect(Object.keys(p.phases ?? {}).sort()).toEqual(['engine', 'instantiate', 'load', 'run']);
    }
    const t = await pooled.run({ args: ['trap'] });
    expect(t.exitCode).toBe(134);
    expect((JSON.parse(t.stderr.trim()) as { trap: string }).trap).toMatch(/unreachable/);
  });

  it('--iterations 50 --pooled: 50 fresh instances, each with instantiate_ms and run_ms, each answering', async () => {
    const r = await run(hostArt.path!, ['run', '--pooled', '--iterations', '50', ...args('0')], { env: {}, sideChannel: true });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const one = 'arg[0]=tax\narg[1]=0\nread=hello rules\nwrite=DENIED\nenv=(none)\n';
    expect(r.stdout).toBe(one.repeat(50));
    const t = JSON.parse(r.side!.trim()) as { iterations: { instantiate_ms: unknown; run_ms: unknown }[] };
    expect(t.iterations).toHaveLength(50);
    for (const i of t.iterations) {
      expect(Object.keys(i).sort()).toEqual(['instantiate_ms', 'run_ms']);
      expect(typeof i.instantiate_ms).toBe('number');
      expect(typeof i.run_ms).toBe('number');
      expect(i.instantiate_ms as number).toBeGreaterThanOrEqual(0);
      expect(i.run_ms as number).toBeGreaterThanOrEqual(0);
    }
    // A pool of 8 component instances serves 50 requests: each store's slots go back to the pool.
  });

  it('the pooled warm loop reports each request split into instantiate and run, and the warm step records their medians', async () => {
    const w = await pooled.warm!({ args: ['0'], iterations: 50 });
    expect(w.mode).toContain('--pooled --iterations 50');
    expect(w.stdout).toBe('arg[0]=tax\n');
    expect(w.samples).toHaveLength(50);
    expect(w.split?.instantiate).toHaveLength(50);
    expect(w.split?.run).toHaveLength(50);
    w.samples.forEach((s, i) => expect(s).toBeCloseTo(w.split!.instantiate[i] + w.split!.run[i], 9));

    const units = [
      { key: 'pooled', v: pooled },
      { key: 'aot', v: aot },
    ];
    const res = await measureWarm(units, { args: ['0'], expectedStdout: 'arg[0]=tax\n', iterations: 20, seed: 1, shouldStop: () => false });
    for (const key of ['pooled', 'aot']) {
      const m = res.get(key);
      expect(m?.status, key).toBe('ok');
      if (m?.status !== 'ok') continue;
      expect(m.samples).toHaveLength(20);
      expect(m.instantiateMedianMs).toBeGreaterThanOrEqual(0);
      expect(m.runMedianMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('describes itself: the aot command plus --pooled, the same .cwasm and grants, its own label', () => {
    expect(pooled.spec.label).toBe('wasmtime-embed (AOT .cwasm, pooling allocator + CoW)');
    expect(pooled.spec.cacheState).toMatch(/pooling allocator.*copy-on-write/);
    expect(pooled.invocation({ args: ['--x=1'] })).toEqual({
      kind: 'process',
      env: {},
      argv: [expect.stringMatching(/wvc-wasmtime-host$/), 'run', '--aot', '--pooled', '--timings-fd', '3', '--argv0', 'tax', '--dir', `${rulesDir}::/rules`, cwasmArt.path, '--', '--x=1'],
    });
    expect(pooled.describe()).toEqual(aot.describe());
  });

  it('a fuel probe under pooled needs the .cwasm compiled for fuel, as under aot', async () => {
    await expect(pooled.probe!({ args: ['0'], timeoutMs: 10_000, limits: { fuel: 1_000_000_000 } })).rejects.toThrow(/component-cwasm-fuel/);
  });
});

describe('wvc-wasmtime-host errors', { timeout: 60_000 }, () => {
  const host = () => hostArt.path!;

  it('usage errors exit 125 with one line', async () => {
    for (const args of [[], ['frobnicate'], ['run'], ['run', '--iterations', '0', 'x.wasm'], ['run', '--bogus', 'x'], ['run', '--dir', '/nonexistent::/r', 'x.wasm']]) {
      const r = await run(host(), args, { env: {} });
      expect(r.exitCode, args.join(' ')).toBe(125);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('an unloadable file exits 126', async () => {
    const core = path.join(tmp, 't.wasm'); // a core module, not a component
    for (const args of [['run', core], ['run', '--aot', componentArt.path!], ['run', path.join(tmp, 'missing.wasm')]]) {
      const r = await run(host(), args, { env: {} });
      expect(r.exitCode, args.join(' ')).toBe(126);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--fuel meters execution: too little fuel traps', async () => {
    const r = await run(host(), ['run', '--fuel', '1000', '--dir', `${rulesDir}::/rules`, componentArt.path!, '--', '0'], { env: {} });
    expect(r.exitCode).toBe(134);
    expect((JSON.parse(r.stderr.trim()) as { trap: string }).trap).toMatch(/fuel/);
    const ok = await run(host(), ['run', '--fuel', '1000000000', '--dir', `${rulesDir}::/rules`, componentArt.path!, '--', '0'], { env: {} });
    expect(ok.exitCode).toBe(0);
  });

  it('--max-memory below the guest minimum fails instantiation', async () => {
    const r = await run(host(), ['run', '--max-memory', '65536', componentArt.path!, '--', '0'], { env: {} });
    expect(r.exitCode).toBe(126);
    expect(r.stderr).toMatch(/memory/);
    const ok = await run(host(), ['run', '--max-memory', String(64 << 20), componentArt.path!, '--', '0'], { env: {} });
    expect(ok.exitCode).toBe(0);
  });

  it('a .cwasm made by compile deserializes, and is byte-identical when recompiled', async () => {
    const again = path.join(tmp, 'again.cwasm');
    const r = await run(host(), ['compile', componentArt.path!, again], { env: {} });
    expect(r.exitCode).toBe(0);
    expect(Buffer.compare(await readFile(again), await readFile(cwasmArt.path!))).toBe(0);
  });
});
