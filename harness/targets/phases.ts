/**
 * Parses the one-line JSON of phase timings a host wrote on its side channel.
 * Keys ending in `_ms` lose the suffix; non-numeric values are dropped.
 * Returns undefined when nothing (or nothing parseable) was written.
 */
export function parsePhases(side: string | undefined): Record<string, number> | undefined {
  const line = side?.trim().split('\n').pop();
  if (!line) return undefined;
  try {
    const obj = JSON.parse(line) as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(obj)) if (typeof v === 'number') out[k.replace(/_ms$/, '')] = v;
    return out;
  } catch {
    return undefined;
  }
}
