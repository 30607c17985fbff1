import type { WarmRun } from './types.js';
import type { SpawnResult } from '../util/spawn.js';

/**
 * Reads a warm loop's report from a host's side channel: `{"mode":..., "iterations":[ms...]}`.
 * Throws with the host's stderr when the loop did not finish.
 */
export function parseWarm(r: SpawnResult): WarmRun {
  const line = r.side?.trim().split('\n').pop();
  let rep: { mode?: string; iterations?: unknown } = {};
  try {
    rep = line ? (JSON.parse(line) as typeof rep) : {};
  } catch {
    // fall through to the error below
  }
  const samples = rep.iterations;
  if (r.exitCode !== 0 || !Array.isArray(samples) || !samples.every((x) => typeof x === 'number')) {
    throw new Error(`warm loop failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().slice(0, 300) || 'no iterations reported'}`);
  }
  return { mode: rep.mode ?? 'unknown', samples: samples as number[], stdout: r.stdout.split('\n')[0] + '\n' };
}
