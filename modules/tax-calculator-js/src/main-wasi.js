/**
 * WASI 0.2 component entry (componentize-js / StarlingMonkey): exports
 * wasi:cli/run and does all I/O through the imports of ../wit/world.wit.
 *
 * - argv: wasi:cli/environment get-arguments, minus argv[0].
 * - exit: WASI 0.2 `exit` carries only ok/err, so every non-zero exit code of
 *   tax.js (2, 3, 4) leaves the component as `err` (exit status 1 in wasmtime);
 *   the stderr JSON line still tells them apart. Exit 0 is a normal return.
 * - files: an absolute guest path is resolved against the preopen with the
 *   longest matching guest path; a path under no preopen fails with no-entry,
 *   as in recent wasi-libc (so the tax path reports rules_missing).
 * - errors: `error` is the wasi:filesystem error-code ("no-entry") and `errno`
 *   the number wasi-libc uses for it (44), from WASI_ERRNO below.
 * - no wasi:sockets in the world: net-connect reports "absent".
 */
import { getArguments, getEnvironment } from 'wasi:cli/environment@0.2.12';
import { exit } from 'wasi:cli/exit@0.2.12';
import { getStdout } from 'wasi:cli/stdout@0.2.12';
import { getStderr } from 'wasi:cli/stderr@0.2.12';
import { getDirectories } from 'wasi:filesystem/preopens@0.2.12';
import { filesystemErrorCode } from 'wasi:filesystem/types@0.2.12';
import { main } from './tax.js';

// wasi:filesystem error-code -> wasi-libc errno (the WASI preview1 numbering).
const WASI_ERRNO = {
  access: 2, 'would-block': 6, already: 7, 'bad-descriptor': 8, busy: 10, deadlock: 16, quota: 19, exist: 20,
  'file-too-large': 22, 'illegal-byte-sequence': 25, 'in-progress': 26, interrupted: 27, invalid: 28, io: 29,
  'is-directory': 31, loop: 32, 'too-many-links': 34, 'message-size': 35, 'name-too-long': 37, 'no-device': 43,
  'no-entry': 44, 'no-lock': 46, 'insufficient-memory': 48, 'insufficient-space': 51, 'not-directory': 54,
  'not-empty': 55, 'not-recoverable': 56, unsupported: 58, 'no-tty': 59, 'no-such-device': 60, overflow: 61,
  'not-permitted': 63, pipe: 64, 'read-only': 69, 'invalid-seek': 70, 'text-file-busy': 74, 'cross-device': 75,
};
const POSIX_CODE = { ENAMETOOLONG: 'name-too-long', EINVAL: 'invalid', ENOMEM: 'insufficient-memory' };

const failure = (step, code, detail) => ({ step, errno: WASI_ERRNO[code] ?? 29, error: code, ...(detail ? { detail } : {}) });

// componentize-js throws a failed import's `err` value as a ComponentError whose `payload` is that value.

/** The error-code of a failed wasi:filesystem call. */
const fsCode = (e) => (typeof e?.payload === 'string' ? e.payload : 'io');

/** The error-code of a failed stream operation: closed, or the filesystem error behind it. */
function streamCode(e) {
  if (e?.payload?.tag === 'closed') return 'pipe';
  try {
    return filesystemErrorCode(e.payload.val) ?? 'io';
  } catch {
    return 'io';
  }
}

/** Runs f; a thrown WASI error becomes a failure of `step`. */
function attempt(step, f, code = fsCode) {
  try {
    return f();
  } catch (e) {
    throw failure(step, code(e));
  }
}

/** [preopen descriptor, path relative to it] for an absolute guest path, or a no-entry failure. */
function resolve(path) {
  const abs = path.startsWith('/') ? path : `/${path}`; // wasi-libc's cwd is "/"
  let best = null;
  for (const [dir, guest] of getDirectories()) {
    const g = guest.length > 1 ? guest.replace(/\/+$/, '') : guest;
    const under = g === '/' || abs === g || abs.startsWith(`${g}/`);
    if (under && (!best || g.length > best[1].length)) best = [dir, g];
  }
  if (!best) throw failure('open', 'no-entry', 'no preopen covers target-path');
  return [best[0], abs.slice(best[1].length).replace(/^\/+/, '') || '.'];
}

function write(stream, text) {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += 4096) stream.blockingWriteAndFlush(bytes.subarray(i, i + 4096));
}

const io = {
  stdout: (text) => write(getStdout(), text),
  stderr: (text) => write(getStderr(), text),
  env: (name) => getEnvironment().find(([k]) => k === name)?.[1],
  errno: (name) => ({ errno: WASI_ERRNO[POSIX_CODE[name]], error: POSIX_CODE[name] }),

  // Reads through a stream, like wasi-libc (Descriptor.read on a directory crashes preview2-shim's host).
  readFile(path, max) {
    const [dir, rel] = resolve(path);
    const fd = attempt('open', () => dir.openAt({ symlinkFollow: true }, rel, {}, { read: true }));
    const stream = attempt('read', () => fd.readViaStream(0n));
    const out = new Uint8Array(max);
    let len = 0;
    while (len < max) {
      let chunk;
      try {
        chunk = stream.blockingRead(BigInt(max - len));
      } catch (e) {
        if (e?.payload?.tag === 'closed') break; // end of file
        throw failure('read', streamCode(e));
      }
      out.set(chunk, len);
      len += chunk.length;
    }
    return out.subarray(0, len);
  },

  appendFile(path, text) {
    const [dir, rel] = resolve(path);
    const fd = attempt('open', () => dir.openAt({ symlinkFollow: true }, rel, { create: true }, { write: true }));
    const stream = attempt('open', () => fd.appendViaStream());
    attempt('write', () => write(stream, text), streamCode);
  },

  noSockets: 'component imports no wasi:sockets',

  // StarlingMonkey's clocks feature backs Date.now (wall clock, ms) and performance.now (monotonic, ms).
  clocks: () => ({
    realtimeNs: BigInt(Date.now()) * 1000000n,
    monotonicNs: BigInt(Math.round(performance.now() * 1e6)),
  }),

  random: (n) => crypto.getRandomValues(new Uint8Array(n)),

  sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
};

const finish = (code) => {
  if (code !== 0) exit({ tag: 'err' });
};

export const run = {
  run() {
    const code = main(getArguments().slice(1), io);
    if (code && typeof code.then === 'function') return code.then(finish);
    finish(code);
  },
};
