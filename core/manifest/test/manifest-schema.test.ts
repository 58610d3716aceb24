import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_EVENT_PATTERN, buildManifestSchema, PLUGIN_ID_PATTERN } from '../manifest-schema.ts';
import { validateManifest } from '../validate-manifest.ts';

const base = { name: 'p', publisher: 'acme', version: '1.0.0', main: './index.js', engines: { visage: '^0.1.0' } };
const pointers = (over: Record<string, unknown>) => validateManifest({ ...base, ...over }, '/plugins/p').problems.map((p) => p.pointer);

describe('the manifest schema', () => {
  it('is what manifest.schema.json holds', () => {
    expect(buildManifestSchema()).toEqual(JSON.parse(readFileSync(new URL('../../../manifest.schema.json', import.meta.url), 'utf8')));
  });

  it('plugin names are npm names, optionally scoped', () => {
    for (const name of ['p', 'visage-plugin-x', '@acme/x', 'a.b_c~d']) expect(pointers({ name })).toEqual([]);
    for (const name of ['P', '@Acme/x', 'a b', '@acme/', '.x', '@acme']) expect(pointers({ name })).toEqual(['/name']);
  });

  it('publishers are lower-case ids', () => {
    expect(pointers({ publisher: 'acme-2' })).toEqual([]);
    for (const publisher of ['-acme', 'ac.me', 'acme_', 'x y']) expect(pointers({ publisher })).toEqual(['/publisher']);
  });

  it('engines is an object with a visage range', () => {
    expect(pointers({ engines: 1 })).toEqual(['/engines']);
    expect(pointers({ engines: { visage: '^0.1.0', node: '>=20' } })).toEqual([]);
  });

  it('activation events are * or on<Point>:<id>', () => {
    expect(pointers({ activationEvents: ['*', 'onIngest:a', 'onLevel:b', 'onPrompts:c', 'onFusion:d', 'onDecide:e', 'onCommand:clip encode', 'onStage:x/y.z'] })).toEqual([]);
    for (const ev of ['onLevel:', 'onTheme:x', '**', 'xonLevel:a', 'onLevel:a!', 'onLevel:a\n']) expect(pointers({ activationEvents: [ev] })).toEqual(['/activationEvents/0']);
    expect(pointers({ activationEvents: [1] })).toEqual(['/activationEvents/0']);
    expect(new RegExp(ACTIVATION_EVENT_PATTERN).test('onLevel:a b')).toBe(true);
  });

  it('plugin dependencies are distinct plugin ids', () => {
    expect(pointers({ pluginDependencies: ['visage.landmarks', 'acme.x-y.z_w'] })).toEqual([]);
    for (const dep of ['landmarks', 'Visage.x', 'visage.', '.x', 'visage.x/y', '-a.b']) expect(pointers({ pluginDependencies: [dep] })).toEqual(['/pluginDependencies/0']);
    expect(pointers({ pluginDependencies: 'visage.x' })).toEqual(['/pluginDependencies']);
    expect(new RegExp(PLUGIN_ID_PATTERN).test('a.b')).toBe(true);
  });

  it('allows other package.json fields (scripts, dependencies, ...)', () => {
    expect(pointers({ scripts: { test: 'x' }, dependencies: {}, type: 'module' })).toEqual([]);
  });
});
