import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { CLI, ROOT } from './support.js';
import { schemaErrors } from './validate-results.js';

async function waitFor(file: string, limitMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      await stat(file);
      return;
    } catch {
      if (Date.now() - t0 > limitMs) throw new Error(`${file} did not appear within ${limitMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// Ctrl-C during a run leaves a valid results.json marked incomplete, with every sample already taken.
describe('wvc bench interrupted by SIGINT', () => {
  it('writes what it measured, marked complete: false, and exits 130', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'wvc-int-'));
    const child = spawn(process.execPath, [CLI, 'bench', '--targets', 'native,node-wasi', '--runs', '500', '--warmup', '0', '--seed', '7', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The first round's write is the signal that measuring has started.
    await waitFor(path.join(out, 'latest', 'results.json'), 300_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const results = JSON.parse(await readFile(path.join(out, 'latest', 'results.json'), 'utf8')) as Results;
    expect(schemaErrors(results)).toEqual([]);
    expect(results.complete).toBe(false);
    expect(results.interrupted).toBe('SIGINT');
    expect(results.finishedAt).not.toBeNull();
    const native = results.targets.find((t) => t.id === 'native');
    expect(native?.status).toBe('ok');
    if (native?.status === 'ok') {
      expect(native.coldStart.samples.length).toBeGreaterThan(0);
      expect(native.coldStart.samples.length).toBeLessThan(500);
    }
    expect(stderr).toMatch(/interrupted \(SIGINT\): finishing the current sample/);
    expect(stderr).toMatch(/\(INCOMPLETE\)/);
  });
});
