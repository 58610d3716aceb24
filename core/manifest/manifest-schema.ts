/**
 * The manifest schema: the base fields of a Visage plugin's package.json plus one fragment per
 * contribution point. `manifest.schema.json` at the repo root is this object, written by
 * `npm run schema` (a test keeps the two in sync) so editors can autocomplete manifests.
 */
import { CONTRIBUTION_POINTS } from './contribution-points.ts';
import type { JSONSchema } from './json-schema.ts';
import { STAGES } from '../pipeline/stages.ts';

export const PLUGIN_ID_PATTERN = '^[a-z0-9][a-z0-9-]*\\.[a-z0-9][a-z0-9-._]*$';
/** `*`, or an event of the STAGES table, `onStage` or `onCommand` with its argument (see usedPlugins). */
export const ACTIVATION_EVENT_PATTERN = `^(\\*|(${[...STAGES.map((s) => s.event), 'onStage', 'onCommand'].join('|')}):[A-Za-z0-9._/ -]+)$`;

export function buildManifestSchema(): JSONSchema {
  const contributes: Record<string, JSONSchema> = {};
  for (const point of CONTRIBUTION_POINTS) contributes[point.id] = { description: point.description, ...point.schema };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://visage.dev/schemas/manifest.schema.json',
    title: 'Visage plugin manifest (package.json)',
    type: 'object',
    required: ['name', 'publisher', 'version', 'engines', 'main'],
    properties: {
      name: {
        type: 'string',
        pattern: '^(@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$',
        description: 'npm package name; the plugin id is `publisher.name` (scope dropped).',
      },
      publisher: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', description: 'Publisher id, first half of the plugin id.' },
      version: { type: 'string', description: 'Semver version of the plugin.' },
      displayName: { type: 'string' },
      description: { type: 'string' },
      engines: {
        type: 'object',
        required: ['visage'],
        properties: {
          visage: { type: 'string', description: 'Semver range of the Visage host API, e.g. "^0.1.0". "*" is not allowed.' },
        },
      },
      main: { type: 'string', description: 'Entry module exporting activate(ctx); must stay inside the plugin folder.' },
      activationEvents: {
        type: 'array',
        items: { type: 'string', pattern: ACTIVATION_EVENT_PATTERN },
        description: 'Events that activate the plugin besides a preset selecting one of its providers: "*" (every pipeline, e.g. an afterClip observer), "onStage:<stage>", "onLevel:<publisher.name/id>" (and onIngest, onPrompts, onFusion, onDecide), "onCommand:<words>".',
      },
      contributes: {
        type: 'object',
        additionalProperties: false,
        properties: contributes,
      },
      pluginDependencies: {
        type: 'array',
        items: { type: 'string', pattern: PLUGIN_ID_PATTERN },
        uniqueItems: true,
        description: 'Plugin ids (`publisher.name`) that must be installed and activate before this one (a missing one or a cycle fails the plugin); their package `exports` are all this plugin may import of them.',
      },
      exports: {
        description: 'npm package exports: what this plugin shares with plugins that declare it in `pluginDependencies` (e.g. {".": "./src/my-api.ts"}).',
      },
    },
  };
}
