/**
 * The course module's claims about WebAssembly versus containers
 * (shared/seed/wasm-and-cloud-native.txt), set beside what this run measured.
 * Pure: every number in a verdict comes from the Results; only the claimed
 * ranges are constants, because they are what the course module says.
 */
import type { Results, WorkloadRecord } from '../model.js';
import type { OkTarget } from './data.js';
import { capabilityCells, capabilityRowName, cellRef, crossRatioOf, held, isPrimary, keyOf, okTargets, roleArtifact, workloadName } from './data.js';
import { duration, pct, siBytes, sig3 } from './format.js';

/** How a claim fared against the measurements. */
export type Verdict = 'holds' | 'does not hold' | 'holds only partly' | 'not measured';

/** One claim of the course module with the measured numbers beside it. */
export interface Claim {
  id: 'cold-start' | 'artifact-size' | 'sandbox-default' | 'interpreted-languages';
  /** The claim, in the course module's words. */
  claim: string;
  /** The measured numbers it is compared with, on one line. */
  measured: string;
  verdict: Verdict;
  /** One line: why the verdict, computed from the numbers. */
  why: string;
}

/** The ranges the course module states ("STARTUP TIME COMPARISON" and "IMAGE SIZE COMPARISON" figures). */
export const CLAIMED_RANGES = {
  wasmColdStartMs: [1, 5] as const,
  containerColdStartMs: [1000, 5000] as const,
  /** Decimal megabytes, as the module writes "0.1-5 MB". */
  wasmArtifactBytes: [0.1e6, 5e6] as const,
  containerImageBytes: [50e6, 500e6] as const,
};

/**
 * Languages the course module means by "interpreted": they reach Wasm by bundling their
 * interpreter (StarlingMonkey for JavaScript, CPython, …) into the component. A workload
 * whose manifest gives no `interpreted` is classified by the first word of its `language`,
 * case-insensitively, against this list (harness/schema/workload.schema.json, README.md).
 */
export const INTERPRETED_LANGUAGES: readonly string[] = ['javascript', 'typescript', 'python', 'ruby', 'lua', 'php', 'perl'];

