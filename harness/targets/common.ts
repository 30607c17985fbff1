import type { Artifact, PrepareContext, SkippedArtifact } from './types.js';

/** The artifact with this id in the build manifest, if it was built. */
export function findArtifact(ctx: PrepareContext, id: string): Artifact | undefined {
  return ctx.manifest.artifacts.find((a) => a.id === id);
}

/** Why the build skipped this artifact, when the manifest says. */
export function skippedArtifact(ctx: PrepareContext, id: string): SkippedArtifact | undefined {
  return ctx.manifest.skipped?.find((s) => s.id === id);
}

/**
 * For targets without a filesystem namespace: rewrites a guest `--rules=/rules...`
 * to the host rules directory, and adds `--rules=<host dir>` when the args name none.
 */
export function mapRulesArgs(args: readonly string[], hostRulesDir: string): string[] {
  let named = false;
  const out = args.map((a) => {
    if (!a.startsWith('--rules=')) return a;
    named = true;
    const p = a.slice('--rules='.length);
    return p === '/rules' || p.startsWith('/rules/') ? `--rules=${hostRulesDir}${p.slice('/rules'.length)}` : a;
  });
  if (!named) out.push(`--rules=${hostRulesDir}`);
  return out;
}
