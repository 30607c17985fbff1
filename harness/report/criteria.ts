/**
 * The decision gate: a JSON criteria file (see examples/criteria.tax-calculator.json)
 * evaluated against a Results object, each criterion PASS or FAIL with the
 * measured value and the limit, plus rollback triggers. Pure.
 *
 * File format, as harness/schema/criteria.schema.json validates it (JSON has no
 * comments, so any object may carry "$comment" and "description" strings, which
 * are kept for the report or ignored; "$schema" may point an editor at the schema):
 *
 * {
 *   "$comment": "…", "description": "…",
 *   "title": "ADR title (optional)",
 *   "context": "Why this decision is being made (optional; the ADR's Context)",
 *   "criteria": [ <criterion>, … ],            // at least one
 *   "rollbackTriggers": [ <criterion> | { "kind": "manual", "text": "…" }, … ]   // optional
 * }
 *
 * A criterion is one of (every one may also have "id", "description", "$comment";
 * every one naming a target and variant may also name a "workload", e.g.
 * "tax-calculator-js": without one it means the run's primary workload, the first
 * measured; its subject is then `target/variant`, else `<workload>:target/variant`):
 * - { "kind": "cold-start-p95", "target": "<target id>", "variant": "aot", "maxMs": 25 }
 *     p95 of the successful cold starts ≤ maxMs.
 * - { "kind": "speedup-over-docker", "target", "variant", "minSpeedup": 10 }
 *     docker median / target median ≥ minSpeedup, judged by the LOWER bound of
 *     the speedup's 95% CI, i.e. 1 / (upper CI bound of the target's × docker ratio).
 * - { "kind": "artifact-size", "artifact": "tax-calculator/component-cwasm" | "target"+"variant", "maxBytes": 1048576 }
 *     gzip bytes ≤ maxBytes; raw bytes when the run recorded no gzip size (the report says so).
 *     An id of the other schema names the primary workload's artifact: `component-cwasm`
 *     (schemaVersion 1) in a run with workloads, `<primary>/component-cwasm` in a schemaVersion 1 run.
 * - { "kind": "probes-denied", "target", "variant", "probes": ["fs-outside-preopen", …] }
 *     every listed capability probe was denied (or absent / contained, see
 *     HELD_OUTCOMES in data.ts); FAILS as "not measured" when the run has no probes.
 *     An `error` cell (the probe ran to no outcome) counts neither for nor against it:
 *     with any errored probe and none allowed it is "not measured" (and FAILS, as a gate
 *     that could not measure does not pass; as a rollback trigger it is "not measured",
 *     not tripped), naming the errored cells; a probe that was allowed still FAILS it.
 * - { "kind": "observability", "target", "variant", "fields": ["runtimeVersion", "artifactSha256", "exitCode", "duration", "phases", "peakMemory"] }
 *     each field is present in the results for that target.
 * A rollback trigger uses the same kinds and trips when its criterion would FAIL
 * (e.g. `cold-start-p95` with maxMs 50 trips when p95 > 50 ms); a `manual` trigger
 * is text an operator watches for and is never evaluated.
 */
import type { Results, TargetResult } from '../model.js';
import { artifactOf, capabilityCells, cellRef, gzipBytesOf, held, keyOf, resolveArtifact, workloadName } from './data.js';
import { bytes, exactBytes, ms, times } from './format.js';
import { schemaValidator } from '../validate.js';

/** Fields a target's results can report, for `observability` criteria. */
export const OBSERVABILITY_FIELDS = ['runtimeVersion', 'artifactSha256', 'exitCode', 'duration', 'phases', 'peakMemory'] as const;
export type ObservabilityField = (typeof OBSERVABILITY_FIELDS)[number];

interface Common {
  id?: string;
  description?: string;
  $comment?: string;
  /** The workload of the target; default: the run's primary workload. */
  workload?: string;
}

/** One criterion of the criteria file. */
export type CriterionSpec = Common &
  (
    | { kind: 'cold-start-p95'; target: string; variant: string; maxMs: number }
    | { kind: 'speedup-over-docker'; target: string; variant: string; minSpeedup: number }
    | { kind: 'artifact-size'; artifact?: string; target?: string; variant?: string; maxBytes: number }
    | { kind: 'probes-denied'; target: string; variant: string; probes: string[] }
    | { kind: 'observability'; target: string; variant: string; fields: ObservabilityField[] }
  );

/** A rollback trigger: a criterion that trips when it would fail, or manual text. */
export type TriggerSpec = CriterionSpec | (Common & { kind: 'manual'; text: string });

