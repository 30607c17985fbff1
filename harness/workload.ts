/**
 * Workloads as data: a directory with a `workload.json` manifest (format in
 * harness/schema/workload.schema.json, documented in README.md) that names the
 * workload, its language, how each artifact is built or where a prebuilt one is,
 * the sample run and its expected stdout, the directories it is granted, and
 * whether it implements the probe mode. Targets read a workload; none names one.
 *
 * The loader checks the manifest itself and every path and value it names, and
 * reports the first problem as one line naming the field:
 * `modules/x/workload.json: artifacts.core.path: no such file (…)`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from './targets/types.js';

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

/** How one artifact comes to be: built by the harness, or already built (a path or an image tag). */
export type ArtifactSpec =
  | { kind: 'path'; path: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'cc'; source: string }
  | { kind: 'wasi-clang'; source: string }
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

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

type Json = unknown;
type Obj = Record<string, Json>;

/** Collects the location for messages: `<file>: <field>: <problem>`. */
class Checker {
  constructor(readonly file: string) {}
  fail(field: string, problem: string): never {
    throw new UserError(`${this.file}: ${field}: ${problem}`);
  }
  obj(v: Json, field: string): Obj {
    if (v === undefined) this.fail(field, 'missing (required)');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `must be an object, got ${describe(v)}`);
    return v as Obj;
  }
  str(o: Obj, key: string, field: string, opts: { optional?: boolean } = {}): string | undefined {
    const v = o[key];
    if (v === undefined) {
      if (opts.optional) return undefined;
      this.fail(field, 'missing (required)');
    }
    if (typeof v !== 'string' || v === '') this.fail(field, `must be a non-empty string, got ${describe(v)}`);
    return v;
  }
  only(o: Obj, allowed: string[], field: string): void {
    for (const k of Object.keys(o)) {
      if (k === '$schema' && field === '') continue;
      if (!allowed.includes(k)) this.fail(field ? `${field}.${k}` : k, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

function describe(v: Json): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v) : typeof v;
}

async function exists(p: string, want: 'file' | 'dir'): Promise<boolean> {
  try {
    const s = await stat(p);
    return want === 'file' ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
}

/** Resolves a manifest path (relative to the workload directory) and requires it to exist. */
async function existing(c: Checker, dir: string, rel: string, field: string, want: 'file' | 'dir'): Promise<string> {
  const abs = path.resolve(dir, rel);
  if (!(await exists(abs, want))) c.fail(field, `no such ${want === 'file' ? 'file' : 'directory'}: ${rel} (resolved to ${abs})`);
  return abs;
}

async function artifactSpec(c: Checker, dir: string, role: Role, v: Json): Promise<ArtifactSpec | ScriptSpec> {
  const field = `artifacts.${role}`;
  const o = c.obj(v, field);
  if (role === 'script') {
    c.only(o, ['path', 'runtime'], field);
    const runtime = c.str(o, 'runtime', `${field}.runtime`);
    if (runtime !== 'node') c.fail(`${field}.runtime`, `unsupported runtime ${JSON.stringify(runtime)} (supported: node)`);
    return { kind: 'path', path: await existing(c, dir, c.str(o, 'path', `${field}.path`)!, `${field}.path`, 'file'), runtime: 'node' };
  }
  const isImage = role === 'image' || role === 'imageDebian';
  const ways = Object.keys(o).filter((k) => ['path', 'tag', 'build'].includes(k));
  if (ways.length !== 1) c.fail(field, `needs exactly one of ${isImage ? '"tag" or "build"' : '"path" or "build"'}${ways.length ? `, got ${ways.join(' and ')}` : ''}`);
  if (ways[0] === 'tag') {
    if (!isImage) c.fail(`${field}.tag`, 'only images are referenced by tag; use "path"');
    c.only(o, ['tag'], field);
    return { kind: 'tag', tag: c.str(o, 'tag', `${field}.tag`)! };
  }
  if (ways[0] === 'path') {
    if (isImage) c.fail(`${field}.path`, 'an image is referenced by "tag" (a prebuilt image) or built from a "build" Dockerfile');
    c.only(o, ['path'], field);
    return { kind: 'path', path: await existing(c, dir, c.str(o, 'path', `${field}.path`)!, `${field}.path`, 'file') };
  }
  c.only(o, ['build'], field);
  const b = c.obj(o.build, `${field}.build`);
  const bf = `${field}.build`;
  const tool = c.str(b, 'tool', `${bf}.tool`)!;
  const allowedTools: Record<Role, string[]> = {
    native: ['cc'],
    core: ['wasi-clang'],
    component: ['jco-new', 'componentize-js'],
    script: [],
    image: ['docker'],
    imageDebian: ['docker'],
  };
  if (!allowedTools[role].includes(tool)) c.fail(`${bf}.tool`, `${JSON.stringify(tool)} cannot build a ${role} artifact (choose: ${allowedTools[role].join(', ')})`);
  switch (tool) {
    case 'cc':
    case 'wasi-clang':
      c.only(b, ['tool', 'source'], bf);
      return { kind: tool, source: await existing(c, dir, c.str(b, 'source', `${bf}.source`)!, `${bf}.source`, 'file') };
    case 'jco-new':
      c.only(b, ['tool', 'from'], bf);
      if (b.from !== 'core') c.fail(`${bf}.from`, `must be "core" (the core module this workload builds), got ${describe(b.from)}`);
      return { kind: 'jco-new', from: 'core' };
    case 'componentize-js':
      c.only(b, ['tool', 'source', 'wit', 'world'], bf);
      return {
        kind: 'componentize-js',
        source: await existing(c, dir, c.str(b, 'source', `${bf}.source`)!, `${bf}.source`, 'file'),
        wit: await existing(c, dir, c.str(b, 'wit', `${bf}.wit`)!, `${bf}.wit`, 'dir'),
        world: c.str(b, 'world', `${bf}.world`)!,
      };
    default: {
      c.only(b, ['tool', 'dockerfile', 'files', 'base'], bf);
      const dockerfile = await existing(c, dir, c.str(b, 'dockerfile', `${bf}.dockerfile`)!, `${bf}.dockerfile`, 'dir');
      if (!(await exists(path.join(dockerfile, 'Dockerfile'), 'file'))) c.fail(`${bf}.dockerfile`, `no Dockerfile in ${path.relative(dir, dockerfile) || '.'}`);
      const files: Record<string, { role: Role } | { path: string }> = {};
      const fo = c.obj(b.files ?? {}, `${bf}.files`);
      for (const [name, ref] of Object.entries(fo)) {
        const ff = `${bf}.files.${name}`;
        if (typeof ref !== 'string' || !ref) c.fail(ff, `must be a path or "@<role>", got ${describe(ref)}`);
        if (ref.startsWith('@')) {
          const r = ref.slice(1);
          if (!['native', 'core', 'component'].includes(r)) c.fail(ff, `${ref}: only @native, @core and @component can be copied into an image`);
          files[name] = { role: r as Role };
        } else {
          files[name] = { path: await existing(c, dir, ref, ff, 'file') };
        }
      }
      const base = b.base;
      if (base !== undefined && base !== 'debian' && base !== 'node') c.fail(`${bf}.base`, `must be "debian" or "node" (a base the harness builds locally), got ${describe(base)}; a registry base goes in the Dockerfile's ARG default`);
      return { kind: 'docker', dockerfile, files, base: (base as 'debian' | 'node' | undefined) ?? null };
    }
  }
}

/**
 * Reads and checks a workload directory (or a path to its workload.json).
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
  let raw: Json;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UserError(`${shown}: not valid JSON: ${(e as Error).message}`);
  }
  const c = new Checker(shown);
  const o = c.obj(raw, '(top level)');
  c.only(o, ['name', 'language', 'description', 'argv0', 'grants', 'sample', 'vectors', 'probes', 'artifacts'], '');

  const name = c.str(o, 'name', 'name')!;
  if (!NAME_RE.test(name)) c.fail('name', `${JSON.stringify(name)} must be lower-case letters, digits and dashes (it names artifacts and images)`);
  const language = c.str(o, 'language', 'language')!;
  const description = c.str(o, 'description', 'description', { optional: true }) ?? '';
  const argv0 = c.str(o, 'argv0', 'argv0', { optional: true }) ?? name;

  const grants: Grant[] = [];
  if (o.grants !== undefined && !Array.isArray(o.grants)) c.fail('grants', `must be an array, got ${describe(o.grants)}`);
  for (const [i, g] of ((o.grants as Json[] | undefined) ?? []).entries()) {
    const f = `grants[${i}]`;
    const go = c.obj(g, f);
    c.only(go, ['host', 'guest', 'readOnly', 'arg'], f);
    const arg = c.str(go, 'arg', `${f}.arg`, { optional: true });
    if (arg !== undefined && !/^--?[A-Za-z0-9][A-Za-z0-9-]*$/.test(arg)) c.fail(`${f}.arg`, `must be a flag such as "--rules", got ${JSON.stringify(arg)}`);
    const guest = c.str(go, 'guest', `${f}.guest`)!;
    if (!guest.startsWith('/') || guest === '/') c.fail(`${f}.guest`, `must be an absolute guest path other than /, got ${JSON.stringify(guest)}`);
    if (grants.some((x) => x.guest === guest)) c.fail(`${f}.guest`, `${guest} is granted twice`);
    if (go.readOnly !== undefined && typeof go.readOnly !== 'boolean') c.fail(`${f}.readOnly`, `must be true or false, got ${describe(go.readOnly)}`);
    grants.push({ host: await existing(c, dir, c.str(go, 'host', `${f}.host`)!, `${f}.host`, 'dir'), guest, readOnly: go.readOnly !== false, ...(arg ? { arg } : {}) });
  }

  const so = c.obj(o.sample, 'sample');
  c.only(so, ['args', 'stdout'], 'sample');
  if (!Array.isArray(so.args) || !so.args.every((a) => typeof a === 'string')) c.fail('sample.args', `must be an array of strings, got ${describe(so.args)}`);
  if (typeof so.stdout !== 'string') c.fail('sample.stdout', `missing (required): the exact stdout the sample run must print, got ${describe(so.stdout)}`);
  const sample = { args: so.args as string[], stdout: so.stdout as string };

  const vectorsRel = c.str(o, 'vectors', 'vectors', { optional: true });
  const vectors = vectorsRel ? await existing(c, dir, vectorsRel, 'vectors', 'file') : null;
  if (o.probes !== undefined && typeof o.probes !== 'boolean') c.fail('probes', `must be true or false, got ${describe(o.probes)}`);

  const ao = c.obj(o.artifacts, 'artifacts');
  c.only(ao, [...ROLES], 'artifacts');
  if (!Object.keys(ao).length) c.fail('artifacts', 'declares no artifact: a workload needs at least one of ' + ROLES.join(', '));
  const artifacts: Workload['artifacts'] = {};
  for (const role of ROLES) {
    if (ao[role] === undefined) continue;
    (artifacts as Record<string, unknown>)[role] = await artifactSpec(c, dir, role, ao[role]);
  }
  const comp = artifacts.component;
  if (comp?.kind === 'jco-new' && !artifacts.core) c.fail('artifacts.component.build.from', 'names "core", but the workload declares no artifacts.core');
  for (const role of ['image', 'imageDebian'] as const) {
    const im = artifacts[role];
    if (im?.kind !== 'docker') continue;
    for (const [name, ref] of Object.entries(im.files)) {
      if ('role' in ref && !artifacts[ref.role as Exclude<Role, 'script'>]) c.fail(`artifacts.${role}.build.files.${name}`, `@${ref.role}: the workload declares no artifacts.${ref.role}`);
    }
  }
  return {
    name,
    language,
    description,
    dir,
    manifestPath,
    manifestSha256: createHash('sha256').update(bytes).digest('hex'),
    argv0,
    grants,
    sample,
    vectors,
    probes: o.probes === true,
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
    const dup = out.find((x) => x.name === w.name);
    if (dup) throw new UserError(`--workload ${d}: name ${JSON.stringify(w.name)} is also the name of ${manifestLabel(dup)} — workload names must be unique`);
    out.push(w);
  }
  return out;
}
