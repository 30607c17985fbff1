import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { refuseStale } from '../harness/session.js';
import { sha256File } from '../harness/build/common.js';
import type { Manifest } from '../harness/targets/types.js';
import type { Workload } from '../harness/workload.js';

// A prebuilt component replaced at the same path after the build: the .cwasm made
// from the old one must not run (issue 14, defect 2). Real files, real hashes.
describe('derived artifacts whose input changed', () => {
  it('are refused with the build command as the fix; current ones and other workloads are kept', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wvc-stale-'));
    const comp = path.join(dir, 'tax.component.wasm');
    await writeFile(comp, 'old component');
    const old = await sha256File(comp);
    const art = (id: string, file: string, from?: { id: string; sha256: string }) => ({ id, kind: 'file' as const, path: file, bytes: 1, sha256: 'x', inputsHash: 'x', ...(from ? { from } : {}) });
    const manifest: Manifest = {
      schemaVersion: 1,
      builtAt: '',
      artifacts: [
        { ...art('byo/component', comp), sha256: old },
        art('byo/component-cwasm', path.join(dir, 'tax.cwasm'), { id: 'byo/component', sha256: old }),
        art('byo/jco-bundle', path.join(dir, 'jco'), { id: 'byo/component', sha256: old }),
        art('other/component-cwasm', path.join(dir, 'o.cwasm'), { id: 'byo/component', sha256: old }),
      ],
      skipped: [],
    };
    const workload = { name: 'byo', dir, manifestPath: path.join(dir, 'workload.json') } as unknown as Workload;
    // Unchanged: the very same manifest.
    expect(await refuseStale(manifest, workload)).toBe(manifest);

    await writeFile(comp, 'new component');
    const now = await sha256File(comp);
    const m = await refuseStale(manifest, workload);
    expect(m.artifacts.map((a) => a.id)).toEqual(['byo/component', 'other/component-cwasm']);
    expect(m.skipped!.map((s) => s.id)).toEqual(['byo/component-cwasm', 'byo/jco-bundle']);
    expect(m.skipped![0]!.reason).toBe(`stale: byo/component (${comp}) has changed since byo/component-cwasm was made from it (sha256 ${now.slice(0, 12)}…, was ${old.slice(0, 12)}…)`);
    expect(m.skipped![0]!.hint).toMatch(/^run `.*build.*`, which remakes it$/);
  });
});
