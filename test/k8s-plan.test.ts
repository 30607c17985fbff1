import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { k8sPlan } from '../harness/commands/k8s.js';
import { evaluateCriteria, loadCriteria } from '../harness/report/criteria.js';
import { renderAll } from '../harness/report/index.js';
import { HEADROOM_RULE, memoryFor, placements, planFiles } from '../harness/report/k8s.js';
import type { Results } from '../harness/model.js';
import { tempDirs, userError } from './command-support.js';
import { C_WORKLOAD, JS_WORKLOAD, artifact, makeResults, okTarget, workload } from './report-builder.js';
import { ROOT, wvc } from './support.js';

const WASM_PEAK = 10_000_000; // → request ceil(11.92 MiB) = 12Mi, limit ceil(19.07 MiB) = 20Mi
const DOCKER_PEAK = 4_000_000; // → request ceil(4.77 MiB) = 5Mi, limit ceil(7.63 MiB) = 8Mi
const IMAGE_TAG = 'wvc/tax-calculator:0123456789ab';

const five = (x: number) => [x, x, x, x, x];

/** The C workload passes its gate (10 ms against 25 ms); the JavaScript one fails it (90 ms against 50 ms). */
function run(): Results {
  const rules = ['fs:/rules (read-only preopen)', 'env: none'];
  const targets = [
    { ...okTarget('wasmtime-embed', 'aot', five(10), { artifact: `${C_WORKLOAD}/component-cwasm`, memory: WASM_PEAK }), grants: rules },
    { ...okTarget('docker', 'default', five(300), { artifact: `${C_WORKLOAD}/image`, memory: DOCKER_PEAK }), grants: ['fs:/rules (read-only bind mount)', 'net: none'] },
    okTarget('wasmtime-embed', 'aot', five(90), { workload: JS_WORKLOAD, artifact: `${JS_WORKLOAD}/component-cwasm`, memory: 40_000_000 }),
    okTarget('docker', 'default', five(420), { workload: JS_WORKLOAD, artifact: `${JS_WORKLOAD}/image`, memory: 30_000_000 }),
  ];
  return makeResults(
    targets,
    [
      artifact(`${C_WORKLOAD}/component`, 'file', 79_000),
      artifact(`${C_WORKLOAD}/component-cwasm`, 'file', 224_000),
      { ...artifact(`${C_WORKLOAD}/image`, 'image', 55_000), tag: IMAGE_TAG },
      artifact(`${JS_WORKLOAD}/component-cwasm`, 'file', 34_000_000),
      { ...artifact(`${JS_WORKLOAD}/image`, 'image', 150_000_000), tag: 'wvc/tax-calculator-js:0123456789ab' },
    ],
    { workloads: [workload(C_WORKLOAD, 'C'), workload(JS_WORKLOAD, 'JavaScript')] },
  );
}

const CRITERIA = {
  title: 'tax calculator on Wasm',
  criteria: [
    { id: 'C1', kind: 'cold-start-p95', target: 'wasmtime-embed', variant: 'aot', maxMs: 25 },
    { id: 'C2', kind: 'artifact-size', artifact: `${C_WORKLOAD}/component-cwasm`, maxBytes: 1048576 },
    { id: 'J1', kind: 'cold-start-p95', workload: JS_WORKLOAD, target: 'wasmtime-embed', variant: 'aot', maxMs: 50 },
  ],
  rollbackTriggers: [
    { id: 'R1', description: 'Roll back if the p95 cold start passes 50 ms', kind: 'cold-start-p95', target: 'wasmtime-embed', variant: 'aot', maxMs: 50 },
    { id: 'R2', kind: 'manual', text: 'an unpatched runtime advisory' },
  ],
};

const gateOf = (r: Results, c: object = CRITERIA) => evaluateCriteria(r, loadCriteria(JSON.stringify(c)));

/** Every document of a YAML stream, parsed back. */
function docs(text: string): unknown[] {
  const all = parseAllDocuments(text);
  if (!Array.isArray(all)) throw new Error('expected a YAML stream');
  for (const d of all) expect(d.errors).toEqual([]);
  return all.map((d) => d.toJS() as unknown);
}

const tmp = tempDirs('wvc-k8s-');

