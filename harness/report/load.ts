/**
 * A structural check of a parsed results.json before the reports render it:
 * enough that a garbled or foreign file gives one line naming the field,
 * not a TypeError deep in a renderer. (The full JSON schema is
 * harness/schema/results.schema.json.) Pure.
 */
import { SCHEMA_VERSION, type Results } from '../model.js';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const kindOf = (x: unknown) => (x === undefined ? 'missing' : x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x);

/**
 * Returns `doc` typed as Results when it has the shape every report reads.
 * @param where names the file in messages, e.g. `results/x/results.json`.
 * @throws Error with one line: `<where>: <field> is …`.
 */
export function assertResults(doc: unknown, where: string): Results {
  const bad = (field: string, want: string, got: unknown): never => {
    throw new Error(`${where}: ${field} must be ${want}, but is ${kindOf(got)}`);
  };
  if (!isObj(doc)) bad('the top level', 'an object', doc);
  const d = doc as Record<string, unknown>;
  if (d.schemaVersion !== SCHEMA_VERSION) {
    throw new Error(
      d.schemaVersion === undefined
        ? `${where}: no schemaVersion — is this a results.json written by \`wvc bench\`?`
        : `${where}: schemaVersion ${JSON.stringify(d.schemaVersion)} is not supported by this harness (${SCHEMA_VERSION})`,
    );
  }
  for (const k of ['runId', 'startedAt']) if (typeof d[k] !== 'string') bad(k, 'a string', d[k]);
  if (typeof d.complete !== 'boolean') bad('complete', 'a boolean', d.complete);
  if (typeof d.seed !== 'number') bad('seed', 'a number', d.seed);
  for (const k of ['options', 'workload', 'environment', 'calibration']) if (!isObj(d[k])) bad(k, 'an object', d[k]);
  for (const k of ['artifacts', 'targets', 'warnings']) if (!Array.isArray(d[k])) bad(k, 'an array', d[k]);
  (d.targets as unknown[]).forEach((t, i) => {
    if (!isObj(t)) bad(`targets[${i}]`, 'an object', t);
    const x = t as Record<string, unknown>;
    for (const k of ['id', 'variant', 'status']) if (typeof x[k] !== 'string') bad(`targets[${i}].${k}`, 'a string', x[k]);
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
  return doc as Results;
}
