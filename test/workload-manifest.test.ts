import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadWorkload } from '../harness/workload.js';
import { referenceTax } from '../harness/reference/tax.js';
import { ROOT } from './support.js';

const schema = JSON.parse(await readFile(path.join(ROOT, 'harness', 'schema', 'workload.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

/** A valid manifest in a fresh directory, with one prebuilt core module and a data grant. */
async function workloadDir(manifest: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wvc-manifest-'));
  await mkdir(path.join(dir, 'data'));
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
  });

  // Each bad manifest: one line, the manifest's path, the field, and the problem; the schema rejects it too.
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a missing field', { ...GOOD, sample: undefined }, /workload\.json: sample: missing \(required\)$/],
    ['a missing expected stdout', { ...GOOD, sample: { args: [] } }, /workload\.json: sample\.stdout: missing \(required\)/],
    ['a path that does not exist', { ...GOOD, artifacts: { core: { path: 'nope.wasm' } } }, /workload\.json: artifacts\.core\.path: no such file: nope\.wasm \(resolved to .*nope\.wasm\)$/],
    ['a grant that does not exist', { ...GOOD, grants: [{ host: 'missing', guest: '/data' }] }, /workload\.json: grants\[0\]\.host: no such directory: missing/],
    ['a relative guest path', { ...GOOD, grants: [{ host: 'data', guest: 'data' }] }, /workload\.json: grants\[0\]\.guest: must be an absolute guest path/],
    ['an unknown field', { ...GOOD, artifacts: { core: { path: 'app.wasm', sha: 'x' } } }, /workload\.json: artifacts\.core\.sha: unknown field \(allowed: path\)$/],
    ['an unknown role', { ...GOOD, artifacts: { wasm: { path: 'app.wasm' } } }, /workload\.json: artifacts\.wasm: unknown field \(allowed: native, core, component, script, image, imageDebian\)$/],
    ['a tool that cannot build the role', { ...GOOD, artifacts: { core: { build: { tool: 'cc', source: 'app.wasm' } } } }, /workload\.json: artifacts\.core\.build\.tool: "cc" cannot build a core artifact \(choose: wasi-clang\)$/],
    ['an image given by path', { ...GOOD, artifacts: { image: { path: 'app.wasm' } } }, /workload\.json: artifacts\.image\.path: an image is referenced by "tag"/],
    ['a component from a core that is not declared', { ...GOOD, artifacts: { component: { build: { tool: 'jco-new', from: 'core' } } } }, /workload\.json: artifacts\.component\.build\.from: names "core", but the workload declares no artifacts\.core$/],
    ['a bad name', { ...GOOD, name: 'Hello World' }, /workload\.json: name: "Hello World" must be lower-case letters, digits and dashes/],
    ['no artifact', { ...GOOD, artifacts: {} }, /workload\.json: artifacts: declares no artifact/],
  ];
  for (const [what, manifest, want] of cases) {
    it(`rejects ${what}, naming the field`, async () => {
      const msg = await messageOf(manifest);
      expect(msg).toMatch(want);
      expect(msg.split('\n')).toHaveLength(1);
      // The published schema catches the same manifests, except what needs the filesystem.
      if (!/no such|declares no artifacts\.core/.test(msg)) expect(validate(JSON.parse(JSON.stringify(manifest)))).toBe(false);
    });
  }

  it('rejects a directory without a manifest and a file that is not JSON', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'wvc-manifest-'));
    await expect(loadWorkload(empty)).rejects.toThrow(/^--workload .*: no workload\.json there — a workload is a directory with a workload\.json/);
    await writeFile(path.join(empty, 'workload.json'), '{"name": ');
    await expect(loadWorkload(empty)).rejects.toThrow(/workload\.json: not valid JSON: /);
  });
});