describe('memoryFor: the headroom rule', () => {
  it('limit = peak × 2 and request = peak × 1.25, each rounded up to a whole MiB', () => {
    expect(memoryFor(WASM_PEAK)).toEqual({ peakBytes: WASM_PEAK, requestMiB: 12, limitMiB: 20 });
    expect(memoryFor(DOCKER_PEAK)).toEqual({ peakBytes: DOCKER_PEAK, requestMiB: 5, limitMiB: 8 });
    // Exactly 1 MiB: 1.25 MiB rounds up to 2, 2 MiB stays 2.
    expect(memoryFor(1024 * 1024)).toEqual({ peakBytes: 1024 * 1024, requestMiB: 2, limitMiB: 2 });
  });
});

describe('placements', () => {
  it('places a workload whose criteria all pass, and names why the others stay on containers', () => {
    const r = run();
    const d = placements(r, gateOf(r));
    expect(d.placed.map((p) => [p.workload, `${p.wasm.id}/${p.wasm.variant}`, p.container && `${p.container.id}/${p.container.variant}`, p.criteria])).toEqual([
      [C_WORKLOAD, 'wasmtime-embed/aot', 'docker/default', ['C1', 'C2']],
    ]);
    expect(d.notPlaced).toEqual([{ workload: JS_WORKLOAD, reason: 'criteria fail: J1' }]);
  });

  it('does not place a workload no criterion is about', () => {
    const r = run();
    const d = placements(r, gateOf(r, { criteria: [CRITERIA.criteria[0]] }));
    expect(d.placed.map((p) => p.workload)).toEqual([C_WORKLOAD]);
    expect(d.notPlaced).toEqual([{ workload: JS_WORKLOAD, reason: 'no criterion of the gate is about it' }]);
  });

  it('does not place a workload whose Wasm variant has no peak memory: nothing to derive limits from', () => {
    const r = run();
    const t = r.targets[0];
    if (t.status === 'ok') t.memory = null;
    const d = placements(r, gateOf(r));
    expect(d.placed).toEqual([]);
    expect(d.notPlaced[0]).toEqual({ workload: C_WORKLOAD, reason: 'wasmtime-embed/aot has no peak memory measured, so no requests or limits can be derived — rerun `wvc bench`' });
  });
});

describe('planFiles: the manifests as YAML', () => {
  it('writes a RuntimeClass, the Wasm Deployment and the container fallback, which parse back with the planned fields', () => {
    const r = run();
    const { files } = planFiles(r, gateOf(r));
    expect(Object.keys(files)).toEqual(['runtimeclass.yaml', `${C_WORKLOAD}.yaml`]);

    const [rc, ...rest] = docs(files['runtimeclass.yaml']) as RuntimeClass[];
    expect(rest).toEqual([]);
    expect(rc.apiVersion).toBe('node.k8s.io/v1');
    expect(rc.kind).toBe('RuntimeClass');
    expect(rc.metadata?.name).toBe('wasmtime');
    expect(rc.handler).toBe('wasmtime');
    expect(rc.scheduling?.nodeSelector).toEqual({ 'wvc.dev/wasm-runtime': 'wasmtime' });

    const deployments = docs(files[`${C_WORKLOAD}.yaml`]) as Deployment[];
    expect(deployments.map((d) => [d.apiVersion, d.kind, d.metadata?.name, d.spec?.replicas])).toEqual([
      ['apps/v1', 'Deployment', 'tax-calculator-wasm', 1],
      ['apps/v1', 'Deployment', 'tax-calculator-container', 0],
    ]);
    const [wasm, fallback] = deployments;
    const pod = wasm.spec!.template.spec!;
    expect(pod.runtimeClassName).toBe('wasmtime');
    expect(pod.containers[0].resources).toEqual({ requests: { memory: '12Mi' }, limits: { memory: '20Mi' } });
    expect(pod.containers[0].args).toEqual(r.workloads[0].args);
    expect(pod.containers[0].image).toBe(`wvc/tax-calculator-wasm:${r.artifacts[0].sha256.slice(0, 12)}`);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'rules', mountPath: '/rules', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'rules', configMap: { name: 'tax-calculator-rules' } }]);
    expect(wasm.spec!.selector.matchLabels).toEqual(wasm.spec!.template.metadata!.labels);
    expect(wasm.metadata!.annotations!['wvc.dev/headroom']).toBe(HEADROOM_RULE);
    expect(wasm.metadata!.annotations!['wvc.dev/measured']).toContain(`peak memory ${WASM_PEAK} B`);

    const fpod = fallback.spec!.template.spec!;
    expect(fpod).not.toHaveProperty('runtimeClassName');
    expect(fpod.containers[0].image).toBe(IMAGE_TAG);
    expect(fpod.containers[0].resources).toEqual({ requests: { memory: '5Mi' }, limits: { memory: '8Mi' } });
    // The two selectors do not overlap.
    expect(fallback.spec!.selector.matchLabels).not.toEqual(wasm.spec!.selector.matchLabels);
    // The rule is stated in the file too.
    expect(files[`${C_WORKLOAD}.yaml`]).toContain(`# Headroom: ${HEADROOM_RULE}.`);
  });

  it('takes the handler and the node selector', () => {
    const r = run();
    const { files } = planFiles(r, gateOf(r), { handler: 'wasmedge', nodeSelector: { pool: 'wasm', zone: 'a' } });
    const [rc] = docs(files['runtimeclass.yaml']) as RuntimeClass[];
    expect([rc.metadata?.name, rc.handler, rc.scheduling?.nodeSelector]).toEqual(['wasmedge', 'wasmedge', { pool: 'wasm', zone: 'a' }]);
    const [wasm] = docs(files[`${C_WORKLOAD}.yaml`]) as Deployment[];
    expect(wasm.spec!.template.spec!.runtimeClassName).toBe('wasmedge');
  });

  it('writes nothing when the gate places nothing on Wasm', () => {
    const r = run();
    const failing = { criteria: [{ ...CRITERIA.criteria[0], maxMs: 1 }] };
    const { files, decision } = planFiles(r, gateOf(r, failing));
    expect(files).toEqual({});
    expect(decision.notPlaced.map((x) => x.workload)).toEqual([C_WORKLOAD, JS_WORKLOAD]);
  });
});

