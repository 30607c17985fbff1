/** Thrown for problems the user can fix; printed as one line without a stack. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/**
 * A fault as one line for the user: the error's message (its first line), without the stack.
 * `WVC_DEBUG=1` prints the stack where a fault is reported.
 */
export function faultText(e: unknown): string {
  if (process.env.WVC_DEBUG === '1' && e instanceof Error && e.stack) return e.stack;
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim())?.trim() ?? String(e);
}
