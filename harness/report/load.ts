/**
 * A parsed results.json as the reports read it: validated against the JSON
 * Schema of its schemaVersion (harness/schema/results.schema.json for the
 * current one, results-v1 and results-v2.schema.json for older runs), so a
 * garbled or foreign file gives one line naming the file and the field, not a
 * TypeError deep in a renderer. Older runs are then upgraded in memory to the
 * current model; what they did not record about their targets comes from the
 * tables of harness/legacy.ts. Pure.
 */
import { legacyEnvironment, legacyRowFacts, legacyTargetInfo, type LegacyEnvironment } from '../legacy.js';
import { SCHEMA_VERSION, type ArtifactRecord, type CapabilityRow, type Results, type TargetResult, type WorkloadRecord } from '../model.js';
import { UserError } from '../errors.js';
import { schemaValidator, show, type SchemaName } from '../validate.js';

/** The schema versions the reports read: 1 (one workload per run) and 2 are upgraded on load. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2, SCHEMA_VERSION];

const SCHEMAS: Readonly<Record<number, SchemaName>> = { 1: 'results-v1', 2: 'results-v2', [SCHEMA_VERSION]: 'results' };

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The one-line message for a schemaVersion the reports cannot read. */
export function unsupportedVersion(where: string, v: unknown): string {
  const known = READABLE_SCHEMA_VERSIONS.join(', ').replace(/, (\d+)$/, ' and $1');
  return v === undefined
    ? `${where}: no schemaVersion field — is this a results.json written by \`wvc bench\`?`
    : `${where}: schemaVersion ${JSON.stringify(v)} is not supported by this harness (it reads ${known})`;
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

/** A row of a schemaVersion 2 run: the current row without what the variant now declares about itself. */
type V2Target = Omit<TargetResult, 'class' | 'defaultVariant' | 'baseline' | 'phaseSource' | 'cacheState' | 'exitCodes' | 'notes'> & { phases?: { source: string } | null };

/** A schemaVersion 2 run, as results-v2.schema.json admits it. */
interface V2 extends Omit<Results, 'schemaVersion' | 'workloads' | 'environment' | 'targets' | 'targetInfo' | 'crossRatios'> {
  schemaVersion: 2;
  workloads: Omit<WorkloadRecord, 'baselines'>[];
  environment: LegacyEnvironment;
  targets: V2Target[];
}

/** A schemaVersion 1 run, as results-v1.schema.json admits it: one workload, rows and capability rows without one. */
interface V1 extends Omit<V2, 'schemaVersion' | 'workloads' | 'targets' | 'capabilities'> {
  schemaVersion: 1;
  workload: { name: string; args: string[]; expectedStdout: string };
  targets: Omit<V2Target, 'workload'>[];
  capabilities: (Omit<NonNullable<Results['capabilities']>, 'rows'> & { rows: Omit<CapabilityRow, 'workload'>[] }) | null;
}

/**
 * A schemaVersion 2 run as the current model: every row gets what its variant
 * declares today, from the tables of harness/legacy.ts (its `phases.source`
 * when it recorded one); `defaultVariant` is the first variant of its target in
 * the workload; each workload's baselines are the baseline rows that were
 * measured; the environment's runtime versions are keyed by target id; the
 * targets the run selected describe themselves; there are no cross-workload
 * ratios (runs of that version computed none). Does not modify `doc`.
 */
export function upgradeV2(doc: V2): Results {
  const { environment, targets, workloads, schemaVersion: _v, ...rest } = structuredClone(doc);
  const kindOf = new Map<string, ArtifactRecord['kind']>(rest.artifacts.map((a) => [a.id, a.kind]));
  const seen = new Set<string>();
  const rows = targets.map((t): TargetResult => {
    const first = !seen.has(`${t.workload}\0${t.id}`);
    seen.add(`${t.workload}\0${t.id}`);
    const facts = legacyRowFacts(t, t.artifact ? kindOf.get(t.artifact.id) : undefined, 'phases' in t && t.phases ? t.phases.source : undefined);
    // Runs of that version recorded a command line with an <args> placeholder, not the exact invocation.
    return { ...t, ...facts, defaultVariant: first, notes: [], invocation: null } as TargetResult;
  });
  const baseline = (w: string, b: 'floor' | 'container') => {
    const t = rows.find((x) => x.workload === w && x.status === 'ok' && x.baseline === b);
    return t ? `${t.id}/${t.variant}` : null;
  };
  return {
    schemaVersion: SCHEMA_VERSION,
    ...rest,
    workloads: workloads.map((w) => ({ ...w, baselines: { floor: baseline(w.name, 'floor'), container: baseline(w.name, 'container') } })),
    environment: legacyEnvironment(environment),
    targets: rows,
    targetInfo: legacyTargetInfo([...rest.options.targets, ...rows.map((t) => t.id)]),
    crossRatios: [],
    crossCheck: null,
    timeline: null,
  };
}

/**
 * A schemaVersion 1 run as the current model: its `workload` becomes
 * `workloads[0]` (no manifest was recorded then, so `manifest` and
 * `manifestSha256` are empty), every target and capability row gets that
 * workload, and the rest is {@link upgradeV2}. Artifact ids stay as they were
 * then (`component-cwasm`, not `<workload>/component-cwasm`). Does not modify `doc`.
 */
export function upgradeV1(doc: V1): Results {
  const { workload: old, targets, capabilities, schemaVersion: _v, ...rest } = structuredClone(doc);
  const { name, language } = splitLegacyName(old.name);
  const workload: Omit<WorkloadRecord, 'baselines'> = { name, language, description: '', manifest: '', manifestSha256: '', args: old.args, expectedStdout: old.expectedStdout, notApplicable: [] };
  return upgradeV2({
    ...rest,
    schemaVersion: 2,
    workloads: [workload],
    targets: targets.map((t) => ({ workload: name, ...t }) as V2Target),
    capabilities: capabilities && { ...capabilities, rows: capabilities.rows.map((row) => ({ workload: name, ...row })) },
  });
}

/** True for a results document upgraded from schemaVersion 1: its workload has no manifest. */
export function isUpgradedV1(r: Results): boolean {
  return r.workloads.length === 1 && r.workloads[0].manifest === '' && r.workloads[0].manifestSha256 === '';
}

/**
 * Returns `doc` typed as Results when its schema admits it, upgrading an older
 * schemaVersion (see {@link upgradeV1}, {@link upgradeV2}).
 * @param where names the file in messages, e.g. `results/x/results.json`.
 * @throws UserError with one line: `<where>: <field>: <problem>`.
 */
export function assertResults(doc: unknown, where: string): Results {
  if (!isObj(doc)) throw new UserError(`${where}: must be an object, got ${show(doc)}`);
  const v = doc.schemaVersion;
  if (!READABLE_SCHEMA_VERSIONS.includes(v as number)) throw new UserError(unsupportedVersion(where, v));
  const checked = schemaValidator<Results | V2 | V1>(SCHEMAS[v as number]).check(doc, where);
  if (checked.schemaVersion === 1) return upgradeV1(checked);
  if (checked.schemaVersion === 2) return upgradeV2(checked);
  return checked;
}

