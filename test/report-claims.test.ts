import { describe, expect, it } from 'vitest';
import { INTERPRETED_LANGUAGES, evaluateClaims, isInterpreted, sameTask, type Claim } from '../harness/report/claims.js';
import type { Cell, CapabilityRow, Results } from '../harness/model.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { JS_WORKLOAD, artifact, crossRatiosOf, cVsJs, fixture, makeResults, okTarget, wasmVsDocker } from './report-builder.js';

const claim = (r: Results, id: Claim['id']) => evaluateClaims(r).find((c) => c.id === id)!;
const times = (x: number, n = 5) => Array.from({ length: n }, () => x);

describe('seed claim: Wasm ~1–5 ms vs containers ~1–5 s', () => {
  it('holds for a 2 ms Wasm start against a 2 s container', () => {
    const c = claim(wasmVsDocker(times(2), times(2000)), 'cold-start');
    expect(c.verdict).toBe('holds');
    expect(c.measured).toBe('wasmtime-embed/aot 2.00 ms; docker/default 2.00 s (medians)');
    expect(c.why).toBe(
      'docker/default median 2.00 s is within the claimed 1–5 s; every Wasm target is at or under 1–5 ms (wasmtime-embed/aot 2.00 ms); the fastest container path, docker/default 2.00 s, takes 1000× as long as the fastest Wasm start (wasmtime-embed/aot 2.00 ms), where the claim implies 200–5000×.',
    );
  });

  it('does not hold for 70 ms against 300 ms', () => {
    const c = claim(wasmVsDocker(times(70), times(300)), 'cold-start');
    expect(c.verdict).toBe('does not hold');
    expect(c.why).toBe(
      'docker/default median 300 ms is well under the claimed 1–5 s; no Wasm target is within 1–5 ms: fastest wasmtime-embed/aot 70.0 ms; the fastest container path, docker/default 300 ms, takes 4.29× as long as the fastest Wasm start (wasmtime-embed/aot 70.0 ms), where the claim implies 200–5000×.',
    );
  });

  it('holds only partly when the container is as claimed but the Wasm start is not', () => {
    expect(claim(wasmVsDocker(times(70), times(2000)), 'cold-start').verdict).toBe('holds only partly');
  });

  it('holds only partly when one Wasm runtime is fast and another is not', () => {
    const r = makeResults(
      [okTarget('wasmtime-embed', 'aot', times(2)), okTarget('wasmtime-embed', 'jit', times(69)), okTarget('docker', 'default', times(318))],
      [],
    );
    const c = claim(r, 'cold-start');
    expect(c.verdict).toBe('holds only partly');
    expect(c.why).toContain('docker/default median 318 ms is well under the claimed 1–5 s; wasmtime-embed/aot 2.00 ms is within 1–5 ms but wasmtime-embed/jit 69.0 ms is not');
  });

  it('is not measured without a container', () => {
    const r = makeResults([okTarget('wasmtime-embed', 'aot', times(2))], []);
    expect(claim(r, 'cold-start').verdict).toBe('not measured');
  });

  it('reads the sample run honestly: the claim does not hold there', () => {
    const c = claim(fixture(), 'cold-start');
    expect(c.verdict).toBe('does not hold');
    expect(c.why).toContain('docker/default median 337 ms is well under the claimed 1–5 s');
    expect(c.why).toContain('fastest wasmtime-embed/aot 11.9 ms');
  });
});

describe('seed claim: Wasm 0.1–5 MB vs images 50–500 MB', () => {
  it('holds for a 1.5 MB component and an 80 MB image', () => {
    const c = claim(wasmVsDocker(times(2), times(2000), { wasm: 1_500_000, image: 80_000_000 }), 'artifact-size');
    expect(c.verdict).toBe('holds');
  });

  it('holds only partly for a scratch image smaller than the claim', () => {
    const c = claim(fixture(), 'artifact-size');
    expect(c.verdict).toBe('holds only partly');
    expect(c.measured).toBe('core-wasm 37.4 kB; component-wasm 70.1 kB; jco-bundle 424 kB; component-cwasm 195 kB; image-scratch 46.7 kB');
    expect(c.why).toContain('container image image-scratch is 46.7 kB, 1070× under the claimed 50–500 MB and smaller than 3 of 4 Wasm artifacts');
  });

  it('does not hold for a 20 MB component next to a 20 MB image', () => {
    expect(claim(wasmVsDocker(times(2), times(2000), { wasm: 20e6, image: 20e6 }), 'artifact-size').verdict).toBe('does not hold');
  });
});

