import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { ROOT } from './support.js';

function validator(file: string) {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return (doc: unknown): string[] => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
}

/** Errors of a results.json against the published schema, as readable lines; empty when valid. */
export const schemaErrors = validator(path.join(ROOT, 'harness', 'schema', 'results.schema.json'));

/**
 * Errors against the schemaVersion 1 schema (one workload per run), kept as a fixture:
 * the sample fixtures are real runs of that version, which the reports still read.
 */
export const schemaErrorsV1 = validator(path.join(ROOT, 'test', 'fixtures', 'results-v1.schema.json'));