describe('the ADR section', () => {
  it('lists the placement, the inspection checklist and the rollback triggers with their action', () => {
    const r = run();
    const md = renderAll(r, { criteria: gateOf(r) })['report.md'];
    const section = md.slice(md.indexOf('### Placement plan (Kubernetes RuntimeClass)'));
    expect(section).toContain('**tax-calculator** on Wasm: wasmtime-embed/aot, peak 9.54 MiB → memory request 12 Mi, limit 20 Mi');
    expect(section).toContain('**tax-calculator-js** stays on containers: criteria fail: J1.');
    expect(section).toContain('`kubectl get runtimeclass wasmtime -o yaml`');
    expect(section).toContain('`kubectl get nodes -l wvc.dev/wasm-runtime=wasmtime`');
    expect(section).toContain("`kubectl get pod -l app.kubernetes.io/name=tax-calculator,wvc.dev/runtime=wasm -o jsonpath='{.items[*].spec.runtimeClassName}'`");
    expect(section).toContain('`kubectl describe pod -l app.kubernetes.io/name=tax-calculator,wvc.dev/runtime=wasm`');
    expect(section).toContain('`kubectl get events');
    expect(section).toContain('**R1** Roll back if the p95 cold start passes 50 ms — trips when p95 > 50.0 ms (now: not tripped).');
    expect(section).toContain('**R2** manual — an unpatched runtime advisory (now: manual).');
    expect(section).toContain('`kubectl scale deployment/tax-calculator-container --replicas=1 && kubectl scale deployment/tax-calculator-wasm --replicas=0`');
  });
});