/** A validated criteria file. */
export interface Criteria {
  title?: string;
  description?: string;
  context?: string;
  criteria: CriterionSpec[];
  rollbackTriggers: TriggerSpec[];
}

/** One criterion evaluated. */
export interface CriterionResult {
  id: string;
  kind: CriterionSpec['kind'];
  description?: string;
  /** What it is about: `target/variant` (`<workload>:target/variant` for a workload other than the primary) or an artifact id. */
  subject: string;
  status: 'PASS' | 'FAIL';
  /** The measured value, with its unit and what it is (one line). */
  measured: string;
  /** The limit, e.g. `≤ 25 ms`. */
  limit: string;
  /** The number compared with the limit, or null when not measured. */
  value: number | null;
  /** True when the run has no data for it (then it FAILS). */
  notMeasured: boolean;
}

/** One rollback trigger evaluated against this run. */
export interface TriggerResult {
  id: string;
  kind: TriggerSpec['kind'];
  description?: string;
  subject: string;
  state: 'not tripped' | 'TRIPPED' | 'not measured' | 'manual';
  measured: string;
  /** When it trips, e.g. `trips when p95 > 50 ms`. */
  condition: string;
}

/** The whole gate: criteria, triggers, and the decision. */
export interface CriteriaResult {
  title?: string;
  description?: string;
  context?: string;
  criteria: CriterionResult[];
  rollback: TriggerResult[];
  /** True when every criterion passes. */
  passed: boolean;
  /** One line: "criteria met" or which failed. */
  decision: string;
}

// ---- loading ---------------------------------------------------------------

/** A criteria file as harness/schema/criteria.schema.json admits it. */
interface CriteriaJson {
  title?: string;
  description?: string;
  context?: string;
  criteria: CriterionSpec[];
  rollbackTriggers?: TriggerSpec[];
}

const criteriaSchema = schemaValidator<CriteriaJson>('criteria');

/** A spec as evaluated: its `$comment` dropped. */
function clean<T extends TriggerSpec>(spec: T): T {
  const { $comment: _comment, ...rest } = spec;
  return rest as T;
}

/**
 * Parses and validates a criteria file (format in the module comment) against
 * harness/schema/criteria.schema.json, then checks that ids are unique.
 * @throws Error with one line naming the bad field, e.g.
 *   `criteria[1].maxMs: must be a number, got "fast"`.
 */
export function loadCriteria(text: string): Criteria {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`criteria file is not valid JSON: ${(e as Error).message}`);
  }
  const c = criteriaSchema.check(doc);
  const out: Criteria = { criteria: c.criteria.map(clean), rollbackTriggers: (c.rollbackTriggers ?? []).map(clean) };
  if (c.title !== undefined) out.title = c.title;
  if (c.description !== undefined) out.description = c.description;
  if (c.context !== undefined) out.context = c.context;
  const seen = new Map<string, string>();
  const fields = [...out.criteria.map((x, i) => [x, `criteria[${i}]`] as const), ...out.rollbackTriggers.map((x, i) => [x, `rollbackTriggers[${i}]`] as const)];
  for (const [spec, field] of fields) {
    if (spec.id === undefined) continue;
    const first = seen.get(spec.id);
    if (first) throw new Error(`${field}.id: ${JSON.stringify(spec.id)} is also the id of ${first}; ids must be unique`);
    seen.set(spec.id, field);
  }
  return out;
}

// ---- evaluation ------------------------------------------------------------

type Eval = { ok: boolean; measured: string; value: number | null; notMeasured: boolean; limit: string; trip: string };

/** The target variant a criterion names, in the run's terms. */
interface Ref {
  workload?: string;
  target: string;
  variant: string;
}

const refOf = (c: { workload?: string; target?: string; variant?: string }): Ref => ({ workload: c.workload, target: c.target!, variant: c.variant! });
const subjectKey = (r: Results, x: Ref) => keyOf(r, { workload: x.workload, id: x.target, variant: x.variant });

function subjectOf(r: Results, c: TriggerSpec): string {
  if (c.kind === 'manual') return '–';
  if (c.kind === 'artifact-size' && c.artifact) return c.artifact;
  return subjectKey(r, refOf(c));
}

function findTarget(r: Results, x: Ref): TargetResult | undefined {
  const w = workloadName(r, x);
  // A skipped target records its variants joined by commas.
  return r.targets.find((t) => workloadName(r, t) === w && t.id === x.target && (t.variant === x.variant || (t.status !== 'ok' && t.variant.split(',').includes(x.variant))));
}

