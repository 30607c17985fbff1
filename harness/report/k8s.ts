/**
 * From a run's numbers to a Kubernetes placement plan: for each workload the
 * decision gate places on Wasm, a RuntimeClass for the Wasm runtime's handler
 * (as runwasi registers it on prepared nodes), the workload's Deployment on it
 * with memory requests and limits from the measured peak, and the container
 * fallback Deployment on the default runtime; plus the ADR's inspection
 * checklist and rollback section. Pure: results and the evaluated gate in,
 * typed objects, YAML text and report blocks out.
 *
 * "Placed on Wasm": every criterion of the gate that is about the workload
 * (its subject is one of the workload's rows or artifacts) passes, and one of
 * them names a measured Wasm variant of it (the first such is the variant
 * placed). A workload no criterion is about is not placed.
 *
 * Headroom: memory limit = peak × 2, request = peak × 1.25, each rounded up to
 * a whole MiB, where peak is the largest peak memory the variant's samples
 * recorded (`memory.max`). CPU is not measured as a rate, so no CPU figures
 * are set.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Container, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { Document } from 'yaml';
import { DEFAULT_HANDLER, DEFAULT_NODE_SELECTOR } from '../kubernetes.js';
import { artifactId, splitArtifactId, type Results } from '../model.js';
import type { CriteriaResult, CriterionResult } from './criteria.js';
import { artifactOf, keyOf, okTargets, primaryWorkload, resolveArtifact, type OkTarget } from './data.js';
import type { Block } from './document.js';
import { bytes } from './format.js';

export { DEFAULT_HANDLER, DEFAULT_NODE_SELECTOR };
export const LIMIT_FACTOR = 2;
export const REQUEST_FACTOR = 1.25;
/** The headroom rule, as the manifests' annotations, the ADR and the README state it. */
export const HEADROOM_RULE = `memory limit = measured peak × ${LIMIT_FACTOR}, request = peak × ${REQUEST_FACTOR}, each rounded up to a whole MiB (peak: the largest peak memory of the variant's samples)`;

const MiB = 1024 * 1024;
const APP = 'app.kubernetes.io/name';
const RUNTIME = 'wvc.dev/runtime';

export interface PlanOptions {
  /** The RuntimeClass's handler (default {@link DEFAULT_HANDLER}); also its name. */
  handler?: string;
  /** The labels of the prepared nodes (default {@link DEFAULT_NODE_SELECTOR}). */
  nodeSelector?: Record<string, string>;
}

/** Memory requests and limits for a measured peak, by {@link HEADROOM_RULE}. */
export function memoryFor(peakBytes: number): { peakBytes: number; requestMiB: number; limitMiB: number } {
  return { peakBytes, requestMiB: Math.ceil((peakBytes * REQUEST_FACTOR) / MiB), limitMiB: Math.ceil((peakBytes * LIMIT_FACTOR) / MiB) };
}

/** One workload the gate places on Wasm. */
export interface Placement {
  workload: string;
  /** The Wasm variant placed, and what its peak memory figure covers. */
  wasm: OkTarget;
  wasmMemory: ReturnType<typeof memoryFor> & { covers: string };
  /** The workload's container baseline, the fallback; null when the run measured none (or no peak for it). */
  container: OkTarget | null;
  containerMemory: (ReturnType<typeof memoryFor> & { covers: string }) | null;
  /** The criteria about this workload, all PASS. */
  criteria: string[];
}

export interface PlacementDecision {
  placed: Placement[];
  /** Workloads not placed on Wasm, each with why. */
  notPlaced: { workload: string; reason: string }[];
}

/** The workload a criterion is about, from its subject (`target/variant`, `<workload>:target/variant`, or an artifact id). */
function criterionWorkload(r: Results, c: CriterionResult): string | undefined {
  if (c.kind === 'artifact-size') {
    const a = resolveArtifact(r, c.subject);
    if (a) return splitArtifactId(a.id)?.workload ?? primaryWorkload(r);
  }
  const colon = c.subject.indexOf(':');
  return colon < 0 ? primaryWorkload(r) : c.subject.slice(0, colon);
}

