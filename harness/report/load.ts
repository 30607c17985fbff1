/**
 * A structural check of a parsed results.json before the reports render it:
 * enough that a garbled or foreign file gives one line naming the field,
 * not a TypeError deep in a renderer. (The full JSON schema is
 * harness/schema/results.schema.json.) Older runs (schemaVersion 1, one
 * workload) are upgraded in memory to the current model. Pure.
 */
import { SCHEMA_VERSION, type Results, type WorkloadRecord } from '../model.js';

/** The schema versions the reports read: 1 (one workload per run) is upgraded on load. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, SCHEMA_VERSION];

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const kindOf = (x: unknown) => (x === undefined ? 'missing' : x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x);

/** The one-line message for a schemaVersion the reports cannot read. */
export function unsupportedVersion(where: string, v: unknown): string {
  return v === undefined
    ? `${where}: no schemaVersion field — is this a results.json written by \`wvc bench\`?`
    : `${where}: schemaVersion ${JSON.stringify(v)} is not supported by this harness (it reads ${READABLE_SCHEMA_VERSIONS.join(' and ')})`;
}

/**
 * A schemaVersion 1 workload name, `tax-calculator (C)`, as the slug and language
 * the current model records: `{ name: 'tax-calculator', language: 'C' }`.
 */
export function splitLegacyName(old: string): { name: string; language: string } {
  const m = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(old);
  const base = (m ? m[1] : old).trim();
  const name = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'workload';
  return { name, language: m ? m[2].trim() : 'unknown' };
}

/**
 * A schemaVersion 1 document as the current model: its `workload` becomes
 * `workloads[0]` (no manifest was recorded then, so `manifest` and
 * `manifestSha256` are empty), and every target and capability row gets that
 * workload. Artifact ids stay as they were (`native-bin`, `component-cwasm`, …).
 * Does not modify `doc`.
 */
export function upgradeV1(doc: Record<string, unknown>): Results {
  const old = isObj(doc.workload) ? doc.workload : {};
  const { name, language } = splitLegacyName(typeof old.name === 'string' ? old.name : 'workload');
  const workload: WorkloadRecord = {
    name,
    language,
    description: '',
    manifest: '',
    manifestSha256: '',
    args: Array.isArray(old.args) ? old.args.map(String) : [],
    expectedStdout: typeof old.expectedStdout === 'string' ? old.expectedStdout : '',
    notApplicable: [],
  };
  const { workload: _dropped, ...rest } = structuredClone(doc);
  const out = { ...rest, schemaVersion: SCHEMA_VERSION, workloads: [workload] } as Record<string, unknown>;
  if (Array.isArray(out.targets)) out.targets = out.targets.map((t) => (isObj(t) ? { workload: name, ...t } : t));
  const caps = out.capabilities;
  if (isObj(caps) && Array.isArray(caps.rows)) caps.rows = caps.rows.map((row) => (isObj(row) ? { workload: name, ...row } : row));
  return out as unknown as Results;
}

/** True for a results document upgraded from schemaVersion 1: its workload has no manifest. */
export function isUpgradedV1(r: Results): boolean {
  return r.workloads.length === 1 && r.workloads[0].manifest === '' && r.workloads[0].manifestSha256 === '';
}

/**
 * Returns `doc` typed as Results when it has the shape every report reads,
 * upgrading a schemaVersion 1 document (see {@link upgradeV1}).
 * @param where names the file in messages, e.g. `results/x/results.json`.
 * @throws Error with one line: `<where>: <field> is …`.
 */
export function assertResults(doc: unknown, where: string): Results {
  const bad = (field: string, want: string, got: unknown): never => {
    throw new Error(`${where}: ${field} must be ${want}, but is ${kindOf(got)}`);
  };
  if (!isObj(doc)) bad('the top level', 'an object', doc);
  const d = doc as Record<string, unknown>;
  if (!READABLE_SCHEMA_VERSIONS.includes(d.schemaVersion as number)) throw new Error(unsupportedVersion(where, d.schemaVersion));
  const v1 = d.schemaVersion === 1;
  for (const k of ['runId', 'startedAt']) if (typeof d[k] !== 'string') bad(k, 'a string', d[k]);
  if (typeof d.complete !== 'boolean') bad('complete', 'a boolean', d.complete);
  if (typeof d.seed !== 'number') bad('seed', 'a number', d.seed);
  for (const k of ['options', ...(v1 ? ['workload'] : []), 'environment', 'calibration']) if (!isObj(d[k])) bad(k, 'an object', d[k]);
  for (const k of [...(v1 ? [] : ['workloads']), 'artifacts', 'targets', 'warnings']) if (!Array.isArray(d[k])) bad(k, 'an array', d[k]);
  if (!v1) {
    (d.workloads as unknown[]).forEach((w, i) => {
      if (!isObj(w)) bad(`workloads[${i}]`, 'an object', w);
      const x = w as Record<string, unknown>;
      for (const k of ['name', 'language', 'expectedStdout']) if (typeof x[k] !== 'string') bad(`workloads[${i}].${k}`, 'a string', x[k]);
      for (const k of ['args', 'notApplicable']) if (!Array.isArray(x[k])) bad(`workloads[${i}].${k}`, 'an array', x[k]);
    });
  }
  (d.targets as unknown[]).forEach((t, i) => {
    if (!isObj(t)) bad(`targets[${i}]`, 'an object', t);
    const x = t as Record<string, unknown>;
    for (const k of [...(v1 ? [] : ['workload']), 'id', 'variant', 'status']) if (typeof x[k] !== 'string') bad(`targets[${i}].${k}`, 'a string', x[k]);
    if (!Array.isArray(x.grants)) bad(`targets[${i}].grants`, 'an array', x.grants);
    if (x.status === 'ok') {
      if (!isObj(x.coldStart)) bad(`targets[${i}].coldStart`, 'an object', x.coldStart);
      const cs = x.coldStart as Record<string, unknown>;
      if (!Array.isArray(cs.samples)) bad(`targets[${i}].coldStart.samples`, 'an array', cs.samples);
      if (!isObj(cs.stats)) bad(`targets[${i}].coldStart.stats`, 'an object for an ok target', cs.stats);
      if (!isObj(x.warm)) bad(`targets[${i}].warm`, 'an object', x.warm);
    }
  });
  (d.artifacts as unknown[]).forEach((a, i) => {
    if (!isObj(a)) bad(`artifacts[${i}]`, 'an object', a);
    const x = a as Record<string, unknown>;
    if (typeof x.id !== 'string') bad(`artifacts[${i}].id`, 'a string', x.id);
    if (typeof x.bytes !== 'number') bad(`artifacts[${i}].bytes`, 'a number', x.bytes);
  });
  return v1 ? upgradeV1(d) : (doc as Results);
}
