/**
 * tax - stateless sales-tax calculator, in JavaScript.
 *
 *   tax --postal-code=NNNNN --subtotal=D.DD [--rules=DIR]
 *   tax --probe=NAME [--target-path=P] [--port=N] [--seconds=S]
 *
 * The same contract as modules/tax-calculator/src/tax.c (see
 * ../../tax-calculator/README.md), byte for byte on stdout and stderr, with the
 * same exit codes. This module has no imports and touches no Node or WASI API:
 * the entries (main-node.js, main-wasi.js) pass everything in through `io`:
 *
 *   stdout(text), stderr(text)       write text (always ASCII here)
 *   readFile(path, max)              -> Uint8Array, at most `max` bytes
 *   appendFile(path, text)           probe: create or append
 *   env(name)                        -> string | undefined
 *   connect(port)                    probe: TCP connect to 127.0.0.1:port and write 1 byte
 *                                    (may return a Promise); omitted -> see noSockets
 *   noSockets                        probe: string detail when the runtime has no sockets
 *   clocks()                         -> { realtimeNs: bigint, monotonicNs: bigint }
 *   random(n)                        -> Uint8Array of n random bytes
 *   errno(name)                      -> { errno, error } for 'ENAMETOOLONG', 'EINVAL', 'ENOMEM'
 *   sleep(seconds)                   probe park: a Promise that resolves after `seconds`, keeping
 *                                    the instance alive; omitted -> park is an unknown probe
 *
 * Functions that can fail throw a plain { step, errno, error [, detail] } object,
 * `step` naming the operation that failed ('open', 'read', 'write', 'close', 'connect', ...).
 *
 * main() returns the exit code, or a Promise of it for a probe whose io call is
 * asynchronous (net-connect on Node, park).
 */

const EXIT_USAGE = 2; // usage, bad_postal_code, bad_subtotal, subtotal_too_large
const EXIT_RULES = 3; // rules_missing, rules_malformed
const EXIT_NOT_COVERED = 4;

const MAX_SUBTOTAL_CENTS = 999999999999n;
const MAX_RATE_PPM = 250000;
const MAX_RULES_BYTES = 1048576;
const MAX_LINE_BYTES = 128;
const MAX_JURISDICTION = 64;
const DEFAULT_RULES_DIR = '/rules';
const RULES_HEADER = 'prefix_start,prefix_end,jurisdiction,rate_ppm';
const FLAGS = ['--postal-code', '--subtotal', '--rules'];

const DIGITS = /^[0-9]+$/;
const JURISDICTION = /^[A-Z0-9-]+$/;

/** Writes the single stderr JSON line and returns the exit code. Messages are fixed ASCII plus digits. */
function fail(io, exitCode, code, message) {
  io.stderr(`{"error":"${code}","message":"${message}"}\n`);
  return exitCode;
}

