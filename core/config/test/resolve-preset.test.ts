import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { VisageError } from '../../errors/visage-error.ts';
import { PRESET_SCHEMA } from '../preset-schema.ts';
import { DEFAULT_FRAMES, resolvePreset } from '../resolve-preset.ts';
import { standardFixture, standardPlugins, writePlugins, type FixturePlugin } from './plugin-fixture.ts';
import { thrown } from '../../testing.ts';

const { root, registry, resolveError, presetFile } = standardFixture();
const PLAIN = 'preset:plain (test.base)';

describe('resolvePreset: a plain preset', () => {
  // Resolved inside each test: code run while collecting tests is not attributed to any test.
  const plain = () => resolvePreset(registry, { preset: 'plain' });

  it('resolves every stage to its provider, plugin and version, with schema defaults filled in', () => {
    const p = plain();
    expect(p.name).toBe('plain');
    expect(p.layers).toEqual([PLAIN]);
    expect(p.frames).toBe(4);
    expect(p.classes).toEqual(['happy', 'sad']);
    expect(p.ingest).toEqual({ use: 'test.base/frames', plugin: 'test.base', pluginVersion: '1.0.0', options: { pad: 'last' } });
    expect(p.levels).toEqual([{ use: 'test.base/colour', plugin: 'test.base', pluginVersion: '1.0.0', options: {}, slot: 'colour', weight: 1, needs: [], feeds: 'scores' }]);
    expect(p.disabledLevels).toEqual([]);
    expect(p.prompts?.use).toBe('test.base/names');
    expect(p.fusion.use).toBe('test.base/mean');
    expect(p.decide).toEqual({ use: 'test.base/argmax', plugin: 'test.base', pluginVersion: '1.0.0', options: { temperature: 1 } });
    expect(p.pluginConfig).toEqual({ 'test.base': { label: 'base' } });
  });

  it('says where each value came from, (default) for schema defaults', () => {
    const p = plain();
    expect(p.origins.get('frames')).toBe(PLAIN);
    expect(p.origins.get('stages.levels.colour.weight')).toBe(PLAIN);
    expect(p.origins.get('stages.ingest.options.pad')).toBe('(default)');
    expect(p.origins.get('stages.decide.options.temperature')).toBe('(default)');
    expect(p.origins.get('plugins.test.base.label')).toBe('(default)');
    expect(p.origins.has('stages.ingest.options.seed')).toBe(false);
  });
});

describe('resolvePreset: layers', () => {
  it('extends puts the parent first; the child wins', () => {
    const p = resolvePreset(registry, { preset: 'child' });
    expect(p.layers).toEqual([PLAIN, 'preset:child (test.base)']);
    expect(p.name).toBe('child');
    expect(p.frames).toBe(8);
    expect(p.classes).toEqual(['happy', 'sad']);
    expect(p.origins.get('frames')).toBe('preset:child (test.base)');
  });

  it('a config file on top of a preset, then --set; --set wins', () => {
    const file = presetFile('top.json', { frames: 6, stages: { levels: { colour: { weight: 0.5 } } } });
    const p = resolvePreset(registry, { preset: 'plain', configFile: file, set: ['frames=3'] });
    expect(p.layers).toEqual([PLAIN, `file:${path.relative(process.cwd(), file)}`, '--set']);
    expect(p.frames).toBe(3);
    expect(p.levels[0].weight).toBe(0.5);
    expect(p.origins.get('frames')).toBe('--set');
    expect(p.origins.get('stages.levels.colour.weight')).toBe(`file:${path.relative(process.cwd(), file)}`);
  });

  it('with no preset and no config file, the default preset is used', () => {
    const e = resolveError({});
    expect(e.code).toBe('PRESET_NOT_FOUND');
    expect(e.message).toBe('no preset named "embedded"');
  });

  it('a config file that extends nothing goes on top of the default preset', () => {
    const e = resolveError({ configFile: presetFile('flat.json', { frames: 2 }) });
    expect(e.code).toBe('PRESET_NOT_FOUND');
    expect(e.message).toBe('no preset named "embedded"');
    expect(e.hint).toBe('--preset takes a preset name (known: child, plain), a pipeline.json file, or a folder holding one');
  });

  it('a config file that extends a preset does not pull in the default one', () => {
    const p = resolvePreset(registry, { configFile: presetFile('ext.json', { extends: 'plain', frames: 5 }) });
    expect(p.layers[0]).toBe(PLAIN);
    expect(p.frames).toBe(5);
  });

  it('extends may list several parents; later ones win', () => {
    presetFile('five.json', { frames: 5 });
    presetFile('seven.json', { frames: 7, classes: ['x', 'y'] });
    const p = resolvePreset(registry, { configFile: presetFile('multi.json', { extends: ['plain', './seven.json', 'five.json'] }) });
    expect(p.frames).toBe(5);
    expect(p.classes).toEqual(['x', 'y']);
    expect(p.layers).toHaveLength(4);
  });

  it('frames, level weights and prompts have defaults; classes may come from the levels; the name from the last layer', () => {
    const bare = writePlugins([
      {
        ...standardPlugins()[0],
        name: 'bare',
        files: { 'plain.json': { stages: { ingest: { use: 'test.bare/frames' }, levels: { colour: {} }, fusion: { use: 'test.bare/mean' }, decide: { use: 'test.bare/argmax' } } }, 'child.json': {} },
      },
    ]);
    const q = resolvePreset(bare.registry, { preset: 'plain' });
    expect(DEFAULT_FRAMES).toBe(16);
    expect(q.frames).toBe(16);
    expect(q.origins.get('frames')).toBe('(default)');
    expect(q.levels[0].weight).toBe(1);
    expect(q.origins.get('stages.levels.colour.weight')).toBe('(default)');
    expect(q.prompts).toBeUndefined();
    expect(q.classes).toBeUndefined();
    expect(q.name).toBe('preset:plain (test.bare)');
  });
});

