import { describe, expect, it } from 'vitest';
import { mapGuestArgs } from '../harness/targets/common.js';
import { parsePhases } from '../harness/targets/phases.js';
import { mapLimit } from '../harness/util/pool.js';

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
