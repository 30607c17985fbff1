/**
 * The JavaScript calculator's logic (modules/tax-calculator-js/src/tax.js) on every
 * golden vector, in process: the same io contract its Node and WASI entries supply,
 * with guest paths under /rules read from the committed rules. The runtimes that
 * run its entries are checked on samples in verify-targets.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES_DIR, VECTORS_PATH } from '../harness/paths.js';
import { loadVectors } from '../harness/reference/vectors.js';
import { stderrErrorCode } from '../harness/conformance.js';
import { ROOT } from './support.js';

type Io = { stdout(t: string): void; stderr(t: string): void; readFile(p: string, max: number): Uint8Array };
const { main } = (await import(path.join(ROOT, 'modules', 'tax-calculator-js', 'src', 'tax.js'))) as { main(argv: string[], io: Io): number };

function run(args: string[]): { stdout: string; stderr: string; exitCode: number } {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    // Only /rules exists, as in every sandboxed run; anything else cannot be opened.
    readFile(p, max) {
      if (p !== '/rules' && !p.startsWith('/rules/')) throw { step: 'open', errno: 44, error: 'no-entry' };
      try {
        return readFileSync(path.join(RULES_DIR, p.slice('/rules'.length))).subarray(0, max);
      } catch {
        throw { step: 'open', errno: 44, error: 'no-entry' };
      }
    },
  };
  const exitCode = main(args, io);
  return { stdout, stderr, exitCode };
}

describe('tax.js on every golden vector', async () => {
  const vectors = await loadVectors(VECTORS_PATH);
  it('prints byte-identical stdout, the same exit code and the same stderr error code', () => {
    const mismatches = vectors.flatMap((v) => {
      const r = run(v.args);
      const ok = r.stdout === v.stdout && r.exitCode === v.exitCode && stderrErrorCode(r.stderr) === v.error;
      return ok ? [] : [{ id: v.id, got: r }];
    });
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(vectors.length).toBeGreaterThanOrEqual(1000);
  });
});
