import type { Invocation } from '../model.js';

/** One argument quoted for a POSIX shell (and for hyperfine's own word splitting): bare when safe, else single-quoted. */
export function quoteArg(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one pasteable command line. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

/**
 * The command line an invocation stands for: a process's argv, prefixed with
 * `env -i` and its variables (the harness starts every runtime with exactly that
 * environment); for an API target, its calls.
 */
export function invocationLine(inv: Invocation): string {
  if (inv.kind === 'api') return inv.calls;
  return ['env', '-i', ...Object.entries(inv.env).map(([k, v]) => quoteArg(`${k}=${v}`)), commandLine(inv.argv)].join(' ');
}

/**
 * The `hyperfine -N` command line that times the same process the harness timed:
 * the same argv and the same (empty, unless stated) environment via `env -i`.
 */
export function hyperfineLine(inv: Invocation, runs: number, warmup = 3): string | null {
  const proc = inv.kind === 'process' ? inv : inv.equivalent;
  if (!proc) return null;
  return `env -i ${Object.entries(proc.env).map(([k, v]) => quoteArg(`${k}=${v}`)).join(' ')}${Object.keys(proc.env).length ? ' ' : ''}hyperfine -N --warmup ${warmup} --runs ${runs} ${quoteArg(commandLine(proc.argv))}`;
}
