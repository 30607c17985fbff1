import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { evaluateCriteria, loadCriteria } from '../harness/report/criteria.js';
import { samplesCsv } from '../harness/report/csv.js';
import { keyOf } from '../harness/report/data.js';
import { toBencherBmf, toGithubActionBenchmark } from '../harness/report/exports.js';
import { renderHtml } from '../harness/report/html.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { summaryTable } from '../harness/report/summary.js';
import { C_WORKLOAD, JS_WORKLOAD, cVsJs, makeResults, okTarget, workload } from './report-builder.js';
import { schemaErrors } from './validate-results.js';

/** The lines of a markdown section, from its heading to the next heading of the same level. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) return [];
  const level = heading.split(' ')[0];
  const end = lines.findIndex((l, i) => i > at && l.startsWith(`${level} `));
  return lines.slice(at, end < 0 ? undefined : end);
}

describe('a run with a C and a JavaScript workload', () => {
  const r = cVsJs();
  const md = renderMarkdown(r);

  it('is built from a schema-valid Results', () => {
    expect(schemaErrors(r)).toEqual([]);
  });

  it('keys the primary workload plainly and the others with their name', () => {
    const [cAot, jsAot] = r.targets.filter((t) => t.id === 'wasmtime-embed' && t.variant === 'aot');
    expect([keyOf(r, cAot), keyOf(r, jsAot)]).toEqual(['wasmtime-embed/aot', 'tax-calculator-js:wasmtime-embed/aot']);
  });

  it('lists every workload in the header, with what does not apply to it', () => {
    expect(md.split('\n')[0]).toBe('# wasm-vs-container: tax-calculator (C), tax-calculator-js (JavaScript) — run run-1');
    expect(section(md, '### Workloads')).toContain(
      '- **tax-calculator-js** (JavaScript): tax-calculator-js (test). Args `--postal-code=10001`; every sample must print `{"tax_cents":1109}`. Manifest `modules/tax-calculator-js/workload.json`, sha256 `7461782d63616c63756c61746f722d6a737461782d63616c63756c61746f722d`. Not applicable: native (the workload declares no native artifact); node-wasi (the workload declares no core artifact).',
    );
    expect(section(md, '### Workloads').some((l) => l.startsWith('- **tax-calculator** (C, primary): '))).toBe(true);
  });

  it('shows the workload of every row in the summary, warm and memory tables', () => {
    const cold = section(md, '### Cold start');
    expect(cold[2]).toBe('| workload | target | variant | cold start median (95% CI) | p95 | × native (95% CI) | × docker (95% CI) | warm median² | failures |');
    expect(cold).toContain('| tax-calculator | wasmtime-embed | aot | 10.0 ms (10.0–10.0) | 10.0 ms | – | – | n/a | 0/5 |');
    expect(cold).toContain('| tax-calculator-js | wasmtime-embed | aot | 90.0 ms (90.0–90.0) | 90.0 ms | – | – | n/a | 0/5 |');
    const foot = section(md, '### Footprint');
    expect(foot[2]).toBe('| workload | target | variant | artifact | raw | gzip | peak memory¹ | probes denied/tried³ |');
    expect(foot).toContain('| tax-calculator | wasmtime-embed | aot | tax-calculator/component-cwasm | 219 KiB | – | – | – |');
    expect(foot).toContain('| tax-calculator-js | wasmtime-embed | aot | tax-calculator-js/component-cwasm | 32.4 MiB | – | – | – |');
    expect(section(md, '## Warm per-request latency')).toContain('| tax-calculator-js | node | default | n/a | – | – | – | – | no in-process equivalent |');
    expect(section(md, '## Memory')).toContain('| tax-calculator-js | docker | default | – | – | – | not measured |');
    expect(md).toContain('\n### tax-calculator-js:wasmtime-embed/jit\n\nSource: test. Cold-start median 6000 ms.\n');
  });

  it('compares the languages side by side: cold start, with the floors', () => {
    expect(section(md, '### Cold start by language')).toEqual([
      '### Cold start by language',
      '',
      '| target | variant | tax-calculator (C) median | tax-calculator-js (JavaScript) median | JavaScript / C (95% CI) |',
      '|---|---|---:|---:|---:|',
      '| wasmtime-embed | jit | 60.0 ms | 6.00 s | 100× (100–100) |',
      '| wasmtime-embed | aot | 10.0 ms | 90.0 ms | 9.00× (9.00–9.00) |',
      '| docker | default | 300 ms | 420 ms | 1.40× (1.40–1.40) |',
      '| floor: the program with no sandbox | native/static · node/default | 2.00 ms | 40.0 ms | 20.0× (20.0–20.0) |',
      '',
    ]);
  });

  it('takes the cross-workload ratios the run stored, and shows – where it stored none', () => {
    const r2 = cVsJs();
    const stored = r2.crossRatios.find((x) => x.a.workload === JS_WORKLOAD && x.a.id === 'docker' && x.b.workload === C_WORKLOAD && x.b.id === 'docker')!;
    stored.ratio = 1.5;
    stored.ci95 = [1.25, 1.75];
    r2.crossRatios = r2.crossRatios.filter((x) => !(x.a.id === 'wasmtime-embed' && x.a.variant === 'aot' && x.b.id === 'wasmtime-embed' && x.b.variant === 'aot'));
    const rows = section(renderMarkdown(r2), '### Cold start by language');
    expect(rows).toContain('| docker | default | 300 ms | 420 ms | 1.50× (1.25–1.75) |');
    expect(rows).toContain('| wasmtime-embed | aot | 10.0 ms | 90.0 ms | – |');
  });

  it('finds the floors, the JIT and the AOT rows by what the rows record, not by target id', () => {
    // The same run with every target renamed: the tables say the same with the new names.
    const rename: Record<string, string> = { native: 'bare', node: 'interp', 'wasmtime-embed': 'engine', docker: 'boxes' };
    const r2 = cVsJs();
    for (const t of r2.targets) t.id = rename[t.id] ?? t.id;
    for (const x of r2.crossRatios) for (const end of [x.a, x.b]) end.id = rename[end.id] ?? end.id;
    const md2 = renderMarkdown(r2);
    expect(section(md2, '### Cold start by language')).toContain('| floor: the program with no sandbox | bare/static · interp/default | 2.00 ms | 40.0 ms | 20.0× (20.0–20.0) |');
    const rollout = section(md2, '### Rollout cost of the component: JIT vs AOT');
    expect(rollout).toContain('| JIT: compile on every cold start (engine/jit load phase, median) | 55.0 ms | 5.80 s | 105× |');
    expect(rollout).toContain('| AOT: cold start (engine/aot, median) | 10.0 ms | 90.0 ms | 9.00× |');
    expect(section(md2, '### Artifact size by language')).toContain('| program the floor runs (native binary, script) | 53.7 KiB | 8.79 KiB | 0.164× |');
  });

  it('takes the JIT row only from the default variant, and the AOT row only from the same target', () => {
    const r2 = cVsJs();
    for (const t of r2.targets) if (t.id === 'wasmtime-embed') t.defaultVariant = false;
    const rows = section(renderMarkdown(r2), '### Rollout cost of the component: JIT vs AOT');
    expect(rows.some((l) => l.startsWith('| JIT: cold start'))).toBe(false);
    expect(rows.some((l) => l.startsWith('| AOT: cold start'))).toBe(false);
  });

  it('compares artifact sizes by role', () => {
    const rows = section(md, '### Artifact size by language');
    expect(rows.slice(2, 8)).toEqual([
      '| artifact | tax-calculator (C) | tax-calculator-js (JavaScript) | JavaScript / C |',
      '|---|---:|---:|---:|',
      '| program the floor runs (native binary, script) | 53.7 KiB | 8.79 KiB | 0.164× |',
      '| component (.wasm) | 77.1 KiB | 12.4 MiB | 165× |',
      '| component, AOT-compiled (.cwasm) | 219 KiB | 32.4 MiB | 152× |',
      '| container image | 53.7 KiB | 143 MiB | 2727× |',
    ]);
  });

  it('shows the JIT compile and the AOT rollout of each component apart', () => {
    const rows = section(md, '### Rollout cost of the component: JIT vs AOT');
    expect(rows.slice(2, 13)).toEqual([
      '| what | tax-calculator (C) | tax-calculator-js (JavaScript) | JavaScript / C |',
      '|---|---:|---:|---:|',
      '| component (.wasm) shipped to each node | 77.1 KiB | 12.4 MiB | 165× |',
      '| JIT: compile on every cold start (wasmtime-embed/jit load phase, median) | 55.0 ms | 5.80 s | 105× |',
      '| JIT: cold start (wasmtime-embed/jit, median) | 60.0 ms | 6.00 s | 100× |',
      '| AOT: compile once per node (wasm-aot rollout, compile step, median) | 62.0 ms | 6.10 s | 98.4× |',
      '| AOT: copy the component to the node (copy step, median) | 0.200 ms | 8.00 ms | 40.0× |',
      '| AOT: .cwasm kept on the node | 219 KiB | 32.4 MiB | 152× |',
      '| AOT: cold start (wasmtime-embed/aot, median) | 10.0 ms | 90.0 ms | 9.00× |',
      '| AOT compile pays for itself after (cold starts) | 2 | 2 | – |',
      '| container: docker load of the image, once per node (median) | 180 ms | 2.50 s | 13.9× |',
    ]);
    // 6100 ms of compile saves 6000 − 90 ms per cold start: ⌈6100 / 5910⌉ = 2.
    expect(rows).toContain(
      '- **tax-calculator-js (JavaScript)**: JIT compiles its 12.4 MiB component on every cold start (5.80 s of a 6.00 s cold start); AOT compiles it once per node in 6.10 s into a 32.4 MiB .cwasm, after which a cold start takes 90.0 ms; the compile pays for itself after 2 cold starts on that node.',
    );
  });

  it('counts the pay-back from the numbers: a slower compile takes more cold starts', () => {
    const rows = section(renderMarkdown(cVsJs({ jsCompileMs: 60_000 })), '### Rollout cost of the component: JIT vs AOT');
    // ⌈60000 / (6000 − 90)⌉ = 11.
    expect(rows).toContain('| AOT compile pays for itself after (cold starts) | 2 | 11 | – |');
  });

  it('says what it cannot compare instead of inventing it', () => {
    const r2 = cVsJs({ jsAotMs: null, cAotMs: null });
    r2.footprint = null;
    const rows = section(renderMarkdown(r2), '### Rollout cost of the component: JIT vs AOT');
    // No AOT rows and no rollout measured: those lines are left out, not filled with guesses.
    expect(rows.filter((l) => l.startsWith('| ')).map((l) => l.split(' | ')[0])).toEqual([
      '| what',
      '| component (.wasm) shipped to each node',
      '| JIT: compile on every cold start (wasmtime-embed/jit load phase, median)',
      '| JIT: cold start (wasmtime-embed/jit, median)',
      '| AOT: .cwasm kept on the node',
    ]);
    expect(rows).toContain('- **tax-calculator-js (JavaScript)**: JIT compiles its 12.4 MiB component on every cold start (5.80 s of a 6.00 s cold start).');
  });

  it('appears only when two languages were measured', () => {
    const two = makeResults([okTarget('native', 'static', [2, 2, 2]), okTarget('native', 'static', [3, 3, 3], { workload: 'other' })], [], {
      workloads: [workload(C_WORKLOAD, 'C'), workload('other', 'C')],
    });
    const out = renderMarkdown(two);
    expect(out).not.toContain('## Workloads:');
    expect(out).toContain('| other | native | static | 3.00 ms (3.00–3.00) |');
  });

  it('calls the workloads the same task only when their manifests give the same task', () => {
    const intro = (run: Results) => section(renderMarkdown(run), '## Workloads: C vs JavaScript')[2];
    expect(intro(r)).toBe(
      'The same task in 2 languages, side by side: tax-calculator (C), tax-calculator-js (JavaScript). Ratios are JavaScript / C; cold-start ratios are of medians, with the bootstrap CI of the samples computed at bench time (random seed 42).',
    );
    const untasked = cVsJs();
    for (const w of untasked.workloads) delete w.task;
    expect(schemaErrors(untasked)).toEqual([]);
    expect(intro(untasked)).toBe(
      'Workloads in 2 languages, side by side: tax-calculator (C), tax-calculator-js (JavaScript). Their manifests give no shared task (tax-calculator (C): no task; tax-calculator-js (JavaScript): no task), so they are different programs: a ratio weighs the programs as well as the languages. Ratios are JavaScript / C; cold-start ratios are of medians, with the bootstrap CI of the samples computed at bench time (random seed 42).',
    );
    const other = cVsJs();
    other.workloads[1].task = 'fizzbuzz';
    expect(intro(other)).toContain('Their manifests give no shared task (tax-calculator (C): task "tax-calculator"; tax-calculator-js (JavaScript): task "fizzbuzz"), so they are different programs');
    expect(renderMarkdown(other)).not.toContain('same task in');
  });

  it('records interpreted and task as optional, typed fields of the results', () => {
    const r2 = cVsJs();
    r2.workloads[1].interpreted = true;
    expect(schemaErrors(r2)).toEqual([]);
    const bad = JSON.parse(JSON.stringify(r2));
    bad.workloads[1].interpreted = 'yes';
    bad.workloads[0].task = 7;
    expect(schemaErrors(bad)).toEqual(['/workloads/0/task must be string', '/workloads/1/interpreted must be boolean']);
  });

  it('puts the interpreted-languages verdict with the other common claims about Wasm', () => {
    expect(section(md, '## Common claims about Wasm vs measured').some((l) => l.startsWith('- **Interpreted languages — holds:** the JavaScript component (13.0 MB) is 165× the C component (79.0 kB)'))).toBe(true);
  });
});

describe('the capability matrix of several workloads', () => {
  const r = {
    ...cVsJs(),
    capabilities: {
      probes: ['net-connect'],
      rows: [
        { workload: C_WORKLOAD, id: 'wasmtime-embed', target: 'wasmtime-embed', variant: 'jit', label: 'e', limits: 'l', denialNamesCapability: true, cells: [{ probe: 'net-connect', outcome: 'absent' }] },
        { workload: JS_WORKLOAD, id: 'wasmtime-embed', target: 'wasmtime-embed', variant: 'jit', label: 'e', limits: 'l', denialNamesCapability: true, cells: [{ probe: 'net-connect', outcome: 'absent' }] },
        { workload: JS_WORKLOAD, id: 'node', target: 'node', variant: 'default', label: 'n', limits: 'l', denialNamesCapability: null, cells: [{ probe: 'net-connect', outcome: 'allowed' }] },
      ],
      notes: [],
    },
  } as unknown as Results;
  const md = renderMarkdown(r);

  it('labels each row with its workload', () => {
    expect(md).toContain("| target/variant | probed by | net-connect |\n|---|---|---|\n| wasmtime-embed/jit | the workload's own probe mode | absent |\n| tax-calculator-js:wasmtime-embed/jit | the workload's own probe mode | absent |\n| tax-calculator-js:node/default | the workload's own probe mode | **ALLOWED** |");
  });

  it('counts probes per workload in the summary', () => {
    expect(md).toContain('| tax-calculator-js | node | default | tax-calculator-js/script | 8.79 KiB | – | – | 0/1 |');
    expect(md).toContain('| tax-calculator | wasmtime-embed | jit | tax-calculator/component | 77.1 KiB | – | – | 1/1 |');
  });

  it('judges the sandbox on every workload\'s Wasm rows, not on node', () => {
    expect(md).toContain('| Wasm is "sandboxed by default — no file/network access unless explicitly granted". | 2 of 2 file/network probes denied on 2 Wasm configurations | **holds** |');
  });

  it('draws one heatmap row per workload row, grouped by workload', () => {
    const svg = /<svg id="chart-capabilities"[\s\S]*?<\/svg>/.exec(renderHtml(r))![0];
    expect((svg.match(/class="cap-(denied|allowed|other|none)"/g) ?? []).length).toBe(3);
    expect(svg).toContain('>workload tax-calculator-js (JavaScript)</text>');
    expect(svg).toContain('<title>tax-calculator-js:node/default net-connect: allowed</title>');
  });
});

describe('criteria on a run with several workloads', () => {
  const r = cVsJs();
  const one = (c: object) => evaluateCriteria(r, loadCriteria(JSON.stringify({ criteria: [c] }))).criteria[0];

  it('means the primary workload unless a criterion names another', () => {
    expect(one({ kind: 'cold-start-p95', target: 'wasmtime-embed', variant: 'aot', maxMs: 50 })).toMatchObject({ subject: 'wasmtime-embed/aot', status: 'PASS', measured: 'p95 10.0 ms (n=5)' });
    expect(one({ kind: 'cold-start-p95', workload: JS_WORKLOAD, target: 'wasmtime-embed', variant: 'aot', maxMs: 50 })).toMatchObject({
      subject: 'tax-calculator-js:wasmtime-embed/aot',
      status: 'FAIL',
      measured: 'p95 90.0 ms (n=5)',
    });
    expect(one({ kind: 'cold-start-p95', workload: JS_WORKLOAD, target: 'native', variant: 'static', maxMs: 50 })).toMatchObject({
      status: 'FAIL',
      notMeasured: true,
      measured: 'not measured: tax-calculator-js:native/static is not in this run',
    });
  });

  it('reads an artifact id of schemaVersion 1 as the primary workload\'s', () => {
    expect(one({ kind: 'artifact-size', artifact: 'component-cwasm', maxBytes: 1_048_576 })).toMatchObject({
      subject: 'component-cwasm',
      status: 'PASS',
      measured: 'tax-calculator/component-cwasm 219 KiB raw (224,000 B); gzip not recorded in this run, raw bytes used',
    });
    expect(one({ kind: 'artifact-size', workload: JS_WORKLOAD, target: 'wasmtime-embed', variant: 'aot', maxBytes: 1_048_576 })).toMatchObject({
      subject: 'tax-calculator-js:wasmtime-embed/aot',
      status: 'FAIL',
      measured: 'tax-calculator-js/component-cwasm 32.4 MiB raw (34,000,000 B); gzip not recorded in this run, raw bytes used',
    });
  });

  it('rejects a workload next to an artifact id', () => {
    expect(() => loadCriteria(JSON.stringify({ criteria: [{ kind: 'artifact-size', artifact: 'x/component', workload: 'x', maxBytes: 1 }] }))).toThrow(
      'criteria[0].workload: goes with target/variant; an artifact id names its workload itself (`<workload>/<role>`)',
    );
  });
});

describe('exports and CSV of several workloads', () => {
  const r = cVsJs();

  it('names non-primary rows with their workload', () => {
    const gab = toGithubActionBenchmark(r).map((e) => e.name);
    expect(gab.filter((n) => n.startsWith('cold start '))).toEqual([
      'cold start native/static',
      'cold start wasmtime-embed/jit',
      'cold start wasmtime-embed/aot',
      'cold start docker/default',
      'cold start tax-calculator-js:node/default',
      'cold start tax-calculator-js:wasmtime-embed/jit',
      'cold start tax-calculator-js:wasmtime-embed/aot',
      'cold start tax-calculator-js:docker/default',
    ]);
    expect(gab).toContain('artifact size tax-calculator-js/component');
    expect(gab).not.toContain('artifact size image-node-base');
    const bmf = toBencherBmf(r);
    expect(bmf['cold-start tax-calculator-js:wasmtime-embed/aot'].latency.value).toBe(90_000_000);
    expect(bmf['cold-start wasmtime-embed/aot'].latency.value).toBe(10_000_000);
  });

  it('writes a workload column in samples.csv', () => {
    const lines = samplesCsv(r).split('\n');
    expect(lines[0]).toBe('workload,target,variant,round,ms,ok,exit_code');
    expect(lines[1]).toBe('tax-calculator,native,static,0,2.0000,true,0');
    expect(lines).toContain('tax-calculator-js,wasmtime-embed,aot,4,90.0000,true,0');
  });

  it('adds a workload column to the terminal summary', () => {
    const lines = summaryTable(r).split('\n');
    expect(lines[4].split(/\s{2,}/).slice(0, 4)).toEqual(['workload', 'target', 'variant', 'median ms']);
    expect(lines.find((l) => l.startsWith('tax-calculator-js  wasmtime-embed  aot'))?.split(/\s+/).slice(0, 4)).toEqual(['tax-calculator-js', 'wasmtime-embed', 'aot', '90.0']);
  });
});

describe('the HTML charts of several workloads', () => {
  const html = renderHtml(cVsJs());
  const svg = (id: string) => new RegExp(`<svg id="chart-${id}"[\\s\\S]*?</svg>`).exec(html)![0];

  it('group the rows by workload under a header naming it', () => {
    for (const id of ['coldstart', 'phases', 'sizes']) {
      const s = svg(id);
      expect(s.indexOf('>workload tax-calculator (C)</text>'), id).toBeGreaterThan(0);
      expect(s.indexOf('>workload tax-calculator-js (JavaScript)</text>'), id).toBeGreaterThan(s.indexOf('>workload tax-calculator (C)</text>'));
    }
    // 8 measured variants × 5 samples, each titled with its workload-aware key.
    expect((svg('coldstart').match(/<circle [^>]*class="dot"/g) ?? []).length).toBe(40);
    expect(svg('coldstart')).toContain('<title>tax-calculator-js:wasmtime-embed/aot round 0: 90.0 ms</title>');
    expect(svg('sizes')).toContain('>component-cwasm (file)</text>');
  });

  it('colours a script floor as a native one and names both in the legend', () => {
    const cold = svg('coldstart');
    expect(cold).toContain('>native, script (no sandbox)</text>');
    const fill = (key: string) => new RegExp(`<circle [^>]*fill="(#[0-9a-f]{6})" class="dot"><title>${key} round 0`).exec(cold)?.[1];
    expect(fill('tax-calculator-js:node/default')).toBe(fill('native/static'));
    expect(fill('tax-calculator-js:node/default')).not.toBe(fill('wasmtime-embed/aot'));
  });

  it('keeps the workload column in the numbers behind the charts', () => {
    expect(html).toContain('<th>workload</th><th>target</th><th>variant</th><th class="num">ok</th>');
  });
});
