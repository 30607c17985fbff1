/**
 * Deterministic generator for modules/tax-calculator/rules/rates.csv and the
 * deliberately malformed modules/tax-calculator/rules/malformed/rates.csv.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/gen-rules.js
 *
 * Seeded PRNG only (no Math.random, no clock), so every run writes the same
 * bytes; test/reference-vectors.test.ts checks the committed files against it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Seed of the rules PRNG. Changing it changes every generated file. */
export const RULES_SEED = 0x7a11_2024;

/** mulberry32: small, fast, deterministic 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi] from a PRNG. */
export function randInt(rnd: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rnd() * (hi - lo + 1));
}

/** Uniform pick from a non-empty array. */
export function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

/** Repository root: the nearest ancestor of this file with the project's package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'wasm-vs-container') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the wasm-vs-container repository root');
    dir = up;
  }
}

/** Paths of the generated rules files, relative to the repository root. */
export const RULES_PATH = 'modules/tax-calculator/rules/rates.csv';
export const MALFORMED_RULES_PATH = 'modules/tax-calculator/rules/malformed/rates.csv';

const HEADER = 'prefix_start,prefix_end,jurisdiction,rate_ppm';

/** State-like regions: [code, first prefix, last prefix, state rate ppm], loosely after US ZIP prefixes. */
const STATES: readonly [string, number, number, number][] = [
  ['PR', 6, 9, 105000], ['MA', 10, 27, 62500], ['RI', 28, 29, 70000], ['NH', 30, 38, 0],
  ['ME', 39, 49, 55000], ['VT', 50, 59, 60000], ['CT', 60, 69, 63500], ['NJ', 70, 89, 66250],
  ['NY', 100, 149, 40000], ['PA', 150, 196, 60000], ['DE', 197, 199, 0], ['DC', 200, 205, 60000],
  ['MD', 206, 219, 60000], ['VA', 220, 246, 53000], ['WV', 247, 268, 60000], ['NC', 270, 289, 47500],
  ['SC', 290, 299, 60000], ['GA', 300, 319, 40000], ['FL', 320, 349, 60000], ['AL', 350, 369, 40000],
  ['TN', 370, 385, 70000], ['MS', 386, 397, 70000], ['KY', 400, 427, 60000], ['OH', 430, 459, 57500],
  ['IN', 460, 479, 70000], ['MI', 480, 499, 60000], ['IA', 500, 528, 60000], ['WI', 530, 549, 50000],
  ['MN', 550, 567, 68750], ['SD', 570, 577, 42000], ['ND', 580, 588, 50000], ['MT', 590, 599, 0],
  ['IL', 600, 629, 62500], ['MO', 630, 658, 42250], ['KS', 660, 679, 65000], ['NE', 680, 693, 55000],
  ['LA', 700, 714, 44500], ['AR', 716, 729, 65000], ['OK', 730, 749, 45000], ['TX', 750, 799, 62500],
  ['CO', 800, 816, 29000], ['WY', 820, 831, 40000], ['ID', 832, 838, 60000], ['UT', 840, 847, 61000],
  ['AZ', 850, 865, 56000], ['NM', 870, 884, 48750], ['NV', 889, 898, 68500], ['CA', 900, 961, 72500],
  ['HI', 967, 968, 40000], ['OR', 970, 979, 0], ['WA', 980, 994, 65000], ['AK', 995, 999, 0],
];

/** Prefixes inside a state's span that no row covers (in addition to those outside every span). */
const DELIBERATE_GAPS: readonly number[] = [213, 269, 343, 419, 517, 518, 519, 529, 589, 621, 632, 659, 754, 819, 909];

/** Rows fixed by hand so the README example and the rate extremes exist. */
const PINNED: readonly [number, number, string, number][] = [
  [100, 102, 'NY-NEW-YORK-CITY', 88750],
  [606, 606, 'IL-CHICAGO', 102500],
  [891, 891, 'NV-ENTERTAINMENT-DISTRICT', 250000],
  [900, 900, 'CA-LOS-ANGELES', 95000],
  [981, 981, 'WA-SEATTLE', 103500],
];