const peakOf = (t: OkTarget) => (t.memory && t.memory.max > 0 ? { ...memoryFor(t.memory.max), covers: t.memory.covers } : null);

/** Which workloads the gate places on Wasm (see the module comment), and why the others are not. */
export function placements(r: Results, gate: CriteriaResult): PlacementDecision {
  const rows = okTargets(r);
  const out: PlacementDecision = { placed: [], notPlaced: [] };
  for (const w of r.workloads) {
    const about = gate.criteria.filter((c) => criterionWorkload(r, c) === w.name);
    const notPlaced = (reason: string) => out.notPlaced.push({ workload: w.name, reason });
    if (!about.length) {
      notPlaced('no criterion of the gate is about it');
      continue;
    }
    const failed = about.filter((c) => c.status === 'FAIL');
    if (failed.length) {
      notPlaced(`criteria fail: ${failed.map((c) => c.id + (c.notMeasured ? ' (not measured)' : '')).join(', ')}`);
      continue;
    }
    const wasm = about.map((c) => rows.find((t) => t.workload === w.name && t.class === 'wasm' && keyOf(r, t) === c.subject)).find((t) => t !== undefined);
    if (!wasm) {
      notPlaced('its criteria name no measured Wasm variant');
      continue;
    }
    const wasmMemory = peakOf(wasm);
    if (!wasmMemory) {
      notPlaced(`${keyOf(r, wasm)} has no peak memory measured, so no requests or limits can be derived — rerun \`wvc bench\``);
      continue;
    }
    const ref = w.baselines.container;
    const container = ref ? (rows.find((t) => t.workload === w.name && `${t.id}/${t.variant}` === ref) ?? null) : null;
    const containerMemory = container ? peakOf(container) : null;
    out.placed.push({ workload: w.name, wasm, wasmMemory, container: containerMemory ? container : null, containerMemory, criteria: about.map((c) => c.id) });
  }
  return out;
}

/** The RuntimeClass of the Wasm runtime, scheduled onto the prepared nodes. */
export function runtimeClass(opts: PlanOptions = {}): RuntimeClass {
  const handler = opts.handler ?? DEFAULT_HANDLER;
  return {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: handler, annotations: { 'wvc.dev/note': `containerd on the selected nodes must register the runtime handler '${handler}' (runwasi's shims register as their runtime's name)` } },
    handler,
    scheduling: { nodeSelector: { ...(opts.nodeSelector ?? DEFAULT_NODE_SELECTOR) } },
  };
}

/** A guest directory a row was granted (`fs:/rules (read-only …)`), as its grants record it. */
function fsGrants(t: OkTarget): { path: string; readOnly: boolean }[] {
  return t.grants.flatMap((g) => {
    const m = /^fs:(\/[^\s,()]*)\s*(?:\(([^)]*)\))?/.exec(g);
    return m ? [{ path: m[1], readOnly: /read-only/.test(m[2] ?? '') }] : [];
  });
}

const dnsName = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'data';

/** The Wasm image: an OCI image holding the workload's component, named by its sha256 (wvc builds no such image). */
function wasmImage(r: Results, p: Placement): { image: string; artifact: string } {
  const a = resolveArtifact(r, artifactId(p.workload, 'component')) ?? artifactOf(r, p.wasm);
  if (!a) return { image: `wvc/${p.workload}-wasm:latest`, artifact: 'no component artifact recorded' };
  return { image: `wvc/${p.workload}-wasm:${a.sha256.slice(0, 12)}`, artifact: `${a.id} sha256:${a.sha256}` };
}