describe('resolvePreset: levels', () => {
  it('orders enabled levels by their needs and fills option defaults', () => {
    const p = resolvePreset(registry, { preset: 'plain', set: ['stages.levels.contrast.weight=0.5', 'stages.levels.contrast.enabled=true'] });
    expect(p.levels.map((l) => [l.slot, l.weight, l.needs])).toEqual([['colour', 1, []], ['contrast', 0.5, ['colour']]]);
    expect(p.levels[1].options).toEqual({ power: 2 });
    expect(p.origins.get('stages.levels.contrast.options.power')).toBe('(default)');
    expect(p.origins.get('stages.levels.contrast.weight')).toBe('--set');
  });

  it('lists disabled levels apart, and a level needing a disabled one is an error', () => {
    const p = resolvePreset(registry, { preset: 'plain', set: ['stages.levels.contrast.enabled=false'] });
    expect(p.disabledLevels).toEqual(['contrast']);
    expect(p.levels.map((l) => l.slot)).toEqual(['colour']);
    const e = resolveError({ preset: 'plain', set: ['stages.levels.colour.enabled=false', 'stages.levels.contrast.weight=1'] });
    expect(e.code).toBe('LEVEL_NEEDS_DISABLED');
    expect(e.pointer).toBe('/stages/levels/contrast');
  });

  it('a level may name its provider with use', () => {
    const p = resolvePreset(registry, { preset: 'plain', set: ['stages.levels.tint.use=test.base/colour'] });
    expect(p.levels.map((l) => [l.slot, l.use])).toEqual([['colour', 'test.base/colour'], ['tint', 'test.base/colour']]);
  });

  it('no enabled level is an error', () => {
    const e = resolveError({ preset: 'plain', set: ['stages.levels.colour.enabled=false'] });
    expect(e.code).toBe('PRESET_INVALID');
    expect(e.pointer).toBe('/stages/levels');
    expect(e.message).toBe('the preset enables no level');
    expect(e.hint).toBe('enable at least one level, e.g. --set stages.levels.expression.enabled=true');
  });

  it('a level slot no provider serves is an error naming the available ones', () => {
    const e = resolveError({ preset: 'plain', set: ['stages.levels.warmth.weight=1'] });
    expect(e.code).toBe('PROVIDER_NOT_FOUND');
    expect(e.pointer).toBe('/stages/levels/warmth/use');
    expect(e.message).toBe('no level provider "warmth" (no provider has this id; name one with "use")');
    expect(e.hint).toBe('available level providers: test.base/colour, test.base/contrast');
  });

  it('a level slot served by two plugins must be disambiguated', () => {
    const two = writePlugins(standardPlugins([{ name: 'other', contributes: { levels: [{ id: 'colour', scores: true }] } }]));
    const e = thrown(() => resolvePreset(two.registry, { preset: 'plain' }));
    expect(e.code).toBe('LEVEL_AMBIGUOUS');
    expect(e.pointer).toBe('/stages/levels/colour/use');
    expect(e.hint).toBe('pick one: --set stages.levels.colour.use=test.base/colour');
    expect(resolvePreset(two.registry, { preset: 'plain', set: ['stages.levels.colour.use=test.other/colour'] }).levels[0].plugin).toBe('test.other');
  });
});

