/**
 * "The answer": the five to eight measured sentences a report opens with, each with
 * its numbers — the fastest Wasm cold start against the best container layer and
 * against Docker, the per-request cost in the plugin model (and density and surge,
 * when measured), artifact and image sizes, what each sandbox denied, and the
 * decision gate's verdict when criteria are given. Every number is read from the
 * Results (or the evaluated criteria); a line whose numbers the run lacks is left
 * out, and a headline line says "not measured in this run" instead. Pure.
 */
import { artifactId, type ArtifactRecord, type Results, type TargetClass } from '../model.js';
import type { CriteriaResult } from './criteria.js';
import { artifactOf, capabilityCells, failMark, gzipBytesOf, isPrimary, keyOf, multiWorkload, okTargets, primaryWorkload, probeCounts, resolveArtifact, type OkTarget } from './data.js';
import { bytes, duration, sig3, times } from './format.js';
import { platformSentences } from './platform.js';

/** One line of the answer. */
export interface AnswerLine {
  id: 'cold-start' | 'per-request' | 'density' | 'surge' | 'sizes' | 'sandbox-wasm' | 'sandbox-container' | 'sandbox' | 'gate';
  text: string;
}

const NOT_MEASURED = 'not measured in this run';

/** With several workloads, which one a line is about, as the Plugin platform's sentences name it: ` (tax-calculator, C)`. */
function tagOf(r: Results): string {
  const w = r.workloads.find((x) => x.name === primaryWorkload(r));
  return multiWorkload(r) && w ? ` (${w.name}, ${w.language})` : '';
}

/** The primary workload's measured rows of a class, fastest cold start first. */
function byMedian(r: Results, cls: TargetClass): OkTarget[] {
  return okTargets(r)
    .filter((t) => isPrimary(r, t) && t.class === cls && t.coldStart.stats)
    .sort((a, b) => a.coldStart.stats!.median - b.coldStart.stats!.median);
}

const median = (t: OkTarget) => t.coldStart.stats!.median;

/** `N× faster than` / `N× slower than`, from a ratio of Wasm over the other (below 1: Wasm is faster). */
function faster(ratio: number): string {
  return ratio <= 1 ? `${times(1 / ratio)} faster than` : `${times(ratio)} slower than`;
}

const ciText = (ci: readonly [number, number]) => `95% CI ${sig3(ci[0])}–${sig3(ci[1])}`;

/**
 * The fastest Wasm cold start against the best container layer (the workload's fastest
 * container variant at any layer, the "× best container" column) and against the
 * container baseline (Docker), with the ratios the bench stored.
 */
function coldStartLine(r: Results): AnswerLine {
  const wasm = byMedian(r, 'wasm');
  const containers = byMedian(r, 'container');
  const id = 'cold-start' as const;
  const tag = tagOf(r);
  if (!wasm.length) return { id, text: `Cold start${tag}: ${NOT_MEASURED} (no Wasm target was measured).` };
  const w = wasm[0];
  const lead = `Cold start${tag}: the fastest Wasm start, ${keyOf(r, w)}, takes ${duration(median(w))}${failMark(w)} (median)`;
  if (!containers.length) return { id, text: `${lead}; no container was measured in this run to set it beside.` };
  const best = containers[0];
  const docker = containers.find((t) => t.baseline === 'container');
  // The stored bootstrap ratios of the Wasm row, as the summary's columns show them; medians when the run has none.
  const bestRatio = w.vsBestContainer ?? null;
  const parts: string[] = [];
  if (best !== docker) {
    const ratio = bestRatio ? bestRatio.ratio : median(w) / median(best);
    parts.push(`${faster(ratio)} the fastest container path, ${keyOf(r, best)} at ${duration(median(best))}${failMark(best)}`);
  }
  if (docker) {
    const ratio = w.vsDocker ? w.vsDocker.ratio : median(w) / median(docker);
    const ci = w.vsDocker ? `; ratio ${times(w.vsDocker.ratio)}, ${ciText(w.vsDocker.ci95)}` : '';
    parts.push(`${faster(ratio)} Docker, ${keyOf(r, docker)} at ${duration(median(docker))}${failMark(docker)}${best === docker ? ', the fastest container path measured' : ''}${ci}`);
  }
  return { id, text: `${lead}: ${parts.join(', and ')}.` };
}

/** The plugin platform's quotable sentences of the primary workload (platform.ts), as answer lines. */
function platformLines(r: Results): AnswerLine[] {
  const primary = primaryWorkload(r);
  const said = platformSentences(r).filter((x) => x.workload === primary);
  const warm = said.find((x) => x.kind === 'warm');
  const out: AnswerLine[] = [{ id: 'per-request', text: warm ? warm.text : `Per request${tagOf(r)}: ${NOT_MEASURED} (no variant ran the plugin model's warm loop).` }];
  for (const x of said) {
    if (x.kind === 'density') out.push({ id: 'density', text: x.text });
    if (x.kind === 'burst') out.push({ id: 'surge', text: x.text });
  }
  return out;
}

