import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../harness/commands/compare.js';
import { report } from '../harness/commands/report.js';
import { REPORT_FORMATS, REPORT_FORMAT_NAMES, renderAll, reportFormat } from '../harness/report/index.js';
import { unsupportedVersion } from '../harness/report/load.js';
import { tempDirs, userError } from './command-support.js';
import { fixture } from './report-builder.js';
import { ROOT } from './support.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'results-sample.json');
const EXAMPLE = path.join(ROOT, 'examples', 'criteria.tax-calculator.json');
const tmp = tempDirs('wvc-report-');

describe('REPORT_FORMATS and renderAll', () => {
  it('lists every format once: the run directory\'s files, then the print-only exports', () => {
    expect(REPORT_FORMATS.map((f) => [f.name, f.file ?? null])).toEqual([
      ['markdown', 'report.md'],
      ['html', 'report.html'],
      ['json', 'results.json'],
      ['csv', 'samples.csv'],
      ['github-action-benchmark', null],
      ['bencher', null],
    ]);
    expect(REPORT_FORMAT_NAMES).toEqual(REPORT_FORMATS.map((f) => f.name));
    for (const f of REPORT_FORMATS) expect(f.description, f.name).toMatch(/\S/);
    expect(reportFormat('bencher')?.name).toBe('bencher');
    expect(reportFormat('xml')).toBeUndefined();
  });

  it('renders every format with a file, results.json byte-identical to the writer', () => {
    const files = renderAll(fixture());
    expect(Object.keys(files)).toEqual(['report.md', 'report.html', 'results.json', 'samples.csv']);
    expect(REPORT_FORMATS.flatMap((f) => (f.file ? [f.file] : []))).toEqual(Object.keys(files));
    expect(files['results.json']).toBe(JSON.stringify(fixture(), null, 2) + '\n');
    expect(files['samples.csv'].split('\n')[0]).toBe('workload,target,variant,round,ms,ok,exit_code');
  });

  it('prints the exports as JSON text', () => {
    expect(JSON.parse(reportFormat('bencher')!.render(fixture()))['artifact image-scratch']).toEqual({ 'file-size': { value: 46736 } });
    expect(JSON.parse(reportFormat('github-action-benchmark')!.render(fixture()))[0].name).toBe('cold start native/static');
  });
});

describe('wvc report', () => {
  it('re-renders the reports next to a results.json without touching it', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'results.json');
    await copyFile(FIXTURE, file);
    const before = await readFile(file, 'utf8');
    const r = await report({ file: dir });
    expect(r).toMatchObject({ dir, criteriaFailed: false });
    // The reports, beside the input; results.json and its samples.csv are never rewritten in place.
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.md', 'results.json']);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toBe(renderAll(fixture())['report.md']);
  });

  it('writes a self-contained directory with --out and gates on --criteria', async () => {
    const out = await tmp();
    const r = await report({ file: FIXTURE, criteria: EXAMPLE, out });
    expect(r.criteriaFailed).toBe(true); // C5: the sample run has no capability probes
    expect((await readdir(out)).sort()).toEqual(['report.html', 'report.md', 'results.json', 'samples.csv']);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('**Criteria not met: 1 of 5 fail (C5, not measured).**');
  });

  it('prints an export with --format', async () => {
    const out = await tmp();
    let printed = '';
    await report({ file: FIXTURE, out, format: 'bencher', print: (t) => (printed += t) });
    expect(JSON.parse(printed)['artifact image-scratch']).toEqual({ 'file-size': { value: 46736 } });
    printed = '';
    await report({ file: FIXTURE, out, format: 'github-action-benchmark', print: (t) => (printed += t) });
    expect(JSON.parse(printed)[0].name).toBe('cold start native/static');
  });

  it('says what is wrong with the inputs in one line', async () => {
    const dir = await tmp();
    expect(await userError(report({ file: path.join(dir, 'nope.json') }))).toBe(
      `results file ${path.join(dir, 'nope.json')} not found — pass the results.json of a run (e.g. results/latest/results.json), written by \`wvc bench\``,
    );
    await writeFile(path.join(dir, 'bad.json'), '{"schemaVersion": 1,');
    expect(await userError(report({ file: path.join(dir, 'bad.json') }))).toMatch(/^results file .*bad\.json is not valid JSON \(.+\) — pass the results\.json of a run/);
    await writeFile(path.join(dir, 'v99.json'), JSON.stringify({ ...fixture(), schemaVersion: 99 }));
    expect(await userError(report({ file: path.join(dir, 'v99.json') }))).toContain(`${unsupportedVersion(path.join(dir, 'v99.json'), 99)} — `);
    await writeFile(path.join(dir, 'garbled.json'), JSON.stringify({ ...fixture(), targets: 'x' }));
    expect(await userError(report({ file: path.join(dir, 'garbled.json') }))).toMatch(/garbled\.json: targets: must be an array, got "x" — /);
    await writeFile(path.join(dir, 'crit.json'), JSON.stringify({ criteria: [{ kind: 'cold-start-p95', target: 'x', variant: 'y', maxMs: -1 }] }));
    expect(await userError(report({ file: FIXTURE, out: dir, criteria: path.join(dir, 'crit.json') }))).toBe(`${path.join(dir, 'crit.json')}: criteria[0].maxMs: must be > 0, got -1`);
    const bad = await userError(report({ file: FIXTURE, format: 'xml' }));
    expect(bad).toMatch(/^--format must be one of .+, got 'xml'$/);
    for (const name of REPORT_FORMAT_NAMES) expect(bad).toContain(name);
  });
});

describe('wvc compare', () => {
  it('flags a slowed-down copy and returns the markdown', async () => {
    const dir = await tmp();
    const slow = fixture();
    for (const t of slow.targets) if ('coldStart' in t && t.coldStart) for (const s of t.coldStart.samples) s.ms *= 2;
    await writeFile(path.join(dir, 'new.json'), JSON.stringify(slow));
    const r = await compare({ old: FIXTURE, new: path.join(dir, 'new.json') });
    expect(r.regression).toBe(true);
    expect(r.markdown).toContain('# Cold-start comparison');
    expect((await compare({ old: FIXTURE, new: FIXTURE })).regression).toBe(false);
  });

  it('names the missing or broken file', async () => {
    const dir = await tmp();
    expect(await userError(compare({ old: path.join(dir, 'a.json'), new: FIXTURE }))).toBe(
      `OLD results file ${path.join(dir, 'a.json')} not found — pass the results.json of a run as --old (e.g. results/<run-id>/results.json, written by \`wvc bench\`)`,
    );
    await writeFile(path.join(dir, 'b.json'), 'not json');
    expect(await userError(compare({ old: FIXTURE, new: path.join(dir, 'b.json') }))).toMatch(/^NEW results file .*b\.json is not valid JSON \(/);
    await writeFile(path.join(dir, 'c.json'), JSON.stringify({ ...fixture(), schemaVersion: 99 }));
    expect(await userError(compare({ old: FIXTURE, new: path.join(dir, 'c.json') }))).toBe(
      `${unsupportedVersion(`NEW results file ${path.join(dir, 'c.json')}`, 99)} — pass the results.json of a run as --new (e.g. results/<run-id>/results.json, written by \`wvc bench\`)`,
    );
    expect(await userError(compare({ old: FIXTURE, new: FIXTURE, threshold: -1 }))).toBe('--threshold must be a number ≥ 0 (0.1 = 10%), got -1');
  });
});
