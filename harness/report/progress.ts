/**
 * Progress for the bench: on a TTY, one live line (variant, round, estimate of the
 * time left); elsewhere (CI, pipes) a plain line per completed round with the same
 * estimate. The estimate is the schedule's: each variant still sampling, its mean
 * time per sample times the rounds it may still run, capped by its time budget.
 */
export function createProgress(opts: { log: (line: string) => void; stream?: NodeJS.WriteStream }) {
  const stream = opts.stream ?? process.stderr;
  const tty = !!stream.isTTY && !process.env.CI;
  const t0 = Date.now();
  let done = 0;
  let left = '';
  const secs = (ms: number) => `${Math.ceil(ms / 1000)} s`;
  return {
    tick(key: string, round: number, rounds: number) {
      done++;
      if (tty) stream.write(`\r\x1b[K${key.padEnd(32)} round ${round}/${rounds}${left}`);
    },
    /** After each round: how many variants still sample, and about how long they will take. */
    round(p: { round: number; active: number; elapsedMs: number; estimateLeftMs: number }) {
      left = p.active ? `  about ${secs(p.estimateLeftMs)} left` : '';
      if (!tty) opts.log(`round ${p.round} done (${secs(p.elapsedMs)}): ${p.active ? `${p.active} variant${p.active === 1 ? '' : 's'} still sampling, about ${secs(p.estimateLeftMs)} left` : 'every variant has stopped'}`);
    },
    done() {
      if (tty) stream.write('\r\x1b[K');
      if (done) opts.log(`cold start: ${done} samples in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    },
  };
}
