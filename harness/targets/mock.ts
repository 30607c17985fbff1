import type { BurstRequest, BurstRun, Preparation, PreparedVariant, RunRequest, RunResult, TargetClass, TargetDefinition, VariantSpec, WarmRequest, WarmRun, Baseline } from './types.js';

/** One scripted variant of a mock target. */
export interface MockVariant {
  name: string;
  class?: TargetClass;
  baseline?: Baseline;
  /** Durations returned in turn, in ms. */
  durations: number[];
  stdout: string;
  exitCode?: number;
  /** Every n-th run fails (exit 1, empty stdout). */
  failEvery?: number;
  /** Scripted burst latencies from the burst's start (request i answers at burst[i % length] ms); absent: no burst. */
  burst?: number[];
  /** Scripted warm-loop latencies; absent: the variant declares no warm mode. */
  warm?: number[];
  /** Prepared as skipped (with this reason) or not applicable. */
  status?: { skipped: string } | { na: string };
  exitCodes?: 'exact' | 'ok-err';
}

/**
 * A target that times nothing: it returns scripted durations and outputs, for
 * tests of the scheduler, the statistics and bench's assembly (like hyperfine's
 * mock executor). Never registered with the real targets; tests inject it
 * through `bench({ registry })`. `calls` records every run's args.
 */
export function createMockTarget(
  id: string,
  script: { variants: MockVariant[]; status?: { skipped: string } | { na: string } } | { durations: number[]; stdout: string; exitCode?: number; failEvery?: number },
): TargetDefinition & { calls: string[][]; run(req: RunRequest): Promise<RunResult> } {
  const variants: MockVariant[] = 'variants' in script ? script.variants : [{ name: 'mock', ...script }];
  const calls: string[][] = [];
  const counters = new Map<string, number>();
  const specs: VariantSpec[] = variants.map((v) => ({
    name: v.name,
    label: `${id} (mock ${v.name})`,
    class: v.class ?? 'wasm',
    ...(v.baseline ? { baseline: v.baseline } : {}),
    phaseSource: null,
    cacheState: 'scripted: nothing runs',
    warm: v.warm ? { mode: 'scripted warm loop' } : { none: 'the mock declares no warm loop' },
    exitCodes: v.exitCodes ?? 'exact',
  }));
  const runOf = (v: MockVariant) => async (req: RunRequest): Promise<RunResult> => {
    calls.push(req.args);
    const n = counters.get(v.name) ?? 0;
    counters.set(v.name, n + 1);
    const failed = v.failEvery !== undefined && (n + 1) % v.failEvery === 0;
    return {
      stdout: failed ? '' : v.stdout,
      stderr: failed ? '{"error":"mock","message":"scripted failure"}\n' : '',
      exitCode: failed ? 1 : (v.exitCode ?? 0),
      durationMs: v.durations[n % v.durations.length]!,
    };
  };
  const prepared = (v: MockVariant, spec: VariantSpec): PreparedVariant => {
    if (v.status && 'skipped' in v.status) return { spec, status: 'skipped', reason: v.status.skipped, hint: 'scripted' };
    if (v.status && 'na' in v.status) return { spec, status: 'n/a', reason: v.status.na };
    return {
      spec,
      status: 'ok',
      invocation: (req: RunRequest) => ({ kind: 'api', calls: `mock ${id}/${v.name} ${req.args.join(' ')}`, equivalent: null }),
      run: runOf(v),
      ...(v.warm ? { warm: async (req: WarmRequest): Promise<WarmRun> => ({ mode: 'scripted warm loop', samples: Array.from({ length: req.iterations }, (_, i) => v.warm![i % v.warm!.length]!), stdout: v.stdout }) } : {}),
      ...(v.burst
        ? {
            burst: async (req: BurstRequest): Promise<BurstRun> => {
              const ms = Array.from({ length: req.concurrency }, (_, i) => v.burst![i % v.burst!.length]!);
              return { mode: 'scripted burst', clock: 'runtime', wallMs: Math.max(...ms), answers: ms.map((latencyMs) => ({ latencyMs, stdout: v.stdout, stderr: '', exitCode: 0 })) };
            },
          }
        : {}),
      describe: () => ({ runtime: { name: 'mock', version: '0' }, artifact: `mock/${id}`, grants: [] }),
    };
  };
  const status = 'variants' in script ? script.status : undefined;
  return {
    id,
    summary: `${id}: scripted durations (a test double)`,
    variants: specs,
    capabilityRows: [],
    calls,
    run: runOf(variants[0]!),
    async prepare(): Promise<Preparation> {
      if (status && 'skipped' in status) return { status: 'skipped', reason: status.skipped, hint: 'scripted' };
      if (status && 'na' in status) return { status: 'n/a', reason: status.na };
      return { status: 'ok', runtime: { name: 'mock', version: '0' }, variants: variants.map((v, i) => prepared(v, specs[i]!)) };
    },
  };
}
