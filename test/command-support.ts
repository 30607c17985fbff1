/** Helpers of the tests that run a command's function directly: temp directories removed after each test, and the one-line UserError. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { UserError } from '../harness/errors.js';

/** A `tmp()` that makes a fresh directory named `<prefix>…`; every one is removed after each test. */
export function tempDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  return async () => {
    const d = await mkdtemp(path.join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

/** The message of the UserError `p` rejects with, checked to be one line; anything else fails the test. */
export async function userError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}
