import path from 'node:path';
import { execa } from 'execa';
import { errorLine } from '../errors.js';
import { UserError } from '../errors.js';
import { planFiles, type PlacementDecision } from '../report/k8s.js';
import { writeReports } from '../report/writer.js';
import { readCriteria, readResults, resultsPath } from './report.js';

export interface K8sPlanOptions {
  /** A results.json, or a run directory holding one. */
  file: string;
  /** The criteria file whose gate decides what is placed on Wasm (required). */
  criteria?: string;
  /** Where to write the manifests (default: `k8s/` next to the results.json). */
  out?: string;
  /** The RuntimeClass's handler (default wasmtime). */
  handler?: string;
  /** `k=v` labels of the prepared nodes (default wvc.dev/wasm-runtime=wasmtime). */
  nodeSelector?: string[];
  /** Validate the manifests with `kubectl apply --dry-run=server` when kubectl and a cluster are there. */
  check?: boolean;
}

/** What `--check` found: the server accepted the manifests, refused them, or there was no cluster to ask. */
export type PlanCheck = { status: 'ok'; output: string } | { status: 'failed'; output: string } | { status: 'skipped'; reason: string; hint: string };

/**
 * `kubectl apply --dry-run=server -f DIR`: the API server validates every manifest (schema,
 * admission) and persists nothing. Skipped, with the hint, when kubectl is missing or no
 * cluster answers (`kubectl version` cannot reach a server).
 */
export async function checkManifests(dir: string, kubectl = process.env.KUBECTL ?? 'kubectl'): Promise<PlanCheck> {
  const server = await execa(kubectl, ['version', '-o', 'json', '--request-timeout=10s'], { reject: false, timeout: 20_000 }).catch((e: unknown) => ({ failed: true, exitCode: undefined, stdout: '', stderr: errorLine(e), code: (e as NodeJS.ErrnoException).code }));
  if ('code' in server && server.code === 'ENOENT') return { status: 'skipped', reason: 'kubectl is not on PATH', hint: 'install kubectl and point it at a cluster (KUBECONFIG), then run wvc k8s plan --check again' };
  let serverVersion: string | undefined;
  try {
    serverVersion = (JSON.parse(String(server.stdout || '{}')) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
  } catch {
    serverVersion = undefined;
  }
  if (!serverVersion) {
    const why = String(server.stderr || '').split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? 'no server version';
    return { status: 'skipped', reason: `no cluster answers kubectl (${why.slice(0, 200)})`, hint: 'set KUBECONFIG (or the current context) to a cluster, then run wvc k8s plan --check again' };
  }
  const r = await execa(kubectl, ['apply', '--dry-run=server', '-f', dir], { reject: false, timeout: 120_000 });
  const output = `${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.trim();
  return r.exitCode === 0 ? { status: 'ok', output: `server ${serverVersion}: ${output}` } : { status: 'failed', output };
}

/** `k=v` pairs as a label map; a malformed one is a UserError naming the fix. */
export function parseNodeSelector(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of pairs) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UserError(`--node-selector takes key=value, got '${s}' — e.g. --node-selector wvc.dev/wasm-runtime=wasmtime`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

/**
 * `wvc k8s plan`: the RuntimeClass placement plan of a run (harness/report/k8s.ts)
 * written as YAML manifests.
 * @returns the directory, the files written and the placement decision.
 */
export async function k8sPlan(opts: K8sPlanOptions): Promise<{ dir: string; files: string[]; decision: PlacementDecision; check?: PlanCheck }> {
  if (!opts.criteria) throw new UserError('k8s plan needs the decision gate to know what to place on Wasm — pass --criteria FILE (e.g. examples/criteria.tax-calculator.json)');
  if (opts.handler !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.handler)) throw new UserError(`--handler must be a DNS label (lower-case letters, digits, '-'), got '${opts.handler}' — e.g. --handler wasmtime`);
  const src = await resultsPath(opts.file);
  const results = await readResults(src);
  const gate = await readCriteria(results, opts.criteria);
  const nodeSelector = opts.nodeSelector?.length ? parseNodeSelector(opts.nodeSelector) : undefined;
  const { files, decision } = planFiles(results, gate, { handler: opts.handler, nodeSelector });
  const dir = opts.out ? path.resolve(opts.out) : path.join(path.dirname(src), 'k8s');
  const written = Object.keys(files).length ? await writeReports(dir, files) : [];
  const check = opts.check && written.length ? await checkManifests(dir) : undefined;
  return { dir, files: written, decision, ...(check ? { check } : {}) };
}
