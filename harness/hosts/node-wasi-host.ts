/**
 * Runs a wasm32-wasip1 core module under node:wasi (preview1).
 *
 *   node node-wasi-host.js [--iterations N] [--argv0 NAME] [--dir HOST::GUEST]... <module.wasm> [-- args...]
 *
 * Grants: the --dir directories as preopens, an empty environment, the args.
 * node:wasi is not a security sandbox (Node's documentation says so); its denials are policy.
 * Cold (default): one run; phase marks (boot, compile, instantiate, run) go to fd 3.
 * Warm (--iterations N): compile once, then N × (new WASI + instantiate + _start),
 * timed by tinybench; stdout of those runs goes to /dev/null after the first.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { PhaseMarks, parseHostArgs, warmLoop } from './side-channel.js';

const marks = new PhaseMarks();
const { pos, guestArgs, iterations, argv0, preopens } = parseHostArgs(process.argv.slice(2), ['module'], 'node-wasi-host [--iterations N] [--argv0 NAME] [--dir HOST::GUEST]... <module.wasm> [-- args...]');

function runOnce(module: WebAssembly.Module, stdout?: number): number {
  const wasi = new WASI({
    version: 'preview1',
    args: [argv0, ...guestArgs],
    env: {},
    preopens,
    returnOnExit: true,
    ...(stdout !== undefined ? { stdout } : {}),
  });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance);
}

const module = new WebAssembly.Module(readFileSync(pos.module));
marks.end('compile');
if (!iterations) {
  const wasi = new WASI({ version: 'preview1', args: [argv0, ...guestArgs], env: {}, preopens, returnOnExit: true });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  marks.end('instantiate');
  const code = wasi.start(instance);
  marks.flush('run');
  process.exitCode = code;
} else {
  marks.discard();
  // The first run prints, so the harness can check the answer; the timed ones do not.
  const first = runOnce(module);
  if (first !== 0) process.exit(first);
  const devnull = openSync('/dev/null', 'w');
  await warmLoop('node:wasi instantiate + _start', iterations, () => {
    const code = runOnce(module, devnull);
    if (code !== 0) throw new Error(`guest exited ${code}`);
  });
  closeSync(devnull);
}
