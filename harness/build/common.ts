import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact, Manifest } from '../targets/types.js';

/** What a build step returns when its toolchain or base is missing: the reason and how to get it. */
export type Skipped = { skipped: true; reason: string; hint: string };

/** What every build step gets. */
export interface BuildContext {
  /** Repository root. */
  root: string;
  /** Output folder (gitignored), `<root>/build`. */
  buildDir: string;
  /** The manifest of the previous build, if any: steps reuse an artifact whose inputsHash is unchanged. */
  previous: Manifest | null;
  /** Artifacts built earlier in this build, by id. */
  built: Map<string, Artifact>;
  log: (line: string) => void;
}

/** sha256 of a file's bytes, hex. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** sha256 over a list of strings and buffers, in order, each length-prefixed. */
export function sha256Of(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p) : p;
    h.update(`${b.length}:`);
    h.update(b);
  }
  return h.digest('hex');
}

/** Hash of input files (contents and relative names) plus extra strings such as tool versions and flags. */
export async function inputsHash(files: string[], extra: string[] = []): Promise<string> {
  const parts: (string | Buffer)[] = [...extra];
  for (const f of [...files].sort()) {
    parts.push(f);
    parts.push(await readFile(f));
  }
  return sha256Of(parts);
}

/** All regular files under a directory, sorted, as absolute paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** Describes a built file as an Artifact. */
export async function fileArtifact(id: string, file: string, inputs: string): Promise<Artifact> {
  const s = await stat(file);
  return { id, kind: 'file', path: file, bytes: s.size, sha256: await sha256File(file), inputsHash: inputs };
}

/** Describes a built directory: bytes summed, sha256 over relative names and contents. */
export async function dirArtifact(id: string, dir: string, inputs: string): Promise<Artifact> {
  const files = await listFiles(dir);
  let bytes = 0;
  const parts: (string | Buffer)[] = [];
  for (const f of files) {
    const b = await readFile(f);
    bytes += b.length;
    parts.push(path.relative(dir, f), b);
  }
  return { id, kind: 'directory', path: dir, bytes, sha256: sha256Of(parts), inputsHash: inputs };
}

/**
 * Returns the previous artifact when its inputs hash is unchanged and its output
 * still exists with the same sha256; otherwise null, and the step rebuilds.
 */
export async function reusable(ctx: BuildContext, id: string, inputs: string): Promise<Artifact | null> {
  const prev = ctx.previous?.artifacts.find((a) => a.id === id);
  if (!prev || prev.inputsHash !== inputs) return null;
  if (prev.kind === 'image') return prev; // the image step re-checks the engine itself
  if (!prev.path) return null;
  try {
    const again = prev.kind === 'file' ? await fileArtifact(id, prev.path, inputs) : await dirArtifact(id, prev.path, inputs);
    return again.sha256 === prev.sha256 ? again : null;
  } catch {
    return null;
  }
}
