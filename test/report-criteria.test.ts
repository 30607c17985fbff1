import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import { evaluateCriteria, loadCriteria } from '../harness/report/criteria.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { artifact, fixture, makeResults, okTarget, sha } from './report-builder.js';
import { ROOT } from './support.js';

const example = () => readFileSync(path.join(ROOT, 'examples', 'criteria.tax-calculator.json'), 'utf8');
const one = (c: object) => JSON.stringify({ criteria: [c] });

describe('the example criteria file on the sample run', () => {
  const res = evaluateCriteria(fixture(), loadCriteria(example()));

  it('passes every criterion but the unmeasured sandbox probes, as its description says', () => {
    expect(res.criteria.map((c) => [c.id, c.status])).toEqual([
      ['C1', 'PASS'],
      ['C2', 'PASS'],
      ['C3', 'PASS'],
      ['C4', 'PASS'],
      ['C5', 'FAIL'],
    ]);
    expect(res.passed).toBe(false);
    expect(res.decision).toBe('Criteria not met: 1 of 5 fail (C5, not measured).');
  });

  it('reports measured values and limits', () => {
    const [c1, c2, c3, c4, c5] = res.criteria;
    expect([c1.measured, c1.limit]).toEqual(['p95 14.5 ms (n=5)', 'p95 ≤ 25.0 ms']);
    // vsDocker upper CI bound 0.0475 → speedup lower bound 1/0.0475 = 21.1×; point 1/0.0353 = 28.3×.
    expect([c2.measured, c2.limit]).toEqual(['21.1× (lower 95% bound; point 28.3×)', '≥ 10.0× (lower 95% bound)']);
    expect(c2.value).toBeCloseTo(1 / 0.04749675982285963, 9);
    expect(c3.measured).toBe('component-cwasm 190 KiB raw (194,816 B); gzip not recorded in this run, raw bytes used');
    expect(c3.limit).toBe('≤ 1.00 MiB (1,048,576 B)');
    expect(c4.measured).toBe('present: runtimeVersion, artifactSha256, exitCode, duration');
    expect(c5.notMeasured).toBe(true);
    expect(c5.measured).toBe('not measured in this run (no capability probes), so this FAILS until the probes are measured');
  });

  it('evaluates rollback triggers without tripping on this run', () => {
    expect(res.rollback.map((t) => [t.id, t.state])).toEqual([
      ['R1', 'not tripped'],
      ['R2', 'not tripped'],
      ['R3', 'manual'],
    ]);
  });

  it('renders an ADR-style decision record', () => {
    const md = renderMarkdown(fixture(), { criteria: res });
    expect(md).toContain('## Decision record: Run the checkout tax calculator as a Wasm component (wasmtime-embed, AOT)');
    for (const h of ['### Context', '### Options considered', '### Evidence', '### Rollback triggers', '### Decision']) expect(md).toContain(`\n${h}\n`);
    expect(md).toContain('| C1 | Cold start p95 stays within a checkout latency budget | wasmtime-embed/aot | p95 14.5 ms (n=5) | p95 ≤ 25.0 ms | **PASS** |');
    expect(md).toContain('- **wasmtime/jit-cache-off,precompiled** — wasmtime: skipped, wasmtime CLI not on PATH');
    expect(md).toContain('**Criteria not met: 1 of 5 fail (C5, not measured).**');
  });
});