/** The first word of a language, lower-cased: `JavaScript (embedded interpreter)` → `javascript`. */
const firstWord = (language: string) => language.trim().split(/[^A-Za-z0-9+#]+/)[0].toLowerCase();

/**
 * Whether a workload is in an interpreted language: the manifest's `interpreted` when it
 * gives one, else the first word of its language against {@link INTERPRETED_LANGUAGES}.
 */
export function isInterpreted(w: Pick<WorkloadRecord, 'language' | 'interpreted'>): boolean {
  return typeof w.interpreted === 'boolean' ? w.interpreted : INTERPRETED_LANGUAGES.includes(firstWord(w.language));
}

/** Whether the workloads are the same program: every manifest gives the same `task`. */
export function sameTask(ws: readonly Pick<WorkloadRecord, 'task'>[]): boolean {
  return ws.length > 0 && !!ws[0].task && ws.every((w) => w.task === ws[0].task);
}

/** `tax-calculator (C): task "tax-calculator"`, or `no task`: what each manifest says it computes. */
export function taskList(ws: readonly Pick<WorkloadRecord, 'name' | 'language' | 'task'>[]): string {
  return ws.map((w) => `${w.name} (${w.language}): ${w.task ? `task "${w.task}"` : 'no task'}`).join('; ');
}

/**
 * A benefit counts as eroded when the interpreted workload's component is at least this
 * many times the compiled one's bytes, or its best Wasm cold start this many times the
 * compiled one's. The verdict text gives the factors themselves, so a reader can apply
 * another bar.
 */
export const EROSION_FACTOR = 2;

type Part = 'holds' | 'partly' | 'not';

function combine(a: Part, b: Part): Verdict {
  if (a === 'holds' && b === 'holds') return 'holds';
  if (a === 'not' && b === 'not') return 'does not hold';
  return 'holds only partly';
}

function part(inRange: number, total: number): Part {
  return inRange === total ? 'holds' : inRange === 0 ? 'not' : 'partly';
}

/** "under", "within" or "over" a claimed [lo, hi]. */
function where(x: number, [lo, hi]: readonly [number, number]): 'under' | 'within' | 'over' {
  return x < lo ? 'under' : x > hi ? 'over' : 'within';
}

const msRangeText = ([lo, hi]: readonly [number, number]) => (hi >= 1000 ? `${lo / 1000}–${hi / 1000} s` : `${lo}–${hi} ms`);
const mbRangeText = ([lo, hi]: readonly [number, number]) => `${lo / 1e6}–${hi / 1e6} MB`;

function coldStartClaim(r: Results): Claim {
  const claim = 'Wasm cold starts take ~1–5 ms; containers ~1–5 s ("Millisecond cold starts (not seconds)").';
  // The headline claims are about Wasm as such: the primary workload; interpretedClaim weighs the others.
  const measured = okTargets(r).filter((t) => t.coldStart.stats && isPrimary(r, t));
  const wasm = measured.filter((t) => t.class === 'wasm').map((t) => ({ key: keyOf(r, t), median: t.coldStart.stats!.median }));
  const containers = measured.filter((t) => t.class === 'container').map((t) => ({ key: keyOf(r, t), median: t.coldStart.stats!.median }));
  const measuredLine = [
    ...wasm.map((w) => `${w.key} ${duration(w.median)}`),
    ...containers.map((c) => `${c.key} ${duration(c.median)}`),
  ].join('; ') + (wasm.length || containers.length ? ' (medians)' : '');
  if (!wasm.length || !containers.length) {
    const missing = !wasm.length ? 'no Wasm target' : 'no container target';
    return { id: 'cold-start', claim, measured: measuredLine || 'nothing measured', verdict: 'not measured', why: `${missing} was measured in this run, so the comparison cannot be made.` };
  }
  const W = CLAIMED_RANGES.wasmColdStartMs;
  const C = CLAIMED_RANGES.containerColdStartMs;
  // A Wasm start faster than 1 ms is still the "milliseconds, not seconds" the claim makes.
  const wasmOk = wasm.filter((w) => w.median <= W[1]);
  const wasmBad = wasm.filter((w) => w.median > W[1]);
  const contOk = containers.filter((c) => where(c.median, C) === 'within');
  const wasmPart = part(wasmOk.length, wasm.length);
  const contPart = part(contOk.length, containers.length);

  // One phrase per qualifier, so three Docker variants read as one clause, not three.
  const groups = new Map<string, string[]>();
  for (const c of containers) {
    const w = where(c.median, C);
    const f = w === 'under' ? C[0] / c.median : w === 'over' ? c.median / C[1] : 1;
    const qual = w === 'within' ? 'within' : f >= 2 ? `well ${w}` : w;
    groups.set(qual, [...(groups.get(qual) ?? []), `${c.key}${containers.length > 1 ? ' ' : ' median '}${duration(c.median)}`]);
  }
  const contText = [...groups]
    .map(([qual, xs]) => `${xs.join(', ')}${containers.length > 1 ? ` (median${xs.length > 1 ? 's' : ''})` : ''} ${xs.length > 1 ? 'are' : 'is'} ${qual} the claimed ${msRangeText(C)}`)
    .join('; ');
  const byMedian = [...wasm].sort((a, b) => a.median - b.median);
  const list = (xs: typeof wasm) => xs.map((x) => `${x.key} ${duration(x.median)}`).join(', ');
  const wasmText =
    wasmPart === 'holds'
      ? `every Wasm target is at or under ${msRangeText(W)} (${list(byMedian)})`
      : wasmPart === 'not'
        ? `no Wasm target is within ${msRangeText(W)}: fastest ${byMedian[0].key} ${duration(byMedian[0].median)}${byMedian.length > 1 ? `, slowest ${byMedian[byMedian.length - 1].key} ${duration(byMedian[byMedian.length - 1].median)}` : ''}`
        : `${list(wasmOk)} ${wasmOk.length === 1 ? 'is' : 'are'} within ${msRangeText(W)} but ${list(wasmBad)} ${wasmBad.length === 1 ? 'is' : 'are'} not`;
  // Against the best container path at any layer (never a strawman), and against the container baseline (Docker).
  const best = [...containers].sort((a, b) => a.median - b.median)[0]!;
  const baselineRow = measured.find((t) => t.baseline === 'container');
  const baseline = baselineRow ? containers.find((c) => c.key === keyOf(r, baselineRow)) : undefined;
  const fastest = byMedian[0];
  const gapText =
    `the fastest container path, ${best.key} ${duration(best.median)}, takes ${sig3(best.median / fastest.median)}× as long as the fastest Wasm start (${fastest.key} ${duration(fastest.median)})` +
    (baseline && baseline.key !== best.key ? `, and the container baseline ${baseline.key} ${duration(baseline.median)} ${sig3(baseline.median / fastest.median)}×` : '') +
    `, where the claim implies ${sig3(C[0] / W[1])}–${sig3(C[1] / W[0])}×`;
  return { id: 'cold-start', claim, measured: measuredLine, verdict: combine(wasmPart, contPart), why: `${contText}; ${wasmText}; ${gapText}.` };
}

function artifactClaim(r: Results): Claim {
  const claim = 'Wasm artifacts are 0.1–5 MB; container images 50–500 MB ("Binaries measured in KB, not MB or GB").';
  const ran = (cls: string) => new Set(r.targets.filter((t) => isPrimary(r, t) && t.artifact && t.class === cls).map((t) => t.artifact!.id));
  const wasmIds = ran('wasm');
  const imageIds = ran('container');
  const wasm = r.artifacts.filter((a) => wasmIds.has(a.id));
  const images = r.artifacts.filter((a) => a.kind === 'image' && imageIds.has(a.id));
  const measured = [...wasm, ...images].map((a) => `${a.id} ${siBytes(a.bytes)}`).join('; ');
  if (!wasm.length || !images.length) {
    const missing = !wasm.length ? 'no Wasm artifact' : 'no container image';
    return { id: 'artifact-size', claim, measured: measured || 'no artifacts recorded', verdict: 'not measured', why: `${missing} was recorded in this run.` };
  }
  const W = CLAIMED_RANGES.wasmArtifactBytes;
  const C = CLAIMED_RANGES.containerImageBytes;
  // Smaller than 0.1 MB is still "measured in KB": only above 5 MB contradicts the claim.
  const wasmOk = wasm.filter((a) => a.bytes <= W[1]);
  const imgOk = images.filter((a) => where(a.bytes, C) === 'within');
  const wasmPart = part(wasmOk.length, wasm.length);
  const imgPart = part(imgOk.length, images.length);
  const sorted = [...wasm].sort((a, b) => a.bytes - b.bytes);
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  const wasmText =
    wasmPart === 'holds'
      ? wasm.length === 1
        ? `Wasm artifact ${lo.id} (${siBytes(lo.bytes)}) is at or under ${mbRangeText(W)}`
        : `Wasm artifacts ${siBytes(lo.bytes)} (${lo.id}) to ${siBytes(hi.bytes)} (${hi.id}) are at or under ${mbRangeText(W)}`
      : `${wasm.length - wasmOk.length} of ${wasm.length} Wasm artifacts exceed ${W[1] / 1e6} MB (largest ${hi.id} ${siBytes(hi.bytes)})`;
  const imgText = images
    .map((img) => {
      const w = where(img.bytes, C);
      const f = w === 'under' ? C[0] / img.bytes : w === 'over' ? img.bytes / C[1] : 1;
      const larger = wasm.filter((a) => a.bytes > img.bytes).length;
      return `container image ${img.id} is ${siBytes(img.bytes)}, ${w === 'within' ? 'within' : `${sig3(f)}× ${w}`} the claimed ${mbRangeText(C)}${larger ? ` and smaller than ${larger} of ${wasm.length} Wasm artifacts` : ''}`;
    })
    .join('; ');
  return { id: 'artifact-size', claim, measured, verdict: combine(wasmPart, imgPart), why: `${wasmText}; ${imgText}.` };
}

function sandboxClaim(r: Results): Claim {
  const claim = 'Wasm is "sandboxed by default — no file/network access unless explicitly granted".';
  const cells = capabilityCells(r);
  // Sandboxing is the runtime's, whatever the language: every workload's Wasm rows count.
  const runtimeOf = (w: string | undefined, target: string) => `${w ?? ''}\0${target}`;
  const wasmKeys = new Set(r.targets.filter((t) => t.class === 'wasm').map((t) => runtimeOf(workloadName(r, t), t.id)));
  // The claim is about files and the network: clocks, randomness and resource bombs are other questions.
  const fsNet = (probe: string) => /^(fs|net)-/.test(probe);
  const wasm = (r.capabilities?.rows ?? [])
    .filter((row) => wasmKeys.has(runtimeOf(workloadName(r, row), row.target)))
    .flatMap((row) =>
      row.cells
        .filter((c) => fsNet(c.probe))
        .map((c) => ({ ...(row.workload ? { workload: row.workload } : {}), target: row.target, variant: row.variant, row: capabilityRowName(r, row), probe: c.probe, outcome: c.outcome })),
    );
  if (!wasm.length) {
    return {
      id: 'sandbox-default',
      claim,
      measured: 'not measured in this run',
      verdict: 'not measured',
      why: `this run has no ${cells.length ? 'file or network ' : ''}capability probes on a Wasm target, so no attempt to reach files or the network outside the grants was made; the grants themselves are listed per target.`,
    };
  }
  // An errored probe says nothing about the sandbox: it counts neither for nor against the
  // claim, and the rows it leaves unjudged are named.
  const errored = wasm.filter((c) => c.outcome === 'error');
  const judged = wasm.filter((c) => c.outcome !== 'error');
  const byRow = new Map<string, string[]>();
  for (const c of errored) byRow.set(c.row, [...(byRow.get(c.row) ?? []), c.probe]);
  const erroredText = [...byRow].map(([row, probes]) => `${row} ${probes.join(', ')}`).join('; ');
  const configs = (xs: typeof wasm) => {
    const n = new Set(xs.map((c) => keyOf(r, cellRef(c)))).size;
    return `${n} Wasm configuration${n === 1 ? '' : 's'}`;
  };
  if (!judged.length) {
    return {
      id: 'sandbox-default',
      claim,
      measured: `no file/network probe ran to an outcome: ${errored.length} errored on ${configs(errored)}`,
      verdict: 'not measured',
      why: `every file and network probe on a Wasm target errored, and an errored probe counts neither for nor against the claim (errored: ${erroredText}); the errors are under Warnings.`,
    };
  }
  const ok = judged.filter((c) => held(c.outcome));
  const notHeld = judged.filter((c) => !held(c.outcome));
  const verdict: Verdict = notHeld.length === 0 ? 'holds' : ok.length === 0 ? 'does not hold' : 'holds only partly';
  const escapes = notHeld.slice(0, 4).map((c) => `${keyOf(r, cellRef(c))} ${c.probe} ${c.outcome}`).join(', ');
  return {
    id: 'sandbox-default',
    claim,
    measured: `${ok.length} of ${judged.length} file/network probes denied on ${configs(judged)}${errored.length ? `; ${errored.length} errored, left out` : ''}`,
    verdict,
    why:
      `${notHeld.length ? `not denied: ${escapes}${notHeld.length > 4 ? `, and ${notHeld.length - 4} more` : ''}` : 'every file and network probe outside the grants was denied'} (denied includes absent: no such interface)` +
      (errored.length ? `; left out, as an errored probe counts neither for nor against the claim: ${erroredText}.` : '.'),
  };
}

/** The fastest measured Wasm variant of a workload, by cold-start median. */
function bestWasm(r: Results, workload: string): { row: OkTarget; key: string; median: number } | null {
  const rows = okTargets(r).filter((t): t is OkTarget => workloadName(r, t) === workload && !!t.coldStart.stats && t.class === 'wasm');
  if (!rows.length) return null;
  const best = rows.reduce((a, b) => (b.coldStart.stats!.median < a.coldStart.stats!.median ? b : a));
  return { row: best, key: keyOf(r, best), median: best.coldStart.stats!.median };
}

function interpretedClaim(r: Results): Claim {
  const claim = 'Interpreted languages "can run through embedded interpreters, but that often erodes the size and startup benefits that motivated Wasm in the first place".';
  const notMeasured = (why: string): Claim => ({ id: 'interpreted-languages', claim, measured: 'not measured in this run', verdict: 'not measured', why });
  const interps = r.workloads.filter((w) => isInterpreted(w));
  const compileds = r.workloads.filter((w) => !isInterpreted(w));
  if (!interps.length) return notMeasured(`this run measured no workload in an interpreted language (${r.workloads.map((w) => `${w.name}: ${w.language}`).join(', ') || 'no workloads recorded'}), so there is no embedded interpreter to weigh.`);
  if (!compileds.length) return notMeasured(`this run measured no workload in a compiled language to set ${interps[0].name} (${interps[0].language}) beside.`);
  // The erosion is the interpreter's cost over the compiled build of the same program: only
  // workloads whose manifests give the same task are paired, never two unrelated programs.
  const pair = interps.flatMap((i) => compileds.filter((c) => sameTask([i, c])).map((c) => [i, c] as const))[0];
  if (!pair)
    return notMeasured(
      `no compiled workload gives the same task as an interpreted one (${taskList([...interps, ...compileds])}), and set beside a different program the interpreted component's size and cold start would weigh the programs, not the embedded interpreter; give the manifests of the same program the same "task".`,
    );
  const [interp, compiled] = pair;
  const jsComp = roleArtifact(r, interp.name, 'component');
  const cComp = roleArtifact(r, compiled.name, 'component');
  const jsBest = bestWasm(r, interp.name);
  const cBest = bestWasm(r, compiled.name);
  const missing = [
    jsComp ? '' : `${interp.name}/component was not recorded`,
    cComp ? '' : `${compiled.name}/component was not recorded`,
    jsBest ? '' : `no Wasm variant of ${interp.name} was measured`,
    cBest ? '' : `no Wasm variant of ${compiled.name} was measured`,
  ].filter(Boolean);
  if (missing.length || !jsComp || !cComp || !jsBest || !cBest) return notMeasured(`${missing.join('; ')}, so the ${interp.language} component cannot be set beside the ${compiled.language} one.`);

  const image = roleArtifact(r, interp.name, 'image');
  // The interpreted workload's own container: the row that is its container baseline.
  const container = okTargets(r).find((t) => workloadName(r, t) === interp.name && t.baseline === 'container' && t.coldStart.stats);
  const containerMs = container ? container.coldStart.stats!.median : null;
  const sizeRatio = jsComp.bytes / cComp.bytes;
  // Startup is judged on the bootstrap CI of the ratio stored at bench time: a CI that
  // straddles the bar decides nothing, and neither does a ratio the run did not store.
  const stored = crossRatioOf(r, jsBest.row, cBest.row);
  const startRatio = stored?.ratio ?? jsBest.median / cBest.median;
  const startCi = stored?.ci95 ?? null;
  const sizePart: Part = sizeRatio >= EROSION_FACTOR ? 'holds' : 'not';
  const startPart: Part = !startCi ? 'partly' : startCi[0] >= EROSION_FACTOR ? 'holds' : startCi[1] < EROSION_FACTOR ? 'not' : 'partly';

  const measured = [
    `${jsComp.id} ${siBytes(jsComp.bytes)} vs ${cComp.id} ${siBytes(cComp.bytes)}${image ? `; ${image.id} ${siBytes(image.bytes)}` : ''}`,
    `best Wasm cold start ${jsBest.key} ${duration(jsBest.median)} vs ${cBest.key} ${duration(cBest.median)}${container ? `; ${keyOf(r, container)} ${duration(containerMs!)}` : ''} (medians)`,
  ].join('; ');
  const lang = interp.language;
  const sizeText =
    `the ${lang} component (${siBytes(jsComp.bytes)}) is ${sig3(sizeRatio)}× the ${compiled.language} component (${siBytes(cComp.bytes)})` +
    (!image ? '' : jsComp.bytes < image.bytes ? `, still ${pct(jsComp.bytes / image.bytes)} of its own container image (${siBytes(image.bytes)})` : `, no smaller than its own container image (${siBytes(image.bytes)}): the size benefit is gone`);
  const startText =
    `its best Wasm cold start, ${jsBest.key} ${duration(jsBest.median)}, is ${sig3(startRatio)}×${startCi && startCi[0] !== startCi[1] ? ` (95% CI ${sig3(startCi[0])}–${sig3(startCi[1])})` : ''} the ${compiled.language} component's best (${cBest.key} ${duration(cBest.median)})` +
    (containerMs === null
      ? ''
      : jsBest.median < containerMs
        ? `, while its own container (${keyOf(r, container!)} ${duration(containerMs)}) takes ${sig3(containerMs / jsBest.median)}× as long`
        : `, no faster than its own container (${keyOf(r, container!)} ${duration(containerMs)}): the startup benefit is gone`);
  // The runtime's default configuration (the default variant of the best row's target) next
  // to the best configuration the verdict uses, on both workloads, when the best is not the default.
  const row = (w: string, id: string, pick: (t: OkTarget) => boolean) => okTargets(r).find((t) => workloadName(r, t) === w && t.id === id && pick(t) && t.coldStart.stats);
  const jsJit = row(interp.name, jsBest.row.id, (t) => t.defaultVariant);
  const cJit = jsJit ? row(compiled.name, jsJit.id, (t) => t.variant === jsJit.variant) : undefined;
  const jitText =
    jsJit && cJit && jsJit !== jsBest.row
      ? `; under the runtime's default configuration, ${keyOf(r, jsJit)} — ${jsJit.cacheState} — takes ${duration(jsJit.coldStart.stats!.median)}, ${sig3(jsJit.coldStart.stats!.median / cJit.coldStart.stats!.median)}× ${keyOf(r, cJit)} (${duration(cJit.coldStart.stats!.median)}): the best configuration is what keeps the startup benefit`
      : '';
  const startJudged = startPart === 'holds' ? 'eroded' : startPart === 'not' ? 'not eroded' : startCi ? `undecided (the CI straddles ${EROSION_FACTOR}×)` : 'undecided (the run stored no CI of the ratio)';
  const judged = `size ${sizePart === 'holds' ? 'eroded' : 'not eroded'}, startup ${startJudged} (judged on the best configuration)`;
  return {
    id: 'interpreted-languages',
    claim,
    measured,
    verdict: combine(sizePart, startPart),
    why: `${sizeText}; ${startText}${jitText}. A benefit counts as eroded at ${EROSION_FACTOR}× the ${compiled.language} figure or more: ${judged}.`,
  };
}

/**
 * The course module's three headline claims — cold start, artifact size, default sandbox —
 * and its caveat about interpreted languages, each with the measured numbers and a verdict.
 * Cold start and size are judged on the primary workload; the sandbox on every workload's
 * Wasm rows; the caveat sets an interpreted workload beside a compiled one of the same task.
 */
export function evaluateClaims(r: Results): Claim[] {
  return [coldStartClaim(r), artifactClaim(r), sandboxClaim(r), interpretedClaim(r)];
}

/** The claimed ranges as short text, for chart bands. */
export const CLAIM_LABELS = {
  wasmColdStart: `claim: Wasm ~${msRangeText(CLAIMED_RANGES.wasmColdStartMs)}`,
  containerColdStart: `claim: containers ~${msRangeText(CLAIMED_RANGES.containerColdStartMs)}`,
  wasmArtifact: `claim: Wasm ${mbRangeText(CLAIMED_RANGES.wasmArtifactBytes)}`,
  containerImage: `claim: images ${mbRangeText(CLAIMED_RANGES.containerImageBytes)}`,
};