/** `^[0-9]+(\.[0-9]{1,2})?$`, syntax before size; any number of leading zeros. */
function parseSubtotal(s) {
  const m = /^([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(s);
  if (!m) return 'bad';
  const int = m[1].replace(/^0+(?=.)/, '');
  if (int.length > 10) return 'too_large';
  const cents = BigInt(int) * 100n + BigInt(((m[2] ?? '') + '00').slice(0, 2));
  return cents > MAX_SUBTOTAL_CENTS ? 'too_large' : cents;
}

/** Bytes as a latin1 string: one char per byte, so lengths are byte lengths. */
function latin1(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  return s;
}

/**
 * Validates the whole rules file. Returns { owner, rows } (owner[prefix] = index
 * into rows, or -1) or an error message.
 */
function parseRules(text) {
  if (text.length > MAX_RULES_BYTES) return `rates.csv: file larger than ${MAX_RULES_BYTES} bytes`;
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop(); // one trailing newline ends the file
  const ownerLine = new Array(1000).fill(0);
  const owner = new Array(1000).fill(-1);
  const rows = [];
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const at = `rates.csv line ${n}: `;
    let l = lines[i];
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l.length > MAX_LINE_BYTES) return `${at}line longer than ${MAX_LINE_BYTES} bytes`;
    if (n === 1) {
      if (l !== RULES_HEADER) return `${at}bad header`;
      continue;
    }
    const f = l.split(',');
    if (f.length !== 4) return `${at}expected 4 fields`;
    const [s, e, j, r] = f;
    if (s.length !== 3 || !DIGITS.test(s)) return `${at}prefix_start must be 3 digits`;
    if (e.length !== 3 || !DIGITS.test(e)) return `${at}prefix_end must be 3 digits`;
    const ps = Number(s);
    const pe = Number(e);
    if (ps > pe) return `${at}prefix_start > prefix_end`;
    if (j.length > MAX_JURISDICTION || !JURISDICTION.test(j)) return `${at}bad jurisdiction`;
    if (r.length > 6 || !DIGITS.test(r)) return `${at}rate_ppm must be 1-6 digits`;
    const rate = Number(r);
    if (rate > MAX_RATE_PPM) return `${at}rate_ppm > ${MAX_RATE_PPM}`;
    for (let p = ps; p <= pe; p++) if (ownerLine[p] !== 0) return `${at}range overlaps line ${ownerLine[p]}`;
    for (let p = ps; p <= pe; p++) {
      ownerLine[p] = n;
      owner[p] = rows.length;
    }
    rows.push({ jurisdiction: j, ratePpm: rate });
  }
  if (rows.length === 0) return 'rates.csv: no data rows';
  return { owner, rows };
}

export function main(argv, io) {
  if (argv.length >= 1 && argv[0].startsWith('--probe=')) return probeMain(argv, io);

  // 1. flags, left to right; the first problem wins.
  const value = [null, null, null];
  for (const a of argv) {
    let matched = false;
    for (let k = 0; k < FLAGS.length; k++) {
      const name = FLAGS[k];
      if (!a.startsWith(name)) continue;
      const rest = a.slice(name.length);
      if (rest === '' || rest === '=') return fail(io, EXIT_USAGE, 'usage', `missing value for ${name}`);
      if (rest[0] !== '=') continue; // e.g. --subtotals=1
      if (value[k] !== null) return fail(io, EXIT_USAGE, 'usage', `duplicate flag ${name}`);
      value[k] = rest.slice(1);
      matched = true;
      break;
    }
    if (!matched) return fail(io, EXIT_USAGE, 'usage', 'unknown argument');
  }
  for (let k = 0; k < 2; k++) {
    if (value[k] === null) return fail(io, EXIT_USAGE, 'usage', `missing required flag ${FLAGS[k]}`);
  }

  // 2. postal code: exactly 5 ASCII digits.
  const postal = value[0];
  if (!/^[0-9]{5}$/.test(postal)) return fail(io, EXIT_USAGE, 'bad_postal_code', 'postal code must be exactly 5 ASCII digits');
  const prefix = Number(postal.slice(0, 3));

  // 3. subtotal.
  const cents = parseSubtotal(value[1]);
  if (cents === 'bad') return fail(io, EXIT_USAGE, 'bad_subtotal', 'subtotal must be digits with an optional point and 1-2 decimals');
  if (cents === 'too_large') return fail(io, EXIT_USAGE, 'subtotal_too_large', 'subtotal exceeds 9999999999.99');

  // 4. rules: missing (any failure to open or read), then malformed (the whole file is validated).
  let bytes;
  try {
    // One byte past the limit is enough to tell "too large".
    bytes = io.readFile(`${value[2] ?? DEFAULT_RULES_DIR}/rates.csv`, MAX_RULES_BYTES + 1);
  } catch {
    return fail(io, EXIT_RULES, 'rules_missing', 'cannot read rates.csv in the rules directory');
  }
  const table = parseRules(latin1(bytes));
  if (typeof table === 'string') return fail(io, EXIT_RULES, 'rules_malformed', table);

  // 5. coverage.
  const row = table.owner[prefix];
  if (row < 0) return fail(io, EXIT_NOT_COVERED, 'not_covered', `no rule covers postal code prefix ${postal.slice(0, 3)}`);
  const { jurisdiction, ratePpm } = table.rows[row];
  const tax = (cents * BigInt(ratePpm) + 500000n) / 1000000n; // an exact half cent rounds up
  io.stdout(
    `{"postal_code":"${postal}","jurisdiction":"${jurisdiction}","rate_ppm":${ratePpm},` +
      `"subtotal_cents":${cents},"tax_cents":${tax}}\n`,
  );
  return 0;
}

