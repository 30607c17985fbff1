#!/usr/bin/env node
/**
 * wvc — wasm-vs-container. One file declares the whole CLI; each command lives
 * in harness/commands/<name>.ts. Errors are handled at this one boundary: a
 * UserError is printed as one line, anything else with its stack.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './paths.js';
import { UserError, faultText } from './errors.js';
import { registry } from './targets/index.js';
import { REPORT_FORMAT_NAMES } from './report/index.js';

const TARGET_LINES = Object.values(registry)
  .map((d) => `  ${d.id.padEnd(16)}  ${d.summary} (${d.variants.filter((v) => !v.probeOnly).map((v) => v.name).join(', ')})`)
  .join('\n');

const HELP = `usage: wvc <command> [options]

commands:
  build                 build every workload's artifacts (content-addressed) and write build/manifest.json
      --workload DIR      a workload directory with a workload.json; repeatable
                          (default: modules/tax-calculator and modules/tax-calculator-js)
  verify                run each workload's golden vectors on every available target
      --workload DIR      as for build; repeatable
      --targets a,b       only these targets (${Object.keys(registry).join(', ')})
      --require a,b       fail if one of these is unavailable (default: $BENCH_REQUIRE)
      --all               run every vector everywhere (default: a container target runs a deterministic sample of 100,
                          and a variant whose first run takes over 1.5 s the first vector of every class)
      --sample N          a deterministic sample of about N vectors (every class included) on every variant
  doctor                list each prerequisite and target as available or missing, with install hints
  setup                 install or start what is missing (scripts/setup.sh's steps) as root or with passwordless
                        sudo, else print the command to run; silent when nothing is missing; bench and npm test
                        run it first (WVC_SETUP=0 turns that off)
      --require a,b       exit 1 if one of these is unavailable (default: $BENCH_REQUIRE)
  clean                 remove what killed runs left behind: containers, OCI bundles, harness cgroups, temp dirs
      --dry-run           only list them
  report [--file F]     re-render report.md, report.html (and results.json) from a saved results.json or run folder
      --file F            a results.json or a run folder (default: results/latest)
      --criteria FILE     add the decision gate; exit 1 when a criterion fails
      --out DIR           write the reports there instead of next to the file
      --format F          print one format to stdout: ${REPORT_FORMAT_NAMES.join(', ')}
  k8s plan [--file F]   write a Kubernetes RuntimeClass placement plan: for each workload the gate places
                        on Wasm, a RuntimeClass, its Deployment (memory from the measured peak) and the
                        container fallback Deployment (0 replicas)
      --file F            a results.json or a run folder (default: results/latest)
      --criteria FILE     the decision gate (required): a workload is placed when all its criteria pass
      --out DIR           where the YAML goes (default: k8s/ next to the file)
      --handler NAME      the RuntimeClass's handler and name (default: wasmtime, as runwasi registers it)
      --node-selector k=v label of the prepared nodes; repeatable (default: wvc.dev/wasm-runtime=wasmtime)
      --check             validate them with kubectl apply --dry-run=server (skipped, with a hint, without a cluster)
  compare --old A --new B   markdown comparison of two runs; exit 1 on a regression
      --threshold PCT     smallest change that counts, as a fraction (default 0.10)
  bench                 build, then measure cold start, phases, memory, warm latency, footprint and
                        capabilities of every workload on every target
      --workload DIR      a workload directory with a workload.json; repeatable (default: both tax calculators)
      --targets a,b       only these targets
      --runs N            exactly N rounds for every variant; without it each variant samples until
                          the 95% CI of its median is within ±3% (≥ 10 samples), or its 4 s budget (once it has 3)
                          runs out, or 40 rounds have run (rounds are shuffled with --seed)
      --warmup N          warm-up runs per variant before measuring (default 3; one when a warm-up
                          takes over a second)
      --seed N            seed of the round shuffle and the bootstrap (default: random, recorded)
      --quick             ±5% or a 2 s budget per variant (≥ 5 samples, 8 rounds at most), 1 warm-up,
                          20 warm iterations, bombs bounded at 4 s; no density or burst step unless
                          --density or --burst asks for it
      --burst K1,K2,...   simultaneous cold starts per burst, each 1 to 64, every one run (default
                          1,8,32: a larger K only while a variant's bursts fit in 4 s)
      --no-burst          skip the burst step
      --density           run the density step with --quick too
      --no-density        skip the density step (1, 8, 32, 128 live instances: the first two always,
                          a later one while projected to fit in 4 s; hard caps 4 GiB and 60 s per variant)
      --no-cross-check    do not time the floor and the fastest Wasm variant with hyperfine too
      --warm-iterations N iterations of each in-process warm loop (default 100)
      --require a,b       exit 1 if one of these is unavailable (default: $BENCH_REQUIRE)
      --out DIR           where run folders go (default: results/)
      --criteria FILE     decision gate: add the ADR section; exit 1 when a criterion fails

  cc [clang args...]    the bundled clang (@yowasp/clang) on the current directory's files, e.g.
                        wvc cc -O2 main.c -o main.wasm; adds --target=wasm32-wasip1 unless a target
                        is given; clang's messages and exit code (paths must be inside the directory)

  -h, --help            this help

targets (harness/targets/, one file each):
${TARGET_LINES}`;

type Handler = (args: string[]) => Promise<number>;

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new UserError(`${(e as Error).message} — see \`wvc --help\``);
  }
}

/** A numeric flag: undefined when absent, a user error when not a number. */
function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`${name} takes a number, got '${v}'`);
  return n;
}