describe('seed claim: sandboxed by default', () => {
  it('is not measured without capability probes', () => {
    const c = claim(fixture(), 'sandbox-default');
    expect(c.verdict).toBe('not measured');
    expect(c.measured).toBe('not measured in this run');
  });

  it('judges file and network probes on Wasm targets from the capability matrix', () => {
    const r = {
      ...wasmVsDocker(times(2), times(2000)),
      capabilities: {
        probes: ['fs-read-outside', 'net-connect', 'clock'],
        rows: [
          { target: 'wasmtime-embed', variant: 'aot', cells: [{ probe: 'fs-read-outside', outcome: 'denied' }, { probe: 'net-connect', outcome: 'absent' }, { probe: 'clock', outcome: 'allowed' }] },
          { target: 'docker', variant: 'default', cells: [{ probe: 'fs-read-outside', outcome: 'allowed' }] },
        ],
        notes: [],
      },
    } as unknown as Results;
    const c = claim(r, 'sandbox-default');
    // clock is not a file/network capability and docker is not Wasm: neither counts.
    expect(c.verdict).toBe('holds');
    expect(c.measured).toBe('2 of 2 file/network probes denied on 1 Wasm configuration');
  });

  it('holds only partly when a Wasm configuration lets a write through', () => {
    const r = {
      ...makeResults([okTarget('jco', 'sandboxed', times(150)), okTarget('node-wasi', 'default', times(60))], [artifact('tax-calculator/core', 'file', 1)]),
      capabilities: {
        rows: [
          { target: 'jco', variant: 'sandboxed', cells: [{ probe: 'fs-write-outside', outcome: 'denied' }] },
          { target: 'node-wasi', variant: 'default', cells: [{ probe: 'fs-write-granted', outcome: 'allowed' }] },
        ],
      },
    } as unknown as Results;
    const c = claim(r, 'sandbox-default');
    expect(c.verdict).toBe('holds only partly');
    expect(c.why).toBe('not denied: node-wasi/default fs-write-granted allowed (denied includes absent: no such interface).');
  });
});

/** A probe cell as the bench records it; an `error` cell carries the workload's complaint. */
const cell = (probe: Cell['probe'], outcome: Cell['outcome'], evidence = ''): Cell => ({
  probe,
  outcome,
  evidence,
  harnessEvidence: '',
  exitCode: outcome === 'error' ? 2 : 0,
  durationMs: 5,
  runtime: { name: 'wasmtime', version: '49.0.0' },
  artifactSha256: 'a'.repeat(64),
});
const capRow = (id: string, target: string, variant: string, cells: Cell[]): CapabilityRow => ({
  workload: 'tax-calculator',
  id,
  target,
  variant,
  label: id,
  limits: '–',
  denialNamesCapability: null,
  cells,
});
const NO_PROBE = "error: unknown option '--probe'";
/** The sections of a markdown report from `## Warnings` to the next `## ` heading. */
const warningsOf = (r: Results) => renderMarkdown(r).split('\n## Warnings')[1]!.split('\n## ')[0]!;