function deployment(r: Results, p: Placement, t: OkTarget, mem: NonNullable<Placement['containerMemory']>, how: { runtime: 'wasm' | 'container'; image: string; artifact: string; runtimeClassName?: string; replicas: number; note: string }): Deployment {
  const w = r.workloads.find((x) => x.name === p.workload)!;
  const labels = { [APP]: p.workload, [RUNTIME]: how.runtime };
  const grants = fsGrants(t);
  const mounts: VolumeMount[] = grants.map((g) => ({ name: dnsName(g.path), mountPath: g.path, readOnly: g.readOnly }));
  const volumes: Volume[] = grants.map((g) => ({ name: dnsName(g.path), configMap: { name: `${p.workload}-${dnsName(g.path)}` } }));
  const memory = { requests: { memory: `${mem.requestMiB}Mi` }, limits: { memory: `${mem.limitMiB}Mi` } };
  const container: Container = { name: p.workload, image: how.image, args: [...w.args], resources: memory, ...(mounts.length ? { volumeMounts: mounts } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `${p.workload}-${how.runtime}`,
      labels,
      annotations: {
        'wvc.dev/run': r.runId,
        'wvc.dev/measured': `${keyOf(r, t)}: peak memory ${mem.peakBytes} B (${bytes(mem.peakBytes)}), ${mem.covers}`,
        'wvc.dev/headroom': HEADROOM_RULE,
        'wvc.dev/artifact': how.artifact,
        'wvc.dev/note': how.note,
      },
    },
    spec: {
      replicas: how.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { ...(how.runtimeClassName ? { runtimeClassName: how.runtimeClassName } : {}), containers: [container], ...(volumes.length ? { volumes } : {}) },
      },
    },
  };
}

/** The manifests of one placement: the Wasm Deployment, and the container fallback when the run measured one. */
export function placementManifests(r: Results, p: Placement, opts: PlanOptions = {}): { wasm: Deployment; fallback: Deployment | null } {
  const img = wasmImage(r, p);
  const wasm = deployment(r, p, p.wasm, p.wasmMemory, {
    runtime: 'wasm',
    ...img,
    runtimeClassName: opts.handler ?? DEFAULT_HANDLER,
    replicas: 1,
    note: `placed on Wasm by criteria ${p.criteria.join(', ')} (all pass); the image is an OCI image holding the component, which wvc does not build or push`,
  });
  if (!p.container || !p.containerMemory) return { wasm, fallback: null };
  const a = artifactOf(r, p.container);
  const fallback = deployment(r, p, p.container, p.containerMemory, {
    runtime: 'container',
    image: a?.tag ?? `wvc/${p.workload}:latest`,
    artifact: a ? `${a.id} sha256:${a.sha256}` : 'no image artifact recorded',
    replicas: 0,
    note: `the fallback on the default runtime: on a rollback trigger, scale it up and ${p.workload}-wasm down`,
  });
  return { wasm, fallback };
}

