import { describe, expect, it } from 'vitest';
import { checkRun, expectedExit, stderrErrorCode } from '../harness/conformance.js';
import type { RunResult } from '../harness/targets/types.js';

const ok = { id: 'v1', args: ['--postal-code=10001', '--subtotal=125.00'], stdout: '{"a":1}\n', exitCode: 0, error: null };
const bad = { id: 'v2', args: ['--postal-code=1'], stdout: '', exitCode: 2, error: 'bad_postal_code' };
const res = (r: Partial<RunResult>): RunResult => ({ stdout: '', stderr: '', exitCode: 0, durationMs: 1, ...r });

describe('conformance check', () => {
  it('accepts a byte-identical success', () => {
    expect(checkRun(ok, res({ stdout: '{"a":1}\n' }), 'exact')).toBeNull();
  });

  it('rejects stdout that differs only by the trailing newline', () => {
    expect(checkRun(ok, res({ stdout: '{"a":1}' }), 'exact')).toMatch(/^stdout "\{\\"a\\":1\}" ≠ expected/);
  });

  it('compares exit codes exactly for processes and as ok/err for WASI 0.2 components', () => {
    expect(expectedExit(bad, 'exact')).toBe(2);
    expect(expectedExit(bad, 'ok-err')).toBe(1);
    expect(expectedExit(ok, 'ok-err')).toBe(0);
    const err = '{"error":"bad_postal_code","message":"x"}\n';
    expect(checkRun(bad, res({ exitCode: 2, stderr: err }), 'exact')).toBeNull();
    expect(checkRun(bad, res({ exitCode: 1, stderr: err }), 'ok-err')).toBeNull();
    expect(checkRun(bad, res({ exitCode: 1, stderr: err }), 'exact')).toBe('exit 1 ≠ expected 2');
  });

  it('requires the same error code on stderr', () => {
    expect(stderrErrorCode('{"error":"usage","message":"m"}\n')).toBe('usage');
    expect(stderrErrorCode('')).toBeNull();
    expect(stderrErrorCode('Segmentation fault')).toBeNull();
    expect(checkRun(bad, res({ exitCode: 2, stderr: '{"error":"usage","message":"m"}' }), 'exact')).toMatch(/^stderr error "usage" ≠ expected "bad_postal_code"/);
  });

  it('reports a timeout and a signal', () => {
    expect(checkRun(ok, res({ stdout: '', exitCode: null, signal: 'SIGKILL', timedOut: true }), 'exact')).toMatch(/^timed out; stdout "" ≠ expected .*; exit signal SIGKILL ≠ expected 0$/);
  });
});
