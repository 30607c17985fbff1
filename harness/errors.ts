import { ExecaError } from 'execa';

/** Thrown for problems the user can fix; printed as one line without a stack. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** The most characters of a failed command's stderr that one line carries. */
const STDERR_CHARS = 300;

/** The failed command (execa's error) in an error or its chain of causes, if there is one. */
function failedCommand(e: unknown): ExecaError | null {
  for (let c = e, depth = 0; c && depth < 8; c = (c as { cause?: unknown }).cause, depth++) if (c instanceof ExecaError) return c;
  return null;
}

/**
 * An error as one line: its message's first line. When a command failed (an execa
 * error, or one caused by it), execa's message names the command and how it ended on
 * its first line and puts the output below: the line then adds the command's stderr
 * (its non-empty lines, joined, at most a few hundred characters).
 */
export function errorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const first = msg.split('\n').find((l) => l.trim())?.trim() ?? String(e);
  const cmd = failedCommand(e);
  const stderr = typeof cmd?.stderr === 'string' ? cmd.stderr.split('\n').map((l) => l.trim()).filter(Boolean).join(' | ') : '';
  if (!stderr || first.includes(stderr)) return first;
  return `${first} — ${stderr.length > STDERR_CHARS ? `${stderr.slice(0, STDERR_CHARS)}…` : stderr}`;
}

/**
 * A fault as one line for the user (see {@link errorLine}), without the stack.
 * `WVC_DEBUG=1` prints the stack where a fault is reported.
 */
export function faultText(e: unknown): string {
  if (process.env.WVC_DEBUG === '1' && e instanceof Error && e.stack) return e.stack;
  return errorLine(e);
}