/* ---- probe mode (shares nothing with the tax path) ---------------------- */

const PROBE_DATA_MAX = 200;
const PROBE_FILE = 'wvc-probe.txt';
const BOMB_STEP_BYTES = 16 << 20;
const BOMB_STEPS = 64; // 64 x 16 MiB = 1 GiB

const utf8 = (s) => new TextEncoder().encode(s);

/** A JSON string over bytes, as tax.c's json_str: non-ASCII and control bytes become \u00XX. */
function jsonBytes(b) {
  let out = '"';
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += '\\u00' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out + '"';
}
const jsonStr = (s) => jsonBytes(utf8(s)); // argv and env values: their UTF-8 bytes, as C sees them

/** {"probe":..,"result":..[,"errno":..,"error":..][,"detail":..][,"data":..][,"mib":..]} */
function report(io, name, result, { err, detail, data, mib } = {}) {
  let line = `{"probe":${jsonStr(name)},"result":${jsonStr(result)}`;
  if (err) line += `,"errno":${err.errno},"error":${jsonStr(err.error)}`;
  if (detail !== undefined) line += `,"detail":${jsonStr(detail)}`;
  if (data !== undefined) line += `,"data":${typeof data === 'string' ? jsonStr(data) : jsonBytes(data)}`;
  if (mib !== undefined) line += `,"mib":${mib}`;
  io.stdout(line + '}\n');
  return 0;
}

/** Reports an io failure ({ step, errno, error [, detail] }); anything else is rethrown. */
function reportFailure(io, name, e, details) {
  if (!e || typeof e !== 'object' || typeof e.errno !== 'number') throw e;
  return report(io, name, 'error', { err: e, detail: e.detail ?? details[e.step] ?? `${e.step} failed` });
}

/** Calls f(v) now, or when v settles if it is a Promise. */
function then(v, ok, bad) {
  if (v && typeof v.then === 'function') return v.then(ok, bad);
  return ok(v);
}

function probeRead(io, name, path) {
  let data;
  try {
    data = io.readFile(path, PROBE_DATA_MAX);
  } catch (e) {
    return reportFailure(io, name, e, { open: 'open(target-path) for reading failed', read: 'read failed' });
  }
  return report(io, name, 'ok', { detail: 'read the file', data });
}

function probeWrite(io, name, dir) {
  const path = `${dir}/${PROBE_FILE}`;
  if (utf8(path).length >= 1024) return report(io, name, 'error', { err: io.errno('ENAMETOOLONG'), detail: 'target-path too long' });
  try {
    io.appendFile(path, 'wvc probe write\n');
  } catch (e) {
    return reportFailure(io, name, e, {
      open: `open(target-path/${PROBE_FILE}) for append failed`,
      write: 'write failed',
      close: 'close (flush) failed',
    });
  }
  return report(io, name, 'ok', { detail: `created or appended target-path/${PROBE_FILE}` });
}

function probeEnv(io, name) {
  const v = io.env('WVC_SECRET');
  if (v === undefined) return report(io, name, 'error', { err: { errno: 0, error: 'not set' }, detail: 'WVC_SECRET is not set' });
  return report(io, name, 'ok', { detail: 'WVC_SECRET is set', data: v });
}

function probeNet(io, name, portArg) {
  if (!io.connect) return report(io, name, 'absent', { detail: io.noSockets });
  // strtol(port, NULL, 10) as in tax.c: leading space, a sign, then digits; garbage after is ignored.
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(portArg ?? '');
  const port = m ? Number(m[1]) : 0;
  if (!(port >= 1 && port <= 65535)) return report(io, name, 'error', { err: io.errno('EINVAL'), detail: '--port=N (1-65535) is required' });
  const details = { socket: 'socket failed', connect: 'connect(127.0.0.1) failed', write: 'connected to 127.0.0.1 but write failed' };
  try {
    return then(
      io.connect(port),
      () => report(io, name, 'ok', { detail: `connected to 127.0.0.1:${port} and wrote 1 byte` }),
      (e) => reportFailure(io, name, e, details),
    );
  } catch (e) {
    return reportFailure(io, name, e, details);
  }
}

