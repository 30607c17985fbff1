/**
 * Runs a wasm32-wasip1 core module under node:wasi (preview1), as one process per run.
 *
 *   node node-wasi-host.js <module.wasm> <rules-host-dir> [-- args...]
 *
 * Grants: the rules directory preopened as /rules, an empty environment, the args.
 * node:wasi is not a security sandbox (Node's documentation says so); its denials are policy.
 * Phase marks (boot, compile, instantiate, run) go to fd 3 when open.
 */
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { PhaseMarks } from './side-channel.js';

const marks = new PhaseMarks();
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const [modulePath, rulesDir] = sep >= 0 ? argv.slice(0, sep) : argv;
const guestArgs = sep >= 0 ? argv.slice(sep + 1) : [];
if (!modulePath || !rulesDir) {
  process.stderr.write('usage: node-wasi-host <module.wasm> <rules-dir> [-- args...]\n');
  process.exit(125);
}

const wasi = new WASI({
  version: 'preview1',
  args: ['tax', ...guestArgs],
  env: {},
  preopens: { '/rules': rulesDir },
  returnOnExit: true,
});
const module = new WebAssembly.Module(readFileSync(modulePath));
marks.end('compile');
const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
marks.end('instantiate');
const code = wasi.start(instance);
marks.flush('run');
process.exitCode = code;
