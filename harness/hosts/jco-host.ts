/**
 * Runs a jco-transpiled WASI command component on Node, as one process per run.
 *
 *   node jco-host.js <bundle-dir> <name> <rules-host-dir> [-- args...]
 *
 * The WASI imports come from an explicit preview2-shim WASIShim sandbox: the rules
 * directory as the only preopen, an empty environment, the args, and no network.
 * Some shim versions grant the whole host filesystem by default, so nothing here
 * relies on its defaults. Phase marks (boot, compile, instantiate, run) go to fd 3.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation';
import { PhaseMarks } from './side-channel.js';

const marks = new PhaseMarks();
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const [bundleDir, name, rulesDir] = sep >= 0 ? argv.slice(0, sep) : argv;
const guestArgs = sep >= 0 ? argv.slice(sep + 1) : [];
if (!bundleDir || !name || !rulesDir) {
  process.stderr.write('usage: jco-host <bundle-dir> <name> <rules-dir> [-- args...]\n');
  process.exit(125);
}

type RunExport = { run(): void };
type Instantiate = (
  getCoreModule: (file: string) => Promise<WebAssembly.Module>,
  imports: unknown,
) => Promise<Record<string, unknown>>;

const { instantiate } = (await import(pathToFileURL(path.join(bundleDir, `${name}.js`)).href)) as { instantiate: Instantiate };
const shim = new WASIShim({
  sandbox: {
    preopens: { '/rules': rulesDir },
    env: {},
    args: ['tax', ...guestArgs],
    enableNetwork: false,
  },
});

// Compile every core module up front so that compile and instantiate are separate phases.
const modules = new Map<string, WebAssembly.Module>();
const files = (await import('node:fs')).readdirSync(bundleDir).filter((f) => f.endsWith('.wasm'));
for (const f of files) modules.set(f, new WebAssembly.Module(await readFile(path.join(bundleDir, f))));
marks.end('compile');
const component = await instantiate(async (f) => modules.get(f)!, shim.getImportObject());
marks.end('instantiate');
const runIface = Object.entries(component).find(([k]) => k === 'run' || k.startsWith('wasi:cli/run'))?.[1] as RunExport | undefined;
if (!runIface) {
  process.stderr.write(`jco-host: the component exports no wasi:cli/run (exports: ${Object.keys(component).join(', ')})\n`);
  process.exit(126);
}
// A guest exit() ends the process inside the shim (process.exit); a normal return means success.
runIface.run();
marks.flush('run');
