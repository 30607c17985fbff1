/**
 * A real C project as a workload: two sources in different directories (one
 * outside the workload's own directory), a header in an include directory, a
 * define that changes the output and a libm call, built by the harness's cc and
 * wasi-clang steps from the manifest's build fields, then benched; `wvc cc` by hand;
 * and the manifest's lines for those fields.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WASI } from 'node:wasi';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import type { BuildContext } from '../harness/build/common.js';
import { buildNative } from '../harness/build/native.js';
import { buildCoreModule } from '../harness/build/wasm.js';
import { type CProject, loadWorkload } from '../harness/workload.js';
import { REQUIRED, ROOT, wvc } from './support.js';
import { schemaErrors } from './validate-results.js';

const exec = promisify(execFile);

// The program: hyp(a, b) by pow() from libm, printed with PRECISION digits (the define) and the header's label.
const MAIN_C = `#include <stdio.h>
#include <stdlib.h>
#include "geom.h"
#ifndef PRECISION
#define PRECISION 1
#endif
int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: geom A B\\n"); return 2; }
  printf("%s(%s,%s)=%.*f\\n", GEOM_LABEL, argv[1], argv[2], PRECISION, hyp(strtod(argv[1], 0), strtod(argv[2], 0)));
  return 0;
}
`;
const HYP_C = `#include <math.h>
#include "geom.h"
double hyp(double a, double b) { return pow(a * a + b * b, 0.5); }
`;
const GEOM_H = `#ifndef GEOM_H
#define GEOM_H
#define GEOM_LABEL "hyp"
double hyp(double a, double b);
#endif
`;

/** A project tree: <root>/modules/geom/{workload.json,src/main.c}, <root>/shared/hyp.c, <root>/include/geom.h. */
async function projectTree(): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'wvc-cproj-'));
  const dir = path.join(root, 'modules', 'geom');
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await mkdir(path.join(root, 'shared'));
  await mkdir(path.join(root, 'include'));
  await writeFile(path.join(dir, 'src', 'main.c'), MAIN_C);
  await writeFile(path.join(root, 'shared', 'hyp.c'), HYP_C);
  await writeFile(path.join(root, 'include', 'geom.h'), GEOM_H);
  return { root, dir };
}

const BUILD = { sources: ['src/main.c', '../../shared/hyp.c'], include: ['../../include'], defines: ['PRECISION=3'], flags: ['-std=c11', '-Wall'], libs: ['m'] };
const SAMPLE = { args: ['3', '4'], stdout: 'hyp(3,4)=5.000\n' };
const manifest = {
  name: 'c-project-geom',
  language: 'C',
  argv0: 'geom',
  sample: SAMPLE,
  artifacts: {
    native: { build: { tool: 'cc', ...BUILD } },
    core: { build: { tool: 'wasi-clang', ...BUILD, libs: ['m', 'wasi-emulated-signal', 'wasi-emulated-process-clocks', 'wasi-emulated-getpid', 'wasi-emulated-mman'] } },
    component: { build: { tool: 'jco-new', from: 'core' } },
  },
};

