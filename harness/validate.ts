/**
 * The one validation path for the files a user hands the harness (workload.json,
 * a criteria file, a results.json): each is checked against its JSON Schema in
 * harness/schema/ with ajv, and the first relevant error becomes one line that
 * names the file and the field:
 *
 *   `modules/x/workload.json: artifacts.core.build.tool: "cc" cannot build a core artifact (choose: wasi-clang)`
 *
 * Field paths are dot notation (`artifacts.core.path`, `grants[0].guest`,
 * `files["tax.wasm"]`); the top level has no field. Messages are generic per
 * keyword (`missing field X`, `unknown field X (allowed: …)`, `must be one of …`,
 * `must be a string, got 5`) unless the schema node carries an `x-error`:
 *
 * - a string replaces the message of every keyword of that node except
 *   `required` and `additionalProperties` (which are about its fields);
 * - an object maps a keyword to its message, e.g. `{"minProperties": "…"}`.
 *
 * In an `x-error`, `{value}` is the offending value as shown in messages
 * (`"cc"`, `5`, `an object`), `{field}` the missing or unknown field, and
 * `{allowed}` the node's known fields. Checks a schema cannot express (a path
 * exists on disk, a name used twice) stay with the loaders, after the schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UserError } from './errors.js';
import { ROOT } from './paths.js';

/** The schemas in harness/schema/: `<name>.schema.json`. */
export type SchemaName = 'workload' | 'criteria' | 'results' | 'results-v1' | 'results-v2';

/** One problem with a document: where, and what. */
export interface Problem {
  /** Dot-notation path of the field (`artifacts.core.path`, `grants[0].guest`); '' for the top level. */
  field: string;
  /** What is wrong, e.g. `missing field stdout` or `must be a string, got 5`. */
  message: string;
}

/** A compiled schema. */
export interface Validator<T> {
  /** The first relevant problem with `doc`, or null when it is valid. */
  problem(doc: unknown): Problem | null;
  /**
   * `doc` typed as T when it is valid.
   * @param label starts the message, e.g. the file's path; omitted, the message starts with the field.
   * @throws UserError with one line: `<label>: <field>: <message>`.
   */
  check(doc: unknown, label?: string): T;
}

/** The file of a schema in harness/schema/. */
export function schemaFile(name: SchemaName): string {
  return path.join(ROOT, 'harness', 'schema', `${name}.schema.json`);
}

let ajv: Ajv | undefined;
function instance(): Ajv {
  if (!ajv) {
    // verbose: errors carry the failing value and the schema node (for x-error).
    ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
    ajv.addVocabulary(['x-error']);
  }
  return ajv;
}

const cache = new Map<string, ValidateFunction>();

/** A validator for a schema of harness/schema/ (compiled once) or a schema object. */
export function schemaValidator<T>(schema: SchemaName | object): Validator<T> {
  let fn: ValidateFunction | undefined;
  const compiled = (): ValidateFunction => {
    if (fn) return fn;
    if (typeof schema === 'string') {
      fn = cache.get(schema);
      if (!fn) {
        fn = instance().compile(JSON.parse(readFileSync(schemaFile(schema), 'utf8')) as object);
        cache.set(schema, fn);
      }
    } else fn = instance().compile(schema);
    return fn;
  };
  const problem = (doc: unknown): Problem | null => {
    const v = compiled();
    return v(doc) ? null : firstProblem(v.errors ?? [], doc);
  };
  return {
    problem,
    check(doc, label) {
      const p = problem(doc);
      if (p) throw new UserError(oneLine(p, label));
      return doc as T;
    },
  };
}

/** `<label>: <field>: <message>`, leaving out an empty label or field. */
export function oneLine(p: Problem, label?: string): string {
  return [label, p.field, p.message].filter(Boolean).join(': ');
}

/**
 * The error worth reporting out of ajv's list: the first, skipping the
 * "must match then schema" summaries of if/then and the branches of a oneOf
 * or anyOf whose type did not match; an unknown field beats any
 * other problem of the same object (a misspelt field is also a missing one,
 * an extra field also one too many).
 */
