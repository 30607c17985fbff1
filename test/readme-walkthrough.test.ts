/**
 * The README's bring-your-own walkthrough, pasted as a new user would: its shell block
 * is taken from README.md as it stands and run with bash from the repository root, so
 * the README cannot drift from what the commands do.
 */
import { execFile } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { connectDocker } from '../harness/util/docker.js';
import { REQUIRED, ROOT } from './support.js';

const exec = promisify(execFile);
const withDocker = (await connectDocker()).ok;

describe('README: bring your own, from a .wasm and an image to a report', () => {
  it.skipIf(!withDocker && !REQUIRED.includes('docker'))('runs as written, verifies every target and writes the report', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Bring your own: from'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block, 'the walkthrough has a ```sh block').toBeTruthy();
    const app = /mkdir -p (\S+) && cd/.exec(block!)?.[1];
    expect(app).toBeTruthy();
    const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', `rm -rf ${app}\n${block}`], { cwd: ROOT, env: { ...process.env, BENCH_REQUIRE: '' }, maxBuffer: 64 << 20, timeout: 600_000 });
    expect(stdout).toMatch(/^verify: every run identical to the golden vectors — \d+ vector runs on \d+ targets/m);
    for (const t of ['native', 'node-wasi', 'jco', 'wasmtime-embed', 'docker']) expect(stdout).toMatch(new RegExp(`^my-hello ${t} \\S+: 1/1 identical`, 'm'));
    expect(stdout.split('\n').slice(-5).join('\n')).toContain('report.md');
    const out = path.join(app!, 'results');
    const results = JSON.parse(await readFile(path.join(out, await readlink(path.join(out, 'latest')), 'results.json'), 'utf8')) as Results;
    const ok = results.targets.filter((t) => t.status === 'ok');
    expect(ok.length).toBeGreaterThanOrEqual(5);
    for (const t of ok) expect(t.status === 'ok' && t.coldStart.failures).toBe(0);
    // The matrix comes from the probe guest: the program has no probe mode.
    const rows = results.capabilities?.rows.filter((r) => !r.skipped) ?? [];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.guest).toBe('probe-guest');
    expect(await readFile(path.join(out, 'latest', 'report.md'), 'utf8')).toMatch(/^## The answer$/m);
  });
});
