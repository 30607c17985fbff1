import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { ROOT } from './support.js';

/** A plain validator (not harness/validate.ts, so an independent reading of the schema): every error as a readable line. */
function validator(file: string) {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return (doc: unknown): string[] => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
}

const SCHEMAS = path.join(ROOT, 'harness', 'schema');

/** Errors of a results.json against the published schema (the current schemaVersion), as readable lines; empty when valid. */
export const schemaErrors = validator(path.join(SCHEMAS, 'results.schema.json'));

/**
 * Errors against the schemaVersion 1 schema (one workload per run), which the reports
 * still read: test/fixtures/results-sample.json and results-probes.json are real runs of it.
 */
export const schemaErrorsV1 = validator(path.join(SCHEMAS, 'results-v1.schema.json'));

/** Errors against the schemaVersion 2 schema: test/fixtures/results-v2.json is a real run of it. */
export const schemaErrorsV2 = validator(path.join(SCHEMAS, 'results-v2.schema.json'));
