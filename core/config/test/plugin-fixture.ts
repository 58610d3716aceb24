/**
 * Real plugin folders (package.json manifests and preset files) written to a temp dir, loaded into
 * a real PluginRegistry: what resolvePreset reads, without the shipped plugins.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PluginRegistry } from '../../plugins/plugin-registry.ts';
import { resolvePreset, type PresetRequest } from '../resolve-preset.ts';
import { thrown } from '../../testing.ts';

export interface FixturePlugin {
  name: string;
  publisher?: string;
  version?: string;
  contributes?: Record<string, unknown>;
  pluginDependencies?: string[];
  activationEvents?: string[];
  /** Preset files by path relative to the plugin folder. */
  files?: Record<string, unknown>;
}

export function writePlugins(plugins: FixturePlugin[], root = mkdtempSync(path.join(tmpdir(), 'visage-config-'))): { root: string; registry: PluginRegistry } {
  const folders = plugins.map((p) => {
    const folder = path.join(root, p.name);
    mkdirSync(folder, { recursive: true });
    const manifest = {
      name: p.name,
      publisher: p.publisher ?? 'test',
      version: p.version ?? '1.0.0',
      type: 'module',
      main: './index.js',
      engines: { visage: '^0.1.0' },
      ...(p.pluginDependencies && { pluginDependencies: p.pluginDependencies }),
      ...(p.activationEvents && { activationEvents: p.activationEvents }),
      contributes: p.contributes ?? {},
    };
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify(manifest));
    for (const [file, data] of Object.entries(p.files ?? {})) writeFileSync(path.join(folder, file), typeof data === 'string' ? data : JSON.stringify(data));
    return folder;
  });
  return { root, registry: new PluginRegistry(folders.map((folder) => ({ folder, source: 'plugin-dir' as const }))) };
}

/** A tidy set of providers for every stage, a level needing another, options with defaults, and presets. */
export function standardPlugins(extra: FixturePlugin[] = []): FixturePlugin[] {
  return [
    {
      name: 'base',
      contributes: {
        ingesters: [{ id: 'frames', options: { type: 'object', additionalProperties: false, properties: { pad: { enum: ['last', 'zero'], default: 'last' }, seed: { type: 'integer' } } } }],
        levels: [
          { id: 'colour', scores: true },
          { id: 'contrast', needs: ['colour'], scores: true, options: { type: 'object', additionalProperties: false, properties: { power: { type: 'number', default: 2 } } } },
        ],
        promptBuilders: [{ id: 'names', options: { type: 'object', properties: { template: { type: 'string', default: '{label}' } } } }],
        fusions: [{ id: 'mean', options: { type: 'object', properties: { eps: { type: 'number', default: 0 } } } }],
        deciders: [{ id: 'argmax', options: { type: 'object', properties: { temperature: { type: 'number', default: 1 } } } }],
        presets: [
          { id: 'plain', path: './plain.json' },
          { id: 'child', path: './child.json' },
        ],
        configuration: { type: 'object', properties: { label: { type: 'string', default: 'base' } } },
      },
      files: {
        'plain.json': {
          name: 'plain',
          frames: 4,
          classes: ['happy', 'sad'],
          stages: {
            ingest: { use: 'test.base/frames' },
            levels: { colour: { weight: 1 } },
            prompts: { use: 'test.base/names' },
            fusion: { use: 'test.base/mean' },
            decide: { use: 'test.base/argmax' },
          },
        },
        'child.json': { extends: 'plain', name: 'child', frames: 8 },
      },
    },
    ...extra,
  ];
}

/** The standard plugins written once, with what every resolve-preset test file asks of them. */
export function standardFixture() {
  const { root, registry } = writePlugins(standardPlugins());
  return {
    root,
    registry,
    /** The VisageError resolving `req` throws (the test fails when it resolves). */
    resolveError: (req: PresetRequest, reg = registry) => thrown(() => resolvePreset(reg, req)),
    /** Writes a preset file into the fixture folder and returns its absolute path. */
    presetFile(name: string, data: unknown): string {
      const file = path.join(root, name);
      writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
      return file;
    },
  };
}
