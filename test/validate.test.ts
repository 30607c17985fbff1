import { describe, expect, it } from 'vitest';
import { fieldPath, oneLine, schemaValidator, show } from '../harness/validate.js';

describe('harness/validate.ts', () => {
  it('turns an instancePath into dot notation, with indices where the document has arrays', () => {
    const doc = { grants: [{ guest: 'x' }], files: { '0': 'a', 'tax.wasm': 'b' } };
    expect(fieldPath('/grants/0/guest', doc)).toBe('grants[0].guest');
    expect(fieldPath('/files/0', doc)).toBe('files["0"]');
    expect(fieldPath('/files/tax.wasm', doc)).toBe('files["tax.wasm"]');
    expect(fieldPath('/a~1b', {})).toBe('["a/b"]');
    expect(fieldPath('', doc)).toBe('');
  });

  it('shows values as messages do', () => {
    expect([show(undefined), show(null), show([]), show([1]), show({}), show({ a: 1 }), show('x'), show(5), show(true)]).toEqual(['nothing', 'null', '[]', 'an array', '{}', 'an object', '"x"', '5', 'true']);
    expect(show('y'.repeat(50))).toBe(JSON.stringify('y'.repeat(40) + '…'));
  });

  it('reports the first problem in one line, an unknown field before a missing one', () => {
    const v = schemaValidator<{ a: number }>({ type: 'object', required: ['a'], additionalProperties: false, properties: { a: { type: 'integer', minimum: 1 }, b: { enum: ['x', 'y'] } } });
    expect(v.problem({ a: 1 })).toBeNull();
    expect(v.problem({})).toEqual({ field: '', message: 'missing field a' });
    expect(v.problem({ A: 1 })).toEqual({ field: '', message: 'unknown field A (allowed: a, b)' });
    expect(v.problem({ a: 0.5 })).toEqual({ field: 'a', message: 'must be a whole number, got 0.5' });
    expect(v.problem({ a: 0 })).toEqual({ field: 'a', message: 'must be ≥ 1, got 0' });
    expect(v.problem({ a: 1, b: 'z' })).toEqual({ field: 'b', message: 'must be one of "x", "y", got "z"' });
    expect(() => v.check({}, 'f.json')).toThrow(/^f\.json: missing field a$/);
    expect(oneLine({ field: 'a.b', message: 'm' })).toBe('a.b: m');
  });

  it('uses a node\'s x-error, with its placeholders', () => {
    const v = schemaValidator({
      type: 'object',
      properties: {
        name: { type: 'string', pattern: '^[a-z]+$', 'x-error': { pattern: '{value} must be lower-case' } },
        opts: { type: 'object', minProperties: 1, additionalProperties: false, properties: { p: {}, q: {} }, 'x-error': { minProperties: 'needs one of {allowed}', additionalProperties: 'no {field} here' } },
      },
    });
    expect(v.problem({ name: 'A' })).toEqual({ field: 'name', message: '"A" must be lower-case' });
    expect(v.problem({ name: 3 })).toEqual({ field: 'name', message: 'must be a string, got 3' });
    expect(v.problem({ opts: {} })).toEqual({ field: 'opts', message: 'needs one of p, q' });
    expect(v.problem({ opts: { r: 1 } })).toEqual({ field: 'opts', message: 'no r here' });
  });

  it('reads a oneOf of null or an object as the branch that fits', () => {
    const v = schemaValidator({ type: 'object', properties: { s: { oneOf: [{ type: 'null' }, { type: 'object', required: ['n'] }] } } });
    expect(v.problem({ s: null })).toBeNull();
    expect(v.problem({ s: {} })).toEqual({ field: 's', message: 'missing field n' });
    expect(v.problem({ s: 'x' })).toEqual({ field: 's', message: 'must be null or an object, got "x"' });
  });

  it('skips the summary of an if/then and reports what the then-branch found', () => {
    const v = schemaValidator({ type: 'object', if: { required: ['k'], properties: { k: { const: 'a' } } }, then: { required: ['x'] } });
    expect(v.problem({ k: 'a' })).toEqual({ field: '', message: 'missing field x' });
    expect(v.problem({ k: 'b' })).toBeNull();
  });
});
