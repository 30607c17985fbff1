/**
 * Deterministic generator for modules/tax-calculator/vectors.jsonl: golden
 * input/output pairs computed by the TypeScript reference
 * (harness/reference/tax.ts) over the generated rules.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/gen-rules.js && node dist/scripts/gen-vectors.js
 *
 * Seeded PRNG only; the output depends on nothing but the two rules files.
 * Vector ids are `<class>-<NNNN>`; see sampleVectors() in harness/reference/vectors.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_RULES_DIR, parseRules, referenceTax, type RateRule } from '../harness/reference/tax.js';
import {
  MALFORMED_RULES_PATH,
  RULES_PATH,
  generateMalformedRules,
  generateRules,
  mulberry32,
  pick,
  randInt,
  repoRoot,
} from './gen-rules.js';

/** Seed of the vectors PRNG. */
export const VECTORS_SEED = 0x5eed_0001;
/** Path of the generated vectors, relative to the repository root. */
export const VECTORS_PATH = 'modules/tax-calculator/vectors.jsonl';
/** Guest rules directories used in vector args (the harness grants the host rules dir as `/rules`). */
export const MISSING_RULES_DIR = '/nonexistent';
export const MALFORMED_RULES_DIR = '/rules/malformed';

/**
 * The vectors.jsonl text for the given rules files: one JSON object per line
 * with keys id, args, stdout, exitCode, error (in that order), `\n` endings.
 */