describe('seed claim: sandboxed by default, with errored probes', () => {
  // A bring-your-own program without a probe mode: every probe exits with its usage error.
  const allErrored = (): Results => ({
    ...wasmVsDocker(times(2), times(2000)),
    capabilities: {
      probes: ['fs-read-outside', 'fs-write-outside', 'net-connect', 'env-read'],
      rows: [
        capRow('wasmtime-embed', 'wasmtime-embed', 'aot', [
          cell('fs-read-outside', 'error', NO_PROBE),
          cell('fs-write-outside', 'error', NO_PROBE),
          cell('net-connect', 'error', NO_PROBE),
          cell('env-read', 'error', NO_PROBE),
        ]),
        capRow('docker-default', 'docker', 'default', [cell('fs-read-outside', 'error', NO_PROBE)]),
      ],
      notes: [],
    },
  });

  it('is not measured, never "does not hold", when every file/network probe errored', () => {
    const c = claim(allErrored(), 'sandbox-default');
    expect(c.verdict).toBe('not measured');
    expect(c.measured).toBe('no file/network probe ran to an outcome: 3 errored on 1 Wasm configuration');
    expect(c.why).toBe(
      'every file and network probe on a Wasm target errored, and an errored probe counts neither for nor against the claim (errored: tax-calculator:wasmtime-embed fs-read-outside, fs-write-outside, net-connect); the errors are under Warnings.',
    );
  });

  it('names every row with errored cells under Warnings, so Warnings is not "None"', () => {
    const w = warningsOf(allErrored());
    expect(w).not.toContain('None.');
    expect(w).toContain(
      "**capabilities** tax-calculator:wasmtime-embed: 4 probes errored (fs-read-outside, fs-write-outside, net-connect, env-read) — error: unknown option '--probe'; an errored probe counts neither for nor against any claim.",
    );
    expect(w).toContain(
      "**capabilities** tax-calculator:docker-default: 1 probe errored (fs-read-outside) — error: unknown option '--probe'; an errored probe counts neither for nor against any claim.",
    );
    // The claims section says not measured, too.
    const md = renderMarkdown(allErrored());
    expect(md).toContain('- **Sandboxed by default — not measured:** every file and network probe on a Wasm target errored');
    expect(md).not.toMatch(/sandboxed by default[^\n]*does not hold/i);
    // The summary's probes column counts the errored probes apart: none ran to an outcome.
    const summaryRows = md.split('\n').filter((l) => l.startsWith('|') && l.includes('wasmtime-embed') && l.includes('aot'));
    expect(summaryRows.some((l) => l.includes('| 0/0 (4 errored) |')), summaryRows.join('\n')).toBe(true);
  });

  it('judges only the cells that ran to an outcome, and names the ones it left out', () => {
    const r: Results = {
      ...makeResults(
        [okTarget('wasmtime-embed', 'aot', times(2)), okTarget('jco', 'sandboxed', times(150)), okTarget('docker', 'default', times(2000))],
        [artifact('tax-calculator/core', 'file', 1)],
      ),
      capabilities: {
        probes: ['fs-read-outside', 'fs-write-outside', 'net-connect'],
        rows: [
          capRow('wasmtime-embed', 'wasmtime-embed', 'aot', [cell('fs-read-outside', 'denied', 'EACCES'), cell('fs-write-outside', 'error', 'wasm trap: unreachable'), cell('net-connect', 'absent')]),
          capRow('jco', 'jco', 'sandboxed', [cell('fs-read-outside', 'error', 'TypeError: x is undefined\n  at probe'), cell('net-connect', 'error')]),
        ],
        notes: [],
      },
    };
    const c = claim(r, 'sandbox-default');
    expect(c.verdict).toBe('holds');
    expect(c.measured).toBe('2 of 2 file/network probes denied on 1 Wasm configuration; 3 errored, left out');
    expect(c.why).toBe(
      'every file and network probe outside the grants was denied (denied includes absent: no such interface); left out, as an errored probe counts neither for nor against the claim: tax-calculator:wasmtime-embed fs-write-outside; tax-calculator:jco fs-read-outside, net-connect.',
    );
    const w = warningsOf(r);
    expect(w).toContain('**capabilities** tax-calculator:wasmtime-embed: 1 probe errored (fs-write-outside) — wasm trap: unreachable; an errored probe counts neither for nor against any claim.');
    expect(w).toContain('**capabilities** tax-calculator:jco: 2 probes errored (fs-read-outside, net-connect) — TypeError: x is undefined; an errored probe counts neither for nor against any claim.');
  });

  it('still does not hold on an allowed cell beside an errored one', () => {
    const r: Results = {
      ...makeResults([okTarget('node-wasi', 'default', times(60))], [artifact('tax-calculator/core', 'file', 1)]),
      capabilities: {
        probes: ['fs-read-outside', 'net-connect'],
        rows: [capRow('node-wasi', 'node-wasi', 'default', [cell('fs-read-outside', 'allowed'), cell('net-connect', 'error', NO_PROBE)])],
        notes: [],
      },
    };
    const c = claim(r, 'sandbox-default');
    expect(c.verdict).toBe('does not hold');
    expect(c.measured).toBe('0 of 1 file/network probes denied on 1 Wasm configuration; 1 errored, left out');
    expect(c.why).toBe(
      'not denied: node-wasi/default fs-read-outside allowed (denied includes absent: no such interface); left out, as an errored probe counts neither for nor against the claim: tax-calculator:node-wasi net-connect.',
    );
  });
});

