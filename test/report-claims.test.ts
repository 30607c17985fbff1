import { describe, expect, it } from 'vitest';
import { evaluateClaims, type Claim } from '../harness/report/claims.js';
import type { Results } from '../harness/model.js';
import { artifact, fixture, makeResults, okTarget, wasmVsDocker } from './report-builder.js';

const claim = (r: Results, id: Claim['id']) => evaluateClaims(r).find((c) => c.id === id)!;
const times = (x: number, n = 5) => Array.from({ length: n }, () => x);

describe('seed claim: Wasm ~1–5 ms vs containers ~1–5 s', () => {
  it('holds for a 2 ms Wasm start against a 2 s container', () => {
    const c = claim(wasmVsDocker(times(2), times(2000)), 'cold-start');
    expect(c.verdict).toBe('holds');
    expect(c.measured).toBe('wasmtime-embed/aot 2.00 ms; docker/default 2.00 s (medians)');
    expect(c.why).toBe(
      'docker/default median 2.00 s is within the claimed 1–5 s; every Wasm target is at or under 1–5 ms (wasmtime-embed/aot 2.00 ms); docker/default takes 1000× as long as the fastest Wasm start, where the claim implies 200–5000×.',
    );
  });

  it('does not hold for 70 ms against 300 ms', () => {
    const c = claim(wasmVsDocker(times(70), times(300)), 'cold-start');
    expect(c.verdict).toBe('does not hold');
    expect(c.why).toBe(
      'docker/default median 300 ms is well under the claimed 1–5 s; no Wasm target is within 1–5 ms: fastest wasmtime-embed/aot 70.0 ms; docker/default takes 4.29× as long as the fastest Wasm start, where the claim implies 200–5000×.',
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
    } as Results;
    const c = claim(r, 'sandbox-default');
    // clock is not a file/network capability and docker is not Wasm: neither counts.
    expect(c.verdict).toBe('holds');
    expect(c.measured).toBe('2 of 2 file/network probes denied on 1 Wasm configuration');
  });

  it('holds only partly when a Wasm configuration lets a write through', () => {
    const r = {
      ...makeResults([okTarget('jco', 'sandboxed', times(150)), okTarget('node-wasi', 'default', times(60))], [artifact('core-wasm', 'file', 1)]),
      capabilities: {
        rows: [
          { target: 'jco', variant: 'sandboxed', cells: [{ probe: 'fs-write-outside', outcome: 'denied' }] },
          { target: 'node-wasi', variant: 'default', cells: [{ probe: 'fs-write-granted', outcome: 'allowed' }] },
        ],
      },
    } as Results;
    const c = claim(r, 'sandbox-default');
    expect(c.verdict).toBe('holds only partly');
    expect(c.why).toBe('not denied: node-wasi/default fs-write-granted allowed (denied includes absent: no such interface).');
  });
});
