import { registry as defaultRegistry } from '../targets/index.js';
import type { Registry } from '../targets/types.js';
import { findLeftovers, removeLeftovers } from '../util/leftovers.js';

/**
 * `wvc clean [--dry-run]`: lists what runs of the harness left behind (containers labelled
 * with a harness pid that no longer runs, OCI bundles, empty harness cgroups, containerd
 * containers and snapshots in the wvc namespace, the harness's temp directories) and removes
 * it; with `dryRun`, only lists it. Exits 1 when something could not be removed.
 */
export async function clean(opts: { dryRun?: boolean; registry?: Registry; log?: (line: string) => void } = {}): Promise<{ found: string[]; failed: string[] }> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const found = await findLeftovers(opts.registry ?? defaultRegistry);
  for (const l of found) log(`${opts.dryRun ? 'would remove' : 'removing'} ${l.what}${l.pid !== null ? ` (made by pid ${l.pid}, no longer running)` : ''}`);
  const failed = opts.dryRun ? [] : await removeLeftovers(found);
  for (const f of failed) log(`could not remove ${f}`);
  log(found.length ? `clean: ${opts.dryRun ? `${found.length} leftover(s) found; run \`wvc clean\` to remove them` : `${found.length - failed.length} of ${found.length} removed`}` : 'clean: nothing left behind');
  return { found: found.map((l) => l.what), failed };
}