/** Objects as one YAML stream, each a document, with a comment before the first. */
export function toYaml(objects: readonly object[], comment?: string): string {
  return objects
    .map((o, i) => {
      const d = new Document(o, { aliasDuplicateObjects: false });
      if (i === 0 && comment) d.commentBefore = comment.split('\n').map((l) => ` ${l}`).join('\n');
      return d.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

/** The plan's files by name: `runtimeclass.yaml` and, per placed workload, `<workload>.yaml`; none when nothing is placed. */
export function planFiles(r: Results, gate: CriteriaResult, opts: PlanOptions = {}): { files: Record<string, string>; decision: PlacementDecision } {
  const decision = placements(r, gate);
  const files: Record<string, string> = {};
  if (!decision.placed.length) return { files, decision };
  const rc = runtimeClass(opts);
  files['runtimeclass.yaml'] = toYaml([rc], `RuntimeClass for the Wasm runtime, from run ${r.runId}; label the prepared nodes ${Object.entries(rc.scheduling!.nodeSelector!).map(([k, v]) => `${k}=${v}`).join(',')}.`);
  for (const p of decision.placed) {
    const m = placementManifests(r, p, opts);
    const lines = [
      `${p.workload}: placed on Wasm (${keyOf(r, p.wasm)}) by criteria ${p.criteria.join(', ')}, run ${r.runId}.`,
      `Headroom: ${HEADROOM_RULE}.`,
      m.fallback ? `Fallback: ${keyOf(r, p.container!)} on the default runtime, 0 replicas until a rollback.` : 'No container fallback: the run measured no container baseline with a peak memory for this workload.',
    ];
    files[`${p.workload}.yaml`] = toYaml([m.wasm, ...(m.fallback ? [m.fallback] : [])], lines.join('\n'));
  }
  return { files, decision };
}

// ---- ADR section -------------------------------------------------------------

const code = (s: string) => ({ code: s });
const selector = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(',');

/** The ADR's placement section: what the gate places, the inspection checklist and the rollback triggers with their action. */
export function placementSection(r: Results, gate: CriteriaResult, opts: PlanOptions = {}): Block[] {
  const handler = opts.handler ?? DEFAULT_HANDLER;
  const nodes = selector(opts.nodeSelector ?? DEFAULT_NODE_SELECTOR);
  const d = placements(r, gate);
  const out: Block[] = [{ kind: 'heading', level: 3, text: 'Placement plan (Kubernetes RuntimeClass)' }];
  const items = [
    ...d.placed.map((p) => [
      { strong: p.workload },
      ` on Wasm: ${keyOf(r, p.wasm)}, peak ${bytes(p.wasmMemory.peakBytes)} → memory request ${p.wasmMemory.requestMiB} Mi, limit ${p.wasmMemory.limitMiB} Mi; `,
      p.container && p.containerMemory ? `fallback ${keyOf(r, p.container)}, peak ${bytes(p.containerMemory.peakBytes)} → ${p.containerMemory.requestMiB} Mi / ${p.containerMemory.limitMiB} Mi, 0 replicas.` : 'no container fallback measured.',
    ]),
    ...d.notPlaced.map((x) => [{ strong: x.workload }, ` stays on containers: ${x.reason}.`]),
  ];
  out.push({ kind: 'list', items });
  out.push({ kind: 'paragraph', text: ['Manifests: ', code('wvc k8s plan --file RESULTS --criteria FILE'), ` writes a RuntimeClass (handler ${handler}, nodes ${nodes}) and per placed workload its Deployment and the fallback. Headroom: ${HEADROOM_RULE}.`] });
  out.push({ kind: 'heading', level: 3, text: 'Inspection checklist' });
  const checks = [
    [code(`kubectl get runtimeclass ${handler} -o yaml`), ` — exists, handler ${handler}, scheduling.nodeSelector ${nodes}.`],
    [code(`kubectl get nodes -l ${nodes}`), ' — at least one Ready node is prepared (containerd with the runwasi shim) and labelled.'],
    ...d.placed.map((p) => [code(`kubectl get pod -l ${APP}=${p.workload},${RUNTIME}=wasm -o jsonpath='{.items[*].spec.runtimeClassName}'`), ` — prints ${handler} for every ${p.workload} pod.`]),
    ...d.placed.map((p) => [code(`kubectl describe pod -l ${APP}=${p.workload},${RUNTIME}=wasm`), ' — its Events show Scheduled, Pulled, Created, Started; no FailedCreatePodSandBox (handler not registered on the node) and no OOMKilled (limit too tight).']),
    [code('kubectl get events --field-selector involvedObject.kind=Pod --sort-by=.lastTimestamp'), ' — no sandbox, scheduling or OOM failures since the rollout.'],
  ];
  out.push({ kind: 'list', items: checks });
  out.push({ kind: 'heading', level: 3, text: 'Rollback' });
  const action = d.placed.map((p) => `kubectl scale deployment/${p.workload}-container --replicas=1 && kubectl scale deployment/${p.workload}-wasm --replicas=0`);
  if (!gate.rollback.length) out.push({ kind: 'paragraph', text: 'The criteria file defines no rollback triggers.' });
  else out.push({ kind: 'list', items: gate.rollback.map((x) => [{ strong: x.id }, ` ${x.description ?? x.kind} — ${x.condition} (now: ${x.state}).`]) });
  out.push({ kind: 'paragraph', text: action.length ? ['On a trigger: ', ...action.flatMap((a, i) => (i ? ['; ', code(a)] : [code(a)]))] : 'Nothing is placed on Wasm, so there is nothing to roll back.' });
  return out;
}