describe('criteria decisions', () => {
  // A target 20× faster than docker at the point estimate, but whose ratio CI reaches 0.1 (speedup ≥ 10 only).
  const r: Results = makeResults(
    [okTarget('wasmtime-embed', 'aot', [2, 2, 2, 2, 2], { artifact: 'tax-calculator/component-cwasm', vsDocker: { ratio: 0.05, ci95: [0.04, 0.1] } })],
    [artifact('tax-calculator/component-cwasm', 'file', 2_000_000)],
    {
      footprint: {
        artifacts: [{ id: 'tax-calculator/component-cwasm', kind: 'file', bytes: 2_000_000, gzipBytes: 600_000, brotliBytes: 500_000, brotliQuality: 11, sha256: sha('tax-calculator/component-cwasm') }],
        images: [],
        rollout: [],
        runtimes: [],
        notes: [],
      },
    },
  );

  it('judges the speedup by the lower bound of its CI, i.e. the upper bound of × docker', () => {
    const pass = evaluateCriteria(r, loadCriteria(one({ kind: 'speedup-over-docker', target: 'wasmtime-embed', variant: 'aot', minSpeedup: 10 })));
    expect(pass.criteria[0].status).toBe('PASS');
    expect(pass.criteria[0].value).toBeCloseTo(10, 12);
    const fail = evaluateCriteria(r, loadCriteria(one({ kind: 'speedup-over-docker', target: 'wasmtime-embed', variant: 'aot', minSpeedup: 12 })));
    expect(fail.criteria[0].status).toBe('FAIL');
    expect(fail.criteria[0].measured).toBe('10.0× (lower 95% bound; point 20.0×)');
  });

  it('uses gzip bytes when the run has them', () => {
    const res = evaluateCriteria(r, loadCriteria(one({ kind: 'artifact-size', target: 'wasmtime-embed', variant: 'aot', maxBytes: 700_000 })));
    expect(res.criteria[0]).toMatchObject({ status: 'PASS', value: 600_000, measured: 'tax-calculator/component-cwasm 586 KiB gzip (600,000 B)' });
  });

  it('fails a p95 over the limit and a target that is not in the run', () => {
    const res = evaluateCriteria(
      r,
      loadCriteria(JSON.stringify({ criteria: [{ kind: 'cold-start-p95', target: 'wasmtime-embed', variant: 'aot', maxMs: 1.5 }, { kind: 'cold-start-p95', target: 'jco', variant: 'sandboxed', maxMs: 100 }] })),
    );
    expect(res.criteria.map((c) => [c.status, c.measured])).toEqual([
      ['FAIL', 'p95 2.00 ms (n=5)'],
      ['FAIL', 'not measured: jco/sandboxed is not in this run'],
    ]);
  });

  it('passes denied probes once the capability matrix has them', () => {
    const withCaps = { ...r, capabilities: { probes: [], rows: [{ target: 'wasmtime-embed', variant: 'aot', cells: [{ probe: 'net-connect', outcome: 'absent' }, { probe: 'fs-read-outside', outcome: 'denied' }] }], notes: [] } } as unknown as Results;
    const spec = { kind: 'probes-denied', target: 'wasmtime-embed', variant: 'aot', probes: ['net-connect', 'fs-read-outside'] };
    expect(evaluateCriteria(withCaps, loadCriteria(one(spec))).criteria[0]).toMatchObject({ status: 'PASS', measured: '2 of 2 denied' });
    const res = evaluateCriteria(withCaps, loadCriteria(one({ ...spec, probes: ['net-connect', 'env-read'] })));
    expect(res.criteria[0]).toMatchObject({ status: 'FAIL', measured: '1 of 2 denied; not tried: env-read' });
  });
});