function probeClock(io, name) {
  const ts = (ns) => `${ns / 1000000000n}.${String(ns % 1000000000n).padStart(9, '0')}`;
  let c;
  try {
    c = io.clocks();
  } catch (e) {
    return reportFailure(io, name, e, {});
  }
  return report(io, name, 'ok', { detail: `realtime ${ts(c.realtimeNs)} monotonic ${ts(c.monotonicNs)}` });
}

function probeRandom(io, name) {
  let b;
  try {
    b = io.random(16);
  } catch (e) {
    return reportFailure(io, name, e, {});
  }
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return report(io, name, 'ok', { detail: 'random: 16 bytes', data: hex });
}

function probeMemBomb(io, name) {
  const keep = []; // every step stays reachable until the report
  for (let step = 0; step < BOMB_STEPS; step++) {
    let b;
    try {
      b = new Uint8Array(BOMB_STEP_BYTES);
    } catch {
      return report(io, name, 'error', { err: io.errno('ENOMEM'), detail: 'allocation failed; mib = MiB allocated and touched before', mib: keep.length * 16 });
    }
    for (let off = 0; off < BOMB_STEP_BYTES; off += 4096) b[off] = step + 1; // touch every page
    keep.push(b);
  }
  return report(io, name, 'ok', { detail: 'allocated and touched every step', mib: keep.length * 16 });
}

function probeCpuSpin() {
  let n = 0;
  for (;;) n++;
}

/** Prints the ready line, then sleeps `--seconds=S` and exits 0: a live instance parked mid-request (the density step). */
function probePark(io, name, seconds) {
  if (!io.sleep) return fail(io, EXIT_USAGE, 'usage', 'unknown probe');
  if (seconds === undefined) return fail(io, EXIT_USAGE, 'usage', 'park needs --seconds=S');
  // strtol(seconds, &end, 10) with *end == '\0', as in tax.c: leading space and a sign, then only digits.
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(seconds);
  const s = m ? Number(m[1]) : 0;
  if (!(s >= 1 && s <= 3600)) return fail(io, EXIT_USAGE, 'usage', '--seconds takes 1 to 3600');
  report(io, name, 'ok', { detail: `parked for ${s} s` });
  return io.sleep(s).then(() => 0);
}

function probeMain(argv, io) {
  const name = argv[0].slice('--probe='.length);
  let target;
  let port;
  let seconds;
  for (const a of argv.slice(1)) {
    if (a.startsWith('--target-path=')) target = a.slice('--target-path='.length);
    else if (a.startsWith('--port=')) port = a.slice('--port='.length);
    else if (a.startsWith('--seconds=')) seconds = a.slice('--seconds='.length);
    else return fail(io, EXIT_USAGE, 'usage', 'probe mode takes --target-path=P, --port=N and --seconds=S only');
  }
  switch (name) {
    case 'fs-read-outside':
    case 'fs-write-outside':
      if (target === undefined) return fail(io, EXIT_USAGE, 'usage', 'this probe needs --target-path=P');
      return name === 'fs-read-outside' ? probeRead(io, name, target) : probeWrite(io, name, target);
    case 'fs-write-granted':
      return probeWrite(io, name, target ?? DEFAULT_RULES_DIR);
    case 'env-read':
      return probeEnv(io, name);
    case 'net-connect':
      return probeNet(io, name, port);
    case 'clock':
      return probeClock(io, name);
    case 'random':
      return probeRandom(io, name);
    case 'mem-bomb':
      return probeMemBomb(io, name);
    case 'cpu-spin':
      return probeCpuSpin();
    case 'park':
      return probePark(io, name, seconds);
    default:
      return fail(io, EXIT_USAGE, 'usage', 'unknown probe');
  }
}
