/**
 * Independent TypeScript reference implementation of the tax calculator
 * contract (see modules/tax-calculator/README.md). It mirrors
 * modules/tax-calculator/src/tax.c byte for byte — stdout, stderr and exit
 * code — but is written separately, with BigInt arithmetic, so that the two
 * can check each other. Golden vectors are generated from this file.
 */
import { readFileSync } from 'node:fs';

/** Error codes, in the order they are checked. */
export const ERROR_CODES = [
  'usage',
  'bad_postal_code',
  'bad_subtotal',
  'subtotal_too_large',
  'rules_missing',
  'rules_malformed',
  'not_covered',
] as const;

/** One of the error codes the calculator can report on stderr. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Process exit code for each error code (success is 0). */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  usage: 2,
  bad_postal_code: 2,
  bad_subtotal: 2,
  subtotal_too_large: 2,
  rules_missing: 3,
  rules_malformed: 3,
  not_covered: 4,
};

/** Largest accepted subtotal in cents (9999999999.99). */
export const MAX_SUBTOTAL_CENTS = 999_999_999_999n;
/** Largest accepted rate in parts per million (25 %). */
export const MAX_RATE_PPM = 250_000;
/** Rules directory used when `--rules` is not given. */
export const DEFAULT_RULES_DIR = '/rules';
/** Name of the rules file inside the rules directory. */
export const RULES_FILE = 'rates.csv';
/** Exact first line of the rules file. */
export const RULES_HEADER = 'prefix_start,prefix_end,jurisdiction,rate_ppm';
/** Rules files larger than this many bytes are `rules_malformed`. */
export const MAX_RULES_BYTES = 1_048_576;
/** Longest accepted rules line in bytes, excluding `\n` and an optional `\r`. */
export const MAX_LINE_BYTES = 128;
/** Longest accepted jurisdiction; allowed characters are `A-Z`, `0-9` and `-`. */
export const MAX_JURISDICTION = 64;

/** What one invocation produced. */
export interface TaxResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** One validated rules row. `line` is its 1-based line number in rates.csv. */
export interface RateRule {
  prefixStart: number;
  prefixEnd: number;
  jurisdiction: string;
  ratePpm: number;
  line: number;
}

/**
 * Reads `DIR/rates.csv` for the reference. Must return the file decoded as
 * latin1 (one char per byte, so lengths are byte lengths), or null when it
 * cannot be opened or read for any reason.
 */
export type RulesReader = (dir: string) => string | null;

/** A {@link RulesReader} over the real file system (host paths). */
export function readRulesFromDisk(dir: string): string | null {
  try {
    return readFileSync(`${dir}/${RULES_FILE}`, 'latin1');
  } catch {
    return null;
  }
}

const FLAGS = ['--postal-code', '--subtotal', '--rules'] as const;
const SUBTOTAL_RE = /^[0-9]+(\.[0-9]{1,2})?$/;
const JURISDICTION_RE = /^[A-Z0-9-]+$/;
const DIGITS_RE = /^[0-9]+$/;

function fail(code: ErrorCode, message: string): TaxResult {
  return { stdout: '', stderr: JSON.stringify({ error: code, message }) + '\n', exitCode: EXIT_CODES[code] };
}

/** Rounds half up: `(subtotalCents * ratePpm + 500000) / 1000000` in integers. */
export function computeTaxCents(subtotalCents: bigint, ratePpm: bigint): bigint {
  return (subtotalCents * ratePpm + 500_000n) / 1_000_000n;
}

/**
 * Parses a subtotal with the grammar `^[0-9]+(\.[0-9]{1,2})?$` (leading zeros
 * allowed; no sign, no exponent, no bare "1." or ".5"). Syntax is checked
 * before magnitude.
 */
export function parseSubtotal(s: string): { cents: bigint } | { error: 'bad_subtotal' | 'subtotal_too_large' } {
  if (!SUBTOTAL_RE.test(s)) return { error: 'bad_subtotal' };
  const [int, frac = ''] = s.split('.');
  const cents = BigInt(int!) * 100n + BigInt((frac + '00').slice(0, 2));
  if (cents > MAX_SUBTOTAL_CENTS) return { error: 'subtotal_too_large' };
  return { cents };
}

/**
 * Validates a whole rules file (latin1 text). Lines are split on `\n`; one
 * `\r` before it is dropped; a single trailing newline is allowed. The first
 * failing check, scanning lines in order, gives the message.
 */