const commands: Record<string, Handler> = {
  async build(args) {
    const v = parse(args, { workload: { type: 'string', multiple: true } });
    const { build, buildSummary } = await import('./commands/build.js');
    const { loadWorkloads } = await import('./workload.js');
    const { DEFAULT_WORKLOADS } = await import('./paths.js');
    const workloads = await loadWorkloads(v.workload?.length ? v.workload : DEFAULT_WORKLOADS);
    const m = await build({ workloads });
    for (const line of buildSummary(m, workloads.map((w) => w.name))) console.log(line);
    return 0;
  },
  async clean(args) {
    const v = parse(args, { 'dry-run': { type: 'boolean' } });
    const { clean } = await import('./commands/clean.js');
    const r = await clean({ dryRun: v['dry-run'] });
    return r.failed.length ? 1 : 0;
  },
  async verify(args) {
    const v = parse(args, { workload: { type: 'string', multiple: true }, targets: { type: 'string' }, require: { type: 'string' }, all: { type: 'boolean' }, sample: { type: 'string' } });
    const { verify } = await import('./commands/verify.js');
    const sample = num('--sample', v.sample);
    if (sample !== undefined && !(Number.isInteger(sample) && sample >= 1)) throw new UserError(`--sample must be a whole number ≥ 1, got ${sample}`);
    const r = await verify({ workloads: v.workload, targets: v.targets, require: v.require, all: v.all, sample });
    console.log(r.summary);
    return r.ok ? 0 : 1;
  },
  async doctor(args) {
    const v = parse(args, { require: { type: 'string' } });
    const { doctor, formatDoctor } = await import('./commands/doctor.js');
    const r = await doctor({ require: v.require });
    console.log(formatDoctor(r));
    return r.requiredMissing.length ? 1 : 0;
  },
  async setup(args) {
    parse(args, {});
    const { setup } = await import('./commands/setup.js');
    await setup();
    return 0;
  },
  async report(args) {
    const v = parse(args, { file: { type: 'string' }, criteria: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' } });
    const { report } = await import('./commands/report.js');
    const r = await report({ file: v.file ?? path.join(ROOT, 'results', 'latest'), criteria: v.criteria, out: v.out, format: v.format });
    if (r.files.length) console.error(`reports: ${r.files.join(', ')}`);
    return r.criteriaFailed ? 1 : 0;
  },
  async k8s(args) {
    const [sub, ...rest] = args;
    if (sub !== 'plan') throw new UserError(`k8s takes the subcommand plan, got ${sub === undefined ? 'none' : `'${sub}'`} — run \`wvc k8s plan --criteria FILE\``);
    const v = parse(rest, { file: { type: 'string' }, criteria: { type: 'string' }, out: { type: 'string' }, handler: { type: 'string' }, 'node-selector': { type: 'string', multiple: true }, check: { type: 'boolean' } });
    const { k8sPlan } = await import('./commands/k8s.js');
    const r = await k8sPlan({ file: v.file ?? path.join(ROOT, 'results', 'latest'), criteria: v.criteria, out: v.out, handler: v.handler, nodeSelector: v['node-selector'], check: v.check });
    for (const p of r.decision.placed) console.error(`${p.workload}: on Wasm (${p.wasm.id}/${p.wasm.variant}), memory request ${p.wasmMemory.requestMiB}Mi, limit ${p.wasmMemory.limitMiB}Mi`);
    for (const x of r.decision.notPlaced) console.error(`${x.workload}: stays on containers — ${x.reason}`);
    if (r.files.length) console.error(`manifests: ${r.files.join(', ')}`);
    else console.error('nothing placed on Wasm, no manifests written');
    if (r.check?.status === 'skipped') console.error(`check skipped: ${r.check.reason} — ${r.check.hint}`);
    else if (r.check) console.error(`check ${r.check.status === 'ok' ? 'passed' : 'FAILED'} (kubectl apply --dry-run=server): ${r.check.output}`);
    return r.files.length && r.check?.status !== 'failed' ? 0 : 1;
  },
  async compare(args) {
    const v = parse(args, { old: { type: 'string' }, new: { type: 'string' }, threshold: { type: 'string' } });
    if (!v.old || !v.new) throw new UserError('compare needs --old OLD/results.json and --new NEW/results.json');
    const { compare } = await import('./commands/compare.js');
    const r = await compare({ old: v.old, new: v.new, threshold: num('--threshold', v.threshold) });
    process.stdout.write(r.markdown);
    return r.regression ? 1 : 0;
  },
  async bench(args) {
    const v = parse(args, {
      workload: { type: 'string', multiple: true },
      criteria: { type: 'string' },
      targets: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      seed: { type: 'string' },
      quick: { type: 'boolean' },
      'warm-iterations': { type: 'string' },
      require: { type: 'string' },
      out: { type: 'string' },
      'no-cross-check': { type: 'boolean' },
      burst: { type: 'string' },
      'no-burst': { type: 'boolean' },
      'no-density': { type: 'boolean' },
      density: { type: 'boolean' },
    });
    if (v.burst !== undefined && v['no-burst']) throw new UserError('--burst and --no-burst contradict each other — pass one');
    if (v.density && v['no-density']) throw new UserError('--density and --no-density contradict each other — pass one');
    const burst = v['no-burst'] ? [] : v.burst === undefined ? undefined : v.burst.split(',').map((k) => num('--burst', k)!);
    // What is missing gets installed or started first (or its command printed): never a reason to stop.
    const { setup } = await import('./commands/setup.js');
    await setup();
    const { bench, SIGNAL_EXIT } = await import('./commands/bench.js');
    const r = await bench({
      workloads: v.workload,
      targets: v.targets,
      runs: num('--runs', v.runs),
      warmup: num('--warmup', v.warmup),
      seed: num('--seed', v.seed),
      warmIterations: num('--warm-iterations', v['warm-iterations']),
      quick: v.quick,
      require: v.require,
      out: v.out,
      criteria: v.criteria,
      crossCheck: !v['no-cross-check'],
      burst,
      density: v['no-density'] ? false : v.density ? true : undefined,
    });
    if (r.results.interrupted) return SIGNAL_EXIT[r.results.interrupted] ?? 130;
    return r.requiredMissing.length || !r.results.complete || r.criteriaFailed || r.writeFailed ? 1 : 0;
  },
  async cc(args) {
    // Every argument is clang's: nothing is parsed here.
    const { cc } = await import('./commands/cc.js');
    return cc(args);
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const handler = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!handler) throw new UserError(`unknown command '${name}' — choose from ${Object.keys(commands).join(', ')} (wvc --help)`);
  return handler(rest);
}

let settled = false;
// A call that neither answers nor fails (a socket closed under it) would let Node exit 0 with the
// command unfinished: that is a fault, said once, and exit 1.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  console.error('wvc: harness fault: the command stopped with a call still pending (a daemon or socket went away under it?) — run it again; WVC_DEBUG=1 for more');
  process.exitCode = 1;
});
main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (e: unknown) => {
    settled = true;
    // One line, never a stack (WVC_DEBUG=1 prints it): a harness fault says what it was doing.
    if (e instanceof UserError) console.error(`wvc: ${e.message}`);
    else console.error(`wvc: harness fault: ${faultText(e)}${process.env.WVC_DEBUG === '1' ? '' : ' (WVC_DEBUG=1 prints the stack)'}`);
    process.exitCode = e instanceof UserError ? 2 : 1;
  },
);
