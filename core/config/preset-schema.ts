/** JSON Schema of a pipeline preset (pipeline.json). Provider options are checked separately, per provider. */
import type { JSONSchema } from '../manifest/json-schema.ts';
import { STAGES } from '../pipeline/stages.ts';

const providerRef: JSONSchema = {
  type: 'object',
  required: ['use'],
  additionalProperties: false,
  properties: {
    use: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*\\.[a-z0-9][a-z0-9-._]*/[a-z][a-z0-9-]*$', description: 'Provider id: publisher.name/local-id' },
    options: { type: 'object' },
  },
};

const levelRef: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    use: providerRef.properties && (providerRef.properties as Record<string, JSONSchema>).use,
    enabled: { type: 'boolean', default: true },
    weight: { type: 'number', minimum: 0, default: 1 },
    options: { type: 'object' },
  },
};

const levelsSchema: JSONSchema = { type: 'object', additionalProperties: levelRef, propertyNames: { pattern: '^[a-z][a-z0-9-]*$' } };

export const PRESET_SCHEMA: JSONSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Visage pipeline preset',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    extends: {
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      description: 'Preset name(s) or relative file path(s) this preset builds on; later layers win.',
    },
    frames: { type: 'integer', minimum: 1, maximum: 512, description: 'Frames sampled per clip (T).' },
    classes: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Class names, in output order.' },
    stages: {
      type: 'object',
      additionalProperties: false,
      // levels holds one entry per slot; every other stage, one provider.
      properties: Object.fromEntries(STAGES.map((s) => [s.name, s.name === 'levels' ? levelsSchema : providerRef])),
    },
    plugins: { type: 'object', additionalProperties: { type: 'object' }, description: 'Plugin-wide configuration by plugin id.' },
  },
};
