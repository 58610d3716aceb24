import { describe, expect, it } from 'vitest';
import { VisageError } from '../../errors/visage-error.ts';
import { validateOptions } from '../options-validator.ts';
import { thrown } from '../../testing.ts';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['test', 'train'], default: 'test' },
    nested: { type: 'object', properties: { k: { type: 'integer', default: 3 }, j: { type: 'integer' } }, default: {} },
    seed: { type: 'integer' },
  },
};

describe('validateOptions', () => {
  it('fills defaults on a copy and reports the dotted paths it filled', () => {
    const input = { seed: 4 };
    const r = validateOptions(schema, input, '/stages/ingest/options');
    expect(r.value).toEqual({ seed: 4, mode: 'test', nested: { k: 3 } });
    expect(r.defaulted).toEqual(['mode', 'nested.k']);
    expect(input).toEqual({ seed: 4 });
  });

  it('reports nothing as defaulted when every value is given', () => {
    const r = validateOptions(schema, { mode: 'train', nested: { k: 1, j: 2 }, seed: 0 }, '/x');
    expect(r.value).toEqual({ mode: 'train', nested: { k: 1, j: 2 }, seed: 0 });
    expect(r.defaulted).toEqual([]);
  });

  it('without a schema passes a copy of the value, or {} for none', () => {
    const input = { any: { thing: 1 } };
    const r = validateOptions(undefined, input, '/x');
    expect(r).toEqual({ value: input, defaulted: [] });
    expect(r.value).not.toBe(input);
    expect(r.value.any).not.toBe(input.any);
    expect(validateOptions(undefined, undefined, '/x')).toEqual({ value: {}, defaulted: [] });
    expect(validateOptions(schema, undefined, '/x').value).toEqual({ mode: 'test', nested: { k: 3 } });
  });

  it('an unknown option is named, with the allowed ones as the hint', () => {
    const e = thrown(() => validateOptions(schema, { mdoe: 'x' }, '/stages/ingest/options', 'preset.json'));
    expect(e.code).toBe('PRESET_INVALID');
    expect(e.pointer).toBe('/stages/ingest/options');
    expect(e.message).toBe('unknown option "mdoe"');
    expect(e.hint).toBe('allowed options: mode, nested, seed');
    expect(e.file).toBe('preset.json');
  });

  it('a bad value points at the option itself', () => {
    const e = thrown(() => validateOptions(schema, { nested: { k: 'x' } }, '/stages/ingest/options'));
    expect(e.pointer).toBe('/stages/ingest/options/nested/k');
    expect(e.message).toBe('/nested/k must be integer');
    expect(e.hint).toBe('allowed options: mode, nested, seed');
    expect(e.file).toBeUndefined();
  });

  it('options must be an object even when the schema does not say so', () => {
    const e = thrown(() => validateOptions({ properties: {} }, 5, '/plugins/a'));
    expect(e.pointer).toBe('/plugins/a');
    expect(e.message).toBe('options must be object');
    expect(e.hint).toBe('see the provider documentation');
  });

  it('a schema without properties hints at the provider documentation', () => {
    const e = thrown(() => validateOptions({ type: 'object', required: ['model'] }, {}, '/plugins/a'));
    expect(e.message).toBe("options must have required property 'model'");
    expect(e.hint).toBe('see the provider documentation');
  });

  it('tolerates editor keywords in third-party schemas', () => {
    expect(validateOptions({ type: 'object', properties: { a: { type: 'number', markdownDescription: 'x' } } }, { a: 1 }, '/x').value).toEqual({ a: 1 });
  });

  it('reports the first problem of several', () => {
    const e = thrown(() => validateOptions(schema, { seed: 'x', mode: 'y' }, '/o'));
    expect(['/o/seed', '/o/mode']).toContain(e.pointer);
  });
});