function absent(r: Results, x: Ref): string {
  const t = findTarget(r, x);
  const key = subjectKey(r, x);
  if (!t) return `${key} is not in this run`;
  if (t.status === 'skipped') return `${key} was skipped: ${t.reason}`;
  if (t.status === 'errored') return `${key} errored: ${t.reason}`;
  return `${key} has no successful samples`;
}

const notMeasured = (measured: string, limit: string, trip: string): Eval => ({ ok: false, measured, value: null, notMeasured: true, limit, trip });

function present(r: Results, t: TargetResult, f: ObservabilityField): boolean {
  const samples = 'coldStart' in t && t.coldStart ? t.coldStart.samples : [];
  switch (f) {
    case 'runtimeVersion':
      return !!t.runtime?.version?.trim();
    case 'artifactSha256': {
      const sha = t.artifact?.sha256;
      if (!sha || !/^[0-9a-f]{64}$/.test(sha)) return false;
      const rec = artifactOf(r, t);
      return !rec || rec.sha256 === sha;
    }
    case 'exitCode':
      return samples.length > 0 && samples.every((s) => typeof s.exitCode === 'number');
    case 'duration':
      return samples.length > 0 && samples.every((s) => typeof s.ms === 'number' && Number.isFinite(s.ms));
    case 'phases':
      return t.status === 'ok' && !!t.phases && Object.keys(t.phases.medians).length > 0;
    case 'peakMemory':
      // A peak of 0 bytes is no measurement.
      return t.status === 'ok' && !!t.memory && t.memory.median > 0;
  }
}

function evaluate(r: Results, c: CriterionSpec): Eval {
  switch (c.kind) {
    case 'cold-start-p95': {
      const limit = `p95 ≤ ${ms(c.maxMs)}`;
      const trip = `trips when p95 > ${ms(c.maxMs)}`;
      const t = findTarget(r, refOf(c));
      if (!t || t.status !== 'ok' || !t.coldStart.stats) return notMeasured(`not measured: ${absent(r, refOf(c))}`, limit, trip);
      const s = t.coldStart.stats;
      return { ok: s.p95 <= c.maxMs, measured: `p95 ${ms(s.p95)} (n=${s.n})`, value: s.p95, notMeasured: false, limit, trip };
    }
    case 'speedup-over-docker': {
      const limit = `≥ ${times(c.minSpeedup)} (lower 95% bound)`;
      const trip = `trips when the speedup's lower 95% bound < ${times(c.minSpeedup)}`;
      const t = findTarget(r, refOf(c));
      if (!t || t.status !== 'ok') return notMeasured(`not measured: ${absent(r, refOf(c))}`, limit, trip);
      if (!t.vsDocker) return notMeasured('not measured: no docker baseline in this run', limit, trip);
      // speedup = 1 / (target / docker); its lower bound comes from the ratio's UPPER bound.
      const low = 1 / t.vsDocker.ci95[1];
      const point = 1 / t.vsDocker.ratio;
      return { ok: low >= c.minSpeedup, measured: `${times(low)} (lower 95% bound; point ${times(point)})`, value: low, notMeasured: false, limit, trip };
    }
    case 'artifact-size': {
      const limit = `≤ ${bytes(c.maxBytes)} (${exactBytes(c.maxBytes)})`;
      const trip = `trips when size > ${bytes(c.maxBytes)}`;
      let id = c.artifact;
      if (!id) {
        const t = findTarget(r, refOf(c));
        if (!t?.artifact) return notMeasured(`not measured: ${t ? `${keyOf(r, t)} records no artifact` : absent(r, refOf(c))}`, limit, trip);
        id = t.artifact.id;
      }
      const a = resolveArtifact(r, id);
      if (!a) return notMeasured(`not measured: artifact ${id} is not in this run`, limit, trip);
      id = a.id;
      const gz = gzipBytesOf(r, a);
      const v = gz ?? a.bytes;
      const gzWhat = a.kind === 'image' ? 'gzip of docker save' : 'gzip';
      const measured = gz !== null ? `${id} ${bytes(gz)} ${gzWhat} (${exactBytes(gz)})` : `${id} ${bytes(a.bytes)} raw (${exactBytes(a.bytes)}); gzip not recorded in this run, raw bytes used`;
      return { ok: v <= c.maxBytes, measured, value: v, notMeasured: false, limit, trip };
    }
    case 'probes-denied': {
      const limit = `denied: ${c.probes.join(', ')}`;
      const trip = `trips when any of ${c.probes.join(', ')} is not denied`;
      const key = subjectKey(r, refOf(c));
      const cells = capabilityCells(r).filter((x) => keyOf(r, cellRef(x)) === key);
      if (!cells.length) return notMeasured('not measured in this run (no capability probes), so this FAILS until the probes are measured', limit, trip);
      const missing: string[] = [];
      const notDenied: string[] = [];
      // An errored probe ran to no outcome: it counts neither for nor against the criterion.
      const errored: string[] = [];
      for (const p of c.probes) {
        const cell = cells.find((x) => x.probe === p);
        if (!cell) missing.push(p);
        else if (cell.outcome === 'error') errored.push(p);
        else if (!held(cell.outcome)) notDenied.push(`${p} ${cell.outcome}`);
      }
      const denied = c.probes.length - missing.length - notDenied.length - errored.length;
      const parts = [`${denied} of ${c.probes.length} denied`];
      if (notDenied.length) parts.push(`not denied: ${notDenied.join(', ')}`);
      if (missing.length) parts.push(`not tried: ${missing.join(', ')}`);
      // A probe that was allowed fails the criterion whatever else errored; otherwise an errored
      // probe leaves it not measured (it FAILS, as a gate that could not measure does not pass).
      if (errored.length && !notDenied.length) {
        const cellsText = errored.map((p) => `${key} ${p}`).join(', ');
        return notMeasured(`not measured: errored, so counted neither for nor against: ${cellsText}; ${parts.join('; ')} (see Warnings)`, limit, trip);
      }
      if (errored.length) parts.push(`errored, left out: ${errored.join(', ')}`);
      return { ok: denied === c.probes.length, measured: parts.join('; '), value: denied, notMeasured: missing.length === c.probes.length, limit, trip };
    }
    case 'observability': {
      const limit = `present: ${c.fields.join(', ')}`;
      const trip = `trips when any of ${c.fields.join(', ')} is missing`;
      const t = findTarget(r, refOf(c));
      if (!t || t.status === 'skipped') return notMeasured(`not measured: ${absent(r, refOf(c))}`, limit, trip);
      const have = c.fields.filter((f) => present(r, t, f));
      const miss = c.fields.filter((f) => !present(r, t, f));
      const measured = [have.length ? `present: ${have.join(', ')}` : '', miss.length ? `missing: ${miss.join(', ')}` : ''].filter(Boolean).join('; ');
      return { ok: !miss.length, measured, value: have.length, notMeasured: false, limit, trip };
    }
  }
}

