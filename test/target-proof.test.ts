/**
 * "Adding a runtime is one file and one line", as a test: harness/targets/native.ts
 * is copied to a new file with only its id changed, and added to the registry (the
 * one line: `byId([...Object.values(registry), copy])`). With no other edit, a quick
 * bench measures it, probes it, doctor lists it, and both reports show it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bench } from '../harness/commands/bench.js';
import { doctor } from '../harness/commands/doctor.js';
import { byId, registry } from '../harness/targets/index.js';
import type { TargetDefinition } from '../harness/targets/types.js';
import { WORKLOAD_DIR } from '../harness/paths.js';
import { ROOT } from './support.js';

describe('a copied target file plus one registry line', async () => {
  const id = `native-copy-${randomBytes(3).toString('hex')}`;
  const file = path.join(ROOT, 'harness', 'targets', `${id}.ts`);
  const source = await readFile(path.join(ROOT, 'harness', 'targets', 'native.ts'), 'utf8');
  const copied = source.replace("id: 'native',", `id: '${id}',`);
  await writeFile(file, copied);
  afterAll(() => rm(file, { force: true }));
  const mod = (await import(file)) as { native: TargetDefinition };
  const withCopy = byId([...Object.values(registry), mod.native]);

  const out = await mkdtemp(path.join(tmpdir(), 'wvc-proof-'));
  const { results, dir } = await bench({ registry: withCopy, targets: id, require: '', quick: true, seed: 3, workloads: [WORKLOAD_DIR], out, log: () => undefined });
  const md = await readFile(path.join(dir, 'report.md'), 'utf8');
  const html = await readFile(path.join(dir, 'report.html'), 'utf8');
  const doc = await doctor({ registry: withCopy, workloads: [WORKLOAD_DIR] });

  it('the copy differs from native.ts in its id alone', () => {
    expect(copied).not.toBe(source);
    expect(copied.split('\n').filter((l, i) => l !== source.split('\n')[i])).toEqual([`  id: '${id}',`]);
  });

  it('is measured by a quick bench, every sample checked', () => {
    const row = results.targets.find((t) => t.id === id)!;
    expect(row.status).toBe('ok');
    if (row.status !== 'ok') return;
    expect(row.coldStart.samples.length).toBeGreaterThanOrEqual(5);
    expect(row.coldStart.stop).toMatch(/^(precision|rounds)$/);
    expect(row.coldStart.failures).toBe(0);
    expect(row.class).toBe('native');
    expect(row.vsNative!.ratio).toBe(1);
    expect(results.targetInfo.map((t) => t.id)).toEqual([id]);
  });

  it('is probed: its declared capability row has every probe', () => {
    const r = results.capabilities!.rows.find((x) => x.id === id)!;
    expect(r.skipped).toBeUndefined();
    expect(r.cells.map((c) => c.probe)).toEqual(results.capabilities!.probes);
    expect(r.cells.find((c) => c.probe === 'fs-read-outside')!.outcome).toBe('allowed');
  });

  it('is listed by doctor', () => {
    const line = doc.targets.find((t) => t.name === id)!;
    expect(line.ok).toBe(true);
    expect(line.detail).toMatch(/^available — /);
  });

  it('shows in report.md and report.html', () => {
    expect(md).toContain(id);
    expect(html).toContain(id);
  });
});
