import { fstatSync, writeSync } from 'node:fs';
import { Bench } from 'tinybench';

/** True when the harness opened fd 3 as the side channel. */
function sideChannelOpen(): boolean {
  try {
    fstatSync(3);
    return true;
  } catch {
    return false; // run by hand
  }
}

/** Writes one JSON line to the side channel, if there is one. Never to stdout/stderr, which belong to the workload. */
export function writeSide(obj: unknown): void {
  if (!sideChannelOpen()) return;
  try {
    writeSync(3, JSON.stringify(obj) + '\n');
  } catch {
    // fd 3 belongs to someone else (e.g. a benchmarking tool that runs the host): not our channel.
  }
}

/**
 * Phase marks for Node host scripts. Times are ms on the performance clock,
 * whose origin is the start of the Node process, so `boot` is the cost of
 * starting Node and loading the host script.
 */
export class PhaseMarks {
  private readonly marks: Record<string, number> = {};
  private last: number;
  private flushed = false;

  constructor() {
    this.last = performance.now();
    this.marks.boot = this.last;
    // The guest may end the process with exit(); the marks still go out.
    process.on('exit', () => this.flush('run'));
  }

  /** Closes the phase that started at the previous mark, under `name`. */
  end(name: string): void {
    const now = performance.now();
    this.marks[name] = now - this.last;
    this.last = now;
  }

  /** Drops the marks (warm mode reports iterations instead). */
  discard(): void {
    this.flushed = true;
  }

  /** Ends the current phase as `name` (unless already ended) and writes all marks once. */
  flush(name?: string): void {
    if (this.flushed) return;
    if (name && this.marks[name] === undefined) this.end(name);
    this.flushed = true;
    writeSide(this.marks);
  }
}

/** What the Node hosts' shared command line says. */
export interface HostArgs {
  pos: Record<string, string>;
  guestArgs: string[];
  iterations: number;
  /** The guest's argv[0]. */
  argv0: string;
  /** Preopens: guest path → host directory. */
  preopens: Record<string, string>;
}

/**
 * Command line shared by the Node hosts:
 * `[--iterations N] [--argv0 NAME] [--dir HOST::GUEST]... POSITIONAL... [-- GUEST ARGS...]`.
 * A bad command line is exit 125 with the usage on stderr.
 */
export function parseHostArgs(argv: string[], positional: string[], usage: string): HostArgs {
  const out: HostArgs = { pos: {}, guestArgs: [], iterations: 0, argv0: 'main', preopens: {} };
  const bad = (why: string): never => {
    process.stderr.write(`${why}; usage: ${usage}\n`);
    process.exit(125);
  };
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('--') && argv[i] !== '--'; i += 2) {
    const [flag, v] = [argv[i], argv[i + 1]];
    if (v === undefined) bad(`${flag} needs a value`);
    if (flag === '--iterations') {
      out.iterations = Number(v);
      if (!(Number.isInteger(out.iterations) && out.iterations >= 0)) bad('--iterations needs a count');
    } else if (flag === '--argv0') out.argv0 = v;
    else if (flag === '--dir') {
      const [host, guest] = v.split('::');
      if (!host || !guest) bad('--dir needs HOST::GUEST');
      out.preopens[guest] = host;
    } else bad(`unknown option ${flag}`);
  }
  const rest = argv.slice(i);
  const sep = rest.indexOf('--');
  const head = sep >= 0 ? rest.slice(0, sep) : rest;
  if (head.length !== positional.length) bad(`expected ${positional.join(' ')}`);
  out.pos = Object.fromEntries(positional.map((p, k) => [p, head[k]]));
  out.guestArgs = sep >= 0 ? rest.slice(sep + 1) : [];
  return out;
}

/**
 * Warm, in-process latency: times `fn` (a fresh instance plus a run of the
 * already-compiled module) `iterations` times with tinybench, and writes the
 * per-iteration latencies in ms to the side channel.
 */
export async function warmLoop(mode: string, iterations: number, fn: () => void | Promise<void>): Promise<void> {
  const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 10, warmupTime: 0, retainSamples: true, throws: true });
  bench.add(mode, fn);
  await bench.run();
  const task = bench.tasks[0];
  const samples = (task.result as { latency?: { samples?: number[] } } | undefined)?.latency?.samples;
  if (!samples?.length) throw new Error(`tinybench returned no samples for ${mode}`);
  writeSide({ mode: `${mode} (tinybench ${iterations} iterations)`, iterations: [...samples] });
}