/**
 * Evaluates every criterion and rollback trigger against a run. A criterion
 * with no data FAILS (and says "not measured"); a trigger with no data is
 * "not measured" rather than tripped.
 */
export function evaluateCriteria(r: Results, c: Criteria): CriteriaResult {
  const criteria: CriterionResult[] = c.criteria.map((spec, i) => {
    const e = evaluate(r, spec);
    return {
      id: spec.id ?? `C${i + 1}`,
      kind: spec.kind,
      ...(spec.description ? { description: spec.description } : {}),
      subject: subjectOf(r, spec),
      status: e.ok ? 'PASS' : 'FAIL',
      measured: e.measured,
      limit: e.limit,
      value: e.value,
      notMeasured: e.notMeasured,
    };
  });
  const rollback: TriggerResult[] = c.rollbackTriggers.map((spec, i) => {
    const base = { id: spec.id ?? `R${i + 1}`, kind: spec.kind, ...(spec.description ? { description: spec.description } : {}), subject: subjectOf(r, spec) };
    if (spec.kind === 'manual') return { ...base, state: 'manual', measured: 'watched by an operator', condition: spec.text };
    const e = evaluate(r, spec);
    return { ...base, state: e.ok ? 'not tripped' : e.notMeasured ? 'not measured' : 'TRIPPED', measured: e.measured, condition: e.trip };
  });
  const failed = criteria.filter((x) => x.status === 'FAIL');
  const tripped = rollback.filter((x) => x.state === 'TRIPPED');
  let decision = failed.length
    ? `Criteria not met: ${failed.length} of ${criteria.length} fail (${failed.map((x) => x.id + (x.notMeasured ? ', not measured' : '')).join('; ')}).`
    : `Criteria met: all ${criteria.length} pass.`;
  if (tripped.length) decision += ` Rollback trigger${tripped.length > 1 ? 's' : ''} already tripped by this run: ${tripped.map((x) => x.id).join(', ')}.`;
  const out: CriteriaResult = { criteria, rollback, passed: failed.length === 0, decision };
  if (c.title) out.title = c.title;
  if (c.description) out.description = c.description;
  if (c.context) out.context = c.context;
  return out;
}