describe('resolvePreset: providers', () => {
  it('a stage without a provider is an error suggesting one; prompts are optional', () => {
    const e = resolveError({ preset: 'plain', set: ['stages.fusion=null'] });
    expect(e.code).toBe('PRESET_INVALID');
    expect(e.message).toBe('/stages/fusion must be object');
    const bare = writePlugins([{ ...standardPlugins()[0], name: 'nofusion', files: { 'plain.json': { stages: { ingest: { use: 'test.nofusion/frames' }, levels: { colour: {} }, decide: { use: 'test.nofusion/argmax' } } }, 'child.json': {} } }]);
    const m = thrown(() => resolvePreset(bare.registry, { preset: 'plain' }));
    expect(m.code).toBe('PRESET_INVALID');
    expect(m.pointer).toBe('/stages/fusion');
    expect(m.message).toBe('the preset selects no fusion provider');
    expect(m.hint).toBe('add stages.fusion.use, e.g. --set stages.fusion.use=test.nofusion/mean');
    const none = writePlugins([{ name: 'lonely', contributes: { ingesters: [{ id: 'in' }], levels: [{ id: 'l', scores: true }], presets: [{ id: 'p', path: './p.json' }] }, files: { 'p.json': { stages: { ingest: { use: 'test.lonely/in' }, levels: { l: {} } } } } }]);
    expect(thrown(() => resolvePreset(none.registry, { preset: 'p' })).hint).toBe('add stages.fusion.use, e.g. --set stages.fusion.use=publisher.plugin/id');
  });

  it('an unknown provider is an error listing the available ones', () => {
    const e = resolveError({ preset: 'plain', set: ['stages.fusion.use=test.base/max'] });
    expect(e.code).toBe('PROVIDER_NOT_FOUND');
    expect(e.pointer).toBe('/stages/fusion/use');
    expect(e.message).toBe('no fusion provider "test.base/max"');
    expect(e.hint).toBe('available fusion providers: test.base/mean');
  });

  it('a provider of another stage is refused, saying what it is', () => {
    const e = resolveError({ preset: 'plain', set: ['stages.decide.use=test.base/mean'] });
    expect(e.code).toBe('PROVIDER_NOT_FOUND');
    expect(e.pointer).toBe('/stages/decide/use');
    expect(e.message).toBe('no decide provider "test.base/mean" (it is a fusion provider)');
    expect(e.hint).toBe('available decide providers: test.base/argmax');
    expect(resolveError({ preset: 'plain', set: ['stages.ingest.use=test.base/names'] }).message).toBe('no ingest provider "test.base/names" (it is a prompt provider)');
    expect(resolveError({ preset: 'plain', set: ['stages.prompts.use=test.base/frames'] }).message).toBe('no prompt provider "test.base/frames" (it is a ingest provider)');
    expect(resolveError({ preset: 'plain', set: ['stages.fusion.use=test.base/argmax'] }).message).toBe('no fusion provider "test.base/argmax" (it is a decide provider)');
    expect(resolveError({ preset: 'plain', set: ['stages.fusion.use=test.base/colour'] }).message).toBe('no fusion provider "test.base/colour" (it is a level provider)');
  });

  it('a provider of a plugin that failed to load names the failure', () => {
    const broken = writePlugins(standardPlugins([{ name: 'broken', contributes: { fusions: [{ id: 'max' }] }, pluginDependencies: ['test.missing'] }]));
    const e = thrown(() => resolvePreset(broken.registry, { preset: 'plain', set: ['stages.fusion.use=test.broken/max'] }));
    expect(e.code).toBe('PROVIDER_NOT_FOUND');
    expect(e.message).toBe('no fusion provider "test.broken/max" (plugin test.broken failed to load: dependency test.missing is not installed)');
    expect(e.hint).toBe('available fusion providers: test.base/mean');
  });

  it('a plugin failing to load is named only for its own providers', () => {
    const broken = writePlugins(standardPlugins([{ name: 'broken', contributes: { fusions: [{ id: 'max' }] }, pluginDependencies: ['test.missing'] }]));
    const e = thrown(() => resolvePreset(broken.registry, { preset: 'plain', set: ['stages.fusion.use=test.other/max'] }));
    expect(e.message).toBe('no fusion provider "test.other/max"');
  });

  it('no provider of a kind at all says so', () => {
    const none = writePlugins([{ name: 'lonely', contributes: { ingesters: [{ id: 'in' }], levels: [{ id: 'l', scores: true }], presets: [{ id: 'p', path: './p.json' }] }, files: { 'p.json': { stages: { ingest: { use: 'test.lonely/in' }, levels: { l: {} }, fusion: { use: 'a.b/c' } } } } }]);
    const e = thrown(() => resolvePreset(none.registry, { preset: 'p' }));
    expect(e.hint).toBe('no installed plugin contributes a fusion provider');
  });

  it('provider options are checked against the provider schema, with the layer-independent pointer', () => {
    const e = resolveError({ preset: 'plain', set: ['stages.ingest.options.pad="middle"'] });
    expect(e.code).toBe('PRESET_INVALID');
    expect(e.pointer).toBe('/stages/ingest/options/pad');
    expect(e.hint).toBe('allowed options: pad, seed');
    const u = resolveError({ preset: 'plain', set: ['stages.ingest.options.padding="last"'] });
    expect(u.pointer).toBe('/stages/ingest/options');
    expect(u.message).toBe('unknown option "padding"');
    const l = resolveError({ preset: 'plain', set: ['stages.levels.contrast.options.power="x"'] });
    expect(l.pointer).toBe('/stages/levels/contrast/options/power');
  });

  it('plugin-wide configuration is validated for every plugin the preset uses', () => {
    const file = presetFile('cfg.json', { extends: 'plain', plugins: { 'test.base': { label: 7 } } });
    const e = resolveError({ configFile: file });
    expect(e.code).toBe('PRESET_INVALID');
    expect(e.pointer).toBe('/plugins/test.base/label');
    const ok = resolvePreset(registry, { configFile: presetFile('cfg2.json', { extends: 'plain', plugins: { 'test.base': { label: 'mine' } } }) });
    expect(ok.pluginConfig['test.base']).toEqual({ label: 'mine' });
    expect(ok.origins.has('plugins.test.base.label')).toBe(true);
    expect(ok.origins.get('plugins.test.base.label')).not.toBe('(default)');
  });
});

