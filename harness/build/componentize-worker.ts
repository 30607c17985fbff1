/**
 * Runs componentize-js once, in its own process (spawned by harness/build/componentize.ts):
 *
 *   node componentize-worker.js '<json: WorkerRequest>'
 *
 * Writes the component to `out` and exits 0; on failure writes componentize-js's
 * message to stderr and exits 1. A separate process because componentize-js reads
 * the WIT through its jco-transpiled splicer, whose filesystem is the shared
 * preview2-shim one: the preopen below must be set before componentize-js is
 * first imported, and it grants the whole host filesystem to that process.
 */
import { writeFile } from 'node:fs/promises';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

/** What the parent sends: componentize-js options plus where to write the component. */
export interface WorkerRequest {
  sourcePath: string;
  witPath: string;
  worldName: string;
  disableFeatures: string[];
  out: string;
}

const req = JSON.parse(process.argv[2] ?? '{}') as WorkerRequest;
// Without a preopen the splicer cannot read the WIT: "No such file or directory (os error 44)".
// (The package's types are the browser build's, whose preopens are in-memory trees; on Node they are host paths.)
(_setPreopens as unknown as (preopens: Record<string, string>) => void)({ '/': '/' });
const { componentize } = await import('@bytecodealliance/componentize-js');
try {
  const { component } = await componentize({
    sourcePath: req.sourcePath,
    witPath: req.witPath,
    worldName: req.worldName,
    disableFeatures: req.disableFeatures as ('stdio' | 'random' | 'clocks' | 'http' | 'fetch-event')[],
  });
  await writeFile(req.out, component);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
