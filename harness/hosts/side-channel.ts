import { fstatSync, writeSync } from 'node:fs';

/**
 * Phase marks for Node host scripts. Times are ms on the performance clock,
 * whose origin is the start of the Node process, so `boot` is the cost of
 * starting Node and loading the host script. The marks are written as one
 * JSON line to fd 3 when the harness opened it, and never to stdout/stderr,
 * which belong to the workload.
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

  /** Ends the current phase as `name` (unless already ended) and writes all marks once. */
  flush(name?: string): void {
    if (this.flushed) return;
    if (name && this.marks[name] === undefined) this.end(name);
    this.flushed = true;
    try {
      fstatSync(3);
    } catch {
      return; // no side channel: run by hand
    }
    writeSync(3, JSON.stringify(this.marks) + '\n');
  }
}