describe('resolvePreset: the preset schema', () => {
  const invalid = (set: string[]) => resolveError({ preset: 'plain', set });

  it('frames is an integer in 1..512', () => {
    expect(resolvePreset(registry, { preset: 'plain', set: ['frames=1'] }).frames).toBe(1);
    expect(resolvePreset(registry, { preset: 'plain', set: ['frames=512'] }).frames).toBe(512);
    for (const bad of ['0', '513', '1.5', '"8"']) {
      const e = invalid([`frames=${bad}`]);
      expect(e.code).toBe('PRESET_INVALID');
      expect(e.pointer).toBe('/frames');
      expect(e.hint).toBe('see the preset format in README (Presets)');
    }
    expect(invalid(['frames=0']).message).toBe('/frames must be >= 1');
  });

  it('classes are distinct strings', () => {
    expect(invalid(['classes=["a","a"]']).pointer).toBe('/classes');
    const item = invalid(['classes=[1]']);
    expect(item.pointer).toBe('/classes/0');
    expect(item.hint).toBe('see the preset format in README (Presets)');
    expect(invalid(['classes="a"']).pointer).toBe('/classes');
  });

  it('name, description and $schema are strings; extends a name or a list of them', () => {
    expect(invalid(['name=1']).pointer).toBe('/name');
    expect(invalid(['description=1']).pointer).toBe('/description');
    expect(invalid(['$schema=1']).pointer).toBe('/$schema');
    expect(resolvePreset(registry, { preset: 'plain', set: ['description="d"', '$schema="s"'] }).name).toBe('plain');
    // extends never reaches the merged preset (mergeLayers drops it), so the schema is checked alone.
    const validate = new Ajv2020({ strict: true }).compile(PRESET_SCHEMA);
    expect(validate({ extends: 'plain' }) && validate({ extends: ['plain', './x.json'] })).toBe(true);
    expect(validate({ extends: 3 }) || validate({ extends: [3] })).toBe(false);
  });

  it('an unknown top-level key names the key, its layer and the allowed keys', () => {
    const e = invalid(['bogus=1']);
    expect(e.code).toBe('PRESET_INVALID');
    expect(e.pointer).toBe('/bogus');
    expect(e.message).toBe('unknown key "bogus"');
    expect(e.file).toBe('--set');
    expect(e.hint).toBe('top-level keys are: name, description, extends, frames, classes, stages, plugins');
  });

  it('an unknown stage names the stages', () => {
    const e = invalid(['stages.output.use="a.b/c"']);
    expect(e.pointer).toBe('/stages/output');
    expect(e.message).toBe('unknown key "output"');
    expect(e.hint).toBe('stages are: prompts, ingest, levels, fusion, decide');
  });

  it('a level entry has use, enabled, weight and options only', () => {
    const e = invalid(['stages.levels.colour.wieght=1']);
    expect(e.pointer).toBe('/stages/levels/colour/wieght');
    expect(e.message).toBe('unknown key "wieght"');
    expect(e.hint).toBe('a level entry has: use, enabled, weight, options');
    expect(e.file).toBe('--set');
    expect(invalid(['stages.levels.colour.weight=-0.5']).pointer).toBe('/stages/levels/colour/weight');
    expect(invalid(['stages.levels.colour.enabled="yes"']).pointer).toBe('/stages/levels/colour/enabled');
    expect(invalid(['stages.levels.colour.options=1']).pointer).toBe('/stages/levels/colour/options');
    expect(invalid(['stages.levels.colour.use="Colour"']).pointer).toBe('/stages/levels/colour/use');
    expect(resolvePreset(registry, { preset: 'plain', set: ['stages.levels.colour.weight=0'] }).levels[0].weight).toBe(0);
  });

  it('level slots are lower-case ids', () => {
    const e = invalid(['stages.levels.Colour.weight=1']);
    expect(e.code).toBe('PRESET_INVALID');
    expect(e.pointer).toBe('/stages/levels');
    expect(e.message).toBe('/stages/levels must match pattern "^[a-z][a-z0-9-]*$"');
    expect(e.hint).toBe('stages are: prompts, ingest, levels, fusion, decide');
    expect(invalid(['stages.levels.1x.weight=1']).code).toBe('PRESET_INVALID');
  });

  it('a stage provider has a use of the form publisher.name/id, and options', () => {
    for (const use of ['"base/mean"', '"Test.base/mean"', '"test.base/Mean"', '"test.base/"', '"test/mean"']) {
      const e = invalid([`stages.fusion.use=${use}`]);
      expect(e.code).toBe('PRESET_INVALID');
      expect(e.pointer).toBe('/stages/fusion/use');
    }
    expect(invalid(['stages.fusion.options=1']).pointer).toBe('/stages/fusion/options');
    const extra = invalid(['stages.fusion.weight=1']);
    expect(extra.pointer).toBe('/stages/fusion/weight');
    expect(extra.hint).toBe('see the preset format in README (Presets)');
    const missing = resolveError({ configFile: presetFile('nouse.json', { extends: 'plain', stages: { decide: null } }), set: ['stages.decide.options={}'] });
    expect(missing.pointer).toBe('/stages/decide');
    expect(missing.message).toBe("/stages/decide must have required property 'use'");
    for (const stage of ['ingest', 'prompts', 'decide']) expect(invalid([`stages.${stage}.x=1`]).pointer).toBe(`/stages/${stage}/x`);
  });

  it('plugin configuration is an object per plugin id', () => {
    const x = invalid(['plugins.x=1']);
    expect(x.pointer).toBe('/plugins/x');
    expect(x.hint).toBe('see the preset format in README (Presets)');
    expect(invalid(['plugins=[]']).pointer).toBe('/plugins');
    expect(invalid(['plugins={"test.base":1}']).pointer).toBe('/plugins/test.base');
  });

  it('the whole preset must be an object of the known shape', () => {
    expect(invalid(['stages=1']).pointer).toBe('/stages');
    expect(invalid(['stages.levels=1']).pointer).toBe('/stages/levels');
  });
});
