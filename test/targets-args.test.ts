import { describe, expect, it } from 'vitest';
import { mapRulesArgs } from '../harness/targets/common.js';
import { parsePhases } from '../harness/targets/phases.js';
import { mapLimit } from '../harness/util/pool.js';

describe('native path mapping of /rules', () => {
  it('adds the host rules dir when the args name none', () => {
    expect(mapRulesArgs(['--postal-code=10001', '--subtotal=1.00'], '/h/rules')).toEqual(['--postal-code=10001', '--subtotal=1.00', '--rules=/h/rules']);
  });
  it('maps /rules and paths below it, and leaves other paths alone', () => {
    expect(mapRulesArgs(['--rules=/rules/malformed'], '/h/rules')).toEqual(['--rules=/h/rules/malformed']);
    expect(mapRulesArgs(['--rules=/rules'], '/h/rules')).toEqual(['--rules=/h/rules']);
    expect(mapRulesArgs(['--rules=/nonexistent'], '/h/rules')).toEqual(['--rules=/nonexistent']);
    expect(mapRulesArgs(['--rules=/rulesX'], '/h/rules')).toEqual(['--rules=/rulesX']);
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