/** `90.8 KiB (gzip 33.0 KiB)`: raw bytes, and gzip -9 from the footprint when measured. */
function sizeText(r: Results, a: ArtifactRecord): string {
  const gz = gzipBytesOf(r, a);
  return `${bytes(a.bytes)}${gz === null ? '' : ` (gzip ${a.kind === 'image' ? 'of its docker save tar ' : ''}${bytes(gz)})`}`;
}

/** The primary workload's component and AOT .cwasm against the images its container rows run. */
function sizesLine(r: Results): AnswerLine {
  const primary = primaryWorkload(r);
  const role = (x: string) => (primary ? resolveArtifact(r, artifactId(primary, x)) : undefined);
  const component = role('component');
  const cwasm = role('component-cwasm');
  const images = [
    ...new Map(
      okTargets(r)
        .filter((t) => isPrimary(r, t) && t.class === 'container')
        .map((t) => artifactOf(r, t))
        .filter((a): a is ArtifactRecord => a?.kind === 'image')
        .map((a) => [a.id, a]),
    ).values(),
  ].sort((a, b) => a.bytes - b.bytes);
  const wasm = [component ? `the component ${component.id} is ${sizeText(r, component)}` : '', cwasm ? `its AOT-compiled .cwasm ${cwasm.id} ${sizeText(r, cwasm)}` : ''].filter(Boolean);
  if (!wasm.length && !images.length) return { id: 'sizes', text: `Sizes${tagOf(r)}: ${NOT_MEASURED} (no component or image recorded).` };
  const img = images.map((a) => `${a.id} ${sizeText(r, a)}`);
  const imgText = img.length ? `the container image${img.length > 1 ? 's' : ''} ${img.length > 1 ? `${img.slice(0, -1).join(', ')} and ${img[img.length - 1]}` : img[0]}` : 'no container image was recorded';
  return { id: 'sizes', text: `Sizes${tagOf(r)}: ${wasm.length ? wasm.join(', ') : 'no component was recorded'}; ${imgText}.` };
}

/**
 * What each sandbox denied, per side (Wasm, containers): per target variant of the primary
 * workload, the probes it held out of those that ran to an outcome (errored cells left
 * out, as the summary's probes column counts them), and the side's total.
 */
function sandboxLines(r: Results): AnswerLine[] {
  const cells = capabilityCells(r);
  const tag = tagOf(r);
  if (!cells.length) return [{ id: 'sandbox', text: `What each sandbox denied${tag}: ${NOT_MEASURED} (no capability probes).` }];
  const side = (cls: TargetClass, id: AnswerLine['id'], name: string): AnswerLine[] => {
    const rows = r.targets.filter((t) => isPrimary(r, t) && t.class === cls);
    const counted = rows
      .map((t) => ({ key: keyOf(r, t), n: probeCounts(r, cells, t) }))
      .filter((x): x is { key: string; n: NonNullable<ReturnType<typeof probeCounts>> } => !!x.n && x.n.tried > 0)
      .sort((a, b) => b.n.denied / b.n.tried - a.n.denied / a.n.tried);
    if (!counted.length) return [];
    const denied = counted.reduce((s, x) => s + x.n.denied, 0);
    const tried = counted.reduce((s, x) => s + x.n.tried, 0);
    const errored = counted.reduce((s, x) => s + x.n.errored, 0);
    const each = counted.map((x) => `${x.key} ${x.n.denied}/${x.n.tried}`).join(', ');
    return [{ id, text: `${name}${tag} denied ${denied} of ${tried} capability probes (${each})${errored ? `; ${errored} errored, left out` : ''}.` }];
  };
  const out = [...side('wasm', 'sandbox-wasm', 'Wasm sandboxes'), ...side('container', 'sandbox-container', 'Container sandboxes')];
  return out.length ? out : [{ id: 'sandbox', text: `What each sandbox denied${tag}: ${NOT_MEASURED} (no Wasm or container variant of ${primaryWorkload(r) ?? 'the workload'} was probed).` }];
}

/** The decision gate's verdict, with the criteria that failed and what they measured. */
function gateLine(c: CriteriaResult): AnswerLine {
  const failed = c.criteria.filter((x) => x.status === 'FAIL');
  const detail = failed
    .slice(0, 3)
    .map((x) => `${x.id} ${x.subject}: ${x.measured}, limit ${x.limit}`)
    .join('; ');
  const more = failed.length > 3 ? `; and ${failed.length - 3} more` : '';
  return { id: 'gate', text: `Decision gate${c.title ? ` (${c.title})` : ''}: ${c.decision}${detail ? ` Failed: ${detail}${more}.` : ''}` };
}

/**
 * The answer a report opens with, in reading order. The headline lines (cold start,
 * per-request cost, sizes, sandboxes) are always there, saying "not measured in this run"
 * when the run lacks their numbers; density, surge and the gate only when measured or given.
 */
export function answerLines(r: Results, criteria?: CriteriaResult): AnswerLine[] {
  return [coldStartLine(r), ...platformLines(r), sizesLine(r), ...sandboxLines(r), ...(criteria ? [gateLine(criteria)] : [])];
}
