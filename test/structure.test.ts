/**
 * The shape the target contract promises, checked on the source: no target id is
 * written under harness/report, harness/measure or harness/commands (targets own
 * everything the harness knows about them), and the result model is a leaf.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../harness/targets/index.js';
import { ROOT } from './support.js';

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

describe('structure', () => {
  it('names no target id in harness/report, harness/measure or harness/commands', async () => {
    const ids = Object.keys(registry);
    expect(ids.length).toBeGreaterThan(3);
    const hits: string[] = [];
    for (const dir of ['harness/report', 'harness/measure', 'harness/commands']) {
      const files = await sources(dir);
      expect(files.length, dir).toBeGreaterThan(0);
      for (const f of files) {
        const lines = (await readFile(f, 'utf8')).split('\n');
        lines.forEach((line, i) => {
          for (const id of ids) if (line.includes(`'${id}'`) || line.includes(`"${id}"`)) hits.push(`${path.relative(ROOT, f)}:${i + 1}: ${id}`);
        });
      }
    }
    expect(hits).toEqual([]);
  });

  it('keeps the result model a leaf: model.ts imports nothing', async () => {
    const text = await readFile(path.join(ROOT, 'harness', 'model.ts'), 'utf8');
    expect(text.match(/^import .*/gm) ?? []).toEqual([]);
  });
});
