/** The `--park N` mode the Node hosts (node-wasi-host, jco-host) share: its flag, and holding the instances until released. */

/** `--park N` (1 to 4096) when it leads the command line; a bad count is exit 125 with the usage. */
export function parsePark(argv: string[], usage: string): { park: number; rest: string[] } {
  if (argv[0] !== '--park') return { park: 0, rest: argv };
  const n = Number(argv[1]);
  if (!(Number.isInteger(n) && n >= 1 && n <= 4096)) {
    process.stderr.write(`--park needs a count from 1 to 4096; usage: ${usage}\n`);
    process.exit(125);
  }
  return { park: n, rest: argv.slice(2) };
}

/** Keeps `kept` referenced until stdin closes (the parent let go, or died) or SIGTERM. */
export function holdUntilReleased(kept: readonly unknown[]): void {
  const leave = (): void => {
    void kept.length; // the listeners hold `kept`, so nothing of it can be collected before this
    process.exit(0);
  };
  process.once('SIGTERM', leave);
  process.stdin.once('end', leave);
  process.stdin.once('close', leave);
  process.stdin.once('error', leave);
  process.stdin.resume();
}
