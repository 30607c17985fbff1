import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT_CODES, parseRules, readRulesFromDisk, referenceTax } from '../harness/reference/tax.js';
import { loadVectors, sampleVectors, vectorClass, type Vector } from '../harness/reference/vectors.js';
import { MALFORMED_RULES_PATH, RULES_PATH, generateMalformedRules, generateRules, repoRoot } from '../scripts/gen-rules.js';
import { VECTORS_PATH, generateVectors } from '../scripts/gen-vectors.js';

const root = repoRoot();
const rulesDir = join(root, 'modules/tax-calculator/rules');
/** Guest `/rules...` paths map to the committed rules dir, as the native target does. */
const guestRead = (dir: string): string | null =>
  dir === '/rules' || dir.startsWith('/rules/') ? readRulesFromDisk(rulesDir + dir.slice('/rules'.length)) : null;

let vectors: Vector[];
beforeAll(async () => {
  vectors = await loadVectors(join(root, VECTORS_PATH));
});

describe('committed vectors', () => {
  it('has at least 1000 uniquely named vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
  });

  it('covers every error code and the boundary classes', () => {
    const errors = new Set(vectors.map((v) => v.error));
    for (const code of ERROR_CODES) expect(errors, code).toContain(code);
    const classes = new Set(vectors.map(vectorClass));
    for (const c of ['edge', 'valid', 'gap', 'small', 'tie', 'max', 'too-large', 'rate-zero', 'rate-max', 'no-decimals', 'one-decimal', 'order', 'example']) {
      expect(classes, c).toContain(c);
    }
    const args = vectors.flatMap((v) => v.args);
    for (const s of ['--subtotal=0.00', '--subtotal=0.01', '--subtotal=9999999999.99', '--subtotal=10000000000.00']) expect(args).toContain(s);
  });

  it('keeps --rules out of every vector but the rules-error ones', () => {
    for (const v of vectors) {
      const rules = v.args.filter((a) => a.startsWith('--rules'));
      if (v.error === 'rules_missing' || v.error === 'rules_malformed') continue;
      if (v.error === 'usage' || v.error === 'bad_subtotal' || v.error === 'subtotal_too_large') {
        for (const r of rules) expect(['--rules', '--rules=', '--rules=/nonexistent']).toContain(r);
      } else expect(rules, v.id).toEqual([]);
    }
  });

  it('ties really are half cents, and round up', () => {
    const ties = vectors.filter((v) => vectorClass(v) === 'tie');
    expect(ties.length).toBeGreaterThanOrEqual(20);
    for (const v of ties) {
      const o = JSON.parse(v.stdout) as { rate_ppm: number; subtotal_cents: number; tax_cents: number };
      const prod = BigInt(o.subtotal_cents) * BigInt(o.rate_ppm);
      expect(prod % 1_000_000n, v.id).toBe(500_000n);
      expect(BigInt(o.tax_cents)).toBe(prod / 1_000_000n + 1n);
    }
  });

  it('is reproduced exactly by the reference, with a matching stderr line', () => {
    let checked = 0;
    for (const v of vectors) {
      const r = referenceTax(v.args, guestRead);
      expect(r.stdout, v.id).toBe(v.stdout);
      expect(r.exitCode, v.id).toBe(v.exitCode);
      if (v.error === null) {
        expect(r.exitCode, v.id).toBe(0);
        expect(r.stderr, v.id).toBe('');
        expect(v.stdout, v.id).toMatch(
          /^\{"postal_code":"\d{5}","jurisdiction":"[A-Z0-9-]+","rate_ppm":\d+,"subtotal_cents":\d+,"tax_cents":\d+\}\n$/,
        );
      } else {
        expect(v.stdout, v.id).toBe('');
        expect(EXIT_CODES[v.error as keyof typeof EXIT_CODES], v.id).toBe(v.exitCode);
        expect(r.stderr, v.id).toMatch(/^\{"error":"[a-z_]+","message":"[^"\\\n]+"\}\n$/);
        expect(JSON.parse(r.stderr).error, v.id).toBe(v.error);
      }
      checked++;
    }
    expect(checked).toBe(vectors.length);
  });
});

describe('generators are deterministic', () => {
  const committedRules = readFileSync(join(root, RULES_PATH), 'latin1');
  const committedMalformed = readFileSync(join(root, MALFORMED_RULES_PATH), 'latin1');

  it('regenerates rates.csv and malformed/rates.csv byte for byte', () => {
    expect(generateRules()).toBe(committedRules);
    expect(generateRules()).toBe(generateRules());
    expect(generateMalformedRules()).toBe(committedMalformed);
  });

  it('regenerates vectors.jsonl byte for byte', () => {
    expect(generateVectors(committedRules, committedMalformed)).toBe(readFileSync(join(root, VECTORS_PATH), 'utf8'));
  });
});

describe('generated rules', () => {
  const parsed = parseRules(readFileSync(join(root, RULES_PATH), 'latin1'));
  if (!('rules' in parsed)) throw new Error(parsed.message);
  const rules = parsed.rules;

  it('has >= 500 rows, prefix 100 = NY-NEW-YORK-CITY at 88750, some gaps, the rate extremes', () => {
    expect(rules.length).toBeGreaterThanOrEqual(500);
    expect(rules.find((r) => r.prefixStart <= 100 && 100 <= r.prefixEnd)).toMatchObject({
      jurisdiction: 'NY-NEW-YORK-CITY',
      ratePpm: 88750,
    });
    const covered = rules.reduce((n, r) => n + r.prefixEnd - r.prefixStart + 1, 0);
    expect(covered).toBeLessThan(1000);
    expect(covered).toBeGreaterThan(900);
    const rates = new Set(rules.map((r) => r.ratePpm));
    for (const r of [0, 40000, 62500, 88750, 102500, 250000]) expect(rates, String(r)).toContain(r);
    expect(rules.filter((r) => r.ratePpm === 250000).length).toBe(1);
  });

  it('the malformed file is rejected after rows that would otherwise match', () => {
    const r = referenceTax(['--postal-code=10001', '--subtotal=1.00', '--rules=/rules/malformed'], guestRead);
    expect(r).toEqual({
      stdout: '',
      stderr: '{"error":"rules_malformed","message":"rates.csv line 4: range overlaps line 3"}\n',
      exitCode: 3,
    });
  });
});

describe('sampleVectors', () => {
  it('is deterministic, ordered, at least n, and has every class and error code', () => {
    for (const n of [1, 50, 200]) {
      const s = sampleVectors(vectors, n);
      expect(s).toEqual(sampleVectors(vectors, n));
      expect(s.length).toBeGreaterThanOrEqual(n);
      expect(s.length).toBeLessThanOrEqual(n + 40);
      const idx = s.map((v) => vectors.indexOf(v));
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
      expect(new Set(s.map((v) => v.error))).toEqual(new Set(vectors.map((v) => v.error)));
      expect(new Set(s.map(vectorClass))).toEqual(new Set(vectors.map(vectorClass)));
    }
    expect(sampleVectors(vectors, vectors.length * 2)).toEqual(vectors);
  });
});
