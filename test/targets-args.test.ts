import { describe, expect, it } from 'vitest';
import { mapGuestArgs } from '../harness/targets/common.js';
import { parsePhases } from '../harness/targets/phases.js';
import { mapLimit } from '../harness/util/pool.js';
import { native } from '../harness/targets/native.js';
import { jco } from '../harness/targets/jco.js';
import type { Manifest, PreparedVariant, PrepareContext } from '../harness/targets/types.js';
import { testWorkload } from './support.js';

describe('guest path mapping for targets without a filesystem namespace', () => {
  const grants = [{ host: '/h/rules', guest: '/rules', readOnly: true, arg: '--rules' }];
  it("adds the grant's flag with the host dir when the args name none", () => {
    expect(mapGuestArgs(['--postal-code=10001', '--subtotal=1.00'], grants)).toEqual(['--postal-code=10001', '--subtotal=1.00', '--rules=/h/rules']);
  });
  it('maps the guest path and paths below it, in flags and bare, and leaves other paths alone', () => {
    expect(mapGuestArgs(['--rules=/rules/malformed'], grants)).toEqual(['--rules=/h/rules/malformed']);
    expect(mapGuestArgs(['--rules=/rules'], grants)).toEqual(['--rules=/h/rules']);
    expect(mapGuestArgs(['--rules=/nonexistent'], grants)).toEqual(['--rules=/nonexistent']);
    expect(mapGuestArgs(['--rules=/rulesX'], grants)).toEqual(['--rules=/rulesX']);
    expect(mapGuestArgs(['/rules/a.csv', '--rules=/rules'], grants)).toEqual(['/h/rules/a.csv', '--rules=/h/rules']);
  });
  it('rewrites a positional guest path and the value of a two-argument flag, and then adds no default', () => {
    expect(mapGuestArgs(['/rules/a.csv'], grants)).toEqual(['/h/rules/a.csv', '--rules=/h/rules']);
    expect(mapGuestArgs(['/rules'], grants)).toEqual(['/h/rules', '--rules=/h/rules']);
    expect(mapGuestArgs(['--rules', '/rules/b.csv', '--subtotal=1.00'], grants)).toEqual(['--rules', '/h/rules/b.csv', '--subtotal=1.00']);
    // A trailing flag with no value does not name the directory: the default is still added.
    expect(mapGuestArgs(['--rules'], grants)).toEqual(['--rules', '--rules=/h/rules']);
  });
  it('leaves a guest path inside other text alone', () => {
    expect(mapGuestArgs(['-r/rules', 'x=/rules', '/rulesX/a', 'rules/a'], grants, { addDefaults: false })).toEqual(['-r/rules', 'x=/rules', '/rulesX/a', 'rules/a']);
  });
  it('rewrites positional paths of grants that have no flag', () => {
    const two = [
      { host: '/h/in', guest: '/in', readOnly: true },
      { host: '/h/out', guest: '/out', readOnly: false },
    ];
    expect(mapGuestArgs(['/in/words.txt', '/out/count.txt', '--x=/in'], two)).toEqual(['/h/in/words.txt', '/h/out/count.txt', '--x=/h/in']);
  });
  it('adds no default flag for probes, which take no other flags', () => {
    expect(mapGuestArgs(['--probe=fs-write-granted', '--target-path=/rules'], grants, { addDefaults: false })).toEqual(['--probe=fs-write-granted', '--target-path=/h/rules']);
  });
  it('adds nothing for a grant without a flag', () => {
    expect(mapGuestArgs(['--input=/data/x'], [{ host: '/h/d', guest: '/data', readOnly: true }])).toEqual(['--input=/h/d/x']);
  });
});

describe('side-channel phases', () => {
  it('strips _ms and keeps numbers only', () => {
    expect(parsePhases('{"engine_ms":1.5,"load_ms":2,"note":"x"}\n')).toEqual({ engine: 1.5, load: 2 });
  });
  it('takes the last line and tolerates nothing or garbage', () => {
    expect(parsePhases('junk\n{"boot":3}\n')).toEqual({ boot: 3 });
    expect(parsePhases('')).toBeUndefined();
    expect(parsePhases(undefined)).toBeUndefined();
    expect(parsePhases('not json')).toBeUndefined();
  });
});

describe('mapLimit', () => {
  it('keeps input order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});

describe('targets prepare to values, not module state', () => {
  // /bin/echo stands in for the native program: its stdout is the argv the target built.
  const ctx = (grantDir: string, roles: string[] = ['native']): PrepareContext => {
    const manifest: Manifest = {
      schemaVersion: 1,
      builtAt: '2026-01-01T00:00:00Z',
      artifacts: [{ id: 't/native', kind: 'file', path: '/bin/echo', bytes: 0, sha256: '0'.repeat(64), inputsHash: '' }],
    };
    return { manifest, workload: testWorkload(grantDir, roles), root: '/', buildDir: '/tmp' };
  };
  const ok = (v: PreparedVariant | undefined) => {
    if (v?.status !== 'ok') throw new Error(`variant not ready: ${JSON.stringify(v)}`);
    return v;
  };

  it('native: each preparation runs with its own grants, even after a later prepare', async () => {
    const a = await native.prepare(ctx('/h/a'));
    const b = await native.prepare(ctx('/h/b'));
    if (a.status !== 'ok' || b.status !== 'ok') throw new Error('native not ready');
    const va = ok(a.variants.find((v) => v.spec.name === 'static'));
    const vb = ok(b.variants.find((v) => v.spec.name === 'static'));
    expect((await va.run({ args: ['--rules=/rules/x'] })).stdout).toBe('--rules=/h/a/x\n');
    expect((await vb.run({ args: ['--subtotal=1.00'] })).stdout).toBe('--subtotal=1.00 --rules=/h/b\n');
    expect((await va.probe!({ args: ['--probe=clock', '--target-path=/rules'], timeoutMs: 5_000, grantDir: '/p' })).stdout).toBe('--probe=clock --target-path=/p\n');
    expect(va.describe()).toMatchObject({ artifact: 't/native' });
    expect(va.invocation({ args: ['--subtotal=1.00'] })).toEqual({ kind: 'process', argv: ['/bin/echo', '--subtotal=1.00', '--rules=/h/a'], env: {} });
    expect(vb.describe().grants[0]).toBe('fs:/rules (host path /h/b; all the user can access)');
  });

  it('native: not applicable to a workload without a native program', async () => {
    expect((await native.prepare(ctx('/h/a', ['core']))).status).toBe('n/a');
  });

  it('declares its facts in the specs: native is the floor, jco default-shim is probe-only', () => {
    expect(native.variants.map((v) => [v.name, v.class, v.baseline])).toEqual([['static', 'native', 'floor']]);
    expect(jco.variants.map((v) => [v.name, v.exitCodes, !!v.probeOnly])).toEqual([['sandboxed', 'ok-err', false], ['default-shim', 'ok-err', true]]);
    expect(jco.capabilityRows.map((r) => [r.suffix ?? null, r.variant])).toEqual([[null, 'sandboxed'], ['default-shim', 'default-shim']]);
  });
});