export function firstProblem(errors: readonly ErrorObject[], doc: unknown): Problem | null {
  let real = errors.filter((e) => e.keyword !== 'if');
  // A failed oneOf/anyOf (older schemas' `null or an object`): the branch whose type
  // matched says what is wrong; when none did, one line names every type allowed.
  for (const alt of real.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')) {
    const at = alt.instancePath;
    const typeMiss = (e: ErrorObject) => e.keyword === 'type' && e.instancePath === at;
    const inside = real.filter((e) => e !== alt && (e.instancePath === at || e.instancePath.startsWith(`${at}/`)));
    if (inside.some((e) => !typeMiss(e))) real = real.filter((e) => e !== alt && !typeMiss(e));
    else if (inside.length) {
      const types = inside.flatMap((e) => String((e.params as { type: unknown }).type).split(','));
      return { field: fieldPath(at, doc), message: `must be ${[...new Set(types)].map((t) => TYPE_NAMES[t] ?? t).join(' or ')}, got ${show(alt.data)}` };
    }
  }
  const first = real[0];
  if (!first) return errors.length ? describeError(errors[0], doc) : null;
  const unknown = real.find((e) => e.keyword === 'additionalProperties' && e.instancePath === first.instancePath);
  return describeError(unknown ?? first, doc);
}

/** JSON pointer segments of an instancePath. */
function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A field name appended to a dot-notation path: `files.tax` but `files["tax.wasm"]`. */
export function subfield(base: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `${base ? `${base}.` : ''}${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** `/grants/0/guest` → `grants[0].guest` (indices only where the document has an array). */
export function fieldPath(instancePath: string, doc?: unknown): string {
  let out = '';
  let node: unknown = doc;
  for (const s of segments(instancePath)) {
    if (Array.isArray(node) && /^\d+$/.test(s)) out += `[${s}]`;
    else out = subfield(out, s);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[s] : undefined;
  }
  return out;
}

/** A value as messages show it: `"cc"`, `5`, `true`, `null`, `an object`, `an array`, `nothing`. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length ? 'an array' : '[]';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return Object.keys(v as object).length ? 'an object' : '{}';
  return String(v);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The generic message of one ajv error. */
function generic(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const got = `got ${show(e.data)}`;
  switch (e.keyword) {
    case 'type': {
      const types = (Array.isArray(p.type) ? p.type : String(p.type).split(',')) as string[];
      return `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}, ${got}`;
    }
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}, ${got}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}, ${got}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${plural(p.limit as number, 'character')}, ${got}`;
    case 'maxLength':
      return `must be at most ${plural(p.limit as number, 'character')}, ${got}`;
    case 'pattern':
      return `must match /${String(p.pattern)}/, ${got}`;
    case 'format':
      return `must be a ${String(p.format)}, ${got}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${({ '>=': '≥', '<=': '≤' } as Record<string, string>)[String(p.comparison)] ?? String(p.comparison)} ${String(p.limit)}, ${got}`;
    case 'multipleOf':
      return `must be a multiple of ${String(p.multipleOf)}, ${got}`;
    case 'minItems':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${plural(p.limit as number, 'item')}, got ${(e.data as unknown[]).length}`;
    case 'maxItems':
      return `must have at most ${plural(p.limit as number, 'item')}, got ${(e.data as unknown[]).length}`;
    case 'uniqueItems':
      return `items ${String(p.j)} and ${String(p.i)} are the same`;
    case 'minProperties':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${plural(p.limit as number, 'field')}`;
    case 'maxProperties':
      return `must have at most ${plural(p.limit as number, 'field')}`;
    case 'dependencies':
    case 'dependentRequired':
      return `${String(p.property)} needs ${String(p.missingProperty)}`;
    case 'not':
      return `${show(e.data)} is not allowed here`;
    case 'false schema':
      return 'is not allowed here';
    case 'oneOf':
    case 'anyOf':
      return `matches none of the forms allowed here, ${got}`;
    default:
      return `${e.message ?? 'is not valid'}${e.data === undefined ? '' : `, ${got}`}`;
  }
}

/** The fields a schema node declares, for `unknown field … (allowed: …)`. */
function allowedOf(schema: unknown): string[] {
  const props = schema && typeof schema === 'object' ? (schema as { properties?: object }).properties : undefined;
  return props ? Object.keys(props) : [];
}

function describeError(e: ErrorObject, doc: unknown): Problem {
  const p = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const custom = parent['x-error'];
  const allowed = allowedOf(parent);
  const child = e.keyword === 'required' ? String(p.missingProperty) : e.keyword === 'additionalProperties' ? String(p.additionalProperty) : undefined;
  let message: string | undefined;
  if (typeof custom === 'string' && child === undefined) message = custom;
  else if (custom && typeof custom === 'object' && typeof (custom as Record<string, unknown>)[e.keyword] === 'string') message = (custom as Record<string, string>)[e.keyword];
  if (message !== undefined) {
    message = message
      .replace(/\{value\}/g, show(e.data))
      .replace(/\{field\}/g, child ?? '')
      .replace(/\{allowed\}/g, allowed.join(', '));
  } else if (e.keyword === 'required') message = `missing field ${child}`;
  else if (e.keyword === 'additionalProperties') message = `unknown field ${child}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
  else message = generic(e);
  return { field: fieldPath(e.instancePath, doc), message };
}
