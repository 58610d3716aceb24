/**
 * The contribution points a plugin manifest may fill under `contributes`.
 * Modelled on VS Code's `ExtensionsRegistry.registerExtensionPoint`: each point owns its JSON-schema
 * fragment (merged into manifest.schema.json). The stage points come from the STAGES table.
 *
 * Unlike VS Code, a point derives no activation events: which plugins a pipeline activates follows
 * from the providers its preset selects (see `usedPlugins`), which says the same thing once.
 */
import type { JSONSchema } from './json-schema.ts';
import { STAGES, type ProviderPoint } from '../pipeline/stages.ts';

export interface ContributionPoint {
  /** Key under `contributes`. */
  id: string;
  description: string;
  schema: JSONSchema;
}

const ID_PATTERN = '^[a-z][a-z0-9-]*$';

/** JSON schema accepted for contributed option/configuration schemas: any object schema. */
const optionsSchema: JSONSchema = {
  type: 'object',
  description: 'JSON Schema (draft 2020-12) of the options this contribution accepts in a preset.',
};

function providerList(description: string, extra: Record<string, JSONSchema> = {}): JSONSchema {
  return {
    type: 'array',
    description,
    items: {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: ID_PATTERN, description: 'Local id; referenced as `publisher.name/id`.' },
        title: { type: 'string' },
        description: { type: 'string' },
        options: optionsSchema,
        ...extra,
      },
    },
  };
}

/** Fields a stage's contributions carry beyond id, title, description and options. */
const STAGE_FIELDS: Partial<Record<ProviderPoint, Record<string, JSONSchema>>> = {
  ingesters: {
    accepts: { type: 'array', items: { type: 'string' }, description: 'Source kinds or file extensions handled (informative).' },
  },
  levels: {
    needs: {
      type: 'array',
      items: { type: 'string', pattern: ID_PATTERN },
      uniqueItems: true,
      description: 'Level slots whose outputs this level reads; the host runs those first.',
    },
    scores: {
      type: 'boolean',
      default: false,
      description: 'Whether the level returns class scores for the fusion. A level with neither scores nor embeddings defaults to weight 0, and a preset giving it a non-zero weight is refused.',
    },
    embeddings: {
      type: 'boolean',
      default: false,
      description: 'Whether the level returns embeddings that a fusion scores against the prompts (e.g. FineCLIPER); its weight is then read by that fusion.',
    },
  },
  promptBuilders: {
    roles: {
      type: 'array',
      items: { enum: ['positive', 'negative', 'unknown'] },
      uniqueItems: true,
      description: 'Prompt roles the builder gives (PromptSet.prompts): positive and negative prompts per class, unknown prompts. A fusion that needs a role the selected builder lacks is refused at resolve time.',
    },
  },
  fusions: {
    needsRoles: {
      type: 'array',
      items: { enum: ['positive', 'negative', 'unknown'] },
      uniqueItems: true,
      description: 'Prompt roles the fusion reads from the prompts stage; the preset\'s prompt builder must declare each of them in its `roles`.',
    },
  },
};

const points: ContributionPoint[] = [
  ...STAGES.map((s) => ({ id: s.point, description: s.description, schema: providerList(`${s.noun[0].toUpperCase()}${s.noun.slice(1)} providers.`, STAGE_FIELDS[s.point]) })),
  {
    id: 'presets',
    description: 'Named pipeline presets (pipeline.json files inside the plugin folder).',
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'path'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: ID_PATTERN },
          path: { type: 'string', description: 'Relative path to the preset JSON file.' },
          description: { type: 'string' },
        },
      },
    },
  },
  {
    id: 'configuration',
    description: 'JSON Schema of the plugin-wide configuration (`plugins.<id>` in a preset).',
    schema: { type: 'object' },
  },
  {
    id: 'commands',
    description: 'CLI commands the plugin adds under `visage <id>`.',
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)*$', description: 'Command words after `visage`, e.g. "clip encode".' },
          title: { type: 'string', description: 'One-line summary shown in `visage --help`.' },
          description: { type: 'string' },
          arguments: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name'],
              additionalProperties: false,
              properties: {
                name: { type: 'string', pattern: '^[a-z][a-zA-Z0-9-]*$' },
                description: { type: 'string' },
                required: { type: 'boolean', default: false },
                variadic: { type: 'boolean', default: false },
              },
            },
          },
          options: {
            type: 'array',
            items: {
              type: 'object',
              required: ['flags'],
              additionalProperties: false,
              properties: {
                flags: { type: 'string', pattern: '^(-[a-zA-Z], )?--[a-z][a-z0-9-]*( <[a-z-]+(\\.\\.\\.)?>| \\[[a-z-]+(\\.\\.\\.)?\\])?$', description: 'commander flags, e.g. "--image <file...>"' },
                description: { type: 'string' },
                default: {},
              },
            },
          },
        },
      },
    },
  },
];

/** The registry, frozen: adding a point is a core change, as in VS Code. */
export const CONTRIBUTION_POINTS: readonly ContributionPoint[] = Object.freeze(points);

export function contributionPoint(id: string): ContributionPoint | undefined {
  return CONTRIBUTION_POINTS.find((p) => p.id === id);
}

/** Stage-provider points and the stage each one serves. */
export const PROVIDER_POINTS = Object.freeze(Object.fromEntries(STAGES.map((s) => [s.point, s.name]))) as { readonly [P in ProviderPoint]: Extract<(typeof STAGES)[number], { point: P }>['name'] };
export type { ProviderPoint };
