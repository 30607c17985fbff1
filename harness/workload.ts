/**
 * Workloads as data: a directory with a `workload.json` manifest (format in
 * harness/schema/workload.schema.json, documented in README.md) that names the
 * workload, its language, how each artifact is built or where a prebuilt one is,
 * the sample run and its expected stdout, the directories it is granted, and
 * whether it implements the probe mode. Targets read a workload; none names one.
 *
 * The loader validates the manifest against that schema (harness/validate.ts),
 * then checks what a schema cannot (every path exists, a guest path is granted
 * once, a component built from the core or an image file `@<role>` names a
 * declared artifact), and reports the first problem as one line naming the field:
 * `modules/x/workload.json: artifacts.core.path: no such file: app.wasm (resolved to …)`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from './errors.js';
import { schemaValidator, subfield } from './validate.js';
import { PROBE_GUEST_DIR, PROBE_GUEST_NAME } from './paths.js';

/** The artifact roles a workload can declare; each target runs one or more of them. */
export const ROLES = ['native', 'core', 'component', 'script', 'image', 'imageDebian'] as const;
export type Role = (typeof ROLES)[number];

/** A directory the workload is granted, with where the guest sees it. */
export interface Grant {
  /** Absolute host path. */
  host: string;
  /** Absolute guest path, e.g. `/rules`. */
  guest: string;
  readOnly: boolean;
  /**
   * The flag that names this directory to the program (`--rules`), for runtimes
   * without a filesystem namespace (native, a script on the host): there the guest
   * path in `<arg>=<guest path>` becomes the host path, and `<arg>=<host dir>` is
   * added when the args do not name it (the program's default is the guest path).
   */
  arg?: string;
}

/**
 * A C program as the manifest's `cc` and `wasi-clang` builds give it: every path
 * absolute and checked to exist. `source` in the manifest is `sources` of one.
 */
export interface CProject {
  /** The C sources, compiled and linked into one program, in manifest order. */
  sources: string[];
  /** Header directories, passed as -I in this order. */
  include: string[];
  /** `NAME` or `NAME=VALUE`, passed as -D. */
  defines: string[];
  /** Extra compiler flags, after the defaults. */
  flags: string[];
  /** Library names, passed as -l<name> after the sources. */
  libs: string[];
}

/** How one artifact comes to be: built by the harness, or already built (a path or an image tag). */
export type ArtifactSpec =
  | { kind: 'path'; path: string }
  | { kind: 'tag'; tag: string }
  | ({ kind: 'cc' | 'wasi-clang' } & CProject)
  | { kind: 'jco-new'; from: 'core' }
  | { kind: 'componentize-js'; source: string; wit: string; world: string }
  | { kind: 'docker'; dockerfile: string; files: Record<string, { role: Role } | { path: string }>; base: 'debian' | 'node' | null };

/** A script artifact also names the interpreter that runs it. */
export interface ScriptSpec {
  kind: 'path';
  path: string;
  runtime: 'node';
}

export interface Workload {
  /** Slug from the manifest's `name`; artifact ids are `<name>/<role>`. */
  name: string;
  /** Free text, e.g. `C`, `JavaScript`; the reports compare workloads by it. */
  language: string;
  /** The manifest's `interpreted`, when it gives one: the language reaches Wasm by bundling its interpreter. */
  interpreted?: boolean;
  /** The manifest's `task`, when it gives one: workloads with the same task are the same program. */
  task?: string;
  description: string;
  /** Absolute directory of the manifest. */
  dir: string;
  manifestPath: string;
  /** sha256 of the manifest bytes, recorded with each run. */
  manifestSha256: string;
  /** argv[0] the guest sees. */
  argv0: string;
  grants: Grant[];
  sample: { args: string[]; stdout: string };
  /** Absolute path of a vectors.jsonl, or null. */
  vectors: string | null;
  /** The workload implements `--probe=NAME` (modules/tax-calculator/README.md, "Probe mode"). */
  probes: boolean;
  artifacts: Partial<Record<Exclude<Role, 'script'>, ArtifactSpec>> & { script?: ScriptSpec };
}

/** The manifest's file name inside a workload directory. */
export const MANIFEST_FILE = 'workload.json';