describe('seed claim: interpreted languages erode the size and startup benefits', () => {
  it('holds for a 13 MB JavaScript component at 90 ms against a 79 kB C component at 10 ms', () => {
    const c = claim(cVsJs(), 'interpreted-languages');
    expect(c.verdict).toBe('holds');
    expect(c.measured).toBe(
      'tax-calculator-js/component 13.0 MB vs tax-calculator/component 79.0 kB; tax-calculator-js/image 150 MB; best Wasm cold start tax-calculator-js:wasmtime-embed/aot 90.0 ms vs wasmtime-embed/aot 10.0 ms; tax-calculator-js:docker/default 420 ms (medians)',
    );
    // 13e6 / 79e3 = 164.6; 90 / 10 = 9; 13e6 / 150e6 = 8.67%; 420 / 90 = 4.67.
    expect(c.why).toBe(
      "the JavaScript component (13.0 MB) is 165× the C component (79.0 kB), still 8.7% of its own container image (150 MB); its best Wasm cold start, tax-calculator-js:wasmtime-embed/aot 90.0 ms, is 9.00× the C component's best (wasmtime-embed/aot 10.0 ms), while its own container (tax-calculator-js:docker/default 420 ms) takes 4.67× as long; under the runtime's default configuration, tax-calculator-js:wasmtime-embed/jit — compiles the component on every run (the host has no code cache) — takes 6.00 s, 100× wasmtime-embed/jit (60.0 ms): the best configuration is what keeps the startup benefit. A benefit counts as eroded at 2× the C figure or more: size eroded, startup eroded (judged on the best configuration).",
    );
  });

  it('judges startup on the best Wasm variant: without AOT, the JIT start counts', () => {
    const c = claim(cVsJs({ jsAotMs: null, cAotMs: null }), 'interpreted-languages');
    expect(c.verdict).toBe('holds');
    // 6000 / 60 = 100.
    expect(c.why).toContain("its best Wasm cold start, tax-calculator-js:wasmtime-embed/jit 6.00 s, is 100× the C component's best (wasmtime-embed/jit 60.0 ms), no faster than its own container (tax-calculator-js:docker/default 420 ms): the startup benefit is gone");
  });

  it('holds only partly when the size is eroded but the start is not', () => {
    const c = claim(cVsJs({ jsAotMs: 12 }), 'interpreted-languages');
    expect(c.verdict).toBe('holds only partly');
    expect(c.why).toContain('is 1.20× the C component');
    expect(c.why.endsWith('size eroded, startup not eroded (judged on the best configuration).')).toBe(true);
  });

  it('leaves startup undecided when the CI of the ratio straddles the 2× bar', () => {
    const r = cVsJs({ jsAotMs: 26, cAotMs: 12.7 });
    const spread = (workload: string, ms: number[]) => {
      const t = r.targets.find((x) => x.workload === workload && x.id === 'wasmtime-embed' && x.variant === 'aot')!;
      if (t.status === 'ok') t.coldStart.samples = ms.map((v, i) => ({ round: i, ms: v, ok: true, exitCode: 0 }));
    };
    spread('tax-calculator-js', [18, 20, 22, 24, 26, 28, 30, 32, 34]);
    spread('tax-calculator', [9, 10, 11, 12, 12.7, 13, 14, 15, 16]);
    r.crossRatios = crossRatiosOf(r); // as the bench stores them, from these samples
    const c = claim(r, 'interpreted-languages');
    expect(c.verdict).toBe('holds only partly');
    expect(c.why).toMatch(/is 2\.05× \(95% CI (1\.[0-9]+)–(2\.[0-9]+|[3-9]\.[0-9]+)\) the C component's best/);
    expect(c.why.endsWith('size eroded, startup undecided (the CI straddles 2×) (judged on the best configuration).')).toBe(true);
  });

  it('judges startup on the ratio stored at bench time, and leaves it undecided when the run stored none', () => {
    const stored = cVsJs();
    const best = stored.crossRatios.find((x) => x.a.workload === JS_WORKLOAD && x.a.variant === 'aot' && x.b.workload === 'tax-calculator' && x.b.id === 'wasmtime-embed' && x.b.variant === 'aot')!;
    // Not the medians' 9×: the stored figure decides.
    best.ratio = 1.5;
    best.ci95 = [1.4, 1.6];
    const c = claim(stored, 'interpreted-languages');
    expect(c.verdict).toBe('holds only partly');
    expect(c.why).toContain("is 1.50× (95% CI 1.40–1.60) the C component's best");
    const none = cVsJs();
    none.crossRatios = [];
    const u = claim(none, 'interpreted-languages');
    expect(u.verdict).toBe('holds only partly');
    expect(u.why).toContain("is 9.00× the C component's best");
    expect(u.why.endsWith('size eroded, startup undecided (the run stored no CI of the ratio) (judged on the best configuration).')).toBe(true);
  });

  it('reads a stored ratio the other way round when the interpreted workload ran first', () => {
    const r = cVsJs();
    r.workloads.reverse();
    r.crossRatios = crossRatiosOf(r); // now C rows over JavaScript rows
    expect(r.crossRatios.every((x) => x.a.workload === 'tax-calculator')).toBe(true);
    const c = claim(r, 'interpreted-languages');
    expect(c.verdict).toBe('holds');
    expect(c.why).toContain("wasmtime-embed/aot 90.0 ms, is 9.00× the C component's best");
  });

  it('sets the default variant of the best row\'s target beside it only when the best is not the default', () => {
    // With the aot rows marked default, the best row is its target's default: no default-configuration clause.
    const r = cVsJs();
    for (const t of r.targets) if (t.id === 'wasmtime-embed') t.defaultVariant = t.variant === 'aot';
    expect(claim(r, 'interpreted-languages').why).not.toContain("runtime's default configuration");
  });

  it('names the interpreted workload\'s own container by its container baseline, whatever its id', () => {
    const r = cVsJs();
    for (const t of r.targets) if (t.id === 'docker') t.id = 'podman';
    expect(claim(r, 'interpreted-languages').why).toContain('while its own container (tax-calculator-js:podman/default 420 ms) takes 4.67× as long');
    for (const t of r.targets) t.baseline = null;
    expect(claim(r, 'interpreted-languages').why).not.toContain('its own container (');
  });

  it('does not hold when the interpreted component is as small and as fast as the compiled one', () => {
    const c = claim(cVsJs({ jsComponent: 100_000, jsAotMs: 12 }), 'interpreted-languages');
    expect(c.verdict).toBe('does not hold');
    expect(c.why).toContain('the JavaScript component (100 kB) is 1.27× the C component (79.0 kB), still 0.07% of its own container image (150 MB)');
  });

  it('says when the component is no smaller than the container image', () => {
    const c = claim(cVsJs({ jsImage: 10_000_000 }), 'interpreted-languages');
    expect(c.why).toContain('the JavaScript component (13.0 MB) is 165× the C component (79.0 kB), no smaller than its own container image (10.0 MB): the size benefit is gone');
  });

  it('is not measured without an interpreted workload, or without its Wasm rows or component', () => {
    expect(claim(wasmVsDocker(times(2), times(2000)), 'interpreted-languages')).toMatchObject({
      verdict: 'not measured',
      measured: 'not measured in this run',
      why: 'this run measured no workload in an interpreted language (tax-calculator: C), so there is no embedded interpreter to weigh.',
    });
    const noRows = cVsJs();
    noRows.targets = noRows.targets.filter((t) => !(t.workload === JS_WORKLOAD && t.id === 'wasmtime-embed'));
    expect(claim(noRows, 'interpreted-languages')).toMatchObject({
      verdict: 'not measured',
      why: 'no Wasm variant of tax-calculator-js was measured, so the JavaScript component cannot be set beside the C one.',
    });
    expect(claim(cVsJs({ jsComponent: null }), 'interpreted-languages').why).toBe('tax-calculator-js/component was not recorded, so the JavaScript component cannot be set beside the C one.');
  });

  it('classifies a language by its first word, case-insensitively, unless the manifest says interpreted', () => {
    expect(INTERPRETED_LANGUAGES).toEqual(['javascript', 'typescript', 'python', 'ruby', 'lua', 'php', 'perl']);
    const cases: [string, boolean | undefined, boolean][] = [
      ['JavaScript (embedded interpreter)', undefined, true],
      ['javascript', undefined, true],
      ['Python 3.12 (CPython)', undefined, true],
      ['C', undefined, false],
      ['Rust', undefined, false],
      // Not a first word: "Java" is not "javascript".
      ['Java', undefined, false],
      ['JavaScript (embedded interpreter)', false, false],
      ['Scheme', true, true],
    ];
    expect(cases.map(([language, interpreted]) => isInterpreted({ language, interpreted }))).toEqual(cases.map((c) => c[2]));
  });

  it('weighs "JavaScript (embedded interpreter)" as interpreted', () => {
    const r = cVsJs();
    r.workloads[1].language = 'JavaScript (embedded interpreter)';
    const c = claim(r, 'interpreted-languages');
    expect(c.verdict).toBe('holds');
    expect(c.why.startsWith('the JavaScript (embedded interpreter) component (13.0 MB) is 165× the C component (79.0 kB), still 8.7% of its own container image (150 MB);')).toBe(true);
  });

  it('takes interpreted: false in the manifest over the list, and interpreted: true for a language not in it', () => {
    const r = cVsJs();
    r.workloads[1].interpreted = false;
    expect(claim(r, 'interpreted-languages')).toMatchObject({
      verdict: 'not measured',
      measured: 'not measured in this run',
      why: 'this run measured no workload in an interpreted language (tax-calculator: C, tax-calculator-js: JavaScript), so there is no embedded interpreter to weigh.',
    });
    const s = cVsJs();
    s.workloads[1] = { ...s.workloads[1], language: 'Scheme', interpreted: true };
    expect(claim(s, 'interpreted-languages').why.startsWith('the Scheme component (13.0 MB) is 165× the C component (79.0 kB)')).toBe(true);
  });

  it('never sets an interpreted workload beside a compiled one of another task', () => {
    expect(sameTask([{ task: 'tax-calculator' }, { task: 'tax-calculator' }])).toBe(true);
    expect(sameTask([{ task: 'tax-calculator' }, { task: 'other' }])).toBe(false);
    expect(sameTask([{}, {}])).toBe(false);
    const why = (tasks: [string | undefined, string | undefined]) => {
      const r = cVsJs();
      r.workloads.forEach((w, i) => (tasks[i] === undefined ? delete w.task : (w.task = tasks[i])));
      const c = claim(r, 'interpreted-languages');
      expect(c).toMatchObject({ verdict: 'not measured', measured: 'not measured in this run' });
      expect(c.why).not.toContain('same task in');
      return c.why;
    };
    expect(why([undefined, undefined])).toBe(
      'no compiled workload gives the same task as an interpreted one (tax-calculator-js (JavaScript): no task; tax-calculator (C): no task), and set beside a different program the interpreted component\'s size and cold start would weigh the programs, not the embedded interpreter; give the manifests of the same program the same "task".',
    );
    expect(why(['tax-calculator', 'fizzbuzz'])).toBe(
      'no compiled workload gives the same task as an interpreted one (tax-calculator-js (JavaScript): task "fizzbuzz"; tax-calculator (C): task "tax-calculator"), and set beside a different program the interpreted component\'s size and cold start would weigh the programs, not the embedded interpreter; give the manifests of the same program the same "task".',
    );
  });

  it('pairs the interpreted workload with the compiled one of its own task', () => {
    const r = cVsJs();
    // A third, compiled workload of another task first: the pair is still the tax calculators.
    r.workloads.splice(1, 0, { ...r.workloads[0], name: 'fizzbuzz', language: 'Rust', task: 'fizzbuzz' });
    const c = claim(r, 'interpreted-languages');
    expect(c.verdict).toBe('holds');
    expect(c.why.startsWith('the JavaScript component (13.0 MB) is 165× the C component (79.0 kB)')).toBe(true);
  });

  it('leaves the headline claims to the primary workload', () => {
    const list = evaluateClaims(cVsJs());
    const cold = list.find((c) => c.id === 'cold-start')!;
    expect(cold.measured).toBe('wasmtime-embed/jit 60.0 ms; wasmtime-embed/aot 10.0 ms; docker/default 300 ms (medians)');
    const size = list.find((c) => c.id === 'artifact-size')!;
    // Neither the JavaScript artifacts nor the harness's own image-node-base count here.
    expect(size.measured).toBe('tax-calculator/component 79.0 kB; tax-calculator/component-cwasm 224 kB; tax-calculator/image 55.0 kB');
  });
});