/** Runs a core module under node:wasi; its stdout. */
async function runWasi(wasm: Buffer, args: string[], dir: string): Promise<string> {
  const out = path.join(dir, `stdout-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(out, '');
  const { open } = await import('node:fs/promises');
  const fh = await open(out, 'w');
  const wasi = new WASI({ version: 'preview1', args: ['prog', ...args], stdout: fh.fd, returnOnExit: true });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(wasm)), { wasi_snapshot_preview1: wasi.wasiImport } as WebAssembly.Imports);
  const code = wasi.start(instance);
  await fh.close();
  expect(code).toBe(0);
  return readFile(out, 'utf8');
}

/** A build context over a scratch directory, remembering `previous` artifacts. */
function context(buildDir: string, previous: BuildContext['previous'] = null): BuildContext {
  return { root: ROOT, buildDir, previous, built: new Map(), log: () => {} };
}

describe('a multi-file C project, built from the manifest and benched', async () => {
  const { dir } = await projectTree();
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest, null, 2));
  const targets = ['native', 'node-wasi', 'wasmtime-embed', 'jco'];
  const out = await mkdtemp(path.join(tmpdir(), 'wvc-cproj-out-'));
  const require = ['--require', REQUIRED.filter((t) => targets.includes(t)).join(',')];
  const bench = await wvc(['bench', '--workload', dir, '--targets', targets.join(','), ...require, '--quick', '--runs', '3', '--no-cross-check', '--seed', '11', '--out', out]);
  const results = bench.code === 0 ? (JSON.parse(await readFile(path.join(out, await readlink(path.join(out, 'latest')), 'results.json'), 'utf8')) as Results) : null;

  it('builds the native program and the core module from two directories, and every sample prints the answer', () => {
    expect(bench.code, bench.stderr.slice(-3000)).toBe(0);
    expect(schemaErrors(results!)).toEqual([]);
    expect(results!.workloads.map((w) => [w.name, w.expectedStdout])).toEqual([['c-project-geom', SAMPLE.stdout]]);
    expect(results!.artifacts.map((a) => a.id)).toEqual(expect.arrayContaining(['c-project-geom/native', 'c-project-geom/core', 'c-project-geom/component']));
    const ok = results!.targets.filter((t) => t.status === 'ok');
    expect([...new Set(ok.map((t) => t.id))].sort()).toEqual([...targets].sort());
    for (const t of ok) {
      if (t.status !== 'ok') continue;
      expect(t.coldStart.failures, `${t.id}/${t.variant}`).toBe(0);
      expect(t.coldStart.samples.length, `${t.id}/${t.variant}`).toBe(3);
    }
  });

  it('the built artifacts print the answer: the define set 3 digits, the header the label, libm the root', async () => {
    const native = results!.artifacts.find((a) => a.id === 'c-project-geom/native')!;
    expect((await exec(native.path!, ['5', '12'])).stdout).toBe('hyp(5,12)=13.000\n');
    const core = results!.artifacts.find((a) => a.id === 'c-project-geom/core')!;
    expect(await runWasi(await readFile(core.path!), ['8', '15'], out)).toBe('hyp(8,15)=17.000\n');
  });
});

describe('the C build steps', async () => {
  const { root, dir } = await projectTree();
  const buildDir = await mkdtemp(path.join(tmpdir(), 'wvc-cproj-build-'));
  const project = (over: Partial<CProject> = {}): CProject => ({
    sources: [path.join(dir, 'src', 'main.c'), path.join(root, 'shared', 'hyp.c')],
    include: [path.join(root, 'include')],
    defines: ['PRECISION=3'],
    flags: [],
    libs: ['m'],
    ...over,
  });

  it('rebuilds when a header, a define, a flag or a lib changes, and reuses an unchanged build', async () => {
    const out = path.join(buildDir, 'geom');
    const first = await buildNative(context(buildDir), 'p/native', project(), out);
    const again = await buildNative(context(buildDir, { schemaVersion: 1, builtAt: '', artifacts: [first] }), 'p/native', project(), out);
    expect(again.inputsHash).toBe(first.inputsHash);
    const hashes = new Set([first.inputsHash]);
    for (const p of [project({ defines: ['PRECISION=2'] }), project({ flags: ['-O3'] }), project({ libs: [] })]) {
      hashes.add((await buildNative(context(buildDir), 'p/native', p, out)).inputsHash);
    }
    expect(hashes.size).toBe(4);
    await writeFile(path.join(root, 'include', 'geom.h'), GEOM_H.replace('"hyp"', '"h"'));
    const edited = await buildNative(context(buildDir), 'p/native', project(), out);
    expect(edited.inputsHash).not.toBe(first.inputsHash);
    expect((await exec(out, ['3', '4'])).stdout).toBe('h(3,4)=5.000\n');
    // A header next to a source counts too.
    await writeFile(path.join(dir, 'src', 'local.h'), '#define UNUSED 1\n');
    expect((await buildNative(context(buildDir), 'p/native', project(), out)).inputsHash).not.toBe(edited.inputsHash);
    await writeFile(path.join(root, 'include', 'geom.h'), GEOM_H);
  });

  it('puts user flags after the defaults, so -std=c11 overrides -std=c99', async () => {
    // _Static_assert is C11: with -pedantic-errors, the default -std=c99 refuses it and a later -std=c11 takes it.
    const src = path.join(dir, 'src', 'c11.c');
    await writeFile(src, '_Static_assert(1, "C11");\nint main(void) { return 0; }\n');
    const p = project({ sources: [src], include: [], defines: [], libs: [], flags: ['-pedantic-errors'] });
    const wasm = path.join(buildDir, 'c11.wasm');
    await expect(buildCoreModule(context(buildDir), 'p/c11', p, wasm)).rejects.toThrow(/^@yowasp\/clang failed to compile c11\.c: c11\.c:1:1: error: '_Static_assert' is a C11 extension/);
    await expect(buildNative(context(buildDir), 'p/c11', p, path.join(buildDir, 'c11'))).rejects.toThrow(/failed to build c11\.c: [^]*c11\.c:1:\d+: error: /);
    await buildCoreModule(context(buildDir), 'p/c11', { ...p, flags: ['-pedantic-errors', '-std=c11'] }, wasm);
    expect(await runWasi(await readFile(wasm), [], buildDir)).toBe('');
    await buildNative(context(buildDir), 'p/c11', { ...p, flags: ['-pedantic-errors', '-std=c11'] }, path.join(buildDir, 'c11'));
    expect((await exec(path.join(buildDir, 'c11'))).stdout).toBe('');
  });

  it('links the wasi-emulated libraries wasi-libc ships', async () => {
    const src = path.join(dir, 'src', 'emulated.c');
    await writeFile(src, `#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
int main(void) {
  signal(SIGINT, SIG_IGN);
  void *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("%d %d %d\\n", p != MAP_FAILED, getpid() > 0, clock() >= 0);
  return 0;
}
`);
    const names = ['SIGNAL', 'PROCESS_CLOCKS', 'GETPID', 'MMAN'];
    const p = project({ sources: [src], include: [], defines: names.map((n) => `_WASI_EMULATED_${n}`), libs: names.map((n) => `wasi-emulated-${n.toLowerCase().replace('_', '-')}`) });
    const wasm = path.join(buildDir, 'emulated.wasm');
    await buildCoreModule(context(buildDir), 'p/emulated', p, wasm);
    expect(await runWasi(await readFile(wasm), [], buildDir)).toBe('1 1 1\n');
  });

  it('turns a compile error into one Error with the compiler\'s messages, file names relative', async () => {
    const src = path.join(dir, 'src', 'bad.c');
    await writeFile(src, 'int main(void) { return undeclared; }\n');
    const p = project({ sources: [src, path.join(root, 'shared', 'hyp.c')] });
    await expect(buildCoreModule(context(buildDir), 'p/bad', p, path.join(buildDir, 'bad.wasm'))).rejects.toThrow(/^@yowasp\/clang failed to compile modules\/geom\/src\/bad\.c, shared\/hyp\.c: modules\/geom\/src\/bad\.c:1:25: error: use of undeclared identifier 'undeclared'/);
    await expect(buildNative(context(buildDir), 'p/bad', p, path.join(buildDir, 'bad'))).rejects.toThrow(/failed to build modules\/geom\/src\/bad\.c, shared\/hyp\.c: [^]*modules\/geom\/src\/bad\.c:1:25: error: .undeclared. undeclared/);
  });

  it('lays the tree out one level up when the shared directory has a tmp/ of its own', async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'wvc-cproj-tmp-'));
    await mkdir(path.join(base, 'proj', 'tmp'), { recursive: true });
    await writeFile(path.join(base, 'proj', 'tmp', 'x.h'), '#define X 7\n');
    await writeFile(path.join(base, 'proj', 'main.c'), '#include <stdio.h>\n#include "tmp/x.h"\nint main(void) { printf("%d\\n", X); return 0; }\n');
    const wasm = path.join(buildDir, 'tmp.wasm');
    await buildCoreModule(context(buildDir), 'p/tmp', { sources: [path.join(base, 'proj', 'main.c')], include: [], defines: [], flags: [], libs: [] }, wasm);
    expect(await runWasi(await readFile(wasm), [], buildDir)).toBe('7\n');
  });
});

describe('wvc cc', () => {
  it('compiles files of the current directory to a wasm32-wasip1 module that node:wasi runs', async () => {
    const { root } = await projectTree();
    // Run from <root>: every input is under it; the absolute output path becomes relative.
    const out = path.join(root, 'build', 'geom.wasm');
    const r = await exec(process.execPath, [path.join(ROOT, 'bin', 'wvc.js'), 'cc', '-O2', '-DPRECISION=2', '-Iinclude', 'modules/geom/src/main.c', 'shared/hyp.c', '-o', out, '-lm'], { cwd: root });
    expect(r.stderr).toBe('');
    expect(await runWasi(await readFile(out), ['6', '8'], root)).toBe('hyp(6,8)=10.00\n');
  });

  it('passes clang\'s errors and exit code through, and refuses a path outside the directory in one line', async () => {
    const { root } = await projectTree();
    const cli = path.join(ROOT, 'bin', 'wvc.js');
    await writeFile(path.join(root, 'broken.c'), 'int main(void) { return undeclared; }\n');
    const failed = await exec(process.execPath, [cli, 'cc', 'broken.c', '-o', 'broken.wasm'], { cwd: root }).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/^broken\.c:1:25: error: use of undeclared identifier 'undeclared'$/m);
    await expect(readFile(path.join(root, 'broken.wasm'))).rejects.toThrow(/ENOENT/);
    const outside = await exec(process.execPath, [cli, 'cc', '../elsewhere.c'], { cwd: root }).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(outside?.code).toBe(2);
    expect(outside?.stderr.trim()).toBe('wvc: cc: ../elsewhere.c: outside the current directory, which is all that clang sees here — run wvc cc from a directory that holds every input and output');
  });
});

describe('workload.json: the C build fields', async () => {
  const schema = JSON.parse(await readFile(path.join(ROOT, 'harness', 'schema', 'workload.schema.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const { root, dir } = await projectTree();
  const write = async (m: object): Promise<string> => {
    const d = await mkdtemp(path.join(dir, 'm-'));
    await writeFile(path.join(d, 'workload.json'), JSON.stringify(m));
    return d;
  };
  // Manifests one directory below modules/geom: paths are relative to there.
  const up = (b: Record<string, unknown>) => ({ ...manifest, artifacts: { native: { build: { tool: 'cc', ...b } } } });

  it('resolves sources, include and the rest, and reads source as sources of one', async () => {
    const good = up({ sources: ['../src/main.c', '../../../shared/hyp.c'], include: ['../../../include'], defines: ['PRECISION=3', 'NDEBUG'], flags: ['-O3'], libs: ['m'] });
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    const w = await loadWorkload(await write(good));
    expect(w.artifacts.native).toEqual({ kind: 'cc', sources: [path.join(dir, 'src', 'main.c'), path.join(root, 'shared', 'hyp.c')], include: [path.join(root, 'include')], defines: ['PRECISION=3', 'NDEBUG'], flags: ['-O3'], libs: ['m'] });
    const one = await loadWorkload(await write({ ...manifest, artifacts: { core: { build: { tool: 'wasi-clang', source: '../src/main.c' } } } }));
    expect(one.artifacts.core).toEqual({ kind: 'wasi-clang', sources: [path.join(dir, 'src', 'main.c')], include: [], defines: [], flags: [], libs: [] });
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['both source and sources', up({ source: '../src/main.c', sources: ['../src/main.c'] }), /workload\.json: artifacts\.native\.build: takes "source" \(one C file\) or "sources" \(a list of them\), not both$/],
    ['neither source nor sources', up({ include: ['../src'] }), /workload\.json: artifacts\.native\.build: needs "source" \(one C file\) or "sources" \(a list of them\)$/],
    ['an empty sources list', up({ sources: [] }), /workload\.json: artifacts\.native\.build\.sources: must not be empty$/],
    ['a source listed twice', up({ sources: ['../src/main.c', '../src/main.c'] }), /workload\.json: artifacts\.native\.build\.sources: names the same source twice \(each is compiled once\)$/],
    ['a missing source in the list', up({ sources: ['../src/main.c', '../src/nope.c'] }), /workload\.json: artifacts\.native\.build\.sources\[1\]: no such file: \.\.\/src\/nope\.c \(resolved to .*nope\.c\)$/],
    ['a missing include directory', up({ source: '../src/main.c', include: ['../headers'] }), /workload\.json: artifacts\.native\.build\.include\[0\]: no such directory: \.\.\/headers \(resolved to .*headers\)$/],
    ['a define that is not NAME or NAME=VALUE', up({ source: '../src/main.c', defines: ['-DX'] }), /workload\.json: artifacts\.native\.build\.defines\[0\]: "-DX" must be NAME or NAME=VALUE \(passed as -D\)$/],
    ['a flag that is not a flag', up({ source: '../src/main.c', flags: ['extra.c'] }), /workload\.json: artifacts\.native\.build\.flags\[0\]: "extra\.c" must be a compiler flag such as "-O3" \(sources go in sources, libraries in libs\)$/],
    ['a lib given with -l', up({ source: '../src/main.c', libs: ['-lm'] }), /workload\.json: artifacts\.native\.build\.libs\[0\]: "-lm" must be a library name without -l, e.g\. "m"$/],
    ['flags that are not a list', { ...manifest, artifacts: { core: { build: { tool: 'wasi-clang', source: '../src/main.c', flags: '-O3' } } } }, /workload\.json: artifacts\.core\.build\.flags: must be an array, got "-O3"$/],
    ['an unknown field', up({ source: '../src/main.c', output: 'x' }), /workload\.json: artifacts\.native\.build: unknown field output \(allowed: tool, source, sources, include, defines, flags, libs\)$/],
  ];
  for (const [what, m, want] of cases) {
    it(`rejects ${what}, naming the field`, async () => {
      const msg = await loadWorkload(await write(m)).then(() => 'accepted', (e: Error) => e.message);
      expect(msg).toMatch(want);
      expect(msg.split('\n')).toHaveLength(1);
      // The published schema agrees, except about what needs the filesystem.
      expect(validate(m), msg).toBe(/no such/.test(msg));
    });
  }
});