/** A manifest as the schema admits it (harness/schema/workload.schema.json). */
interface ManifestJson {
  name: string;
  language: string;
  interpreted?: boolean;
  task?: string;
  description?: string;
  argv0?: string;
  grants?: { host: string; guest: string; readOnly?: boolean; arg?: string }[];
  sample: { args: string[]; stdout: string };
  vectors?: string;
  probes?: boolean;
  artifacts: Partial<Record<Role, ArtifactJson>>;
}

type BuildJson =
  | { tool: 'cc' | 'wasi-clang'; source?: string; sources?: string[]; include?: string[]; defines?: string[]; flags?: string[]; libs?: string[] }
  | { tool: 'jco-new'; from: 'core' }
  | { tool: 'componentize-js'; source: string; wit: string; world: string }
  | { tool: 'docker'; dockerfile: string; files?: Record<string, string>; base?: 'debian' | 'node' };

type ArtifactJson = { path: string; runtime?: 'node' } | { tag: string } | { build: BuildJson };

const manifestSchema = schemaValidator<ManifestJson>('workload');

/** `<file>: <field>: <problem>`, as a UserError. */
const fail = (file: string, field: string, problem: string): never => {
  throw new UserError(`${file}: ${field}: ${problem}`);
};

async function exists(p: string, want: 'file' | 'dir'): Promise<boolean> {
  try {
    const s = await stat(p);
    return want === 'file' ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
}

/** Resolves a manifest path (relative to the workload directory) and requires it to exist. */
async function existing(file: string, dir: string, rel: string, field: string, want: 'file' | 'dir'): Promise<string> {
  const abs = path.resolve(dir, rel);
  if (!(await exists(abs, want))) fail(file, field, `no such ${want === 'file' ? 'file' : 'directory'}: ${rel} (resolved to ${abs})`);
  return abs;
}

/** `existing` for each path of a list field, in order: the first missing one is the error (`<field>[i]`). */
async function existingEach(file: string, dir: string, rels: readonly string[], field: string, want: 'file' | 'dir'): Promise<string[]> {
  const out: string[] = [];
  for (const [i, rel] of rels.entries()) out.push(await existing(file, dir, rel, `${field}[${i}]`, want));
  return out;
}

/** One schema-valid artifact entry, its paths resolved and required to exist. */
async function artifactSpec(file: string, dir: string, role: Role, a: ArtifactJson): Promise<ArtifactSpec | ScriptSpec> {
  const field = `artifacts.${role}`;
  if ('tag' in a) return { kind: 'tag', tag: a.tag };
  if ('path' in a) {
    const p = await existing(file, dir, a.path, `${field}.path`, 'file');
    return role === 'script' ? { kind: 'path', path: p, runtime: 'node' } : { kind: 'path', path: p };
  }
  const b = a.build;
  const bf = `${field}.build`;
  switch (b.tool) {
    case 'cc':
    case 'wasi-clang': {
      // The schema admits exactly one of source and sources.
      const sources = b.sources ? await existingEach(file, dir, b.sources, `${bf}.sources`, 'file') : [await existing(file, dir, b.source!, `${bf}.source`, 'file')];
      const include = await existingEach(file, dir, b.include ?? [], `${bf}.include`, 'dir');
      return { kind: b.tool, sources, include, defines: b.defines ?? [], flags: b.flags ?? [], libs: b.libs ?? [] };
    }
    case 'jco-new':
      return { kind: 'jco-new', from: b.from };
    case 'componentize-js':
      return {
        kind: 'componentize-js',
        source: await existing(file, dir, b.source, `${bf}.source`, 'file'),
        wit: await existing(file, dir, b.wit, `${bf}.wit`, 'dir'),
        world: b.world,
      };
    case 'docker': {
      const dockerfile = await existing(file, dir, b.dockerfile, `${bf}.dockerfile`, 'dir');
      if (!(await exists(path.join(dockerfile, 'Dockerfile'), 'file'))) fail(file, `${bf}.dockerfile`, `no Dockerfile in ${path.relative(dir, dockerfile) || '.'}`);
      const files: Record<string, { role: Role } | { path: string }> = {};
      for (const [name, ref] of Object.entries(b.files ?? {})) {
        files[name] = ref.startsWith('@') ? { role: ref.slice(1) as Role } : { path: await existing(file, dir, ref, subfield(`${bf}.files`, name), 'file') };
      }
      return { kind: 'docker', dockerfile, files, base: b.base ?? null };
    }
  }
}

/**
 * Reads and checks a workload directory (or a path to its workload.json): the
 * manifest against its JSON Schema, then what the schema cannot say (paths
 * exist, a guest path is granted once, built-from roles are declared).
 * Every problem is a UserError naming the manifest field.
 */
export async function loadWorkload(dirOrFile: string): Promise<Workload> {
  const abs = path.resolve(dirOrFile);
  const manifestPath = (await exists(abs, 'dir')) ? path.join(abs, MANIFEST_FILE) : abs;
  const dir = path.dirname(manifestPath);
  const shown = manifestLabel({ manifestPath });
  let bytes: Buffer;
  try {
    bytes = await readFile(manifestPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`--workload ${dirOrFile}: ${code === 'ENOENT' ? `no ${MANIFEST_FILE} there` : (e as Error).message} — a workload is a directory with a ${MANIFEST_FILE} (see README, "Workloads")`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UserError(`${shown}: not valid JSON: ${(e as Error).message}`);
  }
  const m = manifestSchema.check(raw, shown);

  const grants: Grant[] = [];
  for (const [i, g] of (m.grants ?? []).entries()) {
    const f = `grants[${i}]`;
    if (grants.some((x) => x.guest === g.guest)) fail(shown, `${f}.guest`, `${g.guest} is granted twice`);
    grants.push({ host: await existing(shown, dir, g.host, `${f}.host`, 'dir'), guest: g.guest, readOnly: g.readOnly !== false, ...(g.arg ? { arg: g.arg } : {}) });
  }
  const vectors = m.vectors ? await existing(shown, dir, m.vectors, 'vectors', 'file') : null;

  const artifacts: Workload['artifacts'] = {};
  for (const role of ROLES) {
    const a = m.artifacts[role];
    if (a !== undefined) (artifacts as Record<string, unknown>)[role] = await artifactSpec(shown, dir, role, a);
  }
  const comp = artifacts.component;
  if (comp?.kind === 'jco-new' && !artifacts.core) fail(shown, 'artifacts.component.build.from', 'names "core", but the workload declares no artifacts.core');
  for (const role of ['image', 'imageDebian'] as const) {
    const im = artifacts[role];
    if (im?.kind !== 'docker') continue;
    for (const [name, ref] of Object.entries(im.files)) {
      if ('role' in ref && !artifacts[ref.role as Exclude<Role, 'script'>]) fail(shown, subfield(`artifacts.${role}.build.files`, name), `@${ref.role}: the workload declares no artifacts.${ref.role}`);
    }
  }
  return {
    name: m.name,
    language: m.language,
    ...(m.interpreted !== undefined ? { interpreted: m.interpreted } : {}),
    ...(m.task !== undefined ? { task: m.task } : {}),
    description: m.description ?? '',
    dir,
    manifestPath,
    manifestSha256: createHash('sha256').update(bytes).digest('hex'),
    argv0: m.argv0 ?? m.name,
    grants,
    sample: { args: m.sample.args, stdout: m.sample.stdout },
    vectors,
    probes: m.probes === true,
    artifacts,
  };
}

/** A manifest's path as messages show it: relative to the working directory. */
export function manifestLabel(w: Pick<Workload, 'manifestPath'>): string {
  return path.relative(process.cwd(), w.manifestPath) || w.manifestPath;
}

/** Loads several workloads; two with the same name are a user error. */
export async function loadWorkloads(dirs: readonly string[]): Promise<Workload[]> {
  const out: Workload[] = [];
  for (const d of dirs) {
    const w = await loadWorkload(d);
    if (w.name === PROBE_GUEST_NAME && path.resolve(w.dir) !== PROBE_GUEST_DIR) throw new UserError(`--workload ${d}: name ${JSON.stringify(w.name)} is the harness's probe guest (harness/probe-guest) — choose another name`);
    const dup = out.find((x) => x.name === w.name);
    if (dup) throw new UserError(`--workload ${d}: name ${JSON.stringify(w.name)} is also the name of ${manifestLabel(dup)} — workload names must be unique`);
    out.push(w);
  }
  return out;
}
