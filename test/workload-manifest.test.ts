import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadWorkload } from '../harness/workload.js';
import { workloadRecord } from '../harness/measure/rows.js';
import { referenceTax } from '../harness/reference/tax.js';
import { ROOT } from './support.js';

const schema = JSON.parse(await readFile(path.join(ROOT, 'harness', 'schema', 'workload.schema.json'), 'utf8'));
// A plain validator, not harness/validate.ts: not strict, as other tools are not, so it ignores x-error.
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** A valid manifest in a fresh directory, with one prebuilt core module, a data grant and a Dockerfile directory (img). */
async function workloadDir(manifest: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wvc-manifest-'));
  await mkdir(path.join(dir, 'data'));
  await mkdir(path.join(dir, 'img'));
  await writeFile(path.join(dir, 'img', 'Dockerfile'), 'FROM scratch\n');
  await writeFile(path.join(dir, 'app.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  await writeFile(path.join(dir, 'workload.json'), JSON.stringify(manifest));
  return dir;
}

const GOOD = {
  name: 'hello',
  language: 'C',
  grants: [{ host: 'data', guest: '/data' }],
  sample: { args: ['x'], stdout: 'x\n' },
  artifacts: { core: { path: 'app.wasm' } },
};

const messageOf = async (m: Record<string, unknown>): Promise<string> => {
  const dir = await workloadDir(m);
  try {
    await loadWorkload(dir);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('loadWorkload accepted a bad manifest');
};

describe('workload.json', () => {
  it('loads the committed manifests, and the JSON Schema accepts them', async () => {
    for (const d of ['tax-calculator', 'tax-calculator-js']) {
      const file = path.join(ROOT, 'modules', d, 'workload.json');
      expect(validate(JSON.parse(await readFile(file, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
      const w = await loadWorkload(path.dirname(file));
      expect(w.name).toBe(d);
      // The same program in two languages: the reports pair them by task.
      expect(w.task).toBe('tax-calculator');
      expect(w.interpreted).toBeUndefined();
      expect(w.grants).toEqual([{ host: path.join(ROOT, 'modules', 'tax-calculator', 'rules'), guest: '/rules', readOnly: true, arg: '--rules' }]);
      expect(w.sample.stdout).toBe('{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}\n');
      // The expected answer is the independent TypeScript reference's, not a number copied by hand.
      expect(referenceTax([...w.sample.args, `--rules=${w.grants[0].host}`])).toMatchObject({ exitCode: 0, stdout: w.sample.stdout });
    }
  });

  it('resolves paths against the manifest and fills the defaults', async () => {
    const dir = await workloadDir(GOOD);
    const w = await loadWorkload(dir);
    expect(w).toMatchObject({ name: 'hello', argv0: 'hello', probes: false, vectors: null, grants: [{ host: path.join(dir, 'data'), guest: '/data', readOnly: true }] });
    expect(w.artifacts.core).toEqual({ kind: 'path', path: path.join(dir, 'app.wasm') });
    expect(w.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    // interpreted and task are optional: absent, the workload carries neither.
    expect('interpreted' in w).toBe(false);
    expect('task' in w).toBe(false);
  });

  it('carries interpreted and task from the manifest, and the JSON Schema accepts them', async () => {
    const m = { ...GOOD, language: 'JavaScript (embedded interpreter)', interpreted: false, task: 'hello-world' };
    expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
    const w = await loadWorkload(await workloadDir(m));
    expect({ language: w.language, interpreted: w.interpreted, task: w.task }).toEqual({ language: 'JavaScript (embedded interpreter)', interpreted: false, task: 'hello-world' });
    // The run records both with the workload, for the reports to read from results.json; absent, neither.
    const rec = workloadRecord(w, [], ROOT);
    expect({ language: rec.language, interpreted: rec.interpreted, task: rec.task }).toEqual({ language: 'JavaScript (embedded interpreter)', interpreted: false, task: 'hello-world' });
    const plain = workloadRecord(await loadWorkload(await workloadDir(GOOD)), [], ROOT);
    expect(['interpreted' in plain, 'task' in plain]).toEqual([false, false]);
  });

  // Each bad manifest: one line, the manifest's path, the field, and the problem; the published schema rejects it too.
  const img = (build: Record<string, unknown>) => ({ ...GOOD, artifacts: { core: { path: 'app.wasm' }, image: { build: { tool: 'docker', dockerfile: 'img', ...build } } } });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a missing field', { ...GOOD, sample: undefined }, /workload\.json: missing field sample$/],
    ['a missing expected stdout', { ...GOOD, sample: { args: [] } }, /workload\.json: sample: missing field stdout: a sample needs args \(its arguments\) and stdout \(the exact stdout it must print\)$/],
    ['a path that does not exist', { ...GOOD, artifacts: { core: { path: 'nope.wasm' } } }, /workload\.json: artifacts\.core\.path: no such file: nope\.wasm \(resolved to .*nope\.wasm\)$/],
    ['a grant that does not exist', { ...GOOD, grants: [{ host: 'missing', guest: '/data' }] }, /workload\.json: grants\[0\]\.host: no such directory: missing \(resolved to .*missing\)$/],
    ['a guest path granted twice', { ...GOOD, grants: [{ host: 'data', guest: '/data' }, { host: 'data', guest: '/data' }] }, /workload\.json: grants\[1\]\.guest: \/data is granted twice$/],
    ['a relative guest path', { ...GOOD, grants: [{ host: 'data', guest: 'data' }] }, /workload\.json: grants\[0\]\.guest: "data" must be an absolute guest path other than \/$/],
    ['the root as guest path', { ...GOOD, grants: [{ host: 'data', guest: '/' }] }, /workload\.json: grants\[0\]\.guest: "\/" must be an absolute guest path other than \/$/],
    ['a grant flag that is not a flag', { ...GOOD, grants: [{ host: 'data', guest: '/data', arg: 'rules' }] }, /workload\.json: grants\[0\]\.arg: "rules" must be a flag such as "--rules"$/],
    ['a readOnly that is not a boolean', { ...GOOD, grants: [{ host: 'data', guest: '/data', readOnly: 'yes' }] }, /workload\.json: grants\[0\]\.readOnly: must be true or false, got "yes"$/],
    ['grants that are not a list', { ...GOOD, grants: { host: 'data' } }, /workload\.json: grants: must be an array, got an object$/],
    ['an unknown top-level field', { ...GOOD, grant: [] }, /workload\.json: unknown field grant \(allowed: \$schema, name, language, interpreted, task, description, argv0, grants, sample, vectors, probes, artifacts\)$/],
    ['an unknown field', { ...GOOD, artifacts: { core: { path: 'app.wasm', sha: 'x' } } }, /workload\.json: artifacts\.core: unknown field sha \(allowed: path, build\)$/],
    ['an unknown role', { ...GOOD, artifacts: { wasm: { path: 'app.wasm' } } }, /workload\.json: artifacts: unknown field wasm \(allowed: native, core, component, script, image, imageDebian\)$/],
    ['both a path and a build', { ...GOOD, artifacts: { core: { path: 'app.wasm', build: { tool: 'wasi-clang', source: 'app.wasm' } } } }, /workload\.json: artifacts\.core: needs exactly one of "path" or "build", not both$/],
    ['neither a path nor a build', { ...GOOD, artifacts: { core: {} } }, /workload\.json: artifacts\.core: needs exactly one of "path" or "build"$/],
    ['a tool that cannot build the role', { ...GOOD, artifacts: { core: { build: { tool: 'cc', source: 'app.wasm' } } } }, /workload\.json: artifacts\.core\.build\.tool: "cc" cannot build a core artifact \(choose: wasi-clang\)$/],
    ['a field the tool does not take', { ...GOOD, artifacts: { core: { build: { tool: 'wasi-clang', source: 'app.wasm', output: 'x.wasm' } } } }, /workload\.json: artifacts\.core\.build: unknown field output \(allowed: tool, source, sources, include, defines, flags, libs\)$/],
    ['a build without its source', { ...GOOD, artifacts: { component: { build: { tool: 'componentize-js', source: 'app.wasm', world: 'w' } } } }, /workload\.json: artifacts\.component\.build: missing field wit$/],
    ['a source that does not exist', { ...GOOD, artifacts: { native: { build: { tool: 'cc', source: 'main.c' } } } }, /workload\.json: artifacts\.native\.build\.source: no such file: main\.c/],
    ['an image given by path', { ...GOOD, artifacts: { image: { path: 'app.wasm' } } }, /workload\.json: artifacts\.image: unknown field path: an image is referenced by "tag" \(a prebuilt image\) or built from a "build" Dockerfile$/],
    ['an empty image tag', { ...GOOD, artifacts: { image: { tag: '' } } }, /workload\.json: artifacts\.image\.tag: must not be empty$/],
    ['a script on another runtime', { ...GOOD, artifacts: { script: { path: 'app.wasm', runtime: 'deno' } } }, /workload\.json: artifacts\.script\.runtime: "deno" is not a supported runtime \(supported: node\)$/],
    ['a component from something else than the core', { ...GOOD, artifacts: { core: { path: 'app.wasm' }, component: { build: { tool: 'jco-new', from: 'native' } } } }, /workload\.json: artifacts\.component\.build\.from: "native" must be "core" \(the core module this workload builds\)$/],
    ['a component from a core that is not declared', { ...GOOD, artifacts: { component: { build: { tool: 'jco-new', from: 'core' } } } }, /workload\.json: artifacts\.component\.build\.from: names "core", but the workload declares no artifacts\.core$/],
    ['an image base the harness does not build', img({ base: 'alpine' }), /workload\.json: artifacts\.image\.build\.base: "alpine" must be "debian" or "node" \(a base the harness builds locally\); a registry base goes in the Dockerfile's ARG default$/],
    ['an image file from a role images cannot hold', img({ files: { app: '@script' } }), /workload\.json: artifacts\.image\.build\.files\.app: "@script" must be a path or one of @native, @core, @component \(a built artifact copied into the image\)$/],
    ['an image file from an undeclared artifact', img({ files: { 'tax.bin': '@native' } }), /workload\.json: artifacts\.image\.build\.files\["tax\.bin"\]: @native: the workload declares no artifacts\.native$/],
    ['an image directory without a Dockerfile', img({ dockerfile: 'data' }), /workload\.json: artifacts\.image\.build\.dockerfile: no Dockerfile in data$/],
    ['an image file that does not exist', img({ files: { app: 'app.bin' } }), /workload\.json: artifacts\.image\.build\.files\.app: no such file: app\.bin/],
    ['a bad name', { ...GOOD, name: 'Hello World' }, /workload\.json: name: "Hello World" must be lower-case letters, digits and dashes, at most 63 \(it names artifacts and images\)$/],
    ['a name that is not a string', { ...GOOD, name: 7 }, /workload\.json: name: must be a string, got 7$/],
    ['an empty language', { ...GOOD, language: '' }, /workload\.json: language: must not be empty$/],
    ['sample args that are not strings', { ...GOOD, sample: { args: ['x', 2], stdout: '' } }, /workload\.json: sample\.args\[1\]: must be a string, got 2$/],
    ['interpreted that is not a boolean', { ...GOOD, interpreted: 'yes' }, /workload\.json: interpreted: must be true or false, got "yes"$/],
    ['a task that is not a string', { ...GOOD, task: 7 }, /workload\.json: task: must be a string, got 7$/],
    ['an empty task', { ...GOOD, task: '' }, /workload\.json: task: must not be empty$/],
    ['probes that is not a boolean', { ...GOOD, probes: 'yes' }, /workload\.json: probes: must be true or false, got "yes"$/],
    ['vectors that do not exist', { ...GOOD, vectors: 'v.jsonl' }, /workload\.json: vectors: no such file: v\.jsonl/],
    ['no artifact', { ...GOOD, artifacts: {} }, /workload\.json: artifacts: declares no artifact: a workload needs at least one of native, core, component, script, image, imageDebian$/],
    ['a manifest that is not an object', [GOOD] as unknown as Record<string, unknown>, /workload\.json: must be an object, got an array$/],
  ];
  // Problems only the loader can see: the filesystem, and one field against another.
  const semantic = /no such|no Dockerfile|declares no artifacts\.|granted twice/;
  for (const [what, manifest, want] of cases) {
    it(`rejects ${what}, naming the field`, async () => {
      const msg = await messageOf(manifest);
      expect(msg).toMatch(want);
      expect(msg.split('\n')).toHaveLength(1);
      // The published schema, run by a plain validator, catches the same manifests, except what needs the filesystem or compares fields.
      expect(validate(JSON.parse(JSON.stringify(manifest))), msg).toBe(semantic.test(msg));
    });
  }

  it('rejects a directory without a manifest and a file that is not JSON', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'wvc-manifest-'));
    await expect(loadWorkload(empty)).rejects.toThrow(/^--workload .*: no workload\.json there — a workload is a directory with a workload\.json/);
    await writeFile(path.join(empty, 'workload.json'), '{"name": ');
    await expect(loadWorkload(empty)).rejects.toThrow(/workload\.json: not valid JSON: /);
  });
});
