import { describe, expect, it } from 'vitest';
import {
  MAX_SUBTOTAL_CENTS,
  computeTaxCents,
  parseRules,
  parseSubtotal,
  referenceTax,
  type TaxResult,
} from '../harness/reference/tax.js';

const HEADER = 'prefix_start,prefix_end,jurisdiction,rate_ppm';
const RULES = [
  HEADER,
  '100,102,NY-NEW-YORK-CITY,88750',
  '200,200,TIE-TEST,125000',
  '300,301,ZERO-LAND,0',
  '891,891,NV-ENTERTAINMENT-DISTRICT,250000',
].join('\n') + '\n';

/** Runs the reference with an in-memory `/rules` (and nothing else readable). */
function tax(args: string[], rules: string = RULES): TaxResult {
  return referenceTax(args, (dir) => (dir === '/rules' ? rules : null));
}
function ok(postal: string, subtotal: string): Record<string, unknown> {
  const r = tax([`--postal-code=${postal}`, `--subtotal=${subtotal}`]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.indexOf('\n')).toBe(r.stdout.length - 1);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
function err(r: TaxResult): { error: string; message: string; exitCode: number } {
  expect(r.stdout).toBe('');
  expect(r.stderr.indexOf('\n')).toBe(r.stderr.length - 1);
  return { ...(JSON.parse(r.stderr) as { error: string; message: string }), exitCode: r.exitCode };
}

describe('referenceTax: hand-checked results', () => {
  it('reproduces the README example byte for byte', () => {
    const r = tax(['--postal-code=10001', '--subtotal=125.00']);
    expect(r).toEqual({
      stdout: '{"postal_code":"10001","jurisdiction":"NY-NEW-YORK-CITY","rate_ppm":88750,"subtotal_cents":12500,"tax_cents":1109}\n',
      stderr: '',
      exitCode: 0,
    });
  });

  it('rounds a half cent up (4 cents at 12.5 % = 0.5 cent -> 1)', () => {
    expect(ok('20000', '0.04').tax_cents).toBe(1);
    expect(ok('20000', '0.03').tax_cents).toBe(0); // 0.375 cent
    expect(ok('20000', '0.05').tax_cents).toBe(1); // 0.625 cent
    // 400 * 88750 = 35 500 000 ppm-cents = 35.5 cents -> 36
    expect(ok('10099', '4.00').tax_cents).toBe(36);
  });

  it('computes the maximum subtotal exactly at 250000 ppm and at 88750 ppm', () => {
    // 999999999999 * 250000 = 249999999999750000; +500000, /1e6 -> 250000000000
    expect(ok('89100', '9999999999.99')).toEqual({
      postal_code: '89100',
      jurisdiction: 'NV-ENTERTAINMENT-DISTRICT',
      rate_ppm: 250000,
      subtotal_cents: 999999999999,
      tax_cents: 250000000000,
    });
    // 999999999999 * 88750 = 88749999999911250 (beyond 2^53) -> 88750000000.41 -> 88750000000
    const r = tax(['--postal-code=10001', '--subtotal=9999999999.99']);
    expect(r.stdout).toContain('"subtotal_cents":999999999999,"tax_cents":88750000000}');
    expect(computeTaxCents(MAX_SUBTOTAL_CENTS, 250000n)).toBe(250000000000n);
  });

  it('handles zero subtotal and zero rate', () => {
    expect(ok('10001', '0.00').tax_cents).toBe(0);
    expect(ok('30155', '123456.78')).toMatchObject({ rate_ppm: 0, subtotal_cents: 12345678, tax_cents: 0 });
  });

  it('accepts either flag order and an explicit --rules', () => {
    const a = tax(['--subtotal=125.00', '--postal-code=10001']);
    const b = tax(['--postal-code=10001', '--subtotal=125.00', '--rules=/rules']);
    expect(a.stdout).toBe(tax(['--postal-code=10001', '--subtotal=125.00']).stdout);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('parseSubtotal grammar ^[0-9]+(\\.[0-9]{1,2})?$', () => {
  it.each([
    ['0', 0n],
    ['0.0', 0n],
    ['1.5', 150n],
    ['125', 12500n],
    ['007.50', 750n],
    ['9999999999.99', 999999999999n],
    ['0'.repeat(500) + '1.25', 125n],
  ])('accepts %j as %s cents', (s, cents) => {
    expect(parseSubtotal(s)).toEqual({ cents });
  });
  it.each(['', '1.', '.5', '+1', '-1', '-0.00', '1.001', '1e3', ' 1', '1 ', '1,00', '１', 'NaN', '99999999999.999'])(
    'rejects %j as bad_subtotal',
    (s) => {
      expect(parseSubtotal(s)).toEqual({ error: 'bad_subtotal' });
    },
  );
  it.each(['10000000000', '10000000000.00', '10000000000.0', '9'.repeat(400)])(
    'rejects %j as subtotal_too_large',
    (s) => {
      expect(parseSubtotal(s)).toEqual({ error: 'subtotal_too_large' });
    },
  );
});

describe('error codes, exit codes and validation order', () => {
  it.each([
    [[], 'missing required flag --postal-code'],
    [['--postal-code=10001'], 'missing required flag --subtotal'],
    [['--postal-code=10001', '--subtotal=1', '--postal-code=10001'], 'duplicate flag --postal-code'],
    [['--postal-code=10001', '--subtotal=1', '--rules=/a', '--rules=/b'], 'duplicate flag --rules'],
    [['--postal-code', '10001', '--subtotal=1'], 'missing value for --postal-code'],
    [['--postal-code=10001', '--subtotal='], 'missing value for --subtotal'],
    [['--postal-code=10001', '--subtotal=1', '--rules'], 'missing value for --rules'],
    [['--postal-code=10001', '--subtotal=1', 'extra'], 'unknown argument'],
    [['--subtotals=1', '--postal-code=10001'], 'unknown argument'],
    [['--postal-code=bad', '--subtotal=bad', '--what'], 'unknown argument'],
  ])('usage: %j -> %s', (args, message) => {
    expect(err(tax(args))).toEqual({ error: 'usage', message, exitCode: 2 });
  });

  it('checks postal code before subtotal, subtotal before rules, rules before coverage', () => {
    const none = (args: string[]) => err(referenceTax(args, () => null));
    expect(none(['--postal-code=1234', '--subtotal=1.234'])).toEqual({
      error: 'bad_postal_code',
      message: 'postal code must be exactly 5 ASCII digits',
      exitCode: 2,
    });
    expect(none(['--postal-code=12345', '--subtotal=1.'])).toEqual({
      error: 'bad_subtotal',
      message: 'subtotal must be digits with an optional point and 1-2 decimals',
      exitCode: 2,
    });
    expect(none(['--postal-code=12345', '--subtotal=10000000000'])).toEqual({
      error: 'subtotal_too_large',
      message: 'subtotal exceeds 9999999999.99',
      exitCode: 2,
    });
    expect(none(['--postal-code=99999', '--subtotal=1'])).toEqual({
      error: 'rules_missing',
      message: 'cannot read rates.csv in the rules directory',
      exitCode: 3,
    });
    expect(err(tax(['--postal-code=99999', '--subtotal=1'], HEADER + '\n100,100,A,1\n100,100,B,1\n'))).toEqual({
      error: 'rules_malformed',
      message: 'rates.csv line 3: range overlaps line 2',
      exitCode: 3,
    });
    expect(err(tax(['--postal-code=99999', '--subtotal=1']))).toEqual({
      error: 'not_covered',
      message: 'no rule covers postal code prefix 999',
      exitCode: 4,
    });
  });

  it('passes --rules verbatim to the reader and defaults to /rules', () => {
    const seen: string[] = [];
    referenceTax(['--postal-code=10001', '--subtotal=1', '--rules=/x/y'], (d) => (seen.push(d), null));
    referenceTax(['--postal-code=10001', '--subtotal=1'], (d) => (seen.push(d), null));
    expect(seen).toEqual(['/x/y', '/rules']);
  });
});

describe('parseRules', () => {
  const msg = (text: string) => ('message' in parseRules(text) ? (parseRules(text) as { message: string }).message : 'ok');
  it('accepts LF and CRLF, with or without a final newline', () => {
    expect(msg(RULES)).toBe('ok');
    expect(msg(RULES.replace(/\n/g, '\r\n'))).toBe('ok');
    expect(msg(RULES.slice(0, -1))).toBe('ok');
  });
  it.each([
    ['', 'rates.csv line 1: bad header'],
    [HEADER + '\n', 'rates.csv: no data rows'],
    [RULES + '\n', 'rates.csv line 6: expected 4 fields'],
    ['\uFEFF' + RULES, 'rates.csv line 1: bad header'],
    [HEADER + '\n100,100,A,1,\n', 'rates.csv line 2: expected 4 fields'],
    [HEADER + '\n10,100,A,1\n', 'rates.csv line 2: prefix_start must be 3 digits'],
    [HEADER + '\n100,1000,A,1\n', 'rates.csv line 2: prefix_end must be 3 digits'],
    [HEADER + '\n101,100,A,1\n', 'rates.csv line 2: prefix_start > prefix_end'],
    [HEADER + '\n100,100,,1\n', 'rates.csv line 2: bad jurisdiction'],
    [HEADER + '\n100,100,ny-city,1\n', 'rates.csv line 2: bad jurisdiction'],
    [HEADER + `\n100,100,${'A'.repeat(65)},1\n`, 'rates.csv line 2: bad jurisdiction'],
    [HEADER + '\n100,100,A,-1\n', 'rates.csv line 2: rate_ppm must be 1-6 digits'],
    [HEADER + '\n100,100,A,0250000\n', 'rates.csv line 2: rate_ppm must be 1-6 digits'],
    [HEADER + '\n100,100,A,250001\n', 'rates.csv line 2: rate_ppm > 250000'],
    [HEADER + '\n100,105,A,1\n105,110,B,2\n', 'rates.csv line 3: range overlaps line 2'],
    [HEADER + `\n100,100,${'A'.repeat(64)},1${' '.repeat(60)}\n`, 'rates.csv line 2: line longer than 128 bytes'],
    [RULES + 'x'.repeat(1_048_577), 'rates.csv: file larger than 1048576 bytes'],
  ])('%#: rejects with %j', (text, message) => {
    expect(msg(text)).toBe(message);
  });
  it('accepts a 64-character jurisdiction and rate 250000', () => {
    expect(msg(HEADER + `\n000,999,${'A'.repeat(64)},250000\n`)).toBe('ok');
  });
});
