/**
 * Progress for the bench: on a TTY, one live line (target, round r/R, ETA);
 * elsewhere (CI, pipes) a plain line per completed round.
 */
export function createProgress(opts: { total: number; log: (line: string) => void; stream?: NodeJS.WriteStream }) {
  const stream = opts.stream ?? process.stderr;
  const tty = !!stream.isTTY && !process.env.CI;
  const t0 = Date.now();
  let done = 0;
  let lastRound = 0;
  return {
    tick(key: string, round: number, rounds: number) {
      done++;
      const eta = done ? ((Date.now() - t0) / done) * (opts.total - done) : 0;
      if (tty) {
        stream.write(`\r\x1b[K${key.padEnd(28)} round ${round}/${rounds}  ETA ${Math.ceil(eta / 1000)}s`);
      } else if (round !== lastRound && done > 1) {
        opts.log(`round ${lastRound}/${rounds} done`);
      }
      lastRound = round;
    },
    done() {
      if (tty) stream.write('\r\x1b[K');
      else if (done) opts.log(`round ${lastRound} done: ${done} samples in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    },
  };
}
