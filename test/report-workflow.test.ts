import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml } from './mini-yaml.js';
import { ROOT } from './support.js';

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };

/** Inputs each action documents (action.yml of the pinned major version). */
const DOCUMENTED: Record<string, string[]> = {
  'actions/checkout@v4': ['repository', 'ref', 'token', 'ssh-key', 'ssh-known-hosts', 'ssh-strict', 'ssh-user', 'persist-credentials', 'path', 'clean', 'filter', 'sparse-checkout', 'sparse-checkout-cone-mode', 'fetch-depth', 'fetch-tags', 'show-progress', 'lfs', 'submodules', 'set-safe-directory', 'github-server-url'],
  'actions/setup-node@v4': ['always-auth', 'node-version', 'node-version-file', 'architecture', 'check-latest', 'registry-url', 'scope', 'token', 'cache', 'cache-dependency-path', 'mirror', 'mirror-token'],
  'actions/upload-artifact@v4': ['name', 'path', 'if-no-files-found', 'retention-days', 'compression-level', 'overwrite', 'include-hidden-files'],
};
const REQUIRE = 'native,node,node-wasi,jco,wasmtime-embed,docker,containerd,oci';

describe('.github/workflows/bench.yml', () => {
  const text = readFileSync(path.join(ROOT, '.github', 'workflows', 'bench.yml'), 'utf8');
  const doc = parseYaml(text) as { on: Record<string, unknown>; jobs: Record<string, { 'runs-on': string; env?: Record<string, unknown>; steps: Step[] }> };
  const job = doc.jobs.bench;
  const steps = job.steps;
  const at = (pred: (s: Step) => boolean) => steps.findIndex(pred);

  it('runs on push, pull_request and workflow_dispatch, on ubuntu-latest', () => {
    expect(Object.keys(doc.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(job['runs-on']).toBe('ubuntu-latest');
  });

  it('uses only documented inputs of pinned actions', () => {
    for (const s of steps.filter((x) => x.uses)) {
      expect(Object.keys(DOCUMENTED), s.uses).toContain(s.uses);
      for (const k of Object.keys(s.with ?? {})) expect(DOCUMENTED[s.uses!], `${s.uses} with.${k}`).toContain(k);
    }
    expect(steps.find((s) => s.uses === 'actions/setup-node@v4')?.with).toEqual({ 'node-version': 20, cache: 'npm' });
  });

  it('installs, tests with every target required, benches, then uploads and summarises, in that order', () => {
    const order = [
      at((s) => s.uses === 'actions/checkout@v4'),
      at((s) => s.uses === 'actions/setup-node@v4'),
      at((s) => s.run === 'sudo bash scripts/setup.sh'),
      at((s) => s.run === 'npm ci'),
      at((s) => s.run === 'npm test'),
      at((s) => s.run === 'npm run bench'),
      at((s) => s.id === 'run'),
      at((s) => s.uses === 'actions/upload-artifact@v4'),
      at((s) => !!s.run?.includes('$GITHUB_STEP_SUMMARY')),
    ];
    expect(order.every((x) => x >= 0), JSON.stringify(order)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const env = (s: Step) => ({ ...(job.env ?? {}), ...(s.env ?? {}) }).BENCH_REQUIRE;
    expect(env(steps[order[4]])).toBe(REQUIRE);
    expect(env(steps[order[5]])).toBe(REQUIRE);
  });

  it('uploads the resolved run directory, not the results/latest symlink', () => {
    const find = steps.find((s) => s.id === 'run')!;
    expect(find.run).toContain('echo "dir=results/$(readlink results/latest)" >> "$GITHUB_OUTPUT"');
    const up = steps.find((s) => s.uses === 'actions/upload-artifact@v4')!;
    expect(up.with?.path).toBe('${{ steps.run.outputs.dir }}');
    expect(up.if).toContain('!cancelled()');
    const summary = steps.find((s) => s.run?.includes('$GITHUB_STEP_SUMMARY'))!;
    expect(summary.run).toContain('cat "$RUN_DIR/report.md" >> "$GITHUB_STEP_SUMMARY"');
    expect(summary.env?.RUN_DIR).toBe('${{ steps.run.outputs.dir }}');
  });
});

describe('parseYaml (the subset the workflow uses)', () => {
  it('reads mappings, sequences of mappings, quoted scalars and block scalars', () => {
    expect(parseYaml('a: 1\nb:\n  - x\n  - k: "v # not a comment"\n    j: \'it\'\'s\'\nc: |\n  one\n\n  two\n# comment\nd: true\n')).toEqual({
      a: 1,
      b: ['x', { k: 'v # not a comment', j: "it's" }],
      c: 'one\n\ntwo\n',
      d: true,
    });
  });

  it('rejects what it does not understand, with the line', () => {
    expect(() => parseYaml('a: [1, 2]\n')).toThrow('line 1: unsupported YAML: [1, 2]');
    expect(() => parseYaml('a:\n\tb: 1\n')).toThrow('tabs');
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow('line 2: duplicate key a');
  });
});
