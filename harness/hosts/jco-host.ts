/**
 * Runs a jco-transpiled WASI command component on Node.
 *
 *   node jco-host.js [--default-shim | --park N] [--iterations N] [--argv0 NAME] [--dir HOST::GUEST]... <bundle-dir> <name> [-- args...]
 *
 * The WASI imports come from an explicit preview2-shim WASIShim sandbox: the --dir
 * directories as the only preopens, an empty environment, the args, and no network.
 * Some shim versions grant the whole host filesystem by default, so nothing here
 * relies on its defaults.
 * --default-shim (capability probes only): `new WASIShim()` with no sandbox option, to
 * show what the shim's defaults grant; the guest argv is set with the shim's own
 * `cli._setArgs` (its default is the host's process.argv), and --dir is unused.
 * Cold (default): one run; phase marks (boot, compile, instantiate, run) go to fd 3.
 * Warm (--iterations N): core modules compiled once, then N × (new WASIShim +
 * instantiate + run), timed by tinybench.
 * Park (--park N; the density step): core modules compiled once, then N × (new WASIShim +
 * the bundle's `instantiate` + run), each printing its answer on stdout, and every
 * instance kept referenced; then the process stays alive until stdin closes or SIGTERM.
 * The shim is synchronous (a guest's sleep blocks the thread), so the instances are kept
 * alive after one request each instead of being parked mid-request. The bundle is
 * transpiled in instantiation mode: `instantiate` builds a fresh set of core instances
 * and its own state on every call, so one import serves every instance.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli } from '@bytecodealliance/preview2-shim';
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation';
import { PhaseMarks, parseHostArgs, warmLoop } from './side-channel.js';
import { holdUntilReleased, parsePark } from './park-mode.js';

const USAGE = 'jco-host [--default-shim | --park N] [--iterations N] [--argv0 NAME] [--dir HOST::GUEST]... <bundle-dir> <name> [-- args...]';
const marks = new PhaseMarks();
const defaultShim = process.argv[2] === '--default-shim';
const { park, rest } = parsePark(process.argv.slice(defaultShim ? 3 : 2), USAGE);
const { pos, guestArgs, iterations, argv0, preopens } = parseHostArgs(rest, ['bundle', 'name'], USAGE);


type Instantiate = (getCoreModule: (file: string) => WebAssembly.Module, imports: unknown) => Promise<Record<string, unknown>>;
const { instantiate } = (await import(pathToFileURL(path.join(pos.bundle, `${pos.name}.js`)).href)) as { instantiate: Instantiate };

// Compile every core module up front, so that compile and instantiate are separate phases.
const modules = new Map<string, WebAssembly.Module>();
for (const f of readdirSync(pos.bundle).filter((f) => f.endsWith('.wasm'))) {
  modules.set(f, new WebAssembly.Module(readFileSync(path.join(pos.bundle, f))));
}
marks.end('compile');

function newShim(): WASIShim {
  if (defaultShim) {
    (cli as unknown as { _setArgs(a: string[]): void })._setArgs([argv0, ...guestArgs]);
    return new WASIShim();
  }
  return new WASIShim({
    sandbox: { preopens, env: {}, args: [argv0, ...guestArgs], enableNetwork: false },
  });
}

interface Instance {
  shim: WASIShim;
  component: Record<string, unknown>;
  run: { run(): void };
}

async function instance(): Promise<Instance> {
  const shim = newShim();
  const component = await instantiate((f) => modules.get(f)!, shim.getImportObject());
  const run = Object.entries(component).find(([k]) => k === 'run' || k.startsWith('wasi:cli/run'))?.[1] as { run(): void } | undefined;
  if (!run) {
    process.stderr.write(`jco-host: the component exports no wasi:cli/run (exports: ${Object.keys(component).join(', ')})\n`);
    process.exit(126);
  }
  return { shim, component, run };
}

if (park) {
  marks.discard();
  const kept: Instance[] = [];
  for (let i = 0; i < park; i++) {
    const inst = await instance();
    // A failing guest exits the process from inside the shim, before all N answers are out.
    inst.run.run();
    kept.push(inst);
  }
  holdUntilReleased(kept);
} else if (!iterations) {
  const { run } = await instance();
  marks.end('instantiate');
  // A guest exit() ends the process inside the shim (process.exit); a normal return is success.
  run.run();
  marks.flush('run');
} else {
  marks.discard();
  // A failing guest exits the process from inside the shim, which ends the loop loudly.
  await warmLoop('jco instantiate + run', iterations, async () => (await instance()).run.run());
}
