import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../harness/report/html.js';
import { decodePng, distinctColours } from './png.js';
import { fixture } from './report-builder.js';

const exec = promisify(execFile);
// $CHROMIUM overrides; Debian ships chromium, GitHub's Ubuntu images ship Google Chrome (Ubuntu's chromium package is a snap shim).
const CHROMIUM = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].find((p): p is string => !!p && existsSync(p));
if (!CHROMIUM && process.env.CI) throw new Error('no Chromium or Chrome found (/usr/bin/chromium, /usr/bin/google-chrome, or $CHROMIUM): add chromium to APT_PACKAGES in scripts/setup.sh; CI must render the HTML report');
if (!CHROMIUM) console.warn('report-html-chromium: skipped — no Chromium found (apt-get install chromium, or set CHROMIUM=/path)');

/** Headless Chromium with nothing that reaches the network, and a throwaway profile. */
async function chromium(dir: string, args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(dir, 'profile-'));
  const { stdout } = await exec(
    CHROMIUM!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args],
    { timeout: 120_000, maxBuffer: 64 << 20 },
  );
  return stdout;
}

describe.skipIf(!CHROMIUM)('the HTML report in Chromium', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders the four charts and paints a non-blank page', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wvc-html-'));
    const page = path.join(dir, 'report.html');
    await writeFile(page, renderHtml(fixture()));
    const url = `file://${page}`;

    const dom = await chromium(dir, ['--dump-dom', url]);
    for (const id of ['chart-coldstart', 'chart-phases', 'chart-sizes', 'chart-capabilities']) {
      expect(dom).toContain(`id="${id}"`);
      expect(dom).toContain(`<title id="${id}-title">`);
    }
    expect(dom).toContain('<h1 id="wasm-vs-container-tax-calculator-c-run-20261124t142626z-df26">');

    const shot = path.join(dir, 'shot.png');
    await chromium(dir, [`--screenshot=${shot}`, '--window-size=1280,2000', url]);
    const png = decodePng(await readFile(shot));
    expect([png.width, png.height]).toEqual([1280, 2000]);
    // A blank page is one colour and a few kB; the report has text, tables and coloured charts.
    expect(distinctColours(png)).toBeGreaterThan(100);
    expect((await stat(shot)).size).toBeGreaterThan(50_000);
  });
});
