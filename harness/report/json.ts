/**
 * The JSON "report": results.json itself, exactly as the writer formats it,
 * so re-rendering a run reproduces its results.json byte for byte.
 */
import type { Results } from '../model.js';

/** results.json text: the Results pretty-printed with two spaces and a final newline. Pure. */
export function renderJson(r: Results): string {
  return JSON.stringify(r, null, 2) + '\n';
}
