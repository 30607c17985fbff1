import type { Availability, RunRequest, RunResult, Target, TargetDescription } from './types.js';

/**
 * A target that times nothing: it returns scripted durations and outputs, for
 * tests of the scheduler and the statistics (like hyperfine's mock executor).
 * Not registered with the real targets.
 */
export function createMockTarget(id: string, script: { durations: number[]; stdout: string; exitCode?: number; failEvery?: number }): Target & { calls: string[][] } {
  let i = 0;
  const calls: string[][] = [];
  return {
    id,
    variants: ['mock'],
    calls,
    async prepare(): Promise<Availability> {
      return { status: 'ok', runtime: { name: 'mock', version: '0' } };
    },
    async run(_variant: string, req: RunRequest): Promise<RunResult> {
      calls.push(req.args);
      const n = i++;
      const failed = script.failEvery !== undefined && (n + 1) % script.failEvery === 0;
      return {
        stdout: failed ? '' : script.stdout,
        stderr: failed ? '{"error":"mock","message":"scripted failure"}\n' : '',
        exitCode: failed ? 1 : (script.exitCode ?? 0),
        durationMs: script.durations[n % script.durations.length],
      };
    },
    describe(variant: string): TargetDescription {
      return { id, variant, label: `${id} (mock)`, runtime: { name: 'mock', version: '0' }, command: 'mock', artifact: `mock/${id}`, grants: [] };
    },
  };
}