export function parseRules(text: string): { rules: RateRule[] } | { message: string } {
  if (text.length > MAX_RULES_BYTES) return { message: `rates.csv: file larger than ${MAX_RULES_BYTES} bytes` };
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const owner = new Array<number>(1000).fill(0);
  const rules: RateRule[] = [];
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let l = lines[i]!;
    if (l.endsWith('\r')) l = l.slice(0, -1);
    const at = `rates.csv line ${n}: `;
    if (l.length > MAX_LINE_BYTES) return { message: `${at}line longer than ${MAX_LINE_BYTES} bytes` };
    if (n === 1) {
      if (l !== RULES_HEADER) return { message: `${at}bad header` };
      continue;
    }
    const f = l.split(',');
    if (f.length !== 4) return { message: `${at}expected 4 fields` };
    const [s, e, j, r] = f as [string, string, string, string];
    if (s.length !== 3 || !DIGITS_RE.test(s)) return { message: `${at}prefix_start must be 3 digits` };
    if (e.length !== 3 || !DIGITS_RE.test(e)) return { message: `${at}prefix_end must be 3 digits` };
    const ps = Number(s);
    const pe = Number(e);
    if (ps > pe) return { message: `${at}prefix_start > prefix_end` };
    if (j.length < 1 || j.length > MAX_JURISDICTION || !JURISDICTION_RE.test(j)) return { message: `${at}bad jurisdiction` };
    if (r.length < 1 || r.length > 6 || !DIGITS_RE.test(r)) return { message: `${at}rate_ppm must be 1-6 digits` };
    const rate = Number(r);
    if (rate > MAX_RATE_PPM) return { message: `${at}rate_ppm > ${MAX_RATE_PPM}` };
    for (let p = ps; p <= pe; p++) {
      if (owner[p] !== 0) return { message: `${at}range overlaps line ${owner[p]}` };
    }
    for (let p = ps; p <= pe; p++) owner[p] = n;
    rules.push({ prefixStart: ps, prefixEnd: pe, jurisdiction: j, ratePpm: rate, line: n });
  }
  if (rules.length === 0) return { message: 'rates.csv: no data rows' };
  return { rules };
}

/**
 * Runs the calculator on `args` (argv without the program name). Checks, in
 * order: flags (left to right, first problem wins; then missing required
 * flags) → postal code → subtotal → rules file (missing, then malformed) →
 * coverage. Never throws.
 *
 * @param readRules returns `DIR/rates.csv` as latin1 text, or null if unreadable.
 */
export function referenceTax(args: readonly string[], readRules: RulesReader = readRulesFromDisk): TaxResult {
  const value: (string | null)[] = [null, null, null];
  for (const a of args) {
    let matched = false;
    for (let k = 0; k < FLAGS.length; k++) {
      const name = FLAGS[k]!;
      if (!a.startsWith(name)) continue;
      const rest = a.slice(name.length);
      if (rest === '' || rest === '=') return fail('usage', `missing value for ${name}`);
      if (!rest.startsWith('=')) continue;
      if (value[k] !== null) return fail('usage', `duplicate flag ${name}`);
      value[k] = rest.slice(1);
      matched = true;
      break;
    }
    if (!matched) return fail('usage', 'unknown argument');
  }
  for (let k = 0; k < 2; k++) {
    if (value[k] === null) return fail('usage', `missing required flag ${FLAGS[k]}`);
  }
  const postal = value[0]!;
  if (!/^[0-9]{5}$/.test(postal)) return fail('bad_postal_code', 'postal code must be exactly 5 ASCII digits');
  const prefix = Number(postal.slice(0, 3));

  const sub = parseSubtotal(value[1]!);
  if ('error' in sub) {
    return sub.error === 'bad_subtotal'
      ? fail('bad_subtotal', 'subtotal must be digits with an optional point and 1-2 decimals')
      : fail('subtotal_too_large', 'subtotal exceeds 9999999999.99');
  }

  const text = readRules(value[2] ?? DEFAULT_RULES_DIR);
  if (text === null) return fail('rules_missing', 'cannot read rates.csv in the rules directory');
  const parsed = parseRules(text);
  if ('message' in parsed) return fail('rules_malformed', parsed.message);

  const rule = parsed.rules.find((r) => r.prefixStart <= prefix && prefix <= r.prefixEnd);
  if (!rule) return fail('not_covered', `no rule covers postal code prefix ${postal.slice(0, 3)}`);
  const tax = computeTaxCents(sub.cents, BigInt(rule.ratePpm));
  const stdout =
    `{"postal_code":"${postal}","jurisdiction":"${rule.jurisdiction}","rate_ppm":${rule.ratePpm},` +
    `"subtotal_cents":${sub.cents},"tax_cents":${tax}}\n`;
  return { stdout, stderr: '', exitCode: 0 };
}
