import type { Vector } from './reference/vectors.js';
import type { ExitCodes, RunResult } from './targets/types.js';

/** The exit code a target should report for a vector, given how much of the code its interface carries. */
export function expectedExit(vector: Pick<Vector, 'exitCode'>, fidelity: ExitCodes): number {
  return fidelity === 'ok-err' && vector.exitCode !== 0 ? 1 : vector.exitCode;
}

/** The `error` code of the one JSON line a failing workload prints on stderr, or null. */
export function stderrErrorCode(stderr: string): string | null {
  const line = stderr.trim().split('\n')[0];
  if (!line) return null;
  try {
    const v = (JSON.parse(line) as { error?: unknown }).error;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * Checks one run against its golden vector: byte-identical stdout, the expected
 * exit code, and the same error code on stderr (none on success). Returns a
 * one-line description of every difference, or null when the run conforms.
 */
export function checkRun(vector: Vector, result: RunResult, fidelity: ExitCodes): string | null {
  const diffs: string[] = [];
  if (result.timedOut) diffs.push('timed out');
  if (result.stdout !== vector.stdout) diffs.push(`stdout ${JSON.stringify(result.stdout)} ≠ expected ${JSON.stringify(vector.stdout)}`);
  const want = expectedExit(vector, fidelity);
  if (result.exitCode !== want) {
    diffs.push(`exit ${result.exitCode ?? `signal ${result.signal}`} ≠ expected ${want}${want !== vector.exitCode ? ` (vector ${vector.exitCode}, carried as ok/err)` : ''}`);
  }
  const code = stderrErrorCode(result.stderr);
  if (code !== vector.error) diffs.push(`stderr error ${JSON.stringify(code)} ≠ expected ${JSON.stringify(vector.error)} (stderr: ${JSON.stringify(result.stderr.trim().slice(0, 200))})`);
  return diffs.length ? diffs.join('; ') : null;
}