export function generateVectors(rulesCsv: string = generateRules(), malformedCsv: string = generateMalformedRules()): string {
  const files = new Map([
    [DEFAULT_RULES_DIR, rulesCsv],
    [MALFORMED_RULES_DIR, malformedCsv],
  ]);
  const readRules = (dir: string): string | null => files.get(dir) ?? null;
  const parsed = parseRules(rulesCsv);
  if (!('rules' in parsed)) throw new Error(`rules do not parse: ${parsed.message}`);
  const rules = parsed.rules;
  const ruleOf = new Map<number, RateRule>();
  for (const r of rules) for (let p = r.prefixStart; p <= r.prefixEnd; p++) ruleOf.set(p, r);
  const gaps: number[] = [];
  for (let p = 0; p < 1000; p++) if (!ruleOf.has(p)) gaps.push(p);
  const covered = [...ruleOf.keys()];

  const rnd = mulberry32(VECTORS_SEED);
  const out: string[] = [];
  const counts = new Map<string, number>();

  const add = (cls: string, args: string[]): void => {
    const n = counts.get(cls) ?? 0;
    counts.set(cls, n + 1);
    const res = referenceTax(args, readRules);
    const error = res.exitCode === 0 ? null : (JSON.parse(res.stderr) as { error: string }).error;
    const id = `${cls}-${String(n).padStart(4, '0')}`;
    out.push(JSON.stringify({ id, args, stdout: res.stdout, exitCode: res.exitCode, error }));
  };
  const postal = (prefix: number): string => String(prefix).padStart(3, '0') + String(randInt(rnd, 0, 99)).padStart(2, '0');
  /** Random cents across magnitudes, up to the maximum. */
  const cents = (): bigint => {
    const m = rnd();
    if (m < 0.3) return BigInt(randInt(rnd, 0, 9999));
    if (m < 0.6) return BigInt(randInt(rnd, 10000, 999999));
    if (m < 0.9) return BigInt(randInt(rnd, 1000000, 999999999));
    return BigInt(randInt(rnd, 0, 999999)) * 1000000n + BigInt(randInt(rnd, 0, 999999));
  };
  const fmt2 = (c: bigint): string => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
  /** Mostly D.DD; D or D.D when the value allows it. */
  const fmtAny = (c: bigint): string => {
    const f = rnd();
    if (c % 100n === 0n && f < 0.1) return String(c / 100n);
    if (c % 10n === 0n && f < 0.2) return `${c / 100n}.${(c % 100n) / 10n}`;
    return fmt2(c);
  };
  /** Flag order: postal code first 70 % of the time. */
  const flags = (pc: string, sub: string, extra: string[] = []): string[] => {
    const a = [`--postal-code=${pc}`, `--subtotal=${sub}`];
    if (rnd() < 0.3) a.reverse();
    return [...a, ...extra];
  };

  // Every row's first and last prefix.
  for (const r of rules) {
    add('edge', flags(postal(r.prefixStart), fmtAny(cents())));
    if (r.prefixEnd !== r.prefixStart) add('edge', flags(postal(r.prefixEnd), fmtAny(cents())));
  }
  // Random valid inputs.
  for (let i = 0; i < 200; i++) add('valid', flags(postal(pick(rnd, covered)), fmtAny(cents())));
  // Explicit formats and order.
  for (let i = 0; i < 30; i++) add('no-decimals', flags(postal(pick(rnd, covered)), String(cents() / 100n)));
  for (let i = 0; i < 30; i++) {
    const c = cents();
    add('one-decimal', flags(postal(pick(rnd, covered)), `${c / 100n}.${(c % 100n) / 10n}`));
  }
  for (let i = 0; i < 20; i++) {
    add('order', [`--subtotal=${fmt2(cents())}`, `--postal-code=${postal(pick(rnd, covered))}`]);
  }
  // Every gap prefix.
  for (const p of gaps) add('gap', flags(postal(p), fmtAny(cents())));

  // Rate extremes.
  const byRate = [...rules].sort((a, b) => a.ratePpm - b.ratePpm || a.line - b.line);
  const zeroRows = byRate.filter((r) => r.ratePpm === 0);
  const maxRate = byRate[byRate.length - 1]!.ratePpm;
  const maxRows = byRate.filter((r) => r.ratePpm === maxRate);
  for (let i = 0; i < 10; i++) add('rate-zero', flags(postal(pick(rnd, zeroRows).prefixStart), fmtAny(cents())));
  for (let i = 0; i < 10; i++) add('rate-max', flags(postal(pick(rnd, maxRows).prefixStart), fmtAny(cents())));

  // Small and zero subtotals.
  const someRows = [maxRows[0]!, zeroRows[0]!, rules.find((r) => r.prefixStart === 100)!, pick(rnd, rules), pick(rnd, rules)];
  for (const r of someRows) {
    for (const s of ['0.00', '0', '0.0', '000.00', '0.01', '0.02', '0.1', '1', '1.00']) add('small', flags(postal(r.prefixStart), s));
  }

  // Half-cent ties: subtotal * rate % 1000000 == 500000, so rounding goes up.
  const rates = [...new Set(rules.map((r) => r.ratePpm))].sort((a, b) => a - b);
  let ties = 0;
  for (const rate of rates) {
    if (ties >= 40) break;
    const r = BigInt(rate);
    let s = BigInt(randInt(rnd, 1, 99999999));
    let found = false;
    for (let i = 0; i < 1000000 && !found; i++, s++) {
      if ((s * r) % 1000000n === 500000n) found = true;
    }
    if (!found) continue;
    s--;
    const row = rules.find((x) => x.ratePpm === rate)!;
    add('tie', flags(postal(row.prefixStart), fmt2(s)));
    ties++;
  }
  // Maximum subtotal and just above it.
  for (const r of [maxRows[0]!, zeroRows[0]!, rules.find((x) => x.prefixStart === 100)!, pick(rnd, rules)]) {
    add('max', flags(postal(r.prefixStart), '9999999999.99'));
  }
  add('max', flags(postal(maxRows[0]!.prefixStart), '0009999999999.99'));
  add('max', flags(postal(maxRows[0]!.prefixStart), '9999999999.9'));
  add('max', flags(postal(maxRows[0]!.prefixStart), '9999999999'));
  add('max', flags('10001', '0'.repeat(300) + '1.00'));
  for (const s of ['10000000000.00', '10000000000', '10000000000.0', '99999999999.99', '9'.repeat(400), '1' + '0'.repeat(300) + '.00']) {
    add('too-large', flags(postal(pick(rnd, covered)), s));
  }

  // usage
  const ok = ['--postal-code=10001', '--subtotal=125.00'];
  const usage: string[][] = [
    [],
    ['--postal-code=10001'],
    ['--subtotal=125.00'],
    ['--postal-code=10001', '--subtotal=125.00', '--postal-code=10001'],
    ['--subtotal=1.00', '--postal-code=10001', '--subtotal=2.00'],
    [...ok, `--rules=${MISSING_RULES_DIR}`, `--rules=${MISSING_RULES_DIR}`],
    ['--postal-code', '10001', '--subtotal=125.00'],
    ['--postal-code=', '--subtotal=125.00'],
    ['--postal-code=10001', '--subtotal'],
    ['--postal-code=10001', '--subtotal='],
    [...ok, '--rules'],
    [...ok, '--rules='],
    ['--help'],
    ['-h'],
    [...ok, 'extra'],
    ['10001', '125.00'],
    ['--postal_code=10001', '--subtotal=125.00'],
    ['--POSTAL-CODE=10001', '--subtotal=125.00'],
    ['-postal-code=10001', '--subtotal=125.00'],
    ['--postal-code=10001', '--subtotals=125.00'],
    ['--postal-codes=10001', '--subtotal=125.00'],
    [...ok, '--'],
    [...ok, '--verbose'],
    ['--rate=5', ...ok],
    ['--postal-code=abc', '--subtotal=-1', '--bogus'],
    ['--subtotal=1.', '--postal-code=10001', '--postal-code'],
  ];
  for (const a of usage) add('usage', a);

  for (const pc of ['1000', '100011', '1000a', 'abcde', ' 10001', '10001 ', '-1000', '+1000', '１0001', '10.01', '0x1F4', '100 1', '1000000000']) {
    add('bad-postal-code', flags(pc, '125.00'));
  }
  add('bad-postal-code', ['--postal-code=1234', '--subtotal=1.234']);

  for (const s of [
    '1.', '.5', '+1.00', '-1.00', '-0.00', '1.001', '1e3', '1,00', 'abc', ' 1.00', '1.00 ', '1.0.0', '0x10', '1..0',
    'NaN', 'Infinity', '１.00', '1.-1', '.', '12.3a', '1_000.00', '٣.00', '99999999999.999', '0.000',
  ]) {
    add('bad-subtotal', flags(postal(pick(rnd, covered)), s));
  }
  add('bad-subtotal', flags('10001', '1.', [`--rules=${MISSING_RULES_DIR}`]));
  add('too-large', flags('10001', '10000000000.00', [`--rules=${MISSING_RULES_DIR}`]));

  for (let i = 0; i < 6; i++) add('rules-missing', flags(postal(pick(rnd, covered)), fmtAny(cents()), [`--rules=${MISSING_RULES_DIR}`]));
  add('rules-missing', [`--rules=${MISSING_RULES_DIR}`, ...ok]);
  add('rules-missing', flags(postal(gaps[0]!), '1.00', [`--rules=${MISSING_RULES_DIR}`]));

  for (let i = 0; i < 5; i++) add('rules-malformed', flags(postal(pick(rnd, covered)), fmtAny(cents()), [`--rules=${MALFORMED_RULES_DIR}`]));
  add('rules-malformed', [`--rules=${MALFORMED_RULES_DIR}`, ...ok]);
  add('rules-malformed', flags(postal(gaps[0]!), '1.00', [`--rules=${MALFORMED_RULES_DIR}`]));

  // The README example, last so that earlier ids stay stable if classes grow.
  add('example', ok);
  return out.join('\n') + '\n';
}

/** Reads the committed rules files and writes vectors.jsonl under the repository root. */
export function main(): void {
  const root = repoRoot();
  const text = generateVectors(readFileSync(join(root, RULES_PATH), 'latin1'), readFileSync(join(root, MALFORMED_RULES_PATH), 'latin1'));
  writeFileSync(join(root, VECTORS_PATH), text);
  console.log(`wrote ${VECTORS_PATH} (${text.split('\n').length - 1} vectors)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
