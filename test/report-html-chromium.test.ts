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

  it('fits a 1280 px wide window: no table scrolls sideways, and the answer is on the first screen', async () => {
    dir ||= await mkdtemp(path.join(tmpdir(), 'wvc-html-'));
    // A real quick run with every container layer, the footprint and the capability matrix: the widest summary there is.
    const html = renderHtml(fixture('results-v3-layers.json'));
    // The report has no scripts; this copy gets one that measures the laid-out page and writes what it found into the DOM.
    const measure = `<script>
      const wraps = [...document.querySelectorAll('main table')].map((t) => {
        let h = t.parentElement; while (h && !/^H[1-3]$/.test(h.tagName)) h = h.previousElementSibling;
        return { heading: h ? h.textContent : '', scrollWidth: t.parentElement.scrollWidth, tableWidth: t.scrollWidth, clientWidth: t.parentElement.clientWidth };
      });
      const answer = document.getElementById('the-answer').nextElementSibling;
      const out = { innerWidth, innerHeight, docScrollWidth: document.documentElement.scrollWidth, answerBottom: answer.getBoundingClientRect().bottom, answerItems: answer.children.length, tables: wraps };
      const pre = document.createElement('pre'); pre.id = 'measured'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
    </script>`;
    const page = path.join(dir, 'report-1280.html');
    await writeFile(page, html.replace('</body>', `${measure}</body>`));
    const dom = await chromium(dir, ['--window-size=1280,900', '--dump-dom', `file://${page}`]);
    const json = /<pre id="measured">([^<]*)<\/pre>/.exec(dom)?.[1];
    expect(json, 'the measuring script ran').toBeDefined();
    type Measured = { innerWidth: number; innerHeight: number; docScrollWidth: number; answerBottom: number; answerItems: number; tables: { heading: string; scrollWidth: number; tableWidth: number; clientWidth: number }[] };
    const m = JSON.parse(json!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Measured;
    expect(m.innerWidth).toBe(1280);
    expect(m.docScrollWidth).toBeLessThanOrEqual(1280);
    // The summary is two tables, cold start and footprint; both are measured with every other table.
    expect(m.tables.map((t) => t.heading)).toEqual(expect.arrayContaining(['Cold start', 'Footprint']));
    const over = m.tables.filter((t) => t.scrollWidth > t.clientWidth || t.tableWidth > t.clientWidth);
    expect(over).toEqual([]);
    // The answer's five lines end above the fold of a 1280 × 900 window.
    expect(m.answerItems).toBe(5);
    expect(m.answerBottom).toBeLessThanOrEqual(m.innerHeight);
  });
});