const PLACES: readonly string[] = [
  'WASHINGTON', 'FRANKLIN', 'JEFFERSON', 'JACKSON', 'LINCOLN', 'MADISON', 'MONROE', 'CLAY', 'UNION',
  'MARION', 'WARREN', 'GREENE', 'WAYNE', 'CARROLL', 'MARSHALL', 'POLK', 'LAKE', 'DOUGLAS', 'HAMILTON',
  'JOHNSON', 'LEE', 'CLARK', 'GRANT', 'MONTGOMERY', 'ADAMS', 'BENTON', 'HANCOCK', 'HARRISON', 'LOGAN',
  'MORGAN', 'PIKE', 'SCOTT', 'SHELBY', 'CLINTON', 'FAYETTE', 'LAWRENCE', 'PERRY', 'PUTNAM', 'RANDOLPH',
  'BROWN', 'CALHOUN', 'CRAWFORD', 'FULTON', 'HENRY', 'KNOX', 'LIVINGSTON', 'MERCER', 'RICHLAND',
  'SUMNER', 'BOONE', 'CASS', 'DEKALB', 'HOWARD', 'ORANGE', 'RIVERSIDE', 'FAIRFIELD', 'SPRINGFIELD',
  'GREENVILLE', 'OAKLAND', 'MAPLE-VALLEY', 'CEDAR-RAPIDS', 'PLEASANT-HILL', 'GEORGETOWN', 'SALEM',
  'BRISTOL', 'CLAYTON', 'DAYTON', 'MILTON', 'ASHLAND', 'AUBURN', 'BURLINGTON', 'CHESTER', 'DOVER',
  'EASTON', 'HUDSON', 'KINGSTON', 'MANCHESTER', 'NEWPORT', 'OXFORD', 'PRINCETON', 'RICHMOND',
  'WINCHESTER', 'LAKEWOOD', 'FOREST-PARK', 'PORT-ARTHUR', 'SAINT-CLAIR', 'EAST-RIVER', 'NORTH-PLATTE',
];
const KINDS: readonly string[] = ['COUNTY', 'COUNTY', 'COUNTY', 'CITY', 'CITY', 'TOWN', 'DISTRICT'];
/** Local add-ons in ppm; 0 is weighted so plain state rates (e.g. 40000, 62500) occur. */
const LOCAL_ADDONS: readonly number[] = [
  0, 0, 0, 2500, 5000, 5000, 7500, 10000, 10000, 12500, 15000, 17500, 20000, 22500, 25000, 27500, 30000,
  32500, 35000, 37500, 40000, 47500,
];

/** The rates.csv text: header plus non-overlapping rows, `\n` line endings, one trailing newline. */
export function generateRules(): string {
  const rnd = mulberry32(RULES_SEED);
  const gaps = new Set(DELIBERATE_GAPS);
  const pinnedAt = new Map(PINNED.map((r) => [r[0], r] as const));
  const used = new Set<string>(PINNED.map((r) => r[2]));
  const lines = [HEADER];
  for (const [st, first, last, stateRate] of STATES) {
    let p = first;
    while (p <= last) {
      const pin = pinnedAt.get(p);
      if (pin) {
        lines.push(`${fmt(pin[0])},${fmt(pin[1])},${pin[2]},${pin[3]}`);
        p = pin[1] + 1;
        continue;
      }
      if (gaps.has(p)) {
        p++;
        continue;
      }
      const want = rnd() < 0.55 ? 1 : rnd() < 0.75 ? 2 : 3;
      let end = p;
      while (end - p + 1 < want && end + 1 <= last && !gaps.has(end + 1) && !pinnedAt.has(end + 1)) end++;
      let name: string;
      do name = `${st}-${pick(rnd, PLACES)}-${pick(rnd, KINDS)}`;
      while (used.has(name));
      used.add(name);
      // No-sales-tax states stay at 0 except rare local taxes (as in Alaska).
      const local = stateRate === 0 ? (st === 'AK' && rnd() < 0.5 ? pick(rnd, [10000, 30000, 50000, 75000]) : 0) : pick(rnd, LOCAL_ADDONS);
      lines.push(`${fmt(p)},${fmt(end)},${name},${stateRate + local}`);
      p = end + 1;
    }
  }
  return lines.join('\n') + '\n';
}

/** A rules file that fails validation only at line 4 (range overlaps line 3), after rows that cover 100..104. */
export function generateMalformedRules(): string {
  return [
    HEADER,
    '100,102,NY-NEW-YORK-CITY,88750',
    '103,104,NY-WESTCHESTER-COUNTY,83750',
    '104,105,NY-ROCKLAND-COUNTY,83750',
    '106,109,NY-NASSAU-COUNTY,86250',
  ].join('\n') + '\n';
}

function fmt(p: number): string {
  return String(p).padStart(3, '0');
}

/** Writes both rules files under the repository root. */
export function main(): void {
  const root = repoRoot();
  for (const [rel, text] of [[RULES_PATH, generateRules()], [MALFORMED_RULES_PATH, generateMalformedRules()]] as const) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    console.log(`wrote ${rel} (${text.split('\n').length - 2} rows)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
