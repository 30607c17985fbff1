import { describe, expect, it } from 'vitest';
import { failureVerdict } from '../harness/measure/rows.js';
import type { Sample } from '../harness/model.js';

// The rule that turns failed samples into an errored row (README, "Faults"): pure logic on known samples.
const ok = (round: number): Sample => ({ round, ms: 1, ok: true, exitCode: 0 });
const gone = (round: number): Sample => ({ round, ms: NaN, ok: false, exitCode: null, error: 'did not run; stderr: harness error: connect ENOENT /var/run/docker.sock' });
const exit1 = (round: number): Sample => ({ round, ms: 1, ok: false, exitCode: 1, error: 'exit 1; stderr: boom' });

describe('failureVerdict', () => {
  it('names the round a runtime stopped answering at, and the counts', () => {
    expect(failureVerdict('docker', [ok(0), ok(1), gone(2), gone(3), gone(4)], 'vanished')).toBe('docker: stopped answering at round 3 (connect ENOENT /var/run/docker.sock); 3 of 5 samples failed');
    // Two unreachable runs at the end are enough without the schedule's stop.
    expect(failureVerdict('docker', [ok(0), ok(1), ok(2), gone(3), gone(4)])).toBe('docker: stopped answering at round 4 (connect ENOENT /var/run/docker.sock); 2 of 5 samples failed');
  });

  it('errors more than half failed, keeps half or fewer, and says when every sample failed', () => {
    expect(failureVerdict('native', [ok(0), exit1(1), exit1(2)])).toBe('2 of 3 samples failed (more than half); first: exit 1; stderr: boom');
    expect(failureVerdict('native', [ok(0), ok(1), exit1(2), exit1(3)])).toBeNull();
    expect(failureVerdict('native', [ok(0), ok(1), ok(2), ok(3), gone(4)])).toBeNull();
    expect(failureVerdict('docker', [gone(0), gone(1)], 'vanished')).toBe('every sample failed; first: did not run; stderr: harness error: connect ENOENT /var/run/docker.sock');
    expect(failureVerdict('native', [ok(0)])).toBeNull();
    expect(failureVerdict('native', [])).toBeNull();
  });
});