describe('probes-denied with errored cells', () => {
  // A bring-your-own program without a probe mode: its probe cells are `error`, not outcomes.
  const NO_PROBE = "error: unknown option '--probe'";
  const withCells = (cells: { probe: string; outcome: string }[]): Results =>
    ({
      ...makeResults([okTarget('wasmtime-embed', 'aot', [2, 2, 2, 2, 2])], []),
      capabilities: {
        probes: cells.map((c) => c.probe),
        rows: [{ workload: 'tax-calculator', id: 'wasmtime-embed', target: 'wasmtime-embed', variant: 'aot', label: 'wasmtime-embed', limits: '–', denialNamesCapability: null, cells: cells.map((c) => ({ ...c, evidence: c.outcome === 'error' ? NO_PROBE : '', harnessEvidence: '', exitCode: c.outcome === 'error' ? 2 : 0, durationMs: 5 })) }],
        notes: [],
      },
    }) as unknown as Results;
  const spec = { kind: 'probes-denied', target: 'wasmtime-embed', variant: 'aot', probes: ['fs-read-outside', 'net-connect'] };
  const gate = loadCriteria(JSON.stringify({ criteria: [spec], rollbackTriggers: [{ ...spec, id: 'R1' }] }));

  it('is not measured, never "not denied", when every listed probe errored, and the gate does not pass', () => {
    const r = withCells([
      { probe: 'fs-read-outside', outcome: 'error' },
      { probe: 'net-connect', outcome: 'error' },
    ]);
    const res = evaluateCriteria(r, gate);
    expect(res.criteria[0]).toMatchObject({
      status: 'FAIL',
      notMeasured: true,
      value: null,
      measured: 'not measured: errored, so counted neither for nor against: wasmtime-embed/aot fs-read-outside, wasmtime-embed/aot net-connect; 0 of 2 denied (see Warnings)',
    });
    expect(res.criteria[0].measured).not.toContain('not denied');
    expect(res.rollback[0].state).toBe('not measured');
    expect(res.passed).toBe(false);
    expect(res.decision).toBe('Criteria not met: 1 of 1 fail (C1, not measured).');
    const md = renderMarkdown(r, { criteria: res });
    expect(md).toContain('not measured: errored, so counted neither for nor against: wasmtime-embed/aot fs-read-outside');
    // The matrix shows an errored cell as not measured, not as an alarm like ALLOWED.
    expect(md).toContain("| wasmtime-embed/aot | the workload's own probe mode | error (not measured) | error (not measured) |");
    expect(md).not.toContain('**ERROR**');
    // The errored cells are under Warnings, so it is not "None".
    const warnings = md.split('\n## Warnings')[1]!.split('\n## ')[0]!;
    expect(warnings).toContain("**capabilities** tax-calculator:wasmtime-embed: 2 probes errored (fs-read-outside, net-connect) — error: unknown option '--probe'");
  });

  it('is not measured when one probe errored and the rest were denied', () => {
    const r = withCells([
      { probe: 'fs-read-outside', outcome: 'denied' },
      { probe: 'net-connect', outcome: 'error' },
    ]);
    const res = evaluateCriteria(r, gate);
    expect(res.criteria[0]).toMatchObject({ status: 'FAIL', notMeasured: true, measured: 'not measured: errored, so counted neither for nor against: wasmtime-embed/aot net-connect; 1 of 2 denied (see Warnings)' });
    expect(res.rollback[0].state).toBe('not measured');
  });

  it('still fails as "not denied" on an allowed probe beside an errored one, the errored one left out', () => {
    const r = withCells([
      { probe: 'fs-read-outside', outcome: 'allowed' },
      { probe: 'net-connect', outcome: 'error' },
    ]);
    const res = evaluateCriteria(r, gate);
    expect(res.criteria[0]).toMatchObject({ status: 'FAIL', notMeasured: false, value: 0, measured: '0 of 2 denied; not denied: fs-read-outside allowed; errored, left out: net-connect' });
    expect(res.rollback[0].state).toBe('TRIPPED');
  });
});

