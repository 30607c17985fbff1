import { describe, expect, it } from 'vitest';
import type { Results } from '../harness/model.js';
import type { Stats } from '../harness/model.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { artifact, fixture, makeResults, okTarget, rawFixture, sha } from './report-builder.js';
import { schemaErrors, schemaErrorsV1 } from './validate-results.js';

// Exporter output compared as exact strings (hyperfine's approach), on a
// hand-made run whose every figure is pinned.
const stats = (o: Partial<Stats>): Stats => ({ n: 4, min: 0, max: 0, median: 0, mean: 0, sd: 0, p95: 0, p99: 0, mad: 0, ci95: [0, 0], ...o });

/** The lines of a markdown section, from its heading to the next heading of the same or a higher level. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) return [];
  const level = heading.split(' ')[0].length;
  const end = lines.findIndex((l, i) => i > at && /^#+ /.test(l) && l.split(' ')[0].length <= level);
  return lines.slice(at, end < 0 ? undefined : end);
}

function handMade(): Results {
  return makeResults(
    [
      okTarget('wasmtime-embed', 'aot', [1.9, 2, 2.1, 2.2], {
        stats: stats({ min: 1.9, max: 2.2, median: 2.05, mean: 2.05, p95: 2.18, p99: 2.2, ci95: [1.9, 2.2] }),
        artifact: 'tax-calculator/component-cwasm',
        vsDocker: { ratio: 0.001, ci95: [0.0008, 0.0012] },
        memory: 12_046_336,
        warm: stats({ n: 20, median: 0.531, p95: 0.699, ci95: [0.504, 0.569] }),
        phases: { engine: 0.3, load: 0.6, instantiate: 0.5, run: 0.6 },
      }),
      okTarget('docker', 'default', [1800, 2000, 2100, 2300], {
        stats: stats({ min: 1800, max: 2300, median: 2050, mean: 2050, p95: 2270, p99: 2290, ci95: [1800, 2300] }),
        artifact: 'tax-calculator/image',
        vsDocker: { ratio: 1, ci95: [0.8, 1.2] },
        phases: { create: 100, start: 1500, wait: 300, container_process: 2, remove: 140 },
      }),
    ],
    [artifact('tax-calculator/component-cwasm', 'file', 1_500_000), artifact('tax-calculator/image', 'image', 80_000_000)],
  );
}

describe('renderMarkdown on a hand-made run', () => {
  const md = renderMarkdown(handMade());
  const lines = md.split('\n');

  it('is built from a schema-valid Results', () => {
    expect(schemaErrors(handMade())).toEqual([]);
  });

  it('writes the header lines', () => {
    expect(lines[0]).toBe('# wasm-vs-container: tax-calculator (C) — run run-1');
    expect(lines).toContain('- Run: `run-1`, started 2026-01-02T03:04:05.000Z, finished 2026-01-02T03:05:00.000Z');
    expect(lines).toContain('- Machine: Test CPU, 4 cores, 16.0 GiB memory; Linux 6.1.0 x86_64; Debian 12');
    // Every runtime the run recorded, by target id, as environment.runtimes lists them.
    expect(lines).toContain('- Versions: Node v20.0.0 (the harness); docker 27.0.1; wasmtime-embed 49.0.0; wasmtime not installed');
    expect(lines).toContain("- Schedule: 30 rounds after 3 warm-ups per variant, in an order shuffled with the schedule's random seed 42");
    expect(lines).toContain('- Harness: 0.1.0, git commit `abc123`');
    expect(lines).toContain('### Workload');
    expect(lines).toContain(
      `- **tax-calculator** (C): tax-calculator (test). Args \`--postal-code=10001\`; every sample must print \`{"tax_cents":1109}\`. Manifest \`modules/tax-calculator/workload.json\`, sha256 \`${sha('tax-calculator')}\`.`,
    );
    expect(lines).toContain('| wasmtime-embed | aot | wasmtime-embed | wasmtime-embed-1.0 |');
    expect(lines).toContain(`| tax-calculator/component-cwasm | file | 1,500,000 | 1.43 MiB | – | \`${sha('tax-calculator/component-cwasm')}\` | wasmtime-embed/aot |`);
    expect(lines).toContain(`| tax-calculator/image | image | 80,000,000 | 76.3 MiB | – | \`${sha('tax-calculator/image')}\` | docker/default |`);
    // One workload: no workload column, no language section.
    expect(md).not.toContain('| workload |');
    expect(md).not.toContain('## Workloads:');
    expect(md).not.toContain('Incomplete run');
  });

  it('writes one summary row per target variant, in a cold-start table and a footprint table', () => {
    expect(section(md, '### Cold start').slice(2, 6)).toEqual([
      '| target | variant | cold start median (95% CI) | p95 | × native (95% CI) | × docker (95% CI) | warm median² | failures |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      '| wasmtime-embed | aot | 2.05 ms (1.90–2.20) | 2.18 ms | – | 0.00100× (0.000800–0.00120) | 0.531 ms | 0/4 |',
      '| docker | default | 2050 ms (1800–2300) | 2270 ms | – | 1.00× (0.800–1.20) | n/a | 0/4 |',
    ]);
    expect(section(md, '### Footprint').slice(2, 6)).toEqual([
      '| target | variant | artifact | raw | gzip | peak memory¹ | probes denied/tried³ |',
      '|---|---|---|---:|---:|---:|---:|',
      '| wasmtime-embed | aot | tax-calculator/component-cwasm | 1.43 MiB | – | 11.5 MiB | – |',
      '| docker | default | tax-calculator/image | 76.3 MiB | – | – | – |',
    ]);
    expect(lines).toContain('¹ Peak memory, median over samples: peak RSS (test) (wasmtime-embed/aot); not measured (docker/default).');
  });

  it('writes a verdict line per common claim about Wasm', () => {
    expect(lines).toContain(
      '- **Cold start — holds:** docker/default median 2.05 s is within the claimed 1–5 s; every Wasm target is at or under 1–5 ms (wasmtime-embed/aot 2.05 ms); the fastest container path, docker/default 2.05 s, takes 1000× as long as the fastest Wasm start (wasmtime-embed/aot 2.05 ms), where the claim implies 200–5000×.',
    );
    expect(lines).toContain('- **Artifact size — holds:** Wasm artifact tax-calculator/component-cwasm (1.50 MB) is at or under 0.1–5 MB; container image tax-calculator/image is 80.0 MB, within the claimed 50–500 MB.');
    expect(lines.some((l) => l.startsWith('- **Sandboxed by default — not measured:** this run has no capability probes'))).toBe(true);
    expect(lines).toContain('- **Interpreted languages — not measured:** this run measured no workload in an interpreted language (tax-calculator: C), so there is no embedded interpreter to weigh.');
  });

  it('breaks docker down into API calls and the container process', () => {
    const at = lines.indexOf('### docker/default');
    expect(lines.slice(at, at + 13)).toEqual([
      '### docker/default',
      '',
      'Source: test. Cold-start median 2050 ms.',
      '',
      '| phase | median | share of cold start |',
      '|---|---:|---:|',
      '| create | 100 ms | 4.9% |',
      '| start | 1500 ms | 73% |',
      '| wait | 300 ms | 15% |',
      '| container_process (inside start and wait) | 2.00 ms | 0.10% |',
      '| remove | 140 ms | 6.8% |',
      '| other (median − sum of phases) | 10.0 ms | 0.49% |',
      '',
    ]);
    expect(lines).toContain("The workload itself (container_process) takes 2.00 ms, 0.10% of the cold start; the other 99.9% is the runtime's start-up and teardown.");
  });

  it('says what is not measured yet instead of inventing it', () => {
    expect(md).toContain('## Footprint and rollout cost\n\nNot measured in this run.');
    expect(md).toContain('## Capability matrix\n\nNot measured in this run.');
    expect(lines).toContain('| docker | default | n/a | – | – | – | – | no in-process equivalent |');
  });

  it('flags an interrupted run at the top', () => {
    const r = { ...handMade(), complete: false, interrupted: 'SIGINT' };
    const out = renderMarkdown(r).split('\n');
    expect(out[2]).toBe('> **Incomplete run.** Interrupted (SIGINT) before every target was measured: the numbers below cover only what was measured.');
    expect(out).toContain('- **incomplete run**: interrupted (SIGINT); only what was measured is reported.');
  });

  it('marks the exit codes of an ok-err row as ok/err only', () => {
    const obs = lines.slice(lines.indexOf('## Observability'));
    // wasmtime-embed/aot records exitCodes 'ok-err' (a WASI 0.2 component), docker/default 'exact'.
    expect(obs.find((l) => l.startsWith('| wasmtime-embed | aot |'))).toContain('| yes, 4/4 samples (ok/err only) |');
    expect(obs.find((l) => l.startsWith('| docker | default |'))).toContain('| yes, 4/4 samples |');
    const r = handMade();
    for (const t of r.targets) t.exitCodes = 'ok-err';
    expect(renderMarkdown(r).split('\n').find((l) => l.startsWith('| docker | default | yes (docker-1.0)'))).toContain('(ok/err only)');
  });

  it('takes the cache state, the caveats and the notes from what the rows and targets record', () => {
    expect(section(md, '### Cache state per variant')).toEqual([
      '### Cache state per variant',
      '',
      '| target | variant | cache state on a cold start |',
      '|---|---|---|',
      '| wasmtime-embed | aot | deserializes the precompiled .cwasm; nothing is compiled at start |',
      '| docker | default | image local, layers on disk: no pull is measured |',
      '',
      'The page cache is warm for every target after the warm-ups.',
      '',
    ]);
    const r = handMade();
    r.targets[1].cacheState = 'whatever the target declares';
    r.targets[0].notes = ['no fuel metering under `aot`'];
    // A target with no row adds nothing; identical caveats of several targets show once.
    r.targetInfo = [
      { id: 'wasmtime-embed', summary: 's', caveats: ['shared caveat', 'only the embed host'] },
      { id: 'docker', summary: 's', caveats: ['shared caveat'] },
      { id: 'absent', summary: 's', caveats: ['never shown'] },
    ];
    const out = renderMarkdown(r);
    expect(out).toContain('| docker | default | whatever the target declares |');
    expect(section(out, '### Caveats')).toEqual(['### Caveats', '', '- shared caveat', '- only the embed host', '- wasmtime-embed/aot: no fuel metering under `aot`', '']);
  });

  it('is deterministic', () => {
    expect(renderMarkdown(handMade())).toBe(md);
  });
});

describe('renderMarkdown on the sample run', () => {
  const md = renderMarkdown(fixture());
  const lines = md.split('\n');

  it('is built from a schemaVersion 1 run, valid against that version\'s schema', () => {
    expect(rawFixture().schemaVersion).toBe(1);
    expect(schemaErrorsV1(rawFixture())).toEqual([]);
  });

  it('renders the upgraded run as it did before workloads: one workload, derived from the old name', () => {
    expect(lines).toContain('### Workload');
    expect(lines).toContain(
      '- **tax-calculator** (C). Args `--postal-code=10001 --subtotal=125.00`; every sample must print `{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}`. Manifest not recorded (a schemaVersion 1 run).',
    );
    expect(md).not.toContain('| workload |');
  });

  it('has the header, the native row, the skipped row and the verdicts', () => {
    expect(lines[0]).toBe('# wasm-vs-container: tax-calculator (C) — run 20261124T142626Z-df26');
    expect(lines).toContain('- Machine: AMD EPYC, 2 cores, 23.5 GiB memory; Linux 6.18.44-fc-v657 x86_64; Debian GNU/Linux 12 (bookworm)');
    expect(lines).toContain("- Schedule: 5 rounds after 1 warm-up per variant (--quick), in an order shuffled with the schedule's random seed 217443368");
    expect(lines).toContain('| native | static | 5.90 ms (4.49–6.49) | 6.41 ms | 1.00× (0.761–1.31) | 0.0175× (0.0133–0.0221) | n/a | 0/5 |');
    expect(lines).toContain('| native | static | native-bin | 45.6 KiB | – | 0 B | – |');
    expect(lines).toContain(
      '| wasmtime | jit-cache-off,precompiled | **skipped**: wasmtime CLI not on PATH — hint: install the wasmtime CLI and put it on PATH, or set WASMTIME=/path/to/wasmtime (wasmtime-embed covers the engine without it) | | | | | |',
    );
    expect(lines).toContain(
      '| wasmtime | jit-cache-off,precompiled | **skipped** (see the cold-start table) | | | | |',
    );
    expect(lines).toContain(
      '- **Cold start — does not hold:** docker/default median 337 ms is well under the claimed 1–5 s; no Wasm target is within 1–5 ms: fastest wasmtime-embed/aot 11.9 ms, slowest jco/sandboxed 174 ms; the fastest container path, docker/default 337 ms, takes 28.3× as long as the fastest Wasm start (wasmtime-embed/aot 11.9 ms), where the claim implies 200–5000×.',
    );
    expect(lines).toContain(
      '- **Artifact size — holds only partly:** Wasm artifacts 37.4 kB (core-wasm) to 424 kB (jco-bundle) are at or under 0.1–5 MB; container image image-scratch is 46.7 kB, 1070× under the claimed 50–500 MB and smaller than 3 of 4 Wasm artifacts.',
    );
    expect(lines).toContain('- **[wasmtime] skipped**: wasmtime skipped: wasmtime CLI not on PATH — install the wasmtime CLI and put it on PATH, or set WASMTIME=/path/to/wasmtime (wasmtime-embed covers the engine without it)');
    expect(lines).toContain(
      '- Spawn calibration: 5.44 ms (95% CI 4.07–6.53 ms, n=10) — median time to spawn and reap a static no-op program through the same spawner (wvc-spawn, for ru_maxrss); shown, never subtracted.',
    );
    expect(md).toContain('"The node:wasi module does not currently provide the comprehensive file system security properties provided by some WASI runtimes."');
  });
});
