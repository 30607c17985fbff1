/**
 * Node entry:  node main-node.js --postal-code=NNNNN --subtotal=D.DD [--rules=DIR]
 *
 * Paths are taken literally (in the container /rules is bind-mounted; on the
 * host the harness rewrites --rules). Exit codes are exact: 0, 2, 3, 4.
 * Errors carry the positive Linux errno and libuv's description of it with the
 * first letter capitalised ("No such file or directory"), close to strerror().
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { main } from './tax.js';

const ERRORS = getSystemErrorMap(); // negative errno -> [name, description]
// Where libuv's text differs from glibc's strerror() for errors the probes meet.
const GLIBC_TEXT = { [constants.errno.EISDIR]: 'is a directory', [constants.errno.ENOMEM]: 'cannot allocate memory' };

function describe(errno) {
  const text = GLIBC_TEXT[errno] ?? ERRORS.get(-errno)?.[1] ?? `errno ${errno}`;
  return text[0].toUpperCase() + text.slice(1);
}

/** A thrown Node error as tax.js's io failure: { step, errno, error }. */
function failure(step, e) {
  const errno = typeof e?.errno === 'number' ? Math.abs(e.errno) : (constants.errno[e?.code] ?? constants.errno.EIO);
  return { step, errno, error: describe(errno) };
}

/** Runs f; a thrown Node error becomes a failure of `step`. */
function attempt(step, f) {
  try {
    return f();
  } catch (e) {
    throw failure(step, e);
  }
}

const io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: (name) => process.env[name],
  errno: (name) => ({ errno: constants.errno[name], error: describe(constants.errno[name]) }),

  readFile(path, max) {
    const fd = attempt('open', () => openSync(path, 'r'));
    try {
      const buf = Buffer.alloc(max);
      let len = 0;
      for (let n; len < max && (n = attempt('read', () => readSync(fd, buf, len, max - len, null))) > 0; ) len += n;
      return buf.subarray(0, len);
    } finally {
      closeSync(fd);
    }
  },

  appendFile(path, text) {
    const fd = attempt('open', () => openSync(path, 'a'));
    try {
      attempt('write', () => writeSync(fd, text));
    } finally {
      attempt('close', () => closeSync(fd));
    }
  },

  // One attempt at 127.0.0.1 only, bounded by a 2 s timeout.
  connect: (port) =>
    new Promise((resolve, reject) => {
      let step = 'connect';
      const s = connect({ host: '127.0.0.1', port });
      const done = (err) => {
        s.destroy();
        if (err) reject(failure(step, err));
        else resolve();
      };
      s.setTimeout(2000, () => done({ code: 'ETIMEDOUT' }));
      s.on('error', done);
      s.on('connect', () => {
        step = 'write';
        s.write('x', (err) => done(err));
      });
    }),

  clocks: () => ({
    realtimeNs: BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n,
    monotonicNs: process.hrtime.bigint(),
  }),

  random: (n) => crypto.getRandomValues(new Uint8Array(n)),

  // A timer keeps the process alive until it fires.
  sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
};

const code = await main(process.argv.slice(2), io);
process.exitCode = code;