describe('loadCriteria', () => {
  const err = (text: string) => {
    try {
      loadCriteria(text);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('names the bad field in one line', () => {
    const p95 = { kind: 'cold-start-p95', target: 'jco', variant: 'sandboxed', maxMs: 5 };
    const cases: [string, string][] = [
      [one({ ...p95, maxMs: 'fast' }), 'criteria[0].maxMs: must be a number, got "fast"'],
      [one({ ...p95, maxMs: 0 }), 'criteria[0].maxMs: must be > 0, got 0'],
      [one({ ...p95, maxMs: undefined, maxMS: 5 }), 'criteria[0]: unknown field maxMS (allowed: id, description, $comment, kind, workload, target, variant, maxMs)'],
      [one({ kind: 'cold-start-p95', target: 'jco', maxMs: 5 }), 'criteria[0]: missing field variant'],
      [one({ ...p95, target: ' ' }), 'criteria[0].target: must not be blank'],
      [one({ kind: 'cold-start-p99', target: 'jco' }), 'criteria[0].kind: must be one of "cold-start-p95", "speedup-over-docker", "artifact-size", "probes-denied", "observability", got "cold-start-p99"'],
      [one({ target: 'jco' }), 'criteria[0]: missing field kind'],
      [one({ kind: 'observability', target: 'jco', variant: 'sandboxed', fields: ['exitCode', 'logs'] }), 'criteria[0].fields[1]: must be one of "runtimeVersion", "artifactSha256", "exitCode", "duration", "phases", "peakMemory", got "logs"'],
      [one({ kind: 'probes-denied', target: 'jco', variant: 'sandboxed', probes: [] }), 'criteria[0].probes: must not be empty'],
      [one({ kind: 'manual', text: 'x' }), 'criteria[0].kind: must be one of "cold-start-p95", "speedup-over-docker", "artifact-size", "probes-denied", "observability", got "manual"'],
      [JSON.stringify({ criteria: [p95], rollbackTriggers: [{ kind: 'manual' }] }), 'rollbackTriggers[0]: missing field text'],
      [JSON.stringify({ criteria: [] }), 'criteria: must not be empty'],
      [JSON.stringify({ criteria: {} }), 'criteria: must be an array, got {}'],
      [JSON.stringify({ title: 3, criteria: [p95] }), 'title: must be a string, got 3'],
      [JSON.stringify({ criteria: [{ kind: 'artifact-size', maxBytes: 1 }] }), 'criteria[0]: missing field target: name an artifact id (artifact), or both target and variant'],
      [JSON.stringify({ criteria: [{ kind: 'artifact-size', artifact: 'x/component', target: 'jco', variant: 'sandboxed', maxBytes: 1 }] }), 'criteria[0].target: cannot go with artifact: name an artifact id, or a target and variant'],
      [JSON.stringify({ crtieria: [] }), 'unknown field crtieria (allowed: $schema, $comment, description, title, context, criteria, rollbackTriggers)'],
      [JSON.stringify([p95]), 'must be an object, got an array'],
      [JSON.stringify({ criteria: [{ ...p95, id: 'A' }], rollbackTriggers: [{ kind: 'manual', text: 'x', id: 'A' }] }), 'rollbackTriggers[0].id: "A" is also the id of criteria[0]; ids must be unique'],
      ['{"criteria": [', 'criteria file is not valid JSON: '],
    ];
    for (const [text, msg] of cases) {
      const got = err(text);
      if (msg.endsWith(': ')) expect(got.startsWith(msg), `${got}\n  expected to start with\n${msg}`).toBe(true);
      else expect(got).toBe(msg);
      expect(got).not.toContain('\n');
    }
  });

  it('is the published schema: the example file validates, and a plain validator rejects what loadCriteria rejects', () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'harness', 'schema', 'criteria.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(JSON.parse(example())), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ criteria: [{ kind: 'cold-start-p95', target: 'jco', variant: 'sandboxed', maxMS: 5 }] })).toBe(false);
    expect(validate({ criteria: [{ kind: 'artifact-size', artifact: 'x/component', workload: 'x', maxBytes: 1 }] })).toBe(false);
  });

  it('accepts comments and descriptions anywhere', () => {
    const c = loadCriteria(JSON.stringify({ $comment: 'x', description: 'y', criteria: [{ $comment: 'z', description: 'w', kind: 'cold-start-p95', target: 'a', variant: 'b', maxMs: 1 }] }));
    expect(c.criteria[0]).toEqual({ description: 'w', kind: 'cold-start-p95', target: 'a', variant: 'b', maxMs: 1 });
  });
});