describe('k8sPlan: the command', () => {
  async function inputs(): Promise<{ dir: string; criteria: string }> {
    const dir = await tmp();
    await writeFile(path.join(dir, 'results.json'), JSON.stringify(run(), null, 2));
    const criteria = path.join(dir, 'criteria.json');
    await writeFile(criteria, JSON.stringify(CRITERIA));
    return { dir, criteria };
  }

  it('writes the manifests into k8s/ next to the results by default, or into --out', async () => {
    const { dir, criteria } = await inputs();
    const r = await k8sPlan({ file: dir, criteria });
    expect(r.dir).toBe(path.join(dir, 'k8s'));
    expect((await readdir(r.dir)).sort()).toEqual(['runtimeclass.yaml', 'tax-calculator.yaml']);
    const [wasm, fallback] = docs(await readFile(path.join(r.dir, 'tax-calculator.yaml'), 'utf8')) as Deployment[];
    expect(wasm.spec!.template.spec!.runtimeClassName).toBe('wasmtime');
    expect(fallback.spec!.template.spec!.runtimeClassName).toBeUndefined();

    const out = path.join(await tmp(), 'plan');
    const o = await k8sPlan({ file: path.join(dir, 'results.json'), criteria, out, handler: 'spin', nodeSelector: ['pool=wasm'] });
    expect(o.files).toEqual([path.join(out, 'runtimeclass.yaml'), path.join(out, 'tax-calculator.yaml')]);
    const [rc] = docs(await readFile(o.files[0], 'utf8')) as RuntimeClass[];
    expect([rc.handler, rc.scheduling?.nodeSelector]).toEqual(['spin', { pool: 'wasm' }]);
  });

  it('bad input: one line naming the fix', async () => {
    const { dir, criteria } = await inputs();
    expect(await userError(k8sPlan({ file: dir }))).toMatch(/needs the decision gate .* pass --criteria FILE/);
    expect(await userError(k8sPlan({ file: path.join(dir, 'nope.json'), criteria }))).toMatch(/results file .*nope\.json not found — pass the results\.json of a run .* `wvc bench`/);
    expect(await userError(k8sPlan({ file: dir, criteria: path.join(dir, 'none.json') }))).toMatch(/criteria file .*none\.json not found — pass a criteria JSON file/);
    expect(await userError(k8sPlan({ file: dir, criteria, nodeSelector: ['pool'] }))).toBe("--node-selector takes key=value, got 'pool' — e.g. --node-selector wvc.dev/wasm-runtime=wasmtime");
    expect(await userError(k8sPlan({ file: dir, criteria, handler: 'Wasm Time' }))).toMatch(/^--handler must be a DNS label/);
  });

  it('the CLI on a real run: writes the tax calculator\'s plan; without --criteria, one line and exit 2', async () => {
    const out = await tmp();
    const ok = await wvc(['k8s', 'plan', '--file', path.join(ROOT, 'test', 'fixtures', 'results-probes.json'), '--criteria', path.join(ROOT, 'examples', 'criteria.tax-calculator.json'), '--out', out]);
    expect(ok.stderr).toContain('tax-calculator: on Wasm (wasmtime-embed/aot)');
    expect(ok.code).toBe(0);
    const [wasm, fallback] = docs(await readFile(path.join(out, 'tax-calculator.yaml'), 'utf8')) as Deployment[];
    expect(wasm.spec!.template.spec!.runtimeClassName).toBe('wasmtime');
    expect(fallback.spec!.template.spec!.runtimeClassName).toBeUndefined();
    // The run's peaks: wasmtime-embed/aot 12369920 B, docker/default 4476928 B.
    expect(wasm.spec!.template.spec!.containers[0].resources).toEqual({ requests: { memory: '15Mi' }, limits: { memory: '24Mi' } });
    expect(fallback.spec!.template.spec!.containers[0].resources).toEqual({ requests: { memory: '6Mi' }, limits: { memory: '9Mi' } });
    expect(fallback.spec!.template.spec!.containers[0].image).toBe('wvc/tax-calculator:8cbeffcf8f23');

    const bad = await wvc(['k8s', 'plan', '--file', path.join(ROOT, 'test', 'fixtures', 'results-probes.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--criteria FILE');
  });
  // A real kubectl when there is one: with no cluster (as on a CI runner) the check is skipped, with the hint, and the plan still stands.
  it('--check asks kubectl for a server-side dry run, or says why it could not', async () => {
    const out = await tmp();
    const args = ['k8s', 'plan', '--file', path.join(ROOT, 'test', 'fixtures', 'results-probes.json'), '--criteria', path.join(ROOT, 'examples', 'criteria.tax-calculator.json'), '--out', out, '--check'];
    const missing = await wvc(args, { ...process.env, KUBECTL: '/nonexistent/kubectl' });
    expect(missing.code).toBe(0);
    expect(missing.stderr).toContain('check skipped: kubectl is not on PATH — install kubectl and point it at a cluster (KUBECONFIG), then run wvc k8s plan --check again');
    const r = await wvc(args);
    const line = r.stderr.split('\n').find((l) => l.startsWith('check '));
    expect(line).toMatch(/^check (skipped: (kubectl is not on PATH|no cluster answers kubectl \(.+\)) — .+|passed \(kubectl apply --dry-run=server\): server v.+)$/);
    expect(r.code).toBe(0);
  });
});
